package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Order is one customer order.
type Order struct {
	ID        int64  `db:"id"`
	ContactID int64  `db:"contact_id"`
	Date      string `db:"order_date"` // YYYY-MM-DD
	Invoice   string `db:"invoice"`
	Items     string `db:"items"`
	CreatedAt int64  `db:"created_at"`
	// CancelledAt is when the rep cancelled the order, 0 while it stands.
	CancelledAt int64  `db:"cancelled_at"`
	Company     string `db:"company"` // '' for the default [policy]
}

// Journey is one contact going through one campaign.
type Journey struct {
	ID        int64  `db:"id"`
	Campaign  string `db:"campaign"`
	ContactID int64  `db:"contact_id"`
	OrderID   int64  `db:"order_id"`
	TriggerAt int64  `db:"trigger_at"`
	DateOnly  bool   `db:"date_only"`
	CreatedAt int64  `db:"created_at"`
}

// AddOrder records an order unless the same one (contact, date, invoice)
// is there already; o.ID is set either way. created says whether it is new.
func (tx *Tx) AddOrder(ctx context.Context, o *Order) (created bool, err error) {
	res, err := tx.exec(ctx, "order-insert", o.ContactID, o.Date, o.Invoice, o.Items, o.CreatedAt, o.Company)
	if err != nil {
		return false, fmt.Errorf("record order: %w", err)
	}
	if created, err := inserted(res, "order-insert", &o.ID); err != nil || created {
		return created, err
	}
	found, err := one[Order](ctx, tx.s, tx, "order-find", o.ContactID, o.Date, o.Invoice)
	if err != nil {
		return false, err
	}
	*o = *found
	return false, nil
}

// inserted reports whether the named INSERT ... DO NOTHING made its row,
// and sets *id to the new row's id when it did.
func inserted(res sql.Result, name string, id *int64) (bool, error) {
	n, err := res.RowsAffected()
	if err != nil {
		return false, queryError(name, err)
	}
	if n == 0 {
		return false, nil
	}
	last, err := res.LastInsertId()
	if err != nil {
		return false, queryError(name, err)
	}
	*id = last
	return true, nil
}

// AddJourney starts a journey unless it exists; j.ID is set either way.
func (tx *Tx) AddJourney(ctx context.Context, j *Journey) (created bool, err error) {
	res, err := tx.exec(ctx, "journey-insert", j.Campaign, j.ContactID, j.OrderID, j.TriggerAt, j.DateOnly, j.CreatedAt)
	if err != nil {
		return false, fmt.Errorf("start journey: %w", err)
	}
	if created, err := inserted(res, "journey-insert", &j.ID); err != nil || created {
		return created, err
	}
	found, err := one[Journey](ctx, tx.s, tx, "journey-find", j.Campaign, j.ContactID, j.OrderID)
	if err != nil {
		return false, err
	}
	*j = *found
	return false, nil
}

// Journeys pages through every journey (for reconciling edited campaigns).
func (s *Store) Journeys(ctx context.Context, afterID int64, limit int) ([]Journey, error) {
	return all[Journey](ctx, s, s.r, "journeys-all", afterID, limit)
}

// JourneysOf returns a contact's journeys, oldest first.
func (s *Store) JourneysOf(ctx context.Context, contactID int64) ([]Journey, error) {
	return all[Journey](ctx, s, s.r, "journeys-of-contact", contactID)
}

// Order returns an order by id.
func (s *Store) Order(ctx context.Context, id int64) (*Order, error) {
	return one[Order](ctx, s, s.r, "order-by-id", id)
}

// LatestOrder returns the contact's most recent order.
func (s *Store) LatestOrder(ctx context.Context, contactID int64) (*Order, error) {
	return one[Order](ctx, s, s.r, "order-latest", contactID)
}

