package email_test

import (
	"bufio"
	"context"
	"errors"
	"io"
	"maps"
	"net"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/channel/email"
	"github.com/rapportapp/rapport/internal/testsrv/smtpsink"
)

// newSMTP makes a sender for sink; cfg's zero fields get test defaults.
func newSMTP(t testing.TB, sink *smtpsink.Sink, cfg email.SMTPConfig) *email.SMTP {
	t.Helper()
	cfg.Host, cfg.Port = sink.Host, sink.Port
	if cfg.TLS == "" {
		cfg.TLS = email.TLSNone
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 10 * time.Second
	}
	cfg.HELO = "rapport.test"
	s, err := email.NewSMTP(cfg, testIdentity)
	if err != nil {
		t.Fatalf("NewSMTP: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// mustSend sends a fresh message for row id and fails the test on error.
func mustSend(t *testing.T, s *email.SMTP, id int64) {
	t.Helper()
	m := testMessage(t, id)
	got, err := s.Send(context.Background(), m)
	if err != nil {
		t.Fatalf("Send(%d): %v", id, err)
	}
	if got != m.MessageID {
		t.Errorf("provider id = %q, want the Message-ID %q", got, m.MessageID)
	}
}

// sendErr sends one message and returns its *channel.Error.
func sendErr(t *testing.T, ctx context.Context, s *email.SMTP, id int64) *channel.Error {
	t.Helper()
	_, err := s.Send(ctx, testMessage(t, id))
	ce := classified(t, err)
	t.Logf("send error: %v", ce)
	return ce
}

func TestSMTPReusesOneConnection(t *testing.T) {
	sink := smtpsink.Start(t)
	s := newSMTP(t, sink, email.SMTPConfig{})
	for id := int64(1); id <= 20; id++ {
		mustSend(t, s, id)
	}
	if got := len(sink.Received()); got != 20 {
		t.Errorf("sink received %d messages, want 20", got)
	}
	if got := sink.Connections(); got != 1 {
		t.Errorf("20 messages used %d connections, want 1", got)
	}
	s.Idle()
	mustSend(t, s, 21)
	if got := sink.Connections(); got != 2 {
		t.Errorf("after Idle the next Send used %d connections in all, want 2", got)
	}
}

func TestSMTPEnvelope(t *testing.T) {
	sink := smtpsink.Start(t)
	s := newSMTP(t, sink, email.SMTPConfig{})
	m := testMessage(t, 1)
	m.ToName = "Jane\r\nBcc: evil@example.org"
	m.Subject = "Hi\r\nBcc: evil@example.org"
	if _, err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := sink.Received()[0]
	if got.From != "amy@example.com" || len(got.Rcpts) != 1 || got.Rcpts[0] != m.To {
		t.Errorf("envelope = from %q to %q, want from amy@example.com to [%s] only", got.From, got.Rcpts, m.To)
	}
	if h := parse(t, got.Data).Header; h.Get("Bcc") != "" {
		t.Errorf("injected Bcc header arrived: %q", h.Get("Bcc"))
	}
}

// Each failure is classified, and the same sender then delivers the next
// message: after a reply it keeps the connection (RSET), after a broken
// connection it dials again.
func TestSMTPFailureClasses(t *testing.T) {
	tests := []struct {
		name      string
		rule      smtpsink.Rule
		class     channel.Class
		code      string
		text      string
		redialled bool
	}{
		{"busy at RCPT", smtpsink.Rule{Stage: smtpsink.Rcpt, Code: 451, Enhanced: "4.3.0", Text: "Try again later"},
			channel.Temporary, "451 4.3.0", "Try again later", false},
		{"no such user", smtpsink.Rule{Stage: smtpsink.Rcpt, Code: 550, Enhanced: "5.1.1", Text: "No such user here"},
			channel.Bounced, "550 5.1.1", "No such user here", false},
		{"bad domain", smtpsink.Rule{Stage: smtpsink.Rcpt, Code: 550, Enhanced: "5.1.2", Text: "Domain not found"},
			channel.Bounced, "550 5.1.2", "Domain not found", false},
		{"relay denied is not a bounce", smtpsink.Rule{Stage: smtpsink.Rcpt, Code: 554, Enhanced: "5.7.1", Text: "Relay access denied"},
			channel.Permanent, "554 5.7.1", "Relay access denied", false},
		{"mailbox full is not a bounce", smtpsink.Rule{Stage: smtpsink.Rcpt, Code: 552, Enhanced: "5.2.2", Text: "Mailbox full"},
			channel.Permanent, "552 5.2.2", "Mailbox full", false},
		{"sender rejected", smtpsink.Rule{Stage: smtpsink.Mail, Code: 553, Enhanced: "5.7.1", Text: "Sender not owned by user"},
			channel.Permanent, "553 5.7.1", "Sender not owned by user", false},
		{"login required", smtpsink.Rule{Stage: smtpsink.Mail, Code: 530, Enhanced: "5.7.0", Text: "Authentication required"},
			channel.Misconfigured, "530 5.7.0", "username and password", false},
		{"busy at MAIL", smtpsink.Rule{Stage: smtpsink.Mail, Code: 421, Enhanced: "4.7.0", Text: "Too many messages"},
			channel.Temporary, "421 4.7.0", "Too many messages", false},
		{"content rejected", smtpsink.Rule{Stage: smtpsink.Data, Code: 554, Enhanced: "5.6.0", Text: "Message rejected as spam"},
			channel.Permanent, "554 5.6.0", "Message rejected as spam", false},
		{"greylisted at DATA", smtpsink.Rule{Stage: smtpsink.Data, Code: 452, Enhanced: "4.3.1", Text: "Insufficient storage"},
			channel.Temporary, "452 4.3.1", "Insufficient storage", false},
		{"dropped at RCPT", smtpsink.Rule{Stage: smtpsink.Rcpt, Drop: true},
			channel.Temporary, "", "lost the connection", true},
		{"dropped after DATA", smtpsink.Rule{Stage: smtpsink.Data, Drop: true},
			channel.Temporary, "", "lost the connection", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := smtpsink.Start(t)
			s := newSMTP(t, sink, email.SMTPConfig{})
			tt.rule.Times = 1
			sink.Add(tt.rule)

			e := sendErr(t, context.Background(), s, 1)
			if e.Class != tt.class || e.Code != tt.code || !strings.Contains(e.Msg, tt.text) {
				t.Errorf("got %v (class %v, code %q, msg %q), want class %v, code %q, msg with %q",
					e, e.Class, e.Code, e.Msg, tt.class, tt.code, tt.text)
			}
			mustSend(t, s, 2)
			wantConns := 1
			if tt.redialled {
				wantConns = 2
			}
			if got := sink.Connections(); got != wantConns {
				t.Errorf("connections = %d, want %d", got, wantConns)
			}
			if got := len(sink.Received()); got != 1 {
				t.Errorf("sink accepted %d messages, want 1 (the second)", got)
			}
		})
	}
}

// Servers that keep a failed DATA transaction open answer the next MAIL
// FROM with 503 unless the client sends RSET; go-mail does not. The sink
// reproduces that, first against go-mail alone, then against SMTP.
func TestSMTPResetAfterDataFailure(t *testing.T) {
	t.Run("plain go-mail falls into it", func(t *testing.T) {
		sink := smtpsink.StartWith(t, smtpsink.Config{StrictReset: true})
		sink.FailNext(smtpsink.Data, 554, "5.6.0", "Rejected", 1)
		c := plainClient(t, sink.Host, sink.Port)
		if err := c.DialWithContext(context.Background()); err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		if err := c.Send(buildAll(t, 1)...); err == nil {
			t.Fatal("first message should fail at DATA")
		}
		err := c.Send(buildAll(t, 1)...)
		var se *mail.SendError
		if !errors.As(err, &se) || se.ErrorCode() != 503 {
			t.Fatalf("second message error = %v; want the false 503 the sink scripts", err)
		}
	})
	t.Run("SMTP resets", func(t *testing.T) {
		sink := smtpsink.StartWith(t, smtpsink.Config{StrictReset: true})
		sink.FailNext(smtpsink.Data, 554, "5.6.0", "Rejected", 1)
		s := newSMTP(t, sink, email.SMTPConfig{})
		if e := sendErr(t, context.Background(), s, 1); e.Class != channel.Permanent {
			t.Fatalf("first message: %v, want permanent", e)
		}
		mustSend(t, s, 2)
		if got := sink.Connections(); got != 1 {
			t.Errorf("connections = %d, want 1 (RSET, not a redial)", got)
		}
	})
}

// A pause longer than Timeout between messages (here: waiting for the rate
// limit) must not cost the connection.
func TestSMTPKeepsConnectionAcrossPauses(t *testing.T) {
	sink := smtpsink.Start(t)
	s := newSMTP(t, sink, email.SMTPConfig{Rate: 120, Timeout: 200 * time.Millisecond}) // one per 500 ms
	for id := int64(1); id <= 3; id++ {
		mustSend(t, s, id)
	}
	if got := sink.Connections(); got != 1 {
		t.Errorf("connections = %d, want 1", got)
	}
}

func TestSMTPRedialsWhenServerHungUp(t *testing.T) {
	sink := smtpsink.Start(t)
	s := newSMTP(t, sink, email.SMTPConfig{})
	mustSend(t, s, 1)
	sink.HangUp() // as an idle timeout on the server would
	mustSend(t, s, 2)
	if got := sink.Connections(); got != 2 {
		t.Errorf("connections = %d, want 2", got)
	}
}

// A server may also answer MAIL FROM on a kept connection with 421 as it
// closes it: nothing was sent, so the message is tried once more (over a
// new connection when the RSET after the 421 fails too).
func TestSMTPRetriesAfter421AtMailFrom(t *testing.T) {
	sink := smtpsink.Start(t)
	s := newSMTP(t, sink, email.SMTPConfig{})
	mustSend(t, s, 1)
	sink.FailNext(smtpsink.Mail, 421, "4.4.2", "closing connection", 1)
	mustSend(t, s, 2)
	if n := len(sink.Received()); n != 2 {
		t.Errorf("sink accepted %d messages, want 2", n)
	}
}

// A message on a kept connection is MAIL, RCPT and DATA only: no NOOP
// before it, no NOOP and RSET after it (go-mail's defaults).
func TestSMTPSendsNoNoopOrRset(t *testing.T) {
	sink := smtpsink.Start(t)
	p := startCommandLog(t, net.JoinHostPort(sink.Host, strconv.Itoa(sink.Port)))
	host, port, _ := net.SplitHostPort(p.addr)
	portN, _ := strconv.Atoi(port)
	s, err := email.NewSMTP(email.SMTPConfig{Host: host, Port: portN, TLS: email.TLSNone,
		Timeout: 10 * time.Second, HELO: "rapport.test"}, testIdentity)
	if err != nil {
		t.Fatal(err)
	}
	for id := int64(1); id <= 3; id++ {
		mustSend(t, s, id)
	}
	s.Close()
	got := p.counts()
	if got["NOOP"] != 0 || got["RSET"] != 0 || got["MAIL"] != 3 || got["DATA"] != 3 {
		t.Errorf("commands sent: %v, want MAIL and DATA 3 times each, no NOOP or RSET", got)
	}
}

// commandLog is a TCP proxy to an SMTP server that counts the commands
// the client sends (the first word of each line; message lines too, but a
// test message has no line that is only "NOOP" or "RSET").
type commandLog struct {
	addr string
	mu   sync.Mutex
	seen map[string]int
}

func startCommandLog(t *testing.T, server string) *commandLog {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	p := &commandLog{addr: ln.Addr().String(), seen: map[string]int{}}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.relay(c, server)
		}
	}()
	return p
}

