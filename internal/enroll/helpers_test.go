package enroll_test

// Helpers for the enrolment tests: real SQLite in a temp folder, the
// starter campaigns (plus any given as TOML text), CSV given as text.

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/campaign"
	"github.com/rapportapp/rapport/internal/contact"
	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/engine/enginetest"
	"github.com/rapportapp/rapport/internal/enroll"
	"github.com/rapportapp/rapport/internal/store"
)

var chicago = mustZone("America/Chicago")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // the test binary needs the zone database
	}
	return loc
}

// importNow is when the tests' imports and orders happen.
var importNow = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

// newStore opens a fresh database; path is its file, for reading it raw.
func newStore(t testing.TB) (st *store.Store, path string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "rapport.db")
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, path
}

// starterContent is the starter campaigns (starter: false leaves them out)
// and the campaigns given as TOML text by id, under the rules of the
// starter config. Enrolment renders nothing: no templates.
func starterContent(t testing.TB, starter bool, extra map[string]string) *engine.Content {
	t.Helper()
	var cps []*campaign.Campaign
	if starter {
		cps = enginetest.Starter(t)
	}
	for id, text := range extra {
		cps = append(cps, enginetest.Parse(t, id+".toml", text))
	}
	return enginetest.Content(t, chicago, cps...)
}

// welcome is a campaign started by new contacts (journeys without orders).
var welcome = map[string]string{"welcome": welcomeTOML}

const welcomeTOML = "name = \"Welcome\"\ntrigger = \"contact\"\n[[step]]\nid = \"welcome\"\nafter = \"0d\"\nchannel = \"email\"\ntemplate = \"welcome\"\n"

// importText imports csv (a whole file's text) with the rep in the US.
func importText(t testing.TB, st *store.Store, c *engine.Content, csv string, opts enroll.Options) *enroll.Summary {
	t.Helper()
	r, err := contact.NewReader(strings.NewReader(csv), contact.Options{Region: "US"})
	if err != nil {
		t.Fatal(err)
	}
	sum, err := enroll.Import(context.Background(), st, c, r, opts, importNow)
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	return sum
}

// storedRows lists every contact, order, journey and queue row by what
// they hold (not their ids), sorted.
func storedRows(t testing.TB, path string) []string {
	t.Helper()
	var out []string
	for _, q := range []string{
		`SELECT 'contact|' || coalesce(email, '') || '|' || first_name || '|' || coalesce(phone, '') FROM contacts`,
		`SELECT 'order|' || c.email || '|' || o.order_date || '|' || o.invoice FROM orders o JOIN contacts c ON c.id = o.contact_id`,
		`SELECT 'journey|' || c.email || '|' || j.campaign || '|' || coalesce(o.invoice, '') || '|' || j.trigger_at
		 FROM journeys j JOIN contacts c ON c.id = j.contact_id LEFT JOIN orders o ON o.id = j.order_id`,
		`SELECT 'message|' || c.email || '|' || coalesce(o.invoice, '') || '|' || m.step || '|' || m.occurrence || '|' ||
		 m.state || '|' || m.due_at || '|' || m.stale_at || '|' || m.note || '|' || coalesce(m.message_id, '')
		 FROM messages m JOIN journeys j ON j.id = m.journey_id JOIN contacts c ON c.id = m.contact_id
		 LEFT JOIN orders o ON o.id = j.order_id`,
	} {
		out = append(out, queryStrings(t, path, q)...)
	}
	slices.Sort(out)
	return out
}

// openDB opens the database file beside the store, closed when the test
// ends.
func openDB(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// queryStrings runs q, which selects one text column, on the database file.
func queryStrings(t testing.TB, path, q string) []string {
	t.Helper()
	rows, err := openDB(t, path).Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// count returns what a SELECT count(*) query says.
func count(t testing.TB, path, q string) int {
	t.Helper()
	var n int
	if err := openDB(t, path).QueryRow(q).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}
