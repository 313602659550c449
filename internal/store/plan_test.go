package store

import (
	"context"
	"database/sql"
	"strings"
	"testing"
)

// explain returns the steps of SQLite's plan for q, one per line.
func explain(t *testing.T, s *Store, q string, args ...any) string {
	t.Helper()
	rows, err := s.r.QueryContext(context.Background(), "EXPLAIN QUERY PLAN "+q, args...)
	if err != nil {
		t.Fatalf("explain %s: %v", q, err)
	}
	defer rows.Close()
	var steps []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		steps = append(steps, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(steps, "\n")
}

// TestDispatcherQueriesUseTheirIndexes pins the plans of the queries every
// dispatcher pass runs, so that a pass stays as fast with a million
// queued rows as with ten: each must go through its partial index, in the
// order it returns rows, and never read the whole table.
func TestDispatcherQueriesUseTheirIndexes(t *testing.T) {
	s := openTest(t)
	due := func(f DueFilter) (string, []any) {
		q, args, err := s.dueQuery(1_800_000_000, 200, f)
		if err != nil {
			t.Fatal(err)
		}
		return q, args
	}
	in := func(name string, args ...any) (string, []any) {
		q, args, err := s.textIn(name, args...)
		if err != nil {
			t.Fatal(err)
		}
		return q, args
	}
	tests := []struct {
		name  string
		query func() (string, []any)
		index string // the index the plan must use
		table string // the table it must not read whole
	}{
		{"due", func() (string, []any) { return due(DueFilter{}) }, "messages_pending", "m"},
		{"due, pausing", func() (string, []any) { return due(DueFilter{Pausing: []string{"post-order"}}) }, "messages_pending", "m"},
		{"due, pausing and held", func() (string, []any) {
			return due(DueFilter{Pausing: []string{"post-order", "welcome"}, Held: []string{"sms"}})
		}, "messages_pending", "m"},
		{"due, pausing and marketing", func() (string, []any) {
			return due(DueFilter{Pausing: []string{"post-order"}, Marketing: []string{"post-order/tip"}})
		}, "messages_pending", "m"},
		{"in flight", func() (string, []any) { return mustText(t, s, "in-flight"), nil }, "messages_sending", "m"},
		{"next due", func() (string, []any) { return mustText(t, s, "next-due"), nil }, "messages_pending", "messages"},
		// The one-a-day rule, for every batch's contacts: sorting the rows
		// in SQLite cost three times the search (DayMessages sorts them).
		{"one a day", func() (string, []any) { return in("messages-of-day", []int64{7, 8, 9}, 100, 200, 200) }, "messages_contact_sent", "messages"},
		{"rep messages due", func() (string, []any) { return in("rep-due", 1_800_000_000, names(nil), 50) }, "rep_messages_pending", "rep_messages"},
		{"rep messages due, forwards held", func() (string, []any) {
			return in("rep-due", 1_800_000_000, names([]string{"email", "sms"}), 50)
		}, "rep_messages_pending", "rep_messages"},
		// Every pass counts the forwards waiting, thousands after a burst of texts.
		{"forwards waiting", func() (string, []any) {
			return mustText(t, s, "rep-forwards-waiting"), []any{"sms", 1_800_000_000}
		}, "rep_messages_forwards", "q"},
		// Twilio status callbacks, hundreds a second under load.
		{"status callback lookup", func() (string, []any) { return mustText(t, s, "message-has-provider-id"), []any{"SM1"} }, "messages_provider", "messages"},
		{"status callback update", func() (string, []any) { return mustText(t, s, "message-delivery"), []any{"delivered", "SM1"} }, "messages_provider", "messages"},
		// A reply's In-Reply-To: the index is partial (queued rows have no Message-ID yet).
		{"message by Message-ID", func() (string, []any) { return mustText(t, s, "message-by-rfc-id"), []any{"x@example.com"} }, "messages_message_id", "messages"},
		// The Status page's recent problems: the queue read backwards whole
		// took 200 ms at a million customers.
		{"recent failures", func() (string, []any) { return mustText(t, s, "recent-failures"), []any{20} }, "messages_problems", "m"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, args := tt.query()
			plan := explain(t, s, q, args...)
			if !strings.Contains(plan, "INDEX "+tt.index) {
				t.Errorf("plan does not use %s:\n%s", tt.index, plan)
			}
			// Sorting would read every matching row to return the first few.
			if strings.Contains(plan, "TEMP B-TREE") {
				t.Errorf("plan sorts instead of reading the index in order:\n%s", plan)
			}
			// Reading a partial index whole is fine (it holds only the rows
			// in that state); reading the table or another index whole is not.
			for _, step := range strings.Split(plan, "\n") {
				if (step == "SCAN "+tt.table || strings.HasPrefix(step, "SCAN "+tt.table+" ")) && !strings.HasSuffix(step, "INDEX "+tt.index) {
					t.Errorf("plan reads all of %s (%q):\n%s", tt.table, step, plan)
				}
			}
			t.Logf("%s:\n%s", tt.name, plan)
		})
	}
}

