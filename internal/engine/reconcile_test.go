package engine_test

import "testing"

const editBefore = `
name = "Test"
trigger = "order"
[[step]]
id = "hello"
after = "0d"
channel = "email"
template = "note"
[[step]]
id = "later"
after = "10d"
channel = "email"
template = "note"
`

// The rep removes "later" and adds "soon" while journeys are under way.
const editAfter = `
name = "Test"
trigger = "order"
[[step]]
id = "hello"
after = "0d"
channel = "email"
template = "note"
[[step]]
id = "soon"
after = "3d"
channel = "email"
template = "note"
[[step]]
id = "past"
after = "1d"
until = "2d"
channel = "email"
template = "note"
`

// Editing a running campaign: a removed step's pending rows are cancelled;
// a new step is queued for journeys that have not passed it, and not for
// those that have.
func TestEditingARunningCampaign(t *testing.T) {
	h := newHarness(t, editBefore)
	jane := h.customer("Jane", "jane@example.com", "")
	h.order(jane, "2026-01-01")
	h.tickAt(local(t, "2026-01-01 10:00"))
	if n := h.count(jane, "hello", "sent"); n != 1 {
		t.Fatalf("hello sent %d times before the edit", n)
	}

	h.clock.Set(local(t, "2026-01-05 09:00")) // day 4: past "past" (until day 2)
	h.content = testContent(t, editAfter)
	if err := h.eng.Swap(h.ctx, h.content, h.senders); err != nil {
		t.Fatal(err)
	}
	if n := h.count(jane, "later", "cancelled"); n != 1 {
		t.Errorf("removed step: %d cancelled rows, want 1", n)
	}
	if n := h.count(jane, "soon", "pending"); n != 1 {
		t.Errorf("added step not yet passed: %d pending rows, want 1", n)
	}
	if rows := h.count(jane, "past", "pending") + h.count(jane, "past", "skipped"); rows != 0 {
		t.Errorf("added step already past for this journey: %d rows, want none", rows)
	}
	h.tickAt(local(t, "2026-01-05 10:00"))
	if n := h.count(jane, "soon", "sent"); n != 1 {
		t.Errorf("added step sent %d times, want 1 (its moment passed on day 3: due at once)", n)
	}
	if n := h.count(jane, "hello", "sent"); n != 1 {
		t.Errorf("unchanged step sent %d times after the edit, want 1", n)
	}
}
