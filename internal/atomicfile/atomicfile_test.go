package atomicfile

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.json")
	for _, content := range []string{"first\n", "second, longer\n"} { // the second replaces the first
		if err := Write(path, 0o640, strings.NewReader(content)); err != nil {
			t.Fatal(err)
		}
		if got, err := os.ReadFile(path); err != nil || string(got) != content {
			t.Fatalf("file holds %q, %v; want %q", got, err, content)
		}
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if perm := info.Mode().Perm(); perm != 0o640 {
		t.Errorf("mode = %o, want 640", perm)
	}
	assertOnly(t, dir, "a.json")
}

// failingWriter writes half its content, then fails, as a full disk does.
type failingWriter struct{}

func (failingWriter) WriteTo(w io.Writer) (int64, error) {
	n, _ := w.Write([]byte("half of it"))
	return int64(n), errors.New("disk full")
}

func TestWriteFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.eml")
	if err := Write(path, 0o600, strings.NewReader("the whole message")); err != nil {
		t.Fatal(err)
	}
	err := Write(path, 0o600, failingWriter{})
	if err == nil || !strings.Contains(err.Error(), "disk full") || !strings.Contains(err.Error(), path) {
		t.Fatalf("err = %v, want the writer's error with the path", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "the whole message" {
		t.Errorf("a failed write changed the file to %q", got)
	}
	assertOnly(t, dir, "a.eml")
}

func TestWriteIntoMissingFolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gone", "a.eml")
	if err := Write(path, 0o600, strings.NewReader("x")); err == nil {
		t.Fatal("Write into a missing folder succeeded")
	}
}

func TestExists(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a")
	if ok, err := Exists(path); ok || err != nil {
		t.Fatalf("before Write: %v, %v", ok, err)
	}
	if err := Write(path, 0o600, bytes.NewReader(nil)); err != nil {
		t.Fatal(err)
	}
	if ok, err := Exists(path); !ok || err != nil {
		t.Fatalf("after Write: %v, %v", ok, err)
	}
	// A path through a file cannot be checked: an error, not "no".
	if ok, err := Exists(filepath.Join(path, "b")); ok || err == nil {
		t.Errorf("path under a file: %v, %v; want an error", ok, err)
	}
}

// assertOnly fails unless dir holds exactly name: no temporary file left.
func assertOnly(t *testing.T, dir, name string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if len(names) != 1 || names[0] != name {
		t.Errorf("folder holds %q, want only %q", names, name)
	}
}
