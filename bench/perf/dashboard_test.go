package perf

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// Targets for the dashboard's lists.
const (
	maxListP99       = 50 * time.Millisecond
	dashboardClients = 8
	dashboardWatch   = 10 * time.Second
	dashboardPages   = 5 // a client follows "next page" this deep, then starts again
	benchPassword    = "bench dashboard password"
)

// searches are what a rep types in the contacts search box, of the
// generated contacts (gen.go): a name's start, a first and last name, an
// email's start, part of a phone number.
var searches = []string{"hugh", "emily car", "Zoe Rivera", "sofia.alvarez.12", "312 20", "(415) 31", "liam.w"}

// dashboardTimes are the latencies a load of the dashboard saw.
type dashboardTimes struct {
	pages, searches []time.Duration
	peakRSS         int64
}

// servedDashboard is `rapport run` on a copy of an imported database,
// signed in to.
type servedDashboard struct {
	base, cookie string
	cmd          *exec.Cmd
	stop         func()
}

// serveDashboard starts `rapport run` on a copy of im's database and
// signs in; stop ends it.
func serveDashboard(tb testing.TB, im *imported, name string) *servedDashboard {
	tb.Helper()
	addr := freeAddr(tb)
	dir := env.dir(tb, name)
	ws, err := NewWorkspace(context.Background(), env.rapport(tb), filepath.Join(dir, "rapport"), Settings{Listen: addr})
	if err != nil {
		tb.Fatal(err)
	}
	if err := CopyDB(im.ws, ws); err != nil {
		tb.Fatal(err)
	}
	r, err := Command(context.Background(), strings.NewReader(benchPassword+"\n"), nil, ws.bin, "-c", ws.Config(), "passwd")
	if err != nil || r.ExitCode != 0 {
		tb.Fatalf("rapport passwd: %v %s", err, r.Stderr)
	}
	d := &daemon{ws: ws, log: filepath.Join(dir, "daemon.log")}
	if d.sock, err = ListenNotify(dir); err != nil {
		tb.Fatal(err)
	}
	// The first start after the import does work of its own (see
	// BenchmarkDaemon); what is measured after it is the dashboard's.
	d.run(tb, quiet, 0)
	log, err := os.OpenFile(d.log, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		d.sock.Close()
		tb.Fatal(err)
	}
	cmd, err := ws.Start(quiet, []string{"NOTIFY_SOCKET=" + d.sock.Path}, log)
	if err != nil {
		d.sock.Close()
		log.Close()
		tb.Fatal(err)
	}
	stop := func() { Stop(cmd); log.Close(); d.sock.Close() }
	if _, err := d.sock.Wait("READY=1", readyTimeout); err != nil {
		stop()
		tb.Fatalf("rapport run: %v\n%s", err, readTail(d.log))
	}
	base := "http://" + addr
	return &servedDashboard{base: base, cookie: signIn(tb, base), cmd: cmd, stop: stop}
}

// measureDashboard has dashboardClients clients at once read the contacts
// pages (following "next page") and search, for dashboardWatch, while it
// watches the daemon's memory.
func measureDashboard(tb testing.TB, im *imported) dashboardTimes {
	tb.Helper()
	sd := serveDashboard(tb, im, "dashboard")
	defer sd.stop()
	var out dashboardTimes
	var mu sync.Mutex
	var wg sync.WaitGroup
	end := time.Now().Add(dashboardWatch)
	for i := range dashboardClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pages, found := browse(tb, sd.base, sd.cookie, i, end)
			mu.Lock()
			out.pages, out.searches = append(out.pages, pages...), append(out.searches, found...)
			mu.Unlock()
		}()
	}
	out.peakRSS = watchMemory(tb, sd.cmd, dashboardWatch)
	wg.Wait()
	return out
}

// browse is one client until end: the contacts list a few pages deep,
// then a search, again and again. It returns the times of each.
func browse(tb testing.TB, base, cookie string, client int, end time.Time) (pages, found []time.Duration) {
	for i := client; time.Now().Before(end); i++ {
		next := "/dashboard/contacts"
		for range dashboardPages {
			took, page := fetch(tb, base+next, cookie)
			pages = append(pages, took)
			if next = nextPage(page); next == "" {
				break
			}
		}
		took, _ := fetch(tb, base+"/dashboard/contacts?q="+url.QueryEscape(searches[i%len(searches)]), cookie)
		found = append(found, took)
	}
	return pages, found
}

var nextLinkRE = regexp.MustCompile(`<a href="([^"]+)" rel="next">`)

func nextPage(page string) string {
	m := nextLinkRE.FindStringSubmatch(page)
	if m == nil {
		return ""
	}
	return strings.ReplaceAll(m[1], "&amp;", "&")
}

// fetch GETs a dashboard page, signed in, and times it to the last byte.
func fetch(tb testing.TB, u, cookie string) (time.Duration, string) {
	req, err := http.NewRequest("GET", u, nil)
	if err != nil {
		tb.Error(err)
		return 0, ""
	}
	req.Header.Set("Cookie", cookie)
	start := time.Now()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Error(err)
		return 0, ""
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	took := time.Since(start)
	if err != nil || res.StatusCode != http.StatusOK {
		tb.Errorf("GET %s: %d %v", u, res.StatusCode, err)
	}
	return took, string(body)
}

// signIn signs in to the dashboard and returns the session cookie.
func signIn(tb testing.TB, base string) string {
	tb.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := c.PostForm(base+"/dashboard/login", url.Values{"password": {benchPassword}})
	if err != nil {
		tb.Fatal(err)
	}
	res.Body.Close()
	for _, ck := range res.Cookies() {
		return ck.Name + "=" + ck.Value
	}
	tb.Fatalf("sign-in: status %d, no cookie", res.StatusCode)
	return ""
}

func freeAddr(tb testing.TB) string {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// p99 is the 99th percentile of times.
func p99(times []time.Duration) time.Duration {
	if len(times) == 0 {
		return 0
	}
	s := slices.Clone(times)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*99/100)]
}

// BenchmarkDashboard loads the dashboard's contacts list and search with
// dashboardClients clients at once on a copy of the import benchmark's
// database, and reports each one's 99th percentile and the daemon's peak
// memory meanwhile.
func BenchmarkDashboard(b *testing.B) {
	n := *rowsFlag
	t := measureDashboard(b, env.imported(b, n))
	for _, r := range []struct {
		name  string
		times []time.Duration
	}{{"contacts page (first 5 pages)", t.pages}, {"contacts search", t.searches}} {
		q := p99(r.times)
		results.Add(Row{Name: fmt.Sprintf("dashboard %s p99, %d clients, %d requests, %d contacts", r.name, dashboardClients, len(r.times), n),
			Figure: Seconds(q), Baseline: Seconds(maxListP99) + " target", Ratio: q.Seconds() / maxListP99.Seconds(),
			Target: "< 50 ms", Met: q < maxListP99})
	}
	results.Add(Row{Name: fmt.Sprintf("rapport run peak memory, dashboard with %d clients, %d contacts", dashboardClients, n),
		Figure: MB(t.peakRSS), Baseline: MB(maxDaemonRSS) + " target", Ratio: float64(t.peakRSS) / maxDaemonRSS,
		Target: "< 60 MB", Met: t.peakRSS < maxDaemonRSS})
	b.ReportMetric(float64(p99(t.pages))/1e6, "ms-p99-page")
	b.ReportMetric(float64(p99(t.searches))/1e6, "ms-p99-search")
	b.ReportMetric(float64(t.peakRSS)/1e6, "MB-peak")
}
