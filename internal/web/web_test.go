package web

import (
	"context"
	"encoding/xml"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/inbox"
	"github.com/rapportapp/rapport/internal/testsrv/twiliotest"
)

// recordingInbox is a stand-in for the Inbox that remembers every call.
// Its answers are set per test.
type recordingInbox struct {
	mu           sync.Mutex
	sms          []inbox.SMS
	deliveries   [][3]string // sid, status, error code
	unsubscribed []string
	marketingOff []string

	answer string // what ReceiveSMS answers
}

func (r *recordingInbox) ReceiveSMS(_ context.Context, m inbox.SMS) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sms = append(r.sms, m)
	return r.answer, nil
}

func (r *recordingInbox) Delivery(_ context.Context, sid, status, code string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.deliveries = append(r.deliveries, [3]string{sid, status, code})
	return nil
}

func (r *recordingInbox) Unsubscribe(_ context.Context, uid string) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.unsubscribed = append(r.unsubscribed, uid)
	return true, nil
}

func (r *recordingInbox) StopMarketing(_ context.Context, uid string) (bool, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.marketingOff = append(r.marketingOff, uid)
	return true, nil
}

func (r *recordingInbox) calls() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.sms) + len(r.deliveries) + len(r.unsubscribed) + len(r.marketingOff)
}

// fixedTokens accepts exactly one token, for contact uid "u1".
type fixedTokens struct{}

func (fixedTokens) UID(token string) (string, bool) {
	if token == "u1.good" {
		return "u1", true
	}
	return "", false
}

const (
	testToken  = "0123456789abcdef0123456789abcdef"
	testPublic = "https://rapport.example.com"
)

func newTestServer(in Inbox) *Server {
	return &Server{
		Inbox: in, Tokens: fixedTokens{}, PublicURL: testPublic, AuthToken: testToken,
		RepName: "Amy Kline", Log: slog.New(slog.DiscardHandler),
	}
}

// postWebhook posts a form to the server's handler with sig as its
// X-Twilio-Signature ("" sends none).
func postWebhook(t *testing.T, s *Server, path string, form url.Values, sig string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if sig != "" {
		req.Header.Set("X-Twilio-Signature", sig)
	}
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	return rec
}

func signFor(path string, form url.Values) string {
	return twiliotest.Signature(testToken, testPublic+path, form)
}

// TestTwilioDocumentedSignature pins the validation path to the example
// in Twilio's security documentation, by every one of its parameters:
// the public URL the server is configured with plus the request URI (with
// its query string) is what gets signed, never the Host header.
func TestTwilioDocumentedSignature(t *testing.T) {
	params := url.Values{
		"CallSid": {"CA1234567890ABCDE"}, "Caller": {"+12349013030"}, "Digits": {"1234"},
		"From": {"+12349013030"}, "To": {"+18005551212"},
	}
	const good = "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
	tests := []struct {
		name      string
		publicURL string
		uri       string
		sig       string
		change    func(url.Values)
		want      bool
	}{
		{name: "documented vector", publicURL: "https://mycompany.com", uri: "/myapp.php?foo=1&bar=2", sig: good, want: true},
		{name: "trailing slash on public_url", publicURL: "https://mycompany.com/", uri: "/myapp.php?foo=1&bar=2", sig: good, want: true},
		{name: "query string changed", publicURL: "https://mycompany.com", uri: "/myapp.php?foo=2&bar=2", sig: good},
		{name: "other public URL", publicURL: "https://evil.example", uri: "/myapp.php?foo=1&bar=2", sig: good},
		{name: "parameter changed", publicURL: "https://mycompany.com", uri: "/myapp.php?foo=1&bar=2", sig: good,
			change: func(v url.Values) { v.Set("Digits", "9999") }},
		{name: "parameter added", publicURL: "https://mycompany.com", uri: "/myapp.php?foo=1&bar=2", sig: good,
			change: func(v url.Values) { v.Set("Body", "hi") }},
		{name: "signature missing", publicURL: "https://mycompany.com", uri: "/myapp.php?foo=1&bar=2"},
		{name: "signature garbage", publicURL: "https://mycompany.com", uri: "/myapp.php?foo=1&bar=2", sig: "bm90IGEgc2lnbmF0dXJl"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{}
			for k, v := range params {
				form[k] = append([]string(nil), v...)
			}
			if tt.change != nil {
				tt.change(form)
			}
			s := &Server{PublicURL: tt.publicURL, AuthToken: "12345", Log: slog.New(slog.DiscardHandler)}
			req := httptest.NewRequest(http.MethodPost, tt.uri, strings.NewReader(form.Encode()))
			req.Host = "internal-proxy:8080" // must not matter
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.sig != "" {
				req.Header.Set("X-Twilio-Signature", tt.sig)
			}
			called := false
			rec := httptest.NewRecorder()
			s.twilio(func(w http.ResponseWriter, r *http.Request) { called = true })(rec, req)
			if called != tt.want {
				t.Errorf("handler called = %v, want %v (status %d)", called, tt.want, rec.Code)
			}
			if !tt.want && rec.Code != http.StatusForbidden {
				t.Errorf("status = %d, want 403", rec.Code)
			}
		})
	}
	// The test server's signer must agree with Twilio's example too, or
	// every other webhook test here proves nothing.
	if got := twiliotest.Signature("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", params); got != good {
		t.Errorf("twiliotest.Signature = %q, want %q", got, good)
	}
}

