package dashboard

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/store"
)

// The rep's day pages, over real HTTP against a real store.

// served is the fixture behind a real HTTP server, with a client that
// keeps redirects for the test to see.
type served struct {
	*fixture
	srv    *httptest.Server
	client *http.Client
	cookie *http.Cookie
	token  string
}

func newServed(t *testing.T) *served {
	t.Helper()
	f := newFixture(t)
	f.withContent(t)
	f.setPassword(t, password)
	srv := httptest.NewServer(f.h)
	t.Cleanup(srv.Close)
	s := &served{fixture: f, srv: srv, client: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	s.cookie = f.login(t)
	s.token = csrfOf(t, f.get(t, "/dashboard/today", s.cookie))
	return s
}

// send makes a request over HTTP with the session's cookie.
func (s *served) send(t *testing.T, method, path, ctype string, body io.Reader, signedIn bool) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(method, s.srv.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if signedIn {
		req.AddCookie(s.cookie)
	}
	res, err := s.client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func (s *served) page(t *testing.T, path string) string {
	t.Helper()
	res, body := s.send(t, "GET", path, "", nil, true)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d\n%s", path, res.StatusCode, body)
	}
	return body
}

// postTo posts a form with the token and wants a redirect to to.
func (s *served) postTo(t *testing.T, path, to string) {
	t.Helper()
	form := url.Values{"csrf": {s.token}}
	res, body := s.send(t, "POST", path, "application/x-www-form-urlencoded", strings.NewReader(form.Encode()), true)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != to {
		t.Fatalf("POST %s: %d to %q, want 303 to %s\n%s", path, res.StatusCode, res.Header.Get("Location"), to, body)
	}
}

// addRow queues a row for Jane in a journey of its own.
func (s *served) addRow(t *testing.T, m store.Message) int64 {
	t.Helper()
	ctx := context.Background()
	var id int64
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		j := &store.Journey{Campaign: m.Campaign, ContactID: s.jane, OrderID: m.DueAt, TriggerAt: m.DueAt, CreatedAt: t0.Unix()}
		if _, err := tx.AddJourney(ctx, j); err != nil {
			return err
		}
		m.JourneyID, m.ContactID, m.CreatedAt = j.ID, s.jane, t0.Unix()
		_, err := tx.AddMessages(ctx, []store.Message{m})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.db(t).QueryRow("SELECT max(id) FROM messages").Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func (s *served) db(t *testing.T) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+s.st.Path()+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func (s *served) history(t *testing.T) string {
	t.Helper()
	h, err := s.st.History(context.Background(), s.jane)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, e := range h {
		b.WriteString(e.Who + ": " + e.Text + "\n")
	}
	return b.String()
}

// Today lists the task due with call and text links; done finishes it,
// tomorrow moves it; a failed send is retried once; each is in Jane's
// history.
func TestTodayPage(t *testing.T) {
	s := newServed(t)
	task := s.addRow(t, store.Message{Campaign: "post-order", Step: "first-week-call", Channel: "task",
		DueAt: t0.Add(-2 * time.Hour).Unix(), State: store.Sent})
	later := s.addRow(t, store.Message{Campaign: "post-order", Step: "four-week-call", Channel: "task",
		DueAt: t0.Add(-26 * time.Hour).Unix()})
	failed := s.addRow(t, store.Message{Campaign: "post-order", Step: "review-ask", Channel: "email",
		DueAt: t0.Add(-3 * time.Hour).Unix(), State: store.Failed})
	db := s.db(t)
	if _, err := db.Exec("UPDATE messages SET error = 'mailbox full' WHERE id = ?", failed); err != nil {
		t.Fatal(err)
	}
	// Handed out in the digest: the dispatcher records the task's title.
	if _, err := db.Exec("UPDATE messages SET subject = 'Call Jane about her oils' WHERE id = ?", task); err != nil {
		t.Fatal(err)
	}
	body := s.page(t, "/dashboard/today")
	for _, want := range []string{"Call Jane about her oils", `href="tel:&#43;13125550142"`, `href="sms:&#43;13125550142"`,
		"overdue", "2 replies waiting", "mailbox full", "/dashboard/today/failed/"} {
		if !strings.Contains(body, want) {
			t.Errorf("Today lacks %q:\n%s", want, body)
		}
	}
	s.postTo(t, "/dashboard/today/tasks/"+itoa(task)+"/done", "/dashboard/today")
	s.postTo(t, "/dashboard/today/tasks/"+itoa(later)+"/tomorrow", "/dashboard/today")
	s.postTo(t, "/dashboard/today/failed/"+itoa(failed)+"/retry", "/dashboard/today")
	body = s.page(t, "/dashboard/today")
	if strings.Contains(body, "Call Jane about her oils") || strings.Contains(body, "four-week-call") || strings.Contains(body, "mailbox full") {
		t.Errorf("done, moved and retried rows still on Today:\n%s", body)
	}
	var state string
	var due int64
	if err := db.QueryRow("SELECT state, due_at FROM messages WHERE id = ?", later).Scan(&state, &due); err != nil {
		t.Fatal(err)
	}
	// The rep is in Chicago: tomorrow is Fri 6 Mar, at the time it was due.
	if want := time.Date(2026, 3, 6, 10, 0, 0, 0, s.dash.cfg.RepZone).Unix(); state != "pending" || due != want {
		t.Errorf("moved task: %s at %d, want pending at %d", state, due, want)
	}
	// A second click on retry changes nothing and says so.
	form := url.Values{"csrf": {s.token}}
	res, _ := s.send(t, "POST", "/dashboard/today/failed/"+itoa(failed)+"/retry", "application/x-www-form-urlencoded", strings.NewReader(form.Encode()), true)
	if res.StatusCode != http.StatusConflict {
		t.Errorf("second retry: %d, want 409", res.StatusCode)
	}
	h := s.history(t)
	for _, want := range []string{"rep (dashboard): did the task post-order/first-week-call", "moved the task post-order/four-week-call",
		"sent post-order/review-ask (email) again after it failed: mailbox full"} {
		if !strings.Contains(h, want) {
			t.Errorf("history lacks %q:\n%s", want, h)
		}
	}
}

// Upcoming shows the next 7 days by day and channel and skips a step.
func TestUpcomingPage(t *testing.T) {
	s := newServed(t)
	far := s.addRow(t, store.Message{Campaign: "post-order", Step: "reorder", Channel: "email", DueAt: t0.Add(10 * 24 * time.Hour).Unix()})
	body := s.page(t, "/dashboard/upcoming")
	for _, want := range []string{"Friday 6 March", "<h3>sms</h3>", "post-order/arrival-check", `href="/dashboard/contacts/` + itoa(s.jane)} {
		if !strings.Contains(body, want) {
			t.Errorf("Upcoming lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "upcoming-"+itoa(far)) {
		t.Error("Upcoming shows a step 10 days away")
	}
	var id int64
	if err := s.db(t).QueryRow("SELECT id FROM messages WHERE step = 'arrival-check'").Scan(&id); err != nil {
		t.Fatal(err)
	}
	s.postTo(t, "/dashboard/upcoming/"+itoa(id)+"/skip", "/dashboard/upcoming")
	if body := s.page(t, "/dashboard/upcoming"); strings.Contains(body, "arrival-check") {
		t.Error("skipped step still upcoming")
	}
	if h := s.history(t); !strings.Contains(h, "skipped post-order/arrival-check") {
		t.Errorf("history:\n%s", h)
	}
}

// uploadCSV posts a CSV to the import page and returns where it leads.
func (s *served) uploadCSV(t *testing.T, name, csv string, token string) (*http.Response, string) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("csrf", token)
	fw, err := mw.CreateFormFile("file", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write([]byte(csv))
	mw.Close()
	return s.send(t, "POST", "/dashboard/import", mw.FormDataContentType(), &b, true)
}

// waitFor polls the import's page until it is no longer running.
func (s *served) waitFor(t *testing.T, path string) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		body := s.page(t, path)
		if !strings.Contains(body, `http-equiv="refresh"`) {
			return body
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("%s still running", path)
	return ""
}

// Import: upload, dry run report with skipped lines and ignored columns,
// nothing written; confirm imports and deletes the file.
func TestImportPage(t *testing.T) {
	s := newServed(t)
	csv := "first_name,last_name,email,phone,order_date,shoe size\n" +
		"Bob,Ray,bob@example.com,(773) 555-0139,2026-03-01,44\n" +
		"Eve,,not-an-email,,2026-03-01,39\n"
	res, body := s.uploadCSV(t, "customers.csv", csv, "")
	if res.StatusCode != http.StatusForbidden {
		t.Fatalf("upload without the form token: %d, want 403", res.StatusCode)
	}
	res, body = s.uploadCSV(t, "customers.csv", csv, s.token)
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/dashboard/import/") {
		t.Fatalf("upload: %d to %q\n%s", res.StatusCode, loc, body)
	}
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(s.st.Path()), "rapport-uploads", "*.csv"))
	if len(files) != 1 {
		t.Fatalf("upload folder holds %v", files)
	}
	if fi, err := os.Stat(files[0]); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("uploaded file mode %v %v, want 0600", fi.Mode(), err)
	}
	body = s.waitFor(t, loc)
	for _, want := range []string{"Dry run", "1 added", "1 skipped", "line 3:", "shoe size", "/confirm"} {
		if !strings.Contains(body, want) {
			t.Errorf("dry run page lacks %q:\n%s", want, body)
		}
	}
	if _, err := s.st.ContactByEmail(context.Background(), "bob@example.com"); !store.IsNotFound(err) {
		t.Fatalf("the dry run wrote Bob: %v", err)
	}
	s.postTo(t, loc+"/confirm", loc)
	body = s.waitFor(t, loc)
	if !strings.Contains(body, "Imported:") || !strings.Contains(body, "1 added") {
		t.Errorf("import page:\n%s", body)
	}
	if _, err := s.st.ContactByEmail(context.Background(), "bob@example.com"); err != nil {
		t.Errorf("Bob not imported: %v", err)
	}
	if _, err := os.Stat(files[0]); !os.IsNotExist(err) {
		t.Errorf("the uploaded file is still there: %v", err)
	}
	// Another session cannot see the upload.
	other := s.fixture.login(t)
	if res := s.fixture.do(t, "GET", loc, nil, other); res.StatusCode != http.StatusNotFound {
		t.Errorf("another session reads the upload: %d", res.StatusCode)
	}
}

