package main

// Safe by default: check reports everything at once, the starter's example
// values never reach customers, and --now never sends for real.

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

type fileEdit struct{ file, old, new string }

// problemAt is a problem check must report: in file, on the line holding
// mark, with message in its text.
type problemAt struct {
	file, mark, message string
	above               int // the problem is this many lines above mark
}

// TestCheckFindsEveryProblem breaks several files at once, in ways that
// used to hide one another, and expects every problem in one run, each at
// its file:line.
func TestCheckFindsEveryProblem(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		edits []fileEdit
		want  []problemAt
	}{{
		name: "a missing template and a bad field in another",
		edits: []fileEdit{
			{"templates/four-week-checkin.email.md", `{{.Contact.FirstName | default "there"}}`, `{{.Contact.Frist}}`},
			{"campaigns/post-order.toml", `template = "first-week-call"`, `template = "first-week-cal"`},
		},
		want: []problemAt{
			{"templates/four-week-checkin.email.md", `{{.Contact.Frist}}`, `unknown field "Frist"`, 0},
			{"campaigns/post-order.toml", `id = "first-week-call"`, `no task template "first-week-cal"`, 1}, // at its [[step]]
		},
	}, {
		name: "a syntax error, a bad config value, a bad campaign and a template that fails to render",
		edits: []fileEdit{
			{"config.toml", `timezone = "America/Chicago"`, `timezone = "America/Chicgo"`},
			{"campaigns/post-order.toml", `after = "5d"`, `after = "5x"`},
			{"templates/arrival-check.sms.txt", `{{.Contact.FirstName | default "there"}}`, `{{.Contact.FirstName)}}`},
			{"templates/first-week-call.task.txt", `{{.Contact.Name}}`, `{{index .Contact.Name 99}}`},
		},
		want: []problemAt{
			{"config.toml", `timezone = "America/Chicgo"`, `did you mean "America/Chicago"?`, 0},
			{"campaigns/post-order.toml", `after = "5x"`, `"5x"`, 0},
			{"templates/arrival-check.sms.txt", `{{.Contact.FirstName)}}`, `in {{.Contact.FirstName)}}: ")" without a "("`, 0},
			{"templates/first-week-call.task.txt", `{{index .Contact.Name 99}}`, `index out of range`, 0},
		},
	}, {
		name: "email for real with the starter's addresses",
		edits: []fileEdit{
			{"config.toml", "transport = \"outbox\"\n# The sender", "transport = \"smtp\"\n# The sender"},
			{"config.toml", "# [email.smtp]\n", "[email.smtp]\nhost = \"smtp.fastmail.com\"\n"},
		},
		want: []problemAt{
			{"config.toml", `email = "amy@example.com"`, `rep.email: "amy@example.com" is the starter's example`, 0},
			{"config.toml", `postal_address = "123 Main St`, `rep.postal_address:`, 0},
			{"config.toml", `from = "Amy Kline <amy@example.com>"`, `email.from:`, 0},
			{"config.toml", `public_url = "https://rapport.example.com"`, `http.public_url:`, 0},
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorkspace(t)
			for _, e := range tt.edits {
				w.replace(t, e.file, e.old, e.new)
			}
			out, errOut, code := w.run(t, "check")
			if code != exitInvalid {
				t.Fatalf("check: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, exitInvalid, out, errOut)
			}
			for _, p := range tt.want {
				line, _ := lineOf(t, w.read(t, p.file), p.mark)
				line -= p.above
				if !hasProblemAt(errOut, p.file, line, p.message) {
					t.Errorf("no %s:%d: ...%s...; stderr:\n%s", p.file, line, p.message, errOut)
				}
			}
			if strings.Contains(errOut, "template: ") {
				t.Errorf("text/template's own error form in:\n%s", errOut)
			}
		})
	}
}

// hasProblemAt reports whether out holds a line "...file:line:COL: ...message...".
func hasProblemAt(out, file string, line int, message string) bool {
	prefix := file + ":" + strconv.Itoa(line) + ":"
	for l := range strings.Lines(out) {
		if i := strings.Index(l, prefix); i >= 0 && strings.Contains(l[i:], message) {
			return true
		}
	}
	return false
}

// useRealSMTP sends email through a provider elsewhere (never reached:
// every test here is refused first).
func useRealSMTP(t *testing.T, w *workspace) {
	t.Helper()
	w.setKey(t, "email", "transport", `"smtp"`)
	w.appendConfig(t, "[email.smtp]\nhost = \"smtp.fastmail.com\"\nusername = \"amy@klineessentials.com\"\npassword = \"pw\"")
}

