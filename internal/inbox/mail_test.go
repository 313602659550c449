package inbox_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/rapportapp/rapport/internal/inbox"
	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/unsub"
)

// report is a delivery status notification for recipient with status;
// returnedID (when set) is the Message-ID in the returned headers, and
// inReplyTo (when set) the report's own In-Reply-To.
func report(recipient, action, status, returnedID, inReplyTo string) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "Return-Path: <>\r\nFrom: MAILER-DAEMON@mx.example.net\r\nTo: %s\r\n", repEmail)
	b.WriteString("Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn-1@mx.example.net>\r\n")
	if inReplyTo != "" {
		fmt.Fprintf(&b, "In-Reply-To: <%s>\r\n", inReplyTo)
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B\"\r\n\r\n")
	b.WriteString("--B\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\r\n")
	fmt.Fprintf(&b, "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.net\r\n\r\n"+
		"Original-Recipient: rfc822; %s\r\nFinal-Recipient: rfc822; %s\r\nAction: %s\r\nStatus: %s\r\n"+
		"Diagnostic-Code: smtp; %s user unknown\r\n\r\n", recipient, recipient, action, status, status)
	if returnedID != "" {
		fmt.Fprintf(&b, "--B\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: %s\r\nTo: %s\r\nMessage-ID: <%s>\r\nSubject: Thank you\r\n\r\n",
			repEmail, recipient, returnedID)
	}
	b.WriteString("--B--\r\n")
	return []byte(b.String())
}

// thanksID is the Message-ID of the thank-you email newShop sent Jane.
func (s *shop) thanksID(t *testing.T) string {
	t.Helper()
	rows, err := s.st.ContactTimeline(context.Background(), s.jane.ID, store.Holds{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.Step == "thanks" && r.MessageID != "" {
			return r.MessageID
		}
	}
	t.Fatal("no thank-you email with a Message-ID")
	return ""
}

// TestDeliveryReports: a report stops Jane's email only when it names a
// message Rapport sent to her address and the failure is permanent. Any
// other report about her is shown to the rep and changes nothing; one
// about nobody Rapport knows is left alone.
func TestDeliveryReports(t *testing.T) {
	const (
		bounced = "bounced"
		noticed = "noticed" // a notice for the rep, Jane's email untouched
		ignored = "ignored" // nothing at all
	)
	tests := []struct {
		name string
		raw  func(sent string) []byte
		want string
	}{
		{"forged: names Jane, no message", func(string) []byte {
			return report(janeEmail, "failed", "5.1.1", "", "")
		}, noticed},
		{"forged: a Message-ID Rapport never sent", func(string) []byte {
			return report(janeEmail, "failed", "5.1.1", "made-up@example.com", "made-up@example.com")
		}, noticed},
		{"Rapport's message, but to another address", func(sent string) []byte {
			return report("someone.else@example.org", "failed", "5.1.1", sent, "")
		}, ignored},
		{"Rapport's message, a delay", func(sent string) []byte {
			return report(janeEmail, "delayed", "4.2.2", sent, "")
		}, noticed},
		{"Rapport's message, a temporary failure", func(sent string) []byte {
			return report(janeEmail, "failed", "4.4.1", sent, "")
		}, noticed},
		{"Rapport's message in the returned headers, 5.1.1", func(sent string) []byte {
			return report(janeEmail, "failed", "5.1.1", sent, "")
		}, bounced},
		{"Rapport's message by In-Reply-To, 5.1.1", func(sent string) []byte {
			return report(janeEmail, "failed", "5.1.1", "", sent)
		}, bounced},
		{"a stranger's address", func(string) []byte {
			return report("nobody@example.org", "failed", "5.1.1", "", "")
		}, ignored},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newShop(t)
			ctx := context.Background()
			res, err := s.inbox.ReceiveMail(ctx, "INBOX/7", tt.raw(s.thanksID(t)))
			if err != nil {
				t.Fatal(err)
			}
			wantRes, wantStatus := inbox.MailAuto, store.Subscribed
			if tt.want == bounced {
				wantRes, wantStatus = inbox.MailBounce, store.Bounced
			}
			if res != wantRes {
				t.Errorf("result %q, want %q", res, wantRes)
			}
			if got := s.contact(t).EmailStatus; got != wantStatus {
				t.Errorf("Jane's email status %q, want %q", got, wantStatus)
			}
			checkReportNotice(t, s, tt.want)
			if rs := s.replies(t); len(rs) != 0 {
				t.Errorf("a delivery report was stored as a reply: %+v", rs)
			}
		})
	}
}

