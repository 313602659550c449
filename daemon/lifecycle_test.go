package main

// Lifecycle tests run the real rapport binary as a child process, the way
// systemd does: READY over NOTIFY_SOCKET, SIGHUP reloads (refusing a broken
// set), SIGTERM stops cleanly.

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/testsrv/syncbuf"
)

var (
	binOnce sync.Once
	binPath string
	binErr  error
)

// rapportBinary builds the rapport binary once per test run.
func rapportBinary(t *testing.T) string {
	t.Helper()
	binOnce.Do(func() {
		dir, err := os.MkdirTemp("", "rapport-bin-")
		if err != nil {
			binErr = err
			return
		}
		binPath = filepath.Join(dir, "rapport")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			binErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if binErr != nil {
		t.Fatal(binErr)
	}
	return binPath
}

// notifySocket listens where the daemon sends sd_notify states.
type notifySocket struct {
	path   string
	conn   *net.UnixConn
	states chan string
}

func listenNotify(t *testing.T) *notifySocket {
	t.Helper()
	path := filepath.Join(t.TempDir(), "notify.sock")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	n := &notifySocket{path: path, conn: conn, states: make(chan string, 64)}
	go func() {
		buf := make([]byte, 4096)
		for {
			k, err := conn.Read(buf)
			if err != nil {
				close(n.states)
				return
			}
			for _, line := range strings.Split(string(buf[:k]), "\n") {
				n.states <- line
			}
		}
	}()
	t.Cleanup(func() { conn.Close() })
	return n
}

// await waits for a state such as READY=1.
func (n *notifySocket) await(t *testing.T, state string) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		select {
		case s, ok := <-n.states:
			if !ok {
				t.Fatalf("notify socket closed before %s", state)
			}
			if s == state {
				return
			}
		case <-deadline:
			t.Fatalf("no %s from the daemon within 20s", state)
		}
	}
}

// daemonProc is a running `rapport run`.
type daemonProc struct {
	cmd  *exec.Cmd
	log  *syncbuf.Buffer
	done chan error
}

func startBinary(t *testing.T, w *workspace, notify string) *daemonProc {
	t.Helper()
	cmd := exec.Command(rapportBinary(t), "-c", w.config, "run")
	cmd.Env = append(os.Environ(), "NOTIFY_SOCKET="+notify)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &daemonProc{cmd: cmd, log: &syncbuf.Buffer{}, done: make(chan error, 1)}
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			fmt.Fprintln(p.log, sc.Text())
		}
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
		}
	})
	return p
}

// waitFor polls until cond holds or fails the test after 20 s.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestDaemonReadyReloadAndStop(t *testing.T) {
	w := newWorkspace(t)
	addr := freeAddr(t)
	w.setConfig(t, `listen = "127.0.0.1:8080"`, fmt.Sprintf("listen = %q", addr))
	// Customers with no earlier orders, so nothing else competes for their day.
	w.write(t, "new.csv", "First Name,Email,Mobile Phone,Time Zone\nMarcus,marcus.reed@example.com,,America/New_York\nPriya,priya.shah@example.com,,America/Los_Angeles\n")
	w.mustRun(t, "import", w.path("new.csv"))
	today := time.Now().AddDate(0, 0, -1).Format("2006-01-02") // yesterday: the policy sheets are due now in every zone
	w.mustRun(t, "order", "add", "--contact", "marcus.reed@example.com", "--date", today, "--invoice", "A1")

	n := listenNotify(t)
	d := startBinary(t, w, n.path)
	// Until READY it keeps asking for time (a database upgrade can be long).
	n.await(t, "EXTEND_TIMEOUT_USEC=30000000")
	n.await(t, "READY=1")
	if resp, err := http.Get("http://" + addr + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz after READY: %v %v", resp, err)
	}
	d.waitFor(t, "the first policy sheet", func() bool { return countOutbox(w, "policy-sheet") == 1 })

	// A broken campaign is refused; the daemon keeps running on the old set.
	// (The order is recorded first: every command refuses a broken set.)
	w.mustRun(t, "order", "add", "--contact", "priya.shah@example.com", "--date", today, "--invoice", "B2")
	good := w.read(t, "campaigns/post-order.toml")
	w.write(t, "campaigns/post-order.toml", strings.Replace(good, `channel = "email"`, `chanel = "email"`, 1))
	d.cmd.Process.Signal(syscall.SIGHUP)
	n.await(t, "READY=1")
	waitFor(t, "the refused reload in the log", func() bool { return strings.Contains(d.log.String(), "reload refused") })
	if !strings.Contains(d.log.String(), `unknown key \"chanel\"`) && !strings.Contains(d.log.String(), `unknown key "chanel"`) {
		t.Errorf("the log does not name the problem:\n%s", d.log.String())
	}
	if resp, err := http.Get("http://" + addr + "/healthz"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("healthz after a refused reload: %v %v", resp, err)
	}

	// Fixed and reloaded: the reload wakes the dispatcher, which sends the
	// second order's policy sheet.
	w.write(t, "campaigns/post-order.toml", good)
	d.cmd.Process.Signal(syscall.SIGHUP)
	n.await(t, "READY=1")
	d.waitFor(t, "the second policy sheet", func() bool { return countOutbox(w, "policy-sheet") == 2 })

	// SIGTERM: STOPPING=1, then a clean exit within a few seconds.
	d.cmd.Process.Signal(syscall.SIGTERM)
	n.await(t, "STOPPING=1")
	select {
	case err := <-d.done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, d.log.String())
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("still running 10 s after SIGTERM\n%s", d.log.String())
	}
	if !strings.Contains(d.log.String(), "stopped") {
		t.Errorf("no 'stopped' line in the log:\n%s", d.log.String())
	}
}

func TestSecondDaemonOnSameDatabaseIsRefused(t *testing.T) {
	w := newWorkspace(t)
	w.setConfig(t, `listen = "127.0.0.1:8080"`, fmt.Sprintf("listen = %q", freeAddr(t)))
	n := listenNotify(t)
	d := startBinary(t, w, n.path)
	n.await(t, "READY=1")
	_, stderr, code := w.run(t, "run", "--once")
	if code == exitOK || !strings.Contains(stderr, "another `rapport run`") {
		t.Fatalf("second dispatcher on one database: exit %d, stderr %q", code, stderr)
	}
	d.cmd.Process.Signal(syscall.SIGTERM)
	<-d.done
}

// waitFor is waitFor with the daemon's log in the failure message.
func (d *daemonProc) waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s; daemon log:\n%s", what, d.log.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func countOutbox(w *workspace, step string) int {
	files, _ := filepath.Glob(filepath.Join(w.dir, "outbox", "*-"+step+".eml"))
	return len(files)
}
