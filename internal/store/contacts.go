package store

import (
	"cmp"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Contact statuses, per channel.
const (
	Subscribed   = "subscribed"
	Unsubscribed = "unsubscribed"
	Bounced      = "bounced"
	OptedOut     = "opted_out"
)

// Contact is a customer.
type Contact struct {
	ID               int64  `db:"id"`
	UID              string `db:"uid"`
	FirstName        string `db:"first_name"`
	LastName         string `db:"last_name"`
	Email            string `db:"email"`
	Phone            string `db:"phone"`
	Timezone         string `db:"timezone"`
	SMSConsent       bool   `db:"sms_consent"`
	SMSConsentAt     string `db:"sms_consent_at"`
	SMSConsentSource string `db:"sms_consent_source"`
	SMSConsentText   string `db:"sms_consent_text"`
	EmailStatus      string `db:"email_status"`
	SMSStatus        string `db:"sms_status"`
	StatusNote       string `db:"status_note"`
	CreatedAt        int64  `db:"created_at"`
	UpdatedAt        int64  `db:"updated_at"`
	// EmailMarketing is whether tips and news may go by email: unset when
	// the customer never said (then they may: see MarketingEmailDeclined).
	EmailMarketing sql.NullBool `db:"email_marketing"`
	// EmailMarketingAt and EmailMarketingSource say when and how the
	// customer said yes or no to tips and news, as an import read it.
	EmailMarketingAt     string `db:"email_marketing_at"`
	EmailMarketingSource string `db:"email_marketing_source"`
	// PausedAt is when the rep paused the customer's messages, 0 when
	// they go (see the "paused" condition in queries.sql).
	PausedAt int64 `db:"paused_at"`
	// State is the state or province of the customer's address ("TX"),
	// "" when unknown: it decides the state law on texting hours before
	// the phone's area code does.
	State string `db:"state"`

	// ConsentKnown marks, on input to UpsertContact, that SMSConsent was
	// stated (a "no" in an import must be able to withdraw a "yes").
	ConsentKnown bool `db:"-"`
}

// MarketingEmailDeclined reports whether the customer said no to tips and
// news by email. Never having said counts as yes: email marketing to
// customers is opt-out (CAN-SPAM).
func (c *Contact) MarketingEmailDeclined() bool {
	return c.EmailMarketing.Valid && !c.EmailMarketing.Bool
}

// WrittenTextConsent reports whether the contact's consent to texts is
// recorded as written: when and how they agreed, which marketing texts need.
func (c *Contact) WrittenTextConsent() bool {
	return c.SMSConsent && c.SMSConsentAt != "" && c.SMSConsentSource != ""
}

// Name is the contact's full name.
func (c *Contact) Name() string {
	return strings.TrimSpace(c.FirstName + " " + c.LastName)
}

// Label names the contact for the rep: full name, else email, else phone.
func (c *Contact) Label() string {
	for _, s := range []string{c.Name(), c.Email, c.Phone} {
		if s != "" {
			return s
		}
	}
	return fmt.Sprintf("contact %d", c.ID)
}

// NewUID returns a random id for links: it reveals nothing and cannot be
// guessed from another customer's.
func NewUID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return hex.EncodeToString(b)
}

// Contact returns the contact with the given id.
func (s *Store) Contact(ctx context.Context, id int64) (*Contact, error) {
	return one[Contact](ctx, s, s.r, "contact-by-id", id)
}

// ContactByUID finds a contact by the random id used in links.
func (s *Store) ContactByUID(ctx context.Context, uid string) (*Contact, error) {
	return one[Contact](ctx, s, s.r, "contact-by-uid", uid)
}

// ContactByEmail finds a contact by (lower-case) email.
func (s *Store) ContactByEmail(ctx context.Context, email string) (*Contact, error) {
	return one[Contact](ctx, s, s.r, "contact-by-email", strings.ToLower(email))
}

// ContactByPhone finds a contact by E.164 phone.
func (s *Store) ContactByPhone(ctx context.Context, phone string) (*Contact, error) {
	return one[Contact](ctx, s, s.r, "contact-by-phone", phone)
}

