package main

// The follow-up journey end to end, on the embedded default (outbox
// transports, real SQLite): `rapport init`, `check`, `import`, `order add`
// and `run --once` driven by --now, read back through the outbox files and
// the --json outputs.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/enroll"
	"github.com/rapportapp/rapport/internal/store"
)

func TestInitWritesStarterSetOnce(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	for _, f := range []string{"config.toml", "contacts.example.csv", "campaigns/post-order.toml",
		"templates/policy-sheet.email.md", "templates/arrival-check.sms.txt", "templates/tips/01-keep-it-fresh.email.md"} {
		if _, err := os.Stat(w.path(f)); err != nil {
			t.Errorf("init did not write %s: %v", f, err)
		}
	}
	w.mustRun(t, "check")

	w.appendConfig(t, "# edited by the rep")
	before := w.read(t, "config.toml")
	out, errOut, code := runCLI(t, w.env, "", "init", w.dir)
	if code != exitInvalid {
		t.Fatalf("second init: exit %d, want %d\nstdout: %s\nstderr: %s", code, exitInvalid, out, errOut)
	}
	if !strings.Contains(errOut, "config.toml already exists") {
		t.Errorf("second init should name the file it refuses to overwrite; stderr:\n%s", errOut)
	}
	if w.read(t, "config.toml") != before {
		t.Error("second init changed config.toml")
	}
}

