package engine_test

import (
	"testing"

	"github.com/rapportapp/rapport/internal/cases"
	"github.com/rapportapp/rapport/internal/store"
)

// TestOpenCaseHoldsTipsNotService: while a customer has an open case their
// marketing steps wait and their service steps still go; closing the case
// sends the tip that fell due during it once, not one per missed month.
func TestOpenCaseHoldsTipsNotService(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sheetAndTips)
	ct := h.customer("Jane", "jane@example.com", "")
	h.clock.Set(local(t, "2026-01-01 09:00"))
	h.order(ct, "2026-01-01")
	if _, err := cases.OpenByHand(h.ctx, h.st, ct.ID, 0, cases.Leaking, chicago, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	h.tickAt(local(t, "2026-01-01 10:00"))
	h.only(ct, "sheet", store.Sent) // service: goes during the case

	h.tickAt(local(t, "2026-02-05 10:00")) // the first tip's day
	h.tickAt(local(t, "2026-03-05 10:00")) // and the second's
	if n := h.count(ct, "tips", store.Sent); n != 0 {
		t.Fatalf("%d tips sent during an open case, want 0", n)
	}
	for _, r := range h.rows(ct) {
		if r.Step == "tips" && r.State == store.Pending && !r.Paused {
			t.Errorf("timeline shows pending tip %d not paused during the case", r.Occurrence)
		}
	}

	open, err := h.st.Cases(h.ctx, false)
	if err != nil || len(open) != 1 {
		t.Fatalf("open cases %v, %v", open, err)
	}
	h.clock.Set(local(t, "2026-03-10 09:00"))
	if _, err := cases.Close(h.ctx, h.st, open[0].ID, "replaced", "", h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	h.tickAt(local(t, "2026-03-10 10:00"))
	h.tickAt(local(t, "2026-03-11 10:00"))
	if n := h.count(ct, "tips", store.Sent); n != 1 {
		t.Errorf("%d tips sent after the case closed, want 1 (no burst)", n)
	}
}
