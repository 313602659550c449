package store

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
)

func openTest(t *testing.T) *Store {
	t.Helper()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestUpsertContactMergesAndMatches(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	var id int64
	err := s.Tx(ctx, func(tx *Tx) error {
		c := &Contact{FirstName: "Jane", Email: "jane@example.com"}
		res, err := tx.UpsertContact(ctx, c, 100)
		if err != nil || res != Inserted {
			t.Fatalf("first upsert = %v, %v", res, err)
		}
		id = c.ID
		// Same email, more fields: update, keep first name.
		c2 := &Contact{LastName: "Doe", Email: "jane@example.com", Phone: "+13125550142"}
		if res, err := tx.UpsertContact(ctx, c2, 200); err != nil || res != Updated || c2.ID != id {
			t.Fatalf("second upsert = %v, %v, id %d", res, err, c2.ID)
		}
		// Match by phone; nothing new: unchanged.
		c3 := &Contact{Phone: "+13125550142"}
		if res, err := tx.UpsertContact(ctx, c3, 300); err != nil || res != Unchanged {
			t.Fatalf("third upsert = %v, %v", res, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c, err := s.Contact(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if c.Name() != "Jane Doe" || c.Phone != "+13125550142" || c.EmailStatus != Subscribed || len(c.UID) != 32 {
		t.Fatalf("stored contact = %+v", c)
	}
}

func TestRefusesNewerSchema(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "new.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.w.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(ctx, path); err == nil {
		t.Fatal("opened a database with a newer schema")
	}
}

// addJourney adds a contact a@example.com with a post-order journey.
func addJourney(ctx context.Context, tx *Tx) (*Journey, error) {
	c := &Contact{Email: "a@example.com"}
	if _, err := tx.UpsertContact(ctx, c, 1); err != nil {
		return nil, err
	}
	j := &Journey{Campaign: "post-order", ContactID: c.ID, TriggerAt: 1, CreatedAt: 1}
	_, err := tx.AddJourney(ctx, j)
	return j, err
}

func TestQueueRowsAreUniquePerOccurrence(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	err := s.Tx(ctx, func(tx *Tx) error {
		j, err := addJourney(ctx, tx)
		if err != nil {
			return err
		}
		c := &Contact{ID: j.ContactID}
		row := Message{JourneyID: j.ID, ContactID: c.ID, Campaign: "post-order", Step: "s", Channel: "email", DueAt: 5, CreatedAt: 1}
		n1, err := tx.AddMessages(ctx, []Message{row})
		if err != nil {
			return err
		}
		n2, err := tx.AddMessages(ctx, []Message{row})
		if n1 != 1 || n2 != 0 {
			t.Fatalf("inserted %d then %d rows, want 1 then 0", n1, n2)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	due, err := s.DueMessages(ctx, 10, 10, DueFilter{Pausing: []string{"post-order"}})
	if err != nil || len(due) != 1 || due[0].Contact.Email != "a@example.com" {
		t.Fatalf("due = %+v, %v", due, err)
	}
}

// A write that finds another process holding the write lock (a large
// import) longer than SQLite's busy timeout waits on, instead of failing:
// it may be recording a message that already went.
func TestWriteWaitsOutALongLock(t *testing.T) {
	defer func(d time.Duration) { busyTimeout = d }(busyTimeout)
	busyTimeout = 50 * time.Millisecond
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "locked.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	other, err := sqlx.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	holder, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := holder.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- s.Tx(ctx, func(tx *Tx) error { return tx.SetSetting(ctx, "k", "v") })
	}()
	select {
	case err := <-done:
		t.Fatalf("write returned while the lock was held: %v", err)
	case <-time.After(10 * busyTimeout):
	}
	if _, err := holder.ExecContext(ctx, "COMMIT"); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("write after the lock was released: %v", err)
	}
	if v, err := s.Setting(ctx, "k"); err != nil || v != "v" {
		t.Errorf("setting = %q, %v", v, err)
	}

	// Given up when its context ends.
	if _, err := holder.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer holder.ExecContext(ctx, "ROLLBACK")
	short, cancel := context.WithTimeout(ctx, 5*busyTimeout)
	defer cancel()
	if err := s.Tx(short, func(tx *Tx) error { return tx.SetSetting(ctx, "k", "w") }); err == nil {
		t.Error("write went through a lock held by another connection")
	}
}

// mustText is the named query, failing the test if there is none.
func mustText(t *testing.T, s *Store, name string) string {
	t.Helper()
	q, err := s.text(name)
	if err != nil {
		t.Fatal(err)
	}
	return q
}
