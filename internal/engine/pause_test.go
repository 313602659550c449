package engine_test

import (
	"io"
	"log/slog"
	"testing"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/inbox"
	"github.com/rapportapp/rapport/internal/store"
)

// twoSteps is an email on the day of the order and a text two days later
// (by email for customers who cannot take texts).
const twoSteps = `name = "Two steps"
trigger = "order"
pause_on_reply = true

[[step]]
id = "first"
after = "0d"
channel = "email"
template = "note"

[[step]]
id = "second"
after = "2d"
until = "20d"
channel = "sms"
fallback = "email"
template = "note"
`

// TestRepliesAndTheJourney: a customer's text reply pauses their journey
// until the rep marks it handled; STOP is handled on the spot and moves
// the rest of the journey to email, with no pause.
func TestRepliesAndTheJourney(t *testing.T) {
	t.Parallel()
	tests := []struct {
		body      string
		paused    bool   // held until the rep handles the reply
		channel   string // how the second step finally goes
		smsStatus string // the contact's texts status afterwards
	}{
		{"It arrived but the bottle is leaking", true, channel.SMS, store.Subscribed},
		{"STOP", false, channel.Email, store.OptedOut},
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			h := newHarness(t, twoSteps)
			in := inbox.New(h.st, h.eng, h.clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
			ct := h.customer("Emily", "emily@example.com", "+13125550142")
			h.order(ct, "2026-03-02")
			h.tickAt(local(t, "2026-03-02 10:00"))
			h.clock.Set(local(t, "2026-03-03 12:00"))
			if _, err := in.ReceiveSMS(h.ctx, inbox.SMS{MessageSID: "SM1", From: ct.Phone, To: "+13125550100", Body: tt.body}); err != nil {
				t.Fatal(err)
			}
			h.tickAt(local(t, "2026-03-04 10:00"))
			if tt.paused {
				h.only(ct, "second", store.Pending)
				handleAll(t, h)
				h.tickAt(local(t, "2026-03-04 11:00"))
			}
			if r := h.only(ct, "second", store.Sent); r.Channel != tt.channel {
				t.Errorf("second step sent by %s, want %s", r.Channel, tt.channel)
			}
			if n := len(h.files()); n != 2 {
				t.Errorf("%d messages, want 2: %v", n, h.files())
			}
			if got, err := h.st.Contact(h.ctx, ct.ID); err != nil || got.SMSStatus != tt.smsStatus {
				t.Errorf("sms status %q (%v), want %s", got.SMSStatus, err, tt.smsStatus)
			}
		})
	}
}

// handleAll marks every open reply handled, as `rapport replies done` does.
func handleAll(t *testing.T, h *harness) {
	t.Helper()
	open, err := h.st.Replies(h.ctx, false)
	if err != nil || len(open) == 0 {
		t.Fatalf("open replies %v, %v; want some", open, err)
	}
	err = h.st.Tx(h.ctx, func(tx *store.Tx) error {
		for _, r := range open {
			if _, err := tx.HandleReply(h.ctx, r.ID, h.clock.Now().Unix()); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestUnsubscribeStopsQueuedEmail: the status is checked when a row goes
// out, not when it is queued.
func TestUnsubscribeStopsQueuedEmail(t *testing.T) {
	t.Parallel()
	h := newHarness(t, twoSteps)
	in := inbox.New(h.st, h.eng, h.clock, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ct := h.customer("Nora", "nora@example.com", "")
	h.order(ct, "2026-03-02")
	h.clock.Set(local(t, "2026-03-02 09:00"))
	if ok, err := in.Unsubscribe(h.ctx, ct.UID); err != nil || !ok {
		t.Fatalf("unsubscribe: %v, %v", ok, err)
	}
	h.tickAt(local(t, "2026-03-02 10:00"))
	h.tickAt(local(t, "2026-03-04 10:00"))
	h.only(ct, "first", store.Skipped)
	h.only(ct, "second", store.Skipped)
	if files := h.files(); len(files) != 0 {
		t.Errorf("sent %v to an unsubscribed customer", files)
	}
}
