package perf

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Targets for the daemon.
const (
	maxReady     = 200 * time.Millisecond
	maxDaemonRSS = 60e6
	readyTimeout = 10 * time.Minute // a first start may have a whole queue to reconcile
	idleWatch    = 3 * time.Second
	sendingWatch = 10 * time.Second
	sampleEvery  = 100 * time.Millisecond
	steadyStarts = 3
)

// newDaemon makes a workspace with a copy of im's database, sending email
// to 127.0.0.1:smtpPort, and a notify socket.
func newDaemon(tb testing.TB, im *imported, smtpPort int) *daemon {
	tb.Helper()
	dir := env.dir(tb, "daemon")
	ws, err := NewWorkspace(context.Background(), env.rapport(tb), filepath.Join(dir, "rapport"), Settings{SMTPPort: smtpPort})
	if err != nil {
		tb.Fatal(err)
	}
	if err := CopyDB(im.ws, ws); err != nil {
		tb.Fatal(err)
	}
	d := &daemon{ws: ws, log: filepath.Join(dir, "daemon.log")}
	if d.sock, err = ListenNotify(dir); err != nil {
		tb.Fatal(err)
	}
	return d
}

// medianStart starts and stops the daemon steadyStarts times and returns
// the median time to READY=1.
func (d *daemon) medianStart(tb testing.TB) time.Duration {
	tb.Helper()
	var starts []time.Duration
	for range steadyStarts {
		t, _ := d.run(tb, quiet, 0)
		starts = append(starts, t)
	}
	return middle(starts)
}

// daemon starts and stops `rapport run` in a workspace.
type daemon struct {
	ws   *Workspace
	sock *NotifySocket
	log  string
}

// run starts the daemon at now, waits for READY=1, watches its memory for
// watch and stops it. It returns how long READY=1 took and the peak
// resident memory.
func (d *daemon) run(tb testing.TB, now string, watch time.Duration) (time.Duration, int64) {
	tb.Helper()
	log, err := os.OpenFile(d.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		tb.Fatal(err)
	}
	defer log.Close()
	start := time.Now()
	cmd, err := d.ws.Start(now, []string{"NOTIFY_SOCKET=" + d.sock.Path}, log)
	if err != nil {
		tb.Fatal(err)
	}
	at, err := d.sock.Wait("READY=1", readyTimeout)
	if err != nil {
		cmd.Process.Kill()
		cmd.Wait()
		tb.Fatalf("rapport run: %v\n%s", err, readTail(d.log))
	}
	peak := watchMemory(tb, cmd, watch)
	if err := Stop(cmd); err != nil {
		tb.Fatalf("rapport run did not stop cleanly: %v\n%s", err, readTail(d.log))
	}
	return at.Sub(start), peak
}

// watchMemory samples a process's resident memory for d and returns the
// peak the kernel recorded.
func watchMemory(tb testing.TB, cmd *exec.Cmd, d time.Duration) int64 {
	tb.Helper()
	end := time.Now().Add(d)
	var peak int64
	for {
		_, hwm, err := Memory(cmd.Process.Pid)
		if err != nil {
			tb.Fatalf("read the daemon's memory: %v", err)
		}
		peak = max(peak, hwm)
		if time.Now().After(end) {
			return peak
		}
		time.Sleep(sampleEvery)
	}
}
