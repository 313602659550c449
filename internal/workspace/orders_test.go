package workspace_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/workspace"
)

// stepStates is each post-order step's rows as "step:state", by id.
func (f *fixture) stepStates(t *testing.T, orderID int64) string {
	t.Helper()
	rows, err := f.db.Query(`SELECT m.step || ':' || m.state FROM messages m JOIN journeys j ON j.id = m.journey_id
		WHERE j.order_id = ? ORDER BY m.step, m.occurrence`, orderID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	return strings.Join(out, " ")
}

// Cancelling an order cancels what its journey had still to send; what
// went stays, and the order shows cancelled.
func TestCancelOrder(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	jane := f.jane(t)
	res, err := f.ws.AddOrder(ctx, jane, "", "INV-1", "Lavender", now)
	if err != nil {
		t.Fatal(err)
	}
	os, err := f.ws.Orders(ctx, jane)
	if err != nil || len(os) != 1 || os[0].Date != "2026-03-02" || os[0].State != workspace.OrderActive {
		t.Fatalf("orders %+v %v, want one active order of today (the rep's date)", os, err)
	}
	if !res.New || res.Journeys != 1 {
		t.Fatalf("add order: %+v", res)
	}
	id := os[0].ID
	if _, err := f.db.Exec("UPDATE messages SET state = 'sent', sent_at = 1 WHERE step = 'policy-sheet'"); err != nil {
		t.Fatal(err)
	}
	o, n, err := f.ws.CancelOrder(ctx, id, now)
	if err != nil {
		t.Fatal(err)
	}
	if o.State != workspace.OrderCancelled || n != 4 {
		t.Errorf("cancelled %+v, %d steps; want cancelled, 4 steps", o, n)
	}
	want := "arrival-check:cancelled first-week-call:cancelled four-week-checkin:cancelled monthly-tips:cancelled policy-sheet:sent"
	if got := f.stepStates(t, id); got != want {
		t.Errorf("steps %q\nwant    %q", got, want)
	}
	if _, _, err := f.ws.CancelOrder(ctx, id, now); !errors.Is(err, workspace.ErrInvalid) {
		t.Errorf("cancelling twice: %v, want refused", err)
	}
	if os, _ := f.ws.Orders(ctx, nil); len(os) != 1 || os[0].State != workspace.OrderCancelled {
		t.Errorf("all orders: %+v", os)
	}
	if h := f.history(t, jane); h[len(h)-1] != "change by rep (cli): cancelled order INV-1 of 2026-03-02" {
		t.Errorf("history %q", h)
	}
}

// Correcting an order's date plans its pending steps again from the new
// date: a sent step stays sent, a step now past is not queued (and the
// timeline shows it skipped), the others move.
func TestSetOrderDate(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	jane := f.jane(t)
	if _, err := f.ws.AddOrder(ctx, jane, "2026-03-01", "INV-1", "", now); err != nil {
		t.Fatal(err)
	}
	os, _ := f.ws.Orders(ctx, jane)
	id := os[0].ID
	if _, err := f.db.Exec("UPDATE messages SET state = 'sent', sent_at = 1 WHERE step = 'policy-sheet'"); err != nil {
		t.Fatal(err)
	}
	later := now.Add(time.Hour)
	mv, err := f.ws.SetOrderDate(ctx, id, "2/20/2026", later) // as a US rep writes it
	if err != nil {
		t.Fatal(err)
	}
	if mv.OldDate != "2026-03-01" || mv.Order.Date != "2026-02-20" || mv.Late != 1 {
		t.Errorf("moved %+v, want from 2026-03-01 to 2026-02-20 with the arrival check past", mv)
	}
	want := "first-week-call:pending four-week-checkin:pending monthly-tips:pending policy-sheet:sent"
	if got := f.stepStates(t, id); got != want {
		t.Errorf("steps %q\nwant    %q", got, want)
	}
	// The moved steps are due as they are for an order of that date.
	bob, err := f.ws.Add(ctx, workspace.Fields{FirstName: workspace.Str("Bob"), Email: workspace.Str("bob@example.com")}, later)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.ws.AddOrder(ctx, bob.Contact, "2026-02-20", "", "", later); err != nil {
		t.Fatal(err)
	}
	q := "SELECT group_concat(step || '@' || due_at, ' ') FROM (SELECT * FROM messages WHERE contact_id = ? AND campaign = 'post-order' AND state = 'pending' ORDER BY step)"
	if got, want := f.str(t, q, jane.ID), f.str(t, q, bob.Contact.ID); got != want {
		t.Errorf("Jane's moved steps %s\nwant as a new order's %s", got, want)
	}
	rows, err := f.ws.Content.Timeline(ctx, f.st, jane)
	if err != nil {
		t.Fatal(err)
	}
	shown := false
	for _, r := range rows {
		shown = shown || r.Step == "arrival-check" && r.State == store.Skipped
	}
	if !shown {
		t.Error("the timeline does not show the arrival check skipped")
	}
	if _, err := f.ws.SetOrderDate(ctx, id, "soon", later); !errors.Is(err, workspace.ErrInvalid) {
		t.Errorf("a bad date: %v, want refused", err)
	}
	if h := f.history(t, jane); !strings.HasSuffix(h[len(h)-1], "corrected the date of order INV-1 of 2026-02-20 from 2026-03-01") {
		t.Errorf("history %q", h)
	}
}

// Skipping a repeating step skips that occurrence only: the next one is
// queued. A step that is not upcoming cannot be skipped.
func TestSkip(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	jane := f.jane(t)
	if _, err := f.ws.AddOrder(ctx, jane, "2026-03-01", "", "", now); err != nil {
		t.Fatal(err)
	}
	d, err := f.ws.SkipStep(ctx, jane, "post-order/monthly-tips", now)
	if err != nil {
		t.Fatal(err)
	}
	if d.Occurrence != 0 {
		t.Errorf("skipped occurrence %d, want the first", d.Occurrence)
	}
	got := f.str(t, "SELECT group_concat(occurrence || ':' || state, ' ') FROM (SELECT * FROM messages WHERE step = 'monthly-tips' ORDER BY occurrence)")
	if got != "0:skipped 1:pending" {
		t.Errorf("monthly tips %q, want the first skipped and the next queued", got)
	}
	if _, err := f.ws.Skip(ctx, jane, d.ID, now); !errors.Is(err, workspace.ErrInvalid) {
		t.Errorf("skipping a skipped row: %v, want refused", err)
	}
	if _, err := f.ws.SkipStep(ctx, jane, "post-order/nothing", now); !errors.Is(err, workspace.ErrInvalid) {
		t.Errorf("skipping a step not planned: %v", err)
	}
	bob, err := f.ws.Add(ctx, workspace.Fields{FirstName: workspace.Str("Bob"), Email: workspace.Str("bob@example.com")}, now)
	if err != nil {
		t.Fatal(err)
	}
	var janes int64
	if err := f.db.QueryRow("SELECT id FROM messages WHERE contact_id = ? AND state = 'pending' LIMIT 1", jane.ID).Scan(&janes); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ws.Skip(ctx, bob.Contact, janes, now); !errors.Is(err, workspace.ErrInvalid) {
		t.Errorf("skipping Jane's message as Bob's: %v, want refused", err)
	}
	if h := f.history(t, jane); !strings.Contains(h[len(h)-1], "skipped post-order/monthly-tips (due ") {
		t.Errorf("history %q", h)
	}
}
