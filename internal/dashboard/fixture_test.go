package dashboard

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/clock"
	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/testsrv/syncbuf"
)

// t0 is "now" in the tests: Thu 5 Mar 2026, 12:00 in Chicago.
var t0 = time.Date(2026, 3, 5, 18, 0, 0, 0, time.UTC)

const password = "lavender fields forever"

// fixture is a dashboard over a real database holding Jane Doe (in New
// York), her order's two steps, a flagged text from her, and an email
// from someone who is not a contact.
type fixture struct {
	st       *store.Store
	clock    *clock.Manual
	log      *syncbuf.Buffer
	dash     *Dashboard
	h        http.Handler
	jane     int64 // contact id
	reply    int64 // Jane's flagged reply
	stranger int64 // the unknown sender's reply
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	chicago, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, clock: clock.NewManual(t0), log: &syncbuf.Buffer{}}
	f.dash = New(Config{
		Store: st, Clock: f.clock.Now, RepName: "Amy Kline", RepZone: chicago,
		Log: slog.New(slog.NewTextHandler(f.log, nil)),
		// Jane's post-order follow-up pauses on her reply.
		Timeline: func(ctx context.Context, c *store.Contact) ([]store.Due, error) {
			return st.ContactTimeline(ctx, c.ID, store.Holds{Pausing: []string{"post-order"}})
		},
	})
	f.h = f.dash.Handler()
	f.seed(t)
	return f
}

func (f *fixture) seed(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	now := t0.Unix()
	err := f.st.Tx(ctx, func(tx *store.Tx) error {
		c := &store.Contact{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com", Phone: "+13125550142",
			Timezone: "America/New_York", SMSConsent: true, ConsentKnown: true, SMSConsentAt: "2026-01-10", SMSConsentSource: "order form"}
		if _, err := tx.UpsertContact(ctx, c, now); err != nil {
			return err
		}
		f.jane = c.ID
		j := &store.Journey{Campaign: "post-order", ContactID: c.ID, TriggerAt: now - 3*86400, CreatedAt: now}
		if _, err := tx.AddJourney(ctx, j); err != nil {
			return err
		}
		_, err := tx.AddMessages(ctx, []store.Message{
			{JourneyID: j.ID, ContactID: c.ID, Campaign: "post-order", Step: "policy-sheet", Channel: "email",
				DueAt: now - 3*86400, MessageID: "1@x", CreatedAt: now, State: store.Sent},
			// Fri 6 Mar 2026, 10:00 in New York.
			{JourneyID: j.ID, ContactID: c.ID, Campaign: "post-order", Step: "arrival-check", Channel: "sms",
				DueAt: time.Date(2026, 3, 6, 15, 0, 0, 0, time.UTC).Unix(), MessageID: "2@x", CreatedAt: now},
		})
		if err != nil {
			return err
		}
		r := &store.Reply{ContactID: c.ID, Channel: "sms", ExternalID: "SM1", From: "+13125550142",
			Body: "The bottle arrived <b>leaking</b>", Flags: "leaking",
			Deadlines: "report the damage to the company by Mon 16 Mar\nmoney back until Fri 20 Mar", ReceivedAt: now - 3600}
		if _, err := tx.AddReply(ctx, r); err != nil {
			return err
		}
		f.reply = r.ID
		u := &store.Reply{Channel: "email", ExternalID: "imap:INBOX/7", From: "stranger@example.net",
			Subject: "Diffusers?", Body: "Do you sell diffusers?", ReceivedAt: now - 7200}
		if _, err := tx.AddReply(ctx, u); err != nil {
			return err
		}
		f.stranger = u.ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// setPassword does what `rapport passwd` does.
func (f *fixture) setPassword(t *testing.T, pw string) {
	t.Helper()
	h, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := f.st.Tx(ctx, func(tx *store.Tx) error { return tx.SetSetting(ctx, PasswordSetting, h) }); err != nil {
		t.Fatal(err)
	}
}

// do sends one request straight to the handler.
func (f *fixture) do(t *testing.T, method, path string, form url.Values, cookies ...*http.Cookie) *http.Response {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for _, c := range cookies {
		if c != nil {
			req.AddCookie(c)
		}
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec.Result()
}

// login signs in and returns the session cookie.
func (f *fixture) login(t *testing.T) *http.Cookie {
	t.Helper()
	res := f.do(t, "POST", "/dashboard/login", url.Values{"password": {password}})
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("login: status %d\n%s", res.StatusCode, readBody(t, res))
	}
	c := sessionCookie(res)
	if c == nil || c.Value == "" {
		t.Fatal("login set no session cookie")
	}
	return c
}

// get fetches a page with the cookie and wants 200.
func (f *fixture) get(t *testing.T, path string, c *http.Cookie) string {
	t.Helper()
	res := f.do(t, "GET", path, nil, c)
	body := readBody(t, res)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d\n%s", path, res.StatusCode, body)
	}
	return body
}

func sessionCookie(res *http.Response) *http.Cookie {
	for _, c := range res.Cookies() {
		if c.Name == cookieName {
			return c
		}
	}
	return nil
}

func readBody(t *testing.T, res *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// csrfOf finds the form token in a page.
func csrfOf(t *testing.T, page string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("no csrf field in page:\n%s", page)
	}
	return m[1]
}
