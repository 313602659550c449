package main

import (
	"errors"
	"flag"
	"fmt"
	"strconv"
	"time"

	"github.com/rapportapp/rapport/internal/store"
	wsp "github.com/rapportapp/rapport/internal/workspace"
)

// The rep's hand on one customer: `rapport contacts add|edit|remove|pause|
// resume|skip`. The work is internal/workspace's; this parses and prints.

const (
	contactFieldsArgs = "[--first-name F] [--last-name L] [--email E] [--phone P] [--timezone TZ] [--state XX] [--sms-consent SOURCE|no] [--note TEXT] [--json]"
	contactsAddArgs   = "--first-name F " + contactFieldsArgs
	contactsEditArgs  = "CONTACT " + contactFieldsArgs
)

// contactSubcommands run in place of the contacts list when named first.
var contactSubcommands = map[string]func(e *env, args []string) error{
	"add": cmdContactsAdd, "edit": cmdContactsEdit, "remove": cmdContactsRemove,
	"pause": cmdContactsPause, "resume": cmdContactsResume, "skip": cmdContactsSkip,
}

// workspace is the rep's workspace over an open store, changes signed
// "rep (cli)".
func (e *env) workspace(f *files, st *store.Store) *wsp.Workspace {
	return &wsp.Workspace{Store: st, Content: f.content, Region: f.cfg.Rep.Country, Who: wsp.ByCLI}
}

// wsErr makes the rep's mistakes (wsp.ErrInvalid) exit 2.
func wsErr(err error) error {
	if errors.Is(err, wsp.ErrInvalid) {
		return invalid{err}
	}
	return err
}

// fieldFlags are the flags of contacts add and edit.
type fieldFlags struct {
	fs                                       *flag.FlagSet
	first, last, email, phone, zone, consent *string
	state, note                              *string
	asJSON                                   *bool
}

func newFieldFlags(e *env, name, args string) *fieldFlags {
	fs := newFlags(e, name, args)
	return &fieldFlags{fs: fs,
		first:   fs.String("first-name", "", "first name"),
		last:    fs.String("last-name", "", "last name"),
		email:   fs.String("email", "", "email address (\"\" clears it on edit)"),
		phone:   fs.String("phone", "", "phone number, as you write it (\"\" clears it on edit)"),
		zone:    fs.String("timezone", "", "their time zone (America/Chicago, Eastern...); \"\" on edit: yours"),
		state:   fs.String("state", "", "the state of their address (TX, Texas); it decides the state law on texting hours (\"\" on edit: from the phone's area code)"),
		consent: fs.String("sms-consent", "", "how they agreed to texts (recorded with today's date); \"no\" withdraws it"),
		note:    fs.String("note", "", "a note about them, dated"),
		asJSON:  fs.Bool("json", false, "print the contact as JSON (the `contacts --json` shape)"),
	}
}

// fields are the flags given, the others left nil.
func (ff *fieldFlags) fields() wsp.Fields {
	set := map[string]bool{}
	ff.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	pick := func(name string, v *string) *string {
		if set[name] {
			return v
		}
		return nil
	}
	return wsp.Fields{FirstName: pick("first-name", ff.first), LastName: pick("last-name", ff.last),
		Email: pick("email", ff.email), Phone: pick("phone", ff.phone), Timezone: pick("timezone", ff.zone),
		State: pick("state", ff.state), SMSConsent: pick("sms-consent", ff.consent), Note: *ff.note}
}