// CancelOlderRepeats cancels the pending occurrences of the given
// (repeating) steps in all but the contact's latest journey of the
// campaign (by order date): the latest order restarts the monthly rhythm
// instead of doubling it, even when an older order is recorded after it
// (an export often lists the newest order first). j is the journey just
// started or moved.
//
// Once it has run, only the latest journey of the contact and campaign has
// pending repeats, and the transaction remembers which journey that is:
// the next journey started then only needs one of the two compared, so a
// customer with thousands of orders costs each order the same. Anything
// else that moves journeys in the transaction (MoveJourney) forgets it.
func (tx *Tx) CancelOlderRepeats(ctx context.Context, j *Journey, steps []string, note string) error {
	if len(steps) == 0 {
		return nil
	}
	key := repeatKey{j.ContactID, j.Campaign}
	if last, ok := tx.latest[key]; ok && last.ID != j.ID {
		older := j
		if later(j, last) {
			older = &last
		}
		if err := tx.cancelRepeats(ctx, older, steps, note); err != nil {
			return err
		}
		tx.remember(key, latestOf(j, last))
		return nil
	}
	latest, err := tx.cancelAllOlderRepeats(ctx, j, steps, note)
	if err != nil {
		return err
	}
	tx.remember(key, latest)
	return nil
}

// repeatKey is a contact's journeys of one campaign.
type repeatKey struct {
	contactID int64
	campaign  string
}

// maxLatest bounds how many contacts' latest journeys a transaction
// remembers: an import's orders of one customer mostly come together, and
// a contact forgotten costs one full look (cancelAllOlderRepeats) again.
const maxLatest = 4096

func (tx *Tx) remember(key repeatKey, j Journey) {
	if tx.latest == nil || len(tx.latest) >= maxLatest {
		tx.latest = make(map[repeatKey]Journey)
	}
	tx.latest[key] = Journey{ID: j.ID, Campaign: j.Campaign, TriggerAt: j.TriggerAt}
}

// later reports whether journey a comes after b: a later trigger, or on
// the same one, started later.
func later(a *Journey, b Journey) bool {
	return a.TriggerAt > b.TriggerAt || a.TriggerAt == b.TriggerAt && a.ID > b.ID
}

func latestOf(a *Journey, b Journey) Journey {
	if later(a, b) {
		return *a
	}
	return b
}

// cancelRepeats cancels journey j's pending occurrences of steps.
func (tx *Tx) cancelRepeats(ctx context.Context, j *Journey, steps []string, note string) error {
	for _, step := range steps {
		if _, err := tx.exec(ctx, "message-cancel-pending-step", note, j.ID, step); err != nil {
			return fmt.Errorf("cancel older %s/%s: %w", j.Campaign, step, err)
		}
	}
	return nil
}

// cancelAllOlderRepeats looks at every journey of j's contact and campaign
// and returns the latest. Most contacts have one journey of a campaign:
// one count by the journeys' unique key settles that, and the rest runs
// only for the others. (One UPDATE with the lookup as a subquery was
// compiled again by SQLite on every run; an import keeps only the unique
// indexes, see Tx.Bulk.)
func (tx *Tx) cancelAllOlderRepeats(ctx context.Context, j *Journey, steps []string, note string) (Journey, error) {
	n, err := valueOf[int](ctx, tx.s, tx, "journeys-of-campaign-count", j.Campaign, j.ContactID)
	if err != nil {
		return Journey{}, fmt.Errorf("count journeys of %s: %w", j.Campaign, err)
	}
	if n < 2 {
		return *j, nil
	}
	js, err := all[Journey](ctx, tx.s, tx, "journeys-of-campaign", j.Campaign, j.ContactID)
	if err != nil {
		return Journey{}, fmt.Errorf("find journeys of %s: %w", j.Campaign, err)
	}
	latest := js[0]
	for i := range js[1:] {
		latest = latestOf(&js[i+1], latest)
	}
	for i := range js {
		if js[i].ID == latest.ID {
			continue
		}
		if err := tx.cancelRepeats(ctx, &js[i], steps, note); err != nil {
			return Journey{}, err
		}
	}
	return latest, nil
}

// IsNotFound reports whether err means a row was missing.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
