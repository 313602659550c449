package dashboard

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rapportapp/rapport/internal/testsrv/needtool"
)

// chromium finds a Chromium or Chrome to drive. CI must have one (.ci/run
// installs the chromium package), so there a missing browser fails.
// headless starts Chromium for one test, stopped when the test
// ends or after timeout: the test skips (or fails under CI=1) when no
// Chromium is installed.
func headless(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	exe := needtool.Path(t, "apt-get install chromium", "chromium", "chromium-browser", "google-chrome")
	// No sandbox: Chromium refuses one as root, and CI containers often
	// lack the user namespaces it needs; the pages are our own, on loopback.
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe),
		chromedp.Flag("headless", true), chromedp.NoSandbox)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	t.Cleanup(cancel)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	t.Cleanup(cancelAlloc)
	ctx, cancelBrowser := chromedp.NewContext(ctx, chromedp.WithLogf(t.Logf))
	t.Cleanup(cancelBrowser)
	return ctx
}

// TestBrowserSignInAndMarkHandled is the rep's round trip in a real
// browser: sign in through the form, see the flagged reply, press "Mark
// handled", and read the contact's timeline.
func TestBrowserSignInAndMarkHandled(t *testing.T) {
	ctx := headless(t, 60*time.Second)
	f := newFixture(t)
	f.setPassword(t, password)
	f.withEngine(t, t.TempDir())
	srv := httptest.NewServer(f.h)
	defer srv.Close()

	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("browser: %v", err)
		}
	}
	read := func(a chromedp.Action[string]) string {
		t.Helper()
		s, err := chromedp.Run(ctx, a)
		if err != nil {
			t.Fatalf("browser: %v", err)
		}
		return s
	}
	text := func(sel string) string { t.Helper(); return read(chromedp.Text(chromedp.CSS(sel))) }

	reply := fmt.Sprintf("article#reply-%d", f.reply)
	do(chromedp.Navigate(srv.URL+"/dashboard/"), chromedp.WaitVisible(chromedp.CSS("#password")))
	loginURL := read(chromedp.Location())
	do(chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS("form.login button")),
		chromedp.WaitVisible(chromedp.CSS("a.thread-link")),
		chromedp.Navigate(srv.URL+"/dashboard/replies"),
		chromedp.WaitVisible(chromedp.CSS(reply)))
	flags, deadlines := text(reply+" .flags"), text(reply+" .deadlines")
	// The stylesheet loaded under the page's Content-Security-Policy.
	badgeColor := read(chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".badge.problem")).color`))
	do(chromedp.Click(chromedp.CSS(reply+" form[action$='/done'] button")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	notice, afterURL := text(".notice"), read(chromedp.Location())

	if !strings.HasSuffix(loginURL, "/dashboard/login") {
		t.Errorf("signed out, /dashboard/ went to %s, want the sign-in page", loginURL)
	}
	if strings.TrimSpace(flags) != "leak" || !strings.Contains(deadlines, "report the damage to the company by Mon 16 Mar") {
		t.Errorf("reply shows flags %q, deadlines %q", flags, deadlines)
	}
	if badgeColor != "rgb(180, 35, 24)" {
		t.Errorf("problem badge colour %q: style.css did not apply", badgeColor)
	}
	if notice != "Marked handled: Jane Doe's follow-up resumes." {
		t.Errorf("after Mark handled the page says %q", notice)
	}
	if !strings.HasSuffix(afterURL, fmt.Sprintf("/dashboard/replies?done=%d", f.reply)) {
		t.Errorf("after Mark handled the browser is at %s", afterURL)
	}
	r, err := f.st.Reply(context.Background(), f.reply)
	if err != nil {
		t.Fatal(err)
	}
	if r.HandledAt == 0 {
		t.Fatal("the page says handled, the database does not")
	}

	stillWaiting := text(fmt.Sprintf("article#reply-%d", f.stranger))
	do(chromedp.Navigate(fmt.Sprintf("%s/dashboard/contacts/%d", srv.URL, f.jane)),
		chromedp.WaitVisible(chromedp.CSS("table.timeline")))
	row := text("table.timeline tbody tr:last-child")
	if !strings.Contains(stillWaiting, "from someone not in your customers") {
		t.Errorf("the other reply: %q", stillWaiting)
	}
	for _, want := range []string{"Fri 6 Mar 2026, 10:00 EST", "post-order / arrival-check", "text", "pending"} {
		if !strings.Contains(row, want) {
			t.Errorf("timeline row %q lacks %q", row, want)
		}
	}

	// On a 360-pixel phone: the thread fits the screen, and the reply
	// form sends.
	do(chromedp.EmulateViewport(360, 740),
		chromedp.Navigate(fmt.Sprintf("%s/dashboard/conversations/%d", srv.URL, f.jane)),
		chromedp.WaitVisible(chromedp.CSS("form.answer button")))
	width := read(chromedp.Evaluate[string](`String(document.documentElement.scrollWidth)`))
	do(chromedp.SendKeys(chromedp.CSS("#text"), "A new bottle ships today."),
		chromedp.Click(chromedp.CSS("form.answer button")),
		chromedp.WaitVisible(chromedp.CSS(".notice")))
	sent, last := text(".notice"), text("ol.thread > li:last-child")
	if width != "360" {
		t.Errorf("the thread page is %s pixels wide on a 360-pixel screen", width)
	}
	if !strings.HasPrefix(sent, "Sent: your text") || !strings.Contains(last, "A new bottle ships today.") {
		t.Errorf("after Send: notice %q, last message %q", sent, last)
	}

	// A case opened from the flagged reply on the thread page, then the
	// Cases page and the case's own page, on a phone and on a desktop:
	// no sideways scrolling.
	do(chromedp.Navigate(fmt.Sprintf("%s/dashboard/conversations/%d", srv.URL, f.jane)),
		chromedp.WaitVisible(chromedp.CSS("form[action$='/case'] button")),
		chromedp.Click(chromedp.CSS("form[action$='/case'] button")),
		chromedp.WaitVisible(chromedp.CSS("form[action$='/update']")))
	caseH1 := text("h1")
	if !strings.Contains(caseH1, "Jane Doe: leak") {
		t.Errorf("after Open a case the page says %q", caseH1)
	}
	for _, size := range [][2]int64{{360, 740}, {1280, 800}} {
		for _, page := range []string{"/dashboard/cases", read(chromedp.Location())} {
			if !strings.HasPrefix(page, "http") {
				page = srv.URL + page
			}
			do(chromedp.EmulateViewport(size[0], size[1]), chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("h1")))
			w := read(chromedp.Evaluate[string](`String(document.documentElement.scrollWidth)`))
			if w != fmt.Sprint(size[0]) {
				t.Errorf("%s is %s pixels wide on a %d-pixel screen", page, w, size[0])
			}
		}
	}
	if list := text("main"); !strings.Contains(list, "Still to collect") || !strings.Contains(list, "Next:") {
		t.Errorf("the case page lacks its checklist or next step:\n%s", list)
	}
}
