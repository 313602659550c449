package store

import (
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
	// PausedAt is when the rep paused the customer's messages, 0 when
	// they go (see the "paused" condition in queries.sql).
	PausedAt int64 `db:"paused_at"`

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

// UpsertContact inserts c, or updates the contact with the same email (else
// the same phone). Empty fields in c never blank stored ones, so importing
// a file with fewer columns loses nothing. c.ID is set either way.
//
// An import calls it for every row. Most rows are new customers, so it
// inserts first and looks for the stored contact only when the email or
// phone is taken: a lookup is a query, and database/sql watches each query
// in a transaction with a goroutine of its own, which cost more than the
// query.
func (tx *Tx) UpsertContact(ctx context.Context, c *Contact, now int64) (UpsertResult, error) {
	if c.ID == 0 {
		if inserted, err := tx.insertContact(ctx, c, now); err != nil || inserted {
			return Inserted, err
		}
	}
	old, err := tx.matchContact(ctx, c)
	if errors.Is(err, ErrNotFound) {
		inserted, err := tx.insertContact(ctx, c, now)
		if err == nil && !inserted {
			err = fmt.Errorf("insert contact %s: its email or phone is taken, yet no contact has it", c.Label())
		}
		return Inserted, err
	}
	if err != nil {
		return 0, err
	}
	merged := merge(*old, *c)
	*c = merged
	if merged == *old {
		return Unchanged, nil
	}
	c.UpdatedAt = now
	_, err = tx.exec(ctx, "contact-update", c.FirstName, c.LastName, c.Email, c.Phone, c.Timezone,
		c.SMSConsent, c.SMSConsentAt, c.SMSConsentSource, c.SMSConsentText, c.UpdatedAt, c.ID)
	if err != nil {
		return 0, fmt.Errorf("update contact %s: %w", c.Label(), err)
	}
	return Updated, nil
}

// insertContact inserts c unless its email or phone is taken, and reports
// whether it did.
func (tx *Tx) insertContact(ctx context.Context, c *Contact, now int64) (bool, error) {
	uid := NewUID()
	res, err := tx.exec(ctx, "contact-insert", contactValues(c, uid, now)...)
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

// contactValues are contact-insert's values for c.
func contactValues(c *Contact, uid string, now int64) []any {
	return []any{uid, c.FirstName, c.LastName, c.Email, c.Phone, c.Timezone, c.SMSConsent,
		c.SMSConsentAt, c.SMSConsentSource, c.SMSConsentText, now, now}
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
	rows := make([][]any, len(cs))
	byUID := make(map[string]int, len(cs))
	for i, c := range cs {
		uid := NewUID()
		byUID[uid] = i
		rows[i] = contactValues(c, uid, now)
	}
	// Which rows went in: a new row's id follows the largest id before it
	// (RETURNING would do, but it makes SQLite plan the foreign-key checks
	// of contacts' children, which the plan test then cannot tell apart).
	before, err := valueOf[int64](ctx, tx.s, tx, "contacts-max-id")
	if err != nil {
		return nil, err
	}
	if _, err := tx.insertRows(ctx, "contact-insert", rows); err != nil {
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

// matchContact finds the stored contact c updates: the one with the same
// email, else the same phone, else the one with c.ID. (Two lookups: one
// query with OR and ORDER BY built a temporary table and took longer.)
func (tx *Tx) matchContact(ctx context.Context, c *Contact) (*Contact, error) {
	if c.Email != "" {
		if old, err := one[Contact](ctx, tx.s, tx, "contact-by-email", c.Email); !errors.Is(err, ErrNotFound) {
			return old, err
		}
	}
	if c.Phone != "" {
		if old, err := one[Contact](ctx, tx.s, tx, "contact-by-phone", c.Phone); !errors.Is(err, ErrNotFound) {
			return old, err
		}
	}
	if c.ID != 0 {
		return one[Contact](ctx, tx.s, tx, "contact-by-id", c.ID)
	}
	return nil, ErrNotFound
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
	if in.ConsentKnown {
		out.SMSConsent = in.SMSConsent
		set(&out.SMSConsentAt, in.SMSConsentAt)
		set(&out.SMSConsentSource, in.SMSConsentSource)
		set(&out.SMSConsentText, in.SMSConsentText)
	}
	return out
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
