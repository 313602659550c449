// Command load drives the real `rapport run` binary's HTTP side — Twilio's
// inbound-text and status webhooks (signed) and the unsubscribe page and
// one-click POST — at a fixed request rate from loopback, and prints
// errors, latency and the daemon's resident memory. It also checks that an
// oversized body gets 413 and that a client that sends its headers too
// slowly is cut off.
//
//	go run ./bench/load -rate 500 -duration 30s
package main

import (
	"bufio"
	"context"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"github.com/rapportapp/rapport/internal/twiliosandbox"
	"github.com/rapportapp/rapport/internal/unsub"
)

const (
	sid    = "AC0123456789abcdef0123456789abcdef"
	token  = "loadtesttoken"
	secret = "load-test-unsubscribe-secret"
)

func main() {
	rate := flag.Int("rate", 500, "requests per second")
	dur := flag.Duration("duration", 30*time.Second, "how long to send")
	workers := flag.Int("workers", 256, "concurrent clients")
	flag.Parse()
	if err := run(*rate, *dur, *workers); err != nil {
		fmt.Fprintln(os.Stderr, "load:", err)
		os.Exit(1)
	}
}

func run(rate int, dur time.Duration, workers int) error {
	dir, err := os.MkdirTemp("", "rapport-load-")
	if err != nil {
		return err
	}
	keep := false
	defer func() {
		if keep {
			fmt.Fprintln(os.Stderr, "load: kept", dir, "(daemon.log has the daemon's side)")
			return
		}
		os.RemoveAll(dir)
	}()
	bin, err := build(dir)
	if err != nil {
		return err
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	if err := workspace(bin, dir, addr); err != nil {
		return err
	}
	uids, err := contactUIDs(filepath.Join(dir, "rapport.db"))
	if err != nil {
		return err
	}
	d, err := startDaemon(bin, dir)
	if err != nil {
		return err
	}
	defer d.stop()
	base := "http://" + addr
	if err := waitReady(base); err != nil {
		return err
	}
	tooBig := checkTooBig(base)
	slowCut := checkSlowClient(addr)
	res := drive(base, uids, rate, dur, workers, d.pid())
	res.print(rate, dur, tooBig, slowCut)
	if res.errors > 0 || !tooBig || !slowCut {
		keep = true
		return fmt.Errorf("load test failed")
	}
	return nil
}

func build(dir string) (string, error) {
	bin := filepath.Join(dir, "rapport")
	out, err := exec.Command("go", "build", "-o", bin, "./daemon").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build (run from the repository root): %v\n%s", err, out)
	}
	return bin, nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// workspace lays out a starter set with Twilio webhooks enabled and the
// example contacts imported.
func workspace(bin, dir, addr string) error {
	if out, err := exec.Command(bin, "init", dir).CombinedOutput(); err != nil {
		return fmt.Errorf("init: %v\n%s", err, out)
	}
	cfgPath := filepath.Join(dir, "config.toml")
	b, err := os.ReadFile(cfgPath)
	if err != nil {
		return err
	}
	cfg := strings.Replace(string(b), `listen = "127.0.0.1:8080"`, fmt.Sprintf("listen = %q", addr), 1)
	cfg = strings.Replace(cfg, `public_url = "https://rapport.example.com"`, fmt.Sprintf("public_url = %q\nsecret = %q", "http://"+addr, secret), 1)
	cfg = strings.Replace(cfg, "transport = \"outbox\"\n# At most this many texts", "transport = \"twilio\"\n# At most this many texts", 1)
	cfg += fmt.Sprintf("\n[sms.twilio]\naccount_sid = %q\nauth_token = %q\nfrom = \"+13125550100\"\napi_base_url = \"http://127.0.0.1:9\"\n", sid, token)
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		return err
	}
	out, err := exec.Command(bin, "-c", cfgPath, "import", filepath.Join(dir, "contacts.example.csv")).CombinedOutput()
	if err != nil {
		return fmt.Errorf("import: %v\n%s", err, out)
	}
	return nil
}

func contactUIDs(db string) ([]string, error) {
	conn, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	rows, err := conn.Query("SELECT uid FROM contacts")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var u string
		rows.Scan(&u)
		out = append(out, u)
	}
	return out, rows.Err()
}

type daemon struct{ cmd *exec.Cmd }

func startDaemon(bin, dir string) (*daemon, error) {
	cmd := exec.Command(bin, "-c", filepath.Join(dir, "config.toml"), "run")
	logf, err := os.Create(filepath.Join(dir, "daemon.log"))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	return &daemon{cmd: cmd}, cmd.Start()
}

func (d *daemon) pid() int { return d.cmd.Process.Pid }

func (d *daemon) stop() {
	d.cmd.Process.Signal(syscall.SIGTERM)
	d.cmd.Wait()
}

func waitReady(base string) error {
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return nil
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("daemon not healthy within 30 s")
}

// checkTooBig posts a 1 MiB body to the webhook: it must get 413.
func checkTooBig(base string) bool {
	body := "Body=" + strings.Repeat("x", 1<<20)
	resp, err := http.Post(base+"/twilio/sms", "application/x-www-form-urlencoded", strings.NewReader(body))
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusRequestEntityTooLarge
}

// checkSlowClient sends half a request line and then nothing: the server
// must close the connection (ReadHeaderTimeout) rather than wait forever.
func checkSlowClient(addr string) bool {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		return false
	}
	defer c.Close()
	fmt.Fprint(c, "POST /twilio/sms HTTP/1.1\r\nHost: x\r\n")
	c.SetReadDeadline(time.Now().Add(30 * time.Second))
	_, err = bufio.NewReader(c).ReadByte()
	return err != nil && !isTimeout(err) || err == nil
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}

