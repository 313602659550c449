package workspace_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/workspace"
)

// rowID is the id of the customer's row of step.
func (f *fixture) rowID(t *testing.T, step string) int64 {
	t.Helper()
	var id int64
	if err := f.db.QueryRow("SELECT id FROM messages WHERE step = ?", step).Scan(&id); err != nil {
		t.Fatalf("row of %s: %v", step, err)
	}
	return id
}

// A task moves to tomorrow at the time it was due, then is done once;
// both go in the customer's history.
func TestTaskTomorrowThenDone(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	jane := f.jane(t)
	if _, err := f.ws.AddOrder(ctx, jane, "", "INV-1", "Lavender", now); err != nil {
		t.Fatal(err)
	}
	id := f.rowID(t, "first-week-call")
	// Handed out in a digest: the dispatcher marks a task sent.
	if _, err := f.db.Exec("UPDATE messages SET state = 'sent', sent_at = due_at, due_at = ? WHERE id = ?",
		time.Date(2026, 3, 1, 7, 30, 0, 0, chicago).Unix(), id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ws.TaskTomorrow(ctx, id, now); err != nil {
		t.Fatal(err)
	}
	want := time.Date(2026, 3, 3, 7, 30, 0, 0, chicago).Unix()
	if n := f.count(t, "SELECT count(*) FROM messages WHERE id = ? AND state = 'pending' AND due_at = ?", id, want); n != 1 {
		t.Errorf("after tomorrow: want the task pending at Tue 3 Mar 07:30 Chicago; rows: %d", n)
	}
	if _, err := f.ws.TaskDone(ctx, id, now); err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, "SELECT count(*) FROM messages WHERE id = ? AND state = 'sent' AND done_at = ?", id, now.Unix()); n != 1 {
		t.Error("after done: the task is not sent and done now")
	}
	if _, err := f.ws.TaskDone(ctx, id, now); !errors.Is(err, workspace.ErrInvalid) {
		t.Errorf("done twice: %v, want ErrInvalid", err)
	}
	h := strings.Join(f.history(t, jane), "\n")
	for _, w := range []string{"moved the task post-order/first-week-call to Tue 3 Mar 07:30 CST", "did the task post-order/first-week-call"} {
		if !strings.Contains(h, w) {
			t.Errorf("history lacks %q:\n%s", w, h)
		}
	}
}

// A failed send goes back to the queue once, due now, its error cleared.
func TestRetryOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	jane := f.jane(t)
	if _, err := f.ws.AddOrder(ctx, jane, "", "INV-1", "Lavender", now); err != nil {
		t.Fatal(err)
	}
	id := f.rowID(t, "policy-sheet")
	if _, err := f.db.Exec("UPDATE messages SET state = 'failed', error = '550 mailbox full' WHERE id = ?", id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ws.TaskDone(ctx, id, now); !errors.Is(err, workspace.ErrInvalid) {
		t.Errorf("done on an email: %v, want ErrInvalid", err)
	}
	if _, err := f.ws.Retry(ctx, id, now); err != nil {
		t.Fatal(err)
	}
	if n := f.count(t, "SELECT count(*) FROM messages WHERE id = ? AND state = 'pending' AND due_at = ? AND error = ''", id, now.Unix()); n != 1 {
		t.Error("after retry: the row is not pending, due now, without its error")
	}
	if _, err := f.db.Exec("UPDATE messages SET state = 'failed' WHERE id = ?", id); err != nil {
		t.Fatal(err)
	}
	if _, err := f.ws.Retry(ctx, id, now); !errors.Is(err, workspace.ErrInvalid) {
		t.Errorf("second retry: %v, want ErrInvalid", err)
	}
	if h := strings.Join(f.history(t, jane), "\n"); !strings.Contains(h, "sent post-order/policy-sheet (email) again after it failed: 550 mailbox full") {
		t.Errorf("history:\n%s", h)
	}
}
