package engine_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/store"
)

// sentTexts records n texts sent at at to a customer of their own journey,
// as a busy day of other customers' texts would leave the queue.
func sentTexts(t *testing.T, h *harness, n int, at time.Time) {
	t.Helper()
	sentMessages(t, h, channel.SMS, n, at)
}

// sentMessages is sentTexts on any channel.
func sentMessages(t *testing.T, h *harness, ch string, n int, at time.Time) {
	t.Helper()
	other := h.customer("Other", "other@example.com", "+13125550199")
	h.order(other, "2025-12-01")
	js, err := h.st.JourneysOf(h.ctx, other.ID)
	if err != nil || len(js) == 0 {
		t.Fatalf("journeys: %v %v", js, err)
	}
	ms := make([]store.Message, n)
	for i := range ms {
		ms[i] = store.Message{JourneyID: js[0].ID, ContactID: other.ID, Campaign: "bulk", Step: "bulk", Occurrence: i,
			Channel: ch, DueAt: at.Unix(), CreatedAt: at.Unix()}
	}
	err = h.st.Tx(h.ctx, func(tx *store.Tx) error {
		if _, err := tx.AddMessages(h.ctx, ms); err != nil {
			return err
		}
		_, err := tx.ExecContext(h.ctx, "UPDATE messages SET state = 'sent', sent_at = ? WHERE campaign = 'bulk'", at.Unix())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// [sms] max_per_day: with 1000 texts gone today, the 1001st waits for the
// next day's first allowed hour, and the digest is told once.
func TestDailyTextCapHoldsTheNextText(t *testing.T) {
	h := newHarness(t, morningText)
	h.content.Rules.MaxSMSPerDay = 1000
	ct := h.customer("Emily", "emily@example.com", "+13125550142")
	sentTexts(t, h, 999, local(t, "2026-03-03 07:59"))
	h.clock.Set(local(t, "2026-03-02 09:00"))
	h.order(ct, "2026-03-02")

	// 999 gone: the 1000th still goes.
	h.tickAt(local(t, "2026-03-03 08:00"))
	h.only(ct, "morning", store.Sent)

	second := h.customer("Sam", "sam@example.com", "+13125550143")
	h.order(second, "2026-03-02")
	h.tickAt(local(t, "2026-03-03 08:01"))
	r := h.only(second, "morning", store.Pending)
	if got := time.Unix(r.DueAt, 0); !got.Equal(local(t, "2026-03-04 08:00")) {
		t.Errorf("the 1001st text moved to %s, want the next day at 08:00", got.In(chicago))
	}
	if !strings.Contains(r.Note, "max_per_day") {
		t.Errorf("note %q does not name the cap", r.Note)
	}
	h.tickAt(local(t, "2026-03-03 15:00"))
	capNotices := 0
	for _, n := range h.notices() {
		if n.Kind == store.NoticeSetup && strings.Contains(n.Text, "max_per_day") {
			capNotices++
		}
	}
	if capNotices != 1 {
		t.Errorf("%d notices of the cap, want 1 for the digest: %+v", capNotices, h.notices())
	}
	h.tickAt(local(t, "2026-03-04 08:00"))
	h.only(second, "morning", store.Sent)
}

// A Texas number's text due Sunday 11:00 waits for noon; a Rhode Island
// number's due Saturday 17:30 waits for Sunday 10:00; both in the
// customer's own time, the weekend the clocks change, and the note names
// the law.
func TestStateQuietHoursHoldTexts(t *testing.T) {
	tests := []struct {
		name, phone, zone, order, at, due, want, law string
	}{
		{"Texas Sunday", "+15125550100", "America/Chicago", "2026-03-07", "11:00", "2026-03-08 11:00", "2026-03-08 12:00", "Tex. Bus. & Com. Code"},
		{"Rhode Island Saturday", "+14015550100", "America/New_York", "2026-10-30", "17:30", "2026-10-31 17:30", "2026-11-01 10:00", "R.I. Gen. Laws"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, strings.Replace(morningText, `at = "08:00"`, `at = "`+tt.at+`"`, 1))
			loc := mustZone(tt.zone)
			ct := &store.Contact{FirstName: "Kim", Phone: tt.phone, Timezone: tt.zone, SMSConsent: true, ConsentKnown: true,
				SMSConsentAt: "2026-01-10", SMSConsentSource: "signed order form"}
			if err := h.st.Tx(h.ctx, func(tx *store.Tx) error { _, err := tx.UpsertContact(h.ctx, ct, 1); return err }); err != nil {
				t.Fatal(err)
			}
			in := func(s string) time.Time {
				tm, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
				if err != nil {
					t.Fatal(err)
				}
				return tm
			}
			h.clock.Set(in(tt.order + " 09:00"))
			h.order(ct, tt.order)
			h.tickAt(in(tt.due))
			r := h.only(ct, "morning", store.Pending)
			if got := time.Unix(r.DueAt, 0); !got.Equal(in(tt.want)) {
				t.Errorf("moved to %s, want %s local", got.In(loc), tt.want)
			}
			if !strings.Contains(r.Note, tt.law) {
				t.Errorf("note %q does not name the law", r.Note)
			}
			h.tickAt(in(tt.want))
			h.only(ct, "morning", store.Sent)
		})
	}
}
