package workspace

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rapportapp/rapport/internal/contact"
	"github.com/rapportapp/rapport/internal/enroll"
	"github.com/rapportapp/rapport/internal/store"
)

// ConsentNo, given as SMSConsent, withdraws the customer's consent to texts.
const ConsentNo = "no"

// Fields are what the rep gives for a customer. A nil field is left as
// it is (on Add: empty).
type Fields struct {
	FirstName, LastName *string
	Email, Phone        *string // "" clears, as long as the other remains
	Timezone            *string // "" means the rep's
	State               *string // the address's state ("TX"); "" clears it
	// SMSConsent is how the customer agreed to texts (a source: "order
	// form", "asked in person"), recorded with today's date; ConsentNo
	// withdraws it.
	SMSConsent *string
	Note       string // appended to the customer's notes, dated
}

// Str is a pointer to s, for Fields.
func Str(s string) *string { return &s }

// apply checks f as an import checks a row and writes it over c. The rep
// sees every problem at once.
func (w *Workspace) apply(c *contact.Contact, f Fields, now time.Time) error {
	var bad []string
	check := func(dst *string, in *string, norm func(string) (string, error)) {
		if in == nil {
			return
		}
		v := strings.TrimSpace(*in)
		if v != "" {
			var err error
			if v, err = norm(v); err != nil {
				bad = append(bad, err.Error())
			}
		}
		*dst = v
	}
	keep := func(s string) (string, error) { return s, nil }
	check(&c.FirstName, f.FirstName, keep)
	check(&c.LastName, f.LastName, keep)
	check(&c.Email, f.Email, contact.NormalizeEmail)
	check(&c.Phone, f.Phone, func(s string) (string, error) { return contact.NormalizePhone(s, w.Region) })
	check(&c.Timezone, f.Timezone, contact.NormalizeZone)
	check(&c.State, f.State, func(s string) (string, error) { return contact.NormalizeState(s), nil })
	if f.SMSConsent != nil {
		w.applyConsent(c, strings.TrimSpace(*f.SMSConsent), now)
	}
	c.Clean()
	if c.Email == "" && c.Phone == "" && len(bad) == 0 {
		bad = append(bad, "no email or phone: a customer needs one of them")
	}
	if len(bad) > 0 {
		return &InputError{Problems: bad}
	}
	return nil
}

func (w *Workspace) applyConsent(c *contact.Contact, source string, now time.Time) {
	yes := !strings.EqualFold(source, ConsentNo)
	c.SMSConsent = &yes
	c.SMSConsentAt, c.SMSConsentSource = "", ""
	if yes {
		c.SMSConsentAt, c.SMSConsentSource = w.today(now), source
	}
}

// cleanNote is a note as stored, or an error when nothing is left of it.
func cleanNote(s string) (string, error) {
	v, _ := contact.CleanText(s, MaxNoteLen, true)
	if v == "" {
		return "", invalidf("the note is empty")
	}
	return v, nil
}

// checkFree refuses an email or phone another customer than self has.
func (w *Workspace) checkFree(ctx context.Context, c *contact.Contact, self int64) error {
	look := []struct {
		field, value string
		find         func(context.Context, string) (*store.Contact, error)
	}{{"email", c.Email, w.Store.ContactByEmail}, {"phone", c.Phone, w.Store.ContactByPhone}}
	for _, l := range look {
		if l.value == "" {
			continue
		}
		owner, err := l.find(ctx, l.value)
		switch {
		case store.IsNotFound(err):
		case err != nil:
			return err
		case owner.ID != self:
			return &TakenError{Field: l.field, Value: l.value, Owner: owner}
		}
	}
	return nil
}

// Add stores a new customer and starts the journeys of campaigns triggered
// by new contacts. An email or phone another customer has is refused
// (TakenError), never merged. A note in f is their first.
func (w *Workspace) Add(ctx context.Context, f Fields, now time.Time) (*enroll.Result, error) {
	var in contact.Contact
	if err := w.apply(&in, f, now); err != nil {
		return nil, err
	}
	if in.FirstName == "" && in.LastName == "" {
		return nil, invalidf("a customer needs a name")
	}
	note, err := optionalNote(f.Note)
	if err != nil {
		return nil, err
	}
	if err := w.checkFree(ctx, &in, 0); err != nil {
		return nil, err
	}
	res, err := enroll.Contact(ctx, w.Store, w.Content, in, now)
	if err != nil {
		return nil, err
	}
	if !res.New { // added by someone else between the check and now
		return nil, &TakenError{Field: "email or phone", Value: strings.TrimSpace(in.Email + " " + in.Phone), Owner: res.Contact}
	}
	err = w.Store.Tx(ctx, func(tx *store.Tx) error {
		if err := w.record(ctx, tx, res.Contact.ID, store.HistoryChange, "added "+res.Contact.Label(), now); err != nil {
			return err
		}
		return w.addNote(ctx, tx, res.Contact.ID, note, now)
	})
	if err != nil {
		return nil, fmt.Errorf("record the adding of %s: %w", res.Contact.Label(), err)
	}
	return res, nil
}

