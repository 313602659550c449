package email_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wneessen/go-mail"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/channel/email"
	"github.com/rapportapp/rapport/internal/testsrv/smtpsink"
)

func newOutbox(t *testing.T) *email.Outbox {
	t.Helper()
	o, err := email.NewOutbox(filepath.Join(t.TempDir(), "outbox"), testIdentity)
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func TestOutboxSend(t *testing.T) {
	o := newOutbox(t)
	m := testMessage(t, 42)
	name, err := o.Send(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if want := "00000042-post-order-policy-sheet.eml"; name != want {
		t.Errorf("provider id = %q, want %q", name, want)
	}
	entries, err := os.ReadDir(o.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Name() != name {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("outbox holds %v, want only %s (no temporary files)", names, name)
	}
	info, err := os.Stat(o.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o700 {
		t.Errorf("outbox folder mode = %o, want 700", perm)
	}

	// go-mail reads the file back as the same message.
	back, err := mail.EMLToMsgFromFile(filepath.Join(o.Dir, name))
	if err != nil {
		t.Fatal(err)
	}
	if got := back.GetGenHeader(mail.HeaderSubject); len(got) != 1 || got[0] != m.Subject {
		t.Errorf("Subject read back = %q, want %q", got, m.Subject)
	}
	if got := back.GetMessageID(); got != "<"+m.MessageID+">" {
		t.Errorf("Message-ID read back = %q, want <%s>", got, m.MessageID)
	}
	if got := back.GetToString(); len(got) != 1 || !strings.Contains(got[0], m.To) {
		t.Errorf("To read back = %q, want %s", got, m.To)
	}
}

func TestOutboxSendTwiceReplaces(t *testing.T) {
	o := newOutbox(t)
	m := testMessage(t, 7)
	for range 2 {
		if _, err := o.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	entries, err := os.ReadDir(o.Dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 {
		t.Errorf("a retried message left %d files, want 1", len(entries))
	}
}

func TestOutboxVerify(t *testing.T) {
	o := newOutbox(t)
	m := testMessage(t, 3)
	ctx := context.Background()
	if id, sent, err := o.Verify(ctx, m); err != nil || sent || id != "" {
		t.Fatalf("Verify before Send = %q, %v, %v; want not sent", id, sent, err)
	}
	name, err := o.Send(ctx, m)
	if err != nil {
		t.Fatal(err)
	}
	if id, sent, err := o.Verify(ctx, m); err != nil || !sent || id != name {
		t.Fatalf("Verify after Send = %q, %v, %v; want %q, true", id, sent, err, name)
	}
	other := testMessage(t, 4)
	if _, sent, _ := o.Verify(ctx, other); sent {
		t.Error("Verify reports another row's message as sent")
	}
}

func TestOutboxSendFailures(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, o *email.Outbox, m *channel.Message) context.Context
		want  channel.Class
	}{
		{"folder removed", func(t *testing.T, o *email.Outbox, _ *channel.Message) context.Context {
			if err := os.RemoveAll(o.Dir); err != nil {
				t.Fatal(err)
			}
			return context.Background()
		}, channel.Temporary},
		{"cancelled", func(*testing.T, *email.Outbox, *channel.Message) context.Context {
			ctx, cancel := context.WithCancel(context.Background())
			cancel()
			return ctx
		}, channel.Temporary},
		{"bad message", func(_ *testing.T, _ *email.Outbox, m *channel.Message) context.Context {
			m.To = "not an address"
			return context.Background()
		}, channel.Permanent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newOutbox(t)
			m := testMessage(t, 1)
			ctx := tt.setup(t, o, m)
			_, err := o.Send(ctx, m)
			if got := classified(t, err).Class; got != tt.want {
				t.Fatalf("Send error = %v (class %v), want class %v", err, got, tt.want)
			}
			if _, sent, _ := o.Verify(context.Background(), m); sent {
				t.Error("a failed Send left a file")
			}
		})
	}
}

func TestOutboxFileName(t *testing.T) {
	tests := []struct {
		id             int64
		campaign, step string
		want           string
	}{
		{1, "post-order", "policy-sheet", "00000001-post-order-policy-sheet.eml"},
		{123456789, "tips", "monthly_tips.v2", "123456789-tips-monthly_tips.v2.eml"},
		{5, "../../etc", "passwd", "00000005-.._.._etc-passwd.eml"},
		{6, "Spring sale", "héllo/wörld", "00000006-Spring_sale-h_llo_w_rld.eml"},
		{7, "", "", "00000007-_-_.eml"},
	}
	for _, tt := range tests {
		m := &channel.Message{ID: tt.id, Campaign: tt.campaign, Step: tt.step}
		if got := email.OutboxFileName(m); got != tt.want {
			t.Errorf("OutboxFileName(%d, %q, %q) = %q, want %q", tt.id, tt.campaign, tt.step, got, tt.want)
		}
	}
}

// The outbox promises the file is what SMTP would have sent: compare with
// what an SMTP server received for the same message.
func TestOutboxMatchesSMTP(t *testing.T) {
	sink := smtpsink.Start(t)
	s := newSMTP(t, sink, email.SMTPConfig{})
	o := newOutbox(t)
	m := testMessage(t, 42)
	if _, err := s.Send(context.Background(), m); err != nil {
		t.Fatal(err)
	}
	name, err := o.Send(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(filepath.Join(o.Dir, name))
	if err != nil {
		t.Fatal(err)
	}
	got := sink.Received()
	if len(got) != 1 {
		t.Fatalf("sink received %d messages, want 1", len(got))
	}
	fromFile := boundary.ReplaceAllString(string(file), "BOUNDARY")
	overSMTP := boundary.ReplaceAllString(string(got[0].Data), "BOUNDARY")
	if fromFile != overSMTP {
		t.Errorf("outbox file differs from the SMTP message:\n--- file\n%s\n--- smtp\n%s", fromFile, overSMTP)
	}
}
