package mailpit_test

import (
	"bytes"
	"errors"
	"net"
	"net/smtp"
	"net/textproto"
	"strconv"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/testsrv/mailpit"
)

const raw = "From: Amy <amy@example.com>\r\n" +
	"To: Jane <jane@example.net>\r\n" +
	"Subject: Hello\r\n" +
	"Message-ID: <m1@rapport.test>\r\n" +
	"List-Unsubscribe: <https://rapport.test/u/1>\r\n" +
	"List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" +
	"\r\n" +
	"Hi Jane\r\n"

func send(s *mailpit.Server) error {
	addr := net.JoinHostPort(s.SMTPHost, strconv.Itoa(s.SMTPPort))
	return smtp.SendMail(addr, nil, "amy@example.com", []string{"jane@example.net"}, []byte(raw))
}

func TestServerAPI(t *testing.T) {
	s := mailpit.Start(t)
	if err := send(s); err != nil {
		t.Fatal(err)
	}
	msgs := s.WaitCount(t, 1, 10*time.Second)
	if len(msgs) != 1 || msgs[0].MessageID != "m1@rapport.test" || msgs[0].Subject != "Hello" {
		t.Fatalf("Messages = %+v", msgs)
	}
	d := s.Message(t, msgs[0].ID)
	if d.From == nil || d.From.Address != "amy@example.com" || len(d.To) != 1 || d.To[0].Name != "Jane" {
		t.Errorf("Message From/To = %+v / %+v", d.From, d.To)
	}
	if d.ListUnsubscribe.HeaderPost != "List-Unsubscribe=One-Click" || d.ListUnsubscribe.Errors != "" {
		t.Errorf("ListUnsubscribe = %+v", d.ListUnsubscribe)
	}
	if h := s.Headers(t, msgs[0].ID); len(h["Subject"]) != 1 || h["Subject"][0] != "Hello" {
		t.Errorf("Headers = %v", h)
	}
	if got := s.Raw(t, msgs[0].ID); !bytes.Contains(got, []byte("Hi Jane")) {
		t.Errorf("Raw = %q", got)
	}
	s.DeleteAll(t)
	if n := len(s.Messages(t)); n != 0 {
		t.Errorf("%d messages after DeleteAll", n)
	}
}

func TestChaos(t *testing.T) {
	s := mailpit.Start(t)
	s.SetChaos(t, mailpit.Chaos{Recipient: mailpit.Trigger{ErrorCode: 451, Probability: 100}})
	var tp *textproto.Error
	if err := send(s); !errors.As(err, &tp) || tp.Code != 451 {
		t.Fatalf("send with chaos: %v, want 451", err)
	}
	s.SetChaos(t, mailpit.Chaos{})
	if err := send(s); err != nil {
		t.Fatalf("send after chaos: %v", err)
	}
}

// Two servers in one test are independent.
func TestTwoServers(t *testing.T) {
	a, b := mailpit.Start(t), mailpit.Start(t)
	if err := send(a); err != nil {
		t.Fatal(err)
	}
	a.WaitCount(t, 1, 10*time.Second)
	if n := len(b.Messages(t)); n != 0 {
		t.Errorf("second server has %d messages, want 0", n)
	}
}
