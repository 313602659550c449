package dashboard

import (
	"context"
	"strings"
	"testing"

	"github.com/rapportapp/rapport/internal/store"
)

// The customer's page shows both consents with their date and source, and
// the state of their address.
func TestContactPageShowsConsents(t *testing.T) {
	f := newFixture(t)
	f.setPassword(t, password)
	c := f.login(t)
	ctx := context.Background()
	err := f.st.Tx(ctx, func(tx *store.Tx) error {
		_, err := tx.UpsertContact(ctx, &store.Contact{FirstName: "Bo", Email: "bo@example.com", State: "TX"}, t0.Unix())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	bo, err := f.st.ContactByEmail(ctx, "bo@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.Tx(ctx, func(tx *store.Tx) error { return tx.SetEmailMarketing(ctx, bo.ID, false, "", 1) }); err != nil {
		t.Fatal(err)
	}
	jane := f.get(t, "/dashboard/contacts/"+itoa(f.jane), c)
	for _, want := range []string{"<dd>yes, 2026-01-10, order form</dd>", "<dd>yes, never asked (unsubscribing stops them)</dd>"} {
		if !strings.Contains(jane, want) {
			t.Errorf("Jane's page lacks %q", want)
		}
	}
	page := f.get(t, "/dashboard/contacts/"+itoa(bo.ID), c)
	for _, want := range []string{"<dt>Tips by email</dt><dd>no</dd>", "<dt>State</dt><dd>TX</dd>"} {
		if !strings.Contains(page, want) {
			t.Errorf("Bo's page lacks %q:\n%s", want, page)
		}
	}
}
