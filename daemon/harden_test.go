package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/store"
)

// Attachments outside templates/ (the config holds the Twilio token) are
// refused by check, and send-test attaches nothing from there.
func TestAttachmentsStayInTheTemplatesFolder(t *testing.T) {
	w := newWorkspace(t)
	w.replace(t, "templates/policy-sheet.email.md", `# attach = ["shipping-and-returns.pdf"]`,
		`attach = ["../config.toml", "/etc/passwd"]`)
	_, errOut, code := w.run(t, "check")
	for _, want := range []string{
		`policy-sheet.email.md:11:1: attachment "../config.toml" is outside the templates folder`,
		`policy-sheet.email.md:11:1: attachment "/etc/passwd" is outside the templates folder`,
	} {
		if code != exitInvalid || !strings.Contains(errOut, want) {
			t.Errorf("check: exit %d, stderr:\n%s\nwant exit 2 and %q", code, errOut, want)
		}
	}
	if _, _, code := w.run(t, "send-test", "post-order/policy-sheet"); code != exitInvalid {
		t.Errorf("send-test with attachments outside templates/: exit %d, want 2", code)
	}
	if n := len(w.emails(t)); n != 0 {
		t.Errorf("%d emails went out, want none", n)
	}
}

// hostile is what a customer can type into a name, an order or a reply
// to take over the rep's terminal: a window title, a screen clear, a
// hidden link, a one-byte CSI and a bidi override.
const hostile = "\x1b]0;pwned\x07\x1b[2J\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\\u009b2J\u202eevil"

// terminalTricks lists what must never reach a terminal raw.
func terminalTricks(s string) []string {
	var found []string
	for _, c := range []string{"\x1b", "\x07", "\u009b", "\u202e", "\r"} {
		if strings.Contains(s, c) {
			found = append(found, fmt.Sprintf("%q", c))
		}
	}
	return found
}

func TestCustomerTextIsEscapedOnTheTerminal(t *testing.T) {
	w := newWorkspace(t)
	csv := "First Name,Last Name,Email,Mobile Phone,Time Zone,SMS Consent,Order Date,Invoice,Items\n" +
		"\"Jane" + hostile + "\",\"Rivera" + hostile + "\",jane@example.com,+1 312 555 0147,America/Chicago,yes,2026-03-02,\"A1" + hostile + "\",\"Oil" + hostile + "\"\n"
	w.write(t, "evil.csv", csv)
	now := "2026-03-03T09:00:00-06:00"
	w.mustRun(t, "--now", now, "import", w.path("evil.csv"))
	w.mustRun(t, "--now", now, "dev", "text", "+13125550147", "Where is it?"+hostile+"\nsecond line")

	var replies []replyJSON
	w.runJSON(t, &replies, "replies", "--json")
	if len(replies) != 1 || !strings.Contains(replies[0].Body, hostile) {
		t.Fatalf("replies --json must keep the body exact: %+v", replies)
	}
	// Import cleans names; a contact stored some other way (an older
	// version, a future path in) may still hold anything.
	st := w.openStore(t)
	ctx := context.Background()
	c, err := st.ContactByEmail(ctx, "jane@example.com")
	if err != nil {
		t.Fatal(err)
	}
	c.FirstName, c.LastName = "Jane"+hostile, "Rivera"+hostile
	if err := st.Tx(ctx, func(tx *store.Tx) error { _, err := tx.UpsertContact(ctx, c, 1); return err }); err != nil {
		t.Fatal(err)
	}
	st.Close()
	var contacts []contactJSON
	w.runJSON(t, &contacts, "contacts", "--json")
	if len(contacts) != 1 || contacts[0].FirstName != "Jane"+hostile {
		t.Fatalf("contacts --json must keep the name exact: %+v", contacts)
	}
	for _, args := range [][]string{
		{"replies"}, {"replies", "--all"}, {"replies", "show", "1"}, {"contacts"}, {"contacts", "jane"},
		{"preview", "jane@example.com"}, {"status"}, {"unsubscribe", "jane@example.com"},
	} {
		out := w.mustRun(t, append([]string{"--now", now}, args...)...)
		if found := terminalTricks(out); len(found) > 0 {
			t.Errorf("rapport %s prints %s raw:\n%s", strings.Join(args, " "), strings.Join(found, " "), out)
		}
		if !strings.Contains(out, `\x1b]0;pwned\x07`) && args[0] != "status" {
			t.Errorf("rapport %s does not show the escaped text:\n%s", strings.Join(args, " "), out)
		}
	}
	if out := w.mustRun(t, "replies", "show", "1"); !strings.Contains(out, "\nsecond line") {
		t.Errorf("replies show keeps the reply's lines:\n%s", out)
	}
}

// runaway are templates that would hang or exhaust Rapport: an endless
// empty loop (refused when the folder loads) and a loop that prints
// more than an email may hold (refused when check renders it).
var runaway = []struct{ file, src, want string }{
	{"templates/arrival-check.sms.txt", "Hi {{.Contact.FirstName}}\n{{range 9223372036854775807}}{{end}}",
		"arrival-check.sms.txt:2:1: this template took too long to render"},
	{"templates/four-week-checkin.email.md", "+++\nsubject = \"Hi\"\n+++\n{{range 4000}}" + strings.Repeat("blah ", 20) + "{{end}}\n",
		"four-week-checkin.email.md:4:1: this template renders too large"},
}

func TestCheckReportsRunawayTemplates(t *testing.T) {
	w := newWorkspace(t)
	for _, r := range runaway {
		good := w.read(t, r.file)
		w.write(t, r.file, r.src)
		_, errOut, code := w.run(t, "check")
		if code != exitInvalid || !strings.Contains(errOut, r.want) {
			t.Errorf("check: exit %d, stderr:\n%s\nwant exit 2 and %q", code, errOut, r.want)
		}
		w.write(t, r.file, good)
	}
}

// A SIGHUP with a runaway template is refused like any invalid set; the
// daemon keeps running on the last good one and still stops on SIGTERM.
func TestReloadRefusesRunawayTemplates(t *testing.T) {
	w := newWorkspace(t)
	addr := freeAddr(t)
	w.setConfig(t, `listen = "127.0.0.1:8080"`, fmt.Sprintf("listen = %q", addr))
	n := listenNotify(t)
	d := startBinary(t, w, n.path)
	n.await(t, "READY=1")
	for i, r := range runaway {
		good := w.read(t, r.file)
		w.write(t, r.file, r.src)
		d.cmd.Process.Signal(syscall.SIGHUP)
		n.await(t, "READY=1")
		d.waitFor(t, "the refused reload", func() bool { return strings.Count(d.log.String(), "reload refused") == i+1 })
		if !strings.Contains(d.log.String(), r.want) {
			t.Errorf("the log does not name the problem %q:\n%s", r.want, d.log.String())
		}
		if resp, err := http.Get("http://" + addr + "/healthz"); err != nil || resp.StatusCode != 200 {
			t.Fatalf("healthz after a refused reload: %v %v", resp, err)
		}
		w.write(t, r.file, good)
	}
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
}
