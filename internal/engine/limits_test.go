package engine_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/store"
)

// morningText is one text the day after the order, at 08:00.
const morningText = `name = "Morning text"
trigger = "order"

[[step]]
id = "morning"
after = "1d"
until = "5d"
at = "08:00"
channel = "sms"
template = "note"
`

// TestAtMostThreeTextsIn24Hours: texts already sent the evening before
// count against the rolling 24 hours; the fourth waits until the first
// of them is 24 hours old.
func TestAtMostThreeTextsIn24Hours(t *testing.T) {
	t.Parallel()
	tests := []struct {
		earlier []string // texts sent to the customer on the order's day
		sendAt  string
	}{
		{[]string{"12:00", "19:00"}, "2026-03-03 08:00"},
		{[]string{"12:00", "13:00", "19:00"}, "2026-03-03 12:00"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d earlier", len(tt.earlier)), func(t *testing.T) {
			h := newHarness(t, morningText)
			ct := h.customer("Emily", "emily@example.com", "+13125550142")
			h.clock.Set(local(t, "2026-03-02 09:00"))
			h.order(ct, "2026-03-02")
			for i, at := range tt.earlier {
				sentText(t, h, ct, fmt.Sprintf("earlier-%d", i), local(t, "2026-03-02 "+at))
			}
			h.tickAt(local(t, "2026-03-03 08:00"))
			if want := local(t, tt.sendAt); want.After(local(t, "2026-03-03 08:00")) {
				r := h.only(ct, "morning", store.Pending)
				if got := time.Unix(r.DueAt, 0); !got.Equal(want) {
					t.Errorf("capped text moved to %s, want %s", got.In(chicago), want)
				}
				h.tickAt(want.Add(-time.Minute))
				h.only(ct, "morning", store.Pending)
				h.tickAt(want)
			}
			if r := h.only(ct, "morning", store.Sent); !time.Unix(r.SentAt, 0).Equal(local(t, tt.sendAt)) {
				t.Errorf("sent at %s, want %s", time.Unix(r.SentAt, 0).In(chicago), tt.sendAt)
			}
		})
	}
}

// sentText records a text as sent to ct at at, in the contact's journey.
func sentText(t *testing.T, h *harness, ct *store.Contact, step string, at time.Time) {
	t.Helper()
	js, err := h.st.JourneysOf(h.ctx, ct.ID)
	if err != nil || len(js) == 0 {
		t.Fatalf("journeys of %d: %v, %v", ct.ID, js, err)
	}
	m := store.Message{JourneyID: js[0].ID, ContactID: ct.ID, Campaign: "test", Step: step, Channel: channel.SMS,
		DueAt: at.Unix(), MessageID: step + "@example.com", CreatedAt: at.Unix()}
	err = h.st.Tx(h.ctx, func(tx *store.Tx) error {
		if _, err := tx.AddMessages(h.ctx, []store.Message{m}); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	row := h.only(ct, step, store.Pending)
	m = row.Message
	m.SentTo, m.SeriesIndex = ct.Phone, -1
	err = h.st.Tx(h.ctx, func(tx *store.Tx) error {
		if _, err := tx.Claim(h.ctx, &m, at.Unix()); err != nil {
			return err
		}
		return tx.MarkSent(h.ctx, m.ID, "SM-"+step, at.Unix())
	})
	if err != nil {
		t.Fatal(err)
	}
}

// staleSteps has a step that may go late by two days, and one that may not.
const staleSteps = `name = "Stale"
trigger = "order"

[[step]]
id = "check"
after = "5d"
until = "7d"
channel = "email"
template = "note"

[[step]]
id = "call"
after = "8d"
until = "14d"
channel = "task"
template = "call"
`

// TestStaleStepSkippedAndReported: after downtime past a step's until,
// the step is skipped, never sent, and the rep is told; a step still on
// the last day of its window goes, and a task in its window is handed to
// the rep.
func TestStaleStepSkippedAndReported(t *testing.T) {
	t.Parallel()
	h := newHarness(t, staleSteps)
	late := h.customer("Emily", "emily@example.com", "")
	onTime := h.customer("Nora", "nora@example.com", "")
	h.clock.Set(local(t, "2026-03-02 09:00"))
	h.order(late, "2026-03-02")   // check may go until the end of 9 March
	h.order(onTime, "2026-03-03") // ... of 10 March

	h.tickAt(local(t, "2026-03-10 10:00"))
	h.only(late, "check", store.Skipped)
	h.only(onTime, "check", store.Sent)
	h.only(late, "call", store.Sent)
	if files := h.files(); len(files) != 1 {
		t.Errorf("outbox %v, want only Nora's check", files)
	}
	if !hasNotice(h.notices(), store.NoticeStale, "Emily Test") {
		t.Errorf("the rep is not told about the skipped step: %+v", h.notices())
	}
	if !hasNotice(h.notices(), store.NoticeTask, "Call Emily Test") {
		t.Errorf("the task is not handed to the rep: %+v", h.notices())
	}
}
