package main

import (
	"strconv"
	"strings"
	"testing"

	"github.com/rapportapp/rapport/internal/store"
)

// TestResubscribeAfterWordsOptOut: a text that asks in words to stop opts
// Jane out of texts at once, and `rapport resubscribe CONTACT --sms` undoes
// it when the rep finds it was misread.
func TestResubscribeAfterWordsOptOut(t *testing.T) {
	w, tw := twilioWorkspace(t)
	addr := freeAddr(t)
	w.setKey(t, "http", "listen", strconv.Quote(addr))
	w.setKey(t, "http", "public_url", strconv.Quote("http://"+addr))
	d := startDaemon(t, w, addr, cst(t, "2026-03-03 12:00"))
	sendText(t, tw, d, janeE164, "Please stop texting me")
	waitForRepEmails(t, w, 1)
	d.shutdown(t)
	if got := contactNamed(t, w, janeAddr).SMSStatus; got != store.OptedOut {
		t.Fatalf("after asking to stop texts: sms_status %q, want opted_out", got)
	}
	out := w.at(t, cst(t, "2026-03-03 12:30"), "resubscribe", janeE164, "--sms")
	if !strings.Contains(out, "texts now subscribed") {
		t.Errorf("resubscribe --sms: %q", out)
	}
	if got := contactNamed(t, w, janeAddr).SMSStatus; got != store.Subscribed {
		t.Errorf("after resubscribe --sms: sms_status %q, want subscribed", got)
	}
}
