package store

import (
	"context"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"
)

// A database written by the first schema, with a sent message a reply
// points at, is rebuilt by 0002 without losing the row, its Message-ID or
// the reply's link to it, and foreign keys are on again afterwards.
func TestMigrationKeepsQueueAndReplyLinks(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := sqlx.Open("sqlite3", "file:"+path+"?_foreign_keys=on")
	if err != nil {
		t.Fatal(err)
	}
	first, err := migrationFS.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{string(first),
		`INSERT INTO contacts (id, uid, email, created_at, updated_at) VALUES (1, 'u1', 'a@example.com', 1, 1)`,
		`INSERT INTO journeys (id, campaign, contact_id, trigger_at, date_only, created_at) VALUES (1, 'post-order', 1, 1, 1, 1)`,
		`INSERT INTO messages (id, journey_id, contact_id, campaign, step, occurrence, channel, due_at, state, message_id, created_at)
		 VALUES (7, 1, 1, 'post-order', 'hello', 0, 'email', 5, 'sent', 'old@example.com', 1)`,
		`INSERT INTO replies (contact_id, message_id, channel, external_id, from_addr, body, received_at)
		 VALUES (1, 7, 'email', 'r1@example.com', 'a@example.com', 'thanks', 9)`,
		`PRAGMA user_version = 1`,
	} {
		if _, err := old.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	old.Close()

	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got struct {
		Version   int    `db:"version"`
		FK        int    `db:"fk"`
		MessageID string `db:"message_id"`
		ReplyTo   int64  `db:"reply_to"`
	}
	err = s.w.GetContext(ctx, &got, `SELECT (SELECT user_version FROM pragma_user_version) AS version,
		(SELECT foreign_keys FROM pragma_foreign_keys) AS fk,
		(SELECT message_id FROM messages WHERE id = 7) AS message_id,
		(SELECT message_id FROM replies) AS reply_to`)
	if err != nil {
		t.Fatal(err)
	}
	latest, _ := fs.Glob(migrationFS, "migrations/*.sql")
	if got.Version != len(latest) || got.FK != 1 || got.MessageID != "old@example.com" || got.ReplyTo != 7 {
		t.Errorf("after migration %+v, want the latest version, foreign keys on, the Message-ID and the reply's link kept", got)
	}
	if ref, err := s.MessageByRFCID(ctx, "old@example.com"); err != nil || ref.ID != 7 {
		t.Errorf("message by its old Message-ID: %+v, %v", ref, err)
	}
}

// A queued row has no Message-ID until its first claim; a retry keeps
// that one; a task (claimed with none) never gets one.
func TestClaimGivesTheMessageIDOnce(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	var msg, task Message
	err := s.Tx(ctx, func(tx *Tx) error {
		j, err := addJourney(ctx, tx)
		if err != nil {
			return err
		}
		_, err = tx.AddMessages(ctx, []Message{
			{JourneyID: j.ID, ContactID: j.ContactID, Campaign: "post-order", Step: "hello", Channel: "email", DueAt: 5, CreatedAt: 1},
			{JourneyID: j.ID, ContactID: j.ContactID, Campaign: "post-order", Step: "call", Channel: "task", DueAt: 5, CreatedAt: 1},
		})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	due, err := s.DueMessages(ctx, 10, 10, DueFilter{})
	if err != nil || len(due) != 2 {
		t.Fatalf("due %+v, %v", due, err)
	}
	msg, task = due[0].Message, due[1].Message
	if msg.MessageID != "" || task.MessageID != "" {
		t.Fatalf("queued rows already have Message-IDs %q, %q", msg.MessageID, task.MessageID)
	}
	claim := func(m *Message, id string) {
		t.Helper()
		m.MessageID = id
		err := s.Tx(ctx, func(tx *Tx) error {
			ok, err := tx.Claim(ctx, m, 6)
			if err == nil && !ok {
				t.Fatalf("row %d not claimed", m.ID)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	claim(&msg, "first@example.com")
	claim(&task, "")
	if err := s.Tx(ctx, func(tx *Tx) error { return tx.Retry(ctx, msg.ID, 7, "try again") }); err != nil {
		t.Fatal(err)
	}
	claim(&msg, "second@example.com")
	if msg.MessageID != "first@example.com" || task.MessageID != "" {
		t.Errorf("Message-IDs after a retry %q and for a task %q, want first@example.com and none", msg.MessageID, task.MessageID)
	}
	if ref, err := s.MessageByRFCID(ctx, "first@example.com"); err != nil || ref.ID != msg.ID {
		t.Errorf("message by Message-ID: %+v, %v", ref, err)
	}
	if _, err := s.w.ExecContext(ctx, "UPDATE messages SET message_id = ? WHERE id = ?", "first@example.com", task.ID); err == nil {
		t.Error("two rows took the same Message-ID")
	}
}

// Forwards queued before 0006 name their reply in their dedupe key: the
// migration reads it back, so that they too can go in a summary.
func TestMigrationNamesTheRepliesOfQueuedForwards(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	old, err := sqlx.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	first, err := migrationFS.ReadFile("migrations/0001_init.sql")
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{string(first),
		`INSERT INTO rep_messages (dedupe_key, channel, to_addr, body, message_id, due_at, created_at)
		 VALUES ('reply:7:email', 'email', 'amy@example.com', 'b', 'a@x', 1, 1),
		        ('reply:12345:sms', 'sms', '+13125550100', 'b', 'b@x', 1, 1),
		        ('digest:2026-03-02', 'email', 'amy@example.com', 'b', 'c@x', 1, 1)`,
		`PRAGMA user_version = 1`,
	} {
		if _, err := old.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	old.Close()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var got []int64
	if err := s.r.SelectContext(ctx, &got, `SELECT reply_id FROM rep_messages ORDER BY id`); err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0] != 7 || got[1] != 12345 || got[2] != 0 {
		t.Errorf("reply ids after the migration: %v, want [7 12345 0]", got)
	}
}

// The schema version is the number of migration files applied, so the
// files must be numbered 0001, 0002, … without a gap or a repeat: a file
// numbered into a gap would sort before ones already applied and be
// skipped on every upgraded database.
func TestMigrationsAreNumberedInOrder(t *testing.T) {
	files, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	for i, f := range files {
		if want := fmt.Sprintf("migrations/%04d_", i+1); !strings.HasPrefix(f, want) {
			t.Errorf("migration %d is %s: want a name starting %s (number a new one after the highest)", i+1, f, strings.TrimPrefix(want, "migrations/"))
		}
	}
}
