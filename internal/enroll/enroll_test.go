package enroll_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/rapportapp/rapport/internal/cases"
	"github.com/rapportapp/rapport/internal/contact"
	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/enroll"
	"github.com/rapportapp/rapport/internal/store"
)

// addContact stores a contact through enroll.Contact, the starter
// campaigns and the welcome campaign running.
func addContact(t testing.TB, st *store.Store, in contact.Contact) *enroll.Result {
	t.Helper()
	return addContactTo(t, st, starterContent(t, true, welcome), in)
}

func addContactTo(t testing.TB, st *store.Store, c *engine.Content, in contact.Contact) *enroll.Result {
	t.Helper()
	res, err := enroll.Contact(context.Background(), st, c, in, importNow)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// An order starts the post-order journey and reports the steps it queued;
// the same order again changes nothing.
func TestOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, path := newStore(t)
	c := starterContent(t, true, nil)
	ct := addContactTo(t, st, c, contact.Contact{FirstName: "Ann", Email: "ann@example.com"}).Contact
	o := store.Order{Date: "2026-03-01", Invoice: "INV-1", Items: "Lavender"}

	res, err := enroll.Order(ctx, st, c, ct, o, importNow)
	if err != nil {
		t.Fatal(err)
	}
	if !res.New || res.Journeys != 1 || len(res.Upcoming) == 0 {
		t.Fatalf("first order: %+v, want a new order, 1 journey, steps queued", res)
	}
	for i, d := range res.Upcoming {
		if d.State != store.Pending || d.Campaign != "post-order" || (i > 0 && d.DueAt < res.Upcoming[i-1].DueAt) {
			t.Errorf("upcoming %d: %s/%s %s at %d, want pending post-order steps, soonest first", i, d.Campaign, d.Step, d.State, d.DueAt)
		}
	}
	queued := count(t, path, "SELECT count(*) FROM messages WHERE state = 'pending'")
	if queued != len(res.Upcoming) {
		t.Errorf("%d steps queued, %d reported", queued, len(res.Upcoming))
	}

	again, err := enroll.Order(ctx, st, c, ct, o, importNow)
	if err != nil {
		t.Fatal(err)
	}
	if again.New || again.Journeys != 0 {
		t.Errorf("same order again: %+v, want nothing new", again)
	}
	if n := count(t, path, "SELECT count(*) FROM orders"); n != 1 {
		t.Errorf("%d orders stored, want 1", n)
	}
}

// An order's company is read as the import reads it: spelt as its
// [policy.NAME], and a warning for one with no policy of its own.
func TestOrderCompany(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, path := newStore(t)
	c := starterContent(t, false, nil)
	c.Policy.Named = map[string]cases.Policy{"acme": {}}
	ct := addContactTo(t, st, c, contact.Contact{Email: "ann@example.com"}).Contact
	for _, tc := range []struct{ invoice, company, warn string }{
		{"A-1", " ACME ", ""},
		{"A-2", "Zenith Oils", `company "Zenith Oils" has no [policy.Zenith Oils] in config.toml`},
		{"A-3", "", ""},
	} {
		res, err := enroll.Order(ctx, st, c, ct, store.Order{Date: "2026-03-01", Invoice: tc.invoice, Company: tc.company}, importNow)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(res.Warning, tc.warn) || (tc.warn == "") != (res.Warning == "") {
			t.Errorf("%s, company %q: warning %q, want %q", tc.invoice, tc.company, res.Warning, tc.warn)
		}
	}
	got := queryStrings(t, path, "SELECT invoice || '=' || company FROM orders ORDER BY invoice")
	if want := []string{"A-1=acme", "A-2=Zenith Oils", "A-3="}; !slices.Equal(got, want) {
		t.Errorf("orders' companies %q, want %q", got, want)
	}
}

// An order months old starts its journey with the steps already past
// counted, not queued.
func TestOrderPastSteps(t *testing.T) {
	t.Parallel()
	st, _ := newStore(t)
	ct := addContact(t, st, contact.Contact{Email: "old@example.com"}).Contact
	res, err := enroll.Order(context.Background(), st, starterContent(t, true, nil), ct, store.Order{Date: "2025-06-01"}, importNow)
	if err != nil {
		t.Fatal(err)
	}
	if !res.New || res.Journeys != 1 || res.PastSteps == 0 {
		t.Errorf("old order: %+v, want a journey with past steps", res)
	}
}