func (p *commandLog) relay(c net.Conn, server string) {
	defer c.Close()
	up, err := net.Dial("tcp", server)
	if err != nil {
		return
	}
	defer up.Close()
	go io.Copy(c, up) //nolint:errcheck // ends when either side closes
	sc := bufio.NewScanner(c)
	for sc.Scan() {
		word, _, _ := strings.Cut(sc.Text(), " ")
		p.mu.Lock()
		p.seen[strings.ToUpper(word)]++
		p.mu.Unlock()
		if _, err := up.Write(append(sc.Bytes(), '\r', '\n')); err != nil {
			return
		}
	}
}

func (p *commandLog) counts() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return maps.Clone(p.seen)
}

func TestSMTPSlowServer(t *testing.T) {
	sink := smtpsink.Start(t)
	s := newSMTP(t, sink, email.SMTPConfig{Timeout: 300 * time.Millisecond})
	sink.Add(smtpsink.Rule{Stage: smtpsink.Data, Delay: time.Minute, Times: 1})
	if e := sendErr(t, context.Background(), s, 1); e.Class != channel.Temporary {
		t.Fatalf("slow server: %v (class %v), want temporary", e, e.Class)
	}
	mustSend(t, s, 2)
}

func TestSMTPContextCancelStopsWaiting(t *testing.T) {
	sink := smtpsink.Start(t)
	s := newSMTP(t, sink, email.SMTPConfig{Timeout: time.Minute})
	reached := make(chan struct{})
	sink.Add(smtpsink.Rule{Stage: smtpsink.Data, Delay: time.Hour, Times: 1, Reached: reached})

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go func() {
		<-reached // the server holds the reply to the message
		cancel()
	}()
	e := sendErr(t, ctx, s, 1)
	if e.Class != channel.Temporary || !errors.Is(e, context.Canceled) {
		t.Fatalf("cancelled send: %v (class %v), want temporary wrapping context.Canceled", e, e.Class)
	}
	mustSend(t, s, 2)
}

