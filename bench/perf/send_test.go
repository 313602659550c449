package perf

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wneessen/go-mail"

	"github.com/rapportapp/rapport/internal/testsrv/mailpit"
)

// sendRounds is how many times each way of sending runs.
const sendRounds = 5

// sendWithRapport puts back the queue saved in queued, points ws at a
// fresh Mailpit and times `rapport run --once` sending the n emails.
func sendWithRapport(tb testing.TB, ws *Workspace, queued string, n int) time.Duration {
	tb.Helper()
	srv := mailpit.Start(tb)
	if err := ws.Configure(Settings{SMTPPort: srv.SMTPPort}); err != nil {
		tb.Fatal(err)
	}
	if err := copyFile(queued, ws.DB()); err != nil {
		tb.Fatal(err)
	}
	took := runOnce(tb, ws, busy)
	srv.WaitCount(tb, n, time.Minute)
	return took
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
	r, err := ws.Rapport(context.Background(), now, "run", "--once")
	if err != nil || r.ExitCode != 0 {
		tb.Fatalf("rapport run --once: %v, exit %d\n%s", err, r.ExitCode, tail(r.Stderr))
	}
	return r.Wall
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
// long it took, dial to quit.
func plainLoop(tb testing.TB, srv *mailpit.Server, msgs []*mail.Msg) time.Duration {
	tb.Helper()
	c, err := mail.NewClient(srv.SMTPHost, mail.WithPort(srv.SMTPPort), mail.WithTLSPolicy(mail.NoTLS))
	if err != nil {
		tb.Fatal(err)
	}
	start := time.Now()
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
	took := time.Since(start)
	srv.WaitCount(tb, len(msgs), time.Minute)
	return took
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
