package store

import (
	"context"
	"fmt"
)

// Case is a customer's problem followed through until it is fixed.
type Case struct {
	ID          int64  `db:"id"`
	ContactID   int64  `db:"contact_id"`
	OrderID     int64  `db:"order_id"` // 0: no order named
	ReplyID     int64  `db:"reply_id"` // 0: opened by hand
	Kind        string `db:"kind"`
	State       string `db:"state"`
	Outcome     string `db:"outcome"`
	Invoice     string `db:"invoice"`
	Product     string `db:"product"`
	Code        string `db:"code"`
	Expiry      string `db:"expiry"`
	Description string `db:"description"`
	Received    string `db:"received"` // YYYY-MM-DD
	// ReceivedFrom says where Received came from when Rapport assumed it
	// (see migration 0016); "" when the rep gave it.
	ReceivedFrom string `db:"received_from"`
	RAN          string `db:"ran"`        // return authorisation number
	RANIssued    string `db:"ran_issued"` // YYYY-MM-DD
	OpenedAt     int64  `db:"opened_at"`
	UpdatedAt    int64  `db:"updated_at"`
	ReportedAt   int64  `db:"reported_at"`
	ToldAt       int64  `db:"told_at"`
	ClosedAt     int64  `db:"closed_at"`    // 0 while open
	ContactName  string `db:"contact_name"` // read only
	OrderDate    string `db:"order_date"`   // read only: YYYY-MM-DD, "" without an order
	Company      string `db:"company"`      // read only: the order's company
}

// CaseEvent is one dated change of a case.
type CaseEvent struct {
	ID     int64  `db:"id"`
	CaseID int64  `db:"case_id"`
	At     int64  `db:"at"`
	State  string `db:"state"`
	Note   string `db:"note"`
}

// AddCase records a new case and its first event; k.ID is set.
func (tx *Tx) AddCase(ctx context.Context, k *Case, note string) error {
	res, err := tx.named(ctx, "case-insert", k)
	if err != nil {
		return fmt.Errorf("open case: %w", err)
	}
	if _, err := inserted(res, "case-insert", &k.ID); err != nil {
		return fmt.Errorf("open case: %w", err)
	}
	return tx.AddCaseEvent(ctx, CaseEvent{CaseID: k.ID, At: k.OpenedAt, State: k.State, Note: note})
}

// SaveCase writes a case's changeable fields.
func (tx *Tx) SaveCase(ctx context.Context, k *Case) error {
	if _, err := tx.named(ctx, "case-update", k); err != nil {
		return fmt.Errorf("save case %d: %w", k.ID, err)
	}
	return nil
}

// AddCaseEvent records one change of a case.
func (tx *Tx) AddCaseEvent(ctx context.Context, e CaseEvent) error {
	if _, err := tx.exec(ctx, "case-event-insert", e.CaseID, e.At, e.State, e.Note); err != nil {
		return fmt.Errorf("record change of case %d: %w", e.CaseID, err)
	}
	return nil
}

// StepAnsweredAt is when the customer first answered step of the
// journeys of an order, up to until (unix seconds); 0 when they did not.
func (s *Store) StepAnsweredAt(ctx context.Context, orderID int64, step string, until int64) (int64, error) {
	return valueOf[int64](ctx, s, s.r, "order-step-answered", orderID, step, until)
}

// Case returns one case.
func (s *Store) Case(ctx context.Context, id int64) (*Case, error) {
	return one[Case](ctx, s, s.r, "case-by-id", id)
}

// Cases lists the open cases, oldest first; with closedToo, the closed
// ones follow, latest closed first.
func (s *Store) Cases(ctx context.Context, closedToo bool) ([]Case, error) {
	if closedToo {
		return all[Case](ctx, s, s.r, "cases-all")
	}
	return all[Case](ctx, s, s.r, "cases-open")
}

// CaseEvents returns a case's changes in time order.
func (s *Store) CaseEvents(ctx context.Context, caseID int64) ([]CaseEvent, error) {
	return all[CaseEvent](ctx, s, s.r, "case-events", caseID)
}