func TestSMTPCancelledBeforeSend(t *testing.T) {
	sink := smtpsink.Start(t)
	s := newSMTP(t, sink, email.SMTPConfig{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if e := sendErr(t, ctx, s, 1); e.Class != channel.Temporary || !errors.Is(e, context.Canceled) {
		t.Fatalf("got %v, want temporary context.Canceled", e)
	}
	if n := len(sink.Received()); n != 0 {
		t.Errorf("a cancelled send delivered %d messages", n)
	}
}

func TestSMTPLogin(t *testing.T) {
	tests := []struct {
		name, password string
		class          channel.Class
		ok             bool
	}{
		{"right password", "s3cret", 0, true},
		{"wrong password", "guess", channel.Misconfigured, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := smtpsink.StartWith(t, smtpsink.Config{Username: "amy", Password: "s3cret"})
			s := newSMTP(t, sink, email.SMTPConfig{Username: "amy", Password: tt.password})
			if tt.ok {
				mustSend(t, s, 1)
				return
			}
			e := sendErr(t, context.Background(), s, 1)
			if e.Class != tt.class || e.Code != "535 5.7.8" || !strings.Contains(e.Msg, "password") {
				t.Errorf("got %v (class %v, code %q), want misconfigured 535 5.7.8 naming the password", e, e.Class, e.Code)
			}
		})
	}
}

func TestSMTPTLS(t *testing.T) {
	tests := []struct {
		name     string
		sinkTLS  string
		mode     string
		trust    bool
		class    channel.Class
		delivers bool
	}{
		{"implicit TLS", smtpsink.Implicit, email.TLSImplicit, true, 0, true},
		{"STARTTLS", smtpsink.StartTLS, email.TLSStartTLS, true, 0, true},
		{"untrusted certificate", smtpsink.Implicit, email.TLSImplicit, false, channel.Misconfigured, false},
		{"untrusted certificate, STARTTLS", smtpsink.StartTLS, email.TLSStartTLS, false, channel.Misconfigured, false},
		{"server without STARTTLS", smtpsink.NoTLS, email.TLSStartTLS, true, channel.Misconfigured, false},
		{"TLS to a plain port", smtpsink.NoTLS, email.TLSImplicit, true, channel.Misconfigured, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := smtpsink.StartWith(t, smtpsink.Config{TLS: tt.sinkTLS, Username: "amy", Password: "pw"})
			cfg := email.SMTPConfig{TLS: tt.mode, Username: "amy", Password: "pw"}
			if tt.trust {
				cfg.RootCAs = sink.CertPool()
			}
			s := newSMTP(t, sink, cfg)
			if tt.delivers {
				mustSend(t, s, 1)
				return
			}
			if e := sendErr(t, context.Background(), s, 1); e.Class != tt.class {
				t.Errorf("got %v (class %v), want %v", e, e.Class, tt.class)
			}
		})
	}
}