func inboundForm(body string) url.Values {
	return url.Values{
		"MessageSid": {"SM0123456789abcdef0123456789abcdef"}, "AccountSid": {"AC0123456789abcdef0123456789abcdef"},
		"From": {"+13125550142"}, "To": {"+13125550100"}, "Body": {body}, "NumMedia": {"0"},
	}
}

func TestWebhooksRefuseUnsigned(t *testing.T) {
	form := inboundForm("hello")
	good := signFor("/twilio/sms", form)
	tests := []struct {
		name, path, sig string
		server          func(*Server)
	}{
		{name: "no signature", path: "/twilio/sms"},
		{name: "wrong signature", path: "/twilio/sms", sig: "AAAAAAAAAAAAAAAAAAAAAAAAAAA="},
		{name: "signature for another path", path: "/twilio/status", sig: good},
		{name: "signed with another token", path: "/twilio/sms", sig: twiliotest.Signature("ffff", testPublic+"/twilio/sms", form)},
		{name: "no auth token configured", path: "/twilio/sms", sig: good, server: func(s *Server) { s.AuthToken = "" }},
		{name: "public URL differs", path: "/twilio/sms", sig: good, server: func(s *Server) { s.PublicURL = "https://other.example.com" }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &recordingInbox{}
			s := newTestServer(in)
			if tt.server != nil {
				tt.server(s)
			}
			rec := postWebhook(t, s, tt.path, form, tt.sig)
			if rec.Code != http.StatusForbidden {
				t.Errorf("status = %d, want 403", rec.Code)
			}
			if n := in.calls(); n != 0 {
				t.Errorf("inbox called %d times, want 0", n)
			}
		})
	}
}

func TestWebhookBodyLimit(t *testing.T) {
	in := &recordingInbox{}
	s := newTestServer(in)
	big := inboundForm(strings.Repeat("x", MaxBody))
	t.Run("declared length", func(t *testing.T) {
		rec := postWebhook(t, s, "/twilio/sms", big, signFor("/twilio/sms", big))
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("status = %d, want 413", rec.Code)
		}
	})
	t.Run("chunked", func(t *testing.T) {
		// No Content-Length (MultiReader hides it from NewRequest): the
		// limit must hold while the body is read.
		req := httptest.NewRequest(http.MethodPost, "/twilio/sms", io.MultiReader(strings.NewReader(big.Encode())))
		req.ContentLength = -1
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", signFor("/twilio/sms", big))
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("status = %d, want 413", rec.Code)
		}
	})
	t.Run("just under the limit is read", func(t *testing.T) {
		form := inboundForm("")
		form.Set("Body", strings.Repeat("y", MaxBody-len(form.Encode())-10))
		rec := postWebhook(t, s, "/twilio/sms", form, signFor("/twilio/sms", form))
		if rec.Code != http.StatusOK {
			t.Errorf("status = %d, want 200", rec.Code)
		}
	})
	if len(in.sms) != 1 {
		t.Errorf("inbox got %d texts, want only the one under the limit", len(in.sms))
	}
}

