package main

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rapportapp/rapport/internal/cases"
	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/store"
)

// caseJSON is `rapport cases --json`; its field names are an interface.
type caseJSON struct {
	ID        int64          `json:"id"`
	ContactID int64          `json:"contact_id"`
	Contact   string         `json:"contact"`
	OrderID   int64          `json:"order_id"`
	Kind      string         `json:"kind"`
	State     string         `json:"state"`
	Outcome   string         `json:"outcome,omitempty"`
	OpenedAt  string         `json:"opened_at"`
	Deadlines []deadlineJSON `json:"deadlines"`
	Missing   []string       `json:"missing"`
	Next      string         `json:"next"`
}

type deadlineJSON struct {
	What    string `json:"what"`
	Due     string `json:"due"` // RFC 3339, the end of the day in the rep's zone
	Expired bool   `json:"expired"`
	When    string `json:"when"`
}

func caseToJSON(k *store.Case, r cases.Rules, now time.Time) caseJSON {
	today := cases.Today(now, r.Zone)
	ds := r.Deadlines(k)
	j := caseJSON{ID: k.ID, ContactID: k.ContactID, Contact: k.ContactName, OrderID: k.OrderID, Kind: k.Kind,
		State: k.State, Outcome: k.Outcome, OpenedAt: time.Unix(k.OpenedAt, 0).In(r.Zone).Format(time.RFC3339),
		Deadlines: []deadlineJSON{}, Missing: cases.Missing(k), Next: cases.Next(k, ds)}
	for _, d := range ds {
		end := time.Date(d.Due.Year, d.Due.Month, d.Due.Day, 23, 59, 59, 0, r.Zone)
		j.Deadlines = append(j.Deadlines, deadlineJSON{What: d.What, Due: end.Format(time.RFC3339),
			Expired: cases.Expired(d.Due, today), When: cases.When(d.Due, today, d.Business, r.Calendar)})
	}
	return j
}

const casesUsage = "[--all] [--json] | open REPLY_ID [--kind K] | open --contact C [--order ID] --kind K | show ID | update ID [flags] | close ID --outcome O"

func cmdCases(e *env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "open":
			return casesOpen(e, args[1:])
		case "show":
			return casesShow(e, args[1:])
		case "update":
			return casesUpdate(e, args[1:])
		case "close":
			return casesClose(e, args[1:])
		}
	}
	fs := newFlags(e, "cases", casesUsage)
	all := fs.Bool("all", false, "include closed cases")
	asJSON := fs.Bool("json", false, "print as JSON")
	if _, err := flags(fs, args); err != nil {
		return err
	}
	return withFiles(e, func(f *files, st *store.Store) error {
		ks, err := st.Cases(e.ctx, *all)
		if err != nil {
			return err
		}
		r, now := f.content.CaseRules(), e.clock.Now()
		out := []caseJSON{}
		for i := range ks {
			out = append(out, caseToJSON(&ks[i], r, now))
		}
		if *asJSON {
			return printJSON(e.io.out, out)
		}
		if len(out) == 0 {
			fmt.Fprintln(e.io.out, "no open cases")
		}
		for _, j := range out {
			printCaseLine(e, j)
		}
		return nil
	})
}

func printCaseLine(e *env, j caseJSON) {
	fmt.Fprintf(e.io.out, "case %d  %s  %s  [%s]\n", j.ID, orNone(j.Contact), cases.KindWords(j.Kind), j.State)
	for _, d := range j.Deadlines {
		fmt.Fprintf(e.io.out, "    %s: %s\n", d.What, d.When)
	}
	if len(j.Missing) > 0 {
		fmt.Fprintf(e.io.out, "    still to collect: %s\n", strings.Join(j.Missing, ", "))
	}
	fmt.Fprintf(e.io.out, "    next: %s\n", j.Next)
}

// withFiles runs fn with the rep's files loaded and the database open.
func withFiles(e *env, fn func(*files, *store.Store) error) error {
	f, st, err := e.loadAndOpen()
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(f, st)
}

// caseErr turns the rep's mistakes into usage errors (exit 2).
func caseErr(err error) error {
	if errors.Is(err, cases.ErrUsage) {
		return invalid{errors.New(strings.TrimPrefix(err.Error(), cases.ErrUsage.Error()+": "))}
	}
	if store.IsNotFound(err) {
		return invalid{err}
	}
	return err
}

