package main

// Shared helpers for the daemon tests: a workspace made by `rapport init`
// in a temp folder, the CLI run in-process against it, and readers for what
// the outbox transports wrote.

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/store"
)

// workspace is a folder laid out by `rapport init`, with its config.
type workspace struct {
	dir    string            // the folder holding config.toml
	config string            // path of config.toml
	env    map[string]string // what getenv returns for the CLI
	stdin  string            // fed to commands that read stdin
}

// newWorkspace runs `rapport init` in a fresh temp folder.
func newWorkspace(t testing.TB) *workspace {
	t.Helper()
	dir := t.TempDir()
	w := &workspace{dir: dir, config: filepath.Join(dir, "config.toml"), env: map[string]string{}}
	out, errOut, code := runCLI(t, w.env, "", "init", dir)
	if code != exitOK {
		t.Fatalf("rapport init %s: exit %d\nstdout:\n%s\nstderr:\n%s", dir, code, out, errOut)
	}
	return w
}

// runCLI runs the whole CLI in-process with args and returns its output.
func runCLI(t testing.TB, env map[string]string, stdin string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	var o, e bytes.Buffer
	getenv := func(k string) string { return env[k] }
	code = run(context.Background(), args, stdio{in: strings.NewReader(stdin), out: &o, err: &e}, getenv)
	return o.String(), e.String(), code
}

// run runs `rapport -c CONFIG ARGS...` in-process.
func (w *workspace) run(t testing.TB, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	return runCLI(t, w.env, w.stdin, append([]string{"-c", w.config}, args...)...)
}

