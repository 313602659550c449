package main

// The rep's workspace end to end: real headless Chromium against `rapport
// run` (in-process, on loopback) with a seeded database, texts through the
// Twilio stand-in and email through an SMTP server.

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rapportapp/rapport/internal/testsrv/needtool"
	"github.com/rapportapp/rapport/internal/testsrv/smtpsink"
	"github.com/rapportapp/rapport/internal/testsrv/twiliotest"
)

const e2ePassword = "lavender fields forever"

// e2e is the running daemon, its outside world and one browser tab.
type e2e struct {
	t     *testing.T
	w     *workspace
	d     *runningDaemon
	tw    *twiliotest.Server
	sink  *smtpsink.Sink
	db    *sql.DB
	ctx   context.Context
	shots string // where screenshots go
	n     int    // screenshots taken, for their order
}

// newE2E seeds a workspace (Jane ordered on 23 February, so her call is
// due today; Bob on 27 February, so his steps are upcoming; Bob emailed),
// starts `rapport run` at Tue 3 March 12:00 Chicago, and a browser.
func newE2E(t *testing.T) *e2e {
	exe := needtool.Path(t, "apt-get install chromium", "chromium", "chromium-browser", "google-chrome")
	e := &e2e{t: t, tw: twiliotest.Start(t), sink: smtpsink.Start(t)}
	w := customerWorkspace(t)
	e.w = w
	useSMTP(t, w, e.sink.Host, e.sink.Port)
	w.setKey(t, "sms", "transport", `"twilio"`)
	w.setKey(t, "sms", "rate", "50.0")
	w.appendConfig(t, fmt.Sprintf("[sms.twilio]\naccount_sid = %q\nauth_token = %q\nfrom = %q\napi_base_url = %q",
		e.tw.AccountSID, e.tw.AuthToken, repNumber, e.tw.URL))
	addr := freeAddr(t)
	w.setKey(t, "http", "listen", strconv.Quote(addr))
	w.setKey(t, "http", "public_url", strconv.Quote("http://"+addr))
	w.stdin = e2ePassword + "\n"
	w.mustRun(t, "passwd")
	w.at(t, cst(t, orderDay+" 08:30"), "order", "add", "--contact", janeAddr, "--date", "2026-02-23", "--invoice", "INV-1")
	w.at(t, cst(t, orderDay+" 08:30"), "order", "add", "--contact", bobAddr, "--date", "2026-02-27", "--invoice", "INV-2")
	bobWrites(t, w, "CAB-77.q@mail.example.net", "Question about my order")
	e.db = openDB(t, w)
	e.d = startDaemon(t, w, addr, cst(t, "2026-03-03 12:00"))

	e.shots = os.Getenv("RAPPORT_SCREENSHOTS")
	if e.shots == "" {
		e.shots = t.TempDir()
	}
	if err := os.MkdirAll(e.shots, 0o755); err != nil {
		t.Fatal(err)
	}
	// No sandbox: Chromium refuses one as root, and CI containers often
	// lack the user namespaces it needs; the pages are our own, on loopback.
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe),
		chromedp.Flag("headless", true), chromedp.NoSandbox)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelBrowser := chromedp.NewContext(ctx, chromedp.WithLogf(t.Logf))
	t.Cleanup(cancelBrowser)
	e.ctx = ctx
	return e
}

func (e *e2e) do(steps ...chromedp.Action[chromedp.Void]) {
	e.t.Helper()
	if err := chromedp.Do(e.ctx, steps...); err != nil {
		e.t.Fatalf("browser: %v\ndaemon:\n%s", err, e.d.out)
	}
}

func (e *e2e) eval(js string) string {
	e.t.Helper()
	s, err := chromedp.Run(e.ctx, chromedp.Evaluate[string](js, chromedp.EvalAwaitPromise))
	if err != nil {
		e.t.Fatalf("browser: %s: %v", js, err)
	}
	return s
}

func (e *e2e) text(sel string) string {
	e.t.Helper()
	s, err := chromedp.Run(e.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		e.t.Fatalf("browser: text of %s: %v", sel, err)
	}
	return s
}

// open goes to a dashboard path and waits for its main part.
func (e *e2e) open(path string) {
	e.t.Helper()
	e.do(chromedp.Navigate(e.d.base+path), chromedp.WaitVisible(chromedp.CSS("main")))
}

