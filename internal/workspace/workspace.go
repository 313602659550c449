// Package workspace holds what the rep does by hand to one customer or one
// order, from the command line or the dashboard: add, correct or forget a
// customer, add, re-date or cancel an order, pause and resume a customer's
// messages, skip one step, write a note. Every change is recorded in the
// customer's history with who made it ("rep (cli)", "rep (dashboard)").
//
// Input is checked as an import checks a row (contact's normalisation and
// cleaning); what the rep got wrong comes back as an error that
// errors.Is(err, ErrInvalid), with every problem at once.
package workspace

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/store"
)

// Who made a change, as the history shows it.
const (
	ByCLI       = "rep (cli)"
	ByDashboard = "rep (dashboard)"
)

// MaxNoteLen bounds a note, in characters: a note is a few lines, not a
// pasted email thread.
const MaxNoteLen = 2000

// ErrInvalid marks an error in what the rep asked for (a bad value, an
// email another customer has, an order already cancelled), as opposed to
// a failure of the database.
var ErrInvalid = errors.New("invalid request")

// InputError lists what is wrong with the rep's input.
type InputError struct{ Problems []string }

func (e *InputError) Error() string        { return strings.Join(e.Problems, "; ") }
func (e *InputError) Is(target error) bool { return target == ErrInvalid }

func invalidf(format string, args ...any) error {
	return &InputError{Problems: []string{fmt.Sprintf(format, args...)}}
}

// TakenError is an email or phone that belongs to another customer:
// Rapport never merges two customers on the rep's word.
type TakenError struct {
	Field, Value string
	Owner        *store.Contact
}

func (e *TakenError) Error() string {
	return fmt.Sprintf("%s %s belongs to %s (contact %d): change or remove theirs first (`rapport contacts edit %d`)",
		e.Field, e.Value, e.Owner.Label(), e.Owner.ID, e.Owner.ID)
}

func (e *TakenError) Is(target error) bool { return target == ErrInvalid }

// Workspace is the rep's hand on the customers: the store, the campaigns
// of the moment and the rep's country (phones and dates are read with it).
type Workspace struct {
	Store   *store.Store
	Content *engine.Content
	Region  string // the rep's two-letter country
	Who     string // ByCLI or ByDashboard
}

// record adds a line to the customer's history.
func (w *Workspace) record(ctx context.Context, tx *store.Tx, contactID int64, kind, text string, now time.Time) error {
	return tx.AddHistory(ctx, store.HistoryEntry{ContactID: contactID, Kind: kind, Who: w.Who, Text: text, CreatedAt: now.Unix()})
}

// today is the rep's date now, YYYY-MM-DD.
func (w *Workspace) today(now time.Time) string {
	return now.In(w.Content.Rules.RepZone).Format(time.DateOnly)
}

// History is the customer's history, oldest first.
func (w *Workspace) History(ctx context.Context, ct *store.Contact) ([]store.HistoryEntry, error) {
	h, err := w.Store.History(ctx, ct.ID)
	if err != nil {
		return nil, fmt.Errorf("history of %s: %w", ct.Label(), err)
	}
	return h, nil
}