func casesOpen(e *env, args []string) error {
	fs := newFlags(e, "cases open", "REPLY_ID [--kind K] | --contact C [--order ID] --kind K [--json]")
	kind := fs.String("kind", "", "what went wrong: "+strings.Join(cases.Kinds, ", "))
	who := fs.String("contact", "", "the customer (email, phone or id), for a case not opened from a reply")
	order := fs.Int64("order", 0, "the order it is about (default: their latest)")
	asJSON := fs.Bool("json", false, "print the case as JSON")
	pos, err := flags(fs, args)
	if err != nil {
		return err
	}
	if (len(pos) == 1) == (*who != "") || len(pos) > 1 {
		return invalidf("usage: rapport cases open REPLY_ID [--kind K], or rapport cases open --contact C [--order ID] --kind K")
	}
	return withFiles(e, func(f *files, st *store.Store) error {
		k, err := openCase(e, f, st, pos, *who, *kind, *order)
		if err != nil {
			return caseErr(err)
		}
		if *asJSON {
			return printJSON(e.io.out, caseToJSON(k, f.content.CaseRules(), e.clock.Now()))
		}
		fmt.Fprintln(e.io.out, k.ID)
		return nil
	})
}

func openCase(e *env, f *files, st *store.Store, pos []string, who, kind string, order int64) (*store.Case, error) {
	zone, now := f.cfg.Rep.Location, e.clock.Now()
	if len(pos) == 1 {
		id, err := parseID(pos[0], "reply")
		if err != nil {
			return nil, err
		}
		return cases.OpenFromReply(e.ctx, st, id, kind, f.content.CaseRules(), now)
	}
	if kind == "" {
		return nil, invalidf("rapport cases open --contact: give --kind (%s)", strings.Join(cases.Kinds, ", "))
	}
	ct, err := e.findContact(f, st, who)
	if err != nil {
		return nil, err
	}
	return cases.OpenByHand(e.ctx, st, ct.ID, order, kind, zone, now)
}

func parseID(s, what string) (int64, error) {
	id, err := strconv.ParseInt(strings.TrimPrefix(s, "#"), 10, 64)
	if err != nil {
		return 0, invalidf("%s id %q: want a number like 12", what, s)
	}
	return id, nil
}

// caseArg reads `rapport cases SUB ID [flags]`: the id first, then flags.
func caseArg(e *env, args []string, sub string) (int64, []string, error) {
	if len(args) > 0 && isHelp(args[0]) {
		return 0, args, nil // the caller's flags print its help
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return 0, nil, invalidf("usage: rapport cases %s ID", sub)
	}
	id, err := parseID(args[0], "case")
	return id, args[1:], err
}

func casesShow(e *env, args []string) error {
	id, rest, err := caseArg(e, args, "show")
	if err != nil {
		return err
	}
	if _, err := flags(newFlags(e, "cases show", "ID"), rest); err != nil {
		return err
	}
	return withFiles(e, func(f *files, st *store.Store) error {
		k, err := st.Case(e.ctx, id)
		if err != nil {
			return caseErr(fmt.Errorf("case %d: %w", id, err))
		}
		events, err := st.CaseEvents(e.ctx, id)
		if err != nil {
			return err
		}
		printCase(e, f, k, events)
		return nil
	})
}

func printCase(e *env, f *files, k *store.Case, events []store.CaseEvent) {
	j := caseToJSON(k, f.content.CaseRules(), e.clock.Now())
	printCaseLine(e, j)
	w, zone := e.io.out, f.cfg.Rep.Location
	for _, l := range [][2]string{{"invoice", k.Invoice}, {"product", k.Product}, {"code", k.Code},
		{"expiry", k.Expiry}, {"received", cases.ReceivedText(k, cases.Today(e.clock.Now(), zone), "correct with --received")}, {"RAN", k.RAN}, {"RAN issued", k.RANIssued}, {"outcome", k.Outcome}} {
		if l[1] != "" {
			fmt.Fprintf(w, "    %-10s %s\n", l[0]+":", l[1])
		}
	}
	if k.Description != "" {
		fmt.Fprintf(w, "    %-10s %s\n", "said:", oneParagraph(k.Description))
	}
	fmt.Fprintln(w, "  history:")
	for _, ev := range events {
		note := ""
		if ev.Note != "" {
			note = " — " + ev.Note
		}
		fmt.Fprintf(w, "    %s  %s%s\n", time.Unix(ev.At, 0).In(zone).Format("Mon 2 Jan 2006 15:04"), ev.State, note)
	}
}