// mustRun is run that fails the test unless the command exits 0.
func (w *workspace) mustRun(t testing.TB, args ...string) string {
	t.Helper()
	out, errOut, code := w.run(t, args...)
	if code != exitOK {
		t.Fatalf("rapport %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// runJSON runs a command (which must exit 0) and decodes its stdout into v.
func (w *workspace) runJSON(t testing.TB, v any, args ...string) {
	t.Helper()
	out := w.mustRun(t, args...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("rapport %s: stdout is not the JSON expected: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// at runs a command with the clock set by --now (RFC 3339).
func (w *workspace) at(t testing.TB, now time.Time, args ...string) string {
	t.Helper()
	return w.mustRun(t, append([]string{"--now", now.Format(time.RFC3339)}, args...)...)
}

// path is a file inside the workspace.
// openStore opens the workspace's database beside the CLI, closed when the
// test ends.
func (w *workspace) openStore(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), w.path("rapport.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func (w *workspace) path(rel string) string { return filepath.Join(w.dir, filepath.FromSlash(rel)) }

// read returns a workspace file's text.
func (w *workspace) read(t testing.TB, rel string) string {
	t.Helper()
	b, err := os.ReadFile(w.path(rel))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// write creates or replaces a workspace file (folders made as needed).
func (w *workspace) write(t testing.TB, rel, content string) {
	t.Helper()
	p := w.path(rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// replace edits a workspace file by replacing old (which must occur
// exactly once) with new.
func (w *workspace) replace(t testing.TB, rel, old, new string) {
	t.Helper()
	s := w.read(t, rel)
	if n := strings.Count(s, old); n != 1 {
		t.Fatalf("%s: %q occurs %d times, want exactly once", rel, old, n)
	}
	w.write(t, rel, strings.Replace(s, old, new, 1))
}

// setConfig replaces text in config.toml, e.g.
// w.setConfig(t, `max_texts_per_day = 3`, `max_texts_per_day = 2`).
func (w *workspace) setConfig(t testing.TB, old, new string) {
	t.Helper()
	w.replace(t, "config.toml", old, new)
}

// setKey sets `key = value` (value as TOML, quotes included) inside
// [section] of config.toml, replacing the key's line if the section has
// it, or adding the line right under the section header otherwise.
func (w *workspace) setKey(t testing.TB, section, key, value string) {
	t.Helper()
	lines := strings.Split(w.read(t, "config.toml"), "\n")
	start := -1
	for i, l := range lines {
		if strings.TrimSpace(l) == "["+section+"]" {
			start = i
			break
		}
	}
	if start < 0 {
		t.Fatalf("config.toml has no [%s] section", section)
	}
	line := key + " = " + value
	for i := start + 1; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if strings.HasPrefix(l, "[") {
			break
		}
		if k, _, ok := strings.Cut(l, "="); ok && strings.TrimSpace(k) == key {
			lines[i] = line
			w.write(t, "config.toml", strings.Join(lines, "\n"))
			return
		}
	}
	lines = append(lines[:start+1], append([]string{line}, lines[start+1:]...)...)
	w.write(t, "config.toml", strings.Join(lines, "\n"))
}

// appendConfig adds text (whole sections) at the end of config.toml.
func (w *workspace) appendConfig(t testing.TB, text string) {
	t.Helper()
	w.write(t, "config.toml", w.read(t, "config.toml")+"\n"+text+"\n")
}

// outboxFile is one file the outbox transports wrote, named
// "<queue id>-<campaign>-<step>.eml" or "...sms.json".
type outboxFile struct {
	Name    string
	Channel string // "email" or "sms"
	QueueID int64  // the messages row, or the rep_messages row when ToRep
	ToRep   bool   // a reply forward or digest for the rep, not a customer message
}

// repSuffix ends the names of files holding messages to the rep (the
// engine sends them as campaign "rapport", step "to-rep").
const repSuffix = "-rapport-to-rep."

// outboxFiles lists the outbox's messages (temporary files left out),
// in queue-id order.
func (w *workspace) outboxFiles(t testing.TB) []outboxFile {
	t.Helper()
	entries, err := os.ReadDir(w.path("outbox"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	var out []outboxFile
	for _, e := range entries {
		f := outboxFile{Name: e.Name()}
		switch {
		case strings.HasPrefix(f.Name, "."):
			continue
		case strings.HasSuffix(f.Name, ".eml"):
			f.Channel = "email"
		case strings.HasSuffix(f.Name, ".sms.json"):
			f.Channel = "sms"
		default:
			continue
		}
		f.ToRep = strings.Contains(f.Name, repSuffix)
		id, _, _ := strings.Cut(f.Name, "-")
		f.QueueID, _ = strconv.ParseInt(id, 10, 64)
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// sentEmail is an .eml from the outbox, parsed with net/mail.
type sentEmail struct {
	File    string
	ToRep   bool // a forward or digest for the rep
	Header  mail.Header
	To      string // the bare address
	Subject string // decoded
	Date    time.Time
	Text    string // the text/plain part
	HTML    string // the text/html part, if any
}

// sentText is a .sms.json from the outbox.
type sentText struct {
	File      string `json:"-"`
	ToRep     bool   `json:"-"`
	To        string `json:"to"`
	From      string `json:"from"`
	Body      string `json:"body"`
	Campaign  string `json:"campaign"`
	Step      string `json:"step"`
	ContactID int64  `json:"contact_id"`
	At        string `json:"at"`
}

// emails parses every .eml in the outbox (the rep's too), in file order.
func (w *workspace) emails(t testing.TB) []sentEmail {
	t.Helper()
	var out []sentEmail
	for _, f := range w.outboxFiles(t) {
		if f.Channel == "email" {
			e := parseEmail(t, w.path("outbox/"+f.Name))
			e.ToRep = f.ToRep
			out = append(out, e)
		}
	}
	return out
}

// customerEmails is emails without the rep's forwards and digests.
func (w *workspace) customerEmails(t testing.TB) []sentEmail {
	t.Helper()
	var out []sentEmail
	for _, e := range w.emails(t) {
		if !e.ToRep {
			out = append(out, e)
		}
	}
	return out
}

// customerTexts is texts without the rep's reply alerts.
func (w *workspace) customerTexts(t testing.TB) []sentText {
	t.Helper()
	var out []sentText
	for _, s := range w.texts(t) {
		if !s.ToRep {
			out = append(out, s)
		}
	}
	return out
}

// texts parses every .sms.json in the outbox (the rep's too), in file order.
func (w *workspace) texts(t testing.TB) []sentText {
	t.Helper()
	var out []sentText
	for _, f := range w.outboxFiles(t) {
		if f.Channel != "sms" {
			continue
		}
		b, err := os.ReadFile(w.path("outbox/" + f.Name))
		if err != nil {
			t.Fatal(err)
		}
		var s sentText
		if err := json.Unmarshal(b, &s); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		s.File, s.ToRep = f.Name, f.ToRep
		out = append(out, s)
	}
	return out
}

// parseEmail reads an .eml file: headers, decoded subject, and the text
// and HTML parts.
func parseEmail(t testing.TB, path string) sentEmail {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("%s: not an RFC 5322 message: %v", path, err)
	}
	e := sentEmail{File: filepath.Base(path), Header: msg.Header}
	dec := new(mime.WordDecoder)
	if e.Subject, err = dec.DecodeHeader(msg.Header.Get("Subject")); err != nil {
		t.Fatalf("%s: Subject: %v", path, err)
	}
	if to, err := mail.ParseAddress(msg.Header.Get("To")); err == nil {
		e.To = to.Address
	}
	if e.Date, err = msg.Header.Date(); err != nil {
		t.Fatalf("%s: Date: %v", path, err)
	}
	walkParts(t, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, &e)
	return e
}

// walkParts finds the text and HTML parts in a (possibly nested) MIME body.
func walkParts(t testing.TB, ctype, cte string, body io.Reader, e *sentEmail) {
	t.Helper()
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		mt = "text/plain"
	}
	if strings.HasPrefix(mt, "multipart/") {
		r := multipart.NewReader(body, params["boundary"])
		for {
			p, err := r.NextRawPart()
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatalf("%s: bad MIME part: %v", e.File, err)
			}
			walkParts(t, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, e)
		}
	}
	text := string(decodeBody(t, cte, body))
	switch {
	case mt == "text/plain" && e.Text == "":
		e.Text = text
	case mt == "text/html" && e.HTML == "":
		e.HTML = text
	}
}

// decodeBody undoes a part's Content-Transfer-Encoding.
func decodeBody(t testing.TB, cte string, body io.Reader) []byte {
	t.Helper()
	switch strings.ToLower(strings.TrimSpace(cte)) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body) // skips the line breaks
	}
	b, err := io.ReadAll(body)
	if err != nil {
		t.Fatalf("decode %s body: %v", cte, err)
	}
	return bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
}