// TestCheckReportsWhereAndWhat breaks one file at a time and expects
// `rapport check` to name the file, line and column, and exit 2.
func TestCheckReportsWhereAndWhat(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		file     string // edited file, relative to the workspace
		old, new string // the edit
		mark     string // text on the broken line
		message  string // in the error
	}{
		{"misspelt step key", "campaigns/post-order.toml", "channel = \"sms\"\nfallback", "chanel = \"sms\"\nfallback", `chanel = "sms"`, `unknown key "chanel"`},
		{"bad delay", "campaigns/post-order.toml", `after = "5d"`, `after = "5x"`, `after = "5x"`, `"5x"`},
		{"unknown template field", "templates/four-week-checkin.email.md", `Hi {{.Contact.FirstName | default "there"}}`,
			`Hi {{.Contact.Frist}}`, `{{.Contact.Frist}}`, `"Frist"`},
		{"unknown config key", "config.toml", `max_texts_per_day = 3`, `max_txts_per_day = 3`, `max_txts_per_day`, `"max_txts_per_day"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorkspace(t)
			w.replace(t, tt.file, tt.old, tt.new)
			line, span := lineOf(t, w.read(t, tt.file), tt.mark)
			_, errOut, code := w.run(t, "check")
			if code != exitInvalid {
				t.Fatalf("check: exit %d, want %d\n%s", code, exitInvalid, errOut)
			}
			re := regexp.MustCompile(`(?m)` + regexp.QuoteMeta(tt.file) + `:(\d+):(\d+): (.*)$`)
			for _, m := range re.FindAllStringSubmatch(errOut, -1) {
				l, _ := strconv.Atoi(m[1])
				col, _ := strconv.Atoi(m[2])
				if l == line && col >= span[0] && col <= span[1] && strings.Contains(m[3], tt.message) {
					return
				}
			}
			t.Errorf("want %s:%d:%d-%d: ...%s...; stderr:\n%s", tt.file, line, span[0], span[1], tt.message, errOut)
		})
	}
}

// lineOf returns the 1-based line holding mark and the column span of
// that line a position may point at (the key or the value: anywhere up to
// the end of mark).
func lineOf(t *testing.T, text, mark string) (int, [2]int) {
	t.Helper()
	for i, l := range strings.Split(text, "\n") {
		if j := strings.Index(l, mark); j >= 0 {
			return i + 1, [2]int{1, j + len(mark)}
		}
	}
	t.Fatalf("%q not found", mark)
	return 0, [2]int{}
}

func TestCheckReportsEveryProblemAtOnce(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	w.replace(t, "campaigns/post-order.toml", `after = "5d"`, `after = "5x"`)
	w.replace(t, "templates/four-week-checkin.email.md", `{{.Contact.FirstName | default "there"}}`, `{{.Contact.Frist}}`)
	_, errOut, code := w.run(t, "check")
	if code != exitInvalid {
		t.Fatalf("check: exit %d, want %d", code, exitInvalid)
	}
	for _, want := range []string{"campaigns/post-order.toml:", "templates/four-week-checkin.email.md:"} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr does not report %s...:\n%s", want, errOut)
		}
	}
}

// A step without purpose (a campaign written before steps had one) still
// loads: check explains the default as a warning and exits 0.
func TestCheckWarnsOfMissingPurpose(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	if _, errOut, _ := w.run(t, "check"); strings.Contains(errOut, "warning") {
		t.Errorf("the starter set gives warnings:\n%s", errOut)
	}
	w.replace(t, "campaigns/post-order.toml", "template = \"tips\"\npurpose = \"marketing\"\n", "template = \"tips\"\n")
	_, errOut, code := w.run(t, "check")
	if code != exitOK {
		t.Fatalf("check: exit %d, want %d\n%s", code, exitOK, errOut)
	}
	if !strings.Contains(errOut, `campaigns/post-order.toml:110:1: `) || !strings.Contains(errOut, `step "monthly-tips": no purpose: treated as purpose = "marketing"`) {
		t.Errorf("want a warning naming the step and the default; stderr:\n%s", errOut)
	}
}

// importFixture is a contacts CSV in internal/contact/testdata.
func importFixture(name string) string {
	return filepath.Join("..", "internal", "contact", "testdata", name)
}

// starterContacts is the example CSV `rapport init` writes.
const starterContacts = "../contacts.example.csv"

func TestImportFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		path                      string
		inserted, skipped, orders int
		problemLines              []int
	}{
		{importFixture("google.csv"), 4, 2, 0, []int{9, 10}},
		{importFixture("google-labels.csv"), 2, 0, 0, nil},
		{importFixture("outlook.csv"), 3, 1, 0, []int{6}},
		{importFixture("messy.csv"), 6, 7, 2, []int{6, 7, 8, 9, 12, 13, 15}},
		{importFixture("messy-bom.csv"), 6, 7, 2, []int{6, 7, 8, 9, 12, 13, 15}},
		{starterContacts, 8, 0, 8, nil},
	}
	for _, tt := range tests {
		t.Run(filepath.Base(tt.path), func(t *testing.T) {
			w := newWorkspace(t)
			path := tt.path
			want := enroll.Summary{Inserted: tt.inserted, Skipped: tt.skipped, Orders: tt.orders, Journeys: tt.orders}
			got := w.importJSON(t, path, tt.skipped > 0)
			checkSummary(t, "first import", got, want, tt.problemLines)

			// The same file again changes nothing and starts nothing.
			again := w.importJSON(t, path, tt.skipped > 0)
			want = enroll.Summary{Unchanged: tt.inserted, Skipped: tt.skipped}
			checkSummary(t, "second import", again, want, tt.problemLines)
		})
	}
}

// importJSON runs `import FILE --json` and decodes the summary. Skipped
// rows make it exit 2 (invalid input) with the summary still on stdout.
func (w *workspace) importJSON(t *testing.T, path string, skips bool, extra ...string) enroll.Summary {
	t.Helper()
	out, errOut, code := w.run(t, append([]string{"import", path, "--json"}, extra...)...)
	want := exitOK
	if skips {
		want = exitInvalid
	}
	if code != want {
		t.Fatalf("import %s: exit %d, want %d\n%s", path, code, want, errOut)
	}
	var s enroll.Summary
	if err := json.Unmarshal([]byte(out), &s); err != nil {
		t.Fatalf("import --json: %v\n%s", err, out)
	}
	return s
}

func checkSummary(t *testing.T, what string, got, want enroll.Summary, lines []int) {
	t.Helper()
	var gotLines []int
	for _, p := range got.Problems {
		gotLines = append(gotLines, p.Line)
		if p.Reason == "" {
			t.Errorf("%s: line %d skipped without a reason", what, p.Line)
		}
	}
	type counts struct{ inserted, updated, unchanged, skipped, orders, journeys int }
	g := counts{got.Inserted, got.Updated, got.Unchanged, got.Skipped, got.Orders, got.Journeys}
	if g != (counts{want.Inserted, want.Updated, want.Unchanged, want.Skipped, want.Orders, want.Journeys}) {
		t.Errorf("%s: got %+v, want %+v", what, got, want)
	}
	if !slices.Equal(gotLines, lines) {
		t.Errorf("%s: problem lines %v, want %v", what, gotLines, lines)
	}
}

func TestImportDryRunWritesNothing(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	got := w.importJSON(t, importFixture("messy.csv"), true, "--dry-run")
	if !got.DryRun || got.Inserted != 6 || got.Orders != 2 {
		t.Errorf("dry run summary %+v, want the counts of a real import (6 inserted, 2 orders) and dry_run", got)
	}
	if cs := w.contacts(t); len(cs) != 0 {
		t.Errorf("dry run wrote %d contacts", len(cs))
	}
	if n := w.queue(t)[store.Pending]; n != 0 {
		t.Errorf("dry run queued %d messages", n)
	}
}

// TestImportedContacts checks `contacts --json` after importing messy.csv:
// normalised fields, and no trace of the rows that were skipped.
func TestImportedContacts(t *testing.T) {
	t.Parallel()
	w := newWorkspace(t)
	w.importJSON(t, importFixture("messy.csv"), true)
	byEmail := map[string]contactJSON{}
	for _, c := range w.contacts(t) {
		byEmail[c.Email] = c
		if c.EmailStatus != store.Subscribed || c.SMSStatus != store.Subscribed {
			t.Errorf("%s: statuses %s/%s, want subscribed", c.Email, c.EmailStatus, c.SMSStatus)
		}
	}
	tests := []struct {
		email, first, phone, zone string
		consent                   bool
		journeys                  []string
	}{
		{"jose.garcia@example.com", "José", "+13125550142", "America/Chicago", true, []string{"post-order 2026-03-15"}},
		{"frank@example.com", `Frank "Bud"`, "+13125550188", "America/New_York", true, []string{"post-order 2026-01-02"}},
		{"ivy@example.com", "Ivy", "+13125550199", "America/Los_Angeles", false, []string{}},
		{"kim@example.com", "Kim", "", "America/Chicago", false, []string{}},
		{"zoe@example.com", "Zoë", "+13125550177", "America/Chicago", false, []string{}},
		{"ann@example.com", "Ann", "", "America/Chicago", false, []string{}},
	}
	for _, tt := range tests {
		c, ok := byEmail[tt.email]
		if !ok {
			t.Errorf("%s not imported", tt.email)
			continue
		}
		if c.FirstName != tt.first || c.Phone != tt.phone || c.Timezone != tt.zone || c.SMSConsent != tt.consent || !slices.Equal(c.Journeys, tt.journeys) {
			t.Errorf("%s: got %+v\nwant first %q phone %q zone %q consent %v journeys %v", tt.email, c, tt.first, tt.phone, tt.zone, tt.consent, tt.journeys)
		}
	}
	// A bad row never half-imports: Eve's order date is wrong, so Eve is
	// not there either; Hana's zone is wrong; Bob's email is.
	for _, skipped := range []string{"eve@example.com", "hana@example.com", "bob@", "gus@example.com", "jack@example.com"} {
		if _, ok := byEmail[skipped]; ok {
			t.Errorf("%s was imported from a row that was skipped", skipped)
		}
	}
	if len(byEmail) != len(tests) {
		t.Errorf("%d contacts, want %d", len(byEmail), len(tests))
	}
}

// The journey. Customers used below, each in their own zone.
const customersCSV = `First Name,Last Name,Email,Mobile Phone,Time Zone,SMS Consent,Consent Date,Consent Source
Emily,Carter,emily@example.com,+1 312 555 0142,America/Chicago,yes,2026-01-10,signed order form
Nora,Nash,nora@example.com,(646) 555-0117,America/New_York,no,,
Dora,Diaz,dora@example.com,(646) 555-0199,America/New_York,yes,2026-01-10,signed order form
`

var (
	chicago = mustZone("America/Chicago")
	newYork = mustZone("America/New_York")
)

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // the test binary needs the zone database
	}
	return loc
}

// local is a wall-clock time "2006-01-02 15:04" in loc.
func local(t *testing.T, loc *time.Location, s string) time.Time {
	t.Helper()
	tm, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// shop is a workspace with the customers imported.
func shop(t *testing.T) *workspace {
	t.Helper()
	w := newWorkspace(t)
	w.write(t, "customers.csv", customersCSV)
	w.mustRun(t, "import", w.path("customers.csv"))
	return w
}

// order records an order dated day, entered at now.
func (w *workspace) order(t *testing.T, now time.Time, who, day string) {
	t.Helper()
	w.at(t, now, "order", "add", "--contact", who, "--date", day, "--invoice", "INV-"+day)
}

// tick runs `run --once` at now and returns the outbox files it added.
func (w *workspace) tick(t *testing.T, now time.Time) []outboxFile {
	t.Helper()
	before := map[string]bool{}
	for _, f := range w.outboxFiles(t) {
		before[f.Name] = true
	}
	w.at(t, now, "run", "--once")
	var added []outboxFile
	for _, f := range w.outboxFiles(t) {
		if !before[f.Name] && !f.ToRep {
			added = append(added, f)
		}
	}
	return added
}

// expectSends runs `run --once` at now and checks which customer
// messages it sent ("email:step" or "sms:step"), then runs again at the
// same moment and checks that nothing goes twice.
func (w *workspace) expectSends(t *testing.T, now time.Time, want ...string) {
	t.Helper()
	var got []string
	for _, f := range w.tick(t, now) {
		got = append(got, f.Channel+":"+stepOf(f.Name))
	}
	if !slices.Equal(got, want) {
		t.Fatalf("run --once at %s sent %v, want %v", now.Format(time.RFC3339), got, want)
	}
	if again := w.tick(t, now); len(again) != 0 {
		t.Fatalf("run --once again at %s sent %v again", now.Format(time.RFC3339), again)
	}
}

// stepOf takes the step id out of "00000001-post-order-policy-sheet.eml".
func stepOf(name string) string {
	name = strings.TrimSuffix(strings.TrimSuffix(name, ".eml"), ".sms.json")
	_, rest, _ := strings.Cut(name, "-")
	if s, ok := strings.CutPrefix(rest, "post-order-"); ok {
		return s
	}
	return rest
}

func (w *workspace) contacts(t *testing.T) []contactJSON {
	t.Helper()
	var cs []contactJSON
	w.runJSON(t, &cs, "contacts", "--json")
	return cs
}

func (w *workspace) queue(t *testing.T) map[string]int {
	t.Helper()
	var s statusJSON
	w.runJSON(t, &s, "status", "--json")
	return s.Queue
}

// preview returns a contact's timeline at now.
func (w *workspace) preview(t *testing.T, now time.Time, who string) []previewRow {
	t.Helper()
	var rows []previewRow
	w.runJSON(t, &rows, "--now", now.Format(time.RFC3339), "preview", who, "--json")
	return rows
}

// row returns the n-th (0-based) preview row of a step.
func row(t *testing.T, rows []previewRow, step string, n int) previewRow {
	t.Helper()
	for _, r := range rows {
		if r.Step == step {
			if n == 0 {
				return r
			}
			n--
		}
	}
	t.Fatalf("no row %d for step %s in %+v", n, step, rows)
	return previewRow{}
}

// checkPreviewContract checks every row against the documented `preview
// --json` shape: the fields, a state from the list, and due in RFC 3339
// with the contact's own offset.
func checkPreviewContract(t *testing.T, rows []previewRow, loc *time.Location) {
	t.Helper()
	states := []string{"pending", "sending", "sent", "skipped", "failed", "cancelled", "paused"}
	for _, r := range rows {
		if r.Campaign == "" || r.Step == "" || r.Channel == "" {
			t.Errorf("preview row without campaign/step/channel: %+v", r)
		}
		if !slices.Contains(states, r.State) {
			t.Errorf("%s: state %q is not one of %v", r.Step, r.State, states)
		}
		due, err := time.Parse(time.RFC3339, r.Due)
		if err != nil {
			t.Errorf("%s: due %q is not RFC 3339: %v", r.Step, r.Due, err)
			continue
		}
		if r.Channel == "task" {
			continue // tasks are on the rep's clock
		}
		if want := due.In(loc).Format(time.RFC3339); r.Due != want {
			t.Errorf("%s: due %s, want it written in the contact's zone: %s", r.Step, r.Due, want)
		}
	}
}

func TestJourneyByText(t *testing.T) {
	t.Parallel()
	w := shop(t)
	w.order(t, local(t, chicago, "2026-03-02 08:00"), "emily@example.com", "2026-03-02")

	// The policy sheet goes on the day of the order, at [sending] at.
	w.expectSends(t, local(t, chicago, "2026-03-02 09:59"))
	w.expectSends(t, local(t, chicago, "2026-03-02 10:00"), "email:policy-sheet")
	sheet := w.customerEmails(t)[0]
	if sheet.To != "emily@example.com" || !strings.HasPrefix(sheet.Subject, "Thank you for your order, Emily") {
		t.Errorf("policy sheet to %s, subject %q", sheet.To, sheet.Subject)
	}
	if !sheet.Date.Equal(local(t, chicago, "2026-03-02 10:00")) {
		t.Errorf("policy sheet Date %s, want 10:00 Chicago", sheet.Date)
	}

	// Five days later at 10:00 her time, a text (she agreed to texts).
	w.expectSends(t, local(t, chicago, "2026-03-07 09:59"))
	w.expectSends(t, local(t, chicago, "2026-03-07 10:00"), "sms:arrival-check")
	text := w.customerTexts(t)[0]
	if text.To != "+13125550142" || text.Campaign != "post-order" || text.Step != "arrival-check" {
		t.Errorf("arrival check text %+v", text)
	}
	if !strings.Contains(text.Body, "STOP") {
		t.Errorf("the first text must say how to stop texts: %q", text.Body)
	}
	checkAt(t, text.At, local(t, chicago, "2026-03-07 10:00"))

	// The call-her task is for the rep only; then the four-week check-in.
	w.expectSends(t, local(t, chicago, "2026-03-10 07:30"))
	w.expectSends(t, local(t, chicago, "2026-03-30 10:00"), "email:four-week-checkin")

	// One tip a month, the next in the series, on the same day of the month.
	w.expectSends(t, local(t, chicago, "2026-04-06 10:00"), "email:monthly-tips")
	w.expectSends(t, local(t, chicago, "2026-05-05 10:00"))
	w.expectSends(t, local(t, chicago, "2026-05-06 10:00"), "email:monthly-tips")
	emails := w.customerEmails(t)
	if len(emails) != 4 {
		t.Fatalf("%d customer emails, want 4", len(emails))
	}
	for i, want := range []string{"A quick tip: keeping your products at their best", "One small habit that makes it easy"} {
		if got := emails[2+i]; got.Subject != want || got.Date.In(chicago).Day() != 6 {
			t.Errorf("tip %d: subject %q on %s, want %q on the 6th", i+1, got.Subject, got.Date, want)
		}
	}

	rows := w.preview(t, local(t, chicago, "2026-05-06 12:00"), "emily@example.com")
	checkPreviewContract(t, rows, chicago)
	for _, want := range []struct{ step, channel, state, due string }{
		{"policy-sheet", "email", "sent", "2026-03-02T10:00:00-06:00"},
		{"arrival-check", "sms", "sent", "2026-03-07T10:00:00-06:00"},
		{"four-week-checkin", "email", "sent", "2026-03-30T10:00:00-05:00"},
	} {
		r := row(t, rows, want.step, 0)
		if r.Channel != want.channel || r.State != want.state || r.Due != want.due {
			t.Errorf("preview %s: %+v, want channel %s state %s due %s", want.step, r, want.channel, want.state, want.due)
		}
	}
	if r := row(t, rows, "monthly-tips", 2); r.State != "pending" || r.Due != "2026-06-06T10:00:00-05:00" {
		t.Errorf("next tip %+v, want pending on 2026-06-06 10:00", r)
	}
}

// checkAt checks an outbox text's "at" against the instant it should say.
func checkAt(t *testing.T, at string, want time.Time) {
	t.Helper()
	got, err := time.Parse(time.RFC3339, at)
	if err != nil {
		t.Fatalf("at %q: %v", at, err)
	}
	if !got.Equal(want) {
		t.Errorf("text at %s, want %s", at, want.Format(time.RFC3339))
	}
}

func TestArrivalCheckFallsBackToEmail(t *testing.T) {
	t.Parallel()
	w := shop(t)
	w.order(t, local(t, newYork, "2026-03-02 08:00"), "nora@example.com", "2026-03-02")
	w.expectSends(t, local(t, newYork, "2026-03-02 10:00"), "email:policy-sheet")
	w.expectSends(t, local(t, newYork, "2026-03-07 10:00"), "email:arrival-check")
	got := w.customerEmails(t)[1]
	if got.To != "nora@example.com" || got.Subject != "Did your order arrive OK?" {
		t.Errorf("fallback email to %s, subject %q", got.To, got.Subject)
	}
	if n := len(w.customerTexts(t)); n != 0 {
		t.Errorf("%d texts to a customer without consent", n)
	}
	r := row(t, w.preview(t, local(t, newYork, "2026-03-07 11:00"), "nora@example.com"), "arrival-check", 0)
	if r.Channel != "email" || r.State != "sent" {
		t.Errorf("preview arrival-check %+v, want sent by email", r)
	}
}

func TestStaleStepsAreSkippedNotSentLate(t *testing.T) {
	t.Parallel()
	w := shop(t)
	w.order(t, local(t, chicago, "2026-03-02 08:00"), "emily@example.com", "2026-03-02")
	// The daemon was down until day 9.
	w.expectSends(t, local(t, chicago, "2026-03-11 10:00"))

	rows := w.preview(t, local(t, chicago, "2026-03-11 10:01"), "emily@example.com")
	checkPreviewContract(t, rows, chicago)
	for _, step := range []string{"policy-sheet", "arrival-check"} {
		if r := row(t, rows, step, 0); r.State != "skipped" {
			t.Errorf("%s: state %s, want skipped", step, r.State)
		}
	}
	if r := row(t, rows, "four-week-checkin", 0); r.State != "pending" {
		t.Errorf("four-week-checkin: state %s, want still pending", r.State)
	}
	var s statusJSON
	w.runJSON(t, &s, "status", "--json")
	if s.Queue[store.Skipped] != 2 || s.Queue[store.Sent] != 1 { // the sent one is the rep's task
		t.Errorf("queue %v, want 2 skipped and the task done", s.Queue)
	}
	if !noticeAbout(s.Notices, "arrival-check") {
		t.Errorf("status does not tell the rep the arrival check was skipped: %+v", s.Notices)
	}
	if text := w.mustRun(t, "status"); !strings.Contains(text, "arrival-check") {
		t.Errorf("status text does not mention the skipped arrival check:\n%s", text)
	}
	if !digestMentions(w.emails(t), "arrival-check") {
		t.Error("the rep's digest does not mention the skipped arrival check")
	}
}

// digestMentions reports whether an email to the rep mentions what.
func digestMentions(emails []sentEmail, what string) bool {
	for _, e := range emails {
		if e.ToRep && strings.Contains(e.Text, what) {
			return true
		}
	}
	return false
}

func noticeAbout(ns []noticeJSON, what string) bool {
	for _, n := range ns {
		if strings.Contains(n.Text, what) {
			return true
		}
	}
	return false
}

func TestTextsWaitForAllowedHours(t *testing.T) {
	t.Parallel()
	w := shop(t)
	w.order(t, local(t, chicago, "2026-03-02 08:00"), "emily@example.com", "2026-03-02")
	w.expectSends(t, local(t, chicago, "2026-03-02 10:00"), "email:policy-sheet")

	// Nothing ran on the 7th until 22:00: too late for a text.
	w.expectSends(t, local(t, chicago, "2026-03-07 22:00"))
	r := row(t, w.preview(t, local(t, chicago, "2026-03-07 22:01"), "emily@example.com"), "arrival-check", 0)
	// 08:00 the next morning, which is after the spring-forward.
	if r.State != "pending" || r.Due != "2026-03-08T08:00:00-05:00" {
		t.Errorf("arrival-check after 22:00: %+v, want pending at 2026-03-08T08:00:00-05:00", r)
	}
	w.expectSends(t, local(t, chicago, "2026-03-08 07:59"))
	w.expectSends(t, local(t, chicago, "2026-03-08 08:00"), "sms:arrival-check")
	checkAt(t, w.customerTexts(t)[0].At, local(t, chicago, "2026-03-08 08:00"))
}

// TestArrivalCheckAcrossDST: the text goes at 10:00 New York time whether
// the clocks changed between the order and the check or not.
func TestArrivalCheckAcrossDST(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, orderDay, checkDay, due string
	}{
		{"spring forward", "2026-03-04", "2026-03-09", "2026-03-09T10:00:00-04:00"},
		{"fall back", "2026-10-28", "2026-11-02", "2026-11-02T10:00:00-05:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := shop(t)
			w.order(t, local(t, newYork, tt.orderDay+" 08:00"), "dora@example.com", tt.orderDay)
			w.expectSends(t, local(t, newYork, tt.orderDay+" 10:00"), "email:policy-sheet")
			r := row(t, w.preview(t, local(t, newYork, tt.orderDay+" 10:01"), "dora@example.com"), "arrival-check", 0)
			if r.Due != tt.due || r.Channel != "sms" {
				t.Errorf("arrival-check due %s by %s, want %s by sms", r.Due, r.Channel, tt.due)
			}
			w.expectSends(t, local(t, newYork, tt.checkDay+" 09:59"))
			w.expectSends(t, local(t, newYork, tt.checkDay+" 10:00"), "sms:arrival-check")
			checkAt(t, w.customerTexts(t)[0].At, local(t, newYork, tt.checkDay+" 10:00"))
		})
	}
}

