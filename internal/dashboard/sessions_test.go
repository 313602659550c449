package dashboard

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// wantSignedOut fails unless cookie ck no longer opens the dashboard.
func wantSignedOut(t *testing.T, c *httpClient, ck *http.Cookie, why string) {
	t.Helper()
	res := c.send(t, "GET", "/dashboard/", "", nil, ck)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/dashboard/login" {
		t.Errorf("%s: the old cookie still works (status %d)", why, res.StatusCode)
	}
}

func wantSignedIn(t *testing.T, c *httpClient, ck *http.Cookie, why string) {
	t.Helper()
	if res := c.send(t, "GET", "/dashboard/", "", nil, ck); res.StatusCode != http.StatusOK {
		t.Errorf("%s: status %d, want the page", why, res.StatusCode)
	}
}

// TestLogoutEndsTheSession: a copy of the cookie kept past sign-out is
// worth nothing; another session goes on.
func TestLogoutEndsTheSession(t *testing.T) {
	f := newFixture(t)
	f.setPassword(t, password)
	c := f.serve(t)
	laptop, phone := f.login(t), f.login(t)
	token := csrfOf(t, f.get(t, "/dashboard/", laptop))
	res := c.send(t, "POST", "/dashboard/logout", "", url.Values{"csrf": {token}}, laptop)
	if out := sessionCookie(res); res.StatusCode != http.StatusSeeOther || out == nil || out.MaxAge >= 0 {
		t.Fatalf("logout: status %d, cookie %+v", res.StatusCode, out)
	}
	wantSignedOut(t, c, laptop, "after sign-out")
	wantSignedIn(t, c, phone, "the other session")
}

// TestSignOutEverywhere: the status page's button ends every session,
// and like every form it needs the form token.
func TestSignOutEverywhere(t *testing.T) {
	f := newFixture(t)
	f.setPassword(t, password)
	c := f.serve(t)
	laptop, phone := f.login(t), f.login(t)
	page := f.get(t, "/dashboard/status", phone)
	if !strings.Contains(page, `action="/dashboard/logout/everywhere"`) || !strings.Contains(page, "Sign out everywhere") {
		t.Fatalf("status page has no sign-out-everywhere button:\n%s", page)
	}
	if res := c.send(t, "POST", "/dashboard/logout/everywhere", "", url.Values{}, phone); res.StatusCode != http.StatusForbidden {
		t.Errorf("without the form token: status %d, want 403", res.StatusCode)
	}
	wantSignedIn(t, c, laptop, "after a refused sign-out-everywhere")
	res := c.send(t, "POST", "/dashboard/logout/everywhere", "", url.Values{"csrf": {csrfOf(t, page)}}, phone)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/dashboard/login" {
		t.Fatalf("sign out everywhere: status %d", res.StatusCode)
	}
	wantSignedOut(t, c, phone, "this session, after sign-out-everywhere")
	wantSignedOut(t, c, laptop, "another session, after sign-out-everywhere")
	f.login(t) // and signing in again works
}

// TestIdleSessionEnds: a session unused for SessionIdle ends; one in use
// goes on.
func TestIdleSessionEnds(t *testing.T) {
	f := newFixture(t)
	f.dash.cfg.SessionIdle = time.Hour
	f.setPassword(t, password)
	c := f.serve(t)
	busy, idle := f.login(t), f.login(t)
	for range 3 {
		f.clock.Advance(50 * time.Minute)
		wantSignedIn(t, c, busy, "used every 50 minutes")
	}
	wantSignedOut(t, c, idle, "unused for 2.5 hours")
	f.clock.Advance(time.Hour)
	wantSignedOut(t, c, busy, "unused for an hour")
}

func TestSessionIdleDefault(t *testing.T) {
	f := newFixture(t)
	if f.dash.cfg.SessionIdle != 14*24*time.Hour {
		t.Errorf("SessionIdle defaults to %s, want 14 days", f.dash.cfg.SessionIdle)
	}
	f.setPassword(t, password)
	c := f.serve(t)
	ck := f.login(t)
	f.clock.Advance(14*24*time.Hour - time.Minute)
	wantSignedIn(t, c, ck, "unused for just under 14 days")
	f.clock.Advance(14 * 24 * time.Hour)
	wantSignedOut(t, c, ck, "unused for 14 days")
}