// An upload nobody confirms is deleted after an hour.
func TestUploadExpires(t *testing.T) {
	s := newServed(t)
	res, _ := s.uploadCSV(t, "c.csv", "first_name,email\nAl,al@example.com\n", s.token)
	loc := res.Header.Get("Location")
	s.waitFor(t, loc)
	s.clock.Advance(uploadTTL + time.Minute)
	s.page(t, "/dashboard/import")
	files, _ := filepath.Glob(filepath.Join(filepath.Dir(s.st.Path()), "rapport-uploads", "*"))
	if len(files) != 0 {
		t.Errorf("left after an hour: %v", files)
	}
	if res, _ := s.send(t, "GET", loc, "", nil, true); res.StatusCode != http.StatusNotFound {
		t.Errorf("expired upload: %d, want 404", res.StatusCode)
	}
}

// Campaigns lists every step with its timing, channel and purpose.
func TestCampaignsPage(t *testing.T) {
	s := newServed(t)
	body := s.page(t, "/dashboard/campaigns")
	for _, want := range []string{"first-week-call", "8d after", "not after 14d", "task", "service", "no templates loaded"} {
		if !strings.Contains(body, want) {
			t.Errorf("Campaigns lacks %q", want)
		}
	}
}

// Every new page sends a visitor without a session to sign in, and every
// new action refuses a POST without the form token.
func TestNewPagesNeedSessionAndToken(t *testing.T) {
	s := newServed(t)
	for _, p := range []string{"/dashboard/today", "/dashboard/upcoming", "/dashboard/import", "/dashboard/campaigns", "/dashboard/import/abc"} {
		res, _ := s.send(t, "GET", p, "", nil, false)
		if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/dashboard/login" {
			t.Errorf("GET %s signed out: %d to %q", p, res.StatusCode, res.Header.Get("Location"))
		}
	}
	for _, p := range []string{"/dashboard/today/tasks/1/done", "/dashboard/today/tasks/1/tomorrow", "/dashboard/today/failed/1/retry",
		"/dashboard/upcoming/1/skip", "/dashboard/import/abc/confirm"} {
		res, _ := s.send(t, "POST", p, "application/x-www-form-urlencoded", strings.NewReader("csrf=wrong"), true)
		if res.StatusCode != http.StatusForbidden {
			t.Errorf("POST %s without the token: %d, want 403", p, res.StatusCode)
		}
	}
}