// fillIn replaces the starter's example values with a rep's own.
func fillIn(t *testing.T, w *workspace) {
	t.Helper()
	for _, r := range [][2]string{
		{`phone = "+13125550100"`, `phone = "+13125551234"`},
		{`postal_address = "123 Main St, Springfield, IL 62701"`, `postal_address = "PO Box 12, Springfield, IL 62701"`},
		{`from = "Amy Kline <amy@example.com>"`, `from = "Amy Kline <amy@klineessentials.com>"`},
		{`public_url = "https://rapport.example.com"`, `public_url = "https://rapport.klineessentials.com"`},
	} {
		w.setConfig(t, r[0], r[1])
	}
	w.setKey(t, "rep", "email", `"amy@klineessentials.com"`)
	w.setKey(t, "notify", "email", `"amy@klineessentials.com"`)
}

// rapport run refuses the starter's examples once email goes out for
// real, before it touches the database; the outbox starter runs.
func TestRunRefusesStarterExamplesWhenSendingForReal(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	useRealSMTP(t, w)
	_, errOut, code := w.run(t, "run", "--once")
	if code != exitInvalid {
		t.Fatalf("run: exit %d, want %d\n%s", code, exitInvalid, errOut)
	}
	line, _ := lineOf(t, w.read(t, "config.toml"), `email = "amy@example.com"`)
	if !hasProblemAt(errOut, "config.toml", line, "rep.email: \"amy@example.com\" is the starter's example, and email.transport = \"smtp\"") {
		t.Errorf("run does not point at [rep] email:\n%s", errOut)
	}
	if countOutbox(w, "") != 0 {
		t.Error("run wrote to the outbox after refusing")
	}

	fillIn(t, w)
	w.setConfig(t, `public_url = "https://rapport.klineessentials.com"`, `public_url = "http://rapport.klineessentials.com"`)
	_, errOut, code = w.run(t, "check")
	if code != exitInvalid || !strings.Contains(errOut, `http.public_url: "http://rapport.klineessentials.com" is not https`) {
		t.Errorf("check with an http public_url: exit %d\n%s", code, errOut)
	}
	w.setConfig(t, `public_url = "http://rapport.klineessentials.com"`, `public_url = "https://rapport.klineessentials.com"`)
	if out, errOut, code := w.run(t, "check"); code != exitOK {
		t.Errorf("check of a filled-in config: exit %d\n%s%s", code, out, errOut)
	}
}

// --now never sends for real: run and send-test refuse in one line that
// says what to do; the outbox starter still runs on any date.
func TestNowNeverSendsForReal(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	now := "2026-03-02T10:00:00-06:00"
	w.mustRun(t, "--now", now, "run", "--once")
	fillIn(t, w)
	useRealSMTP(t, w)
	for _, args := range [][]string{
		{"--now", now, "run", "--once"},
		{"run", "--now", now},
		{"--now", now, "send-test", "post-order/policy-sheet"},
	} {
		_, errOut, code := w.run(t, args...)
		if code != exitInvalid {
			t.Errorf("%s: exit %d, want %d\n%s", strings.Join(args, " "), code, exitInvalid, errOut)
		}
		want := `--now never sends for real, and email.transport = "smtp" (smtp.fastmail.com) would: drop --now, or set the transport to "outbox"`
		if !strings.HasPrefix(errOut, want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%s: stderr\n%s\nwant one line starting %q", strings.Join(args, " "), errOut, want)
		}
	}
}

// check says how many pending messages a timing change moves, and the
// next run moves them.
func TestCheckCountsMessagesATimingChangeMoves(t *testing.T) {
	t.Parallel()
	w := customerWorkspace(t)
	placeOrder(t, w, janeAddr)
	placeOrder(t, w, bobAddr)
	runOnce(t, w, orderDay+" 11:00")
	if out := w.mustRun(t, "--now", cst(t, orderDay+" 12:00").Format(time.RFC3339), "check"); strings.Contains(out, "timing changed") {
		t.Errorf("check before any change:\n%s", out)
	}
	w.replace(t, "campaigns/post-order.toml", "id = \"arrival-check\"\nafter = \"5d\"", "id = \"arrival-check\"\nafter = \"4d\"")
	out := w.mustRun(t, "--now", cst(t, orderDay+" 12:00").Format(time.RFC3339), "check")
	if !strings.Contains(out, "\npost-order/arrival-check: timing changed, 2 pending messages will move\n") {
		t.Errorf("check after moving arrival-check a day earlier:\n%s", out)
	}
	runOnce(t, w, orderDay+" 12:00")
	if got := onlyRow(t, w, janeAddr, "arrival-check").DueAt; time.Unix(got, 0).In(cst(t, orderDay+" 00:00").Location()).Day() != 6 {
		t.Errorf("arrival-check due %s, want 6 March", time.Unix(got, 0))
	}
	if out := w.mustRun(t, "--now", cst(t, orderDay+" 12:00").Format(time.RFC3339), "check"); strings.Contains(out, "timing changed") {
		t.Errorf("check once the run re-planned:\n%s", out)
	}
}
