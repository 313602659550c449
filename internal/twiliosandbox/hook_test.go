package twiliosandbox_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/rapportapp/rapport/internal/twiliosandbox"
)

func create(rc *api.ApiService, to string) (*api.ApiV2010Message, error) {
	return rc.CreateMessage((&api.CreateMessageParams{}).SetTo(to).SetFrom(rep).SetBody("hi"))
}

// The hook sees each create request before validation, may answer it with
// the server's own pieces, and leaves the rest to the server.
func TestOnCreateAnswersInTheServersPlace(t *testing.T) {
	s := twiliosandbox.New(twiliosandbox.NewAccountSID(), twiliosandbox.NewAuthToken())
	var seen []string
	s.OnCreate = func(w http.ResponseWriter, r *http.Request, req twiliosandbox.CreateRequest) bool {
		seen = append(seen, req.To)
		switch req.To {
		case "+13125550111": // created, but the answer says otherwise
			s.Create(req, http.StatusBadGateway)
			twiliosandbox.WriteError(w, http.StatusBadGateway, twiliosandbox.CodeInternal, "Bad Gateway")
			return true
		case "not a number": // answered 201 where the server would refuse
			s.WriteMessage(w, http.StatusCreated, s.Create(req, http.StatusCreated))
			return true
		}
		return false
	}
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	rc := restClient(s)

	var rest *client.TwilioRestError
	if _, err := create(rc, "+13125550111"); !errors.As(err, &rest) || rest.Code != twiliosandbox.CodeInternal || rest.Status != http.StatusBadGateway {
		t.Errorf("hooked error: err = %v, want 20500 with status 502", err)
	}
	if m, err := create(rc, "not a number"); err != nil || m.Sid == nil {
		t.Errorf("hooked success: %v, %v; want the message", m, err)
	}
	if _, err := create(rc, "12"); !errors.As(err, &rest) || rest.Code != twiliosandbox.CodeInvalidTo {
		t.Errorf("not hooked: err = %v, want the server's own 21211", err)
	}
	if len(seen) != 3 {
		t.Errorf("hook saw %v, want all three requests", seen)
	}
	sent := s.Sent()
	if len(sent) != 2 || sent[0].Answered != http.StatusBadGateway || sent[1].Answered != http.StatusCreated {
		t.Errorf("sent = %+v, want the two hooked messages with their answers", sent)
	}
}
