package workspace_test

// Helpers: real SQLite in a temp folder, the starter campaigns plus a
// welcome campaign for new contacts, the rep in Chicago.

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/engine/enginetest"
	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/workspace"
)

// now is Mon 2 Mar 2026, 9:00 in Chicago.
var now = time.Date(2026, 3, 2, 15, 0, 0, 0, time.UTC)

var chicago = mustZone("America/Chicago")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

const welcomeTOML = "name = \"Welcome\"\ntrigger = \"contact\"\n[[step]]\nid = \"welcome\"\nafter = \"1d\"\nchannel = \"email\"\ntemplate = \"welcome\"\n"

type fixture struct {
	ws   *workspace.Workspace
	st   *store.Store
	db   *sql.DB // the same file, for checking rows as they are
	path string
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	path := filepath.Join(t.TempDir(), "rapport.db")
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &fixture{ws: &workspace.Workspace{Store: st, Content: content(t), Region: "US", Who: workspace.ByCLI}, st: st, db: db, path: path}
}

func content(t *testing.T) *engine.Content {
	t.Helper()
	return enginetest.Content(t, chicago, append(enginetest.Starter(t), enginetest.Parse(t, "welcome.toml", welcomeTOML))...)
}

// count runs a SELECT count(*) on the database file.
func (f *fixture) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := f.db.QueryRow(q, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return n
}

// str runs a SELECT of one text on the database file.
func (f *fixture) str(t *testing.T, q string, args ...any) string {
	t.Helper()
	var s string
	if err := f.db.QueryRow(q, args...).Scan(&s); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return s
}

// jane adds Jane Doe, with an email and a phone.
func (f *fixture) jane(t *testing.T) *store.Contact {
	t.Helper()
	res, err := f.ws.Add(context.Background(), workspace.Fields{FirstName: workspace.Str("Jane"), LastName: workspace.Str("Doe"),
		Email: workspace.Str("jane@example.com"), Phone: workspace.Str("312-555-0142")}, now)
	if err != nil {
		t.Fatal(err)
	}
	return res.Contact
}

// history is the customer's history as "who: text" lines.
func (f *fixture) history(t *testing.T, ct *store.Contact) []string {
	t.Helper()
	h, err := f.ws.History(context.Background(), ct)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range h {
		out = append(out, e.Kind+" by "+e.Who+": "+e.Text)
	}
	return out
}