// A new contact starts the campaigns triggered by new contacts; the same
// contact again updates it (never blanking a field) and starts nothing.
func TestContact(t *testing.T) {
	t.Parallel()
	st, path := newStore(t)
	yes := true
	first := addContact(t, st, contact.Contact{FirstName: "Ann", Email: "ann@example.com", Phone: "+13125550142", SMSConsent: &yes})
	if !first.New || first.Updated || first.Journeys != 1 || len(first.Upcoming) != 1 || first.Upcoming[0].Campaign != "welcome" {
		t.Fatalf("new contact: %+v, want the welcome journey and its step", first)
	}
	if first.Contact.ID == 0 || !first.Contact.SMSConsent {
		t.Errorf("stored contact %+v, want an id and the consent", first.Contact)
	}
	second := addContact(t, st, contact.Contact{LastName: "Lee", Phone: "+13125550142"})
	if second.New || !second.Updated || second.Journeys != 0 || second.Contact.ID != first.Contact.ID {
		t.Errorf("same phone again: %+v, want contact %d updated", second, first.Contact.ID)
	}
	if c := second.Contact; c.Name() != "Ann Lee" || c.Email != "ann@example.com" {
		t.Errorf("merged contact %q %q, want Ann Lee with her email kept", c.Name(), c.Email)
	}
	third := addContact(t, st, contact.Contact{Email: "ann@example.com"})
	if third.New || third.Updated {
		t.Errorf("nothing new: %+v, want it unchanged", third)
	}
	if n := count(t, path, "SELECT count(*) FROM journeys"); n != 1 {
		t.Errorf("%d journeys, want 1", n)
	}
}

// A contact is found by email, by phone however it is written, or by id.
func TestFindContact(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st, _ := newStore(t)
	daniel := addContact(t, st, contact.Contact{FirstName: "Daniel", Phone: "+17735550139"}).Contact
	ann := addContact(t, st, contact.Contact{FirstName: "Ann", Email: "ann@example.com"}).Contact
	for key, want := range map[string]int64{
		"(773) 555-0139": daniel.ID, "773 555 0139": daniel.ID, "+1 773 555 0139": daniel.ID, "+17735550139": daniel.ID,
		"Ann@Example.com": ann.ID, " ann@example.com ": ann.ID,
		"1": daniel.ID, "2": ann.ID,
	} {
		got, err := enroll.FindContact(ctx, st, "US", key)
		if err != nil || got.ID != want {
			t.Errorf("FindContact(%q) = %+v, %v; want contact %d", key, got, err, want)
		}
	}
	for key, want := range map[string]error{
		"(312) 555-0199": store.ErrNotFound, "bob@example.com": store.ErrNotFound, "99": store.ErrNotFound,
		"Daniel": enroll.ErrBadKey, "bob@": enroll.ErrBadKey, "": enroll.ErrBadKey,
	} {
		got, err := enroll.FindContact(ctx, st, "US", key)
		if !errors.Is(err, want) || got != nil {
			t.Errorf("FindContact(%q) = %+v, %v; want %v", key, got, err, want)
		}
	}
}

// A contact added with another customer's phone is someone else: added
// without the phone, and the caller learns whose it is.
func TestContactWithAnotherCustomersPhone(t *testing.T) {
	t.Parallel()
	st, _ := newStore(t)
	ann := addContact(t, st, contact.Contact{FirstName: "Ann", Email: "ann@example.com", Phone: "+13125550111"}).Contact
	res := addContact(t, st, contact.Contact{FirstName: "Ben", Email: "ben@example.com", Phone: "+13125550111"})
	if !res.New || res.Contact.ID == ann.ID || res.Contact.Phone != "" || res.PhoneOwner == nil || res.PhoneOwner.ID != ann.ID {
		t.Fatalf("%+v (contact %+v); want Ben new, without Ann's phone, told it is hers", res, res.Contact)
	}
	res = addContact(t, st, contact.Contact{FirstName: "Annie", Phone: "+13125550111"})
	if res.Contact.ID != ann.ID || !res.Updated || len(res.Changes) != 1 || res.Changes[0].New != "Annie" {
		t.Errorf("%+v; want Ann renamed, the change listed", res)
	}
}
