package sdnotify

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/testsrv/needtool"
)

// listen opens a unixgram socket like systemd's notify socket and points
// $NOTIFY_SOCKET at it.
func listen(t *testing.T, addr string) *net.UnixConn {
	t.Helper()
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: addr, Net: "unixgram"})
	if err != nil {
		t.Fatalf("listen on %s: %v", addr, err)
	}
	t.Cleanup(func() { conn.Close() })
	t.Setenv("NOTIFY_SOCKET", addr)
	return conn
}

func receive(t *testing.T, conn *net.UnixConn) string {
	t.Helper()
	if err := conn.SetReadDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 4096)
	n, err := conn.Read(buf)
	if err != nil {
		t.Fatalf("read notification: %v", err)
	}
	return string(buf[:n])
}

func TestNotifySends(t *testing.T) {
	tests := []struct {
		name string
		send func() error
		want string
	}{
		{"ready", Ready, "READY=1"},
		{"stopping", Stopping, "STOPPING=1"},
		{"watchdog", Watchdog, "WATCHDOG=1"},
		{"raw", func() error { return Notify("EXTEND_TIMEOUT_USEC=1000") }, "EXTEND_TIMEOUT_USEC=1000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := listen(t, filepath.Join(t.TempDir(), "notify.sock"))
			if err := tt.send(); err != nil {
				t.Fatal(err)
			}
			if got := receive(t, conn); got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestReloadingSendsMonotonicTime(t *testing.T) {
	conn := listen(t, filepath.Join(t.TempDir(), "notify.sock"))
	if err := Reloading(); err != nil {
		t.Fatal(err)
	}
	got := receive(t, conn)
	first, second, ok := strings.Cut(got, "\n")
	if !ok || first != "RELOADING=1" || !strings.HasPrefix(second, "MONOTONIC_USEC=") {
		t.Fatalf("got %q, want RELOADING=1 then MONOTONIC_USEC=...", got)
	}
	if usec, err := strconv.ParseInt(strings.TrimPrefix(second, "MONOTONIC_USEC="), 10, 64); err != nil || usec <= 0 {
		t.Errorf("MONOTONIC_USEC = %q, want a positive number", second)
	}
}

func TestNotifyAbstractSocket(t *testing.T) {
	conn := listen(t, fmt.Sprintf("@rapport-sdnotify-test-%d", os.Getpid()))
	if err := Ready(); err != nil {
		t.Fatal(err)
	}
	if got := receive(t, conn); got != "READY=1" {
		t.Errorf("got %q, want READY=1", got)
	}
}

func TestNotifyOutsideSystemd(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	if err := Ready(); err != nil {
		t.Errorf("Ready without NOTIFY_SOCKET = %v, want nil", err)
	}
}

func TestNotifyErrors(t *testing.T) {
	for _, addr := range []string{
		"vsock:2:1234", // systemd 254's VM sockets: not spoken here
		filepath.Join(t.TempDir(), "nobody-listens.sock"),
	} {
		t.Setenv("NOTIFY_SOCKET", addr)
		if err := Ready(); err == nil || !strings.Contains(err.Error(), "sd_notify") {
			t.Errorf("NOTIFY_SOCKET=%s: error %v, want an sd_notify error", addr, err)
		}
	}
}

func TestWatchdogInterval(t *testing.T) {
	self := strconv.Itoa(os.Getpid())
	tests := []struct {
		usec, pid string
		want      time.Duration
		ok        bool
	}{
		{"30000000", "", 30 * time.Second, true},
		{"30000000", self, 30 * time.Second, true},
		{"30000000", "1", 0, false}, // meant for another process
		{"", "", 0, false},
		{"0", "", 0, false},
		{"soon", "", 0, false},
	}
	for _, tt := range tests {
		t.Setenv("WATCHDOG_USEC", tt.usec)
		t.Setenv("WATCHDOG_PID", tt.pid)
		got, ok := WatchdogInterval()
		if got != tt.want || ok != tt.ok {
			t.Errorf("WATCHDOG_USEC=%q WATCHDOG_PID=%q: got %v, %v; want %v, %v", tt.usec, tt.pid, got, ok, tt.want, tt.ok)
		}
	}
}

// TestUnitSecurityScore keeps the shipped units hardened: systemd's own
// scoring must rate them 1.5 or better (lower is safer). It needs
// systemd-analyze (Debian package "systemd"), not a running systemd.
func TestUnitSecurityScore(t *testing.T) {
	analyze := needtool.Path(t, "apt-get install systemd", "systemd-analyze")
	if v := systemdVersion(t, analyze); v < 250 {
		t.Skipf("systemd-analyze %d too old: it scores unit files offline from version 250 (apt-get install systemd from a newer release)", v)
	}
	// A template is scored as one of its instances.
	instance := filepath.Join(t.TempDir(), "rapport@amy.service")
	copyFile(t, "../../systemd/rapport@.service", instance)
	for _, unit := range []string{"../../systemd/rapport.service", instance} {
		out, err := exec.Command(analyze, "security", "--offline=true", "--threshold=15", "--no-pager", unit).CombinedOutput()
		if err != nil {
			t.Errorf("%s scores worse than 1.5 (%v):\n%s", filepath.Base(unit), err, exposure(out))
		} else {
			t.Logf("%s: %s", filepath.Base(unit), exposure(out))
		}
	}
}

// systemdVersion reads the NNN of "systemd NNN (...)".
func systemdVersion(t *testing.T, analyze string) int {
	t.Helper()
	out, err := exec.Command(analyze, "--version").Output()
	if err != nil {
		t.Fatalf("systemd-analyze --version: %v", err)
	}
	fields := strings.Fields(string(out))
	if len(fields) < 2 {
		t.Fatalf("systemd-analyze --version printed %q", out)
	}
	v, err := strconv.Atoi(fields[1])
	if err != nil {
		t.Fatalf("systemd-analyze --version printed %q", out)
	}
	return v
}

func exposure(out []byte) string {
	for line := range strings.Lines(string(out)) {
		if strings.Contains(line, "Overall exposure level") {
			return strings.TrimSpace(line)
		}
	}
	return string(out)
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestKeepStartingExtendsUntilStopped(t *testing.T) {
	conn := listen(t, filepath.Join(t.TempDir(), "notify.sock"))
	stop := KeepStarting("upgrading the database", 20*time.Millisecond)
	for range 3 {
		if got := receive(t, conn); got != "EXTEND_TIMEOUT_USEC=60000\nSTATUS=upgrading the database" {
			t.Fatalf("got %q, want a 60 ms extension with the status", got)
		}
	}
	stop()
	// What was sent before stop returned may still wait in the socket.
	buf := make([]byte, 4096)
	for {
		if err := conn.SetReadDeadline(time.Now().Add(time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Read(buf); err != nil {
			break
		}
	}
	if err := conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	if n, err := conn.Read(buf); err == nil {
		t.Errorf("still extending after stop: %q", buf[:n])
	}
}

func TestKeepStartingOutsideSystemd(t *testing.T) {
	t.Setenv("NOTIFY_SOCKET", "")
	KeepStarting("upgrading", time.Millisecond)() // returns at once, nothing to stop
}
