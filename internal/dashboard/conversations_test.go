package dashboard

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/channel/email"
	"github.com/rapportapp/rapport/internal/channel/sms"
	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/schedule"
	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/tmpl"
	"github.com/rapportapp/rapport/internal/unsub"
)

// withEngine puts a real engine behind the fixture's conversation pages,
// sending through the outbox transports in dir.
func (f *fixture) withEngine(t *testing.T, dir string) *engine.Engine {
	t.Helper()
	hours, err := schedule.ParseWindow("08:00-20:00")
	if err != nil {
		t.Fatal(err)
	}
	chicago, _ := time.LoadLocation("America/Chicago")
	c := &engine.Content{
		Rules:     engine.Rules{AllowedHours: hours, RepZone: chicago, MaxAttempts: 3, RetryBase: time.Minute, RetryMax: time.Hour},
		Rep:       tmpl.Rep{Name: "Amy Kline", Email: "amy@example.com", PostalAddress: "123 Main St"},
		PublicURL: "https://rapport.example.com", MsgDomain: "example.com",
	}
	mail, err := email.NewOutbox(dir, email.Identity{From: "Amy Kline <amy@example.com>"})
	if err != nil {
		t.Fatal(err)
	}
	text, err := sms.NewOutbox(dir, "+13125550100")
	if err != nil {
		t.Fatal(err)
	}
	eng := engine.New(f.st, f.clock, slog.New(slog.NewTextHandler(io.Discard, nil)),
		unsub.New([]byte("0123456789abcdef0123456789abcdef")), c,
		map[string]channel.Sender{channel.Email: mail, channel.SMS: text})
	f.dash.cfg.Talk = eng
	return eng
}

// browser is an HTTP client that keeps cookies and shows redirects.
type browser struct {
	t    *testing.T
	base string
	c    *http.Client
}

