package cases

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rapportapp/rapport/internal/store"
)

// ErrUsage marks a request the rep must correct (a bad kind, state or
// date): the CLI exits 2 on it.
var ErrUsage = errors.New("usage")

func usage(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUsage, fmt.Sprintf(format, args...))
}

// OpenFromReply opens a case from a customer's reply: its contact, their
// latest order, a kind from its flags unless kind is given, and the day
// they received the order as ReceivedDefault assumes it.
func OpenFromReply(ctx context.Context, st *store.Store, replyID int64, kind string, rules Rules, now time.Time) (*store.Case, error) {
	r, err := st.Reply(ctx, replyID)
	if err != nil {
		return nil, fmt.Errorf("open case from reply %d: %w", replyID, err)
	}
	if r.ContactID == 0 {
		return nil, usage("reply %d is from %s, who is not in your customers: add them first (rapport contacts add)", r.ID, r.From)
	}
	if kind == "" {
		kind = KindOfFlags(r.FlagList())
	}
	o, err := pickOrder(ctx, st, r.ContactID, 0)
	if err != nil {
		return nil, err
	}
	k := &store.Case{ContactID: r.ContactID, ReplyID: r.ID, Kind: kind, Description: strings.TrimSpace(r.Body)}
	if k.Received, k.ReceivedFrom, err = rules.ReceivedDefault(ctx, st, o, r.ReceivedAt); err != nil {
		return nil, err
	}
	return open(ctx, st, k, o, now, fmt.Sprintf("opened from reply %d", r.ID))
}

// OpenByHand opens a case for a contact and one of their orders (0: the
// latest, if any), received today until the rep says otherwise.
func OpenByHand(ctx context.Context, st *store.Store, contactID, orderID int64, kind string, zone *time.Location, now time.Time) (*store.Case, error) {
	o, err := pickOrder(ctx, st, contactID, orderID)
	if err != nil {
		return nil, err
	}
	k := &store.Case{ContactID: contactID, Kind: kind, Received: Today(now, zone).String(), ReceivedFrom: FromOpened}
	return open(ctx, st, k, o, now, "opened")
}

// open records k about order o (nil: none).
func open(ctx context.Context, st *store.Store, k *store.Case, o *store.Order, now time.Time, note string) (*store.Case, error) {
	if !slices.Contains(Kinds, k.Kind) {
		return nil, usage("unknown kind %q: the kinds are %s", k.Kind, strings.Join(Kinds, ", "))
	}
	if o != nil {
		k.OrderID, k.Invoice = o.ID, o.Invoice
		k.Product = firstItem(o.Items)
	}
	k.State, k.OpenedAt, k.UpdatedAt = Open, now.Unix(), now.Unix()
	if err := st.Tx(ctx, func(tx *store.Tx) error { return tx.AddCase(ctx, k, note) }); err != nil {
		return nil, err
	}
	return st.Case(ctx, k.ID)
}

// pickOrder is the order a case is about: the one named, which must be
// the contact's, or their latest; nil when they have none.
func pickOrder(ctx context.Context, st *store.Store, contactID, orderID int64) (*store.Order, error) {
	if orderID == 0 {
		o, err := st.LatestOrder(ctx, contactID)
		if store.IsNotFound(err) {
			return nil, nil
		}
		return o, err
	}
	o, err := st.Order(ctx, orderID)
	if store.IsNotFound(err) || (err == nil && o.ContactID != contactID) {
		return nil, usage("order %d is not one of this customer's orders (see rapport order list)", orderID)
	}
	return o, err
}

// firstItem is the product a one-item order is about; several items
// leave the product for the rep to fill in.
func firstItem(items string) string {
	if strings.ContainsAny(items, ",;") {
		return ""
	}
	return strings.TrimSpace(items)
}

// Change is what `cases update` sets; "" leaves a field as it is.
type Change struct {
	State, Received, Product, Code, Expiry, RAN, RANIssued, Note string
}

// Update applies a change to an open case and records it, dated, on the
// case's history. A state change resets the chase clock and counts as an
// update offered to the customer.
func Update(ctx context.Context, st *store.Store, id int64, ch Change, now time.Time) (*store.Case, error) {
	k, err := st.Case(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("case %d: %w", id, err)
	}
	if !IsOpen(k) {
		return nil, usage("case %d is %s already", id, k.State)
	}
	if err := apply(k, ch); err != nil {
		return nil, err
	}
	k.UpdatedAt = now.Unix()
	if ch.State != "" {
		k.ToldAt = now.Unix()
		if ch.State == Reported && k.ReportedAt == 0 {
			k.ReportedAt = now.Unix()
		}
		if ch.State == Resolved {
			k.ClosedAt = now.Unix()
		}
	}
	return save(ctx, st, k, store.CaseEvent{CaseID: k.ID, At: now.Unix(), State: k.State, Note: describe(ch)})
}

func apply(k *store.Case, ch Change) error {
	if ch.State != "" && !slices.Contains(States, ch.State) {
		return usage("unknown state %q: the states are %s", ch.State, strings.Join(States, ", "))
	}
	for _, d := range []struct{ name, v string }{{"--received", ch.Received}, {"--ran-issued", ch.RANIssued}} {
		if _, ok := Date(d.v); d.v != "" && !ok {
			return usage("%s %q: give a date as YYYY-MM-DD", d.name, d.v)
		}
	}
	if (ch.RAN == "") != (ch.RANIssued == "") && k.RAN == "" {
		return usage("give --ran with --ran-issued: the return authorisation runs from the day it was issued")
	}
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&k.State, ch.State)
	if ch.Received != "" {
		k.Received, k.ReceivedFrom = ch.Received, ""
	}
	set(&k.Product, ch.Product)
	set(&k.Code, ch.Code)
	set(&k.Expiry, ch.Expiry)
	set(&k.RAN, ch.RAN)
	set(&k.RANIssued, ch.RANIssued)
	return nil
}

// describe is the history line of a change.
func describe(ch Change) string {
	var parts []string
	add := func(label, v string) {
		if v != "" {
			parts = append(parts, label+" "+v)
		}
	}
	add("received", ch.Received)
	add("product", ch.Product)
	add("code", ch.Code)
	add("expiry", ch.Expiry)
	add("RAN", ch.RAN)
	add("issued", ch.RANIssued)
	if ch.Note != "" {
		parts = append(parts, ch.Note)
	}
	return strings.Join(parts, "; ")
}

// Close ends a case with its outcome.
func Close(ctx context.Context, st *store.Store, id int64, outcome, note string, now time.Time) (*store.Case, error) {
	if !slices.Contains(Outcomes, outcome) {
		return nil, usage("unknown outcome %q: the outcomes are %s", outcome, strings.Join(Outcomes, ", "))
	}
	k, err := st.Case(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("case %d: %w", id, err)
	}
	if !IsOpen(k) {
		return nil, usage("case %d is %s already", id, k.State)
	}
	k.State, k.Outcome, k.UpdatedAt, k.ToldAt, k.ClosedAt = Closed, outcome, now.Unix(), now.Unix(), now.Unix()
	msg := "outcome: " + outcome
	if note != "" {
		msg += "; " + note
	}
	return save(ctx, st, k, store.CaseEvent{CaseID: k.ID, At: now.Unix(), State: Closed, Note: msg})
}

func save(ctx context.Context, st *store.Store, k *store.Case, e store.CaseEvent) (*store.Case, error) {
	err := st.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.SaveCase(ctx, k); err != nil {
			return err
		}
		return tx.AddCaseEvent(ctx, e)
	})
	if err != nil {
		return nil, err
	}
	return st.Case(ctx, k.ID)
}