// request builds the n-th request of the mix: 40% signed inbound texts,
// 30% signed status callbacks, 20% unsubscribe pages, 10% one-click POSTs.
func request(base string, uids []string, n int) (*http.Request, string) {
	switch n % 10 {
	case 0, 1, 2, 3:
		form := url.Values{"MessageSid": {fmt.Sprintf("SM%032x", n)}, "From": {fmt.Sprintf("+1312555%04d", n%10000)},
			"To": {"+13125550100"}, "Body": {"thanks, all good!"}, "AccountSid": {sid}}
		return signed(base+"/twilio/sms", form), "twilio/sms"
	case 4, 5, 6:
		form := url.Values{"MessageSid": {fmt.Sprintf("SM%032x", n)}, "MessageStatus": {"delivered"}, "AccountSid": {sid}}
		return signed(base+"/twilio/status", form), "twilio/status"
	case 7, 8:
		r, _ := http.NewRequest("GET", unsubURL(base, uids, n), nil)
		return r, "unsubscribe GET"
	default:
		r, _ := http.NewRequest("POST", unsubURL(base, uids, n), strings.NewReader("List-Unsubscribe=One-Click"))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return r, "unsubscribe POST"
	}
}

func unsubURL(base string, uids []string, n int) string {
	return unsub.New([]byte(secret)).URL(base, uids[n%len(uids)])
}

func signed(u string, form url.Values) *http.Request {
	r, _ := http.NewRequest("POST", u, strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("X-Twilio-Signature", twiliosandbox.Signature(token, u, form))
	return r
}

type result struct {
	mu       sync.Mutex
	sent     int
	errors   int
	byKind   map[string]int
	codes    map[int]int
	lat      []time.Duration
	rssStart int
	rssMax   int
	rssEnd   int
	elapsed  time.Duration
	firstErr string
}

func drive(base string, uids []string, rate int, dur time.Duration, workers, pid int) *result {
	res := &result{byKind: map[string]int{}, codes: map[int]int{}, rssStart: rss(pid)}
	client := &http.Client{Timeout: 10 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: workers}}
	jobs := make(chan int, rate)
	var wg sync.WaitGroup
	for i := 0; i < workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range jobs {
				res.do(client, base, uids, n)
			}
		}()
	}
	ctx, cancel := context.WithTimeout(context.Background(), dur)
	defer cancel()
	var stopRSS atomic.Bool
	go res.sampleRSS(pid, &stopRSS)
	// Open loop: every few milliseconds, issue however many requests the
	// rate owes by now, so a late tick never lowers the rate.
	start := time.Now()
	tick := time.NewTicker(5 * time.Millisecond)
	for n := 0; ctx.Err() == nil; {
		<-tick.C
		for owed := int(time.Since(start).Seconds() * float64(rate)); n < owed; n++ {
			jobs <- n
		}
	}
	tick.Stop()
	close(jobs)
	wg.Wait()
	res.elapsed = time.Since(start)
	stopRSS.Store(true)
	res.rssEnd = rss(pid)
	return res
}

func (res *result) do(client *http.Client, base string, uids []string, n int) {
	req, kind := request(base, uids, n)
	t0 := time.Now()
	resp, err := client.Do(req)
	d := time.Since(t0)
	code := 0
	if err == nil {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		code = resp.StatusCode
	}
	res.mu.Lock()
	defer res.mu.Unlock()
	res.sent++
	res.byKind[kind]++
	res.codes[code]++
	res.lat = append(res.lat, d)
	if code != 200 && code != 204 {
		res.errors++
		if res.firstErr == "" {
			res.firstErr = fmt.Sprintf("%s -> %d %v", kind, code, err)
		}
	}
}

func (res *result) sampleRSS(pid int, stop *atomic.Bool) {
	for !stop.Load() {
		if r := rss(pid); r > 0 {
			res.mu.Lock()
			res.rssMax = max(res.rssMax, r)
			res.mu.Unlock()
		}
		time.Sleep(250 * time.Millisecond)
	}
}

// rss returns the process's resident memory in KiB.
func rss(pid int) int {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return n
		}
	}
	return 0
}

func (res *result) print(rate int, dur time.Duration, tooBig, slowCut bool) {
	sort.Slice(res.lat, func(i, j int) bool { return res.lat[i] < res.lat[j] })
	pct := func(p float64) time.Duration {
		if len(res.lat) == 0 {
			return 0
		}
		return res.lat[int(float64(len(res.lat)-1)*p)]
	}
	achieved := float64(res.sent) / res.elapsed.Seconds()
	fmt.Printf("| measure | value | target |\n|---|---|---|\n")
	fmt.Printf("| requests | %d in %s (%.0f/s) | %d/s for %s |\n", res.sent, res.elapsed.Round(time.Millisecond), achieved, rate, dur)
	fmt.Printf("| errors (non-2xx or transport) | %d | 0 |\n", res.errors)
	fmt.Printf("| latency p50 / p99 / max | %s / %s / %s | |\n", pct(0.5).Round(time.Microsecond), pct(0.99).Round(time.Microsecond), pct(1).Round(time.Microsecond))
	fmt.Printf("| daemon RSS start / max / end | %d / %d / %d KiB | bounded |\n", res.rssStart, res.rssMax, res.rssEnd)
	fmt.Printf("| 1 MiB body | %s | 413 |\n", okText(tooBig, "413"))
	fmt.Printf("| client stalling in its headers | %s | cut off |\n", okText(slowCut, "cut off"))
	fmt.Printf("| mix | %v |  |\n", res.byKind)
	if res.firstErr != "" {
		fmt.Printf("first error: %s\n", res.firstErr)
	}
}

func okText(ok bool, s string) string {
	if ok {
		return s
	}
	return "NOT " + s
}