// Contacts lists contacts whose name, email or phone contains query
// (all when empty), by name.
func (s *Store) Contacts(ctx context.Context, query string) ([]Contact, error) {
	like := "%" + strings.ToLower(query) + "%"
	return all[Contact](ctx, s, s.r, "contacts-search", like, like, like)
}

// FindContact resolves what a rep types on the command line: an email, a
// phone number (already E.164) or a numeric id.
func (s *Store) FindContact(ctx context.Context, key string) (*Contact, error) {
	return one[Contact](ctx, s, s.r, "contact-find", strings.ToLower(key), key, key)
}

// UpsertResult says what UpsertContact did.
type UpsertResult int

// What an upsert did.
const (
	Unchanged UpsertResult = iota
	Inserted
	Updated
)

// Change is a field of a stored contact that an upsert changed.
type Change struct {
	Field string // first_name, last_name or email
	Old   string
	New   string
}

// Upsert says what MergeContact did.
type Upsert struct {
	Result UpsertResult
	// Changes lists the stored contact's name and email fields that
	// changed, for the rep to check that a row did not describe someone
	// else.
	Changes []Change
	// PhoneOwner is the other contact c's phone belongs to, when c is
	// someone else (another email): c was stored without the phone.
	PhoneOwner *Contact
}

// UpsertContact is MergeContact for callers that need only what it did.
func (tx *Tx) UpsertContact(ctx context.Context, c *Contact, now int64) (UpsertResult, error) {
	u, err := tx.MergeContact(ctx, c, now)
	if err != nil {
		return 0, err
	}
	return u.Result, nil
}

// MergeContact inserts c, or updates the stored contact c is. Email is the
// identity when c has one: c is then the contact with that email, else one
// with its phone and no email yet, else a new contact. A phone that belongs
// to a contact with another email stays theirs (two people of a household
// sharing a phone are two customers, and one must never get the other's
// orders or unsubscribe links): c goes in without it. With no email, c is
// the contact with its phone. Empty fields in c never blank stored ones,
// so importing a file with fewer columns loses nothing. c.ID is set either
// way.
//
// An import calls it for every row. Most rows are new customers, so it
// inserts first and looks for the stored contact only when the email or
// phone is taken: a lookup is a query, and database/sql watches each query
// in a transaction with a goroutine of its own, which cost more than the
// query.
func (tx *Tx) MergeContact(ctx context.Context, c *Contact, now int64) (*Upsert, error) {
	if c.ID == 0 {
		if inserted, err := tx.insertContact(ctx, c, now); err != nil {
			return nil, err
		} else if inserted {
			return &Upsert{Result: Inserted}, nil
		}
	}
	old, owner, err := tx.matchContact(ctx, c)
	if err != nil {
		return nil, err
	}
	u := &Upsert{PhoneOwner: owner}
	if owner != nil {
		c.Phone = ""
	}
	if old == nil {
		inserted, err := tx.insertContact(ctx, c, now)
		if err == nil && !inserted {
			err = fmt.Errorf("insert contact %s: its email or phone is taken, yet no contact has it", c.Label())
		}
		if err != nil {
			return nil, err
		}
		u.Result = Inserted
		return u, nil
	}
	merged := merge(*old, *c)
	*c = merged
	if merged == *old {
		u.Result = Unchanged
		return u, nil
	}
	c.UpdatedAt = now
	_, err = tx.exec(ctx, "contact-update", c.FirstName, c.LastName, c.Email, c.Phone, c.Timezone,
		c.SMSConsent, c.SMSConsentAt, c.SMSConsentSource, c.SMSConsentText, c.UpdatedAt,
		c.EmailMarketing, c.EmailMarketingAt, c.EmailMarketingSource, c.EmailStatus, c.State, c.ID)
	if err != nil {
		return nil, fmt.Errorf("update contact %s: %w", c.Label(), err)
	}
	u.Result, u.Changes = Updated, changes(old, c)
	return u, nil
}

