package perf

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/rapportapp/rapport/internal/testsrv/mailpit"
)

// sendWithRapport puts back the queue saved in queued, points ws at a
// fresh Mailpit and times `rapport run --once` sending the n emails: its
// wall time and its CPU time (user + system). With -send-cpuprofile the
// daemon writes a CPU profile there (each turn replaces the last).
func sendWithRapport(tb testing.TB, ws *Workspace, queued string, n int) Run {
	tb.Helper()
	srv := mailpit.Start(tb)
	if err := ws.Configure(Settings{SMTPPort: srv.SMTPPort}); err != nil {
		tb.Fatal(err)
	}
	if err := copyFile(queued, ws.DB()); err != nil {
		tb.Fatal(err)
	}
	var env []string
	if *sendProfileFlag != "" {
		env = []string{"RAPPORT_CPUPROFILE=" + *sendProfileFlag}
	}
	r := runOnceEnv(tb, ws, busy, env)
	srv.WaitCount(tb, n, time.Minute)
	return r
}

// snapshot copies a workspace's (closed) database aside and returns the copy's path.
func snapshot(tb testing.TB, ws *Workspace) string {
	tb.Helper()
	path := ws.DB() + ".queued"
	if err := copyFile(ws.DB(), path); err != nil {
		tb.Fatal(err)
	}
	return path
}

// importInto makes a workspace in dir and imports csv into it (untimed).
func importInto(tb testing.TB, dir string, s Settings, csv string) *Workspace {
	tb.Helper()
	ctx := context.Background()
	ws, err := NewWorkspace(ctx, env.rapport(tb), dir, s)
	if err != nil {
		tb.Fatal(err)
	}
	r, err := ws.Rapport(ctx, importNow, "import", csv)
	if err != nil || r.ExitCode != 0 {
		tb.Fatalf("rapport import: %v, exit %d\n%s%s", err, r.ExitCode, r.Stdout, r.Stderr)
	}
	return ws
}

// runOnce runs `rapport run --once` at now and returns how long it took.
func runOnce(tb testing.TB, ws *Workspace, now string) time.Duration {
	tb.Helper()
	return runOnceEnv(tb, ws, now, nil).Wall
}

// runOnceEnv runs `rapport run --once` at now with the extra environment
// variables env.
func runOnceEnv(tb testing.TB, ws *Workspace, now string, env []string) Run {
	tb.Helper()
	r, err := ws.RapportEnv(context.Background(), env, now, "run", "--once")
	if err != nil || r.ExitCode != 0 {
		tb.Fatalf("rapport run --once: %v, exit %d\n%s", err, r.ExitCode, tail(r.Stderr))
	}
	return r
}

// loadOutbox reads the n emails an outbox holds.
func loadOutbox(tb testing.TB, dir string, n int) []*mail.Msg {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil || len(files) != n {
		tb.Fatalf("outbox %s holds %d emails, want %d (%v)", dir, len(files), n, err)
	}
	msgs := make([]*mail.Msg, len(files))
	for i, f := range files {
		if msgs[i], err = mail.EMLToMsgFromFile(f); err != nil {
			tb.Fatal(err)
		}
	}
	return msgs
}

// plainLoop sends msgs with go-mail over one connection and returns how
// long it took, dial to quit, and the CPU time this process spent on it
// (Mailpit runs in its own process; nothing else runs here meanwhile).
func plainLoop(tb testing.TB, srv *mailpit.Server, msgs []*mail.Msg) Run {
	tb.Helper()
	c, err := mail.NewClient(srv.SMTPHost, mail.WithPort(srv.SMTPPort), mail.WithTLSPolicy(mail.NoTLS))
	if err != nil {
		tb.Fatal(err)
	}
	cpu, start := selfCPU(tb), time.Now()
	if err := c.DialWithContext(context.Background()); err != nil {
		tb.Fatal(err)
	}
	for _, m := range msgs {
		if err := c.Send(m); err != nil {
			tb.Fatal(err)
		}
	}
	if err := c.Close(); err != nil {
		tb.Fatal(err)
	}
	r := Run{Wall: time.Since(start), CPU: selfCPU(tb) - cpu}
	srv.WaitCount(tb, len(msgs), time.Minute)
	return r
}

// selfCPU is the CPU time (user + system) this process has used so far.
func selfCPU(tb testing.TB) time.Duration {
	tb.Helper()
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// tail is the end of a log, for a failure message.
func tail(log string) string {
	lines := strings.Split(strings.TrimSpace(log), "\n")
	return strings.Join(lines[max(0, len(lines)-20):], "\n")
}

// readTail reads the end of a log file.
func readTail(path string) string {
	b, _ := os.ReadFile(path)
	return tail(string(b))
}
