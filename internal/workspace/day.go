package workspace

import (
	"context"
	"fmt"
	"time"

	"github.com/rapportapp/rapport/internal/store"
)

// The rep's day: a task done or moved to tomorrow, a failed send tried
// again. Each names a queue row by its id, as the dashboard's Today page
// has it, and goes in the customer's history.

// TaskDone marks the task row messageID done and returns it.
func (w *Workspace) TaskDone(ctx context.Context, messageID int64, now time.Time) (*store.Due, error) {
	return w.onRow(ctx, messageID, now, func(tx *store.Tx, d *store.Due) (string, error) {
		ok, err := w.Content.TaskDone(ctx, tx, d, now)
		if err != nil || !ok {
			return "", orGone(err, d, "is not an open task")
		}
		return fmt.Sprintf("did the task %s/%s", d.Campaign, d.Step), nil
	})
}

// TaskTomorrow moves the task row messageID to tomorrow and returns it.
func (w *Workspace) TaskTomorrow(ctx context.Context, messageID int64, now time.Time) (*store.Due, error) {
	return w.onRow(ctx, messageID, now, func(tx *store.Tx, d *store.Due) (string, error) {
		due, err := w.Content.TaskTomorrow(ctx, tx, d, now)
		if err != nil || due.IsZero() {
			return "", orGone(err, d, "is not an open task")
		}
		return fmt.Sprintf("moved the task %s/%s to %s", d.Campaign, d.Step, due.Format("Mon 2 Jan 15:04 MST")), nil
	})
}

// Retry sends the failed row messageID back to the queue (once) and
// returns it.
func (w *Workspace) Retry(ctx context.Context, messageID int64, now time.Time) (*store.Due, error) {
	return w.onRow(ctx, messageID, now, func(tx *store.Tx, d *store.Due) (string, error) {
		ok, err := w.Content.RetryRow(ctx, tx, d, now)
		if err != nil || !ok {
			return "", orGone(err, d, "did not fail, or was tried again already")
		}
		return fmt.Sprintf("sent %s/%s (%s) again after it failed: %s", d.Campaign, d.Step, d.Channel, d.Error), nil
	})
}

// onRow reads queue row id and applies change to it in one transaction
// with the line change returns in the customer's history.
func (w *Workspace) onRow(ctx context.Context, id int64, now time.Time, change func(*store.Tx, *store.Due) (string, error)) (*store.Due, error) {
	var d *store.Due
	err := w.Store.Tx(ctx, func(tx *store.Tx) error {
		var err error
		d, err = tx.DueByID(ctx, id)
		if store.IsNotFound(err) {
			return invalidf("there is no message %d", id)
		}
		if err != nil {
			return err
		}
		line, err := change(tx, d)
		if err != nil {
			return err
		}
		return w.record(ctx, tx, d.ContactID, store.HistoryChange, line, now)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// orGone is err, or when the change found nothing to do, the rep's error
// saying so (the page was old, or a second click).
func orGone(err error, d *store.Due, why string) error {
	if err != nil {
		return err
	}
	return invalidf("%s/%s for %s %s", d.Campaign, d.Step, d.Contact.Label(), why)
}
