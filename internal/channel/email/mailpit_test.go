package email_test

import (
	"context"
	"errors"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/channel/email"
	"github.com/rapportapp/rapport/internal/testsrv/mailpit"
)

const arrival = 10 * time.Second // how long Mailpit may take to store a message

// mailpitSMTP makes a sender for srv (through a proxy when port is set),
// logging in: Mailpit accepts any login and records the user name.
func mailpitSMTP(tb testing.TB, srv *mailpit.Server, port int, rate float64) *email.SMTP {
	tb.Helper()
	if port == 0 {
		port = srv.SMTPPort
	}
	s, err := email.NewSMTP(email.SMTPConfig{
		Host: srv.SMTPHost, Port: port, TLS: email.TLSNone,
		Username: "amy", Password: "any", Rate: rate, Timeout: 10 * time.Second,
	}, testIdentity)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func TestMailpitDelivery(t *testing.T) {
	srv := mailpit.Start(t)
	s := mailpitSMTP(t, srv, 0, 0)
	m := testMessage(t, 42)
	if _, err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	got := srv.WaitCount(t, 1, arrival)
	d := srv.Message(t, got[0].ID)

	if d.From == nil || d.From.Address != "amy@example.com" || d.From.Name != "Amy Kline" {
		t.Errorf("From = %+v", d.From)
	}
	if len(d.To) != 1 || d.To[0].Address != m.To || d.To[0].Name != m.ToName {
		t.Errorf("To = %+v, want %s <%s>", d.To, m.ToName, m.To)
	}
	if d.Subject != m.Subject || d.MessageID != m.MessageID || d.Username != "amy" {
		t.Errorf("Subject, Message-ID, login = %q, %q, %q; want %q, %q, amy", d.Subject, d.MessageID, d.Username, m.Subject, m.MessageID)
	}
	if !d.Date.Equal(m.Date) {
		t.Errorf("Date = %v, want %v", d.Date, m.Date)
	}
	if text := strings.ReplaceAll(d.Text, "\r\n", "\n"); text != m.Text || !strings.Contains(d.HTML, "Your order ships today.") {
		t.Errorf("Text = %q, HTML = %q", d.Text, d.HTML)
	}
	if len(d.Attachments) != 1 || d.Attachments[0].FileName != "shipping-policy.pdf" || d.Attachments[0].ContentType != "application/pdf" {
		t.Errorf("Attachments = %+v, want shipping-policy.pdf", d.Attachments)
	}
	lu := d.ListUnsubscribe
	if lu.Header != "<"+m.UnsubscribeURL+">" || lu.HeaderPost != "List-Unsubscribe=One-Click" || lu.Errors != "" {
		t.Errorf("List-Unsubscribe as Mailpit reads it = %+v", lu)
	}

	h := srv.Headers(t, got[0].ID)
	for key, want := range map[string]string{"Auto-Submitted": "auto-generated", "X-Rapport-Queue-Id": "42"} {
		if v := h[key]; len(v) != 1 || v[0] != want {
			t.Errorf("header %s = %q, want %q", key, v, want)
		}
	}

	parts := leafParts(t, srv.Raw(t, got[0].ID))
	if len(parts) != 3 || parts[0].ContentType != "text/plain" || parts[1].ContentType != "text/html" {
		t.Errorf("parts as received = %+v, want text/plain, text/html, attachment", parts)
	}
}

// Twenty messages with rate limiting on go over one connection: a proxy in
// front of Mailpit counts the connections.
func TestMailpitManyMessagesOneConnection(t *testing.T) {
	srv := mailpit.Start(t)
	port, conns := countingProxy(t, srv.SMTPHost, srv.SMTPPort)
	s := mailpitSMTP(t, srv, port, 6000) // 100 a second: the limiter is exercised, not felt
	want := map[string]bool{}
	for id := int64(1); id <= 20; id++ {
		m := testMessage(t, id)
		if _, err := s.Send(context.Background(), m); err != nil {
			t.Fatalf("message %d: %v", id, err)
		}
		want[m.MessageID] = true
	}
	for _, sum := range srv.WaitCount(t, 20, arrival) {
		delete(want, sum.MessageID)
	}
	if len(want) != 0 {
		t.Errorf("Mailpit is missing %d messages: %v", len(want), want)
	}
	if n := conns(); n != 1 {
		t.Errorf("20 messages used %d connections, want 1", n)
	}
}

// Mailpit's chaos triggers fail MAIL FROM, RCPT TO and AUTH the way real
// servers do; each is classified, and the same sender recovers.
func TestMailpitChaos(t *testing.T) {
	tests := []struct {
		name  string
		chaos mailpit.Chaos
		class channel.Class
		code  string
	}{
		{"recipient 451", mailpit.Chaos{Recipient: mailpit.Trigger{ErrorCode: 451, Probability: 100}}, channel.Temporary, "451"},
		{"recipient 550", mailpit.Chaos{Recipient: mailpit.Trigger{ErrorCode: 550, Probability: 100}}, channel.Bounced, "550"},
		{"sender 553", mailpit.Chaos{Sender: mailpit.Trigger{ErrorCode: 553, Probability: 100}}, channel.Permanent, "553"},
		{"login 535", mailpit.Chaos{Authentication: mailpit.Trigger{ErrorCode: 535, Probability: 100}}, channel.Misconfigured, "535"},
	}
	srv := mailpit.Start(t)
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := mailpitSMTP(t, srv, 0, 0)
			srv.SetChaos(t, tt.chaos)
			_, err := s.Send(context.Background(), testMessage(t, int64(i+1)))
			var ce *channel.Error
			if !errors.As(err, &ce) || ce.Class != tt.class || ce.Code != tt.code {
				t.Fatalf("got %v, want %v with code %s", err, tt.class, tt.code)
			}
			srv.SetChaos(t, mailpit.Chaos{})
			if _, err := s.Send(context.Background(), testMessage(t, int64(i+1))); err != nil {
				t.Fatalf("after the chaos ended: %v", err)
			}
		})
	}
}

// countingProxy forwards 127.0.0.1 connections to host:port and counts
// them, so a test can see how many connections a client opened to a server
// that does not tell.
func countingProxy(tb testing.TB, host string, port int) (int, func() int) {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var n atomic.Int64
	var wg sync.WaitGroup
	target := net.JoinHostPort(host, strconv.Itoa(port))
	wg.Go(func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			n.Add(1)
			wg.Go(func() { pipe(c, target) })
		}
	})
	tb.Cleanup(func() {
		l.Close()
		wg.Wait()
	})
	return l.Addr().(*net.TCPAddr).Port, func() int { return int(n.Load()) }
}

// pipe copies both ways until either side closes.
func pipe(c net.Conn, target string) {
	defer c.Close()
	up, err := net.Dial("tcp", target)
	if err != nil {
		return
	}
	defer up.Close()
	done := make(chan struct{}, 2)
	go func() { io.Copy(up, c); done <- struct{}{} }()
	go func() { io.Copy(c, up); done <- struct{}{} }()
	<-done
}
