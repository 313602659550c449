package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/rapportapp/rapport/internal/inbox"
	"github.com/rapportapp/rapport/internal/testsrv/twiliotest"
)

// fuzzInbox accepts everything and records nothing.
type fuzzInbox struct{}

func (fuzzInbox) ReceiveSMS(_ context.Context, m inbox.SMS) (string, error) {
	if strings.EqualFold(strings.TrimSpace(m.Body), "help") {
		return "Amy <here> & there", nil // escaped into TwiML
	}
	return "", nil
}
func (fuzzInbox) Delivery(context.Context, string, string, string) error { return nil }
func (fuzzInbox) Unsubscribe(context.Context, string) (bool, error)      { return true, nil }
func (fuzzInbox) StopMarketing(context.Context, string) (bool, error)    { return true, nil }

// FuzzInboundSMS throws arbitrary form bodies at the inbound-text webhook,
// signed as Twilio would sign them and unsigned: it must never panic, must
// answer 2xx only to a valid signature, and must answer well-formed TwiML.
func FuzzInboundSMS(f *testing.F) {
	f.Add("MessageSid=SM1&From=%2B13125550142&To=%2B13125550100&Body=STOP", true)
	f.Add("Body=help&From=+1", true)
	f.Add("Body=%ZZ&&==&", true)
	f.Add(strings.Repeat("a=b&", 100), false)
	f.Add("Body="+strings.Repeat("é", 300), true)
	const token, public = "fuzztoken", "https://rapport.example.com"
	s := &Server{Inbox: fuzzInbox{}, PublicURL: public, AuthToken: token, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	h := s.Handler()
	f.Fuzz(func(t *testing.T, body string, sign bool) {
		req := httptest.NewRequest(http.MethodPost, "/twilio/sms", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		form, formErr := url.ParseQuery(body)
		if sign && formErr == nil {
			req.Header.Set("X-Twilio-Signature", twiliotest.Signature(token, public+"/twilio/sms", form))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch {
		case rec.Code == http.StatusOK:
			if !sign || formErr != nil {
				t.Fatalf("accepted an unsigned or malformed request: %q", body)
			}
			if !strings.HasPrefix(rec.Body.String(), `<?xml version="1.0" encoding="UTF-8"?><Response`) {
				t.Fatalf("answer is not TwiML: %q", rec.Body.String())
			}
		case rec.Code >= 500:
			t.Fatalf("server error %d for %q", rec.Code, body)
		}
	})
}
