package sms_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/channel/sms"
	"github.com/rapportapp/rapport/internal/clock"
	"github.com/rapportapp/rapport/internal/testsrv/twiliotest"
)

const (
	repNumber  = "+13125550100"
	serviceSID = "MG0123456789abcdef0123456789abcdef"
	callback   = "https://rapport.example.com/twilio/status"
)

// config is a TwilioConfig for s, fast enough not to slow the tests.
func config(s *twiliotest.Server) sms.TwilioConfig {
	return sms.TwilioConfig{
		AccountSID: s.AccountSID, AuthToken: s.AuthToken, From: repNumber,
		APIBaseURL: s.URL, StatusCallback: callback, Rate: 1000, Timeout: 5 * time.Second,
	}
}

func newTwilio(t *testing.T, cfg sms.TwilioConfig) *sms.Twilio {
	t.Helper()
	tw, err := sms.NewTwilio(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tw
}

// startAt starts a test server whose clock is c.
func startAt(t *testing.T, c clock.Clock) *twiliotest.Server {
	t.Helper()
	s := twiliotest.New(twiliotest.NewAccountSID(), twiliotest.NewAuthToken())
	s.Clock = c
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatalf("start Twilio test server: %v", err)
	}
	t.Cleanup(s.Close)
	return s
}

func TestSendArrivesWithParamsAndAuth(t *testing.T) {
	s := twiliotest.Start(t)
	sid, err := newTwilio(t, config(s)).Send(context.Background(), text())
	if err != nil {
		t.Fatal(err)
	}
	sent := s.Sent()
	if len(sent) != 1 || sent[0].SID != sid {
		t.Fatalf("sent = %+v, want one message with SID %s", sent, sid)
	}
	req := s.Requests()[0]
	if req.User != s.AccountSID || req.Path != "/2010-04-01/Accounts/"+s.AccountSID+"/Messages.json" {
		t.Errorf("request by %q to %s", req.User, req.Path)
	}
	want := map[string]string{"To": text().To, "From": repNumber, "Body": text().Text, "StatusCallback": callback}
	for k, v := range want {
		if got := req.Form.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if req.Form.Has("MessagingServiceSid") {
		t.Error("MessagingServiceSid sent without being configured")
	}
}

func TestSendThroughMessagingService(t *testing.T) {
	s := twiliotest.Start(t)
	cfg := config(s)
	cfg.From, cfg.MessagingServiceSID, cfg.StatusCallback = "", serviceSID, ""
	if _, err := newTwilio(t, cfg).Send(context.Background(), text()); err != nil {
		t.Fatal(err)
	}
	form := s.Requests()[0].Form
	if form.Get("MessagingServiceSid") != serviceSID || form.Has("From") || form.Has("StatusCallback") {
		t.Errorf("form = %v, want MessagingServiceSid only", form)
	}
}

func TestSendThroughBaseURLWithPath(t *testing.T) {
	s := twiliotest.New(twiliotest.NewAccountSID(), twiliotest.NewAuthToken())
	proxy := httptest.NewServer(http.StripPrefix("/sandbox", s.Handler()))
	t.Cleanup(proxy.Close)
	cfg := config(s)
	cfg.APIBaseURL = proxy.URL + "/sandbox/"
	if _, err := newTwilio(t, cfg).Send(context.Background(), text()); err != nil {
		t.Fatal(err)
	}
	if len(s.Sent()) != 1 {
		t.Error("message did not arrive")
	}
}

func TestSendClassifiesScriptedFailures(t *testing.T) {
	tests := []struct {
		name     string
		fault    twiliotest.Fault
		class    channel.Class
		code     string
		retryMin time.Duration
	}{
		{"429", twiliotest.TooManyRequests(), channel.Temporary, "20429", time.Minute},
		{"429 page from a proxy", twiliotest.ProxyTooManyRequests(), channel.Temporary, "", time.Minute},
		{"502 page from a proxy", twiliotest.Fault{Status: 502, HTML: true}, channel.Temporary, "", 0},
		{"500, not created", twiliotest.InternalError(false), channel.Temporary, "20500", 0},
		{"500, created", twiliotest.InternalError(true), channel.Temporary, "20500", 0},
		{"503 without a code", twiliotest.Fault{Status: 503}, channel.Temporary, "20500", 0},
		{"sender queue full", twiliotest.Error(400, 21611, "This 'From' number has exceeded the maximum number of queued messages"), channel.Temporary, "21611", time.Hour},
		{"STOPped", twiliotest.Unsubscribed(), channel.OptedOut, "21610", 0},
		{"invalid To", twiliotest.InvalidTo(), channel.InvalidAddress, "21211", 0},
		{"unreachable", twiliotest.Error(400, 21612, "The 'To' phone number is not currently reachable via SMS"), channel.InvalidAddress, "21612", 0},
		{"not mobile", twiliotest.Error(400, 21614, "'To' number is not a valid mobile number"), channel.InvalidAddress, "21614", 0},
		{"landline", twiliotest.Error(400, 21635, "'To' number cannot be a landline"), channel.InvalidAddress, "21635", 0},
		{"no body", twiliotest.Error(400, 21602, "Message body is required."), channel.Permanent, "21602", 0},
		{"body too long", twiliotest.Error(400, 21617, "The concatenated message body exceeds the 1600 character limit."), channel.Permanent, "21617", 0},
		{"bad credentials", twiliotest.BadCredentials(), channel.Misconfigured, "20003", 0},
		{"country not allowed", twiliotest.Error(400, 21408, "Permission to send an SMS has not been enabled for the region indicated by the 'To' number"), channel.Misconfigured, "21408", 0},
		{"From not ours", twiliotest.Error(400, 21606, "The 'From' phone number provided is not a valid message-capable Twilio phone number for this destination."), channel.Misconfigured, "21606", 0},
		{"401 without a code", twiliotest.Fault{Status: 401}, channel.Misconfigured, "401", 0},
		{"unknown code", twiliotest.Error(400, 21999, "Something new"), channel.Permanent, "21999", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := twiliotest.Start(t)
			s.FailNext(1, tt.fault)
			_, err := newTwilio(t, config(s)).Send(context.Background(), text())
			ce := classified(t, err)
			if ce.Class != tt.class || ce.Code != tt.code {
				t.Errorf("got %s %q, want %s %q (err: %v)", ce.Class, ce.Code, tt.class, tt.code, err)
			}
			if ce.RetryAfter < tt.retryMin {
				t.Errorf("RetryAfter = %v, want at least %v", ce.RetryAfter, tt.retryMin)
			}
			if tt.fault.Msg != "" && !strings.HasPrefix(ce.Msg, tt.fault.Msg) {
				t.Errorf("Msg = %q, want Twilio's %q first", ce.Msg, tt.fault.Msg)
			}
		})
	}
}

