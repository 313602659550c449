package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestNoPasswordShowsOnlyTheSetupPage(t *testing.T) {
	f := newFixture(t)
	for _, path := range []string{"/dashboard/", "/dashboard/login", "/dashboard/contacts?q=jane",
		fmt.Sprintf("/dashboard/contacts/%d", f.jane), "/dashboard/status", "/dashboard/nowhere"} {
		res := f.do(t, "GET", path, nil)
		body := readBody(t, res)
		if res.StatusCode != http.StatusOK || !strings.Contains(body, "No dashboard password yet: run <code>rapport passwd</code> on the server") {
			t.Errorf("GET %s: status %d, want the setup page:\n%s", path, res.StatusCode, body)
		}
		for _, data := range []string{"Jane", "jane@example.com", "leaking", "diffusers"} {
			if strings.Contains(body, data) {
				t.Errorf("GET %s without a password shows %q", path, data)
			}
		}
	}
	// No password means no way in, whatever is posted.
	for _, pw := range []string{"", password} {
		res := f.do(t, "POST", "/dashboard/login", url.Values{"password": {pw}})
		if res.StatusCode != http.StatusForbidden || sessionCookie(res) != nil {
			t.Errorf("login %q with no password set: status %d, cookie %v", pw, res.StatusCode, sessionCookie(res))
		}
	}
	res := f.do(t, "POST", fmt.Sprintf("/dashboard/replies/%d/done", f.reply), url.Values{})
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("POST done with no password set: status %d, want 403", res.StatusCode)
	}
	f.wantOpen(t, f.reply)
}

func TestWrongPasswordGetsNoCookie(t *testing.T) {
	f := newFixture(t)
	f.setPassword(t, password)
	for _, pw := range []string{"", "lavender", strings.ToUpper(password), password + " "} {
		res := f.do(t, "POST", "/dashboard/login", url.Values{"password": {pw}})
		body := readBody(t, res)
		if res.StatusCode != http.StatusUnauthorized || sessionCookie(res) != nil {
			t.Errorf("password %q: status %d, cookie %v", pw, res.StatusCode, sessionCookie(res))
		}
		if !strings.Contains(body, "That password is not right") || strings.Contains(body, "Jane") {
			t.Errorf("password %q: page:\n%s", pw, body)
		}
	}
	if !strings.Contains(f.log.String(), "wrong password") {
		t.Errorf("wrong passwords not logged:\n%s", f.log)
	}
}

func TestSignedOutPagesRedirectToLogin(t *testing.T) {
	f := newFixture(t)
	f.setPassword(t, password)
	for _, path := range []string{"/dashboard/", "/dashboard/contacts", fmt.Sprintf("/dashboard/contacts/%d", f.jane), "/dashboard/status"} {
		res := f.do(t, "GET", path, nil)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/dashboard/login" {
			t.Errorf("GET %s signed out: status %d, Location %q", path, res.StatusCode, res.Header.Get("Location"))
		}
	}
	body := f.get(t, "/dashboard/login", nil)
	if !strings.Contains(body, `type="password"`) || strings.Contains(body, "Sign out") {
		t.Errorf("login page:\n%s", body)
	}
}

