package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rapportapp/rapport/internal/contact"
	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/termsafe"
)

// contactJSON is `rapport contacts --json`; its field names are an
// interface scripts rely on (see README, Commands).
type contactJSON struct {
	ID         int64  `json:"id"`
	FirstName  string `json:"first_name"`
	LastName   string `json:"last_name"`
	Email      string `json:"email"`
	Phone      string `json:"phone"`
	Timezone   string `json:"timezone"`
	State      string `json:"state,omitempty"`
	SMSConsent bool   `json:"sms_consent"`
	ConsentAt  string `json:"sms_consent_at,omitempty"`
	ConsentVia string `json:"sms_consent_source,omitempty"`
	// EmailMarketing is null when the customer never said (tips and news
	// by email then go: it is opt-out).
	EmailMarketing    *bool    `json:"email_marketing"`
	EmailMarketingAt  string   `json:"email_marketing_at,omitempty"`
	EmailMarketingVia string   `json:"email_marketing_source,omitempty"`
	EmailStatus       string   `json:"email_status"`
	SMSStatus         string   `json:"sms_status"`
	Journeys          []string `json:"journeys"`
}

func cmdContacts(e *env, args []string) error {
	if len(args) > 0 {
		if sub, ok := contactSubcommands[args[0]]; ok {
			return sub(e, args[1:])
		}
	}
	fs := newFlags(e, "contacts", "[QUERY] [--json]")
	asJSON := fs.Bool("json", false, "print as JSON")
	pos, err := flags(fs, args)
	if err != nil {
		return err
	}
	cfg, st, err := e.openDB()
	if err != nil {
		return err
	}
	defer st.Close()
	// A phone is searched for as it is stored, however the rep wrote it.
	text, phones := contact.SearchPrefixes(strings.Join(pos, " "), cfg.Rep.Country)
	out := newContactsPrinter(e.io.out, *asJSON)
	// A page at a time, printed as it comes: memory stays flat however
	// many contacts there are.
	q, cur := store.ContactSearch{Text: text, Phones: phones}, store.ContactCursor{}
	for {
		page, next, err := st.ContactsPage(e.ctx, q, cur, contactsPerRead)
		if err != nil {
			return err
		}
		for i := range page {
			j, err := toContactJSON(e, st, &page[i], cfg.Rep.Location)
			if err != nil {
				return err
			}
			if err := out.print(j); err != nil {
				return err
			}
		}
		if next == nil {
			return out.end()
		}
		cur = *next
	}
}

// contactsPerRead is how many contacts `rapport contacts` reads at once.
const contactsPerRead = 500

// contactsPrinter prints contacts one at a time, as a table or as the
// JSON array printJSON would print.
type contactsPrinter struct {
	w      io.Writer
	asJSON bool
	n      int
}

func newContactsPrinter(w io.Writer, asJSON bool) *contactsPrinter {
	return &contactsPrinter{w: w, asJSON: asJSON}
}

func (p *contactsPrinter) print(c contactJSON) error {
	defer func() { p.n++ }()
	if !p.asJSON {
		if p.n == 0 {
			printContactsHeader(p.w)
		}
		printContact(p.w, c)
		return nil
	}
	b, err := json.MarshalIndent(c, "  ", "  ")
	if err != nil {
		return err
	}
	sep := ",\n  "
	if p.n == 0 {
		sep = "[\n  "
	}
	_, err = fmt.Fprintf(p.w, "%s%s", sep, b)
	return err
}

func (p *contactsPrinter) end() error {
	var err error
	switch {
	case p.asJSON && p.n == 0:
		_, err = fmt.Fprintln(p.w, "[]")
	case p.asJSON:
		_, err = fmt.Fprintln(p.w, "\n]")
	case p.n == 0:
		_, err = fmt.Fprintln(p.w, "no contacts found")
	}
	return err
}

func toContactJSON(e *env, st *store.Store, c *store.Contact, loc *time.Location) (contactJSON, error) {
	j := contactJSON{ID: c.ID, FirstName: c.FirstName, LastName: c.LastName, Email: c.Email, Phone: c.Phone,
		Timezone: c.Timezone, State: c.State, SMSConsent: c.SMSConsent, ConsentAt: c.SMSConsentAt, ConsentVia: c.SMSConsentSource,
		EmailStatus: c.EmailStatus, SMSStatus: c.SMSStatus, Journeys: []string{}}
	if c.EmailMarketing.Valid {
		j.EmailMarketing = &c.EmailMarketing.Bool
		j.EmailMarketingAt, j.EmailMarketingVia = c.EmailMarketingAt, c.EmailMarketingSource
	}
	if j.Timezone == "" {
		j.Timezone = loc.String()
	}
	js, err := st.JourneysOf(e.ctx, c.ID)
	if err != nil {
		return contactJSON{}, err
	}
	for _, jr := range js {
		j.Journeys = append(j.Journeys, journeyLabel(jr))
	}
	return j, nil
}