func classified(t *testing.T, err error) *channel.Error {
	t.Helper()
	var ce *channel.Error
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v (%T), want a *channel.Error", err, err)
	}
	return ce
}

func TestSendClassifiesServerRejections(t *testing.T) {
	s := twiliotest.Start(t)
	hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(hook.Close)
	stop := twiliotest.InboundSMS{From: "+13125550188", To: repNumber, Body: "STOP"}
	if _, err := s.SendInbound(context.Background(), hook.URL+"/twilio/sms", stop); err != nil {
		t.Fatal(err)
	}
	wrongToken := config(s)
	wrongToken.AuthToken = "0123456789abcdef0123456789abcdef"
	tests := []struct {
		name  string
		cfg   sms.TwilioConfig
		to    string
		class channel.Class
		code  string
		hint  string
	}{
		{"wrong auth token", wrongToken, text().To, channel.Misconfigured, "20003", "auth_token"},
		{"To not E.164", config(s), "3125550123", channel.InvalidAddress, "21211", ""},
		{"recipient texted STOP", config(s), "+13125550188", channel.OptedOut, "21610", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := text()
			m.To = tt.to
			_, err := newTwilio(t, tt.cfg).Send(context.Background(), m)
			ce := classified(t, err)
			if ce.Class != tt.class || ce.Code != tt.code || !strings.Contains(ce.Msg, tt.hint) {
				t.Errorf("got %s %q %q, want %s %q mentioning %q", ce.Class, ce.Code, ce.Msg, tt.class, tt.code, tt.hint)
			}
		})
	}
}

func TestSendNetworkErrorIsTemporary(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now
	cfg := config(twiliotest.New(twiliotest.NewAccountSID(), twiliotest.NewAuthToken()))
	cfg.APIBaseURL = "http://" + addr
	_, err = newTwilio(t, cfg).Send(context.Background(), text())
	if ce := classified(t, err); ce.Class != channel.Temporary {
		t.Errorf("class = %s, want temporary (err: %v)", ce.Class, err)
	}
	var netErr net.Error
	if !errors.As(err, &netErr) {
		t.Errorf("err = %v, want the network error kept inside", err)
	}
}

func TestTimeoutIsTemporaryAndVerifyFindsTheText(t *testing.T) {
	s := twiliotest.Start(t)
	s.FailNext(1, twiliotest.Slow(time.Minute)) // created, answer never comes in time
	cfg := config(s)
	cfg.Timeout = 100 * time.Millisecond
	tw := newTwilio(t, cfg)
	m := text()
	m.ClaimedAt = time.Now().Add(-time.Second)
	_, err := tw.Send(context.Background(), m)
	if ce := classified(t, err); ce.Class != channel.Temporary {
		t.Fatalf("class = %s, want temporary (err: %v)", ce.Class, err)
	}
	sid, sent, err := tw.Verify(context.Background(), m)
	if err != nil || !sent || sid != s.Sent()[0].SID {
		t.Errorf("Verify = %q, %v, %v; want the created message", sid, sent, err)
	}
}

