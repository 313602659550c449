package store

import (
	"context"
	"fmt"
)

// Appender writes the orders, journeys and queue rows of contacts created
// earlier in the same transaction, many rows per statement (insertRows).
// An import creates most of its contacts, and row by row each of their
// orders cost four statements (order, journey, queue rows, a look for older
// journeys), which was most of the import's time.
//
// It serves only contacts created in this transaction: their rows cannot
// meet stored ones, so it gives ids itself and skips what the Tx methods
// check (an order already recorded, a journey already started, older
// journeys to supersede). Flush before anything else in the transaction
// reads or writes orders, journeys or messages, and before commit.
type Appender struct {
	tx       *Tx
	orders   []Order
	journeys []Journey
	messages []Message
	// The next ids to give, read from the tables when the buffers are
	// empty: a write through the Tx since the last Flush takes the next one.
	nextOrder, nextJourney int64
}

// Appender returns an empty Appender writing in tx.
func (tx *Tx) Appender() *Appender { return &Appender{tx: tx} }

// AddOrder buffers o, a new contact's order, and gives it its id.
func (a *Appender) AddOrder(ctx context.Context, o *Order) (created bool, err error) {
	if err := a.ids(ctx); err != nil {
		return false, err
	}
	o.ID = a.nextOrder
	a.nextOrder++
	a.orders = append(a.orders, *o)
	return true, nil
}

// AddJourney buffers j, a new contact's journey, and gives it its id.
func (a *Appender) AddJourney(ctx context.Context, j *Journey) (created bool, err error) {
	if err := a.ids(ctx); err != nil {
		return false, err
	}
	j.ID = a.nextJourney
	a.nextJourney++
	a.journeys = append(a.journeys, *j)
	return true, nil
}

// AddMessages buffers queue rows of a new contact's journeys.
func (a *Appender) AddMessages(ctx context.Context, ms []Message) (int, error) {
	a.messages = append(a.messages, ms...)
	return len(ms), nil
}

// CancelOlderRepeats does nothing: a contact created in this transaction
// has no older journey.
func (a *Appender) CancelOlderRepeats(ctx context.Context, j *Journey, steps []string, note string) error {
	return nil
}

// SetSettingIfAbsent writes through to the transaction.
func (a *Appender) SetSettingIfAbsent(ctx context.Context, key, value string) error {
	return a.tx.SetSettingIfAbsent(ctx, key, value)
}

// Buffered is how many rows wait to be written.
func (a *Appender) Buffered() int { return len(a.orders) + len(a.journeys) + len(a.messages) }

// Flush writes what is buffered: orders, then journeys, then queue rows,
// so that each row's parent is there before it.
func (a *Appender) Flush(ctx context.Context) error {
	defer func() {
		// Emptied, not dropped: the next rows reuse the buffers.
		clear(a.orders)
		clear(a.journeys)
		clear(a.messages)
		a.orders, a.journeys, a.messages = a.orders[:0], a.journeys[:0], a.messages[:0]
		a.nextOrder, a.nextJourney = 0, 0
	}()
	_, err := a.tx.insertRows(ctx, "order-append", len(a.orders), func(i int, args []any) []any {
		o := &a.orders[i]
		return append(args, o.ID, o.ContactID, o.Date, o.Invoice, o.Items, o.CreatedAt, o.Company)
	})
	if err != nil {
		return fmt.Errorf("record orders: %w", err)
	}
	_, err = a.tx.insertRows(ctx, "journey-append", len(a.journeys), func(i int, args []any) []any {
		j := &a.journeys[i]
		return append(args, j.ID, j.Campaign, j.ContactID, j.OrderID, j.TriggerAt, j.DateOnly, j.CreatedAt)
	})
	if err != nil {
		return fmt.Errorf("start journeys: %w", err)
	}
	_, err = a.tx.insertRows(ctx, "message-insert", len(a.messages), func(i int, args []any) []any {
		return messageValues(&a.messages[i], args)
	})
	if err != nil {
		return fmt.Errorf("queue steps: %w", err)
	}
	return nil
}

// ids reads the next free ids when none are being given.
func (a *Appender) ids(ctx context.Context) error {
	if a.nextOrder != 0 {
		return nil
	}
	next, err := valueOf[struct {
		Order   int64 `db:"next_order"`
		Journey int64 `db:"next_journey"`
	}](ctx, a.tx.s, a.tx, "next-ids")
	if err != nil {
		return err
	}
	a.nextOrder, a.nextJourney = next.Order, next.Journey
	return nil
}