// changes lists the name and email fields that differ from old to c.
func changes(old, c *Contact) []Change {
	var out []Change
	for _, f := range []struct{ name, old, new string }{
		{"first_name", old.FirstName, c.FirstName},
		{"last_name", old.LastName, c.LastName},
		{"email", old.Email, c.Email},
	} {
		if f.old != f.new {
			out = append(out, Change{Field: f.name, Old: f.old, New: f.new})
		}
	}
	return out
}

// insertContact inserts c unless its email or phone is taken, and reports
// whether it did.
func (tx *Tx) insertContact(ctx context.Context, c *Contact, now int64) (bool, error) {
	uid := NewUID()
	res, err := tx.exec(ctx, "contact-insert", contactValues(c, uid, now, nil)...)
	if err != nil {
		return false, fmt.Errorf("insert contact %s: %w", c.Label(), err)
	}
	var id int64
	if ok, err := inserted(res, "contact-insert", &id); err != nil || !ok {
		return false, err
	}
	c.ID, c.UID, c.CreatedAt, c.UpdatedAt = id, uid, now, now
	return true, nil
}

// contactValues appends contact-insert's values for c to args.
func contactValues(c *Contact, uid string, now int64, args []any) []any {
	return append(args, uid, c.FirstName, c.LastName, c.Email, c.Phone, c.Timezone, c.SMSConsent,
		c.SMSConsentAt, c.SMSConsentSource, c.SMSConsentText, now, now,
		c.EmailMarketing, c.EmailMarketingAt, c.EmailMarketingSource, cmp.Or(c.EmailStatus, Subscribed), c.State)
}

// InsertContacts inserts each contact of cs whose email and phone are free,
// many per statement, and reports which it inserted (those get their ID,
// UID and times). No two contacts of cs may share an email or a phone: the
// one inserted would then depend on the order of the rows in a statement.
// An import inserts most of its rows this way and upserts the rest.
func (tx *Tx) InsertContacts(ctx context.Context, cs []*Contact, now int64) ([]bool, error) {
	if len(cs) == 0 {
		return nil, nil
	}
	uids := make([]string, len(cs))
	byUID := make(map[string]int, len(cs))
	for i := range cs {
		uids[i] = NewUID()
		byUID[uids[i]] = i
	}
	// Which rows went in: a new row's id follows the largest id before it
	// (RETURNING would do, but it makes SQLite plan the foreign-key checks
	// of contacts' children, which the plan test then cannot tell apart).
	before, err := valueOf[int64](ctx, tx.s, tx, "contacts-max-id")
	if err != nil {
		return nil, err
	}
	_, err = tx.insertRows(ctx, "contact-insert", len(cs), func(i int, args []any) []any {
		return contactValues(cs[i], uids[i], now, args)
	})
	if err != nil {
		return nil, err
	}
	rs, err := tx.s.rows(ctx, tx, "contacts-since", before)
	if err != nil {
		return nil, err
	}
	defer rs.Close()
	done := make([]bool, len(cs))
	for rs.Next() {
		var id int64
		var uid string
		if err := rs.Scan(&id, &uid); err != nil {
			return nil, queryError("contacts-since", err)
		}
		i, ok := byUID[uid]
		if !ok {
			return nil, fmt.Errorf("insert contacts: contact %d appeared meanwhile", id)
		}
		c := cs[i]
		c.ID, c.UID, c.CreatedAt, c.UpdatedAt = id, uid, now, now
		done[i] = true
	}
	if err := rs.Err(); err != nil {
		return nil, queryError("contacts-since", err)
	}
	return done, nil
}

// matchContact finds the stored contact c is (see MergeContact), nil when
// c is new, and the other contact owning c's phone, if any. (Separate
// lookups: one query with OR and ORDER BY built a temporary table and took
// longer.)
func (tx *Tx) matchContact(ctx context.Context, c *Contact) (old, phoneOwner *Contact, err error) {
	byEmail, _, err := tx.contactBy(ctx, "contact-by-email", c.Email)
	if err != nil {
		return nil, nil, err
	}
	var byPhone *Contact
	if byEmail == nil || byEmail.Phone != c.Phone {
		if byPhone, _, err = tx.contactBy(ctx, "contact-by-phone", c.Phone); err != nil {
			return nil, nil, err
		}
	}
	switch {
	case byEmail != nil:
		old = byEmail
	case byPhone != nil && (c.Email == "" || byPhone.Email == ""):
		old = byPhone
	case c.ID != 0:
		if old, _, err = tx.contactBy(ctx, "contact-by-id", c.ID); err != nil {
			return nil, nil, err
		}
	}
	if byPhone != nil && (old == nil || byPhone.ID != old.ID) {
		phoneOwner = byPhone
	}
	return old, phoneOwner, nil
}

