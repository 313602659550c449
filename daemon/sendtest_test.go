package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestSendTest sends steps to the rep herself: an email for the sample
// customer and for a real one, a text, and refusals that say what to write.
// Nothing is queued.
func TestSendTest(t *testing.T) {
	w := newWorkspace(t)
	w.mustRun(t, "--now", "2026-03-01T09:00:00-06:00", "import", w.path("contacts.example.csv"))
	queued := w.mustRun(t, "status", "--json")

	out := w.mustRun(t, "send-test", "post-order/policy-sheet")
	if !strings.Contains(out, "to you at amy@example.com by email") {
		t.Errorf("send-test said %q", out)
	}
	w.mustRun(t, "send-test", "post-order/four-week-checkin", "--contact", "emily.carter@example.com")
	w.mustRun(t, "send-test", "post-order/arrival-check")

	emails := w.emails(t)
	if len(emails) != 2 {
		t.Fatalf("%d emails in the outbox, want the 2 tests", len(emails))
	}
	for _, e := range emails {
		if e.To != "amy@example.com" || !strings.HasPrefix(e.Subject, "[test] ") {
			t.Errorf("test email to %s, subject %q; want the rep, marked [test]", e.To, e.Subject)
		}
		if strings.Contains(e.Text, "/unsubscribe/") && !strings.Contains(e.Text, "/unsubscribe/test") {
			t.Errorf("a test email carries a real unsubscribe link:\n%s", e.Text)
		}
	}
	if !strings.Contains(emails[0].Text+emails[1].Text, "Emily") || !strings.Contains(emails[0].Text+emails[1].Text, "Jane") {
		t.Errorf("want one test for the sample customer (Jane) and one for Emily:\n%s\n---\n%s", emails[0].Text, emails[1].Text)
	}
	texts := w.texts(t)
	if len(texts) != 1 || texts[0].To != "+13125550100" || !strings.HasPrefix(texts[0].Body, "[test] ") {
		t.Errorf("texts = %+v, want one [test] text to the rep's phone", texts)
	}
	if after := w.mustRun(t, "status", "--json"); after != queued {
		t.Errorf("send-test changed the queue:\nbefore %s\nafter  %s", queued, after)
	}

	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"post-order/nope"}, "write one of post-order/policy-sheet"},
		{[]string{"welcome/x"}, "no campaign \"welcome\""},
		{[]string{"post-order/first-week-call"}, "is a task for you"},
		{[]string{"post-order/policy-sheet", "--contact", "nobody@example.com"}, "no contact"},
		{[]string{"post-order/policy-sheet", "--channel", "fax"}, "use email or sms"},
	} {
		_, errOut, code := w.run(t, append([]string{"send-test"}, c.args...)...)
		if code != exitInvalid || !strings.Contains(errOut, c.want) {
			t.Errorf("send-test %v: exit %d, %q; want exit 2 saying %q", c.args, code, errOut, c.want)
		}
	}
}

// TestDevText takes a customer's text without Twilio: it is logged against
// them, flagged, and their follow-up pauses; STOP opts them out of texts.
func TestDevText(t *testing.T) {
	w := newWorkspace(t)
	w.mustRun(t, "--now", "2026-03-01T09:00:00-06:00", "import", w.path("contacts.example.csv"))
	w.mustRun(t, "dev", "text", "(312) 555-0142", "The bottle arrived leaking")
	var replies []struct {
		ContactID int64  `json:"contact_id"`
		Channel   string `json:"channel"`
		Body      string `json:"body"`
		Flags     any    `json:"flags"`
	}
	w.runJSON(t, &replies, "replies", "--json")
	if len(replies) != 1 || replies[0].Channel != "sms" || replies[0].Body != "The bottle arrived leaking" ||
		!strings.Contains(strings.ToLower(fmtAny(replies[0].Flags)), "leak") {
		t.Fatalf("replies = %+v, want Emily's text, flagged", replies)
	}
	if out := w.mustRun(t, "preview", "emily.carter@example.com"); !strings.Contains(out, "paused") {
		t.Errorf("Emily's follow-up is not paused after her reply:\n%s", out)
	}
	w.mustRun(t, "dev", "text", "+13125550142", "STOP")
	var contacts []struct {
		Email     string `json:"email"`
		SMSStatus string `json:"sms_status"`
	}
	w.runJSON(t, &contacts, "contacts", "emily", "--json")
	if len(contacts) != 1 || contacts[0].SMSStatus != "opted_out" {
		t.Errorf("after STOP: %+v, want sms_status opted_out", contacts)
	}
	if _, errOut, code := w.run(t, "dev", "text", "12", "hi"); code != exitInvalid || !strings.Contains(errOut, "too short") {
		t.Errorf("dev text from 12: exit %d, %q", code, errOut)
	}
}

func fmtAny(v any) string { return strings.TrimSpace(strings.ReplaceAll(fmt.Sprint(v), "\n", " ")) }
