package enroll_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/contact"
	"github.com/rapportapp/rapport/internal/enroll"
)

// importShopify imports the Shopify customers export of the contact
// package's tests at now, as `rapport import shopify-customers.csv` does.
func importShopify(t *testing.T, now time.Time) (*enroll.Summary, string) {
	t.Helper()
	st, path := newStore(t)
	f, err := os.Open(filepath.Join("..", "contact", "testdata", "shopify-customers.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := contact.NewReader(f, contact.Options{Region: "US"})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := enroll.Import(context.Background(), st, starterContent(t, true, nil), r,
		enroll.Options{File: "shopify-customers.csv"}, now)
	if err != nil {
		t.Fatal(err)
	}
	return sum, path
}

// A Shopify customer with Accepts Email Marketing = no is stored as having
// declined tips and news by email, dated and sourced by the import (the
// export has no dates): the day is the rep's (Chicago), not UTC's.
func TestImportShopifyConsent(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC) // 4 December, 21:00 in Chicago
	sum, path := importShopify(t, now)
	const source = "import of shopify-customers.csv, 2026-12-04"
	got := queryStrings(t, path, `SELECT email || '|' || coalesce(email_marketing, 'null') || '|' || email_marketing_at || '|' ||
		email_marketing_source || '|' || sms_consent || '|' || sms_consent_at || '|' || sms_consent_source FROM contacts ORDER BY id`)
	want := []string{
		"ana.diaz@example.com|1|2026-12-04|" + source + "|1|2026-12-04|" + source,
		"bo.kim@example.com|0|2026-12-04|" + source + "|0|2026-12-04|" + source,
		// No SMS answer: no SMS consent on record, no date or source.
		"cy.ng@example.com|0|2026-12-04|" + source + "|0||",
		"di.lo@example.com|1|2026-12-04|" + source + "|0|2026-12-04|" + source,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stored\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	wantConsents := enroll.Consents{SMSYes: 1, SMSNo: 2, EmailMarketingYes: 2, EmailMarketingNo: 2}
	if sum.Consents != wantConsents {
		t.Errorf("consents %+v, want %+v", sum.Consents, wantConsents)
	}
	if len(sum.IgnoredColumns) != 12 || sum.IgnoredColumns[0] != "Customer ID" {
		t.Errorf("ignored columns %q, want Shopify's 12 address (but the state) and total columns", sum.IgnoredColumns)
	}
	wantWarnings := []enroll.Warning{{Line: 5, Text: "first name: control characters or line breaks removed"}}
	if !reflect.DeepEqual(sum.Warnings, wantWarnings) {
		t.Errorf("warnings %+v, want %+v", sum.Warnings, wantWarnings)
	}
	if sum.Inserted != 4 || sum.Skipped != 1 {
		t.Errorf("summary %+v, want 4 inserted and Eve's \"maybe\" skipped", sum)
	}
}

// Mailchimp's unsubscribed and cleaned exports mark the addresses
// unsubscribed and bounced; importing the subscribed export afterwards
// does not bring them back.
func TestImportMailchimpOptOuts(t *testing.T) {
	t.Parallel()
	st, path := newStore(t)
	c := starterContent(t, true, nil)
	unsub := importText(t, st, c, "Email Address,First Name,OPTIN_TIME,UNSUB_TIME\nann@example.com,Ann,2023-05-01 10:00:00,2025-01-02 08:00:00\n", enroll.Options{})
	cleaned := importText(t, st, c, "Email Address,First Name,OPTIN_TIME,CLEAN_TIME\nbo@example.com,Bo,2023-05-01 10:00:00,2025-01-03 08:00:00\n", enroll.Options{})
	importText(t, st, c, "Email Address,First Name,OPTIN_TIME,CONFIRM_TIME\nann@example.com,Ann,2023-05-01 10:00:00,\nbo@example.com,Bo,,\n", enroll.Options{})
	if unsub.Consents.EmailUnsubscribed != 1 || cleaned.Consents.EmailBounced != 1 {
		t.Errorf("consents %+v and %+v, want one unsubscribed, one bounced", unsub.Consents, cleaned.Consents)
	}
	got := queryStrings(t, path, `SELECT email || '|' || email_status FROM contacts ORDER BY id`)
	want := []string{"ann@example.com|unsubscribed", "bo@example.com|bounced"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("stored %q, want %q", got, want)
	}
}

// Importing the same file again on a later day changes nothing: the
// consents keep the date and source of the first import.
func TestImportConsentAgainLaterChangesNothing(t *testing.T) {
	t.Parallel()
	st, path := newStore(t)
	c := starterContent(t, true, nil)
	csv := "Email,Phone,SMS Consent,Email Marketing\na@example.com,312 555 0100,yes,no\n"
	importText(t, st, c, csv, enroll.Options{File: "a.csv"})
	r, err := contact.NewReader(strings.NewReader(csv), contact.Options{Region: "US"})
	if err != nil {
		t.Fatal(err)
	}
	again, err := enroll.Import(context.Background(), st, c, r, enroll.Options{File: "a.csv"}, importNow.AddDate(0, 0, 7))
	if err != nil {
		t.Fatal(err)
	}
	if again.Unchanged != 1 {
		t.Errorf("again a week later: %+v, want 1 unchanged", again)
	}
	got := queryStrings(t, path, `SELECT sms_consent_source || '|' || email_marketing_source FROM contacts`)
	if want := "import of a.csv, 2026-03-02|import of a.csv, 2026-03-02"; len(got) != 1 || got[0] != want {
		t.Errorf("sources %q, want %q", got, want)
	}
}