// checkReportNotice: a bounce gives the bounced notice, an unproven
// report a notice for the rep to check, an ignored one none.
func checkReportNotice(t *testing.T, s *shop, want string) {
	t.Helper()
	ns, err := s.st.OpenNotices(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, n := range ns {
		kinds = append(kinds, n.Kind)
		if n.ContactID != s.jane.ID || !strings.Contains(n.Text, "Jane Doe") {
			t.Errorf("notice %+v, want one about Jane", n)
		}
		if want == "noticed" && !strings.Contains(n.Text, "nothing was changed") {
			t.Errorf("notice %q does not say nothing was changed", n.Text)
		}
	}
	wantKinds := map[string][]string{"bounced": {store.NoticeBounced}, "noticed": {store.NoticeTask}, "ignored": nil}[want]
	if strings.Join(kinds, ",") != strings.Join(wantKinds, ",") {
		t.Errorf("notices %q, want %q", kinds, wantKinds)
	}
}

// TestMatchByReplyAddress: with reply_to = "amy+{token}@...", the address
// a reply was sent to names the message it answers, before any header or
// the sender's address; a reply to Rapport that matches nobody is kept for
// the rep as from someone not in the customers; a stranger's other mail is
// left alone.
func TestMatchByReplyAddress(t *testing.T) {
	const stranger = "From: Sam <sam@elsewhere.example>\r\nTo: %s\r\nSubject: Re: your order\r\nMessage-ID: <%s@elsewhere.example>\r\n%s\r\nPlease call me.\r\n"
	tokens := unsub.New([]byte("test key, not secret"))
	tests := []struct {
		name, to, extra string
		want            inbox.MailResult
		wantJane        bool
	}{
		{"a valid reply address, from another address", "amy+%s@example.com", "", inbox.MailReply, true},
		{"a forged token", "amy+1-aaaaaaaaaaaa@example.com", "", inbox.MailReply, false},
		{"answers a Message-ID of Rapport's no longer known", repEmail, "In-Reply-To: <gone.1@example.com>\r\n", inbox.MailReply, false},
		{"a stranger's own mail", repEmail, "", inbox.MailUnrelated, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newShop(t)
			ctx := context.Background()
			c := *s.engine.Content()
			c.ReplyTo = "amy+{token}@example.com"
			if err := s.engine.Swap(ctx, &c, outboxSenders(t, t.TempDir())); err != nil {
				t.Fatal(err)
			}
			ref, err := s.st.MessageByRFCID(ctx, s.thanksID(t))
			if err != nil {
				t.Fatal(err)
			}
			to := tt.to
			if strings.Contains(to, "%s") {
				to = fmt.Sprintf(to, tokens.ReplyToken(ref.ID))
			}
			raw := fmt.Sprintf(stranger, to, fmt.Sprint("s", i), tt.extra)
			res, err := s.inbox.ReceiveMail(ctx, "INBOX/9", []byte(raw))
			if err != nil || res != tt.want {
				t.Fatalf("ReceiveMail = %q, %v; want %q", res, err, tt.want)
			}
			rs := s.replies(t)
			if tt.want == inbox.MailUnrelated {
				if len(rs) != 0 || len(s.forwards(t)) != 0 {
					t.Errorf("a stranger's mail was kept: %+v", rs)
				}
				return
			}
			if len(rs) != 1 {
				t.Fatalf("replies %+v, want one", rs)
			}
			if got := rs[0].ContactID == s.jane.ID && rs[0].MessageID == ref.ID; got != tt.wantJane {
				t.Errorf("reply %+v: matched to Jane's thank-you = %v, want %v", rs[0], got, tt.wantJane)
			}
			fw := s.forwards(t)
			if len(fw) == 0 {
				t.Fatal("the rep was not told")
			}
			if unknown := strings.Contains(fw[0].Subject, "not in your customers"); unknown == tt.wantJane {
				t.Errorf("forward subject %q", fw[0].Subject)
			}
		})
	}
}
