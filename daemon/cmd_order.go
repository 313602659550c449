package main

import (
	"fmt"
	"time"

	"github.com/rapportapp/rapport/internal/contact"
	"github.com/rapportapp/rapport/internal/enroll"
	"github.com/rapportapp/rapport/internal/store"
)

// orderUsage is `rapport order`'s subcommands.
const orderUsage = "add --contact EMAIL_OR_PHONE --date YYYY-MM-DD [--invoice N] [--items TEXT] | list [CONTACT] [--json] | edit ID --date YYYY-MM-DD | cancel ID"

func cmdOrder(e *env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "list":
			return cmdOrderList(e, args[1:])
		case "edit":
			return cmdOrderEdit(e, args[1:])
		case "cancel":
			return cmdOrderCancel(e, args[1:])
		}
	}
	if len(args) == 0 || args[0] != "add" {
		return invalidf("usage: rapport order %s", orderUsage)
	}
	fs := newFlags(e, "order add", "--contact EMAIL_OR_PHONE --date YYYY-MM-DD [--invoice N] [--items TEXT]")
	who := fs.String("contact", "", "the customer's email or phone (or id)")
	date := fs.String("date", "", "order date, YYYY-MM-DD")
	invoice := fs.String("invoice", "", "invoice or order number")
	items := fs.String("items", "", "what they ordered")
	company := fs.String("company", "", "the company it was bought from, for its [policy.NAME] deadlines")
	if _, err := flags(fs, args[1:]); err != nil {
		return err
	}
	if *who == "" || *date == "" {
		return invalidf("rapport order add: --contact and --date are required")
	}
	f, st, ct, err := e.openContact(*who)
	if err != nil {
		return err
	}
	defer st.Close()
	day, err := contact.ParseDate(*date, f.cfg.Rep.Country)
	if err != nil {
		return invalidf("--date: %v", err)
	}
	res, err := enroll.Order(e.ctx, st, f.content, ct, store.Order{Date: day, Invoice: *invoice, Items: *items, Company: *company}, e.clock.Now())
	if err != nil {
		return err
	}
	if res.Warning != "" {
		fmt.Fprintln(e.io.err, "warning:", res.Warning)
	}
	if !res.New {
		fmt.Fprintf(e.io.out, "%s already has this order (%s, invoice %q): nothing changed\n", ct.Label(), day, *invoice)
		return nil
	}
	fmt.Fprintf(e.io.out, "recorded order of %s for %s; %d %s started\n", day, ct.Label(), res.Journeys, plural(res.Journeys, "journey", "journeys"))
	printUpcoming(e, f.content.Zone(ct), res.Upcoming)
	return nil
}

// printUpcoming lists a contact's pending steps, in the contact's zone.
func printUpcoming(e *env, loc *time.Location, rows []store.Due) {
	for _, r := range rows {
		fmt.Fprintf(e.io.out, "  %s  %-6s %s/%s\n", time.Unix(r.DueAt, 0).In(loc).Format("Mon 2 Jan 2006 15:04 MST"), r.Channel, r.Campaign, r.Step)
	}
}
