package twiliotest_test

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/twilio/twilio-go"
	"github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/rapportapp/rapport/internal/testsrv/twiliotest"
)

const (
	rep      = "+13125550100"
	customer = "+13125550123"
)

// restClient is the real twilio-go client pointed at s.
func restClient(s *twiliotest.Server) *api.ApiService {
	c := &client.Client{Credentials: client.NewCredentials(s.AccountSID, s.AuthToken), HTTPClient: s.Client()}
	c.SetAccountSid(s.AccountSID)
	return twilio.NewRestClientWithParams(twilio.ClientParams{Client: c}).Api
}

func create(rc *api.ApiService, to string) (*api.ApiV2010Message, error) {
	return rc.CreateMessage((&api.CreateMessageParams{}).SetTo(to).SetFrom(rep).SetBody("hi"))
}

func TestFaults(t *testing.T) {
	tests := []struct {
		name     string
		fault    twiliotest.Fault
		code     int // 0: not a Twilio JSON error
		status   int
		recorded bool
	}{
		{"429", twiliotest.TooManyRequests(), 20429, 429, false},
		{"429 from a proxy", twiliotest.ProxyTooManyRequests(), 0, 0, false},
		{"STOPped recipient", twiliotest.Unsubscribed(), 21610, 400, false},
		{"invalid To", twiliotest.InvalidTo(), 21211, 400, false},
		{"500, not created", twiliotest.InternalError(false), 20500, 500, false},
		{"500, created", twiliotest.InternalError(true), 20500, 500, true},
		{"bad credentials", twiliotest.BadCredentials(), 20003, 401, false},
		{"5xx without a code", twiliotest.Fault{Status: 503}, 20500, 503, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := twiliotest.Start(t)
			rc := restClient(s)
			s.FailNext(1, tt.fault)
			_, err := create(rc, customer)
			var rest *client.TwilioRestError
			switch {
			case err == nil:
				t.Fatal("create succeeded")
			case tt.code == 0 && errors.As(err, &rest):
				t.Fatalf("err = %v, want an error twilio-go could not decode", err)
			case tt.code != 0 && (!errors.As(err, &rest) || rest.Code != tt.code || rest.Status != tt.status):
				t.Fatalf("err = %v, want code %d status %d", err, tt.code, tt.status)
			}
			if got := len(s.Sent()); got != map[bool]int{true: 1, false: 0}[tt.recorded] {
				t.Errorf("recorded %d messages, want recorded=%v", got, tt.recorded)
			}
			if _, err := create(rc, customer); err != nil {
				t.Errorf("the fault outlived its one use: %v", err)
			}
		})
	}
}

func TestSlowAnswerRecordsFirst(t *testing.T) {
	s := twiliotest.Start(t)
	s.FailNext(1, twiliotest.Slow(time.Minute))
	c := &client.Client{Credentials: client.NewCredentials(s.AccountSID, s.AuthToken), HTTPClient: s.Client()}
	c.SetAccountSid(s.AccountSID)
	c.HTTPClient.Timeout = 50 * time.Millisecond
	rc := api.NewApiService(client.NewRequestHandler(c))
	if _, err := create(rc, customer); err == nil {
		t.Fatal("create did not time out")
	}
	if sent := s.Sent(); len(sent) != 1 || sent[0].Answered != http.StatusCreated {
		t.Errorf("sent = %+v, want the message recorded before the slow answer", sent)
	}
}

func TestScript(t *testing.T) {
	s := twiliotest.Start(t)
	landline := "+13125550177"
	s.Script(func(req twiliotest.CreateRequest) *twiliotest.Fault {
		if req.To == landline {
			f := twiliotest.Error(400, 21635, "'To' number cannot be a landline")
			return &f
		}
		return nil
	})
	rc := restClient(s)
	s.FailNext(1, twiliotest.TooManyRequests()) // the queue goes first
	var rest *client.TwilioRestError
	if _, err := create(rc, customer); !errors.As(err, &rest) || rest.Code != 20429 {
		t.Errorf("first create: %v, want the queued 20429", err)
	}
	if _, err := create(rc, landline); !errors.As(err, &rest) || rest.Code != 21635 {
		t.Errorf("landline: %v, want 21635", err)
	}
	if _, err := create(rc, customer); err != nil {
		t.Errorf("customer: %v", err)
	}
	s.Script(nil)
	if _, err := create(rc, landline); err != nil {
		t.Errorf("after Script(nil): %v", err)
	}
}