// addReply stores an unhandled text reply from a contact, as the Twilio
// webhook would, and returns its id.
func (w *workspace) addReply(t *testing.T, contactID int64, from, body string, at time.Time) int64 {
	t.Helper()
	ctx, st := context.Background(), w.openStore(t)
	r := &store.Reply{ContactID: contactID, Channel: "sms", ExternalID: fmt.Sprintf("SM%d", at.Unix()),
		From: from, Body: body, ReceivedAt: at.Unix()}
	err := st.Tx(ctx, func(tx *store.Tx) error {
		_, err := tx.AddReply(ctx, r)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func (w *workspace) contactID(t *testing.T, email string) int64 {
	t.Helper()
	for _, c := range w.contacts(t) {
		if c.Email == email {
			return c.ID
		}
	}
	t.Fatalf("no contact %s", email)
	return 0
}

func TestReplyPausesUntilHandled(t *testing.T) {
	t.Parallel()
	w := shop(t)
	w.order(t, local(t, chicago, "2026-03-02 08:00"), "emily@example.com", "2026-03-02")
	w.expectSends(t, local(t, chicago, "2026-03-02 10:00"), "email:policy-sheet")
	id := w.addReply(t, w.contactID(t, "emily@example.com"), "+13125550142", "The lavender bottle arrived cracked", local(t, chicago, "2026-03-05 12:00"))

	r := row(t, w.preview(t, local(t, chicago, "2026-03-06 12:00"), "emily@example.com"), "arrival-check", 0)
	if r.State != "paused" {
		t.Errorf("arrival-check while a reply waits: state %s, want paused", r.State)
	}
	w.expectSends(t, local(t, chicago, "2026-03-07 10:00"))

	var open []replyJSON
	w.runJSON(t, &open, "replies", "--json")
	if len(open) != 1 || open[0].ID != id || open[0].Handled {
		t.Fatalf("replies --json: %+v, want reply %d unhandled", open, id)
	}
	w.at(t, local(t, chicago, "2026-03-07 10:30"), "replies", "done", strconv.FormatInt(id, 10))
	if r := row(t, w.preview(t, local(t, chicago, "2026-03-07 10:31"), "emily@example.com"), "arrival-check", 0); r.State != "pending" {
		t.Errorf("after replies done: state %s, want pending", r.State)
	}
	w.expectSends(t, local(t, chicago, "2026-03-07 10:35"), "sms:arrival-check")
}

func TestUnsubscribedGetsNoEmail(t *testing.T) {
	t.Parallel()
	w := shop(t)
	morning := local(t, chicago, "2026-03-02 08:00")
	w.order(t, morning, "emily@example.com", "2026-03-02")
	w.order(t, morning, "nora@example.com", "2026-03-02")
	// Both journeys are queued; then both ask for no more email.
	for _, who := range []string{"emily@example.com", "NORA@example.com"} {
		w.at(t, morning.Add(time.Hour), "unsubscribe", who)
	}
	w.expectSends(t, local(t, newYork, "2026-03-02 12:00"))
	// Emily still agreed to texts: her arrival check goes by text. Nora's
	// would fall back to email, which she stopped.
	w.expectSends(t, local(t, chicago, "2026-03-07 10:00"), "sms:arrival-check")

	for _, c := range w.contacts(t) {
		if c.Email != "dora@example.com" && c.EmailStatus != store.Unsubscribed {
			t.Errorf("%s: email_status %s, want unsubscribed", c.Email, c.EmailStatus)
		}
	}
	rows := w.preview(t, local(t, newYork, "2026-03-07 12:00"), "nora@example.com")
	for _, step := range []string{"policy-sheet", "arrival-check"} {
		if r := row(t, rows, step, 0); r.State != "skipped" {
			t.Errorf("nora %s: state %s, want skipped", step, r.State)
		}
	}
}

// textsCampaign has two texts 13 hours apart, across two local days, so
// only the rolling 24-hour cap can hold the second one back.
const textsCampaign = `name = "Texts"
trigger = "order"

[[step]]
id = "evening"
after = "0d"
at = "19:00"
channel = "sms"
template = "arrival-check"

[[step]]
id = "morning"
after = "1d"
until = "3d"
at = "08:00"
channel = "sms"
template = "arrival-check"
`

func TestTextCapPerRollingDay(t *testing.T) {
	t.Parallel()
	tests := []struct {
		cap  string
		wait bool // whether the morning text waits for the evening one's 24 hours
	}{
		{"1", true},
		{"3", false},
	}
	for _, tt := range tests {
		t.Run("max "+tt.cap, func(t *testing.T) {
			w := shop(t)
			w.setKey(t, "sending", "max_texts_per_day", tt.cap)
			w.write(t, "campaigns/post-order.toml", textsCampaign)
			w.order(t, local(t, chicago, "2026-03-02 08:00"), "emily@example.com", "2026-03-02")
			w.expectSends(t, local(t, chicago, "2026-03-02 19:00"), "sms:evening")
			if !tt.wait {
				w.expectSends(t, local(t, chicago, "2026-03-03 08:00"), "sms:morning")
				return
			}
			w.expectSends(t, local(t, chicago, "2026-03-03 08:00"))
			r := row(t, w.preview(t, local(t, chicago, "2026-03-03 08:01"), "emily@example.com"), "morning", 0)
			if r.Due != "2026-03-03T19:00:00-06:00" {
				t.Errorf("capped text due %s, want 24 hours after the last one", r.Due)
			}
			w.expectSends(t, local(t, chicago, "2026-03-03 18:59"))
			w.expectSends(t, local(t, chicago, "2026-03-03 19:00"), "sms:morning")
		})
	}
}

// TestOneMessageADayAcrossOrders: a second order's policy sheet lands on
// the day the first order's step was due. The customer hears once that
// day, and it is about the new order.
func TestOneMessageADayAcrossOrders(t *testing.T) {
	t.Parallel()
	t.Run("later policy sheet before earlier check-in", func(t *testing.T) {
		w := shop(t)
		w.order(t, local(t, chicago, "2026-03-02 08:00"), "emily@example.com", "2026-03-02")
		w.expectSends(t, local(t, chicago, "2026-03-02 10:00"), "email:policy-sheet")
		w.expectSends(t, local(t, chicago, "2026-03-07 10:00"), "sms:arrival-check")
		w.order(t, local(t, chicago, "2026-03-30 08:00"), "emily@example.com", "2026-03-30")
		w.expectSends(t, local(t, chicago, "2026-03-30 10:00"), "email:policy-sheet")
		// The first order's check-in goes the next day, not the same day.
		w.expectSends(t, local(t, chicago, "2026-03-31 10:00"), "email:four-week-checkin")
		for _, e := range w.customerEmails(t) {
			if e.Date.Equal(local(t, chicago, "2026-03-30 10:00")) && !strings.HasPrefix(e.Subject, "Thank you for your order") {
				t.Errorf("30 March email %q, want the new order's policy sheet", e.Subject)
			}
		}
	})
	t.Run("later policy sheet replaces earlier tips", func(t *testing.T) {
		w := shop(t)
		w.order(t, local(t, chicago, "2026-03-02 08:00"), "nora@example.com", "2026-03-02")
		for _, day := range []string{"2026-03-02", "2026-03-07", "2026-03-30"} {
			w.tick(t, local(t, newYork, day+" 10:00"))
		}
		// The first tip would be due 6 April; a new order that morning.
		w.order(t, local(t, newYork, "2026-04-06 08:00"), "nora@example.com", "2026-04-06")
		w.expectSends(t, local(t, newYork, "2026-04-06 10:00"), "email:policy-sheet")
		w.expectSends(t, local(t, newYork, "2026-04-07 10:00"))
		// Tips start over from the new order, with the first of the series.
		w.expectSends(t, local(t, newYork, "2026-04-11 10:00"), "email:arrival-check")
		w.expectSends(t, local(t, newYork, "2026-05-04 10:00"), "email:four-week-checkin")
		w.expectSends(t, local(t, newYork, "2026-05-11 10:00"), "email:monthly-tips")
		emails := w.customerEmails(t)
		if got := emails[len(emails)-1].Subject; got != "A quick tip: keeping your products at their best" {
			t.Errorf("first tip after the new order: %q, want the first of the series", got)
		}
	})
	t.Run("orders imported newest first", func(t *testing.T) {
		w := shop(t)
		w.write(t, "orders.csv", "Email,Order Date,Invoice\n"+
			"emily@example.com,2026-04-06,INV-2\n"+
			"emily@example.com,2026-01-10,INV-1\n")
		w.at(t, local(t, chicago, "2026-04-06 09:00"), "import", w.path("orders.csv"))
		w.expectSends(t, local(t, chicago, "2026-04-06 10:00"), "email:policy-sheet")
		// The old order's tips must not cut in before the new order's.
		w.expectSends(t, local(t, chicago, "2026-04-07 10:00"))
		w.expectSends(t, local(t, chicago, "2026-04-11 10:00"), "sms:arrival-check")
		w.expectSends(t, local(t, chicago, "2026-04-14 10:00"))
		var tips []previewRow
		for _, r := range w.preview(t, local(t, chicago, "2026-04-14 12:00"), "emily@example.com") {
			if r.Step == "monthly-tips" && !strings.HasPrefix(r.Note, "repeats every") { // queued rows only
				tips = append(tips, r)
			}
		}
		if len(tips) != 2 || tips[0].State != "cancelled" || tips[1].State != "pending" || tips[1].Due != "2026-05-11T10:00:00-05:00" {
			t.Errorf("monthly tips %+v, want the old order's cancelled and the new order's due 11 May", tips)
		}
	})
}

// An import of past orders: steps whose moment went by before the order
// was recorded are reported, not queued, and `preview` still shows them
// in their place as skipped, with why.
func TestImportedHistoryShowsPassedSteps(t *testing.T) {
	t.Parallel()
	w, now, got := importHistory(t)
	passed := []string{"policy-sheet", "arrival-check", "first-week-call", "four-week-checkin"}
	if got.Journeys != 1 || got.PastSteps != len(passed) {
		t.Errorf("summary %+v, want 1 journey and %d past steps", got, len(passed))
	}
	q := w.queue(t)
	if q[store.Skipped] != 0 || q[store.Pending] != 1 {
		t.Errorf("queue %v, want only the monthly tips pending and no rows for the passed steps", q)
	}
	rows := w.preview(t, now, "frank@example.com")
	checkPreviewContract(t, rows, chicago)
	for _, step := range passed {
		r := row(t, rows, step, 0)
		if r.State != store.Skipped || !strings.Contains(r.Note, "already passed") {
			t.Errorf("preview %s: %+v, want skipped as already passed", step, r)
		}
	}
	if r := row(t, rows, "monthly-tips", 0); r.State != store.Pending {
		t.Errorf("preview monthly-tips: %+v, want pending", r)
	}
	if first := rows[0]; first.Step != "policy-sheet" || !strings.HasPrefix(first.Due, "2026-01-02T") {
		t.Errorf("preview starts with %+v, want the policy sheet of 2 January", first)
	}
}

// importHistory imports Frank's order of 2 January on 2 March, when most
// of its steps have passed.
func importHistory(t *testing.T) (*workspace, time.Time, enroll.Summary) {
	t.Helper()
	w := newWorkspace(t)
	w.write(t, "history.csv", "First Name,Email,Order Date,Invoice\nFrank,frank@example.com,2026-01-02,INV-7\n")
	now := local(t, chicago, "2026-03-02 09:00")
	return w, now, w.importJSON(t, w.path("history.csv"), false, "--now", now.Format(time.RFC3339))
}

// The dashboard's timeline of a contact is preview's: the steps of an
// imported order that had passed before it was recorded are there too.
func TestDashboardTimelineShowsPassedSteps(t *testing.T) {
	t.Parallel()
	w, now, _ := importHistory(t)
	w.stdin = "lavender fields forever\n"
	w.mustRun(t, "passwd")
	addr := freeAddr(t)
	w.setKey(t, "http", "listen", strconv.Quote(addr))
	w.setKey(t, "http", "public_url", strconv.Quote("http://"+addr))
	d := startDaemon(t, w, addr, now)

	// The session cookie expires by the daemon's clock (March), so it is
	// carried by hand rather than by a cookie jar living in today.
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.PostForm(d.base+"/dashboard/login", url.Values{"password": {"lavender fields forever"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookies := resp.Cookies()
	if resp.StatusCode != http.StatusSeeOther || len(cookies) == 0 {
		t.Fatalf("sign-in: %s with %d cookies", resp.Status, len(cookies))
	}
	req, err := http.NewRequest(http.MethodGet, fmt.Sprintf("%s/dashboard/contacts/%d", d.base, w.contactID(t, "frank@example.com")), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.AddCookie(cookies[0])
	resp, err = client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("contact page: %s", resp.Status)
	}
	for _, want := range []string{"policy-sheet", "four-week-checkin", "already passed", "monthly-tips"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("contact page lacks %q:\n%s", want, page)
		}
	}
	d.shutdown(t)
}

// The commands init suggests work as printed, from where it was run.
func TestInitSuggestsCommandsThatWork(t *testing.T) {
	t.Parallel()
	dir := filepath.Join(t.TempDir(), "amy")
	out, errOut, code := runCLI(t, nil, "", "init", dir)
	if code != exitOK {
		t.Fatalf("init: exit %d\n%s", code, errOut)
	}
	_, next, _ := strings.Cut(out, "Next:\n")
	for _, line := range strings.Split(strings.TrimSpace(next), "\n") {
		args := strings.Fields(line)
		if len(args) < 2 || args[0] != "rapport" || args[len(args)-1] == "run" {
			continue
		}
		if _, errOut, code := runCLI(t, nil, "", args[1:]...); code != exitOK {
			t.Errorf("%s: exit %d\n%s", line, code, errOut)
		}
	}
}
