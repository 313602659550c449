package main

// The rep answers customers from Rapport: `rapport reply` through the
// queue and the real transports, and `rapport thread`.

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/testsrv/smtpsink"
)

// A customer texts; the rep answers with `rapport reply`, which goes as a
// text from the Twilio number through twilio-go, once, marks the text
// handled, and shows in `thread --json` in time order. After STOP, a
// reply by text is refused with the reason (exit 2).
func TestReplyByTextThroughTwilio(t *testing.T) {
	w, tw := twilioWorkspace(t)
	w.at(t, cst(t, "2026-03-03 12:00"), "dev", "text", "(312) 555-0142", "Did my order ship?")
	out := w.at(t, cst(t, "2026-03-03 12:05"), "reply", "312-555-0142", "Yes! It arrives Thursday.")
	for _, want := range []string{"text to Jane Doe", "goes now", "1 waiting reply marked handled"} {
		if !strings.Contains(out, want) {
			t.Errorf("reply printed %q, want %q in it", out, want)
		}
	}
	runOnce(t, w, "2026-03-03 12:06")
	runOnce(t, w, "2026-03-03 12:10")
	sent := tw.Sent()
	if len(sent) != 1 || sent[0].To != janeE164 || sent[0].From != repNumber || !strings.Contains(sent[0].Body, "It arrives Thursday.") {
		t.Fatalf("Twilio received %+v, want the rep's answer once, from %s to %s", sent, repNumber, janeE164)
	}
	if rs := openReplies(t, w); len(rs) != 0 {
		t.Errorf("open replies after answering: %+v, want none", rs)
	}
	checkThreadJSON(t, w)

	// Her answer to the rep's text is tied to it.
	w.at(t, cst(t, "2026-03-03 12:15"), "dev", "text", janeE164, "Great, thanks!")
	if rs := openReplies(t, w); len(rs) != 1 || rs[0].Answers != "your message" {
		t.Errorf("open replies %+v, want Jane's thanks answering your message", rs)
	}

	w.at(t, cst(t, "2026-03-03 12:20"), "dev", "text", janeE164, "STOP")
	_, stderr, code := w.run(t, "--now", cst(t, "2026-03-03 12:30").Format(time.RFC3339), "reply", janeAddr, "Sorry to see you go", "--channel", "sms")
	if code != exitInvalid || !strings.Contains(stderr, "opted out of texts") {
		t.Errorf("reply after STOP: exit %d, %q; want 2 and the reason", code, stderr)
	}
}

// checkThreadJSON: Rapport's policy sheet, Jane's text, the rep's answer,
// in time order, each with the documented fields, times in Jane's zone.
func checkThreadJSON(t *testing.T, w *workspace) {
	t.Helper()
	var raw []map[string]any
	w.runJSON(t, &raw, "thread", janeAddr, "--json")
	want := []struct{ direction, channel, from string }{
		{"out", "email", "rapport"}, {"in", "sms", "customer"}, {"out", "sms", "rep"},
	}
	if len(raw) != len(want) {
		t.Fatalf("thread --json has %d entries, want %d: %v", len(raw), len(want), raw)
	}
	var last time.Time
	for i, e := range raw {
		for _, key := range []string{"at", "direction", "channel", "from", "body", "state"} {
			if _, ok := e[key].(string); !ok {
				t.Errorf("entry %d: %q is %v, want a string", i, key, e[key])
			}
		}
		if e["direction"] != want[i].direction || e["channel"] != want[i].channel || e["from"] != want[i].from {
			t.Errorf("entry %d = %v, want %+v", i, e, want[i])
		}
		at, err := time.Parse(time.RFC3339, e["at"].(string))
		if err != nil || !strings.HasSuffix(e["at"].(string), "-06:00") || at.Before(last) {
			t.Errorf("entry %d at %v: want RFC 3339 in Chicago's offset, in time order", i, e["at"])
		}
		last = at
	}
	if raw[2]["state"] != "sent" || raw[2]["body"] != "Yes! It arrives Thursday." || raw[1]["state"] != "handled" {
		t.Errorf("thread: %v", raw)
	}
}

