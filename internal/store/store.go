// Package store is the only package that speaks SQL. It keeps contacts,
// orders, journeys, the message queue, replies and notices in one SQLite
// file, with embedded numbered migrations and named queries in queries.sql.
package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/mattn/go-sqlite3"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("not found")

// Store is the database. Writes go through one connection (SQLite allows
// one writer; a pool only trades "database is locked" errors for waits),
// reads through a small pool that WAL lets run beside the writer.
type Store struct {
	path  string
	w     *sqlx.DB
	r     *sqlx.DB
	q     map[string]string
	batch batcher
	// inserts caches multi-row forms of message-insert, by row count.
	inserts sync.Map
}

// Open opens (creating if needed) the database at path and applies
// migrations. It refuses a database written by a newer Rapport, and one
// that is damaged or was emptied after use (a *DamageError). A new
// database is private to its owner.
func Open(ctx context.Context, path string) (*Store, error) {
	if err := prepareFile(path); err != nil {
		return nil, err
	}
	w, err := open(path, false)
	if err != nil {
		return nil, damaged(path, err)
	}
	w.SetMaxOpenConns(1)
	q, err := parseQueries(queriesSQL)
	if err != nil {
		w.Close()
		return nil, err
	}
	s := &Store{path: path, w: w, q: q}
	if err := s.migrate(ctx); err != nil {
		w.Close()
		if de := damaged(path, err); de != err {
			return nil, de
		}
		return nil, fmt.Errorf("database %s: %w", path, err)
	}
	if err := markUsed(path); err != nil {
		w.Close()
		return nil, err
	}
	if s.r, err = open(path, true); err != nil {
		w.Close()
		return nil, err
	}
	s.r.SetMaxOpenConns(4)
	// All of them kept open: database/sql keeps two idle by default, and
	// under a busy dashboard it closed and opened the others all the time,
	// each opening parsing the schema and growing a page cache again.
	s.r.SetMaxIdleConns(4)
	return s, nil
}

// open builds the DSN. WAL lets readers work while the daemon writes;
// synchronous=FULL makes a committed "sent" survive power loss (NORMAL can
// lose the last commits in WAL mode); immediate transactions take the write
// lock up front so read-then-write transactions never deadlock. Each
// connection keeps its prepared statements: the same few queries run for
// every row of an import and every message sent, and compiling them again
// each time was a fifth of an import's time.
func open(path string, readOnly bool) (*sqlx.DB, error) {
	v := url.Values{}
	v.Set("_journal_mode", "WAL")
	v.Set("_busy_timeout", strconv.FormatInt(busyTimeout.Milliseconds(), 10))
	v.Set("_foreign_keys", "on")
	v.Set("_synchronous", "FULL")
	v.Set("_txlock", "immediate")
	v.Set("_stmt_cache_size", "64")
	if readOnly {
		v.Set("_query_only", "true")
		v.Set("_cache_size", strconv.Itoa(-readCacheKiB))
	}
	db, err := sqlx.Open("sqlite3", "file:"+path+"?"+v.Encode())
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	return db, nil
}

// readCacheKiB is the page cache of each read connection. The reads are
// the dashboard's and commands' pages: each touches a hundred rows at
// random places in a large table, so a bigger cache holds pages that are
// seldom read again, while the few the next request needs (the indexes'
// upper levels) fit in this one. SQLite's default of 2 MB on each of the
// read pool's connections was a fifth of the daemon's memory under a busy
// dashboard; the operating system's file cache serves the rest.
const readCacheKiB = 512

// Close closes the database.
func (s *Store) Close() error {
	s.stopBatches()
	return errors.Join(s.r.Close(), s.w.Close())
}

// migrate applies every embedded migration newer than the database's
// user_version, each in its own transaction with the version bump.
func (s *Store) migrate(ctx context.Context) error {
	files, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	sort.Strings(files)
	current, err := valueOf[int](ctx, s, s.w, "schema-version")
	if err != nil {
		return fmt.Errorf("read schema version: %w", err)
	}
	if current > len(files) {
		return fmt.Errorf("the database has schema version %d but this rapport only knows up to %d: it was written by a newer rapport; upgrade the binary (or restore a backup)", current, len(files))
	}
	for i := current; i < len(files); i++ {
		body, err := migrationFS.ReadFile(files[i])
		if err != nil {
			return err
		}
		if err := s.apply(ctx, string(body), i+1); err != nil {
			return fmt.Errorf("apply %s: %w", files[i], err)
		}
	}
	return nil
}

