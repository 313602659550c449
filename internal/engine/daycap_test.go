package engine_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/store"
)

// [email] max_per_day: with one place left today and a policy sheet due,
// the sheet (service) takes it and the tip (marketing) waits for the next
// day; the digest is told once, and the tip goes the next day.
func TestDailyEmailCapServiceFirst(t *testing.T) {
	h := newHarness(t, sheetAndTips)
	h.content.Rules.MaxEmailPerDay = 2
	tipped := h.customer("Jane", "jane@example.com", "")
	h.clock.Set(local(t, "2026-01-01 09:00"))
	h.order(tipped, "2026-01-01")
	h.tickAt(local(t, "2026-01-01 10:00"))
	h.only(tipped, "sheet", store.Sent)

	sentMessages(t, h, channel.Email, 1, local(t, "2026-02-05 08:00"))
	ordered := h.customer("Sam", "sam@example.com", "")
	h.clock.Set(local(t, "2026-02-05 09:00"))
	h.order(ordered, "2026-02-05")
	h.tickAt(local(t, "2026-02-05 10:00")) // the first tip is due too

	if n := h.count(ordered, "sheet", store.Sent); n != 1 {
		t.Fatalf("policy sheet not sent under the cap: %+v", h.rows(ordered))
	}
	tip := h.only(tipped, "tips", store.Pending)
	if got := time.Unix(tip.DueAt, 0); !got.Equal(local(t, "2026-02-06 10:00")) {
		t.Errorf("held tip moved to %s, want the next day at 10:00", got.In(chicago))
	}
	if !strings.Contains(tip.Note, "[email] max_per_day") || !strings.Contains(tip.Note, "service") {
		t.Errorf("note %q does not say the cap keeps room for service messages", tip.Note)
	}
	h.tickAt(local(t, "2026-02-05 15:00"))
	notices := 0
	for _, n := range h.notices() {
		if n.Kind == store.NoticeCapped && strings.Contains(n.Text, "[email] max_per_day") {
			notices++
		}
	}
	if notices != 1 {
		t.Errorf("%d notices of the email cap, want 1 for the digest: %+v", notices, h.notices())
	}
	h.tickAt(local(t, "2026-02-06 10:00"))
	h.only(tipped, "tips", store.Sent)
}
