package main

import (
	"encoding/binary"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// wantRefused runs a command that must fail (exit 1) on a database that
// cannot be trusted, saying what is wrong and how to restore a backup.
func wantRefused(t *testing.T, w *workspace, what string, args ...string) {
	t.Helper()
	out, errOut, code := w.run(t, args...)
	if code != exitFailure {
		t.Fatalf("rapport %s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, exitFailure, out, errOut)
	}
	db := w.path("rapport.db")
	for _, want := range []string{what, "cp BACKUP.db " + db, "rm -f " + db + "-wal " + db + "-shm", "Backups and restore"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("rapport %s: stderr does not say %q:\n%s", strings.Join(args, " "), want, errOut)
		}
	}
}

// A database that became a zero-byte file after use (a failed copy, a
// full disk) is refused, never silently started over with a new
// unsubscribe key.
func TestEmptiedDatabaseIsRefused(t *testing.T) {
	w := customerWorkspace(t)
	runOnce(t, w, orderDay+" 11:00")
	if err := os.Truncate(w.path("rapport.db"), 0); err != nil {
		t.Fatal(err)
	}
	wantRefused(t, w, "is empty (0 bytes)", "--now", cst(t, orderDay+" 12:00").Format(time.RFC3339), "run", "--once")
	wantRefused(t, w, "is empty (0 bytes)", "status")
	wantRefused(t, w, "is empty (0 bytes)", "check", "--db")
	if st, err := os.Stat(w.path("rapport.db")); err != nil || st.Size() != 0 {
		t.Errorf("the refused database was written to: %v, %v", st, err)
	}
}

// corruptTable writes garbage over the root page of a table of the
// workspace's database (with no rapport running on it).
func corruptTable(t *testing.T, w *workspace, table string) {
	t.Helper()
	db := openDB(t, w)
	var root int64
	if err := db.QueryRow("SELECT rootpage FROM sqlite_schema WHERE name = ?", table).Scan(&root); err != nil {
		t.Fatal(err)
	}
	db.Close() // the last connection: its WAL goes into the file
	f, err := os.OpenFile(w.path("rapport.db"), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	head := make([]byte, 18)
	if _, err := f.ReadAt(head, 0); err != nil {
		t.Fatal(err)
	}
	size := int64(binary.BigEndian.Uint16(head[16:]))
	if _, err := f.WriteAt([]byte(strings.Repeat("\xde\xad\xbe\xef", int(size)/4)), (root-1)*size); err != nil {
		t.Fatal(err)
	}
}

func TestDamagedDatabaseIsRefused(t *testing.T) {
	w := customerWorkspace(t)
	if out := w.mustRun(t, "check", "--db"); !strings.Contains(out, "passes the integrity check") {
		t.Errorf("check --db on a good database: %q", out)
	}
	corruptTable(t, w, "contacts")
	wantRefused(t, w, "is damaged", "check", "--db")
	wantRefused(t, w, "is damaged", "--now", cst(t, orderDay+" 12:00").Format(time.RFC3339), "run", "--once")
}

// /healthz answers 503 once the database file cannot be read, though the
// daemon's open connections still answer from their caches.
func TestHealthzFailsWhenTheDatabaseCannotBeRead(t *testing.T) {
	w := customerWorkspace(t)
	addr := freeAddr(t)
	w.setKey(t, "http", "listen", strconv.Quote(addr))
	d := startDaemon(t, w, addr, cst(t, orderDay+" 09:00"))
	f, err := os.OpenFile(w.path("rapport.db"), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("overwritten....."), 0); err != nil {
		t.Fatal(err)
	}
	f.Close()
	if code, body := fetch(t, http.MethodGet, d.base+"/healthz"); code != http.StatusServiceUnavailable {
		t.Errorf("healthz on an unreadable database: %d %q, want 503", code, body)
	}
}

// Every file Rapport writes is its owner's alone, whatever the umask: the
// database (with the session key) and its -wal and -shm, the marker, the
// lock, backups, exports, and the outbox with its emails and texts.
func TestFilesArePrivateUnderAnOpenUmask(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	w := customerWorkspace(t)
	placeOrder(t, w, janeAddr)
	runOnce(t, w, orderDay+" 11:00")
	runOnce(t, w, "2026-03-07 10:30") // Jane's arrival check, a text
	w.mustRun(t, "backup", w.path("backup.db"))
	w.mustRun(t, "replies", "export", w.path("replies.csv"))
	checkModes(t, w, "rapport.db", "rapport.db.used", "rapport.db.lock", "backup.db", "replies.csv", "outbox")
	kinds := map[string]bool{}
	for _, f := range w.outboxFiles(t) {
		kinds[f.Channel] = true
		checkModes(t, w, "outbox/"+f.Name)
	}
	if !kinds["email"] || !kinds["sms"] {
		t.Errorf("outbox holds %v, want emails and texts", kinds)
	}
	w.openStore(t) // while open, the -wal and -shm are there
	checkModes(t, w, "rapport.db-wal", "rapport.db-shm")
}

func checkModes(t *testing.T, w *workspace, rels ...string) {
	t.Helper()
	for _, rel := range rels {
		st, err := os.Stat(w.path(rel))
		if err != nil {
			t.Error(err)
			continue
		}
		want := fs.FileMode(0o600)
		if st.IsDir() {
			want = 0o700
		}
		if got := st.Mode().Perm(); got != want {
			t.Errorf("%s: mode %#o, want %#o", filepath.ToSlash(rel), got, want)
		}
	}
}
