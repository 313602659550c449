package workspace

import (
	"context"
	"fmt"
	"time"

	"github.com/rapportapp/rapport/internal/contact"
	"github.com/rapportapp/rapport/internal/enroll"
	"github.com/rapportapp/rapport/internal/store"
)

// Order states, as `rapport order list --json` gives them.
const (
	OrderActive    = "active"
	OrderCancelled = "cancelled"
)

// OrderView is an order as the rep sees it.
type OrderView struct {
	store.Order
	State string // OrderActive or OrderCancelled
}

// Orders lists a customer's orders by date, or everyone's when ct is nil.
func (w *Workspace) Orders(ctx context.Context, ct *store.Contact) ([]OrderView, error) {
	var id int64
	if ct != nil {
		id = ct.ID
	}
	os, err := w.Store.OrdersOf(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("list orders: %w", err)
	}
	out := make([]OrderView, len(os))
	for i, o := range os {
		out[i] = OrderView{Order: o, State: orderState(&o)}
	}
	return out, nil
}

func orderState(o *store.Order) string {
	if o.CancelledAt != 0 {
		return OrderCancelled
	}
	return OrderActive
}

// parseDate reads an order date as an import does (the rep's country
// decides 3/4/2026), or says what to write.
func (w *Workspace) parseDate(s string) (string, error) {
	d, err := contact.ParseDate(s, w.Region)
	if err != nil {
		return "", invalidf("order date %q: %v", s, err)
	}
	return d, nil
}

// AddOrder records an order of the customer, its invoice and items cleaned
// as an import cleans them, and starts its journeys. An empty date is
// today in the rep's zone.
func (w *Workspace) AddOrder(ctx context.Context, ct *store.Contact, date, invoice, items string, now time.Time) (*enroll.Result, error) {
	if date == "" {
		date = w.today(now)
	}
	day, err := w.parseDate(date)
	if err != nil {
		return nil, err
	}
	o := contact.Order{Date: day, Invoice: invoice, Items: items}
	o.Clean()
	res, err := enroll.Order(ctx, w.Store, w.Content, ct, store.Order{Date: o.Date, Invoice: o.Invoice, Items: o.Items}, now)
	if err != nil {
		return nil, err
	}
	if !res.New {
		return res, nil
	}
	err = w.Store.Tx(ctx, func(tx *store.Tx) error {
		return w.record(ctx, tx, ct.ID, store.HistoryChange, "added "+orderLabel(o.Date, o.Invoice), now)
	})
	if err != nil {
		return nil, fmt.Errorf("record the new order of %s: %w", ct.Label(), err)
	}
	return res, nil
}

func orderLabel(date, invoice string) string {
	if invoice == "" {
		return "the order of " + date
	}
	return fmt.Sprintf("order %s of %s", invoice, date)
}

// order reads an order, or says there is none.
func (w *Workspace) order(ctx context.Context, tx *store.Tx, id int64) (*store.Order, error) {
	o, err := tx.Order(ctx, id)
	if store.IsNotFound(err) {
		return nil, invalidf("no order %d: `rapport order list` lists them", id)
	}
	return o, err
}

// MovedOrder is what correcting an order's date did.
type MovedOrder struct {
	Order    store.Order
	Contact  *store.Contact
	OldDate  string
	Late     int         // steps now past: not queued
	Upcoming []store.Due // the customer's pending steps afterwards
}

// SetOrderDate corrects an order's date and plans its journeys' pending
// steps again from it: steps already sent stay, and steps whose moment
// has passed are skipped, as an import does for past orders.
func (w *Workspace) SetOrderDate(ctx context.Context, id int64, date string, now time.Time) (*MovedOrder, error) {
	day, err := w.parseDate(date)
	if err != nil {
		return nil, err
	}
	var mv MovedOrder
	err = w.Store.Tx(ctx, func(tx *store.Tx) error {
		o, err := w.order(ctx, tx, id)
		if err != nil {
			return err
		}
		if o.CancelledAt != 0 {
			return invalidf("order %d is cancelled: its date no longer matters", id)
		}
		mv.Order, mv.OldDate = *o, o.Date
		if o.Date == day {
			return nil
		}
		return w.moveOrder(ctx, tx, &mv, day, now)
	})
	if err != nil {
		return nil, err
	}
	if mv.Contact == nil { // the same date: nothing moved
		if mv.Contact, err = w.Store.Contact(ctx, mv.Order.ContactID); err != nil {
			return nil, err
		}
	}
	if mv.Upcoming, err = enroll.Upcoming(ctx, w.Store, w.Content, mv.Contact); err != nil {
		return nil, err
	}
	return &mv, nil
}

func (w *Workspace) moveOrder(ctx context.Context, tx *store.Tx, mv *MovedOrder, day string, now time.Time) error {
	o := &mv.Order
	if err := tx.SetOrderDate(ctx, o.ID, day); err != nil {
		if store.IsUnique(err) {
			return invalidf("the customer already has an order of %s with invoice %q", day, o.Invoice)
		}
		return err
	}
	o.Date = day
	ct, err := tx.Contact(ctx, o.ContactID)
	if err != nil {
		return err
	}
	mv.Contact = ct
	if mv.Late, err = w.Content.MoveOrder(ctx, tx, ct, o, now); err != nil {
		return err
	}
	text := fmt.Sprintf("corrected the date of %s from %s", orderLabel(day, o.Invoice), mv.OldDate)
	return w.record(ctx, tx, ct.ID, store.HistoryChange, text, now)
}

// CancelOrder cancels an order: its journeys' pending steps are
// cancelled, the steps sent stay in the history. It returns the order and
// how many steps it cancelled.
func (w *Workspace) CancelOrder(ctx context.Context, id int64, now time.Time) (*OrderView, int64, error) {
	var o *store.Order
	var n int64
	err := w.Store.Tx(ctx, func(tx *store.Tx) error {
		var err error
		if o, err = w.order(ctx, tx, id); err != nil {
			return err
		}
		ok, err := tx.CancelOrder(ctx, id, now.Unix())
		if err != nil {
			return err
		}
		if !ok {
			return invalidf("order %d is already cancelled", id)
		}
		o.CancelledAt = now.Unix()
		if n, err = w.cancelJourneys(ctx, tx, o); err != nil {
			return err
		}
		return w.record(ctx, tx, o.ContactID, store.HistoryChange, "cancelled "+orderLabel(o.Date, o.Invoice), now)
	})
	if err != nil {
		return nil, 0, err
	}
	return &OrderView{Order: *o, State: OrderCancelled}, n, nil
}

func (w *Workspace) cancelJourneys(ctx context.Context, tx *store.Tx, o *store.Order) (int64, error) {
	js, err := tx.JourneysOfOrder(ctx, o.ID)
	if err != nil {
		return 0, err
	}
	var n int64
	for _, j := range js {
		k, err := tx.CancelJourney(ctx, j.ID, "order cancelled by the rep")
		if err != nil {
			return 0, err
		}
		n += k
	}
	return n, nil
}
