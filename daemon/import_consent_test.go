package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/enroll"
)

// copyFixture copies a file of the contact package's test data into the
// workspace.
func (w *workspace) copyFixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "internal", "contact", "testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	w.write(t, name, string(b))
	return w.path(name)
}

// `rapport import` of Shopify's customer export: a customer who does not
// accept email marketing is stored as having declined it, dated and
// sourced by the import in the rep's day; the summary lists the columns
// ignored, the consents read and the row cleaned, as text and as JSON.
func TestImportShopifyExport(t *testing.T) {
	w := newWorkspace(t)
	path := w.copyFixture(t, "shopify-customers.csv")
	now := time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC).Format(time.RFC3339) // 4 December in Chicago

	out, _, code := w.run(t, "--now", now, "import", path, "--dry-run")
	if code != exitInvalid {
		t.Fatalf("dry run: exit %d, want %d (Eve's row is skipped)", code, exitInvalid)
	}
	for _, want := range []string{
		"consents read: 1 SMS yes, 2 SMS no, 2 email marketing yes, 2 email marketing no\n",
		"12 columns ignored: Customer ID, Default Address Company, ",
		path + ":5: cleaned: first name: control characters or line breaks removed\n",
		path + `:6: skipped: invalid email marketing "maybe"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text summary lacks %q:\n%s", want, out)
		}
	}

	out, _, code = w.run(t, "--now", now, "import", path, "--json")
	if code != exitInvalid {
		t.Fatalf("import: exit %d, want %d", code, exitInvalid)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatalf("--json: %v\n%s", err, out)
	}
	for _, key := range []string{"ignored_columns", "consents", "warnings"} {
		if _, ok := raw[key]; !ok {
			t.Errorf("--json lacks %q:\n%s", key, out)
		}
	}
	var sum enroll.Summary
	if err := json.Unmarshal([]byte(out), &sum); err != nil {
		t.Fatal(err)
	}
	if want := (enroll.Consents{SMSYes: 1, SMSNo: 2, EmailMarketingYes: 2, EmailMarketingNo: 2}); sum.Consents != want {
		t.Errorf("consents %+v, want %+v", sum.Consents, want)
	}
	if want := []enroll.Warning{{Line: 5, Text: "first name: control characters or line breaks removed"}}; !reflect.DeepEqual(sum.Warnings, want) {
		t.Errorf("warnings %+v, want %+v", sum.Warnings, want)
	}

	bo, err := w.openStore(t).ContactByEmail(context.Background(), "bo.kim@example.com")
	if err != nil {
		t.Fatal(err)
	}
	const source = "import of shopify-customers.csv, 2026-12-04"
	if !bo.MarketingEmailDeclined() || bo.EmailMarketingAt != "2026-12-04" || bo.EmailMarketingSource != source ||
		bo.SMSConsent || bo.SMSConsentAt != "2026-12-04" || bo.SMSConsentSource != source {
		t.Errorf("Bo stored as %+v; want email marketing and texts declined on 2026-12-04 by %q", bo, source)
	}
}

// --map names two columns for the phone: the first non-blank, in --map
// order, wins; the numbers lose the iPhone's direction marks.
func TestImportMapSeveralColumns(t *testing.T) {
	w := newWorkspace(t)
	path := w.copyFixture(t, "iphone-contacts.csv")
	out, _, code := w.run(t, "import", path, "--map", "Phone : iPhone=phone", "--map", "Phone : mobile=phone")
	if code != exitInvalid || !strings.Contains(out, path+":5: skipped: no email or phone") {
		t.Fatalf("exit %d, want %d and Dee (a home number only) skipped:\n%s", code, exitInvalid, out)
	}
	st := w.openStore(t)
	for email, phone := range map[string]string{
		"ann@example.com": "+13125550151", "ben.gray@example.com": "+17735550160", "cat.hill@example.com": "+13125550170",
	} {
		c, err := st.ContactByEmail(context.Background(), email)
		if err != nil || c.Phone != phone {
			t.Errorf("%s: %+v, %v; want phone %s", email, c, err, phone)
		}
	}
}