func casesUpdate(e *env, args []string) error {
	id, rest, err := caseArg(e, args, "update")
	if err != nil {
		return err
	}
	fs := newFlags(e, "cases update", "ID [--state reported|waiting|resolved] [--received DATE] [--product TEXT] [--code TEXT] [--expiry DATE] [--ran N --ran-issued DATE] [--note TEXT] [--send | --text TEXT]")
	var ch cases.Change
	fs.StringVar(&ch.State, "state", "", "reported, waiting or resolved")
	fs.StringVar(&ch.Received, "received", "", "the day the customer received the order, YYYY-MM-DD")
	fs.StringVar(&ch.Product, "product", "", "product name")
	fs.StringVar(&ch.Code, "code", "", "product code")
	fs.StringVar(&ch.Expiry, "expiry", "", "expiry date as printed on the product")
	fs.StringVar(&ch.RAN, "ran", "", "the return authorisation number support gave")
	fs.StringVar(&ch.RANIssued, "ran-issued", "", "the day the RAN was issued, YYYY-MM-DD")
	fs.StringVar(&ch.Note, "note", "", "what happened, for the case's history")
	var u sendUpdate
	u.bind(fs)
	if _, err := flags(fs, rest); err != nil {
		return err
	}
	if ch == (cases.Change{}) && !u.send && u.text == "" {
		return invalidf("rapport cases update %d: nothing to change (see rapport cases update --help)", id)
	}
	return withFiles(e, func(f *files, st *store.Store) error {
		k, err := updateCase(e, st, id, ch)
		if err != nil {
			return caseErr(err)
		}
		if ch.State != "" || u.send || u.text != "" {
			return offerUpdate(e, f, st, k, u)
		}
		return nil
	})
}

// updateCase applies ch and says the case's state; no change (only
// --send) leaves the case as it is.
func updateCase(e *env, st *store.Store, id int64, ch cases.Change) (*store.Case, error) {
	if ch == (cases.Change{}) {
		k, err := st.Case(e.ctx, id)
		if err != nil {
			return nil, fmt.Errorf("case %d: %w", id, err)
		}
		return k, nil
	}
	k, err := cases.Update(e.ctx, st, id, ch, e.clock.Now())
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(e.io.out, "case %d: %s\n", k.ID, k.State)
	return k, nil
}

func casesClose(e *env, args []string) error {
	id, rest, err := caseArg(e, args, "close")
	if err != nil {
		return err
	}
	fs := newFlags(e, "cases close", "ID --outcome replaced|refunded|credited|no-action [--note TEXT] [--send | --text TEXT]")
	outcome := fs.String("outcome", "", strings.Join(cases.Outcomes, ", "))
	note := fs.String("note", "", "what happened, for the case's history")
	var u sendUpdate
	u.bind(fs)
	if _, err := flags(fs, rest); err != nil {
		return err
	}
	return withFiles(e, func(f *files, st *store.Store) error {
		k, err := cases.Close(e.ctx, st, id, *outcome, *note, e.clock.Now())
		if err != nil {
			return caseErr(err)
		}
		fmt.Fprintf(e.io.out, "case %d closed (%s); %s's tips and check-ins resume\n", k.ID, k.Outcome, orNone(k.ContactName))
		return offerUpdate(e, f, st, k, u)
	})
}

// sendUpdate is what the rep asked done with the offered update: print
// it (the default), send it as written (--send) or send her own words
// (--text).
type sendUpdate struct {
	send bool
	text string
}

func (u *sendUpdate) bind(fs *flag.FlagSet) {
	fs.BoolVar(&u.send, "send", false, "send the offered update to the customer through the conversation (as rapport reply does)")
	fs.StringVar(&u.text, "text", "", "send these words as the update instead of the offered text")
}

// offerUpdate prints the update from templates/cases/ that matches the
// case's new state, for the rep to edit and send; with --send or --text
// it goes through the conversation, the same path as rapport reply.
func offerUpdate(e *env, f *files, st *store.Store, k *store.Case, u sendUpdate) error {
	eng, err := e.engineFor(f, st, discardLogger())
	if err != nil {
		return err
	}
	up, err := eng.CaseUpdate(e.ctx, caseTemplates(f.cfg), k)
	if err != nil || (up == nil && u.text == "") {
		return err // nil: no update written for this state, nothing to offer
	}
	if u.send || u.text != "" {
		return sendCaseUpdate(e, eng, st, k, up, u.text)
	}
	ct := up.Contact
	fmt.Fprintf(e.io.out, "\nAn update for %s (templates/cases/%s), to edit as you like:\n\n%s\n\n", ct.Label(), up.Source, indent(up.Text, "    "))
	fmt.Fprintf(e.io.out, "Send it as it is with --send, your own words with --text \"...\", or: rapport reply %s %s --channel %s\n",
		shellWord(contactKey(ct)), shellWord(up.Text), up.Channel)
	return nil
}

// sendCaseUpdate queues the update as the rep's message to the customer.
func sendCaseUpdate(e *env, eng *engine.Engine, st *store.Store, k *store.Case, up *engine.CaseUpdate, text string) error {
	req := engine.AnswerRequest{Text: text}
	if up != nil {
		req.Contact, req.Channel = up.Contact, up.Channel
		req.Text = firstNonEmpty(text, up.Text)
	} else {
		ct, err := st.Contact(e.ctx, k.ContactID)
		if err != nil {
			return err
		}
		req.Contact = ct
	}
	q, err := eng.Answer(e.ctx, req)
	var refused *engine.Refused
	if errors.As(err, &refused) {
		return invalid{err}
	}
	if err != nil {
		return err
	}
	printQueued(e.io.out, req.Contact, q)
	return nil
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
