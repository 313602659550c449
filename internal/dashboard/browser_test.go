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
func chromium(t *testing.T) string {
	t.Helper()
	return needtool.Path(t, "apt-get install chromium", "chromium", "chromium-browser", "google-chrome")
}

// TestBrowserSignInAndMarkHandled is the rep's round trip in a real
// browser: sign in through the form, see the flagged reply, press "Mark
// handled", and read the contact's timeline.
func TestBrowserSignInAndMarkHandled(t *testing.T) {
	exe := chromium(t)
	f := newFixture(t)
	f.setPassword(t, password)
	srv := httptest.NewServer(f.h)
	defer srv.Close()

	// No sandbox: Chromium refuses one as root, and CI containers often
	// lack the user namespaces it needs; the pages are our own, on loopback.
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(exe),
		chromedp.Flag("headless", true), chromedp.NoSandbox)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	ctx, cancelBrowser := chromedp.NewContext(ctx, chromedp.WithLogf(t.Logf))
	defer cancelBrowser()

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
		chromedp.WaitVisible(chromedp.CSS(reply)))
	flags, deadlines := text(reply+" .flags"), text(reply+" .deadlines")
	// The stylesheet loaded under the page's Content-Security-Policy.
	badgeColor := read(chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".badge.problem")).color`))
	do(chromedp.Click(chromedp.CSS(reply+" button")), chromedp.WaitVisible(chromedp.CSS(".notice")))
	notice, afterURL := text(".notice"), read(chromedp.Location())

	if !strings.HasSuffix(loginURL, "/dashboard/login") {
		t.Errorf("signed out, /dashboard/ went to %s, want the sign-in page", loginURL)
	}
	if strings.TrimSpace(flags) != "leaking" || !strings.Contains(deadlines, "report the damage to the company by Mon 16 Mar") {
		t.Errorf("reply shows flags %q, deadlines %q", flags, deadlines)
	}
	if badgeColor != "rgb(180, 35, 24)" {
		t.Errorf("problem badge colour %q: style.css did not apply", badgeColor)
	}
	if notice != "Marked handled: Jane Doe's follow-up resumes." {
		t.Errorf("after Mark handled the page says %q", notice)
	}
	if !strings.HasSuffix(afterURL, fmt.Sprintf("/dashboard/?done=%d", f.reply)) {
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
}
