package enroll_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/cases"
	"github.com/rapportapp/rapport/internal/contact"
	"github.com/rapportapp/rapport/internal/enroll"
)

// historyFile is a shop's export: new customers with orders on many days,
// some coming back later in the file with a newer order (or an older one:
// exports are not sorted), a few with the same order twice, households
// (someone with their own email and another customer's phone), and bad
// rows.
func historyFile(rows int) (header string, lines []string) {
	header = "First Name,Email,Mobile Phone,SMS Consent,Order Date,Invoice"
	start := time.Date(2025, 11, 1, 0, 0, 0, 0, time.UTC)
	for i := range rows {
		who := i
		switch {
		case i%7 == 6:
			who = i - 5 // back with another order
		case i%13 == 12:
			who = i - 1 // the same order listed twice: same invoice below
		}
		day := start.AddDate(0, 0, (i*37)%120).Format("2006-01-02")
		invoice := fmt.Sprintf("INV-%d", i)
		if i%13 == 12 {
			day = start.AddDate(0, 0, ((i-1)*37)%120).Format("2006-01-02")
			invoice = fmt.Sprintf("INV-%d", i-1)
		}
		phone := fmt.Sprintf("(312) 555-%04d", who%10000)
		if i%17 == 16 && who == i {
			phone = fmt.Sprintf("(312) 555-%04d", (i-3)%10000) // a household: shares a phone, not an email
		}
		if i%50 == 49 {
			phone = "555-12" // too short: reported and skipped
		}
		lines = append(lines, fmt.Sprintf("Cust%d,cust%d@example.com,%s,%s,%s,%s",
			who, who, phone, map[bool]string{true: "yes", false: "no"}[who%3 == 0], day, invoice))
	}
	return header, lines
}

// loyalFile is two long-time customers' order histories, listed in no
// order of date and interleaved: every order supersedes or is superseded
// by another of the same customer's.
func loyalFile(orders int) (header string, lines []string) {
	header = "First Name,Email,Mobile Phone,SMS Consent,Order Date,Invoice"
	start := time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	for i := range orders {
		who := i % 2
		day := start.AddDate(0, 0, (i*97)%270).Format("2006-01-02")
		lines = append(lines, fmt.Sprintf("Loyal%d,loyal%d@example.com,(312) 555-01%02d,yes,%s,INV-%d",
			who, who, who, day, i))
	}
	return header, lines
}

// An import writes the orders and journeys of new customers many at a time
// (store.Appender), new customers many per statement, and checks rows on
// several goroutines. It must store exactly what importing the same rows
// one at a time stores: the same orders, journeys and queue rows, the
// older journeys' repeats cancelled the same way, nothing twice, however
// many cores check the rows.
func TestImportInBatchesStoresWhatRowByRowDoes(t *testing.T) {
	history, histLines := historyFile(300) // past the append batch (its rows: orders, journeys, queued steps), so the appender flushes mid-file
	loyal, loyalLines := loyalFile(400)
	for _, tc := range []struct {
		name       string
		header     string
		lines      []string
		gomaxprocs int
	}{
		{"history", history, histLines, 0},
		{"history on 16 threads", history, histLines, 16},
		{"customers with hundreds of orders", loyal, loyalLines, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.gomaxprocs > 0 {
				defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(tc.gomaxprocs))
			}
			checkSameAsRowByRow(t, tc.header, tc.lines)
		})
	}
}

func checkSameAsRowByRow(t *testing.T, header string, lines []string) {
	whole, wholePath := newStore(t)
	importText(t, whole, starterContent(t, true, welcome), header+"\n"+strings.Join(lines, "\n")+"\n", enroll.Options{})

	single, singlePath := newStore(t)
	c := starterContent(t, true, welcome)
	for _, line := range lines {
		importText(t, single, c, header+"\n"+line+"\n", enroll.Options{})
	}

	a, b := storedRows(t, wholePath), storedRows(t, singlePath)
	if len(a) < 2*len(lines) {
		t.Fatalf("only %d rows stored from %d lines", len(a), len(lines))
	}
	if !slices.Equal(a, b) {
		for i := range min(len(a), len(b)) {
			if a[i] != b[i] {
				t.Fatalf("first difference at row %d:\n whole file: %s\n row by row: %s", i, a[i], b[i])
			}
		}
		t.Fatalf("whole file stored %d rows, row by row %d", len(a), len(b))
	}
	var cancelled int
	for _, r := range a {
		if strings.Contains(r, "|cancelled|") {
			cancelled++
		}
	}
	if cancelled == 0 {
		t.Error("no older journey's repeats were cancelled: the file's returning customers were not seen")
	}
	if !slices.ContainsFunc(a, func(r string) bool { return strings.HasPrefix(r, "journey|") && strings.Contains(r, "|welcome|") }) {
		t.Error("no welcome journey was started")
	}
}

