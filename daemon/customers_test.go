package main

// `rapport contacts add|edit|remove|pause|resume|skip` and `rapport order
// list|edit|cancel`, in-process on a workspace from `rapport init`.

import (
	"strings"
	"testing"
	"time"
)

var customersNow = time.Date(2026, 3, 2, 9, 0, 0, 0, mustLoad("America/Chicago"))

func mustLoad(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// runAt runs a command at customersNow and returns its output and exit code.
func (w *workspace) runAt(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	return w.run(t, append([]string{"--now", customersNow.Format(time.RFC3339)}, args...)...)
}

func TestContactsAddEditRemove(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	var jane contactJSON
	w.runJSON(t, &jane, "--now", customersNow.Format(time.RFC3339), "contacts", "add", "--first-name", "Jane", "--last-name", "Doe",
		"--email", "Jane@Example.com", "--phone", "(312) 555-0142", "--sms-consent", "order form", "--note", "likes lavender", "--json")
	if jane.ID == 0 || jane.Email != "jane@example.com" || jane.Phone != "+13125550142" || !jane.SMSConsent ||
		jane.ConsentAt != "2026-03-02" || jane.ConsentVia != "order form" || jane.Timezone != "America/Chicago" {
		t.Errorf("added %+v", jane)
	}

	_, errOut, code := w.runAt(t, "contacts", "add", "--first-name", "Janet", "--phone", "312 555 0142")
	if code != exitInvalid || !strings.Contains(errOut, "belongs to Jane Doe (contact 1)") {
		t.Errorf("add with Jane's phone: exit %d, stderr %q; want 2 naming Jane", code, errOut)
	}
	_, errOut, code = w.runAt(t, "contacts", "add", "--first-name", "Bo", "--email", "bo@", "--timezone", "Mars")
	if code != exitInvalid || !strings.Contains(errOut, "invalid email") || !strings.Contains(errOut, "unknown time zone") {
		t.Errorf("bad add: exit %d, stderr %q; want 2 with both problems", code, errOut)
	}

	out := w.mustRun(t, "--now", customersNow.Format(time.RFC3339), "contacts", "edit", "jane@example.com", "--last-name", "Smith", "--sms-consent", "no")
	if !strings.Contains(out, "last name Doe → Smith") || !strings.Contains(out, "consent to texts withdrawn") {
		t.Errorf("edit printed %q", out)
	}
	var all []contactJSON
	w.runJSON(t, &all, "contacts", "--json")
	if len(all) != 1 || all[0].LastName != "Smith" || all[0].SMSConsent {
		t.Errorf("contacts after edit: %+v", all)
	}
	preview := w.mustRun(t, "preview", "1")
	if !strings.Contains(preview, "note: likes lavender") || !strings.Contains(preview, "rep (cli) — last name Doe → Smith") {
		t.Errorf("preview shows no notes and changes:\n%s", preview)
	}

	_, errOut, code = w.runAt(t, "contacts", "remove", "1")
	if code != exitInvalid || !strings.Contains(errOut, "this would forget Jane Smith") {
		t.Errorf("remove without --yes: exit %d, stderr %q", code, errOut)
	}
	w.mustRun(t, "contacts", "remove", "1", "--yes")
	w.runJSON(t, &all, "contacts", "--json")
	if len(all) != 0 {
		t.Errorf("contacts after remove: %+v", all)
	}
}

func TestOrderListEditCancel(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	now := "--now=" + customersNow.Format(time.RFC3339)
	w.mustRun(t, now, "contacts", "add", "--first-name", "Jane", "--email", "jane@example.com")
	w.mustRun(t, now, "order", "add", "--contact", "jane@example.com", "--date", "2026-03-01", "--invoice", "A1", "--items", "Lavender")
	var orders []orderJSON
	w.runJSON(t, &orders, "order", "list", "jane@example.com", "--json")
	want := orderJSON{ID: 1, ContactID: 1, Date: "2026-03-01", Invoice: "A1", Items: "Lavender", State: "active"}
	if len(orders) != 1 || orders[0] != want {
		t.Fatalf("order list: %+v, want %+v", orders, want)
	}
	out := w.mustRun(t, now, "order", "edit", "1", "--date", "2026-02-20")
	if !strings.Contains(out, "2026-03-01 → 2026-02-20") || !strings.Contains(out, "2 already past: skipped") {
		t.Errorf("order edit printed %q", out)
	}
	out = w.mustRun(t, now, "contacts", "skip", "jane@example.com", "post-order/four-week-checkin")
	if !strings.Contains(out, "skipped post-order/four-week-checkin due Fri 20 Mar 2026") {
		t.Errorf("skip printed %q", out)
	}
	w.mustRun(t, now, "contacts", "pause", "1")
	if p := w.mustRun(t, now, "preview", "1"); !strings.Contains(p, "you paused this customer") {
		t.Errorf("preview of a paused customer:\n%s", p)
	}
	w.mustRun(t, now, "contacts", "resume", "1")
	out = w.mustRun(t, now, "order", "cancel", "1")
	if !strings.Contains(out, "order 1 of 2026-02-20 cancelled; 2 upcoming steps cancelled") {
		t.Errorf("order cancel printed %q", out)
	}
	w.runJSON(t, &orders, "order", "list", "--json")
	if len(orders) != 1 || orders[0].State != "cancelled" {
		t.Errorf("after cancel: %+v", orders)
	}
	if _, errOut, code := w.runAt(t, "order", "cancel", "1"); code != exitInvalid || !strings.Contains(errOut, "already cancelled") {
		t.Errorf("second cancel: exit %d, %q", code, errOut)
	}
	if _, _, code := w.runAt(t, "order", "edit", "9", "--date", "2026-02-20"); code != exitInvalid {
		t.Errorf("editing no order: exit %d, want 2", code)
	}
}

// `order add --company` warns as the import does about a company with no
// [policy.NAME] of its own, and still records the order.
func TestOrderAddUnknownCompany(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	now := "--now=" + customersNow.Format(time.RFC3339)
	w.mustRun(t, now, "contacts", "add", "--first-name", "Jane", "--email", "jane@example.com")
	out, errOut, code := w.run(t, now, "order", "add", "--contact", "jane@example.com", "--date", "2026-03-01", "--company", "Zenith Oils")
	if code != exitOK || !strings.Contains(out, "recorded order") ||
		!strings.Contains(errOut, `warning: company "Zenith Oils" has no [policy.Zenith Oils] in config.toml`) {
		t.Errorf("order add --company Zenith Oils: exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
}
