package dashboard

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/rapportapp/rapport/internal/store"
)

// TestBrowserPagesFitAPhone visits the rep's pages in a real browser at a
// phone's and a desktop's size: no page scrolls sideways; screenshots go
// to $RAPPORT_SCREENSHOTS (or a temp folder). Then a task is marked done
// from Today and a step skipped from Upcoming, by clicking.
func TestBrowserPagesFitAPhone(t *testing.T) {
	ctx := headless(t, 90*time.Second)
	s := newServed(t)
	task := s.addRow(t, store.Message{Campaign: "post-order", Step: "first-week-call", Channel: "task",
		DueAt: t0.Add(-2 * time.Hour).Unix(), State: store.Sent})
	shots := os.Getenv("RAPPORT_SCREENSHOTS")
	if shots == "" {
		shots = t.TempDir()
	}
	if err := os.MkdirAll(shots, 0o755); err != nil {
		t.Fatal(err)
	}
	do := func(steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("browser: %v", err)
		}
	}
	do(chromedp.Navigate(s.srv.URL+"/dashboard/login"), chromedp.WaitVisible(chromedp.CSS("#password")),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		// The sign-in page has a <main> too: wait for what only a signed-in
		// page has, or the next navigation races the form's redirect.
		chromedp.Click(chromedp.CSS("form.login button")), chromedp.WaitVisible(chromedp.CSS("nav a[href='/dashboard/today']")))
	pages := []string{"today", "upcoming", "import", "campaigns", fmt.Sprintf("contacts/%d", s.jane)}
	for _, size := range [][2]int64{{360, 740}, {1280, 800}} {
		for _, p := range pages {
			do(chromedp.EmulateViewport(size[0], size[1]), chromedp.Navigate(s.srv.URL+"/dashboard/"+p),
				chromedp.WaitVisible(chromedp.CSS("main")))
			shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(80))
			if err != nil {
				t.Fatal(err)
			}
			fits, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth <= window.innerWidth`))
			if err != nil {
				t.Fatal(err)
			}
			if !fits {
				t.Errorf("%s at %dpx scrolls sideways", p, size[0])
			}
			name := fmt.Sprintf("%s-%d.jpg", strings.ReplaceAll(p, "/", "-"), size[0])
			if err := os.WriteFile(filepath.Join(shots, name), shot, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	do(chromedp.Navigate(s.srv.URL+"/dashboard/today"),
		chromedp.Click(chromedp.CSS(fmt.Sprintf("#task-%d form button", task))),
		chromedp.WaitNotPresent(chromedp.CSS(fmt.Sprintf("#task-%d", task))))
	var done int
	if err := s.db(t).QueryRow("SELECT count(*) FROM messages WHERE id = ? AND done_at != 0", task).Scan(&done); err != nil || done != 1 {
		t.Errorf("the task is not done after the click (%v)", err)
	}
	var step int64
	if err := s.db(t).QueryRow("SELECT id FROM messages WHERE step = 'arrival-check'").Scan(&step); err != nil {
		t.Fatal(err)
	}
	do(chromedp.Navigate(s.srv.URL+"/dashboard/upcoming"),
		chromedp.Click(chromedp.CSS(fmt.Sprintf("#upcoming-%d button", step))),
		chromedp.WaitNotPresent(chromedp.CSS(fmt.Sprintf("#upcoming-%d", step))))
	var state string
	if err := s.db(t).QueryRow("SELECT state FROM messages WHERE id = ?", step).Scan(&state); err != nil || state != "skipped" {
		t.Errorf("after Skip the step is %q (%v)", state, err)
	}
}
