package dashboard

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/web/remote"
)

// httpClient talks to the dashboard over real HTTP, from the address
// X-Forwarded-For names (believed only when the fixture trusts loopback).
type httpClient struct {
	base string
	hc   *http.Client
}

func (f *fixture) serve(t *testing.T) *httpClient {
	t.Helper()
	srv := httptest.NewServer(f.h)
	t.Cleanup(srv.Close)
	return &httpClient{base: srv.URL, hc: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

func (c *httpClient) send(t *testing.T, method, path, xff string, form url.Values, cookies ...*http.Cookie) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, c.base+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if xff != "" {
		req.Header.Set("X-Forwarded-For", xff)
	}
	for _, ck := range cookies {
		req.AddCookie(ck)
	}
	res, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	readBody(t, res)
	res.Body.Close()
	return res
}

func (c *httpClient) signIn(t *testing.T, xff, pw string) *http.Response {
	t.Helper()
	return c.send(t, "POST", "/dashboard/login", xff, url.Values{"password": {pw}})
}

var loopback = remote.Proxies{netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("::1/128")}

// TestGuesserCannotLockTheRepOut: one wrong password every 0.2 s for a
// minute, from one address behind the proxy, while the rep signs in 20
// times from another: every one of the rep's sign-ins works.
func TestGuesserCannotLockTheRepOut(t *testing.T) {
	f := newFixture(t)
	f.setPassword(t, password)
	f.dash.cfg.Proxies = loopback
	c := f.serve(t)
	const guesser, rep = "203.0.113.9", "198.51.100.20"
	var refused, tried int
	for i := range 300 {
		switch res := c.signIn(t, guesser, fmt.Sprint("guess ", i)); res.StatusCode {
		case http.StatusTooManyRequests:
			refused++
		case http.StatusUnauthorized:
			tried++
		default:
			t.Fatalf("guess %d: status %d", i, res.StatusCode)
		}
		if i%15 == 7 {
			if res := c.signIn(t, rep, password); res.StatusCode != http.StatusSeeOther || sessionCookie(res) == nil {
				t.Fatalf("the rep's sign-in at guess %d: status %d, want 303 with a cookie", i, res.StatusCode)
			}
		}
		f.clock.Advance(200 * time.Millisecond)
	}
	// 5 at once, then one per 15 s.
	if tried > loginBurst+4+1 || refused < 280 {
		t.Errorf("guesser: %d tried, %d refused; want at most %d tried", tried, refused, loginBurst+5)
	}
	// The guesser's own right password waits like its guesses.
	c.signIn(t, guesser, "one more guess")
	if res := c.signIn(t, guesser, password); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("right password from the guesser's address: status %d, want 429", res.StatusCode)
	}
	// Refusals are logged once a minute per client, not one line each.
	if n := strings.Count(f.log.String(), "sign-in throttled"); n > 2 {
		t.Errorf("%d throttled sign-ins logged, want one line a minute:\n%s", n, f.log)
	}
}

// TestForwardedForNeedsATrustedProxy: without trusted proxies, the
// header is the client's word and is ignored, so changing it each time
// does not escape the limit.
func TestForwardedForNeedsATrustedProxy(t *testing.T) {
	f := newFixture(t)
	f.setPassword(t, password)
	c := f.serve(t)
	for i := range loginBurst {
		if res := c.signIn(t, fmt.Sprintf("203.0.113.%d", i), "guess"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess %d: status %d", i, res.StatusCode)
		}
	}
	if res := c.signIn(t, "203.0.113.200", "guess"); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("a new X-Forwarded-For from an untrusted client escaped the limit: status %d", res.StatusCode)
	}
}

// TestGlobalCeiling: guesses spread over many addresses hit a ceiling for
// everyone, past which an address with a wrong password lately waits,
// but the rep from an address with none is still let in.
func TestGlobalCeiling(t *testing.T) {
	f := newFixture(t)
	f.setPassword(t, password)
	f.dash.cfg.Proxies = loopback
	c := f.serve(t)
	for i := range globalBurst {
		if res := c.signIn(t, fmt.Sprintf("203.0.113.%d", i), "guess"); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess from address %d: status %d", i, res.StatusCode)
		}
	}
	if res := c.signIn(t, "203.0.113.1", password); res.StatusCode != http.StatusTooManyRequests {
		t.Errorf("past the ceiling, an address with a wrong password: status %d, want 429", res.StatusCode)
	}
	if res := c.signIn(t, "198.51.100.20", password); res.StatusCode != http.StatusSeeOther {
		t.Errorf("past the ceiling, the rep from a new address: status %d, want 303", res.StatusCode)
	}
	f.clock.Advance(loginEvery * loginBurst)
	if res := c.signIn(t, "203.0.113.1", password); res.StatusCode != http.StatusSeeOther {
		t.Errorf("once the tries are back: status %d, want 303", res.StatusCode)
	}
}

// TestThrottleMemoryIsBounded: a spray from more addresses than it keeps
// leaves the table at its cap, and it empties once their tries are back.
func TestThrottleMemoryIsBounded(t *testing.T) {
	th := newThrottle()
	now := t0
	for i := range 3 * maxClients {
		src := remote.Source(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}))
		th.take(src, now)
	}
	if n := len(th.clients); n > maxClients {
		t.Errorf("%d clients kept, want at most %d", n, maxClients)
	}
	now = now.Add(loginEvery)
	th.take(remote.Source(netip.MustParseAddr("2001:db8::1")), now)
	if n := len(th.clients); n != 1 {
		t.Errorf("%d clients kept once the others' tries are back, want 1", n)
	}
	// An IPv6 client is its /64: another address in it shares the tries.
	for range loginBurst - 1 {
		th.take(remote.Source(netip.MustParseAddr("2001:db8::2")), now)
	}
	if _, wait := th.take(remote.Source(netip.MustParseAddr("2001:db8::ffff")), now); wait == 0 {
		t.Error("a sixth try from the same /64 was not held back")
	}
}
