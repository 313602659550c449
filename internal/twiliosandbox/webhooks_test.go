package twiliosandbox_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/twilio/twilio-go/client"

	"github.com/rapportapp/rapport/internal/twiliosandbox"
)

func TestSignatureMatchesTwiliosVector(t *testing.T) {
	const target = "https://mycompany.com/myapp.php?foo=1&bar=2"
	tests := []struct {
		caller, want string
	}{
		{"+12349013030", "0/KCTR6DLpKmkAf8muzZqo1nDgQ="},
		{"+14158675310", "GvWf1cFY/Q7PnoempGyD5oXAezc="},
	}
	for _, tt := range tests {
		params := url.Values{
			"CallSid": {"CA1234567890ABCDE"}, "Caller": {tt.caller}, "Digits": {"1234"},
			"From": {tt.caller}, "To": {"+18005551212"},
		}
		s := twiliosandbox.New(twiliosandbox.NewAccountSID(), "12345")
		if got := s.SignedForm(target, params); got != tt.want {
			t.Errorf("SignedForm(caller %s) = %s, want %s", tt.caller, got, tt.want)
		}
		v := client.NewRequestValidator("12345")
		if !v.ValidateBody(target, []byte(params.Encode()), tt.want) {
			t.Errorf("twilio-go's validator rejects the vector for caller %s", tt.caller)
		}
	}
}

// webhook is a real HTTP server on loopback that checks Twilio's signature
// with twilio-go's validator and hands over each form it accepts.
func webhook(t *testing.T, token string) (string, <-chan url.Values) {
	t.Helper()
	forms := make(chan url.Values, 10)
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		v := client.NewRequestValidator(token)
		if !v.Validate(srv.URL+r.URL.RequestURI(), flat(r.PostForm), r.Header.Get("X-Twilio-Signature")) {
			http.Error(w, "bad signature", http.StatusForbidden)
			return
		}
		forms <- r.PostForm
	}))
	t.Cleanup(srv.Close)
	return srv.URL, forms
}

func flat(v url.Values) map[string]string {
	m := make(map[string]string, len(v))
	for k := range v {
		m[k] = v.Get(k)
	}
	return m
}

func TestDeliverPostsSignedStatusCallback(t *testing.T) {
	s := start(t)
	hook, forms := webhook(t, s.AuthToken)
	form := textForm()
	form.Set("StatusCallback", hook+"/twilio/status?x=1")
	status, body := call(t, "POST", messagesURL(s, s.AccountSID), form, s.AccountSID, s.AuthToken)
	if status != 201 {
		t.Fatalf("create: %d %v", status, body)
	}
	sid := body["sid"].(string)
	if err := s.Deliver(context.Background(), sid, "undelivered", 30003); err != nil {
		t.Fatal(err)
	}
	got := <-forms
	want := map[string]string{"MessageSid": sid, "MessageStatus": "undelivered", "ErrorCode": "30003", "To": customer, "From": rep, "AccountSid": s.AccountSID}
	for k, v := range want {
		if got.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, got.Get(k), v)
		}
	}
	if m, _ := s.Message(sid); m.Status != "undelivered" || m.ErrorCode != 30003 {
		t.Errorf("stored status %s/%d", m.Status, m.ErrorCode)
	}
	if err := s.Deliver(context.Background(), "SMnope", "sent", 0); err == nil {
		t.Error("Deliver of an unknown SID succeeded")
	}
}

func TestDeliverReportsRejectedCallback(t *testing.T) {
	s := start(t)
	hook, _ := webhook(t, "another-token") // will answer 403
	form := textForm()
	form.Set("StatusCallback", hook+"/twilio/status")
	_, body := call(t, "POST", messagesURL(s, s.AccountSID), form, s.AccountSID, s.AuthToken)
	err := s.Deliver(context.Background(), body["sid"].(string), "delivered", 0)
	if err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("err = %v, want the 403 reported", err)
	}
}

func TestInboundStopBlocksLaterSends(t *testing.T) {
	s := start(t)
	hook, forms := webhook(t, s.AuthToken)
	rc := restClient(s)
	inbound := func(body, wantType string) {
		t.Helper()
		status, err := s.SendInbound(context.Background(), hook+"/twilio/sms", twiliosandbox.InboundSMS{From: customer, To: rep, Body: body})
		if err != nil || status != 200 {
			t.Fatalf("SendInbound(%q) = %d, %v", body, status, err)
		}
		f := <-forms
		if f.Get("Body") != body || f.Get("From") != customer || f.Get("OptOutType") != wantType ||
			!strings.HasPrefix(f.Get("MessageSid"), "SM") || f.Get("AccountSid") != s.AccountSID {
			t.Errorf("webhook form = %v", f)
		}
	}
	inbound("Arrived, thanks!", "")
	inbound(" stop ", "STOP")
	var rest *client.TwilioRestError
	if _, err := create(rc, customer); !errors.As(err, &rest) || rest.Code != 21610 {
		t.Errorf("send after STOP: %v, want 21610", err)
	}
	inbound("START", "START")
	if _, err := create(rc, customer); err != nil {
		t.Errorf("send after START: %v", err)
	}
	if n := len(s.Received()); n != 3 {
		t.Errorf("received %d, want 3", n)
	}
}

func TestSegments(t *testing.T) {
	tests := []struct {
		body string
		want int
	}{
		{"", 1},
		{strings.Repeat("a", 160), 1},
		{strings.Repeat("a", 161), 2},
		{strings.Repeat("a", 306), 2},
		{strings.Repeat("a", 307), 3},
		{strings.Repeat("€", 80), 1},       // 160 septets: escape + character
		{strings.Repeat("a", 70) + "👍", 2}, // UCS-2: 72 code units
		{strings.Repeat("é", 160), 1},      // é is in GSM-7
		{strings.Repeat("ê", 70), 1},       // ê is not
	}
	for _, tt := range tests {
		if got := twiliosandbox.Segments(tt.body); got != tt.want {
			t.Errorf("Segments(%.20q… %d runes) = %d, want %d", tt.body, len([]rune(tt.body)), got, tt.want)
		}
	}
}
