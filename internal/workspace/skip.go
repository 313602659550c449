package workspace

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/rapportapp/rapport/internal/store"
)

// SkipNote is the note a step the rep skipped carries.
const SkipNote = "skipped by the rep"

// Skip skips one upcoming queue row of the customer (by its id, as the
// dashboard's timeline has it): it will not go; the next occurrence of a
// repeating step is queued. It returns the row skipped.
func (w *Workspace) Skip(ctx context.Context, ct *store.Contact, messageID int64, now time.Time) (*store.Due, error) {
	var d *store.Due
	err := w.Store.Tx(ctx, func(tx *store.Tx) error {
		var err error
		d, err = tx.DueByID(ctx, messageID)
		if store.IsNotFound(err) || err == nil && d.ContactID != ct.ID {
			return invalidf("%s has no message %d", ct.Label(), messageID)
		}
		if err != nil {
			return err
		}
		ok, err := w.Content.SkipRow(ctx, tx, d, SkipNote, now)
		if err != nil {
			return err
		}
		if !ok {
			return invalidf("%s/%s is %s: only an upcoming step can be skipped", d.Campaign, d.Step, d.State)
		}
		due := time.Unix(d.DueAt, 0).In(w.Content.Zone(ct)).Format("Mon 2 Jan 2006 15:04 MST")
		return w.record(ctx, tx, ct.ID, store.HistoryChange, fmt.Sprintf("skipped %s/%s (due %s)", d.Campaign, d.Step, due), now)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// SkipStep skips the customer's next pending occurrence of step, written
// CAMPAIGN/STEP as `rapport preview` shows it.
func (w *Workspace) SkipStep(ctx context.Context, ct *store.Contact, step string, now time.Time) (*store.Due, error) {
	cp, st, ok := strings.Cut(step, "/")
	if !ok || cp == "" || st == "" {
		return nil, invalidf("step %q: write it CAMPAIGN/STEP, as `rapport preview` shows it", step)
	}
	rows, err := w.Store.ContactTimeline(ctx, ct.ID, w.Content.Holds())
	if err != nil {
		return nil, fmt.Errorf("timeline of %s: %w", ct.Label(), err)
	}
	for _, r := range rows { // by due time: the first is the next
		if r.State == store.Pending && r.Campaign == cp && r.Step == st {
			return w.Skip(ctx, ct, r.ID, now)
		}
	}
	return nil, invalidf("%s has no upcoming %s (`rapport preview %d` shows what is planned)", ct.Label(), step, ct.ID)
}