func TestRateLimitSpacesSends(t *testing.T) {
	s := twiliotest.Start(t)
	cfg := config(s)
	cfg.Rate = 20 // one every 50 ms
	tw := newTwilio(t, cfg)
	const interval = 50 * time.Millisecond
	start := time.Now()
	for range 5 {
		if _, err := tw.Send(context.Background(), text()); err != nil {
			t.Fatal(err)
		}
	}
	// The k-th send cannot reach the server before k intervals have passed;
	// how much later it arrives depends on the machine, so no upper bound.
	for k, req := range s.Requests() {
		if least := time.Duration(k)*interval - 5*time.Millisecond; req.At.Sub(start) < least {
			t.Errorf("send %d arrived %v after the start, want at least %v", k, req.At.Sub(start), least)
		}
	}
}

func TestSendGivesUpWaitingWhenCancelled(t *testing.T) {
	s := twiliotest.Start(t)
	cfg := config(s)
	cfg.Rate = 0.001
	tw := newTwilio(t, cfg)
	if _, err := tw.Send(context.Background(), text()); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := tw.Send(ctx, text()); err == nil {
		t.Fatal("second send did not wait its turn")
	}
	if n := len(s.Sent()); n != 1 {
		t.Errorf("%d messages sent, want 1", n)
	}
}

func TestVerify(t *testing.T) {
	claim := time.Date(2026, 3, 9, 23, 59, 30, 0, time.UTC)
	tests := []struct {
		name      string
		fault     twiliotest.Fault
		sendAt    time.Time // server clock when the text reaches it
		claimedAt time.Time
		text      string // "" = the same text
		want      bool
	}{
		{"recorded, answered 500", twiliotest.InternalError(true), claim.Add(time.Second), claim, "", true},
		{"created after midnight, claimed before", twiliotest.InternalError(true), claim.Add(time.Minute), claim, "", true},
		{"Twilio's clock a little behind", twiliotest.InternalError(true), claim.Add(-30 * time.Second), claim, "", true},
		{"never arrived", twiliotest.InternalError(false), claim.Add(time.Second), claim, "", false},
		{"another text to the same number", twiliotest.InternalError(true), claim.Add(time.Second), claim, "Something else", false},
		{"same text, sent earlier that day", twiliotest.InternalError(true), claim.Add(-2 * time.Hour), claim, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startAt(t, clock.NewManual(tt.sendAt))
			tw := newTwilio(t, config(s))
			m := text()
			if tt.text != "" {
				m.Text = tt.text
			}
			s.FailNext(1, tt.fault)
			if _, err := tw.Send(context.Background(), m); err == nil {
				t.Fatal("send did not fail")
			}
			v := text()
			v.ClaimedAt = tt.claimedAt
			sid, sent, err := tw.Verify(context.Background(), v)
			if err != nil {
				t.Fatal(err)
			}
			if sent != tt.want || (sent && sid != s.Sent()[0].SID) {
				t.Errorf("Verify = %q, %v; want sent=%v", sid, sent, tt.want)
			}
		})
	}
}

func TestVerifyFailureIsClassified(t *testing.T) {
	s := twiliotest.Start(t)
	cfg := config(s)
	cfg.AuthToken = "0123456789abcdef0123456789abcdef"
	_, _, err := newTwilio(t, cfg).Verify(context.Background(), text())
	if ce := classified(t, err); ce.Class != channel.Misconfigured {
		t.Errorf("class = %s, want misconfigured", ce.Class)
	}
}

func TestNewTwilioChecksSettings(t *testing.T) {
	good := sms.TwilioConfig{AccountSID: "AC0123456789abcdef0123456789abcdef", AuthToken: "0123456789abcdef0123456789abcdef", From: repNumber}
	tests := []struct {
		name   string
		change func(*sms.TwilioConfig)
		want   string // in the error; "" = no error
	}{
		{"good", func(*sms.TwilioConfig) {}, ""},
		{"service only", func(c *sms.TwilioConfig) { c.From, c.MessagingServiceSID = "", serviceSID }, ""},
		{"SID", func(c *sms.TwilioConfig) { c.AccountSID = "SK123" }, "account_sid"},
		{"empty token", func(c *sms.TwilioConfig) { c.AuthToken = "" }, "auth_token"},
		{"token with a dash", func(c *sms.TwilioConfig) { c.AuthToken = "abc-def" }, "auth_token"},
		{"no sender", func(c *sms.TwilioConfig) { c.From = "" }, "messaging_service_sid"},
		{"bad service", func(c *sms.TwilioConfig) { c.MessagingServiceSID = "MG1" }, "messaging_service_sid"},
		{"base URL", func(c *sms.TwilioConfig) { c.APIBaseURL = "api.twilio.com" }, "api_base_url"},
		{"negative rate", func(c *sms.TwilioConfig) { c.Rate = -1 }, "rate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := good
			tt.change(&cfg)
			_, err := sms.NewTwilio(cfg)
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Errorf("err = %v, want one mentioning %q", err, tt.want)
			}
		})
	}
}
