package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/rapportapp/rapport/internal/contact"
	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/store"
)

func cmdOrder(e *env, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return invalidf("usage: rapport order add --contact EMAIL_OR_PHONE --date YYYY-MM-DD [--invoice N] [--items TEXT]")
	}
	fs := newFlags(e, "order add", "--contact EMAIL_OR_PHONE --date YYYY-MM-DD [--invoice N] [--items TEXT]")
	who := fs.String("contact", "", "the customer's email or phone (or id)")
	date := fs.String("date", "", "order date, YYYY-MM-DD")
	invoice := fs.String("invoice", "", "invoice or order number")
	items := fs.String("items", "", "what they ordered")
	if _, err := flags(fs, args[1:]); err != nil {
		return err
	}
	if *who == "" || *date == "" {
		return invalidf("rapport order add: --contact and --date are required")
	}
	f, err := e.load()
	if err != nil {
		return err
	}
	day, err := contact.ParseDate(*date, f.cfg.Rep.Country)
	if err != nil {
		return invalidf("--date: %v", err)
	}
	st, err := e.open(f.cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	ct, err := findContact(e, st, f.cfg.Rep.Country, *who)
	if err != nil {
		return err
	}
	o := &store.Order{ContactID: ct.ID, Date: day, Invoice: *invoice, Items: *items, CreatedAt: e.clock.Now().Unix()}
	sum := &importSummary{}
	err = st.Tx(e.ctx, func(tx *store.Tx) error { return addOrder(e, tx, f.content, ct, o, sum, e.clock.Now()) })
	if err != nil {
		return err
	}
	if sum.Orders == 0 {
		fmt.Fprintf(e.io.out, "%s already has this order (%s, invoice %q): nothing changed\n", ct.Label(), day, *invoice)
		return nil
	}
	fmt.Fprintf(e.io.out, "recorded order of %s for %s; %d %s started\n", day, ct.Label(), sum.Journeys, plural(sum.Journeys, "journey", "journeys"))
	return printUpcoming(e, st, f.content, ct)
}

// findContact resolves what the rep typed: an email, a phone number in any
// common format, or an id.
func findContact(e *env, st *store.Store, region, key string) (*store.Contact, error) {
	key = strings.TrimSpace(key)
	if !strings.Contains(key, "@") {
		if p, err := contact.NormalizePhone(key, region); err == nil {
			key = p
		}
	}
	ct, err := st.FindContact(e.ctx, key)
	if store.IsNotFound(err) {
		return nil, invalidf("no contact %q: try `rapport contacts %s` to search, or import them first", key, key)
	}
	return ct, err
}

// printUpcoming lists a contact's pending steps.
func printUpcoming(e *env, st *store.Store, c *engine.Content, ct *store.Contact) error {
	rows, err := st.ContactTimeline(e.ctx, ct.ID, c.Pausing())
	if err != nil {
		return err
	}
	loc := c.Zone(ct)
	for _, r := range rows {
		if r.State != store.Pending {
			continue
		}
		fmt.Fprintf(e.io.out, "  %s  %-6s %s/%s\n", time.Unix(r.DueAt, 0).In(loc).Format("Mon 2 Jan 2006 15:04 MST"), r.Channel, r.Campaign, r.Step)
	}
	return nil
}