// TestDueSinceReadsTheNewRows: an import's closing count reads the rows
// it queued, from the first, rather than the due index.
func TestDueSinceReadsTheNewRows(t *testing.T) {
	s := openTest(t)
	q, args, err := s.textIn("due-since", 1000, 1_800_000_000, 1_800_000_000, names([]string{"post-order"}), names([]string{"post-order/tip"}))
	if err != nil {
		t.Fatal(err)
	}
	plan := explain(t, s, q, args...)
	if first, _, _ := strings.Cut(plan, "\n"); first != "SEARCH m USING INTEGER PRIMARY KEY (rowid>?)" {
		t.Errorf("due-since does not read the rows after the first id:\n%s", plan)
	}
}

// TestListQueriesUseTheirIndexes pins the plans of the dashboard's lists:
// a page of contacts or replies, or of a search's range of contacts,
// reads its index from where the last page ended, in order, and stops
// after one page.
func TestListQueriesUseTheirIndexes(t *testing.T) {
	s := openTest(t)
	named := func(kv ...any) []any {
		var out []any
		for i := 0; i < len(kv); i += 2 {
			out = append(out, sql.Named(kv[i].(string), kv[i+1]))
		}
		return out
	}
	tests := []struct {
		name    string
		query   string
		args    []any
		indexes []string // every one must be used
		table   string   // never read whole
		sorts   bool     // may sort the matches (a search)
	}{
		{"contacts page", "contacts-page", named("key", "doe jane", "id", 7, "limit", 101), []string{"contacts_name"}, "contacts", false},
		{"contacts search, last names", "contacts-search-last", named("from", "car", "to", "car\U0010FFFF", "upto", "+1773555\U0010FFFF", "key", "carter emily", "id", 7, "limit", 101, "lo", "car", "plo", "", "pto", ""), []string{"contacts_name"}, "contacts", false},
		{"contacts search, first names", "contacts-search-first", named("from", "car", "to", "car\U0010FFFF", "upto", "+1773555\U0010FFFF", "key", "carter emily", "id", 7, "limit", 101, "lo", "car", "plo", "", "pto", ""), []string{"contacts_first"}, "contacts", false},
		{"contacts search, emails", "contacts-search-email", named("from", "car", "to", "car\U0010FFFF", "upto", "+1773555\U0010FFFF", "key", "carter emily", "id", 7, "limit", 101, "lo", "car", "plo", "", "pto", ""), []string{"sqlite_autoindex_contacts_1"}, "contacts", false},
		{"contacts search, phones", "contacts-search-phone", named("from", "car", "to", "car\U0010FFFF", "upto", "+1773555\U0010FFFF", "key", "carter emily", "id", 7, "limit", 101, "lo", "car", "plo", "", "pto", ""), []string{"sqlite_autoindex_contacts_2"}, "contacts", false},
		{"replies waiting page", "replies-open-page", named("unflagged", 1, "received", 5, "id", 9, "limit", 51), []string{"replies_waiting"}, "r", false},
		{"all replies page", "replies-all-page", named("handled", 0, "unflagged", 1, "received", 5, "id", 9, "limit", 51), []string{"replies_order"}, "r", false},
		// A contact's page: that customer's replies, not every reply there is.
		{"a contact's replies", "replies-of-contact-waiting-first", []any{7}, []string{"replies_contact"}, "r", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			plan := explain(t, s, mustText(t, s, tt.query), tt.args...)
			for _, index := range tt.indexes {
				if !strings.Contains(plan, "SEARCH "+tt.table+" USING INDEX "+index+" (") {
					t.Errorf("plan does not search %s:\n%s", index, plan)
				}
			}
			if !tt.sorts && strings.Contains(plan, "TEMP B-TREE") {
				t.Errorf("plan sorts instead of reading the index in order:\n%s", plan)
			}
			if strings.Contains(plan, "SCAN "+tt.table) {
				t.Errorf("plan reads all of %s:\n%s", tt.table, plan)
			}
			t.Logf("%s:\n%s", tt.name, plan)
		})
	}
}
