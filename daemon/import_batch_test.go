package main

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// historyFile is a shop's export: new customers with orders on many days,
// some coming back later in the file with a newer order (or an older one:
// exports are not sorted), a few with the same order twice, and bad rows.
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
		if i%50 == 49 {
			phone = "555-12" // too short: reported and skipped
		}
		lines = append(lines, fmt.Sprintf("Cust%d,cust%d@example.com,%s,%s,%s,%s",
			who, who, phone, map[bool]string{true: "yes", false: "no"}[who%3 == 0], day, invoice))
	}
	return header, lines
}

// An import writes the orders and journeys of new customers many at a time
// (store.Appender). It must store exactly what importing the same rows one
// at a time stores: the same orders, journeys and queue rows, the older
// journeys' repeats cancelled the same way, nothing twice.
func TestImportInBatchesStoresWhatRowByRowDoes(t *testing.T) {
	t.Parallel()
	header, lines := historyFile(300) // past appendBatch, so the appender flushes mid-file
	now := time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC).Format(time.RFC3339)

	// A welcome for new contacts too: journeys without an order.
	const welcome = "name = \"Welcome\"\ntrigger = \"contact\"\n[[step]]\nid = \"welcome\"\nafter = \"0d\"\nchannel = \"email\"\ntemplate = \"welcome\"\n"

	whole := newWorkspace(t)
	whole.write(t, "campaigns/welcome.toml", welcome)
	whole.write(t, "all.csv", header+"\n"+strings.Join(lines, "\n")+"\n")
	whole.run(t, "--now", now, "import", whole.path("all.csv"))

	single := newWorkspace(t)
	single.write(t, "campaigns/welcome.toml", welcome)
	for i, line := range lines {
		name := fmt.Sprintf("row%d.csv", i)
		single.write(t, name, header+"\n"+line+"\n")
		single.run(t, "--now", now, "import", single.path(name))
	}

	a, b := storedRows(t, whole), storedRows(t, single)
	if len(a) < 600 {
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

// storedRows lists every order, journey and queue row by what they hold
// (not their ids), sorted.
func storedRows(t *testing.T, w *workspace) []string {
	t.Helper()
	db := openDB(t, w)
	var out []string
	for _, q := range []string{
		`SELECT 'order|' || c.email || '|' || o.order_date || '|' || o.invoice FROM orders o JOIN contacts c ON c.id = o.contact_id`,
		`SELECT 'journey|' || c.email || '|' || j.campaign || '|' || coalesce(o.invoice, '') || '|' || j.trigger_at
		 FROM journeys j JOIN contacts c ON c.id = j.contact_id LEFT JOIN orders o ON o.id = j.order_id`,
		`SELECT 'message|' || c.email || '|' || coalesce(o.invoice, '') || '|' || m.step || '|' || m.occurrence || '|' ||
		 m.state || '|' || m.due_at || '|' || m.stale_at || '|' || m.note || '|' || coalesce(m.message_id, '')
		 FROM messages m JOIN journeys j ON j.id = m.journey_id JOIN contacts c ON c.id = m.contact_id
		 LEFT JOIN orders o ON o.id = j.order_id`,
	} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var s string
			if err := rows.Scan(&s); err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(out)
	return out
}

// With no campaign started by orders (the rep turned it off), an import
// still records every order: nothing waits for a journey to be written.
func TestImportRecordsOrdersWithoutCampaigns(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	if err := os.Rename(w.path("campaigns/post-order.toml"), w.path("campaigns/post-order.toml.off")); err != nil {
		t.Fatal(err)
	}
	got := w.importJSON(t, starterContacts, false)
	if got.Orders != 8 || got.Journeys != 0 {
		t.Fatalf("summary %+v, want 8 orders and no journeys", got)
	}
	var n int
	if err := openDB(t, w).QueryRow("SELECT count(*) FROM orders").Scan(&n); err != nil || n != 8 {
		t.Errorf("%d orders stored (%v), want 8", n, err)
	}
}
