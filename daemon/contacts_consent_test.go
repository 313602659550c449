package main

import (
	"encoding/json"
	"path/filepath"
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

// `rapport preview` says when a text held by a state's law really goes,
// and names the law: a customer at a Texas address whose arrival check is
// due Sunday 10:00 gets it at noon.
func TestPreviewShowsTheRuleThatHoldsAText(t *testing.T) {
	w := newWorkspace(t)
	now := time.Date(2026, 3, 3, 15, 0, 0, 0, time.UTC).Format(time.RFC3339) // a Tuesday
	w.mustRun(t, "--now", now, "contacts", "add", "--first-name", "Kim", "--phone", "312 555 0100",
		"--state", "TX", "--sms-consent", "order form")
	w.mustRun(t, "--now", now, "order", "add", "--contact", "312 555 0100", "--date", "2026-03-03")

	var rows []previewRow
	w.runJSON(t, &rows, "--now", now, "preview", "1", "--json")
	var check *previewRow
	for i := range rows {
		if rows[i].Step == "arrival-check" {
			check = &rows[i]
		}
	}
	if check == nil || check.Channel != "sms" {
		t.Fatalf("no arrival check by text in %+v", rows)
	}
	if check.Due != "2026-03-08T10:00:00-05:00" || check.Goes != "2026-03-08T12:00:00-05:00" ||
		!strings.HasPrefix(check.HeldBy, "held to 12:00 by Texas's Sunday hours, Tex. Bus. & Com. Code") {
		t.Errorf("arrival check due %s, goes %s, held by %q; want held from 10:00 to 12:00 by Texas's Sunday hours", check.Due, check.Goes, check.HeldBy)
	}
	text := w.mustRun(t, "--now", now, "preview", "1")
	if !strings.Contains(text, "(held to 12:00 by Texas's Sunday hours") {
		t.Errorf("preview text does not name the rule:\n%s", text)
	}
}

// End to end: a Shopify customer with Accepts Email Marketing = no, once
// imported and given an order, gets the policy sheet and the other order
// emails but no four-week check-in and no tip, through the tip's date;
// one who accepts gets them all.
func TestShopifyDeclinedMarketingGetsNoTip(t *testing.T) {
	w := newWorkspace(t)
	path := w.copyFixture(t, "shopify-customers.csv")
	start := time.Date(2026, 12, 4, 9, 0, 0, 0, mustLoad("America/Chicago"))
	if _, _, code := w.run(t, "--now", start.Format(time.RFC3339), "import", path); code != exitInvalid {
		t.Fatalf("import: exit %d, want %d (one row of the fixture is skipped)", code, exitInvalid)
	}
	for _, who := range []string{"bo.kim@example.com", "ana.diaz@example.com"} {
		w.order(t, start, who, "2026-12-04")
	}
	for day := 0; day <= 40; day++ {
		w.at(t, start.AddDate(0, 0, day).Add(3*time.Hour), "run", "--once") // 12:00 each day
	}
	got := map[string][]string{}
	for _, e := range w.customerEmails(t) {
		got[e.To] = append(got[e.To], stepOf(filepath.Base(e.File)))
	}
	bo, ana := strings.Join(got["bo.kim@example.com"], " "), strings.Join(got["ana.diaz@example.com"], " ")
	if !strings.Contains(bo, "policy-sheet") || strings.Contains(bo, "monthly-tips") || strings.Contains(bo, "four-week-checkin") {
		t.Errorf("Bo (no to email marketing) got %q; want the policy sheet, no check-in, no tip", bo)
	}
	if !strings.Contains(ana, "policy-sheet") || !strings.Contains(ana, "monthly-tips") {
		t.Errorf("Ana (yes to email marketing) got %q; want the policy sheet and a tip", ana)
	}
}