// A household member is stored without the phone another customer of the
// file has.
func TestImportStoresHouseholdWithoutSharedPhone(t *testing.T) {
	t.Parallel()
	header, lines := historyFile(300)
	st, path := newStore(t)
	importText(t, st, starterContent(t, true, welcome), header+"\n"+strings.Join(lines, "\n")+"\n", enroll.Options{})
	if !slices.ContainsFunc(storedRows(t, path), func(r string) bool { return strings.HasPrefix(r, "contact|") && strings.HasSuffix(r, "|") }) {
		t.Error("no household member was stored without the shared phone")
	}
}

// starterCSV is the example file `rapport init` writes.
func starterCSV(t testing.TB) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "contacts.example.csv"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// With no campaign started by orders (the rep turned it off), an import
// still records every order: nothing waits for a journey to be written.
func TestImportRecordsOrdersWithoutCampaigns(t *testing.T) {
	t.Parallel()
	st, path := newStore(t)
	got := importText(t, st, starterContent(t, false, nil), starterCSV(t), enroll.Options{})
	if got.Orders != 8 || got.Journeys != 0 {
		t.Fatalf("summary %+v, want 8 orders and no journeys", got)
	}
	if n := count(t, path, "SELECT count(*) FROM orders"); n != 8 {
		t.Errorf("%d orders stored, want 8", n)
	}
}

// A dry run counts what a real import does and writes nothing; a second
// import of the same file changes nothing.
func TestImportDryRunThenAgain(t *testing.T) {
	t.Parallel()
	st, path := newStore(t)
	c := starterContent(t, true, nil)
	dry := importText(t, st, c, starterCSV(t), enroll.Options{DryRun: true})
	real := importText(t, st, c, starterCSV(t), enroll.Options{})
	if !dry.DryRun || real.DryRun {
		t.Errorf("dry_run %v then %v, want true then false", dry.DryRun, real.DryRun)
	}
	dry.DryRun = false
	if fmt.Sprint(dry) != fmt.Sprint(real) || real.Inserted != 8 || real.Orders != 8 || real.Journeys != 8 {
		t.Errorf("dry run %+v, import %+v: want the same counts, 8 of each", dry, real)
	}
	again := importText(t, st, c, starterCSV(t), enroll.Options{})
	if again.Unchanged != 8 || again.Inserted+again.Orders+again.Journeys != 0 {
		t.Errorf("importing again: %+v, want 8 unchanged and nothing new", again)
	}
	if n := count(t, path, "SELECT count(*) FROM journeys"); n != 8 {
		t.Errorf("%d journeys stored, want 8", n)
	}
}

// Bad rows are counted and listed, with the lines the rep must fix; the
// good rows go in; progress hears how far the reading got.
func TestImportReportsBadRows(t *testing.T) {
	t.Parallel()
	st, _ := newStore(t)
	csv := "Name,Email,Phone\nAnn,ann@example.com,\nBob,bob@,\nCy,,555-12\n"
	var read int64
	sum := importText(t, st, starterContent(t, true, nil), csv, enroll.Options{Progress: func(n int64) { read = n }})
	if sum.Inserted != 1 || sum.Skipped != 2 || len(sum.Problems) != 2 {
		t.Fatalf("summary %+v, want 1 inserted and 2 skipped", sum)
	}
	if sum.Problems[0].Line != 3 || sum.Problems[1].Line != 4 || !strings.Contains(sum.Problems[0].Reason, "email") {
		t.Errorf("problems %+v, want lines 3 (the email) and 4", sum.Problems)
	}
	if read != int64(len(csv)) {
		t.Errorf("progress heard %d bytes read, want %d", read, len(csv))
	}
}