func newBrowser(t *testing.T, base string) *browser {
	jar, err := cookiejar.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	return &browser{t: t, base: base, c: &http.Client{Jar: jar,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (b *browser) do(method, path string, form url.Values) (int, string, string) {
	b.t.Helper()
	var res *http.Response
	var err error
	if method == "GET" {
		res, err = b.c.Get(b.base + path)
	} else {
		res, err = b.c.PostForm(b.base+path, form)
	}
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return res.StatusCode, res.Header.Get("Location"), string(body)
}

var seqRE = regexp.MustCompile(`name="seq" value="(\d+)"`)

// The rep's round trip over real HTTP: the conversations page lists the
// flagged thread first; the thread shows the customer's text and a form
// that answers by text; sending redirects back, marks the reply handled,
// a second click adds nothing, and the text goes once. A customer who
// opted out of everything gets a disabled button with the reason.
func TestConversationsOverHTTP(t *testing.T) {
	f := newFixture(t)
	f.setPassword(t, password)
	dir := t.TempDir()
	eng := f.withEngine(t, dir)
	bob := f.addCustomer(t, "Bob", "bob@example.com", "Is there a discount?")
	srv := httptest.NewServer(f.h)
	defer srv.Close()
	b := newBrowser(t, srv.URL)
	if code, _, _ := b.do("POST", "/dashboard/login", url.Values{"password": {password}}); code != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", code)
	}

	_, _, home := b.do("GET", "/dashboard/", nil)
	jane, bobAt := strings.Index(home, fmt.Sprintf(`href="/dashboard/conversations/%d"`, f.jane)),
		strings.Index(home, fmt.Sprintf(`href="/dashboard/conversations/%d"`, bob))
	if jane < 0 || bobAt < 0 || jane > bobAt || !strings.Contains(home, "report the damage to the company by Mon 16 Mar") {
		t.Errorf("conversations page: want Jane's flagged thread with its deadline before Bob's:\n%s", home)
	}

	threadPath := fmt.Sprintf("/dashboard/conversations/%d", f.jane)
	_, _, page := b.do("GET", threadPath, nil)
	for _, want := range []string{"The bottle arrived &lt;b&gt;leaking&lt;/b&gt;", `value="sms" checked`,
		`name="handled" value="1" checked`, `name="seq" value="1"`} {
		if !strings.Contains(page, want) {
			t.Errorf("thread page lacks %q:\n%s", want, page)
		}
	}
	form := url.Values{"csrf": {csrfOf(t, page)}, "seq": {seqRE.FindStringSubmatch(page)[1]},
		"text": {"So sorry, Jane! A new bottle ships today."}, "channel": {"sms"}, "handled": {"1"}}
	for range 2 { // the second click
		code, loc, body := b.do("POST", threadPath+"/reply", form)
		if code != http.StatusSeeOther || !strings.HasPrefix(loc, threadPath+"?sent=") {
			t.Fatalf("send: %d to %q\n%s", code, loc, body)
		}
	}
	if n, _ := f.st.OpenReplyCount(context.Background(), f.jane); n != 0 {
		t.Errorf("%d of Jane's replies still open after answering with the box ticked", n)
	}
	if err := eng.Tick(context.Background()); err != nil {
		t.Fatal(err)
	}
	if texts := outboxTexts(t, dir); len(texts) != 1 || !strings.Contains(texts[0], "A new bottle ships today.") {
		t.Errorf("outbox texts %v, want the rep's answer once", texts)
	}
	_, _, after := b.do("GET", threadPath+"?sent=1", nil)
	if !strings.Contains(after, "So sorry, Jane!") || !strings.Contains(after, `class="state sent"`) {
		t.Errorf("thread after sending lacks the sent answer:\n%s", after)
	}
	if code, _, _ := b.do("POST", threadPath+"/reply", url.Values{"text": {"no token"}, "seq": {"9"}}); code != http.StatusForbidden {
		t.Errorf("a reply without the form token: %d, want 403", code)
	}
	checkOptedOutForm(t, f, b, threadPath)
}

// checkOptedOutForm: once Jane opted out of texts and email, the thread
// shows why and a disabled button, and a forged post is refused with why.
func checkOptedOutForm(t *testing.T, f *fixture, b *browser, threadPath string) {
	t.Helper()
	ctx := context.Background()
	err := f.st.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.SetSMSStatus(ctx, f.jane, store.OptedOut, "STOP", t0.Unix()); err != nil {
			return err
		}
		return tx.SetEmailStatus(ctx, f.jane, store.Unsubscribed, "link", t0.Unix())
	})
	if err != nil {
		t.Fatal(err)
	}
	_, _, page := b.do("GET", threadPath, nil)
	if !strings.Contains(page, `<button type="submit" disabled>Send</button>`) || !strings.Contains(page, "opted out of texts (STOP)") {
		t.Errorf("thread of an opted-out customer: want a disabled button and why:\n%s", page)
	}
	code, _, body := b.do("POST", threadPath+"/reply", url.Values{"csrf": {csrfOf(t, page)}, "seq": {"2"},
		"text": {"Hello again"}, "channel": {"sms"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "opted out of texts") || !strings.Contains(body, "Hello again") {
		t.Errorf("post to an opted-out customer: %d, want 422 with why and the words kept\n%s", code, body)
	}
}

// addCustomer adds a customer with an unflagged reply an hour after Jane's.
func (f *fixture) addCustomer(t *testing.T, first, addr, says string) int64 {
	t.Helper()
	ctx := context.Background()
	c := &store.Contact{FirstName: first, Email: addr}
	err := f.st.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.UpsertContact(ctx, c, t0.Unix()); err != nil {
			return err
		}
		_, err := tx.AddReply(ctx, &store.Reply{ContactID: c.ID, Channel: "email", ExternalID: "b1@example.com",
			From: addr, Subject: "Hi", Body: says, ReceivedAt: t0.Unix()})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return c.ID
}

func outboxTexts(t *testing.T, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.sms.json"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, string(b))
	}
	return out
}

// TestThreadStamp: the thread page names its stamp and the script that
// polls it; the stamp stays while nothing happens and changes when the
// customer writes again; the script is served as a file the page's
// Content-Security-Policy allows (no inline code).
func TestThreadStamp(t *testing.T) {
	f := newFixture(t)
	f.setPassword(t, password)
	f.withEngine(t, t.TempDir())
	c := f.login(t)
	path := fmt.Sprintf("/dashboard/conversations/%d", f.jane)
	page := f.get(t, path, c)
	m := regexp.MustCompile(`data-stamp="([^"]+)" data-stamp-url="([^"]+)"`).FindStringSubmatch(page)
	if m == nil || !strings.Contains(page, `<script src="/dashboard/static/thread.js" defer></script>`) {
		t.Fatalf("the thread page names no stamp or no script:\n%s", page)
	}
	if got := f.get(t, m[2], c); got != m[1] {
		t.Fatalf("stamp %q, the page says %q: nothing changed", got, m[1])
	}
	ctx := context.Background()
	err := f.st.Tx(ctx, func(tx *store.Tx) error {
		_, err := tx.AddReply(ctx, &store.Reply{ContactID: f.jane, Channel: "sms", ExternalID: "SMagain", From: "+17735550139",
			Body: "Any news?", ReceivedAt: t0.Unix() + 60})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := f.get(t, m[2], c); got == m[1] {
		t.Errorf("stamp %q unchanged after Jane wrote again", got)
	}
	res := f.do(t, "GET", "/dashboard/static/thread.js", nil)
	csp := res.Header.Get("Content-Security-Policy")
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/javascript") || !strings.Contains(csp, "script-src 'self'") {
		t.Errorf("thread.js: %d, %q, CSP %q", res.StatusCode, res.Header.Get("Content-Type"), csp)
	}
	if res := f.do(t, "GET", m[2], nil); res.StatusCode != http.StatusSeeOther || !strings.HasSuffix(res.Header.Get("Location"), "/dashboard/login") {
		t.Errorf("stamp without a session: %d to %q, want the sign-in page", res.StatusCode, res.Header.Get("Location"))
	}
}