func TestSMTPServerDown(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close() // nothing listens there now
	s, err := email.NewSMTP(email.SMTPConfig{Host: "127.0.0.1", Port: port, TLS: email.TLSNone}, testIdentity)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	_, err = s.Send(context.Background(), testMessage(t, 1))
	if classified(t, err).Class != channel.Temporary || !strings.Contains(err.Error(), "cannot reach") {
		t.Errorf("got %v, want temporary 'cannot reach'", err)
	}
}

func TestSMTPRateLimit(t *testing.T) {
	sink := smtpsink.Start(t)
	s := newSMTP(t, sink, email.SMTPConfig{Rate: 1200}) // one every 50 ms
	for id := int64(1); id <= 3; id++ {
		mustSend(t, s, id)
	}
	if got := len(sink.Received()); got != 3 {
		t.Fatalf("received %d, want 3", got)
	}

	// At one a minute the next token is far off: a short deadline gives up
	// at once rather than sleeping, and nothing is sent.
	slow := newSMTP(t, sink, email.SMTPConfig{Rate: 1})
	mustSend(t, slow, 4)
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if e := sendErr(t, ctx, slow, 5); e.Class != channel.Temporary {
		t.Errorf("rate-limited send: %v, want temporary", e)
	}
	if got := len(sink.Received()); got != 4 {
		t.Errorf("received %d, want 4", got)
	}
}

