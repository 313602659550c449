package main

// `rapport cases` from the CLI: the receipt day a case from a reply
// assumes, and the offered update sent through the conversation.

import (
	"strconv"
	"strings"
	"testing"
)

// latestReplyID is the id of the newest waiting reply.
func latestReplyID(t *testing.T, w *workspace) string {
	t.Helper()
	rs := openReplies(t, w)
	if len(rs) == 0 {
		t.Fatal("no waiting reply")
	}
	var id int64
	for _, r := range rs {
		id = max(id, r.ID)
	}
	return strconv.FormatInt(id, 10)
}

// repMessages lists the thread's messages from the rep to Jane, as
// "channel state body".
func repMessages(t *testing.T, w *workspace) []string {
	t.Helper()
	var th []threadJSON
	w.runJSON(t, &th, "thread", janeAddr, "--json")
	var out []string
	for _, e := range th {
		if e.Direction == "out" && e.From == "rep" {
			out = append(out, e.Channel+" "+e.State+" "+e.Body)
		}
	}
	return out
}

// Jane answers her arrival check on Sat 7 Mar and writes of a leak on Mon
// 9 Mar: the case assumes she received the parcel the day she answered
// and says so. `cases update --send` sends the offered update, and
// `--text` the rep's own words, through the queue (the thread shows them,
// Twilio gets them at the next run); --received replaces the assumption.
func TestCaseFromReplyReceivedAndUpdatesSent(t *testing.T) {
	w, tw := twilioWorkspace(t)
	runOnce(t, w, "2026-03-07 10:05") // the arrival check goes
	w.at(t, cst(t, "2026-03-07 12:00"), "dev", "text", janeE164, "Yes it came, thank you!")
	w.at(t, cst(t, "2026-03-09 09:00"), "dev", "text", janeE164, "Oh no, the lavender bottle is leaking")
	id := strings.TrimSpace(w.at(t, cst(t, "2026-03-09 09:10"), "cases", "open", latestReplyID(t, w)))
	show := w.at(t, cst(t, "2026-03-09 09:11"), "cases", "show", id)
	if want := "received:  Sat 7 Mar (the day they answered the arrival check; correct with --received)"; !strings.Contains(show, want) {
		t.Errorf("cases show:\n%s\nwant %q", show, want)
	}

	before := len(tw.Sent())
	w.at(t, cst(t, "2026-03-09 09:20"), "cases", "update", id, "--state", "reported", "--send")
	w.at(t, cst(t, "2026-03-09 09:25"), "cases", "update", id, "--state", "waiting", "--text", "Support is sending a new bottle this week.")
	got := repMessages(t, w)
	if len(got) != 2 || !strings.HasPrefix(got[0], "sms pending Hi Jane, Amy here. I've reported the problem with your order (INV-7)") ||
		got[1] != "sms pending Support is sending a new bottle this week." {
		t.Fatalf("thread's messages from the rep %q, want the reported update then the rep's words, queued", got)
	}
	runOnce(t, w, "2026-03-09 09:30")
	sent := tw.Sent()[before:]
	if len(sent) != 2 || !strings.Contains(sent[0].Body, "reported the problem") || sent[1].Body != "Support is sending a new bottle this week." {
		t.Fatalf("Twilio received %+v, want the two updates", sent)
	}
	if got := repMessages(t, w); !strings.HasPrefix(got[0], "sms sent ") || !strings.HasPrefix(got[1], "sms sent ") {
		t.Errorf("thread after the run %q, want both sent", got)
	}

	w.at(t, cst(t, "2026-03-09 10:00"), "cases", "update", id, "--received", "2026-03-06")
	show = w.at(t, cst(t, "2026-03-09 10:01"), "cases", "show", id)
	if !strings.Contains(show, "received:  Fri 6 Mar\n") {
		t.Errorf("cases show after --received:\n%s\nwant the rep's day, no assumption", show)
	}
}

// Without an answer to the arrival check, a case from a reply assumes the
// order came on its expected delivery day (7 business days after the
// order of Mon 2 Mar: Wed 11 Mar) when that is not after the reply, and
// the reply's day when it is.
func TestCaseReceivedExpectedDelivery(t *testing.T) {
	w := customerWorkspace(t)
	placeOrder(t, w, janeAddr)
	w.at(t, cst(t, "2026-03-05 09:00"), "dev", "text", janeE164, "It came early and the bottle is leaking")
	early := strings.TrimSpace(w.at(t, cst(t, "2026-03-05 09:10"), "cases", "open", latestReplyID(t, w)))
	w.at(t, cst(t, "2026-03-16 09:00"), "dev", "text", janeE164, "Another bottle is leaking")
	late := strings.TrimSpace(w.at(t, cst(t, "2026-03-16 09:10"), "cases", "open", latestReplyID(t, w)))
	for _, tt := range []struct{ id, want string }{
		{early, "received:  Thu 5 Mar (the day they wrote; correct with --received)"},
		{late, "received:  Wed 11 Mar (expected delivery day; correct with --received)"},
	} {
		if show := w.at(t, cst(t, "2026-03-16 09:15"), "cases", "show", tt.id); !strings.Contains(show, tt.want) {
			t.Errorf("cases show %s:\n%s\nwant %q", tt.id, show, tt.want)
		}
	}
}
