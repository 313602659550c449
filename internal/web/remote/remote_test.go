package remote

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"
)

func TestAddr(t *testing.T) {
	proxies := Proxies{netip.MustParsePrefix("127.0.0.1/32"), netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("::1/128")}
	tests := []struct {
		name    string
		proxies Proxies
		remote  string
		xff     []string
		want    string
	}{
		{name: "no proxies trusted: the header is ignored", remote: "203.0.113.9:4000", xff: []string{"198.51.100.1"}, want: "203.0.113.9"},
		{name: "not from a proxy: the header is ignored", proxies: proxies, remote: "203.0.113.9:4000", xff: []string{"198.51.100.1"}, want: "203.0.113.9"},
		{name: "from a proxy", proxies: proxies, remote: "127.0.0.1:4000", xff: []string{"198.51.100.1"}, want: "198.51.100.1"},
		{name: "from a proxy, no header", proxies: proxies, remote: "127.0.0.1:4000", want: "127.0.0.1"},
		{name: "client's own entries are not believed", proxies: proxies, remote: "127.0.0.1:4000",
			xff: []string{"1.1.1.1, 2.2.2.2, 198.51.100.1"}, want: "198.51.100.1"},
		{name: "through two proxies", proxies: proxies, remote: "127.0.0.1:4000",
			xff: []string{"1.1.1.1, 198.51.100.1, 10.0.0.7"}, want: "198.51.100.1"},
		{name: "several headers read in order", proxies: proxies, remote: "127.0.0.1:4000",
			xff: []string{"1.1.1.1", "198.51.100.1, 10.0.0.7"}, want: "198.51.100.1"},
		{name: "all proxies", proxies: proxies, remote: "127.0.0.1:4000", xff: []string{"10.0.0.8, 10.0.0.7"}, want: "10.0.0.8"},
		{name: "nonsense from the proxy", proxies: proxies, remote: "127.0.0.1:4000", xff: []string{"1.1.1.1, unknown"}, want: "127.0.0.1"},
		{name: "entry with a port", proxies: proxies, remote: "127.0.0.1:4000", xff: []string{"198.51.100.1:5555"}, want: "198.51.100.1"},
		{name: "IPv6 client", proxies: proxies, remote: "[::1]:4000", xff: []string{"2001:db8::1"}, want: "2001:db8::1"},
		{name: "IPv4 in IPv6", proxies: proxies, remote: "[::ffff:127.0.0.1]:4000", xff: []string{"::ffff:198.51.100.1"}, want: "198.51.100.1"},
		{name: "unreadable remote address", proxies: proxies, remote: "pipe", want: "invalid IP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tt.remote
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := tt.proxies.Addr(r).String(); got != tt.want {
				t.Errorf("Addr = %s, want %s", got, tt.want)
			}
		})
	}
}

func TestSource(t *testing.T) {
	for addr, want := range map[string]string{
		"198.51.100.1":         "198.51.100.1/32",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
	} {
		if got := Source(netip.MustParseAddr(addr)).String(); got != want {
			t.Errorf("Source(%s) = %s, want %s", addr, got, want)
		}
	}
}

type logLines struct{ buf bytes.Buffer }

func (l *logLines) lines() []string {
	s := strings.TrimSpace(l.buf.String())
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func newRejections() (*Rejections, *logLines) {
	var out logLines
	h := slog.NewTextHandler(&out.buf, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}})
	return NewRejections(slog.New(h)), &out
}

// A flood from one address is one line at once, then one line a minute
// while it lasts, and nothing once it stops.
func TestRejectionsOneLineAMinute(t *testing.T) {
	l, out := newRejections()
	t0 := time.Date(2026, 3, 5, 18, 0, 0, 0, time.UTC)
	attacker, other := netip.MustParseAddr("203.0.113.9"), netip.MustParseAddr("198.51.100.1")
	const reason = "rejected a webhook"
	now := t0
	// 2,000 a second for 90 s, flushing every 5 s as the server does.
	for i := range 90 * 2000 {
		now = t0.Add(time.Duration(i) * time.Second / 2000)
		l.Reject(now, reason, attacker, "path", "/twilio/sms")
		if i%(5*2000) == 0 {
			l.Flush(now)
		}
	}
	l.Reject(now, reason, other, "path", "/twilio/status")
	for range 30 {
		now = now.Add(5 * time.Second)
		l.Flush(now)
	}
	want := []string{
		`level=WARN msg="rejected a webhook" path=/twilio/sms remote=203.0.113.9`,
		`level=WARN msg="rejected a webhook: 119999 more rejected from 203.0.113.9 in the last minute" remote=203.0.113.9 rejected=119999`,
		`level=WARN msg="rejected a webhook" path=/twilio/status remote=198.51.100.1`,
		`level=WARN msg="rejected a webhook: 60000 more rejected from 203.0.113.9 in the last minute" remote=203.0.113.9 rejected=60000`,
	}
	if got := out.lines(); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if len(l.srcs) != 0 {
		t.Errorf("%d sources still kept after they went quiet", len(l.srcs))
	}

	// Quiet for a while, the next one is logged at once again.
	out.buf.Reset()
	l.Reject(now, reason, attacker)
	if got := out.lines(); len(got) != 1 || !strings.Contains(got[0], `msg="rejected a webhook" remote=203.0.113.9`) {
		t.Errorf("after a quiet spell: %q", got)
	}
}

// However many addresses send, the table stays bounded and the rest are
// counted together.
func TestRejectionsBounded(t *testing.T) {
	l, out := newRejections()
	now := time.Date(2026, 3, 5, 18, 0, 0, 0, time.UTC)
	const n = 3 * MaxSources
	for i := range n {
		l.Reject(now, "refused", netip.MustParseAddr(fmt.Sprintf("10.%d.%d.1", i/256, i%256)))
	}
	if len(l.srcs) > MaxSources+1 {
		t.Errorf("%d sources kept, want at most %d", len(l.srcs), MaxSources+1)
	}
	if got := len(out.lines()); got != MaxSources {
		t.Errorf("%d lines logged at once, want %d", got, MaxSources)
	}
	out.buf.Reset()
	l.Flush(now.Add(Window))
	want := fmt.Sprintf(`msg="refused: %d more rejected from other addresses in the last minute"`, n-MaxSources)
	if got := out.lines(); len(got) != 1 || !strings.Contains(got[0], want) {
		t.Errorf("after the minute: %q, want one line with %s", got, want)
	}
	l.Flush(now.Add(2 * Window))
	if len(l.srcs) != 0 {
		t.Errorf("%d sources kept after two quiet minutes", len(l.srcs))
	}
}