func TestSMTPClose(t *testing.T) {
	sink := smtpsink.Start(t)
	s := newSMTP(t, sink, email.SMTPConfig{})
	mustSend(t, s, 1)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if _, err := s.Send(context.Background(), testMessage(t, 2)); err == nil {
		t.Error("Send after Close succeeded")
	}
}

func TestSMTPBuildErrorIsPermanent(t *testing.T) {
	sink := smtpsink.Start(t)
	s := newSMTP(t, sink, email.SMTPConfig{})
	m := testMessage(t, 1)
	m.Attachments = []string{"/nonexistent/leaflet.pdf"}
	_, err := s.Send(context.Background(), m)
	if classified(t, err).Class != channel.Permanent || !strings.Contains(err.Error(), "leaflet.pdf") {
		t.Errorf("got %v, want permanent naming leaflet.pdf", err)
	}
	if sink.Connections() != 0 {
		t.Error("a message that cannot be built opened a connection")
	}
}

func TestNewSMTPRefuses(t *testing.T) {
	ok := email.SMTPConfig{Host: "smtp.example.com", Username: "amy", Password: "pw"}
	tests := []struct {
		name   string
		change func(c *email.SMTPConfig)
		id     email.Identity
		want   string
	}{
		{"no host", func(c *email.SMTPConfig) { c.Host = "" }, testIdentity, "email.smtp.host"},
		{"unknown tls", func(c *email.SMTPConfig) { c.TLS = "ssl" }, testIdentity, "email.smtp.tls"},
		{"password in clear", func(c *email.SMTPConfig) { c.TLS = email.TLSNone }, testIdentity, "unencrypted"},
		{"bad port", func(c *email.SMTPConfig) { c.Port = 70000 }, testIdentity, "email.smtp.port"},
		{"negative rate", func(c *email.SMTPConfig) { c.Rate = -1 }, testIdentity, "email.smtp.rate"},
		{"bad from", func(*email.SMTPConfig) {}, email.Identity{From: "amy at example"}, "email.from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ok
			tt.change(&cfg)
			_, err := email.NewSMTP(cfg, tt.id)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("NewSMTP error = %v, want one naming %q", err, tt.want)
			}
		})
	}
	for _, host := range []string{"127.0.0.1", "localhost", "::1"} {
		cfg := ok
		cfg.Host, cfg.TLS = host, email.TLSNone
		if _, err := email.NewSMTP(cfg, testIdentity); err != nil {
			t.Errorf("login without TLS to %s (this machine) refused: %v", host, err)
		}
	}
}

// plainClient is a bare go-mail client for a local plain-text server.
func plainClient(tb testing.TB, host string, port int) *mail.Client {
	tb.Helper()
	c, err := mail.NewClient(host, mail.WithPort(port), mail.WithTLSPolicy(mail.NoTLS), mail.WithHELO("rapport.test"))
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// buildAll builds messages for rows 1..n.
func buildAll(tb testing.TB, n int) []*mail.Msg {
	tb.Helper()
	msgs := make([]*mail.Msg, n)
	for i := range msgs {
		msg, err := email.Build(testMessage(tb, int64(i+1)), testIdentity)
		if err != nil {
			tb.Fatal(err)
		}
		msgs[i] = msg
	}
	return msgs
}
