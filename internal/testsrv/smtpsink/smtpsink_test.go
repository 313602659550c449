package smtpsink_test

import (
	"crypto/tls"
	"errors"
	"net/smtp"
	"net/textproto"
	"testing"

	"github.com/rapportapp/rapport/internal/testsrv/smtpsink"
)

const body = "Subject: hi\r\n\r\nhello\r\n"

// deliver runs one transaction with the standard library's client and
// returns the first error.
func deliver(c *smtp.Client, from string, to ...string) error {
	if err := c.Mail(from); err != nil {
		return err
	}
	for _, rcpt := range to {
		if err := c.Rcpt(rcpt); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := w.Write([]byte(body)); err != nil {
		return err
	}
	return w.Close()
}

func dial(t *testing.T, s *smtpsink.Sink) *smtp.Client {
	t.Helper()
	c, err := smtp.Dial(s.Addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func code(err error) int {
	var tp *textproto.Error
	if errors.As(err, &tp) {
		return tp.Code
	}
	return 0
}

func TestRecordsAcceptedMessages(t *testing.T) {
	s := smtpsink.Start(t)
	c := dial(t, s)
	if err := deliver(c, "amy@example.com", "a@example.net", "b@example.net"); err != nil {
		t.Fatal(err)
	}
	got := s.Received()
	if len(got) != 1 || got[0].From != "amy@example.com" || len(got[0].Rcpts) != 2 || string(got[0].Data) != body {
		t.Fatalf("Received = %+v", got)
	}
	if s.Connections() != 1 {
		t.Errorf("Connections = %d, want 1", s.Connections())
	}
}

func TestRules(t *testing.T) {
	tests := []struct {
		name  string
		rule  smtpsink.Rule
		to    string
		codes []int // reply code for each of three tries, 0 = accepted
	}{
		{"fail twice at MAIL", smtpsink.Rule{Stage: smtpsink.Mail, Code: 451, Times: 2}, "a@x.test", []int{451, 451, 0}},
		{"fail every RCPT", smtpsink.Rule{Stage: smtpsink.Rcpt, Code: 550, Enhanced: "5.1.1"}, "a@x.test", []int{550, 550, 550}},
		{"other recipient untouched", smtpsink.Rule{Stage: smtpsink.Rcpt, Rcpt: "b@x.test", Code: 550}, "a@x.test", []int{0, 0, 0}},
		{"matching recipient", smtpsink.Rule{Stage: smtpsink.Rcpt, Rcpt: "B@x.test", Code: 550, Times: 1}, "b@x.test", []int{550, 0, 0}},
		{"fail at end of DATA", smtpsink.Rule{Stage: smtpsink.Data, Code: 554, Times: 1}, "a@x.test", []int{554, 0, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := smtpsink.Start(t)
			s.Add(tt.rule)
			c := dial(t, s)
			accepted := 0
			for i, want := range tt.codes {
				err := deliver(c, "amy@example.com", tt.to)
				if got := code(err); got != want {
					t.Fatalf("try %d: error %v, want code %d", i+1, err, want)
				}
				if err == nil {
					accepted++
				}
				if err := c.Reset(); err != nil {
					t.Fatal(err)
				}
			}
			if got := len(s.Received()); got != accepted {
				t.Errorf("recorded %d messages, want %d", got, accepted)
			}
		})
	}
}

func TestStrictResetNeedsRSET(t *testing.T) {
	s := smtpsink.StartWith(t, smtpsink.Config{StrictReset: true})
	s.FailNext(smtpsink.Data, 554, "5.6.0", "no", 1)
	c := dial(t, s)
	if err := deliver(c, "amy@example.com", "a@x.test"); code(err) != 554 {
		t.Fatalf("first: %v, want 554", err)
	}
	if err := deliver(c, "amy@example.com", "a@x.test"); code(err) != 503 {
		t.Fatalf("without RSET: %v, want 503", err)
	}
	if err := c.Reset(); err != nil {
		t.Fatal(err)
	}
	if err := deliver(c, "amy@example.com", "a@x.test"); err != nil {
		t.Fatalf("after RSET: %v", err)
	}
}

func TestDropAndHangUp(t *testing.T) {
	s := smtpsink.Start(t)
	reached := make(chan struct{}, 1)
	s.Add(smtpsink.Rule{Stage: smtpsink.Data, Drop: true, Times: 1, Reached: reached})
	c := dial(t, s)
	if err := deliver(c, "amy@example.com", "a@x.test"); err == nil || code(err) != 0 {
		t.Fatalf("dropped DATA: %v, want a network error", err)
	}
	<-reached
	c = dial(t, s)
	if err := c.Noop(); err != nil {
		t.Fatal(err)
	}
	s.HangUp()
	if err := c.Noop(); err == nil {
		t.Error("NOOP after HangUp succeeded")
	}
	if s.Connections() != 2 || len(s.Received()) != 0 {
		t.Errorf("Connections = %d, Received = %d; want 2, 0", s.Connections(), len(s.Received()))
	}
}

func TestTLSAndAuth(t *testing.T) {
	for _, mode := range []string{smtpsink.StartTLS, smtpsink.Implicit} {
		t.Run(mode, func(t *testing.T) {
			s := smtpsink.StartWith(t, smtpsink.Config{TLS: mode, Username: "amy", Password: "pw"})
			// net/smtp hangs up after a failed AUTH, so each try connects anew.
			c := connectTLS(t, s, mode)
			if err := c.Auth(smtp.PlainAuth("", "amy", "wrong", s.Host)); code(err) != 535 {
				t.Fatalf("wrong password: %v, want 535", err)
			}
			c = connectTLS(t, s, mode)
			if err := c.Auth(smtp.PlainAuth("", "amy", "pw", s.Host)); err != nil {
				t.Fatal(err)
			}
			if err := deliver(c, "amy@example.com", "a@x.test"); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// connectTLS opens a client connection to s secured the way mode says.
func connectTLS(t *testing.T, s *smtpsink.Sink, mode string) *smtp.Client {
	t.Helper()
	conf := &tls.Config{RootCAs: s.CertPool(), ServerName: s.Host}
	if mode == smtpsink.StartTLS {
		c := dial(t, s)
		if err := c.StartTLS(conf); err != nil {
			t.Fatal(err)
		}
		return c
	}
	conn, err := tls.Dial("tcp", s.Addr, conf)
	if err != nil {
		t.Fatal(err)
	}
	c, err := smtp.NewClient(conn, s.Host)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}