// An email answer goes from the rep's address through SMTP, threaded to
// the customer's email (In-Reply-To, References, "Re:"), with the postal
// address and the unsubscribe link, and without Auto-Submitted.
func TestReplyByEmailThreadsOverSMTP(t *testing.T) {
	sink := smtpsink.Start(t)
	w := customerWorkspace(t)
	useSMTP(t, w, sink.Host, sink.Port)
	bobWrites(t, w, "CAB-123.x@mail.example.net", "Question about my order")

	out := w.at(t, cst(t, "2026-03-03 22:00"), "reply", bobAddr, "Hi Bob,\nIt ships Monday.\nAmy")
	if !strings.Contains(out, "email to Bob Roe") || !strings.Contains(out, "goes now") {
		t.Errorf("reply printed %q, want an email at once (allowed hours are for texts)", out)
	}
	runOnce(t, w, "2026-03-03 22:01")
	runOnce(t, w, "2026-03-03 22:05")
	got := sinkMessagesTo(sink, bobAddr)
	if len(got) != 1 {
		t.Fatalf("the SMTP server got %d emails for Bob, want 1", len(got))
	}
	data := string(got[0].Data)
	for _, want := range []string{"In-Reply-To: <CAB-123.x@mail.example.net>", "References: <CAB-123.x@mail.example.net>",
		"Subject: Re: Question about my order", "From: \"Amy Kline\" <amy@example.com>", "It ships Monday.",
		"123 Main St, Springfield, IL 62701", "Unsubscribe: http"} {
		if !strings.Contains(data, want) {
			t.Errorf("the email lacks %q:\n%s", want, data)
		}
	}
	if strings.Contains(data, "Auto-Submitted") || strings.Contains(data, "List-Unsubscribe") {
		t.Errorf("a personal answer carries mailing headers:\n%s", data)
	}
}

// bobWrites stores an email from Bob as the IMAP poller would.
func bobWrites(t *testing.T, w *workspace, msgID, subject string) {
	t.Helper()
	st := w.openStore(t)
	ctx := context.Background()
	bob, err := st.ContactByEmail(ctx, bobAddr)
	if err != nil {
		t.Fatal(err)
	}
	err = st.Tx(ctx, func(tx *store.Tx) error {
		_, err := tx.AddReply(ctx, &store.Reply{ContactID: bob.ID, Channel: channel.Email, ExternalID: msgID,
			From: bobAddr, Subject: subject, Body: "When does it ship?", ReceivedAt: cst(t, "2026-03-03 21:00").Unix()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
}

// A text the rep starts (nothing to answer) waits for the allowed hours in
// the customer's time, and says until when.
func TestReplyTextWaitsForAllowedHours(t *testing.T) {
	w := customerWorkspace(t)
	out := w.at(t, cst(t, "2026-03-02 22:30"), "reply", janeAddr, "Hi Jane, a quick hello!", "--channel", "sms")
	if !strings.Contains(out, "waits until Tue 3 Mar 08:00 CST") {
		t.Errorf("reply printed %q, want it to wait until 08:00", out)
	}
	runOnce(t, w, "2026-03-02 22:31")
	if n := len(w.customerTexts(t)); n != 0 {
		t.Fatalf("%d texts at night, want none", n)
	}
	runOnce(t, w, "2026-03-03 08:00")
	texts := w.customerTexts(t)
	if len(texts) != 1 || !strings.Contains(texts[0].Body, "a quick hello") {
		t.Errorf("texts after 08:00: %+v, want the rep's", texts)
	}
	var thread []threadJSON
	w.runJSON(t, &thread, "thread", janeAddr, "--json")
	if len(thread) != 1 || thread[0].From != "rep" || thread[0].State != "sent" {
		t.Errorf("thread %+v", thread)
	}
	if b, _ := json.Marshal(thread); strings.Contains(string(b), `"reply_id"`) {
		t.Errorf("the rep's message has a reply id: %s", b)
	}
}
