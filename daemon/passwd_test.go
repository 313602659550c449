package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/rapportapp/rapport/internal/dashboard"
	"github.com/rapportapp/rapport/internal/store"
	"golang.org/x/crypto/bcrypt"
)

// storedPassword reads the dashboard password hash from the workspace's
// database ("" when none is set).
func (w *workspace) storedPassword(t *testing.T) string {
	t.Helper()
	h, err := w.openStore(t).Setting(context.Background(), dashboard.PasswordSetting)
	if store.IsNotFound(err) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestPasswdSetsABcryptHashFromStdin(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	w.stdin = "lavender fields forever\n"
	out := w.mustRun(t, "passwd")
	if want := "dashboard password set; sign in at https://rapport.example.com/dashboard/\n"; out != want {
		t.Errorf("stdout = %q, want %q", out, want)
	}
	h := w.storedPassword(t)
	if !strings.HasPrefix(h, "$2") {
		t.Fatalf("stored %q: not a bcrypt hash", h)
	}
	if strings.Contains(h, "lavender") {
		t.Fatal("the password itself is stored")
	}
	if err := bcrypt.CompareHashAndPassword([]byte(h), []byte("lavender fields forever")); err != nil {
		t.Errorf("stored hash does not match the password: %v", err)
	}
	if err := bcrypt.CompareHashAndPassword([]byte(h), []byte("lavender fields forever\n")); err == nil {
		t.Error("the line ending became part of the password")
	}

	// A second run replaces it.
	w.stdin = "peppermint and eucalyptus\r\n"
	w.mustRun(t, "passwd")
	h2 := w.storedPassword(t)
	if bcrypt.CompareHashAndPassword([]byte(h2), []byte("peppermint and eucalyptus")) != nil {
		t.Error("new password does not match after a second passwd")
	}
	if bcrypt.CompareHashAndPassword([]byte(h2), []byte("lavender fields forever")) == nil {
		t.Error("old password still matches")
	}
}

func TestPasswdRefusesBadInput(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	for _, tt := range []struct{ stdin, want string }{
		{"short\n", "at least 10 characters"},
		{"ninechars\n", "at least 10 characters"},
		{"", "no password on stdin"},
		{"\n", "no password on stdin"},
		{strings.Repeat("x", 73) + "\n", "too long"},
	} {
		w.stdin = tt.stdin
		out, errOut, code := w.run(t, "passwd")
		if code != exitInvalid {
			t.Errorf("stdin %q: exit %d, want %d\nstdout: %s\nstderr: %s", tt.stdin, code, exitInvalid, out, errOut)
		}
		if !strings.Contains(errOut, tt.want) {
			t.Errorf("stdin %q: stderr %q does not say %q", tt.stdin, errOut, tt.want)
		}
	}
	if h := w.storedPassword(t); h != "" {
		t.Errorf("a refused password was stored: %q", h)
	}
	// No password on the command line, ever.
	w.stdin = "lavender fields forever\n"
	if _, _, code := w.run(t, "passwd", "lavender fields forever"); code != exitInvalid {
		t.Errorf("passwd with an argument: exit %d, want %d", code, exitInvalid)
	}
}

// openPTY opens a pseudo-terminal and returns its two ends: what the test
// types into, and the terminal the command reads. Linux only (the ioctl
// numbers are those of amd64 and arm64).
func openPTY(t *testing.T) (keyboard, tty *os.File) {
	t.Helper()
	if runtime.GOOS != "linux" || (runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64") {
		t.Skip("pseudo-terminal test runs on Linux amd64/arm64")
	}
	const tiocgptn, tiocsptlck = 0x80045430, 0x40045431
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	t.Cleanup(func() { m.Close() })
	var n uint32
	var unlock int32
	for _, c := range []struct {
		req uintptr
		arg unsafe.Pointer
	}{{tiocsptlck, unsafe.Pointer(&unlock)}, {tiocgptn, unsafe.Pointer(&n)}} {
		if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, m.Fd(), c.req, uintptr(c.arg)); e != 0 {
			t.Fatalf("ioctl %#x: %v", c.req, e)
		}
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return m, s
}

// runOnTerminal runs `rapport passwd` with stdin a terminal where typed
// has been typed.
func (w *workspace) runOnTerminal(t *testing.T, typed string) (stderr string, code int) {
	t.Helper()
	keyboard, tty := openPTY(t)
	if _, err := keyboard.WriteString(typed); err != nil {
		t.Fatal(err)
	}
	var o, e bytes.Buffer
	getenv := func(k string) string { return w.env[k] }
	code = run(context.Background(), []string{"-c", w.config, "passwd"}, stdio{in: tty, out: &o, err: &e}, getenv)
	return e.String(), code
}

func TestPasswdPromptsTwiceOnATerminal(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	errOut, code := w.runOnTerminal(t, "lavender fields forever\nlavender fields never\n")
	if code != exitInvalid || !strings.Contains(errOut, "the two passwords differ") {
		t.Errorf("different passwords: exit %d\n%s", code, errOut)
	}
	if strings.Contains(errOut, "lavender") {
		t.Errorf("the password was echoed:\n%s", errOut)
	}
	if h := w.storedPassword(t); h != "" {
		t.Fatal("a mistyped password was stored")
	}

	errOut, code = w.runOnTerminal(t, "short\n")
	if code != exitInvalid || !strings.Contains(errOut, "at least 10 characters") || strings.Contains(errOut, "again") {
		t.Errorf("short password: exit %d (want it refused before asking again)\n%s", code, errOut)
	}

	errOut, code = w.runOnTerminal(t, "lavender fields forever\nlavender fields forever\n")
	if code != exitOK || !strings.Contains(errOut, "New password: ") || !strings.Contains(errOut, "Same password again: ") {
		t.Fatalf("matching passwords: exit %d\n%s", code, errOut)
	}
	if bcrypt.CompareHashAndPassword([]byte(w.storedPassword(t)), []byte("lavender fields forever")) != nil {
		t.Error("stored hash does not match the password typed")
	}
}
