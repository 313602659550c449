package web

import (
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/clock"
	"github.com/rapportapp/rapport/internal/testsrv/syncbuf"
	"github.com/rapportapp/rapport/internal/web/remote"
)

// forge posts n webhooks with a bad signature to base, from the address
// xff names (when the server trusts the sender), and wants 403 for each.
func forge(t *testing.T, base string, n int, xff string) {
	t.Helper()
	form := inboundForm("hello")
	var wg sync.WaitGroup
	errs := make(chan string, n)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range n / 4 {
				req, _ := http.NewRequest(http.MethodPost, base+"/twilio/sms", strings.NewReader(form.Encode()))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("X-Twilio-Signature", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=")
				if xff != "" {
					req.Header.Set("X-Forwarded-For", xff)
				}
				res, err := http.DefaultClient.Do(req)
				if err != nil {
					errs <- err.Error()
					return
				}
				res.Body.Close()
				if res.StatusCode != http.StatusForbidden {
					errs <- res.Status
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Fatalf("forged webhook: %s, want 403", e)
	}
}

func warnings(log *syncbuf.Buffer) []string {
	var out []string
	for line := range strings.Lines(log.String()) {
		if strings.Contains(line, "level=WARN") {
			out = append(out, strings.TrimSpace(line))
		}
	}
	return out
}

// TestForgedWebhooksLogOnce: a flood of forged webhooks from one address
// is answered 403 each time but logged once, not once per request.
func TestForgedWebhooksLogOnce(t *testing.T) {
	log := &syncbuf.Buffer{}
	in := &recordingInbox{}
	s := newTestServer(in)
	s.Log = slog.New(slog.NewTextHandler(log, nil))
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()

	forge(t, srv.URL, 400, "")
	if got := warnings(log); len(got) != 1 || !strings.Contains(got[0], "rejected a webhook") || !strings.Contains(got[0], "remote=127.0.0.1") {
		t.Errorf("400 forged webhooks logged %d warnings, want the first one alone:\n%s", len(got), log)
	}
	if in.calls() != 0 {
		t.Errorf("inbox called %d times", in.calls())
	}
}

// TestForgedWebhooksCountedPerClient: through a trusted proxy, each
// client is counted on its own, and the count of each minute is logged
// when the minute ends, by the running server.
func TestForgedWebhooksCountedPerClient(t *testing.T) {
	defer func(d time.Duration) { flushEvery = d }(flushEvery)
	flushEvery = 5 * time.Millisecond
	log := &syncbuf.Buffer{}
	clk := clock.NewManual(time.Date(2026, 3, 5, 18, 0, 0, 0, time.UTC))
	s := newTestServer(&recordingInbox{})
	s.Log = slog.New(slog.NewTextHandler(log, nil))
	s.Clock = clk.Now
	s.Proxies = remote.Proxies{netip.MustParsePrefix("127.0.0.0/8")}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go s.Serve(l)
	defer s.Shutdown(t.Context())
	base := "http://" + l.Addr().String()

	forge(t, base, 200, "203.0.113.9")
	forge(t, base, 40, "198.51.100.1")
	if got := warnings(log); len(got) != 2 {
		t.Fatalf("two attackers: %d warnings, want one each:\n%s", len(got), log)
	}
	clk.Advance(remote.Window)
	want := []string{"199 more rejected from 203.0.113.9 in the last minute", "39 more rejected from 198.51.100.1 in the last minute"}
	deadline := time.Now().Add(5 * time.Second)
	for {
		all := log.String()
		if strings.Contains(all, want[0]) && strings.Contains(all, want[1]) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no counts logged a minute on; want %q:\n%s", want, all)
		}
		time.Sleep(5 * time.Millisecond)
	}
	if got := warnings(log); len(got) != 4 {
		t.Errorf("%d warnings, want 4:\n%s", len(got), log)
	}
}
