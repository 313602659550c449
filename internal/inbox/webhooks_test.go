package inbox_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/inbox"
	"github.com/rapportapp/rapport/internal/spool"
)

// holdWriteLock plays a large import: a write transaction held open on a
// connection of its own until the returned func is called.
func holdWriteLock(t *testing.T, path string) (release func()) {
	t.Helper()
	ctx := context.Background()
	db, err := sql.Open("sqlite3", "file:"+path+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	done := false
	release = func() {
		if !done {
			done = true
			conn.ExecContext(ctx, "COMMIT")
			conn.Close()
			db.Close()
		}
	}
	t.Cleanup(release)
	return release
}

func replyBodies(t *testing.T, s *shop) []string {
	t.Helper()
	rs, err := s.st.Replies(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, r := range rs {
		out = append(out, r.Body)
	}
	return out
}

// Texts that arrive while an import holds the write lock are answered
// at once (HELP with the rep's details, from the config) and recorded,
// each once, when the lock is released.
func TestWebhooksAnswerWhileTheDatabaseIsLocked(t *testing.T) {
	s := newShop(t)
	sp, err := spool.Open(s.path + ".spool")
	if err != nil {
		t.Fatal(err)
	}
	h := inbox.NewWebhooks(s.inbox, sp)
	ctx, cancel := context.WithCancel(context.Background())
	stopped := make(chan struct{})
	go func() { h.Run(ctx); close(stopped) }()
	t.Cleanup(func() { cancel(); <-stopped })

	release := holdWriteLock(t, s.path)
	texts := []inbox.SMS{
		{MessageSID: "SM-locked-1", From: janePhone, To: repPhone, Body: "It arrived broken"},
		{MessageSID: "SM-locked-2", From: strangerNo, To: repPhone, Body: "HELP"},
		{MessageSID: "SM-locked-1", From: janePhone, To: repPhone, Body: "It arrived broken"}, // Twilio's retry
	}
	for i, m := range texts {
		start := time.Now()
		answer, err := h.ReceiveSMS(ctx, m)
		if took := time.Since(start); err != nil || took > 2*time.Second {
			t.Fatalf("text %d: answered after %v with %v, want at once", i, took, err)
		}
		if wantHelp := m.Body == "HELP"; strings.Contains(answer, "Reply STOP") != wantHelp {
			t.Errorf("text %d (%q): answer %q", i, m.Body, answer)
		}
	}
	if got := replyBodies(t, s); len(got) != 0 {
		t.Fatalf("replies %q recorded while the lock was held", got)
	}
	release()
	deadline := time.Now().Add(15 * time.Second)
	for len(replyBodies(t, s)) < 2 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	waitSpoolEmpty(t, sp)
	if got := replyBodies(t, s); len(got) != 2 {
		t.Fatalf("replies after the lock was released: %q, want the two texts once each", got)
	}
}

func waitSpoolEmpty(t *testing.T, sp *spool.Spool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		left, err := sp.Pending()
		if err != nil {
			t.Fatal(err)
		}
		if len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d webhooks still spooled", len(left))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Texts spooled by a daemon that then crashed are recorded at the next
// start, in the order they came; one recorded just before the crash (its
// file still there) is not recorded twice.
func TestSpooledTextsAreRecordedAfterACrash(t *testing.T) {
	s := newShop(t)
	dir := filepath.Join(filepath.Dir(s.path), "rapport.db.spool")
	sp, err := spool.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	at := s.clock.Now().UnixNano()
	for i, body := range []string{"first", "second", "first"} {
		sid := []string{"SM-a", "SM-b", "SM-a"}[i]
		e := spool.Entry{Kind: "sms", At: at, Fields: map[string]string{"MessageSid": sid, "From": janePhone, "To": repPhone, "Body": body}}
		if err := sp.Write(sp.Reserve(), e); err != nil {
			t.Fatal(err)
		}
	}
	sp, err = spool.Open(dir) // the restart
	if err != nil {
		t.Fatal(err)
	}
	if err := inbox.NewWebhooks(s.inbox, sp).Drain(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := replyBodies(t, s)
	if strings.Join(got, ",") != "second,first" && strings.Join(got, ",") != "first,second" || len(got) != 2 {
		t.Fatalf("replies %q, want first and second once each", got)
	}
	rs, _ := s.st.Replies(context.Background(), true)
	first, second := rs[0], rs[1]
	if first.Body != "first" {
		first, second = second, first
	}
	if first.ID > second.ID {
		t.Errorf("first recorded as %d, second as %d: out of order", first.ID, second.ID)
	}
	waitSpoolEmpty(t, sp)
}