// shot saves a screenshot of the whole page and checks that it does not
// scroll sideways.
func (e *e2e) shot(name string) {
	e.t.Helper()
	// A page not laid out yet has no size to take; a moment later it has.
	img, err := chromedp.Run(e.ctx, chromedp.FullScreenshot(80))
	for try := 0; err != nil && try < 20; try++ {
		time.Sleep(50 * time.Millisecond)
		img, err = chromedp.Run(e.ctx, chromedp.FullScreenshot(80))
	}
	if err != nil {
		e.t.Fatalf("screenshot of %s: %v", name, err)
	}
	w := e.eval(`String(window.innerWidth)`)
	e.n++
	if err := os.WriteFile(filepath.Join(e.shots, fmt.Sprintf("e2e-%02d-%s-%s.jpg", e.n, name, w)), img, 0o644); err != nil {
		e.t.Fatal(err)
	}
	if e.eval(`String(document.documentElement.scrollWidth <= window.innerWidth)`) != "true" {
		e.t.Errorf("%s at %s px scrolls sideways", name, w)
	}
}

// submit clicks a form's button and waits until the page it leads to
// has loaded (a mark left on the old page is gone).
func (e *e2e) submit(sel string) {
	e.t.Helper()
	e.eval(`window.__old = "yes"`)
	e.do(chromedp.Click(chromedp.CSS(sel)))
	deadline := time.Now().Add(10 * time.Second)
	for {
		s, err := chromedp.Run(e.ctx, chromedp.Evaluate[string](`String(window.__old) + " " + document.readyState`))
		if err == nil && s == "undefined complete" {
			return
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("no new page 10s after clicking %s (%q, %v)", sel, s, err)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// waitFor polls cond (a question to the database or a server) until it
// holds.
func (e *e2e) waitFor(what string, cond func() bool) {
	e.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			e.t.Fatalf("after 10s, still not: %s\ndaemon:\n%s", what, e.d.out)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

func (e *e2e) count(query string, args ...any) int {
	e.t.Helper()
	var n int
	if err := e.db.QueryRow(query, args...).Scan(&n); err != nil {
		e.t.Fatalf("%s: %v", query, err)
	}
	return n
}

func (e *e2e) contactID(email string) int64 {
	e.t.Helper()
	return int64(e.count("SELECT id FROM contacts WHERE email = ?", email))
}

// textsTo is what Twilio received for one number.
func (e *e2e) textsTo(to string) []string {
	var out []string
	for _, m := range e.tw.Sent() {
		if m.To == to {
			out = append(out, m.From+": "+m.Body)
		}
	}
	return out
}

// TestBrowserRepWorkspace is the rep's day on the dashboard of the running
// daemon, on a phone and on a desktop.
func TestBrowserRepWorkspace(t *testing.T) {
	e := newE2E(t)
	sendText(t, e.tw, e.d, janeE164, "Hi Amy, the bottle arrived leaking all over the box")
	e.checkSignedOut()
	for _, size := range [][2]int64{{360, 740}, {1280, 800}} {
		e.do(chromedp.EmulateViewport(size[0], size[1]))
		e.signIn()
		for _, p := range []string{"/dashboard/", "/dashboard/today", "/dashboard/upcoming", "/dashboard/import",
			"/dashboard/campaigns", "/dashboard/contacts", fmt.Sprintf("/dashboard/contacts/%d", e.contactID(janeAddr))} {
			e.open(p)
			e.shot(strings.Trim(strings.ReplaceAll(strings.TrimPrefix(p, "/dashboard"), "/", "-"), "-"))
		}
		e.do(chromedp.Evaluate[chromedp.Void](`document.querySelector("form[action='/dashboard/logout'] button").click()`),
			chromedp.WaitVisible(chromedp.CSS("#password")))
	}
	e.do(chromedp.EmulateViewport(360, 740))
	e.signIn()
	e.answerByText()
	e.customerWritesAgain()
	e.answerByEmail()
	e.customerLifecycle()
	e.todayAndUpcoming()
	e.importCSV()
	e.postWithoutToken()
}

// checkSignedOut: / leads to the dashboard, and every page without a
// session redirects to the sign-in page.
func (e *e2e) checkSignedOut() {
	t := e.t
	t.Helper()
	if code, _ := fetchNoFollow(t, e.d.base+"/"); code != http.StatusSeeOther && code != http.StatusFound && code != http.StatusMovedPermanently {
		t.Errorf("GET / answered %d, want a redirect to the dashboard", code)
	}
	jane := e.contactID(janeAddr)
	for _, p := range []string{"/dashboard/", "/dashboard/today", "/dashboard/upcoming", "/dashboard/import", "/dashboard/campaigns",
		"/dashboard/contacts", "/dashboard/contacts/new", fmt.Sprintf("/dashboard/contacts/%d", jane),
		fmt.Sprintf("/dashboard/conversations/%d", jane), fmt.Sprintf("/dashboard/conversations/%d/stamp", jane),
		"/dashboard/replies", "/dashboard/cases", "/dashboard/status"} {
		code, loc := fetchNoFollow(t, e.d.base+p)
		if code != http.StatusSeeOther || !strings.HasSuffix(loc, "/dashboard/login") {
			t.Errorf("GET %s signed out: %d to %q, want 303 to the sign-in page", p, code, loc)
		}
	}
}

// fetchNoFollow GETs link and returns the status and the Location.
func fetchNoFollow(t *testing.T, link string) (int, string) {
	t.Helper()
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	resp, err := client.Get(link)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Location")
}

// signIn signs in through the form and lands on Conversations, Jane's
// flagged reply first.
func (e *e2e) signIn() {
	e.t.Helper()
	e.do(chromedp.Navigate(e.d.base+"/dashboard/"), chromedp.WaitVisible(chromedp.CSS("#password")),
		chromedp.SendKeys(chromedp.CSS("#password"), e2ePassword),
		chromedp.Click(chromedp.CSS("form.login button")), chromedp.WaitVisible(chromedp.CSS("a.thread-link")))
	first := e.eval(`document.querySelector("a.thread-link").className + " " + document.querySelector("a.thread-link").getAttribute("href")`)
	want := fmt.Sprintf("/dashboard/conversations/%d", e.contactID(janeAddr))
	if !strings.Contains(first, "flagged") || !strings.HasSuffix(first, want) {
		e.t.Errorf("the first conversation is %q, want Jane's flagged one (%s)", first, want)
	}
	if s := e.text("a.thread-link .flags"); !strings.Contains(s, "leak") {
		e.t.Errorf("the first conversation's flags say %q, want the leak", s)
	}
}

// answerByText answers Jane from her thread: Twilio gets one text from
// the Twilio number, the thread shows it, the same form posted again
// sends nothing more.
func (e *e2e) answerByText() {
	t := e.t
	t.Helper()
	e.do(chromedp.Click(chromedp.CSS("a.thread-link")), chromedp.WaitVisible(chromedp.CSS("form.answer button")),
		chromedp.SendKeys(chromedp.CSS("#text"), "So sorry, Jane! A new bottle ships today."))
	e.shot("thread-jane")
	form := e.eval(`new URLSearchParams(new FormData(document.querySelector("form.answer"))).toString()`)
	if !strings.Contains(form, "channel=sms") {
		t.Errorf("the form answers by %q, want a text (the channel Jane used)", form)
	}
	e.submit("form.answer button")
	// The second click of an impatient thumb: the same form, number and all.
	again := e.eval(fmt.Sprintf(`fetch(location.pathname + "/reply", {method: "POST", body: new URLSearchParams(%q)}).then(r => String(r.status))`, form))
	e.waitFor("Twilio receives the answer", func() bool { return len(e.textsTo(janeE164)) >= 1 })
	e.do(chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS("ol.thread")))
	last := e.text("ol.thread > li:last-child")
	e.shot("thread-jane-answered")
	time.Sleep(300 * time.Millisecond) // a second text would have gone by now: the queue was awake
	texts := e.textsTo(janeE164)
	if len(texts) != 1 || !strings.HasPrefix(texts[0], repNumber+": So sorry, Jane! A new bottle ships today.") {
		t.Errorf("Twilio received %q for Jane, want the answer once, from %s", texts, repNumber)
	}
	if again != "200" || !strings.Contains(last, "A new bottle ships today.") {
		t.Errorf("second post answered %s; the thread's last message is %q", again, last)
	}
	if n := e.count("SELECT count(*) FROM messages WHERE kind = 'rep' AND contact_id = ?", e.contactID(janeAddr)); n != 1 {
		t.Errorf("%d messages from the rep to Jane queued, want 1", n)
	}
}

// customerWritesAgain: a signed webhook from Jane while the rep looks at
// her thread; the page shows it without being reloaded by hand.
func (e *e2e) customerWritesAgain() {
	e.t.Helper()
	e.eval(`window.__same = "still this page"`)
	sendText(e.t, e.tw, e.d, janeE164, "Thank you! Thursday works.")
	deadline := time.Now().Add(10 * time.Second)
	for {
		// Errors while the page reloads itself are expected: ask again.
		s, err := chromedp.Run(e.ctx, chromedp.Evaluate[string](`document.querySelector("ol.thread") ? document.querySelector("ol.thread").textContent : ""`))
		if err == nil && strings.Contains(s, "Thursday works.") {
			break
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("the thread does not show Jane's new text 10s after it came:\n%s", s)
		}
		time.Sleep(100 * time.Millisecond)
	}
	e.shot("thread-jane-refreshed")
	if e.eval(`String(window.__same)`) != "undefined" {
		e.t.Error("the thread showed the new text without reloading: the test saw a stale page")
	}
}

// answerByEmail answers Bob's email: the SMTP server gets it threaded to
// his message.
func (e *e2e) answerByEmail() {
	t := e.t
	t.Helper()
	e.open(fmt.Sprintf("/dashboard/conversations/%d", e.contactID(bobAddr)))
	e.do(chromedp.SendKeys(chromedp.CSS("#text"), "Hi Bob, it ships Monday. Amy"))
	e.submit("form.answer button")
	e.waitFor("the SMTP server receives the answer to Bob", func() bool { return len(sinkMessagesTo(e.sink, bobAddr)) >= 1 })
	data := string(sinkMessagesTo(e.sink, bobAddr)[0].Data)
	for _, want := range []string{"In-Reply-To: <CAB-77.q@mail.example.net>", "Subject: Re: Question about my order", "it ships Monday."} {
		if !strings.Contains(data, want) {
			t.Errorf("the email to Bob lacks %q:\n%s", want, data)
		}
	}
}

// customerLifecycle adds a customer, an order (its journey appears),
// cancels it (the pending steps go), corrects the phone, and removes the
// customer (gone from search, nothing queued).
func (e *e2e) customerLifecycle() {
	t := e.t
	e.open("/dashboard/contacts/new")
	form := "form[action='/dashboard/contacts/new'] "
	for _, f := range [][2]string{{"first_name", "Nora"}, {"last_name", "Ngata"}, {"email", "nora@example.net"},
		{"phone", "(312) 555-0177"}, {"sms_consent", "in person at the market"}} {
		e.do(chromedp.SendKeys(chromedp.CSS(form+"input[name="+f[0]+"]"), f[1]))
	}
	e.submit(form + "button")
	nora := e.contactID("nora@example.net")
	e.do(chromedp.Click(chromedp.CSS("details:has(form[action$='/orders']) summary")),
		chromedp.SendKeys(chromedp.CSS("form[action$='/orders'] input[name=invoice]"), "INV-9"),
		chromedp.SendKeys(chromedp.CSS("form[action$='/orders'] textarea[name=items]"), "Lavender oil"))
	e.submit("form[action$='/orders'] button")
	e.shot("customer-order")
	if tl := e.text("table.timeline"); !strings.Contains(tl, "post-order / ") {
		t.Errorf("no journey on Nora's page after the order:\n%s", tl)
	}
	pending := "SELECT count(*) FROM messages WHERE contact_id = ? AND state = 'pending'"
	if e.count(pending, nora) == 0 {
		t.Fatal("the order queued nothing for Nora")
	}
	e.submit("form[action$='/cancel'] button")
	if n := e.count(pending, nora); n != 0 {
		t.Errorf("%d steps still pending after the order was cancelled", n)
	}
	e.do(chromedp.Click(chromedp.CSS("details:has(form[action$='/edit']) summary")),
		chromedp.SetValue(chromedp.CSS("form[action$='/edit'] input[name=phone]"), "312 555 0188"))
	e.submit("form[action$='/edit'] button")
	var phone string
	if err := e.db.QueryRow("SELECT phone FROM contacts WHERE id = ?", nora).Scan(&phone); err != nil || phone != "+13125550188" {
		t.Errorf("Nora's phone is %q after the correction (%v)", phone, err)
	}
	e.do(chromedp.Click(chromedp.CSS("a[href$='/remove']")), chromedp.WaitVisible(chromedp.CSS("button.danger")))
	if h := e.text("h1"); !strings.Contains(h, "Nora Ngata") {
		t.Errorf("the confirmation says %q, want Nora named", h)
	}
	e.shot("customer-remove")
	e.submit("button.danger")
	e.open("/dashboard/contacts?q=Nora")
	if s := e.text("main"); strings.Contains(s, "Ngata") {
		t.Errorf("search still finds Nora after she was removed:\n%s", s)
	}
	if n := e.count("SELECT count(*) FROM messages WHERE contact_id = ?", nora); n != 0 {
		t.Errorf("%d messages kept for Nora after she was removed", n)
	}
}

// todayAndUpcoming marks Jane's call done from Today and skips one of
// Bob's steps from Upcoming.
func (e *e2e) todayAndUpcoming() {
	t := e.t
	t.Helper()
	task := e.count("SELECT id FROM messages WHERE contact_id = ? AND channel = 'task' ORDER BY due_at LIMIT 1", e.contactID(janeAddr))
	e.open("/dashboard/today")
	e.do(chromedp.Click(chromedp.CSS(fmt.Sprintf("#task-%d form[action$='/done'] button", task))),
		chromedp.WaitNotPresent(chromedp.CSS(fmt.Sprintf("#task-%d", task))))
	if e.count("SELECT count(*) FROM messages WHERE id = ? AND done_at != 0", task) != 1 {
		t.Error("Jane's call is not done after the click")
	}
	step := e.count(`SELECT id FROM messages WHERE contact_id = ? AND state = 'pending' AND due_at < ? ORDER BY due_at LIMIT 1`,
		e.contactID(bobAddr), cst(t, "2026-03-10 00:00").Unix())
	e.open("/dashboard/upcoming")
	e.do(chromedp.Click(chromedp.CSS(fmt.Sprintf("#upcoming-%d button", step))),
		chromedp.WaitNotPresent(chromedp.CSS(fmt.Sprintf("#upcoming-%d", step))))
	if e.count("SELECT count(*) FROM messages WHERE id = ? AND state = 'skipped'", step) != 1 {
		t.Error("Bob's step is not skipped after the click")
	}
}

// importCSV uploads a file on the Import page: the dry run writes nothing,
// the confirmation imports.
func (e *e2e) importCSV() {
	t := e.t
	t.Helper()
	csv := filepath.Join(t.TempDir(), "market.csv")
	if err := os.WriteFile(csv, []byte("First Name,Last Name,Email,Shoe Size\nOlga,Ortiz,olga@example.net,38\nNo,Address,,\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	e.open("/dashboard/import")
	e.do(chromedp.SetUploadFiles(chromedp.CSS("#file"), []string{csv}),
		chromedp.Click(chromedp.CSS("form[action='/dashboard/import'] button")),
		chromedp.WaitVisible(chromedp.CSS("form[action$='/confirm'] button")))
	report := e.text("main")
	e.shot("import-dry-run")
	olga := "SELECT count(*) FROM contacts WHERE email = 'olga@example.net'"
	if e.count(olga) != 0 {
		t.Error("the dry run wrote Olga")
	}
	if !strings.Contains(report, "Dry run") || !strings.Contains(report, "1 added") || !strings.Contains(report, "line 3") ||
		!strings.Contains(report, "Shoe Size") {
		t.Errorf("the dry-run report:\n%s", report)
	}
	e.do(chromedp.Click(chromedp.CSS("form[action$='/confirm'] button")), chromedp.WaitVisible(chromedp.CSS("p.notice")))
	if s := e.text("p.notice"); !strings.Contains(s, "Imported:") || e.count(olga) != 1 {
		t.Errorf("after confirming: %q, Olga stored %d times", s, e.count(olga))
	}
}

// postWithoutToken: a signed-in POST without the form's token is refused
// and changes nothing.
func (e *e2e) postWithoutToken() {
	bob := e.contactID(bobAddr)
	code := e.eval(fmt.Sprintf(`fetch("/dashboard/contacts/%d/pause", {method: "POST", body: new URLSearchParams("x=1")}).then(r => String(r.status))`, bob))
	if code != "403" {
		e.t.Errorf("POST without the form token answered %s, want 403", code)
	}
	if n := e.count("SELECT count(*) FROM contacts WHERE id = ? AND paused_at != 0", bob); n != 0 {
		e.t.Error("Bob is paused by a POST without the form token")
	}
}
