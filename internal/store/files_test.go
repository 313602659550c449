package store

import (
	"context"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// openClose creates a database at path with the schema and closes it.
func openClose(t *testing.T, path string) {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func wantDamage(t *testing.T, err error, words string) {
	t.Helper()
	var de *DamageError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), words) {
		t.Fatalf("error %v, want a DamageError saying %q", err, words)
	}
}

func TestEmptiedDatabaseIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rapport.db")
	openClose(t, path)
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), path)
	wantDamage(t, err, "is empty (0 bytes), but "+UsedMarker(path))
	if st, _ := os.Stat(path); st.Size() != 0 {
		t.Errorf("the refused file was written to: %d bytes", st.Size())
	}

	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	_, err = Open(context.Background(), path)
	wantDamage(t, err, "is missing")
}

// A zero-byte file with no sign of use is a new database (`touch`).
func TestNewEmptyFileIsAccepted(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rapport.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	openClose(t, path)
	if _, err := os.Stat(UsedMarker(path)); err != nil {
		t.Errorf("no used marker after the first open: %v", err)
	}
}

// A database emptied while its write-ahead log still holds commits (the
// marker lost too) is refused as well.
func TestEmptyDatabaseWithLogIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "rapport.db")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path+"-wal", []byte("frames"), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := Open(context.Background(), path)
	wantDamage(t, err, "is empty")
}

// corruptTable writes garbage over the root page of table in the
// (closed) database at path.
func corruptTable(t *testing.T, path, table string) {
	t.Helper()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	var root int64
	if err := s.w.Get(&root, "SELECT rootpage FROM sqlite_schema WHERE name = ?", table); err != nil {
		t.Fatal(err)
	}
	s.Close()
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	head := make([]byte, 18)
	if _, err := f.ReadAt(head, 0); err != nil {
		t.Fatal(err)
	}
	size := int64(binary.BigEndian.Uint16(head[16:]))
	garbage := []byte(strings.Repeat("\xde\xad\xbe\xef", int(size)/4))
	if _, err := f.WriteAt(garbage, (root-1)*size); err != nil {
		t.Fatal(err)
	}
}

func TestQuickCheckFindsADamagedPage(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rapport.db")
	openClose(t, path)
	corruptTable(t, path, "contacts")
	s, err := Open(ctx, path) // migrations read only the header
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	wantDamage(t, s.QuickCheck(ctx), "is damaged")
	wantDamage(t, s.IntegrityCheck(ctx), "is damaged")
}

func TestPingFailsOnAFileReplacedUnderIt(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rapport.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Ping(ctx); err != nil {
		t.Fatalf("ping on a good database: %v", err)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteAt([]byte("not a database!!"), 0); err != nil {
		t.Fatal(err)
	}
	f.Close()
	wantDamage(t, s.Ping(ctx), "is damaged")
}

// The database, its -wal and -shm, and backups are private to their
// owner under the usual umask, and a database left open to all is
// closed to them on open.
func TestDatabaseFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "rapport.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeAndRead(ctx, s); err != nil {
		t.Fatal(err)
	}
	backup := filepath.Join(dir, "backup.db")
	if err := s.Backup(ctx, backup); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm", UsedMarker(path), backup} {
		wantMode(t, p, 0o600)
	}
	s.Close()

	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	openClose(t, path)
	wantMode(t, path, 0o600)
}

// writeAndRead writes and reads, so both -wal and -shm exist.
func writeAndRead(ctx context.Context, s *Store) error {
	if _, err := s.SetSettingIfAbsent(ctx, "k", "v"); err != nil {
		return err
	}
	_, err := s.Setting(ctx, "k")
	return err
}

func wantMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != want {
		t.Errorf("%s: mode %#o, want %#o", filepath.Base(path), got, want)
	}
}

func TestCheckFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "rapport.db")
	if err := CheckFile(ctx, path); !errors.Is(err, ErrNoDatabase) {
		t.Fatalf("no database: %v, want ErrNoDatabase", err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Fatal("CheckFile created the database")
	}
	openClose(t, path)
	if err := CheckFile(ctx, path); err != nil {
		t.Fatalf("a good database: %v", err)
	}
	corruptTable(t, path, "contacts")
	wantDamage(t, CheckFile(ctx, path), "is damaged")
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	wantDamage(t, CheckFile(ctx, path), "is empty")
}