func optionalNote(s string) (string, error) {
	if strings.TrimSpace(s) == "" {
		return "", nil
	}
	return cleanNote(s)
}

func (w *Workspace) addNote(ctx context.Context, tx *store.Tx, contactID int64, note string, now time.Time) error {
	if note == "" {
		return nil
	}
	return w.record(ctx, tx, contactID, store.HistoryNote, note, now)
}

// asRead is a stored customer as Fields apply to it.
func asRead(ct *store.Contact) contact.Contact {
	consent := ct.SMSConsent
	return contact.Contact{FirstName: ct.FirstName, LastName: ct.LastName, Email: ct.Email, Phone: ct.Phone,
		Timezone: ct.Timezone, State: ct.State, SMSConsent: &consent, SMSConsentAt: ct.SMSConsentAt, SMSConsentSource: ct.SMSConsentSource}
}

// Edit corrects a customer's fields (those f sets) and adds f's note. A
// changed email or phone is checked as on Add and refused when another
// customer has it. It returns the customer as stored and what changed.
func (w *Workspace) Edit(ctx context.Context, ct *store.Contact, f Fields, now time.Time) (*store.Contact, []string, error) {
	in := asRead(ct)
	if err := w.apply(&in, f, now); err != nil {
		return nil, nil, err
	}
	note, err := optionalNote(f.Note)
	if err != nil {
		return nil, nil, err
	}
	if err := w.checkFree(ctx, &in, ct.ID); err != nil {
		return nil, nil, err
	}
	out := *ct
	out.FirstName, out.LastName, out.Email, out.Phone, out.Timezone = in.FirstName, in.LastName, in.Email, in.Phone, in.Timezone
	out.State = in.State
	out.SMSConsent, out.SMSConsentAt, out.SMSConsentSource = *in.SMSConsent, in.SMSConsentAt, in.SMSConsentSource
	changes := changesOf(ct, &out)
	err = w.Store.Tx(ctx, func(tx *store.Tx) error {
		if len(changes) > 0 {
			if err := w.writeEdit(ctx, tx, ct, &out, changes, now); err != nil {
				return err
			}
		}
		return w.addNote(ctx, tx, ct.ID, note, now)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("edit %s: %w", ct.Label(), err)
	}
	return &out, changes, nil
}

// writeEdit stores the edited customer and records what changed. An
// address that bounced is given another chance once it is corrected; an
// opt-out stays, as the customer said it.
func (w *Workspace) writeEdit(ctx context.Context, tx *store.Tx, old, c *store.Contact, changes []string, now time.Time) error {
	if err := tx.UpdateContact(ctx, c, now.Unix()); err != nil {
		return err
	}
	note := "address corrected by the rep"
	if c.Email != old.Email && old.EmailStatus == store.Bounced {
		if err := tx.SetEmailStatus(ctx, c.ID, store.Subscribed, note, now.Unix()); err != nil {
			return err
		}
		c.EmailStatus = store.Subscribed
	}
	if c.Phone != old.Phone && old.SMSStatus == store.Bounced {
		if err := tx.SetSMSStatus(ctx, c.ID, store.Subscribed, note, now.Unix()); err != nil {
			return err
		}
		c.SMSStatus = store.Subscribed
	}
	return w.record(ctx, tx, c.ID, store.HistoryChange, strings.Join(changes, "; "), now)
}

// changesOf says what differs between the customer before and after, one
// phrase per field.
func changesOf(old, c *store.Contact) []string {
	var out []string
	field := func(name, a, b string) {
		if a != b {
			out = append(out, fmt.Sprintf("%s %s → %s", name, orNone(a), orNone(b)))
		}
	}
	field("first name", old.FirstName, c.FirstName)
	field("last name", old.LastName, c.LastName)
	field("email", old.Email, c.Email)
	field("phone", old.Phone, c.Phone)
	field("time zone", orRep(old.Timezone), orRep(c.Timezone))
	field("state", old.State, c.State)
	switch {
	case old.SMSConsent && !c.SMSConsent:
		out = append(out, "consent to texts withdrawn")
	case c.SMSConsent && (!old.SMSConsent || old.SMSConsentSource != c.SMSConsentSource || old.SMSConsentAt != c.SMSConsentAt):
		out = append(out, fmt.Sprintf("consent to texts recorded (%s, %s)", c.SMSConsentSource, c.SMSConsentAt))
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

func orRep(zone string) string {
	if zone == "" {
		return "(yours)"
	}
	return zone
}

// Note adds a dated note to the customer's history.
func (w *Workspace) Note(ctx context.Context, ct *store.Contact, text string, now time.Time) error {
	note, err := cleanNote(text)
	if err != nil {
		return err
	}
	return w.Store.Tx(ctx, func(tx *store.Tx) error { return w.addNote(ctx, tx, ct.ID, note, now) })
}

// RemovalSummary names who Remove would forget and what goes with them,
// for the rep to confirm.
func (w *Workspace) RemovalSummary(ctx context.Context, ct *store.Contact) (string, error) {
	n, err := w.Store.CountsOf(ctx, ct.ID)
	if err != nil {
		return "", fmt.Errorf("count what %s has: %w", ct.Label(), err)
	}
	who := ct.Label()
	if ids := strings.TrimSpace(ct.Email + " " + ct.Phone); ids != "" && ids != who {
		who += " (" + strings.ReplaceAll(ids, " ", ", ") + ")"
	}
	return fmt.Sprintf("%s, contact %d, with %d %s, %d %s and %d %s", who, ct.ID,
		n.Orders, plural(n.Orders, "order", "orders"), n.Messages, plural(n.Messages, "message", "messages"),
		n.Replies, plural(n.Replies, "reply", "replies")), nil
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Remove forgets a customer, for one who asks to be forgotten: their
// queued messages go, and their orders, journeys, messages, replies,
// notices and history are deleted. Nothing of them is left to record it.
func (w *Workspace) Remove(ctx context.Context, ct *store.Contact) error {
	err := w.Store.Tx(ctx, func(tx *store.Tx) error { return tx.DeleteContact(ctx, ct.ID) })
	if err != nil {
		return fmt.Errorf("forget %s: %w", ct.Label(), err)
	}
	return nil
}

// Pause holds every message to the customer until Resume: each keeps its
// place and due time, and goes at once on Resume if its time has come.
// It reports false when they were paused already.
func (w *Workspace) Pause(ctx context.Context, ct *store.Contact, now time.Time) (bool, error) {
	return w.setPaused(ctx, ct, now.Unix(), "paused their messages", now)
}

// Resume lets the customer's messages go again; false when they were not
// paused.
func (w *Workspace) Resume(ctx context.Context, ct *store.Contact, now time.Time) (bool, error) {
	return w.setPaused(ctx, ct, 0, "resumed their messages", now)
}

func (w *Workspace) setPaused(ctx context.Context, ct *store.Contact, at int64, what string, now time.Time) (bool, error) {
	if (ct.PausedAt != 0) == (at != 0) {
		return false, nil
	}
	err := w.Store.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.SetPaused(ctx, ct.ID, at, now.Unix()); err != nil {
			return err
		}
		return w.record(ctx, tx, ct.ID, store.HistoryChange, what, now)
	})
	if err != nil {
		return false, fmt.Errorf("%s for %s: %w", what, ct.Label(), err)
	}
	ct.PausedAt = at
	return true, nil
}

// Subscription channels for SetSubscription.
const (
	Email = "email"
	Texts = "sms"
)

// SetSubscription stops (on false) or restarts email or texts to the
// customer, as they asked the rep.
func (w *Workspace) SetSubscription(ctx context.Context, ct *store.Contact, ch string, on bool, now time.Time) error {
	status, what := store.Subscribed, "subscribed again to "
	if !on {
		status, what = store.Unsubscribed, "unsubscribed from "
		if ch == Texts {
			status = store.OptedOut
		}
	}
	note := "set by the " + w.Who
	err := w.Store.Tx(ctx, func(tx *store.Tx) error {
		var err error
		switch ch {
		case Email:
			err = tx.SetEmailStatus(ctx, ct.ID, status, note, now.Unix())
		case Texts:
			err = tx.SetSMSStatus(ctx, ct.ID, status, note, now.Unix())
		default:
			return invalidf("no channel %q: email or sms", ch)
		}
		if err != nil {
			return err
		}
		return w.record(ctx, tx, ct.ID, store.HistoryChange, what+channelWord(ch), now)
	})
	if err != nil && !errors.Is(err, ErrInvalid) {
		err = fmt.Errorf("%s%s for %s: %w", what, channelWord(ch), ct.Label(), err)
	}
	return err
}

func channelWord(ch string) string {
	if ch == Texts {
		return "texts"
	}
	return "email"
}