func cmdContactsAdd(e *env, args []string) error {
	ff := newFieldFlags(e, "contacts add", contactsAddArgs)
	pos, err := flags(ff.fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 0 || *ff.first == "" {
		return invalidf("usage: rapport contacts add %s", contactsAddArgs)
	}
	f, st, err := e.loadAndOpen()
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := e.workspace(f, st).Add(e.ctx, ff.fields(), e.clock.Now())
	if err != nil {
		return wsErr(err)
	}
	if *ff.asJSON {
		return printContactJSON(e, st, f, res.Contact)
	}
	fmt.Fprintf(e.io.out, "added %s (contact %d); %d %s started\n", res.Contact.Label(), res.Contact.ID,
		res.Journeys, plural(res.Journeys, "journey", "journeys"))
	printUpcoming(e, f.content.Zone(res.Contact), res.Upcoming)
	return nil
}

func printContactJSON(e *env, st *store.Store, f *files, ct *store.Contact) error {
	j, err := toContactJSON(e, st, ct, f.cfg.Rep.Location)
	if err != nil {
		return err
	}
	return printJSON(e.io.out, j)
}

func cmdContactsEdit(e *env, args []string) error {
	ff := newFieldFlags(e, "contacts edit", contactsEditArgs)
	pos, err := flags(ff.fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return invalidf("usage: rapport contacts edit %s", contactsEditArgs)
	}
	f, st, ct, err := e.openContact(pos[0])
	if err != nil {
		return err
	}
	defer st.Close()
	c, changes, err := e.workspace(f, st).Edit(e.ctx, ct, ff.fields(), e.clock.Now())
	if err != nil {
		return wsErr(err)
	}
	if *ff.asJSON {
		return printContactJSON(e, st, f, c)
	}
	for _, ch := range changes {
		fmt.Fprintf(e.io.out, "%s: %s\n", c.Label(), ch)
	}
	if *ff.note != "" {
		fmt.Fprintf(e.io.out, "%s: note added\n", c.Label())
	}
	if len(changes) == 0 && *ff.note == "" {
		fmt.Fprintf(e.io.out, "%s: nothing changed\n", c.Label())
	}
	return nil
}

func cmdContactsRemove(e *env, args []string) error {
	fs := newFlags(e, "contacts remove", "CONTACT --yes")
	yes := fs.Bool("yes", false, "yes, forget this customer and everything about them")
	pos, err := flags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return invalidf("usage: rapport contacts remove CONTACT --yes")
	}
	f, st, ct, err := e.openContact(pos[0])
	if err != nil {
		return err
	}
	defer st.Close()
	ws := e.workspace(f, st)
	who, err := ws.RemovalSummary(e.ctx, ct)
	if err != nil {
		return err
	}
	if !*yes {
		return invalidf("this would forget %s: their queued messages and their whole history are deleted, for good.\nIf that is what they asked for: rapport contacts remove %s --yes", who, shellWord(pos[0]))
	}
	if err := ws.Remove(e.ctx, ct); err != nil {
		return err
	}
	fmt.Fprintf(e.io.out, "forgot %s\n", who)
	return nil
}

func cmdContactsPause(e *env, args []string) error  { return pauseContact(e, "pause", args) }
func cmdContactsResume(e *env, args []string) error { return pauseContact(e, "resume", args) }

func pauseContact(e *env, name string, args []string) error {
	fs := newFlags(e, "contacts "+name, "CONTACT")
	pos, err := flags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return invalidf("usage: rapport contacts %s CONTACT", name)
	}
	f, st, ct, err := e.openContact(pos[0])
	if err != nil {
		return err
	}
	defer st.Close()
	ws, now := e.workspace(f, st), e.clock.Now()
	changed, msg := false, ""
	if name == "pause" {
		changed, err = ws.Pause(e.ctx, ct, now)
		msg = "messages paused until `rapport contacts resume " + strconv.FormatInt(ct.ID, 10) + "`"
	} else {
		changed, err = ws.Resume(e.ctx, ct, now)
		msg = "messages resumed: those whose time has come go at once"
	}
	switch {
	case err != nil:
		return err
	case !changed:
		msg = "already " + map[string]string{"pause": "paused", "resume": "not paused"}[name] + ": nothing changed"
	}
	fmt.Fprintf(e.io.out, "%s: %s\n", ct.Label(), msg)
	return nil
}

func cmdContactsSkip(e *env, args []string) error {
	fs := newFlags(e, "contacts skip", "CONTACT CAMPAIGN/STEP")
	pos, err := flags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return invalidf("usage: rapport contacts skip CONTACT CAMPAIGN/STEP (as `rapport preview` shows it)")
	}
	f, st, ct, err := e.openContact(pos[0])
	if err != nil {
		return err
	}
	defer st.Close()
	d, err := e.workspace(f, st).SkipStep(e.ctx, ct, pos[1], e.clock.Now())
	if err != nil {
		return wsErr(err)
	}
	fmt.Fprintf(e.io.out, "%s: skipped %s/%s due %s\n", ct.Label(), d.Campaign, d.Step,
		unixIn(d.DueAt, f.content.Zone(ct)))
	return nil
}

// unixIn is a Unix time as the rep reads it, in loc.
func unixIn(unix int64, loc *time.Location) string {
	return time.Unix(unix, 0).In(loc).Format("Mon 2 Jan 2006 15:04 MST")
}
