package main

import (
	"fmt"
	"strconv"

	"github.com/rapportapp/rapport/internal/store"
)

// `rapport order list|edit|cancel`: the work is internal/workspace's.

// orderJSON is `rapport order list --json`; its field names are an
// interface scripts rely on.
type orderJSON struct {
	ID        int64  `json:"id"`
	ContactID int64  `json:"contact_id"`
	Date      string `json:"date"`
	Invoice   string `json:"invoice"`
	Items     string `json:"items"`
	State     string `json:"state"` // active | cancelled
}

func cmdOrderList(e *env, args []string) error {
	fs := newFlags(e, "order list", "[CONTACT] [--json]")
	asJSON := fs.Bool("json", false, "print as JSON")
	pos, err := flags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return invalidf("usage: rapport order list [CONTACT] [--json]")
	}
	f, st, err := e.loadAndOpen()
	if err != nil {
		return err
	}
	defer st.Close()
	var ct *store.Contact
	if len(pos) == 1 {
		if ct, err = e.findContact(f, st, pos[0]); err != nil {
			return err
		}
	}
	os, err := e.workspace(f, st).Orders(e.ctx, ct)
	if err != nil {
		return err
	}
	out := []orderJSON{}
	for _, o := range os {
		out = append(out, orderJSON{ID: o.ID, ContactID: o.ContactID, Date: o.Date, Invoice: o.Invoice, Items: o.Items, State: o.State})
	}
	if *asJSON {
		return printJSON(e.io.out, out)
	}
	printOrders(e, out)
	return nil
}

func printOrders(e *env, os []orderJSON) {
	if len(os) == 0 {
		fmt.Fprintln(e.io.out, "no orders found")
		return
	}
	fmt.Fprintf(e.io.out, "%-5s %-8s %-10s %-10s %-12s %s\n", "ID", "CONTACT", "DATE", "STATE", "INVOICE", "ITEMS")
	for _, o := range os {
		fmt.Fprintf(e.io.out, "%-5d %-8d %-10s %-10s %-12s %s\n", o.ID, o.ContactID, o.Date, o.State, clip(o.Invoice, 12), clip(o.Items, 40))
	}
}

// orderID reads the ID an order command names.
func orderID(name string, pos []string, usage string) (int64, error) {
	if len(pos) != 1 {
		return 0, invalidf("usage: rapport order %s %s", name, usage)
	}
	id, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || id <= 0 {
		return 0, invalidf("order %q: an order's number, as `rapport order list` shows it", pos[0])
	}
	return id, nil
}

func cmdOrderEdit(e *env, args []string) error {
	fs := newFlags(e, "order edit", "ID --date YYYY-MM-DD")
	date := fs.String("date", "", "the order's right date")
	pos, err := flags(fs, args)
	if err != nil {
		return err
	}
	id, err := orderID("edit", pos, "ID --date YYYY-MM-DD")
	if err != nil {
		return err
	}
	if *date == "" {
		return invalidf("rapport order edit: --date is required")
	}
	f, st, err := e.loadAndOpen()
	if err != nil {
		return err
	}
	defer st.Close()
	mv, err := e.workspace(f, st).SetOrderDate(e.ctx, id, *date, e.clock.Now())
	if err != nil {
		return wsErr(err)
	}
	if mv.OldDate == mv.Order.Date {
		fmt.Fprintf(e.io.out, "order %d is already of %s: nothing changed\n", id, mv.Order.Date)
		return nil
	}
	fmt.Fprintf(e.io.out, "order %d of %s: date %s → %s; its steps planned again", id, mv.Contact.Label(), mv.OldDate, mv.Order.Date)
	if mv.Late > 0 {
		fmt.Fprintf(e.io.out, " (%d already past: skipped)", mv.Late)
	}
	fmt.Fprintln(e.io.out)
	printUpcoming(e, f.content.Zone(mv.Contact), mv.Upcoming)
	return nil
}

func cmdOrderCancel(e *env, args []string) error {
	fs := newFlags(e, "order cancel", "ID")
	pos, err := flags(fs, args)
	if err != nil {
		return err
	}
	id, err := orderID("cancel", pos, "ID")
	if err != nil {
		return err
	}
	f, st, err := e.loadAndOpen()
	if err != nil {
		return err
	}
	defer st.Close()
	o, n, err := e.workspace(f, st).CancelOrder(e.ctx, id, e.clock.Now())
	if err != nil {
		return wsErr(err)
	}
	fmt.Fprintf(e.io.out, "order %d of %s cancelled; %d upcoming %s cancelled (those sent stay in the history)\n",
		o.ID, o.Date, n, plural(int(n), "step", "steps"))
	return nil
}