// fkOff marks a migration that rebuilds a table other tables refer to:
// it runs with foreign keys off (dropping the old table would otherwise
// cascade to the rows that refer to it), and they are checked before it
// commits, as SQLite's own procedure for such changes says.
const fkOff = "-- rapport: foreign_keys off"

// apply runs one migration and sets the schema version to version, in one
// transaction. (PRAGMA foreign_keys does nothing inside a transaction, so
// it is set around it; the writer is a single connection.)
func (s *Store) apply(ctx context.Context, body string, version int) (err error) {
	keysOff := strings.HasPrefix(body, fkOff)
	if keysOff {
		if _, err := s.exec(ctx, s.w, "foreign-keys-off"); err != nil {
			return err
		}
		// Left off, the writer would let every later write break the
		// references the schema declares.
		defer func() {
			if _, onErr := s.exec(ctx, s.w, "foreign-keys-on"); onErr != nil {
				err = errors.Join(err, fmt.Errorf("turn foreign keys back on: %w", onErr))
			}
		}()
	}
	return s.Tx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, body); err != nil {
			return err
		}
		if keysOff {
			if err := checkForeignKeys(ctx, tx); err != nil {
				return err
			}
		}
		return s.execf(ctx, tx, "schema-version-set", version)
	})
}

// checkForeignKeys fails if any row refers to a row that is not there.
func checkForeignKeys(ctx context.Context, tx *Tx) error {
	var broken []struct {
		Table  string        `db:"table"`
		RowID  sql.NullInt64 `db:"rowid"`
		Parent string        `db:"parent"`
		FKID   int           `db:"fkid"`
	}
	if err := tx.s.sel(ctx, tx, &broken, "foreign-key-check"); err != nil {
		return err
	}
	if len(broken) > 0 {
		return fmt.Errorf("%d rows of %s would refer to missing %s rows", len(broken), broken[0].Table, broken[0].Parent)
	}
	return nil
}

// Tx is a write transaction. Methods on Tx are the writes; they run inside
// whatever transaction the caller opened so that related changes (an order,
// its journeys and their queue rows) commit together or not at all.
type Tx struct {
	*sqlx.Tx
	s *Store
	// conn is the connection the transaction runs on, held for it: rows
	// written many at a time go to the driver directly (see insertRows).
	conn *sqlx.Conn
	// args and values are insertRows' buffers, kept from one statement to
	// the next.
	args   []any
	values []driver.NamedValue
	// latest is the latest journey of contacts and campaigns whose older
	// journeys have no pending repeats (see CancelOlderRepeats).
	latest map[repeatKey]Journey
}