// twimlResponse is Twilio's TwiML answer to an inbound text.
type twimlResponse struct {
	XMLName  xml.Name `xml:"Response"`
	Messages []string `xml:"Message"`
}

func TestInboundSMSAnswersTwiML(t *testing.T) {
	tests := []struct {
		name, answer string
		want         []string
	}{
		{name: "nothing to say", answer: "", want: nil},
		{name: "help text", answer: "Amy Kline here — call (312) 555-0100", want: []string{"Amy Kline here — call (312) 555-0100"}},
		{name: "markup is escaped", answer: `Tom & Jerry <b>"hi"</b>`, want: []string{`Tom & Jerry <b>"hi"</b>`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &recordingInbox{answer: tt.answer}
			s := newTestServer(in)
			form := inboundForm("HELP")
			rec := postWebhook(t, s, "/twilio/sms", form, signFor("/twilio/sms", form))
			if rec.Code != http.StatusOK {
				t.Fatalf("status = %d, want 200: %s", rec.Code, rec.Body)
			}
			if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/xml") {
				t.Errorf("Content-Type = %q, want text/xml", ct)
			}
			body := rec.Body.String()
			if tt.answer == "" && !strings.HasSuffix(body, "<Response/>") {
				t.Errorf("body = %q, want an empty <Response/>", body)
			}
			var got twimlResponse
			if err := xml.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatalf("answer is not XML: %v\n%s", err, body)
			}
			if strings.Join(got.Messages, "|") != strings.Join(tt.want, "|") {
				t.Errorf("messages = %q, want %q", got.Messages, tt.want)
			}
			want := inbox.SMS{MessageSID: form.Get("MessageSid"), From: "+13125550142", To: "+13125550100", Body: "HELP"}
			if len(in.sms) != 1 || in.sms[0] != want {
				t.Errorf("inbox got %+v, want [%+v]", in.sms, want)
			}
		})
	}
}

func TestStatusCallback(t *testing.T) {
	in := &recordingInbox{}
	s := newTestServer(in)
	form := url.Values{
		"MessageSid": {"SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}, "MessageStatus": {"undelivered"},
		"ErrorCode": {"30003"}, "To": {"+13125550142"}, "From": {"+13125550100"},
	}
	rec := postWebhook(t, s, "/twilio/status", form, signFor("/twilio/status", form))
	if rec.Code != http.StatusNoContent {
		t.Fatalf("status = %d, want 204", rec.Code)
	}
	want := [3]string{"SMaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "undelivered", "30003"}
	if len(in.deliveries) != 1 || in.deliveries[0] != want {
		t.Errorf("deliveries = %v, want [%v]", in.deliveries, want)
	}
}

func TestUnsubscribeEndpoints(t *testing.T) {
	tests := []struct {
		name, method, token, body string
		wantUID, wantMarketing    []string
		wantText                  string
	}{
		{name: "GET shows the button and changes nothing", method: http.MethodGet, token: "u1.good", wantText: `name="List-Unsubscribe" value="One-Click"`},
		{name: "GET offers stopping tips and news only", method: http.MethodGet, token: "u1.good", wantText: `name="stop" value="marketing"><button type="submit">Stop tips and news`},
		{name: "stop tips and news", method: http.MethodPost, token: "u1.good", body: "stop=marketing", wantMarketing: []string{"u1"}, wantText: "No more tips and news</h1>"},
		{name: "stop tips and news, forged token", method: http.MethodPost, token: "u1.forged", body: "stop=marketing", wantText: "No more tips and news</h1>"},
		{name: "one-click wins over a stray field", method: http.MethodPost, token: "u1.good", body: "List-Unsubscribe=One-Click&stop=marketing", wantUID: []string{"u1"}, wantText: "re unsubscribed</h1>"},
		{name: "one-click POST", method: http.MethodPost, token: "u1.good", body: "List-Unsubscribe=One-Click", wantUID: []string{"u1"}, wantText: "re unsubscribed</h1>"},
		{name: "forged token gets the same page", method: http.MethodPost, token: "u1.forged", body: "List-Unsubscribe=One-Click", wantText: "re unsubscribed</h1>"},
		{name: "GET with a forged token", method: http.MethodGet, token: "u2.bad", wantText: "Unsubscribe"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &recordingInbox{}
			s := newTestServer(in)
			req := httptest.NewRequest(tt.method, "/unsubscribe/"+tt.token, strings.NewReader(tt.body))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, req)
			if rec.Code != http.StatusOK {
				t.Errorf("status = %d, want 200", rec.Code)
			}
			if loc := rec.Header().Get("Location"); loc != "" {
				t.Errorf("redirects to %q; RFC 8058 clients do not follow redirects", loc)
			}
			if !strings.Contains(rec.Body.String(), tt.wantText) {
				t.Errorf("page lacks %q:\n%s", tt.wantText, rec.Body)
			}
			if strings.Join(in.unsubscribed, ",") != strings.Join(tt.wantUID, ",") {
				t.Errorf("unsubscribed %q, want %q", in.unsubscribed, tt.wantUID)
			}
			if strings.Join(in.marketingOff, ",") != strings.Join(tt.wantMarketing, ",") {
				t.Errorf("stopped marketing for %q, want %q", in.marketingOff, tt.wantMarketing)
			}
		})
	}
}