// contactBy looks a contact up by a key (query: by email, phone or id);
// found is false when the key is blank or no contact has it.
func (tx *Tx) contactBy(ctx context.Context, query string, key any) (c *Contact, found bool, err error) {
	if key == "" || key == int64(0) {
		return nil, false, nil
	}
	c, err = one[Contact](ctx, tx.s, tx, query, key)
	switch {
	case errors.Is(err, ErrNotFound):
		return nil, false, nil
	case err != nil:
		return nil, false, err
	}
	return c, true, nil
}

// merge overlays the non-empty fields of in on old.
func merge(old, in Contact) Contact {
	out := old
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&out.FirstName, in.FirstName)
	set(&out.LastName, in.LastName)
	set(&out.Email, in.Email)
	set(&out.Phone, in.Phone)
	set(&out.Timezone, in.Timezone)
	set(&out.State, in.State)
	// The same answer already on record keeps its date and source: they
	// say when it was first given, and a file imported again (its consent
	// dated the day of each import) changes nothing.
	sameSMS := in.SMSConsent == old.SMSConsent && old.SMSConsentAt != "" && old.SMSConsentSource != ""
	if in.ConsentKnown && !sameSMS {
		out.SMSConsent = in.SMSConsent
		set(&out.SMSConsentAt, in.SMSConsentAt)
		set(&out.SMSConsentSource, in.SMSConsentSource)
		set(&out.SMSConsentText, in.SMSConsentText)
	}
	mergeEmail(&out, in)
	return out
}

// mergeEmail overlays what in says about email on out. It only ever stops
// mail: an unsubscribed or bounced address stays so whatever a file says,
// and a yes to tips and news fills an unknown but never overturns a no
// (the customer may have said it on the unsubscribe page since). The same
// answer keeps its date and source, as the SMS one does.
func mergeEmail(out *Contact, in Contact) {
	if (in.EmailStatus == Unsubscribed || in.EmailStatus == Bounced) && out.EmailStatus == Subscribed {
		out.EmailStatus = in.EmailStatus
	}
	changes := in.EmailMarketing.Valid && in.EmailMarketing != out.EmailMarketing
	if changes && (!in.EmailMarketing.Bool || !out.EmailMarketing.Valid) {
		out.EmailMarketing = in.EmailMarketing
		out.EmailMarketingAt = in.EmailMarketingAt
		out.EmailMarketingSource = in.EmailMarketingSource
	}
}

// SetEmailStatus records subscribed/unsubscribed/bounced for a contact's email.
func (tx *Tx) SetEmailStatus(ctx context.Context, id int64, status, note string, now int64) error {
	_, err := tx.exec(ctx, "contact-set-email-status", status, note, now, id)
	return err
}

// SetEmailMarketing records whether the contact accepts tips and news by
// email; note says how it was said.
func (tx *Tx) SetEmailMarketing(ctx context.Context, id int64, accepts bool, note string, now int64) error {
	_, err := tx.exec(ctx, "contact-set-email-marketing", accepts, note, now, id)
	return err
}

// SetSMSStatus records subscribed/opted_out/bounced for a contact's phone.
func (tx *Tx) SetSMSStatus(ctx context.Context, id int64, status, note string, now int64) error {
	_, err := tx.exec(ctx, "contact-set-sms-status", status, note, now, id)
	return err
}

// SetSMSConsent records that the contact agreed (or withdrew agreement) to texts.
func (tx *Tx) SetSMSConsent(ctx context.Context, id int64, consent bool, at, source, words string, now int64) error {
	_, err := tx.exec(ctx, "contact-set-sms-consent", consent, at, source, words, now, id)
	return err
}
