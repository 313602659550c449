// Package enroll holds what happens when contacts and orders arrive, from
// a CSV import, `rapport order add` or the dashboard: they are stored,
// their journeys start, and the caller learns what was planned (journeys
// started, steps queued, steps of old orders already past). It also finds
// the contact a rep names by email, phone or id.
//
// Callers print; nothing here reads flags or writes to a terminal.
package enroll

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/rapportapp/rapport/internal/contact"
	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/store"
)

// Result is what adding one order or one contact did.
type Result struct {
	Contact *store.Contact // as stored, with its id
	// New is true when the order (Order) or the contact (Contact) was not
	// stored before; an order already there changes nothing.
	New bool
	// Updated is true when Contact changed a stored contact's fields;
	// Changes lists the name and email fields among them.
	Updated bool
	Changes []store.Change
	// PhoneOwner is the other customer the given phone belongs to: the
	// contact was stored without it (see store.Tx.MergeContact).
	PhoneOwner *store.Contact
	Journeys   int         // journeys started
	PastSteps  int         // their steps already past when they started: not queued
	Upcoming   []store.Due // the contact's pending steps afterwards, soonest first
	// Warning is about an order stored as given but maybe not as meant: a
	// company with no [policy.NAME] of its own. "" when none.
	Warning string
}

// orderWriter records orders and starts journeys: a transaction, or for
// customers created in it, an import's appender.
type orderWriter interface {
	engine.Writer
	AddOrder(ctx context.Context, o *store.Order) (created bool, err error)
}

// Order records an order of ct (o's Date, Invoice and Items; the rest is
// set here) and, when the contact did not have it yet, starts its journeys,
// all in one transaction.
func Order(ctx context.Context, st *store.Store, c *engine.Content, ct *store.Contact, o store.Order, now time.Time) (*Result, error) {
	o.ContactID, o.CreatedAt = ct.ID, now.Unix()
	var warn string
	o.Company, warn = policyCompany(c, o.Company)
	var sum Summary
	err := st.Tx(ctx, func(tx *store.Tx) error { return addOrder(ctx, tx, c, ct, &o, &sum, now) })
	if err != nil {
		return nil, err
	}
	res := &Result{Contact: ct, New: sum.Orders > 0, Journeys: sum.Journeys, PastSteps: sum.PastSteps, Warning: warn}
	return withUpcoming(ctx, st, c, res)
}

// Contact stores a new contact, or merges in into the stored one it is, as
// an import does (see store.Tx.MergeContact: email is the identity, and a
// phone that is another customer's is left out): empty fields never blank
// stored ones. A contact new to the store starts the journeys of campaigns
// triggered by new contacts.
func Contact(ctx context.Context, st *store.Store, c *engine.Content, in contact.Contact, now time.Time) (*Result, error) {
	ct := newContact(&in)
	var res *Result
	err := st.Tx(ctx, func(tx *store.Tx) error {
		up, err := tx.MergeContact(ctx, ct, now.Unix())
		if err != nil {
			return err
		}
		res = &Result{Contact: ct, New: up.Result == store.Inserted, Updated: up.Result == store.Updated,
			Changes: up.Changes, PhoneOwner: up.PhoneOwner}
		if !res.New {
			return nil
		}
		n, err := c.Enroll(ctx, tx, ct, nil, now)
		res.Journeys, res.PastSteps = n.Journeys, n.Late
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("add contact %s: %w", ct.Label(), err)
	}
	return withUpcoming(ctx, st, c, res)
}

// withUpcoming adds the contact's pending steps to res, as the timeline
// shows them (the channel each would really go by, paused ones marked).
func withUpcoming(ctx context.Context, st *store.Store, c *engine.Content, res *Result) (*Result, error) {
	up, err := Upcoming(ctx, st, c, res.Contact)
	if err != nil {
		return nil, err
	}
	res.Upcoming = up
	return res, nil
}

// Upcoming is the contact's pending steps, soonest first, as the timeline
// shows them.
func Upcoming(ctx context.Context, st *store.Store, c *engine.Content, ct *store.Contact) ([]store.Due, error) {
	rows, err := c.Timeline(ctx, st, ct)
	if err != nil {
		return nil, fmt.Errorf("read the steps of %s: %w", ct.Label(), err)
	}
	var out []store.Due
	for _, r := range rows {
		if r.State == store.Pending {
			out = append(out, r)
		}
	}
	return out, nil
}

// addOrder records an order and, when it is new, starts its journeys.
func addOrder(ctx context.Context, w orderWriter, c *engine.Content, ct *store.Contact, o *store.Order, sum *Summary, now time.Time) error {
	created, err := w.AddOrder(ctx, o)
	if err != nil || !created {
		return err
	}
	sum.Orders++
	n, err := c.Enroll(ctx, w, ct, o, now)
	sum.add(n)
	return err
}

// policyCompany is the company an order names, spelt as its [policy.NAME]
// is ("ACME" is stored as acme), and a warning when no policy of its own
// covers it. The import and `rapport order add` both ask it.
func policyCompany(c *engine.Content, name string) (company, warning string) {
	company, known := c.Policy.Company(name)
	if !known {
		warning = fmt.Sprintf("company %q has no [policy.%s] in config.toml: the order keeps the name, and the default [policy] applies to it", company, company)
	}
	return company, warning
}

// newContact is a contact as read (from a file or a form) as it is stored.
func newContact(in *contact.Contact) *store.Contact {
	ct := &store.Contact{
		FirstName: in.FirstName, LastName: in.LastName, Email: in.Email,
		Phone: in.Phone, Timezone: in.Timezone, State: in.State,
		SMSConsentAt: in.SMSConsentAt, SMSConsentSource: in.SMSConsentSource,
	}
	if in.SMSConsent != nil {
		ct.ConsentKnown, ct.SMSConsent = true, *in.SMSConsent
	}
	if in.EmailMarketing != nil {
		ct.EmailMarketing = sql.NullBool{Valid: true, Bool: *in.EmailMarketing}
		ct.EmailMarketingAt, ct.EmailMarketingSource = in.EmailMarketingAt, in.EmailMarketingSource
	}
	switch in.EmailStatus {
	case contact.EmailUnsubscribed:
		ct.EmailStatus = store.Unsubscribed
	case contact.EmailBounced:
		ct.EmailStatus = store.Bounced
	}
	return ct
}