// Tx runs fn in a write transaction, committing if it returns nil.
func (s *Store) Tx(ctx context.Context, fn func(*Tx) error) error {
	conn, err := s.w.Connx(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	defer conn.Close()
	tx, err := begin(ctx, conn)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	if err := fn(&Tx{Tx: tx, s: s, conn: conn}); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// begin starts a write transaction on conn, taking the write lock at once.
// While another process holds it (a large import keeps it for its whole
// transaction, a minute or more) SQLite gives up after busyTimeout; begin
// then tries again, until ctx ends. A write that records what has already
// happened — a message that went — must wait for its turn, not fail: a
// sent email left in 'sending' would be sent again at the next start.
func begin(ctx context.Context, conn *sqlx.Conn) (*sqlx.Tx, error) {
	for {
		tx, err := conn.BeginTxx(ctx, nil)
		var se sqlite3.Error
		if err == nil || !errors.As(err, &se) || se.Code != sqlite3.ErrBusy {
			return tx, err
		}
		// SQLite has waited busyTimeout already, except for the rare
		// "busy" it answers at once: never spin.
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(busyTimeout / 10):
		}
	}
}

// busyTimeout is how long SQLite itself waits for a lock held by another
// connection before it answers "busy" (tests shorten it).
var busyTimeout = 10 * time.Second

// bulkCacheKiB is the page cache of a connection that writes in bulk. With
// SQLite's default 2 MB, an import of 100,000 rows spent a fifth of its
// time rereading and rewriting index pages it had just let go; 8 MB keeps
// them, and the import's memory under 60 MB (16 MB gained little more).
const bulkCacheKiB = 8 << 10

// sortCacheKiB is the page cache while a bulk load builds its indexes.
const sortCacheKiB = 2 << 10

// deferrable are the indexes a bulk load drops and builds again at its
// end. Each new row would otherwise land on a random page of each (a random
// uid, a due time), and with a million rows those pages no longer fit the
// cache: SQLite rereads and rewrites one page per index per row, where
// CREATE INDEX sorts once. None serves a statement an import runs (the
// plan test checks those), and the unique constraints an import relies on
// (email, phone, orders, journeys, queue rows) are not among them.
var deferrable = []string{"contacts_uid", "contacts_name", "contacts_first", "journeys_contact",
	"messages_pending", "messages_sending", "messages_contact_sent", "messages_provider"}

// Bulk readies the transaction for many writes, such as an import: its
// connection keeps a larger page cache from now on, and when rows (an
// estimate of those to come) is large next to the contacts already stored,
// the deferrable indexes are dropped until the returned finish builds them
// again. finish must be called before commit; the drop and the rebuild are
// part of the transaction, so a rollback or a crash leaves them as they
// were, and other connections see the indexes throughout.
func (tx *Tx) Bulk(ctx context.Context, rows int) (finish func() error, err error) {
	if err := tx.s.execf(ctx, tx, "cache-size", bulkCacheKiB); err != nil {
		return nil, err
	}
	stored, err := valueOf[int](ctx, tx.s, tx, "contacts-max-id")
	if err != nil {
		return nil, err
	}
	if rows < minDeferRows || rows < stored {
		return func() error { return nil }, nil
	}
	defs, err := allIn[struct{ Name, SQL string }](ctx, tx.s, tx, "index-definitions", deferrable)
	if err != nil {
		return nil, fmt.Errorf("read index definitions: %w", err)
	}
	for _, d := range defs {
		if err := tx.s.execf(ctx, tx, "index-drop", d.Name); err != nil {
			return nil, fmt.Errorf("drop index %s for the import: %w", d.Name, err)
		}
	}
	return func() error {
		if err := tx.Sorting(ctx); err != nil {
			return err
		}
		for _, d := range defs {
			if _, err := tx.ExecContext(ctx, d.SQL); err != nil {
				return fmt.Errorf("build index %s: %w", d.Name, err)
			}
		}
		return nil
	}, nil
}

// Sorting shrinks the page cache of a transaction readied by Bulk, once
// its writes are done: SQLite's sorter (CREATE INDEX, a GROUP BY over
// the rows just written) keeps as much in memory as the page cache holds,
// on top of the cache itself, before it spills to temporary files. With the
// bulk cache a million-row import's closing count went over 60 MB.
func (tx *Tx) Sorting(ctx context.Context) error {
	return tx.s.execf(ctx, tx, "cache-size", sortCacheKiB)
}

// minDeferRows is the smallest import that drops indexes: below it the
// rebuild (which reads every row of the tables, old ones included) costs
// more than it saves.
const minDeferRows = 20000

// Setting returns a value from the settings table, or ErrNotFound.
func (s *Store) Setting(ctx context.Context, key string) (string, error) {
	return valueOf[string](ctx, s, s.r, "setting", key)
}

// SetSettingIfAbsent stores value under key unless one is there already,
// and returns whichever value is stored.
func (s *Store) SetSettingIfAbsent(ctx context.Context, key, value string) (string, error) {
	err := s.Tx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, "setting-insert", key, value)
		return err
	})
	if err != nil {
		return "", err
	}
	return valueOf[string](ctx, s, s.w, "setting", key)
}

// SetSettingIfAbsent stores value under key unless a value is there already.
func (tx *Tx) SetSettingIfAbsent(ctx context.Context, key, value string) error {
	_, err := tx.exec(ctx, "setting-insert", key, value)
	return err
}

// SetSetting stores value under key.
func (tx *Tx) SetSetting(ctx context.Context, key, value string) error {
	_, err := tx.exec(ctx, "setting-set", key, value)
	return err
}

// Backup writes a consistent copy of the database to path (VACUUM INTO
// reads one snapshot, so it is safe while the daemon writes). The copy is
// created first, empty and private to its owner, for VACUUM INTO to fill
// (it takes an empty file, and would create one open to all under the
// usual umask); an existing file is refused.
func (s *Store) Backup(ctx context.Context, path string) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if _, err := s.exec(ctx, s.w, "backup", path); err != nil {
		os.Remove(path)
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	return nil
}
