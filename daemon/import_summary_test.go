package main

import (
	"strings"
	"testing"

	"github.com/rapportapp/rapport/internal/enroll"
)

// The text summary says how many entries the summary counted but did not
// list, and counts every changed field, listed or not.
func TestPrintImportSaysWhatIsUnlisted(t *testing.T) {
	s := &enroll.Summary{Skipped: 3, Problems: []enroll.Problem{{Line: 2, Reason: "no email or phone"}},
		Changes:  []enroll.Change{{Line: 3, ContactID: 1, Field: "email", Old: "a@x.com", New: "b@x.com"}},
		Unlisted: enroll.Unlisted{Problems: 2, Changes: 4, Warnings: 5}}
	var b strings.Builder
	printImport(&b, "c.csv", s)
	for _, want := range []string{"and 2 more rows skipped, not listed", "and 5 more rows cleaned, not listed",
		"5 fields of stored contacts changed:", "c.csv:2: skipped: no email or phone"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, b.String())
		}
	}
	if strings.Contains(b.String(), "more notes") {
		t.Errorf("summary mentions unlisted notes when there are none:\n%s", b.String())
	}
}