func journeyLabel(j store.Journey) string {
	if j.DateOnly {
		return j.Campaign + " " + time.Unix(j.TriggerAt, 0).UTC().Format("2006-01-02")
	}
	return j.Campaign
}

func printContactsHeader(w io.Writer) {
	fmt.Fprintf(w, "%-4s %-22s %-28s %-14s %-20s %-6s %s\n", "ID", "NAME", "EMAIL", "PHONE", "TIME ZONE", "TEXTS", "STATUS")
}

func printContact(w io.Writer, c contactJSON) {
	texts := "no"
	if c.SMSConsent {
		texts = "yes"
	}
	status := "email " + c.EmailStatus + ", texts " + c.SMSStatus
	fmt.Fprintf(w, "%-4d %-22s %-28s %-14s %-20s %-6s %s\n", c.ID, clip(termsafe.Line(strings.TrimSpace(c.FirstName+" "+c.LastName)), 22),
		clip(termsafe.Line(c.Email), 28), termsafe.Line(c.Phone), termsafe.Line(c.Timezone), texts, status)
	fmt.Fprintf(w, "     consent: %s\n", termsafe.Line(consentLine(&c)))
	if len(c.Journeys) > 0 {
		fmt.Fprintf(w, "     journeys: %s\n", termsafe.Line(strings.Join(c.Journeys, "; ")))
	}
}

// consentLine says what the customer agreed to, and when and how:
// "texts yes (order form, 2026-03-01); tips by email no (Shopify, 2026-02-01)".
func consentLine(c *contactJSON) string {
	texts := "texts " + answer(c.SMSConsent, c.ConsentVia, c.ConsentAt)
	mail := "tips by email: never asked (they go; unsubscribing stops them)"
	if c.EmailMarketing != nil {
		mail = "tips by email " + answer(*c.EmailMarketing, c.EmailMarketingVia, c.EmailMarketingAt)
	}
	out := texts + "; " + mail
	if c.State != "" {
		out += "; state " + c.State
	}
	return out
}

// answer is "yes (source, date)", leaving out what is not on record and
// the date when the source already says it (an import's does).
func answer(yes bool, source, at string) string {
	s := "no"
	if yes {
		s = "yes"
	}
	how := source
	if at != "" && !strings.Contains(source, at) {
		how = strings.TrimPrefix(how+", "+at, ", ")
	}
	if how != "" {
		s += " (" + how + ")"
	}
	return s
}

func clip(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

func cmdUnsubscribe(e *env, args []string) error {
	return setSubscription(e, "unsubscribe", args, false)
}
func cmdResubscribe(e *env, args []string) error {
	return setSubscription(e, "resubscribe", args, true)
}

// setSubscription stops or restarts email (or, with --sms, texts) to a
// contact, as the rep was asked to by phone or in person.
func setSubscription(e *env, name string, args []string, on bool) error {
	fs := newFlags(e, name, "CONTACT [--sms]")
	smsFlag := fs.Bool("sms", false, "texts instead of email")
	pos, err := flags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return invalidf("usage: rapport %s CONTACT [--sms]", name)
	}
	cfg, st, err := e.openDB()
	if err != nil {
		return err
	}
	defer st.Close()
	ct, err := e.findContact(&files{cfg: cfg}, st, pos[0])
	if err != nil {
		return err
	}
	now := e.clock.Now().Unix()
	status, what := store.Subscribed, "email"
	if !on {
		status = store.Unsubscribed
	}
	err = st.Tx(e.ctx, func(tx *store.Tx) error {
		note := "set by the rep with `rapport " + name + "`"
		if *smsFlag {
			what = "texts"
			if !on {
				status = store.OptedOut
			}
			return tx.SetSMSStatus(e.ctx, ct.ID, status, note, now)
		}
		return tx.SetEmailStatus(e.ctx, ct.ID, status, note, now)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(e.io.out, "%s: %s now %s\n", termsafe.Line(ct.Label()), what, status)
	return nil
}
