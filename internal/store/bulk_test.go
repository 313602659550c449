package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
)

// indexNames lists the indexes the database holds now, as the daemon's
// reading connection sees them.
func indexNames(t *testing.T, s *Store) []string {
	t.Helper()
	var names []string
	if err := s.r.Select(&names, "SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"); err != nil {
		t.Fatal(err)
	}
	return names
}

// TestBulkDefersIndexes: a large import drops the deferrable indexes and
// builds them again before commit; a rolled-back one leaves them be; a
// small one (or one into a larger table) keeps them throughout.
func TestBulkDefersIndexes(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	all := indexNames(t, s)
	for _, name := range deferrable {
		if !slices.Contains(all, name) {
			t.Fatalf("deferrable index %s is not in the schema (%v)", name, all)
		}
	}
	inTx := func(tx *Tx) []string {
		var names []string
		if err := tx.Select(&names, "SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name"); err != nil {
			t.Fatal(err)
		}
		return names
	}
	err := s.Tx(ctx, func(tx *Tx) error {
		finish, err := tx.Bulk(ctx, 1_000_000)
		if err != nil {
			return err
		}
		for _, name := range deferrable {
			if slices.Contains(inTx(tx), name) {
				t.Errorf("index %s is still there during a large import", name)
			}
		}
		if err := addContacts(ctx, tx, 3); err != nil {
			return err
		}
		return finish()
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := indexNames(t, s); !slices.Equal(got, all) {
		t.Errorf("after the import the indexes are %v, want %v", got, all)
	}
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}

	boom := errors.New("boom")
	err = s.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.Bulk(ctx, 1_000_000); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) || !slices.Equal(indexNames(t, s), all) {
		t.Errorf("a rolled-back import: %v, indexes %v", err, indexNames(t, s))
	}

	err = s.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.Bulk(ctx, minDeferRows-1); err != nil {
			return err
		}
		if got := inTx(tx); !slices.Equal(got, all) {
			t.Errorf("a small import dropped indexes: %v", got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func addContacts(ctx context.Context, tx *Tx, n int) error {
	for i := range n {
		c := &Contact{Email: fmt.Sprintf("c%d@example.com", i)}
		if _, err := tx.UpsertContact(ctx, c, 1); err != nil {
			return err
		}
		j := &Journey{Campaign: "post-order", ContactID: c.ID, TriggerAt: 1, CreatedAt: 1}
		if _, err := tx.AddJourney(ctx, j); err != nil {
			return err
		}
		var rows []Message
		for k, step := range []string{"a", "b", "c"} {
			rows = append(rows, Message{JourneyID: j.ID, ContactID: c.ID, Campaign: "post-order", Step: step,
				Channel: "email", DueAt: int64(10 + k), MessageID: fmt.Sprintf("%d.%s@x", i, step), CreatedAt: 1})
		}
		if n, err := tx.AddMessages(ctx, rows); err != nil || n != len(rows) {
			return fmt.Errorf("queued %d of %d rows: %v", n, len(rows), err)
		}
		if n, err := tx.AddMessages(ctx, rows); err != nil || n != 0 {
			return fmt.Errorf("queued the same rows again: %d, %v", n, err)
		}
	}
	return nil
}

// TestImportStatementsNeedNoDeferredIndex pins the plans of the statements
// an import runs for each row: none may rely on an index a large import
// drops (it would read a whole table per row instead), and none may read
// a whole table.
func TestImportStatementsNeedNoDeferredIndex(t *testing.T) {
	s := openTest(t)
	stmts := map[string][]any{
		"contact-insert":              {"u", "", "", "a@x", "", "", 0, "", "", "", 1, 1, nil, "", "", "subscribed", ""},
		"order-insert":                {1, "2026-01-01", "", "", 1, ""},
		"order-find":                  {1, "2026-01-01", ""},
		"journey-insert":              {"post-order", 1, 1, 1, 1, 1},
		"journey-find":                {"post-order", 1, 1},
		"journeys-of-campaign":        {"post-order", 1},
		"journeys-of-campaign-count":  {"post-order", 1},
		"message-cancel-pending-step": {"n", 1, "tips"},
		"setting-insert":              {"k", "v"},
		"order-append":                {1, 1, "2026-01-01", "", "", 1, ""},
		"journey-append":              {1, "post-order", 1, 1, 1, 1, 1},
		"message-insert":              messageValues(&Message{}, nil),
		"next-ids":                    nil,
		"contacts-since":              {1},
		"contacts-max-id":             nil,
		"contact-by-email":            {"a@x"},
		"contact-by-phone":            {"+13125550142"},
	}
	check := func(name, q string, args ...any) {
		plan := explain(t, s, q, args...)
		for _, idx := range deferrable {
			if strings.Contains(plan, "INDEX "+idx+" ") || strings.HasSuffix(plan, "INDEX "+idx) || strings.Contains(plan, "INDEX "+idx+"\n") {
				t.Errorf("%s uses %s, which a large import drops:\n%s", name, idx, plan)
			}
		}
		for _, step := range strings.Split(plan, "\n") {
			if strings.HasPrefix(step, "SCAN ") && !strings.HasPrefix(step, "SCAN CONSTANT") {
				t.Errorf("%s reads a whole table (%q):\n%s", name, step, plan)
			}
		}
	}
	for name, args := range stmts {
		check(name, mustText(t, s, name), args...)
	}
	multi := func(name string, n int) string {
		q, err := s.multiInsert(name, n)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	if q := multi("contact-insert", 2); strings.Count(q, "nullif(?, ''), nullif(?, '')") != 2 || !strings.HasSuffix(strings.TrimSpace(q), "DO NOTHING;") {
		t.Errorf("contact-insert for 2 rows:\n%s", q)
	}
	if q := multi("message-insert", 3); strings.Count(q, "(?, ?") != 3 {
		t.Errorf("message-insert for 3 rows:\n%s", q)
	}
}

// TestBulkSortingShrinksTheCache: Bulk's large page cache gives way to a
// small one once the writes are done, since SQLite's sorter keeps as much
// as the cache in memory on top of it.
func TestBulkSortingShrinksTheCache(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	cache := func(tx *Tx) int {
		var kib int
		if err := tx.Get(&kib, "PRAGMA cache_size"); err != nil {
			t.Fatal(err)
		}
		return kib
	}
	err := s.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.Bulk(ctx, 10); err != nil {
			return err
		}
		if got := cache(tx); got != -bulkCacheKiB {
			t.Errorf("cache_size %d during the writes, want %d", got, -bulkCacheKiB)
		}
		if err := tx.Sorting(ctx); err != nil {
			return err
		}
		if got := cache(tx); got != -sortCacheKiB {
			t.Errorf("cache_size %d after Sorting, want %d", got, -sortCacheKiB)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
