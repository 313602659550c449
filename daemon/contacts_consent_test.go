package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// `rapport contacts` shows each customer's answers on texts and on tips
// by email with their source and date, and the address state; --json has
// email_marketing true, false or null.
func TestContactsShowConsentAndState(t *testing.T) {
	w := newWorkspace(t)
	path := w.copyFixture(t, "shopify-customers.csv")
	now := time.Date(2026, 12, 5, 3, 0, 0, 0, time.UTC).Format(time.RFC3339) // 4 December in Chicago
	w.run(t, "--now", now, "import", path)
	w.mustRun(t, "--now", now, "contacts", "add", "--first-name", "Zed", "--email", "zed@example.com", "--state", "texas")

	out := w.mustRun(t, "contacts", "--json")
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &raw); err != nil {
		t.Fatal(err)
	}
	byEmail := map[string]map[string]json.RawMessage{}
	for _, c := range raw {
		var email string
		json.Unmarshal(c["email"], &email)
		byEmail[email] = c
	}
	const source = `"import of shopify-customers.csv, 2026-12-04"`
	for _, tc := range []struct{ email, key, want string }{
		{"bo.kim@example.com", "email_marketing", "false"},
		{"bo.kim@example.com", "email_marketing_source", source},
		{"bo.kim@example.com", "email_marketing_at", `"2026-12-04"`},
		{"bo.kim@example.com", "state", `"IL"`},
		{"ana.diaz@example.com", "email_marketing", "true"},
		{"ana.diaz@example.com", "sms_consent_source", source},
		{"zed@example.com", "email_marketing", "null"},
		{"zed@example.com", "state", `"TX"`},
	} {
		if got := string(byEmail[tc.email][tc.key]); got != tc.want {
			t.Errorf("%s %s = %s, want %s", tc.email, tc.key, got, tc.want)
		}
	}

	text := w.mustRun(t, "contacts", "bo.kim")
	want := "consent: texts no (import of shopify-customers.csv, 2026-12-04); tips by email no (import of shopify-customers.csv, 2026-12-04); state IL"
	if !strings.Contains(text, want) {
		t.Errorf("contacts text lacks %q:\n%s", want, text)
	}
	if text := w.mustRun(t, "contacts", "zed"); !strings.Contains(text, "tips by email: never asked") {
		t.Errorf("contacts text for Zed:\n%s", text)
	}

	out = w.mustRun(t, "contacts", "edit", "zed@example.com", "--state", "RI")
	if !strings.Contains(out, "state TX → RI") {
		t.Errorf("edit --state printed %q", out)
	}
}
