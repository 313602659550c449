package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/mattn/go-sqlite3"
	"github.com/rapportapp/rapport/internal/atomicfile"
)

// DamageError says the database file cannot be trusted: its pages are
// damaged, or it is empty or missing though it has held data. Starting
// over on it would lose the contacts and queue silently (and, without an
// [http] secret, the key every unsubscribe link was signed with), so the
// store refuses it and the rep restores a backup.
type DamageError struct {
	Path    string
	Problem string
}

func (e *DamageError) Error() string { return fmt.Sprintf("database %s %s", e.Path, e.Problem) }

// UsedMarker is the file beside the database that says it has held data.
// It is written when the schema is first created, so a database found
// empty or missing later is known to have been lost, not new.
func UsedMarker(path string) string { return path + ".used" }

const usedText = "This file tells rapport that the database beside it has held data:\n" +
	"if that database is ever found empty or missing, rapport refuses to start\n" +
	"rather than silently begin again with an empty one. Delete this file only\n" +
	"to start over on purpose.\n"

// prepareFile runs before SQLite opens path. It refuses a database that
// is empty or missing while there are signs it was used, creates a new
// one private to its owner (SQLite gives the -wal and -shm files the
// database's mode), and takes group and other access off existing files.
func prepareFile(path string) error {
	st, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if used, err := wasUsed(path); err != nil || used {
			return errors.Join(err, lost(path, "is missing"))
		}
		return create(path)
	case err != nil:
		return fmt.Errorf("open database %s: %w", path, err)
	case st.Size() == 0:
		if used, err := wasUsed(path); err != nil || used {
			return errors.Join(err, lost(path, "is empty (0 bytes)"))
		}
	}
	return restrict(path)
}

func lost(path, what string) error {
	return &DamageError{Path: path, Problem: fmt.Sprintf("%s, but %s shows it has held data: it was emptied or replaced (a failed copy or restore, a full disk?). "+
		"To start over with an empty database on purpose instead, delete %s", what, UsedMarker(path), UsedMarker(path))}
}

// wasUsed reports signs that the database at path has held data: the
// marker, or a write-ahead log with content.
func wasUsed(path string) (bool, error) {
	if ok, err := atomicfile.Exists(UsedMarker(path)); err != nil || ok {
		return ok, err
	}
	st, err := os.Stat(path + "-wal")
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("check %s-wal: %w", path, err)
	}
	return st.Size() > 0, nil
}

// create makes an empty database file readable by its owner only,
// whatever the umask.
func create(path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if errors.Is(err, fs.ErrExist) {
		return restrict(path) // another process made it first
	}
	if err != nil {
		return fmt.Errorf("create database %s: %w", path, err)
	}
	return f.Close()
}

// restrict takes group and other access off the database and its -wal
// and -shm files (made before Rapport kept them private, or copied in
// under a loose umask): they hold the dashboard's session key.
func restrict(path string) error {
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		st, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("check %s: %w", p, err)
		}
		if st.Mode().Perm()&0o077 == 0 {
			continue
		}
		if err := os.Chmod(p, st.Mode().Perm()&0o700); err != nil {
			return fmt.Errorf("make %s private to its owner: %w", p, err)
		}
	}
	return nil
}

// markUsed writes the used marker unless it is there.
func markUsed(path string) error {
	ok, err := atomicfile.Exists(UsedMarker(path))
	if err != nil || ok {
		return err
	}
	return atomicfile.Write(UsedMarker(path), 0o600, strings.NewReader(usedText))
}

// damaged turns SQLite's "corrupt" and "not a database" answers into a
// DamageError; other errors pass through.
func damaged(path string, err error) error {
	var se sqlite3.Error
	if errors.As(err, &se) && (se.Code == sqlite3.ErrCorrupt || se.Code == sqlite3.ErrNotADB) {
		return &DamageError{Path: path, Problem: "is damaged: " + se.Error()}
	}
	return err
}

// QuickCheck runs PRAGMA quick_check, which reads every page once (it
// skips integrity_check's index-to-table comparison): what the daemon
// runs at start so that it never works on a damaged file.
func (s *Store) QuickCheck(ctx context.Context) error {
	res, err := all[string](ctx, s, s.w, "quick-check")
	return s.checked(res, err)
}

// IntegrityCheck runs PRAGMA integrity_check, the full check.
func (s *Store) IntegrityCheck(ctx context.Context) error {
	res, err := all[string](ctx, s, s.w, "integrity-check")
	return s.checked(res, err)
}

// checked turns the rows of a check into nil ("ok") or a DamageError.
func (s *Store) checked(res []string, err error) error {
	if err != nil {
		return damaged(s.path, err)
	}
	if len(res) == 1 && res[0] == "ok" {
		return nil
	}
	const shown = 5
	more := ""
	if len(res) > shown {
		more = fmt.Sprintf(" (and %d more problems)", len(res)-shown)
		res = res[:shown]
	}
	return &DamageError{Path: s.path, Problem: "is damaged: " + strings.Join(res, "; ") + more}
}

// Ping checks that the database file can be read now. The pool's
// connections would answer from their page caches and the write-ahead
// log, so a file deleted, emptied or overwritten under them would go
// unnoticed (and a deleted one lost at the next start): Ping reads the
// file's header itself, then asks a new connection.
func (s *Store) Ping(ctx context.Context) error {
	if err := checkHeader(s.path); err != nil {
		return err
	}
	db, err := sqlx.Open("sqlite3", "file:"+s.path+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		return fmt.Errorf("open database %s: %w", s.path, err)
	}
	defer db.Close()
	n, err := valueOf[int](ctx, s, db, "ping")
	if err != nil {
		return damaged(s.path, err)
	}
	if n == 0 {
		return &DamageError{Path: s.path, Problem: "has no tables"}
	}
	return nil
}

// sqliteMagic begins every SQLite database file.
const sqliteMagic = "SQLite format 3\x00"

func checkHeader(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("database %s cannot be read: %w", path, err)
	}
	defer f.Close()
	head := make([]byte, len(sqliteMagic))
	if _, err := io.ReadFull(f, head); err != nil || string(head) != sqliteMagic {
		return &DamageError{Path: path, Problem: "is damaged: it does not begin as an SQLite database does"}
	}
	return nil
}

// ErrNoDatabase is CheckFile's answer for a database not created yet.
var ErrNoDatabase = errors.New("no database yet")

// CheckFile runs PRAGMA integrity_check on the database at path through
// a read-only connection: unlike Open it creates nothing and applies no
// migration, so `rapport check --db` can run beside the daemon or
// before an upgrade. A database that is not there is ErrNoDatabase,
// unless there are signs it was used.
func CheckFile(ctx context.Context, path string) error {
	st, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) || err == nil && st.Size() == 0 {
		what := "is missing"
		if err == nil {
			what = "is empty (0 bytes)"
		}
		if used, uerr := wasUsed(path); uerr != nil || used {
			return errors.Join(uerr, lost(path, what))
		}
		return ErrNoDatabase
	}
	if err := checkHeader(path); err != nil {
		return err
	}
	q, err := parseQueries(queriesSQL)
	if err != nil {
		return err
	}
	db, err := sqlx.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		return fmt.Errorf("open database %s: %w", path, err)
	}
	defer db.Close()
	s := &Store{path: path, w: db, q: q}
	return s.IntegrityCheck(ctx)
}
