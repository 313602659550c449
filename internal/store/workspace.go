package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/mattn/go-sqlite3"
)

// History kinds.
const (
	HistoryNote   = "note"   // the rep's own words about the customer
	HistoryChange = "change" // something the rep changed
)

// HistoryEntry is one line of a customer's history: a change the rep made
// or a note they wrote.
type HistoryEntry struct {
	ID        int64  `db:"id"`
	ContactID int64  `db:"contact_id"`
	Kind      string `db:"kind"`
	Who       string `db:"who"` // "rep (cli)", "rep (dashboard)"
	Text      string `db:"text"`
	CreatedAt int64  `db:"created_at"`
}

// AddHistory records a change or a note about a contact.
func (tx *Tx) AddHistory(ctx context.Context, h HistoryEntry) error {
	_, err := tx.exec(ctx, "history-insert", h.ContactID, h.Kind, h.Who, h.Text, h.CreatedAt)
	return err
}

// History is the contact's history, oldest first.
func (s *Store) History(ctx context.Context, contactID int64) ([]HistoryEntry, error) {
	return all[HistoryEntry](ctx, s, s.r, "history-of-contact", contactID)
}

// Notes are the rep's notes on the contact, oldest first.
func (s *Store) Notes(ctx context.Context, contactID int64) ([]HistoryEntry, error) {
	return all[HistoryEntry](ctx, s, s.r, "notes-of-contact", contactID)
}

// UpdateContact writes c's names, email, phone, time zone and text
// consent over the stored contact with c's ID. The caller has checked that
// no other contact has the email or phone.
func (tx *Tx) UpdateContact(ctx context.Context, c *Contact, now int64) error {
	_, err := tx.exec(ctx, "contact-update", c.FirstName, c.LastName, c.Email, c.Phone, c.Timezone,
		c.SMSConsent, c.SMSConsentAt, c.SMSConsentSource, c.SMSConsentText, now,
		c.EmailMarketing, c.EmailMarketingAt, c.EmailMarketingSource, c.EmailStatus, c.State, c.ID)
	if err != nil {
		return fmt.Errorf("update contact %s: %w", c.Label(), err)
	}
	c.UpdatedAt = now
	return nil
}

// SetPaused pauses the contact's messages from at (a Unix time), or
// resumes them when at is 0.
func (tx *Tx) SetPaused(ctx context.Context, contactID, at, now int64) error {
	_, err := tx.exec(ctx, "contact-set-paused", at, now, contactID)
	return err
}

// ContactCounts is what forgetting a contact deletes besides them.
type ContactCounts struct {
	Orders   int `db:"orders"`
	Messages int `db:"messages"`
	Replies  int `db:"replies"`
}

// CountsOf counts the contact's orders, messages and replies.
func (s *Store) CountsOf(ctx context.Context, contactID int64) (*ContactCounts, error) {
	return one[ContactCounts](ctx, s, s.r, "contact-counts", contactID, contactID, contactID)
}

// DeleteContact forgets a contact: their replies and notices, then the
// contact with their orders, journeys, messages and history.
func (tx *Tx) DeleteContact(ctx context.Context, contactID int64) error {
	_, err := tx.exec(ctx, "contact-delete-replies", contactID)
	if err == nil {
		_, err = tx.exec(ctx, "contact-delete-notices", contactID)
	}
	if err == nil {
		_, err = tx.exec(ctx, "contact-delete", contactID)
	}
	if err != nil {
		return fmt.Errorf("forget contact %d: %w", contactID, err)
	}
	return nil
}

// OrdersOf lists a contact's orders by date, or everyone's when contactID
// is 0.
func (s *Store) OrdersOf(ctx context.Context, contactID int64) ([]Order, error) {
	if contactID == 0 {
		return all[Order](ctx, s, s.r, "orders-all")
	}
	return all[Order](ctx, s, s.r, "orders-of-contact", contactID)
}

// Order reads an order inside a transaction.
func (tx *Tx) Order(ctx context.Context, id int64) (*Order, error) {
	return one[Order](ctx, tx.s, tx, "order-by-id", id)
}

// SetOrderDate corrects an order's date.
func (tx *Tx) SetOrderDate(ctx context.Context, id int64, date string) error {
	_, err := tx.exec(ctx, "order-set-date", date, id)
	return err
}

// CancelOrder marks an order cancelled and reports whether it stood
// until now.
func (tx *Tx) CancelOrder(ctx context.Context, id, now int64) (bool, error) {
	res, err := tx.exec(ctx, "order-cancel", now, id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, queryError("order-cancel", err)
	}
	return n > 0, nil
}

// JourneysOfOrder lists the journeys an order started.
func (tx *Tx) JourneysOfOrder(ctx context.Context, orderID int64) ([]Journey, error) {
	return all[Journey](ctx, tx.s, tx, "journeys-of-order", orderID)
}

// MoveJourney sets a journey's trigger and the moment it was planned,
// after deleting its pending rows for the caller to plan again.
func (tx *Tx) MoveJourney(ctx context.Context, j *Journey, triggerAt, now int64) error {
	if _, err := tx.exec(ctx, "messages-delete-pending-of-journey", j.ID); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, "journey-replan", triggerAt, now, j.ID); err != nil {
		return err
	}
	j.TriggerAt, j.CreatedAt = triggerAt, now
	tx.latest = nil // the latest journeys CancelOlderRepeats knew may have changed
	return nil
}

// CancelJourney cancels a journey's pending rows, with why.
func (tx *Tx) CancelJourney(ctx context.Context, journeyID int64, note string) (int64, error) {
	res, err := tx.exec(ctx, "messages-cancel-pending-of-journey", note, journeyID)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, queryError("messages-cancel-pending-of-journey", err)
	}
	return n, nil
}

// DueByID reads one queue row with its contact, journey and order.
func (tx *Tx) DueByID(ctx context.Context, id int64) (*Due, error) {
	return one[Due](ctx, tx.s, tx, "message-due", id)
}

// Contact reads a contact inside a transaction.
func (tx *Tx) Contact(ctx context.Context, id int64) (*Contact, error) {
	return one[Contact](ctx, tx.s, tx, "contact-by-id", id)
}

// IsUnique reports whether err is a broken UNIQUE constraint: the row
// would repeat one that is there.
func IsUnique(err error) bool {
	var se sqlite3.Error
	return errors.As(err, &se) && se.ExtendedCode == sqlite3.ErrConstraintUnique
}
