package perf

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"text/template"
	"time"
	_ "time/tzdata" // At needs America/Chicago wherever the suite runs
)

// Zone is the rep's time zone in every workspace; contacts without one
// of their own get it.
const Zone = "America/Chicago"

// At is a moment on the day d after Today (d may be negative), local time
// in Zone, as --now takes it.
func At(d int, hhmm string) string {
	loc, err := time.LoadLocation(Zone)
	if err != nil {
		panic(err) // cannot happen: time/tzdata is linked in
	}
	day := Today.AddDate(0, 0, d)
	t, err := time.ParseInLocation("2006-01-02 15:04", day.Format(time.DateOnly)+" "+hhmm, loc)
	if err != nil {
		panic(err)
	}
	return t.Format(time.RFC3339)
}

// Settings are what a benchmark changes in a workspace's config.toml.
// Zero values give the outbox transports.
type Settings struct {
	SMTPPort  int     // send email to 127.0.0.1:SMTPPort, at up to a million a minute (no limit that matters)
	TwilioURL string  // send texts to this Twilio stand-in...
	SID       string  // ...with this account
	Token     string  //
	TextRate  float64 // texts per second (default 1)
	Listen    string  // [http] listen (default 127.0.0.1:0)
	IMAPPort  int     // read replies from 127.0.0.1:IMAPPort (plain, IMAPUser/IMAPPassword)
}

// The account the benchmarks' IMAP server holds.
const (
	IMAPUser     = "amy@example.com"
	IMAPPassword = "bench-imap-password"
)

var configTemplate = template.Must(template.New("config").Parse(`# Written by bench/perf.
[rep]
name = "Amy Kline"
email = "amy@example.com"
phone = "+13125550100"
postal_address = "123 Main St, Springfield, IL 62701"
country = "US"
timezone = "` + Zone + `"

[database]
path = "rapport.db"

[sending]
at = "10:00"
allowed_hours = "08:00-20:00"

[email]
from = "Amy Kline <amy@example.com>"
{{if .SMTPPort}}transport = "smtp"

[email.smtp]
host = "127.0.0.1"
port = {{.SMTPPort}}
tls = "none"
rate = 1000000
{{else}}transport = "outbox"
{{end}}
[sms]
rate = {{if .TextRate}}{{.TextRate}}{{else}}1{{end}}
{{if .TwilioURL}}transport = "twilio"

[sms.twilio]
account_sid = "{{.SID}}"
auth_token = "{{.Token}}"
from = "+13125550100"
api_base_url = "{{.TwilioURL}}"
{{else}}transport = "outbox"
{{end}}
[outbox]
dir = "outbox"

[http]
listen = "{{if .Listen}}{{.Listen}}{{else}}127.0.0.1:0{{end}}"
public_url = "https://rapport.example.com"
secret = "bench-perf-secret-0123456789abcdef0123"

[notify]
email = "amy@example.com"
digest_at = "07:30"
{{if .IMAPPort}}
[imap]
host = "127.0.0.1"
port = {{.IMAPPort}}
tls = "none"
username = "` + IMAPUser + `"
password = "` + IMAPPassword + `"
mailbox = "INBOX"
{{end}}`))

// Workspace is a folder made by `rapport init` (the starter campaigns and
// templates), with its own config.toml.
type Workspace struct {
	Dir string
	bin string
}

// NewWorkspace runs `rapport init` in dir and writes its config.
func NewWorkspace(ctx context.Context, bin, dir string, s Settings) (*Workspace, error) {
	w := &Workspace{Dir: dir, bin: bin}
	if r, err := Command(ctx, nil, nil, bin, "init", dir); err != nil || r.ExitCode != 0 {
		return nil, fmt.Errorf("rapport init %s: %v %s", dir, err, r.Stderr)
	}
	return w, w.Configure(s)
}

// Configure rewrites config.toml.
func (w *Workspace) Configure(s Settings) error {
	var b bytes.Buffer
	if err := configTemplate.Execute(&b, s); err != nil {
		return err
	}
	return os.WriteFile(w.Config(), b.Bytes(), 0o600)
}

// Config is the path of config.toml.
func (w *Workspace) Config() string { return filepath.Join(w.Dir, "config.toml") }

// DB is the path of the database.
func (w *Workspace) DB() string { return filepath.Join(w.Dir, "rapport.db") }

// Outbox is the folder the outbox transports write to.
func (w *Workspace) Outbox() string { return filepath.Join(w.Dir, "outbox") }

// Rapport runs `rapport -c CONFIG --now NOW ARGS...` to the end.
func (w *Workspace) Rapport(ctx context.Context, now string, args ...string) (Run, error) {
	return w.RapportEnv(ctx, nil, now, args...)
}

// RapportEnv is Rapport with the extra environment variables env (such as
// GOMAXPROCS=4).
func (w *Workspace) RapportEnv(ctx context.Context, env []string, now string, args ...string) (Run, error) {
	return Command(ctx, nil, env, w.bin, append([]string{"-c", w.Config(), "--now", now}, args...)...)
}

// Start starts `rapport -c CONFIG --now NOW run` with env added, its log
// going to log. Stop it with Stop.
func (w *Workspace) Start(now string, env []string, log io.Writer) (*exec.Cmd, error) {
	cmd := exec.Command(w.bin, "-c", w.Config(), "--now", now, "run")
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start rapport run: %w", err)
	}
	return cmd, nil
}

// Stop asks a daemon to stop (SIGTERM, as systemd does) and waits for it.
func Stop(cmd *exec.Cmd) error {
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	return cmd.Wait()
}

// CopyDB copies a workspace's database (closed: no -wal left) to dst's.
func CopyDB(src, dst *Workspace) error { return copyFile(src.DB(), dst.DB()) }

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}