// An import interrupted (ctx cancelled) stores nothing.
func TestImportCancelledStoresNothing(t *testing.T) {
	t.Parallel()
	st, path := newStore(t)
	r, err := contact.NewReader(strings.NewReader(starterCSV(t)), contact.Options{Region: "US"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sum, err := enroll.Import(ctx, st, starterContent(t, true, nil), r, enroll.Options{}, importNow)
	if !errors.Is(err, context.Canceled) || sum != nil {
		t.Fatalf("Import = %+v, %v; want nil and context.Canceled", sum, err)
	}
	if n := count(t, path, "SELECT count(*) FROM contacts"); n != 0 {
		t.Errorf("%d contacts stored", n)
	}
}

// The leak this guards against: Bob's row carried Alice's phone and his own
// email, and Alice's record became Bob's, so her order's follow-up went to
// him and her unsubscribe link unsubscribed him. Bob is his own customer,
// without the phone, and the rep hears of it on his line.
func TestImportHouseholdSharingAPhone(t *testing.T) {
	t.Parallel()
	st, path := newStore(t)
	c := starterContent(t, true, nil)
	importText(t, st, c, "Name,Email,Phone,Order Date,Invoice,Items\nAlice Lee,alice@example.com,(312) 555-0111,2026-02-28,INV-A,Lavender 15ml\n", enroll.Options{})
	for _, dry := range []bool{true, false} {
		sum := importText(t, st, c, "Name,Email,Phone\nBob Lee,bob@example.com,312-555-0111\n", enroll.Options{DryRun: dry})
		want := []enroll.Problem{{Line: 2, Reason: "phone +13125550111 already belongs to Alice Lee <alice@example.com>; imported without it"}}
		if sum.Inserted != 1 || sum.Updated != 0 || !slices.Equal(sum.Notes, want) || len(sum.Changes) != 0 {
			t.Fatalf("dry run %v: summary %+v; want Bob inserted, noted as %+v", dry, sum, want)
		}
	}
	got := queryStrings(t, path, `SELECT c.first_name || ' ' || c.email || ' ' || coalesce(c.phone, '-') || ' ' || coalesce(o.invoice, '-')
		FROM contacts c LEFT JOIN orders o ON o.contact_id = c.id ORDER BY c.id`)
	want := []string{"Alice alice@example.com +13125550111 INV-A", "Bob bob@example.com - -"}
	if !slices.Equal(got, want) {
		t.Errorf("stored %q, want %q", got, want)
	}
}

// A row without an email is the contact with its phone: it updates them,
// and the summary lists what changed, also in a dry run.
func TestImportListsChanges(t *testing.T) {
	t.Parallel()
	st, _ := newStore(t)
	c := starterContent(t, true, nil)
	first := importText(t, st, c, "Name,Email,Phone\nAlice Lee,alice@example.com,(312) 555-0111\nPat,,(312) 555-0177\n", enroll.Options{})
	if len(first.Changes) != 0 {
		t.Fatalf("new contacts listed as changes: %+v", first.Changes)
	}
	for _, dry := range []bool{true, false} {
		sum := importText(t, st, c, "Name,Email,Phone\nAli Lee,,312-555-0111\nPat Roe,pat@example.com,312-555-0177\n", enroll.Options{DryRun: dry})
		want := []enroll.Change{
			{Line: 2, ContactID: 1, Field: "first_name", Old: "Alice", New: "Ali"},
			{Line: 3, ContactID: 2, Field: "last_name", Old: "", New: "Roe"},
			{Line: 3, ContactID: 2, Field: "email", Old: "", New: "pat@example.com"},
		}
		if sum.Updated != 2 || !slices.Equal(sum.Changes, want) {
			t.Errorf("dry run %v: updated %d, changes %+v; want 2 updated, %+v", dry, sum.Updated, sum.Changes, want)
		}
	}
}

// The summary says how the file's dates were read and why: an Excel
// export's dotted dates are day first, settled by a day over 12.
func TestImportReportsDateOrder(t *testing.T) {
	t.Parallel()
	st, path := newStore(t)
	b, err := os.ReadFile(filepath.Join("..", "contact", "testdata", "excel-dotted.csv"))
	if err != nil {
		t.Fatal(err)
	}
	sum := importText(t, st, starterContent(t, false, nil), string(b), enroll.Options{})
	if sum.DateOrder != "dmy" || !strings.Contains(sum.DateOrderReason, "13.11.2025 on line 4") {
		t.Errorf("date order %q (%q), want dmy settled by line 4", sum.DateOrder, sum.DateOrderReason)
	}
	got := queryStrings(t, path, `SELECT invoice || ' ' || order_date FROM orders ORDER BY invoice`)
	if want := []string{"R-1001 2025-12-04", "R-1002 2025-11-13", "R-1003 2026-02-01"}; !slices.Equal(got, want) {
		t.Errorf("orders %q, want %q", got, want)
	}
}

// The summary says what the next run sends because of the import: steps
// due now (a recent order's policy sheet; an old order's catch-up tip), by
// campaign and step, not what was already queued before it.
func TestImportSaysWhatTheNextRunSends(t *testing.T) {
	t.Parallel()
	st, _ := newStore(t)
	c := starterContent(t, true, nil)
	csv := "Name,Email,Order Date,Invoice\nAnn,ann@example.com,2026-02-28,A1\nBo,bo@example.com,2026-01-01,B1\nCy,cy@example.com,2026-01-02,C1\n"
	for _, dry := range []bool{true, false} {
		sum := importText(t, st, c, csv, enroll.Options{DryRun: dry, NextPass: 15 * time.Second})
		want := []enroll.NextRun{
			{Campaign: "post-order", CampaignName: "Post-order follow-up", Step: "monthly-tips", Customers: 2},
			{Campaign: "post-order", CampaignName: "Post-order follow-up", Step: "policy-sheet", Customers: 1},
		}
		if !slices.Equal(sum.NextRun, want) {
			t.Errorf("dry run %v: next run %+v, want %+v", dry, sum.NextRun, want)
		}
	}
	// A later order of Ann's, not due yet: what the first import queued
	// is not this import's doing.
	sum := importText(t, st, c, "Name,Email,Order Date,Invoice\nAnn,ann@example.com,2026-03-02,A2\n", enroll.Options{NextPass: 15 * time.Second})
	if len(sum.NextRun) != 0 {
		t.Errorf("next run after the second import: %+v, want nothing", sum.NextRun)
	}
}

// An import runs Go on fewer threads, and gives them back when it ends.
func TestImportRestoresGOMAXPROCS(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(16))
	header, lines := historyFile(20)
	st, _ := newStore(t)
	importText(t, st, starterContent(t, true, welcome), header+"\n"+strings.Join(lines, "\n")+"\n", enroll.Options{})
	if got := runtime.GOMAXPROCS(0); got != 16 {
		t.Errorf("GOMAXPROCS after the import: %d, want 16", got)
	}
}

// An order's company comes from the file's Company (or Brand) column,
// spelt as its [policy.NAME]; a company with no policy of its own is kept
// on the order and warned about on its line (the default policy covers
// it), for new customers and for ones already stored alike.
func TestImportOrderCompany(t *testing.T) {
	t.Parallel()
	st, path := newStore(t)
	c := starterContent(t, false, nil)
	c.Policy.Named = map[string]cases.Policy{"acme": {}}
	csv := "Email,Order Date,Invoice,Company\n" +
		"ann@example.com,2026-02-01,A-1,ACME\n" +
		"bob@example.com,2026-02-02,B-1,Zenith Oils\n" +
		"ann@example.com,2026-02-03,A-2,Zenith Oils\n" +
		"cy@example.com,2026-02-04,C-1,\n"
	sum := importText(t, st, c, csv, enroll.Options{})
	got := queryStrings(t, path, "SELECT invoice || '=' || company FROM orders ORDER BY invoice")
	if want := []string{"A-1=acme", "A-2=Zenith Oils", "B-1=Zenith Oils", "C-1="}; !slices.Equal(got, want) {
		t.Errorf("orders' companies %q, want %q", got, want)
	}
	var warned []int
	for _, w := range sum.Warnings {
		if strings.Contains(w.Text, `company "Zenith Oils" has no [policy.Zenith Oils]`) {
			warned = append(warned, w.Line)
		}
	}
	if !slices.Equal(warned, []int{3, 4}) {
		t.Errorf("warnings %+v, want the unknown company on lines 3 and 4", sum.Warnings)
	}
}

// A file of more bad rows than a summary lists keeps the first ones and
// counts the rest, so that its memory does not grow with the file.
func TestImportCountsProblemsPastTheList(t *testing.T) {
	t.Parallel()
	st, _ := newStore(t)
	const bad = 10_000 + 7
	var csv strings.Builder
	csv.WriteString("Name,Email,Phone\nAnn,ann@example.com,\n")
	for range bad {
		csv.WriteString("Bob,bob@,\n")
	}
	sum := importText(t, st, starterContent(t, true, nil), csv.String(), enroll.Options{})
	if sum.Inserted != 1 || sum.Skipped != bad {
		t.Fatalf("%d inserted, %d skipped, want 1 and %d", sum.Inserted, sum.Skipped, bad)
	}
	if len(sum.Problems) != 10_000 || sum.Unlisted.Problems != 7 {
		t.Errorf("%d problems listed and %d unlisted, want 10000 and 7", len(sum.Problems), sum.Unlisted.Problems)
	}
	if last := sum.Problems[len(sum.Problems)-1].Line; last != 10_002 {
		t.Errorf("the last problem listed is line %d, want 10002 (the first ones are kept)", last)
	}
}