func TestLoginCookieAndPages(t *testing.T) {
	f := newFixture(t)
	f.setPassword(t, password)
	c := f.login(t)
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/dashboard/" || c.Secure ||
		c.MaxAge != 30*24*3600 {
		t.Errorf("session cookie = %+v", c)
	}

	res := f.do(t, "GET", "/dashboard/replies", nil, c)
	home := readBody(t, res)
	for h, want := range map[string]string{
		"Content-Security-Policy": "default-src 'self'; style-src 'self'",
		"X-Frame-Options":         "DENY",
		"Cache-Control":           "no-store",
	} {
		if got := res.Header.Get(h); !strings.Contains(got, want) {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	for _, want := range []string{
		fmt.Sprintf(`<a class="who" href="/dashboard/contacts/%d">Jane Doe</a>`, f.jane),
		`<span class="badge problem">leak</span>`,
		"<li>report the damage to the company by Mon 16 Mar</li><li>money back until Fri 20 Mar</li>",
		"The bottle arrived &lt;b&gt;leaking&lt;/b&gt;", // escaped, never markup
		"text · Thu 5 Mar 2026, 11:00 CST",              // in the rep's zone
		`<span class="who">from someone not in your customers</span> <span class="from">stranger@example.net</span>`,
		"Diffusers?", "Mark handled", `href="/dashboard/replies?all=1"`,
	} {
		if !strings.Contains(home, want) {
			t.Errorf("replies page lacks %q:\n%s", want, home)
		}
	}
	if strings.Contains(home, "<b>leaking") {
		t.Error("a reply's HTML reached the page unescaped")
	}

	contacts := f.get(t, "/dashboard/contacts?q=JANE", c)
	for _, want := range []string{"Jane Doe", "jane@example.com", "+13125550142", "America/New_York", "subscribed"} {
		if !strings.Contains(contacts, want) {
			t.Errorf("contacts page lacks %q:\n%s", want, contacts)
		}
	}
	if none := f.get(t, "/dashboard/contacts?q=nobody", c); strings.Contains(none, "Jane") || !strings.Contains(none, "No contact matches") {
		t.Errorf("search for nobody:\n%s", none)
	}

	contact := f.get(t, fmt.Sprintf("/dashboard/contacts/%d", f.jane), c)
	for _, want := range []string{
		"<h1>Jane Doe</h1>", "yes, 2026-01-10, order form",
		// Due times in Jane's zone; the pending text waits for her reply.
		"<td>Fri 6 Mar 2026, 10:00 EST</td><td>post-order / arrival-check</td><td>text</td><td><span class=\"state paused\">paused</span>",
		"<td>Mon 2 Mar 2026, 13:00 EST</td><td>post-order / policy-sheet</td><td>email</td><td><span class=\"state sent\">sent</span>",
		"The bottle arrived &lt;b&gt;leaking&lt;/b&gt;",
	} {
		if !strings.Contains(contact, want) {
			t.Errorf("contact page lacks %q:\n%s", want, contact)
		}
	}

	status := f.get(t, "/dashboard/status", c)
	for _, want := range []string{`<span class="n">1</span> <span class="state pending">pending</span>`,
		`<span class="n">1</span> <span class="state sent">sent</span>`, "Next send: Fri 6 Mar 2026, 09:00 CST"} {
		if !strings.Contains(status, want) {
			t.Errorf("status page lacks %q:\n%s", want, status)
		}
	}

	for _, path := range []string{"/dashboard/contacts/999", "/dashboard/contacts/x", "/dashboard/nowhere"} {
		if res := f.do(t, "GET", path, nil, c); res.StatusCode != http.StatusNotFound {
			t.Errorf("GET %s: status %d, want 404", path, res.StatusCode)
		}
	}
	// Signed in, the login page sends the rep on.
	if res := f.do(t, "GET", "/dashboard/login", nil, c); res.StatusCode != http.StatusSeeOther {
		t.Errorf("GET login while signed in: status %d", res.StatusCode)
	}
}

func TestSecureCookieOverHTTPS(t *testing.T) {
	f := newFixture(t)
	f.dash.cfg.Secure = true
	f.setPassword(t, password)
	if c := f.login(t); !c.Secure {
		t.Errorf("cookie not Secure with Secure set: %+v", c)
	}
}

func TestRefusedCookies(t *testing.T) {
	f := newFixture(t)
	f.setPassword(t, password)
	good := f.login(t)
	refused := map[string]string{
		"empty":             "",
		"garbage":           "hello",
		"never issued":      strings.Repeat("A", len(good.Value)),
		"the stored digest": tokenID(good.Value), // what a copy of the database holds
		"flipped last char": good.Value[:len(good.Value)-1] + flip(good.Value[len(good.Value)-1]),
		"with a suffix":     good.Value + "x",
	}
	for name, v := range refused {
		res := f.do(t, "GET", "/dashboard/", nil, &http.Cookie{Name: cookieName, Value: v})
		if res.StatusCode != http.StatusSeeOther {
			t.Errorf("%s cookie %q: status %d, want a redirect to sign in", name, v, res.StatusCode)
		}
	}
	f.get(t, "/dashboard/", good)

	// Used every 13 days, a session still ends 30 days after sign-in.
	for range 2 {
		f.clock.Advance(13 * 24 * time.Hour)
		f.get(t, "/dashboard/", good)
	}
	f.clock.Advance(4*24*time.Hour + time.Second)
	if res := f.do(t, "GET", "/dashboard/", nil, good); res.StatusCode != http.StatusSeeOther {
		t.Errorf("cookie 30 days old: status %d", res.StatusCode)
	}
	f.clock.Set(t0)
	f.get(t, "/dashboard/", good)

	// A new password signs every old session out.
	f.setPassword(t, "peppermint and eucalyptus")
	if res := f.do(t, "GET", "/dashboard/", nil, good); res.StatusCode != http.StatusSeeOther {
		t.Errorf("cookie from before `rapport passwd`: status %d", res.StatusCode)
	}
	if res := f.do(t, "POST", "/dashboard/login", url.Values{"password": {password}}); res.StatusCode != http.StatusUnauthorized {
		t.Errorf("old password after passwd: status %d", res.StatusCode)
	}
	// Setting the old password back does not bring its sessions back.
	f.setPassword(t, password)
	if res := f.do(t, "GET", "/dashboard/", nil, good); res.StatusCode != http.StatusSeeOther {
		t.Errorf("cookie from before two runs of `rapport passwd`: status %d", res.StatusCode)
	}
}

func flip(b byte) string {
	if b == 'A' {
		return "B"
	}
	return "A"
}

func TestMarkHandledNeedsTheFormToken(t *testing.T) {
	f := newFixture(t)
	f.setPassword(t, password)
	c := f.login(t)
	token := csrfOf(t, f.get(t, "/dashboard/", c))
	done := fmt.Sprintf("/dashboard/replies/%d/done", f.reply)

	// A second session's token is no good for this one.
	f.clock.Advance(time.Second)
	c2 := f.login(t)
	token2 := csrfOf(t, f.get(t, "/dashboard/", c2))
	if token2 == token {
		t.Fatal("two sessions share a form token")
	}
	for name, form := range map[string]url.Values{
		"no token":      {},
		"empty token":   {"csrf": {""}},
		"wrong token":   {"csrf": {"x" + token}},
		"other session": {"csrf": {token2}},
	} {
		res := f.do(t, "POST", done, form, c)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", name, res.StatusCode)
		}
		f.wantOpen(t, f.reply)
	}
	// Signed out, even with a token: back to sign in, nothing changes.
	if res := f.do(t, "POST", done, url.Values{"csrf": {token}}); res.StatusCode != http.StatusSeeOther ||
		res.Header.Get("Location") != "/dashboard/login" {
		t.Errorf("signed-out POST: status %d", res.StatusCode)
	}
	f.wantOpen(t, f.reply)

	f.clock.Advance(time.Minute)
	res := f.do(t, "POST", done, url.Values{"csrf": {token}}, c)
	want := fmt.Sprintf("/dashboard/replies?done=%d", f.reply)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != want {
		t.Fatalf("POST done: status %d, Location %q, want 303 to %s", res.StatusCode, res.Header.Get("Location"), want)
	}
	r, err := f.st.Reply(context.Background(), f.reply)
	if err != nil {
		t.Fatal(err)
	}
	if r.HandledAt != f.clock.Now().Unix() {
		t.Errorf("handled_at = %d, want the clock's %d", r.HandledAt, f.clock.Now().Unix())
	}
	page := f.get(t, want, c)
	if !strings.Contains(page, "Marked handled: Jane Doe&#39;s follow-up resumes.") {
		t.Errorf("no confirmation:\n%s", page)
	}
	if strings.Contains(page, "leaking") {
		t.Error("the handled reply is still listed as waiting")
	}
	if all := f.get(t, "/dashboard/replies?all=1", c); !strings.Contains(all, "Handled Thu 5 Mar 2026, 12:01 CST") {
		t.Errorf("?all=1 does not show the handled reply:\n%s", all)
	}
	contact := f.get(t, fmt.Sprintf("/dashboard/contacts/%d", f.jane), c)
	if !strings.Contains(contact, "post-order / arrival-check</td><td>text</td><td><span class=\"state pending\">pending</span>") {
		t.Errorf("arrival-check not pending again after the reply was handled:\n%s", contact)
	}

	if res := f.do(t, "POST", "/dashboard/replies/999/done", url.Values{"csrf": {token}}, c); res.StatusCode != http.StatusNotFound {
		t.Errorf("POST done for no such reply: status %d", res.StatusCode)
	}
	// Signing out needs the token too, then clears the cookie.
	if res := f.do(t, "POST", "/dashboard/logout", url.Values{}, c); res.StatusCode != http.StatusForbidden {
		t.Errorf("logout without token: status %d", res.StatusCode)
	}
	res = f.do(t, "POST", "/dashboard/logout", url.Values{"csrf": {token}}, c)
	if out := sessionCookie(res); res.StatusCode != http.StatusSeeOther || out == nil || out.MaxAge >= 0 {
		t.Errorf("logout: status %d, cookie %+v", res.StatusCode, out)
	}
}

func TestLoginIsThrottled(t *testing.T) {
	f := newFixture(t)
	f.setPassword(t, password)
	// Right passwords don't use up tries.
	for range loginBurst + 2 {
		f.login(t)
	}
	for i := range loginBurst {
		if res := f.do(t, "POST", "/dashboard/login", url.Values{"password": {"guess " + fmt.Sprint(i)}}); res.StatusCode != http.StatusUnauthorized {
			t.Fatalf("wrong password %d: status %d", i, res.StatusCode)
		}
	}
	// Now even the right one waits: a guesser can't tell it worked.
	res := f.do(t, "POST", "/dashboard/login", url.Values{"password": {password}})
	body := readBody(t, res)
	if res.StatusCode != http.StatusTooManyRequests || sessionCookie(res) != nil {
		t.Fatalf("after %d wrong passwords: status %d, cookie %v", loginBurst, res.StatusCode, sessionCookie(res))
	}
	if !strings.Contains(body, "Wait a minute") || res.Header.Get("Retry-After") == "" {
		t.Errorf("429 page (Retry-After %q):\n%s", res.Header.Get("Retry-After"), body)
	}
	f.clock.Advance(loginEvery)
	f.login(t)
}

func TestStoreErrorIsAPlain500(t *testing.T) {
	f := newFixture(t)
	f.setPassword(t, password)
	c := f.login(t)
	f.st.Close()
	res := f.do(t, "GET", "/dashboard/", nil, c)
	body := readBody(t, res)
	if res.StatusCode != http.StatusInternalServerError {
		t.Fatalf("status %d, want 500", res.StatusCode)
	}
	for _, leak := range []string{"sql", "database", "closed", "goroutine"} {
		if strings.Contains(strings.ToLower(body), leak) {
			t.Errorf("500 page shows %q:\n%s", leak, body)
		}
	}
	if !strings.Contains(f.log.String(), "err=") {
		t.Errorf("error not logged with an err key:\n%s", f.log)
	}
}

func TestStylesheet(t *testing.T) {
	f := newFixture(t) // no password: the setup page needs its styles too
	res := f.do(t, "GET", "/dashboard/static/style.css", nil)
	if res.StatusCode != http.StatusOK || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/css") {
		t.Errorf("style.css: status %d, type %q", res.StatusCode, res.Header.Get("Content-Type"))
	}
}

// wantOpen fails unless reply id is still waiting.
func (f *fixture) wantOpen(t *testing.T, id int64) {
	t.Helper()
	r, err := f.st.Reply(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if r.HandledAt != 0 {
		t.Fatalf("reply %d was marked handled", id)
	}
}
