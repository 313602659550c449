package store

import (
	"context"
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
	res, err := tx.exec(ctx, "order-insert", o.ContactID, o.Date, o.Invoice, o.Items, o.CreatedAt)
	if err != nil {
		return false, fmt.Errorf("record order: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		o.ID, err = res.LastInsertId()
		return true, err
	}
	return false, get(ctx, tx, tx.s.query("order-find"), o, o.ContactID, o.Date, o.Invoice)
}

// AddJourney starts a journey unless it exists; j.ID is set either way.
func (tx *Tx) AddJourney(ctx context.Context, j *Journey) (created bool, err error) {
	res, err := tx.exec(ctx, "journey-insert", j.Campaign, j.ContactID, j.OrderID, j.TriggerAt, j.DateOnly, j.CreatedAt)
	if err != nil {
		return false, fmt.Errorf("start journey: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		j.ID, err = res.LastInsertId()
		return true, err
	}
	return false, get(ctx, tx, tx.s.query("journey-find"), j, j.Campaign, j.ContactID, j.OrderID)
}

// Journeys pages through every journey (for reconciling edited campaigns).
func (s *Store) Journeys(ctx context.Context, afterID int64, limit int) ([]Journey, error) {
	var out []Journey
	err := s.r.SelectContext(ctx, &out, s.query("journeys-all"), afterID, limit)
	return out, err
}

// JourneysOf returns a contact's journeys, oldest first.
func (s *Store) JourneysOf(ctx context.Context, contactID int64) ([]Journey, error) {
	var out []Journey
	err := s.r.SelectContext(ctx, &out, `SELECT id, campaign, contact_id, order_id, trigger_at, date_only, created_at
		FROM journeys WHERE contact_id = ? ORDER BY trigger_at, id`, contactID)
	return out, err
}

// Order returns an order by id.
func (s *Store) Order(ctx context.Context, id int64) (*Order, error) {
	var o Order
	err := get(ctx, s.r, `SELECT id, contact_id, order_date, invoice, items, created_at FROM orders WHERE id = ?`, &o, id)
	return &o, err
}

// LatestOrder returns the contact's most recent order.
func (s *Store) LatestOrder(ctx context.Context, contactID int64) (*Order, error) {
	var o Order
	err := get(ctx, s.r, `SELECT id, contact_id, order_date, invoice, items, created_at FROM orders
		WHERE contact_id = ? ORDER BY order_date DESC, id DESC LIMIT 1`, &o, contactID)
	return &o, err
}

// CancelOlderRepeats cancels the pending occurrences of the given
// (repeating) steps in all but the contact's latest journey of the
// campaign (by order date): the latest order restarts the monthly rhythm
// instead of doubling it, even when an older order is recorded after it
// (an export often lists the newest order first).
//
// An import runs this for every order, and most contacts have one journey
// of a campaign: one count by the journeys' unique key settles that, and
// the rest runs only for the others. (One UPDATE with the lookup as a
// subquery was compiled again by SQLite on every run, and took 40% of an
// import's time.)
func (tx *Tx) CancelOlderRepeats(ctx context.Context, contactID int64, campaign string, steps []string, note string) error {
	if len(steps) == 0 {
		return nil
	}
	var n int
	if err := tx.QueryRowContext(ctx, tx.s.query("journeys-of-campaign-count"), campaign, contactID).Scan(&n); err != nil {
		return fmt.Errorf("count journeys of %s: %w", campaign, err)
	}
	if n < 2 {
		return nil
	}
	var js []struct {
		ID        int64 `db:"id"`
		TriggerAt int64 `db:"trigger_at"`
	}
	if err := tx.SelectContext(ctx, &js, tx.s.query("journeys-of-campaign"), campaign, contactID); err != nil {
		return fmt.Errorf("find journeys of %s: %w", campaign, err)
	}
	latest := js[0]
	for _, j := range js[1:] {
		if j.TriggerAt > latest.TriggerAt || j.TriggerAt == latest.TriggerAt && j.ID > latest.ID {
			latest = j
		}
	}
	for _, j := range js {
		if j.ID == latest.ID {
			continue
		}
		for _, step := range steps {
			if _, err := tx.exec(ctx, "message-cancel-pending-step", note, j.ID, step); err != nil {
				return fmt.Errorf("cancel older %s/%s: %w", campaign, step, err)
			}
		}
	}
	return nil
}

// IsNotFound reports whether err means a row was missing.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