// TestForgedTokenLearnsNothing: a forged or altered token gets, byte for
// byte, the answer a genuine one gets.
func TestForgedTokenLearnsNothing(t *testing.T) {
	answer := func(token string) (int, string) {
		s := newTestServer(&recordingInbox{})
		req := httptest.NewRequest(http.MethodPost, "/unsubscribe/"+token, strings.NewReader("List-Unsubscribe=One-Click"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	code, want := answer("u1.good")
	for _, token := range []string{"u1.goad", "u2.good", "u1", "u1.good.extra", "%2e%2e"} {
		if c, got := answer(token); c != code || got != want {
			t.Errorf("token %q: answer %d differs from a genuine token's %d:\n%s", token, c, code, got)
		}
	}
}

func TestHealth(t *testing.T) {
	tests := []struct {
		name  string
		ready func(context.Context) error
		want  int
	}{
		{name: "database answers", ready: func(context.Context) error { return nil }, want: http.StatusOK},
		{name: "database down", ready: func(context.Context) error { return io.ErrUnexpectedEOF }, want: http.StatusServiceUnavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTestServer(&recordingInbox{})
			s.Ready = tt.ready
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/healthz", nil))
			if rec.Code != tt.want {
				t.Errorf("status = %d, want %d", rec.Code, tt.want)
			}
		})
	}
}

// TestShutdownBeforeServe: a SIGTERM can arrive before the server's
// goroutine has started serving; Serve must then return at once, not
// serve forever with the daemon waiting for it.
func TestShutdownBeforeServe(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{}
	if err := s.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- s.Serve(l) }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve after Shutdown = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		l.Close()
		t.Fatal("Serve kept serving after Shutdown")
	}
}

// The bare address goes to the dashboard when there is one; without one
// it is not found, and other paths are left alone.
func TestRootGoesToTheDashboard(t *testing.T) {
	s := newTestServer(&recordingInbox{})
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec
	}
	if rec := get("/"); rec.Code != http.StatusNotFound {
		t.Errorf("/ without a dashboard: %d, want 404", rec.Code)
	}
	s.Dashboard = http.NotFoundHandler()
	if rec := get("/"); rec.Code != http.StatusFound || rec.Header().Get("Location") != "/dashboard/" {
		t.Errorf("/: %d to %q, want 302 to /dashboard/", rec.Code, rec.Header().Get("Location"))
	}
	if rec := get("/elsewhere"); rec.Code != http.StatusNotFound {
		t.Errorf("/elsewhere: %d, want 404", rec.Code)
	}
}
