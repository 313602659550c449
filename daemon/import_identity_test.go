package main

import (
	"strings"
	"testing"
	"time"
)

// importAt is when the tests import (in Chicago, the rep's zone, it
// is 09:00 on 2 March 2026).
var importAt = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

// The report that opened the "consent" issue: Bob's row has Alice's phone
// and his own email. Bob is imported as his own customer without the phone,
// said on his line; Alice keeps her record and her order.
func TestImportHouseholdText(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	w.write(t, "a.csv", "Name,Email,Phone,Order Date,Invoice,Items\nAlice Lee,alice@example.com,(312) 555-0111,2026-02-28,INV-A,Lavender 15ml\n")
	w.write(t, "b.csv", "Name,Email,Phone\nBob Lee,bob@example.com,312-555-0111\nAli Lee,,312 555 0111\n")
	out := w.at(t, importAt, "import", w.path("a.csv"))
	if !strings.Contains(out, `1 customer is due step "policy-sheet" of Post-order follow-up and gets it at the next run`) {
		t.Errorf("a.csv: the summary does not say what the next run sends:\n%s", out)
	}
	for _, dry := range []bool{true, false} {
		args := []string{"import", w.path("b.csv")}
		if dry {
			args = append(args, "--dry-run")
		}
		out := w.at(t, importAt, args...)
		for _, want := range []string{
			"1 inserted, 1 updated",
			"b.csv:2: phone +13125550111 already belongs to Alice Lee <alice@example.com>; imported without it",
			"1 field of stored contacts changed:",
			`b.csv:3: contact 1: first_name "Alice" → "Ali"`,
		} {
			if !strings.Contains(out, want) {
				t.Errorf("dry run %v: the summary lacks %q:\n%s", dry, want, out)
			}
		}
	}
	got := map[string]string{}
	for _, c := range w.contacts(t) {
		got[c.Email] = c.FirstName + " " + c.Phone
	}
	if got["alice@example.com"] != "Ali +13125550111" || got["bob@example.com"] != "Bob " {
		t.Errorf("contacts %q: want Alice (renamed Ali by the row without email) with the phone, Bob without", got)
	}
}

// Dates are never guessed: the file decides, the summary says how, and
// --date-order overrides; an order dated after tomorrow is a skipped row.
func TestImportDateOrder(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	out := w.at(t, importAt, "import", importFixture("excel-dotted.csv"), "--dry-run")
	if !strings.Contains(out, "dates read day first (dmy): 13.11.2025 on line 4 can only be day first") {
		t.Errorf("the summary does not say how dates were read:\n%s", out)
	}
	s := w.importJSON(t, importFixture("excel-dotted.csv"), true, "--now", importAt.Format(time.RFC3339), "--date-order", "mdy")
	if s.DateOrder != "mdy" || s.Skipped != 1 || s.Problems[0].Line != 4 {
		t.Errorf("--date-order mdy: %+v; want mdy and line 4 skipped", s)
	}

	w.write(t, "future.csv", "Email,Order Date\na@example.com,3/3/2026\nb@example.com,3/4/2026\n")
	s = w.importJSON(t, w.path("future.csv"), true, "--now", importAt.Format(time.RFC3339))
	if s.DateOrder != "mdy" || s.Orders != 1 || s.Skipped != 1 || s.Problems[0].Line != 3 || !strings.Contains(s.Problems[0].Reason, "future") {
		t.Errorf("future order: %+v; want line 3 skipped as in the future", s)
	}
	if _, errOut, code := w.run(t, "import", w.path("future.csv"), "--date-order", "ymd"); code != exitInvalid || !strings.Contains(errOut, "dmy") {
		t.Errorf("--date-order ymd: exit %d, %s", code, errOut)
	}
}
