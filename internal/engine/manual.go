package engine

import (
	"context"
	"fmt"
	"time"

	"github.com/rapportapp/rapport/internal/campaign"
	"github.com/rapportapp/rapport/internal/schedule"
	"github.com/rapportapp/rapport/internal/store"
)

// What the rep does by hand to one customer's queue: skip a step, move an
// order's date. Both run in the caller's transaction, so the change and
// its line in the customer's history go together.

// SkipRow ends a pending queue row as skipped, with note, and queues the
// next occurrence of a repeating step, as the dispatcher does when it
// skips one: skipping one month's tip does not end the tips. It reports
// false when the row is no longer pending.
func (c *Content) SkipRow(ctx context.Context, tx *store.Tx, d *store.Due, note string, now time.Time) (bool, error) {
	if d.State != store.Pending {
		return false, nil
	}
	if err := tx.Finish(ctx, d.ID, store.Skipped, note, ""); err != nil {
		return false, fmt.Errorf("skip %s/%s: %w", d.Campaign, d.Step, err)
	}
	return true, c.queueNextOf(ctx, tx, d, now)
}

// queueNextOf queues the next occurrence of d's step when it repeats, as
// the dispatcher does when it finishes one.
func (c *Content) queueNextOf(ctx context.Context, tx *store.Tx, d *store.Due, now time.Time) error {
	cp := c.Campaign(d.Campaign)
	if cp == nil {
		return nil
	}
	s, ok := cp.Step(d.Step)
	if !ok || s.Every == nil {
		return nil
	}
	loc := c.Zone(&d.Contact)
	k := c.nextOccurrence(s, &d.Journey, loc, d.Occurrence, now)
	_, err := tx.AddMessages(ctx, []store.Message{c.row(cp, s, &d.Journey, loc, k, now)})
	return err
}

// TaskDone marks the task row d done. A task the dispatcher has not yet
// handed out counts as handed out now, so it stays out of the digest and
// a repeating task's next occurrence is queued. It reports false when d is
// no open task.
func (c *Content) TaskDone(ctx context.Context, tx *store.Tx, d *store.Due, now time.Time) (bool, error) {
	ok, err := tx.TaskDone(ctx, d.ID, now.Unix())
	if err != nil || !ok {
		return false, err
	}
	if d.State != store.Pending {
		return true, nil // handing it out queued the next one
	}
	return true, c.queueNextOf(ctx, tx, d, now)
}

// TaskTomorrow moves the open task row d to tomorrow in the rep's zone, at
// the time of day it was due: the dispatcher hands it out again then, in
// that morning's digest. It returns the new due time, or the zero time when
// d is no open task.
func (c *Content) TaskTomorrow(ctx context.Context, tx *store.Tx, d *store.Due, now time.Time) (time.Time, error) {
	at := time.Unix(d.DueAt, 0).In(c.Rules.RepZone)
	y, m, day := now.In(c.Rules.RepZone).Date()
	due := time.Date(y, m, day+1, at.Hour(), at.Minute(), 0, 0, c.Rules.RepZone)
	ok, err := tx.TaskLater(ctx, d.ID, due.Unix(), "moved to "+localTime(due.Unix(), c.Rules.RepZone)+" by the rep")
	if err != nil || !ok {
		return time.Time{}, err
	}
	return due, nil
}

// RetryRow sends the failed row d back to the queue, due now: the
// dispatcher then decides about it as about any pending row (consent,
// quiet hours, the one-a-day rule, its moment passing). A row goes back
// once; it reports false when d is not failed or went back already.
func (c *Content) RetryRow(ctx context.Context, tx *store.Tx, d *store.Due, now time.Time) (bool, error) {
	return tx.Requeue(ctx, d.ID, now.Unix(), "sent again by the rep")
}

// MoveOrder re-plans the journeys of order o, whose date is now its Date:
// their pending rows go and are planned again from the new date. Rows
// already sent (or skipped, cancelled) stay; steps whose moment has now
// passed are not queued, as for an old order an import records. It
// returns how many steps that left out.
func (c *Content) MoveOrder(ctx context.Context, tx *store.Tx, ct *store.Contact, o *store.Order, now time.Time) (late int, err error) {
	d, err := schedule.ParseDate(o.Date)
	if err != nil {
		return 0, fmt.Errorf("order %d: %w", o.ID, err)
	}
	trigger := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix()
	js, err := tx.JourneysOfOrder(ctx, o.ID)
	if err != nil {
		return 0, err
	}
	for i := range js {
		j := &js[i]
		if err := tx.MoveJourney(ctx, j, trigger, now.Unix()); err != nil {
			return 0, err
		}
		cp := c.Campaign(j.Campaign)
		if cp == nil {
			continue // a campaign since removed: nothing to plan
		}
		n, err := c.replan(ctx, tx, cp, j, ct, now)
		if err != nil {
			return 0, err
		}
		late += n
		// The order may now be the latest, or no longer be.
		if err := tx.CancelOlderRepeats(ctx, j, repeatingSteps(cp), "superseded by a later order"); err != nil {
			return 0, err
		}
	}
	return late, nil
}

// replan queues journey j's steps again (its pending rows gone) and
// returns how many were left out because their moment has passed, less
// those that went already: a sent step was not left out.
func (c *Content) replan(ctx context.Context, tx *store.Tx, cp *campaign.Campaign, j *store.Journey, ct *store.Contact, now time.Time) (int, error) {
	have, err := tx.StepsOf(ctx, j.ID)
	if err != nil {
		return 0, err
	}
	late, err := c.Plan(ctx, tx, cp, j, ct, now)
	if err != nil {
		return 0, err
	}
	loc := c.Zone(ct)
	for i := range cp.Steps {
		if _, ok := have[cp.Steps[i].ID]; ok && c.passed(&cp.Steps[i], j, loc, now) {
			late--
		}
	}
	return late, nil
}
