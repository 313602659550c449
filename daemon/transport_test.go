package main

// Real sending, end to end through `rapport run`: email over SMTP to a
// real Mailpit and to a scriptable go-smtp server, texts through twilio-go
// to the Twilio stand-in, and the one-click unsubscribe link served by the
// running daemon.

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3" // to read the queue as the daemon left it

	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/testsrv/mailpit"
	"github.com/rapportapp/rapport/internal/testsrv/smtpsink"
	"github.com/rapportapp/rapport/internal/testsrv/syncbuf"
	"github.com/rapportapp/rapport/internal/testsrv/twiliotest"
)

// Two customers for the transport tests: Jane agreed to texts, Bob has
// only an email address.
const transportCustomers = `First Name,Last Name,Email,Mobile Phone,Time Zone,SMS Consent,Consent Date,Consent Source
Jane,Doe,jane@example.net,+1 312 555 0142,America/Chicago,yes,2026-03-01,signed order form
Bob,Roe,bob@example.net,,America/Chicago,,,
`

const (
	janeAddr  = "jane@example.net"
	janeE164  = "+13125550142"
	bobAddr   = "bob@example.net"
	repNumber = "+13125550100" // [rep] phone in the starter config
	orderDay  = "2026-03-02"   // a Monday
)

// cst is a wall-clock time in the starter config's zone (America/Chicago),
// written "2006-01-02 15:04".
func cst(t testing.TB, s string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation("America/Chicago")
	if err != nil {
		t.Fatal(err)
	}
	tm, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

// customerWorkspace is a starter workspace with Jane and Bob imported.
func customerWorkspace(t testing.TB) *workspace {
	t.Helper()
	w := newWorkspace(t)
	w.write(t, "customers.csv", transportCustomers)
	w.at(t, cst(t, orderDay+" 08:00"), "import", w.path("customers.csv"))
	return w
}

// placeOrder records an order of orderDay for who.
func placeOrder(t testing.TB, w *workspace, who string) {
	t.Helper()
	w.at(t, cst(t, orderDay+" 08:30"), "order", "add", "--contact", who, "--date", orderDay, "--invoice", "INV-7")
}

// runOnce runs `run --once` at a Chicago wall-clock time.
func runOnce(t testing.TB, w *workspace, at string) {
	t.Helper()
	w.at(t, cst(t, at), "run", "--once")
}

// useSMTP switches email to SMTP on a plain-text server on this machine.
func useSMTP(t testing.TB, w *workspace, host string, port int) {
	t.Helper()
	w.setKey(t, "email", "transport", `"smtp"`)
	// A high rate: the starter's 20 a minute would make tests wait.
	w.appendConfig(t, fmt.Sprintf("[email.smtp]\nhost = %q\nport = %d\ntls = \"none\"\nrate = 6000", host, port))
}

// queueRow is one row of the messages table, with its contact's email.
type queueRow struct {
	ID                    int64
	Email, Step, Channel  string
	State                 string
	Attempts              int
	DueAt                 int64
	MessageID, ProviderID string
}

// openDB opens the workspace's database directly, to see what the
// commands do not show and to stage a crash.
func openDB(t testing.TB, w *workspace) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+w.path("rapport.db")+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// queueOf returns the queue rows of one contact and step, oldest first.
func queueOf(t testing.TB, w *workspace, email, step string) []queueRow {
	t.Helper()
	rows, err := openDB(t, w).Query(`SELECT m.id, coalesce(c.email, ''), m.step, m.channel, m.state, m.attempts,
		m.due_at, coalesce(m.message_id, ''), m.provider_id FROM messages m JOIN contacts c ON c.id = m.contact_id
		WHERE c.email = ? AND m.step = ? ORDER BY m.id`, email, step)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []queueRow
	for rows.Next() {
		var r queueRow
		if err := rows.Scan(&r.ID, &r.Email, &r.Step, &r.Channel, &r.State, &r.Attempts, &r.DueAt, &r.MessageID, &r.ProviderID); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// onlyRow returns the single queue row of a contact's step.
func onlyRow(t testing.TB, w *workspace, email, step string) queueRow {
	t.Helper()
	rows := queueOf(t, w, email, step)
	if len(rows) != 1 {
		t.Fatalf("%s/%s: %d queue rows, want 1: %+v", email, step, len(rows), rows)
	}
	return rows[0]
}

// contactNamed returns `contacts --json`'s entry for an email address.
func contactNamed(t testing.TB, w *workspace, email string) contactJSON {
	t.Helper()
	var cs []contactJSON
	w.runJSON(t, &cs, "contacts", "--json")
	for _, c := range cs {
		if c.Email == email {
			return c
		}
	}
	t.Fatalf("contacts --json has no %s", email)
	return contactJSON{}
}

// TestSMTPDeliversPolicySheet sends the policy sheet through a real SMTP
// server and reads it back as a mail client would.
func TestSMTPDeliversPolicySheet(t *testing.T) {
	mp := mailpit.Start(t)
	w := customerWorkspace(t)
	useSMTP(t, w, mp.SMTPHost, mp.SMTPPort)
	w.replace(t, "templates/policy-sheet.email.md", `# attach = ["shipping-and-returns.pdf"]`, `attach = ["shipping-and-returns.pdf"]`)
	w.write(t, "templates/shipping-and-returns.pdf", "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
	placeOrder(t, w, janeAddr)
	runOnce(t, w, orderDay+" 11:00")

	row := onlyRow(t, w, janeAddr, "policy-sheet")
	if row.State != store.Sent {
		t.Fatalf("policy sheet is %s, want sent", row.State)
	}
	got := mailTo(t, mp, janeAddr)
	if got.MessageID != row.MessageID {
		t.Errorf("Message-ID %q, want the queue row's %q", got.MessageID, row.MessageID)
	}
	h := mp.Headers(t, got.ID)
	checkHeader(t, h, "Auto-Submitted", "auto-generated")
	checkHeader(t, h, "List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	unsub := strings.Trim(headerValue(h, "List-Unsubscribe"), "<>")
	if !strings.HasPrefix(unsub, "https://rapport.example.com/unsubscribe/") {
		t.Errorf("List-Unsubscribe %q, want an https link under [http] public_url", unsub)
	}
	checkPolicySheetBody(t, mp, got.ID, unsub)
}

// mailTo waits for Mailpit to hold the one message to addr.
func mailTo(t *testing.T, mp *mailpit.Server, addr string) mailpit.Summary {
	t.Helper()
	for _, m := range mp.WaitCount(t, 1, 10*time.Second) {
		if len(m.To) == 1 && m.To[0].Address == addr {
			return m
		}
	}
	t.Fatalf("no message to %s in Mailpit", addr)
	return mailpit.Summary{}
}

// checkPolicySheetBody checks the parts: text first, then its HTML
// alternative, both with the footer, and the attachment.
func checkPolicySheetBody(t *testing.T, mp *mailpit.Server, id, unsub string) {
	t.Helper()
	d := mp.Message(t, id)
	if d.Text == "" || d.HTML == "" {
		t.Errorf("want both a text and an HTML part; text %d bytes, HTML %d bytes", len(d.Text), len(d.HTML))
	}
	for _, part := range []struct{ name, body string }{{"text", d.Text}, {"HTML", d.HTML}} {
		for _, want := range []string{"Amy Kline", "123 Main St, Springfield, IL 62701", unsub} {
			if !strings.Contains(part.body, want) {
				t.Errorf("%s part lacks %q in its footer", part.name, want)
			}
		}
	}
	if len(d.Attachments) != 1 || d.Attachments[0].FileName != "shipping-and-returns.pdf" {
		t.Errorf("attachments %+v, want shipping-and-returns.pdf", d.Attachments)
	}
	raw := string(mp.Raw(t, id))
	if i, j := strings.Index(raw, "text/plain"), strings.Index(raw, "text/html"); i < 0 || j < i {
		t.Errorf("want the text/plain part before the text/html alternative")
	}
}

func checkHeader(t *testing.T, h map[string][]string, name, want string) {
	t.Helper()
	if got := h[name]; len(got) != 1 || got[0] != want {
		t.Errorf("%s: %q, want %q", name, got, want)
	}
}

// headerValue is a header's first value, or "".
func headerValue(h map[string][]string, name string) string {
	if len(h[name]) == 0 {
		return ""
	}
	return h[name][0]
}

// sinkMessagesTo returns what the sink accepted for one recipient.
func sinkMessagesTo(s *smtpsink.Sink, rcpt string) []smtpsink.Message {
	var out []smtpsink.Message
	for _, m := range s.Received() {
		for _, r := range m.Rcpts {
			if strings.EqualFold(r, rcpt) {
				out = append(out, m)
			}
		}
	}
	return out
}

// messageIDOf reads the Message-ID header of a raw message.
func messageIDOf(t *testing.T, raw []byte) string {
	t.Helper()
	for _, line := range strings.Split(string(raw), "\r\n") {
		if v, ok := strings.CutPrefix(line, "Message-ID: "); ok {
			return strings.Trim(v, "<>")
		}
		if line == "" {
			break
		}
	}
	t.Fatalf("no Message-ID in:\n%s", raw)
	return ""
}

// TestSMTPTemporaryFailureIsRetried: a greylisting 451 at RCPT TO puts the
// email back with a backoff; the next pass after it delivers it once,
// with the Message-ID it was queued with.
func TestSMTPTemporaryFailureIsRetried(t *testing.T) {
	sink := smtpsink.Start(t)
	sink.FailNext(smtpsink.Rcpt, 451, "4.7.1", "Greylisted, please try again later", 1)
	w := customerWorkspace(t)
	useSMTP(t, w, sink.Host, sink.Port)
	placeOrder(t, w, janeAddr)

	runOnce(t, w, orderDay+" 11:00")
	row := onlyRow(t, w, janeAddr, "policy-sheet")
	if row.State != store.Pending || row.Attempts != 1 {
		t.Fatalf("after a 451: %+v, want pending after 1 attempt", row)
	}
	if due := time.Unix(row.DueAt, 0); !due.After(cst(t, orderDay+" 11:00")) || due.After(cst(t, orderDay+" 11:05")) {
		t.Errorf("retry due %s, want within minutes (retry_base is 1m)", due)
	}
	if n := len(sinkMessagesTo(sink, janeAddr)); n != 0 {
		t.Fatalf("%d messages accepted after a 451", n)
	}

	runOnce(t, w, orderDay+" 11:05")
	runOnce(t, w, orderDay+" 11:10")
	got := sinkMessagesTo(sink, janeAddr)
	if len(got) != 1 {
		t.Fatalf("%d messages delivered, want exactly 1", len(got))
	}
	row = onlyRow(t, w, janeAddr, "policy-sheet")
	if row.State != store.Sent || row.Attempts != 2 {
		t.Errorf("after the retry: %+v, want sent on the 2nd attempt", row)
	}
	if id := messageIDOf(t, got[0].Data); id != row.MessageID {
		t.Errorf("delivered Message-ID %q, want the queued %q", id, row.MessageID)
	}
}

// TestSMTPHardBounce: 550 5.1.1 marks the address bounced, and nothing
// later is even tried on it.
func TestSMTPHardBounce(t *testing.T) {
	sink := smtpsink.Start(t)
	sink.Add(smtpsink.Rule{Stage: smtpsink.Rcpt, Rcpt: bobAddr, Code: 550, Enhanced: "5.1.1", Text: "No such user here", Times: 1})
	w := customerWorkspace(t)
	useSMTP(t, w, sink.Host, sink.Port)
	placeOrder(t, w, bobAddr)

	runOnce(t, w, orderDay+" 11:00")
	if c := contactNamed(t, w, bobAddr); c.EmailStatus != store.Bounced {
		t.Fatalf("email_status %q after 550 5.1.1, want bounced", c.EmailStatus)
	}
	// The arrival check would fall back to email; the check-in is email.
	for _, at := range []string{orderDay + " 11:05", "2026-03-07 10:30", "2026-03-30 11:00"} {
		runOnce(t, w, at)
	}
	if got := sinkMessagesTo(sink, bobAddr); len(got) != 0 {
		t.Errorf("%d emails went to a bounced address", len(got))
	}
	for _, step := range []string{"policy-sheet", "arrival-check", "four-week-checkin"} {
		if r := onlyRow(t, w, bobAddr, step); r.State != store.Skipped {
			t.Errorf("%s: %s, want skipped", step, r.State)
		}
	}
}

// freeAddr returns a loopback address nobody listens on.
func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// runningDaemon is `rapport run` in a goroutine.
type runningDaemon struct {
	base   string // http://127.0.0.1:PORT
	stop   context.CancelFunc
	exited chan int
	out    *syncbuf.Buffer
}

// startDaemon serves on [http] listen = addr with public_url pointing at
// it, and waits until /healthz answers. It is stopped when the test ends
// if the test did not stop it.
func startDaemon(t *testing.T, w *workspace, addr string, now time.Time) *runningDaemon {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	d := &runningDaemon{base: "http://" + addr, stop: cancel, exited: make(chan int, 1), out: &syncbuf.Buffer{}}
	args := []string{"-c", w.config, "--now", now.Format(time.RFC3339), "run"}
	getenv := func(k string) string { return w.env[k] }
	go func() { d.exited <- run(ctx, args, stdio{in: strings.NewReader(""), out: d.out, err: d.out}, getenv) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-d.exited:
		case <-time.After(20 * time.Second):
			t.Errorf("daemon did not stop:\n%s", d.out)
		}
	})
	d.waitHealthy(t)
	return d
}

func (d *runningDaemon) waitHealthy(t *testing.T) {
	t.Helper()
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(15 * time.Second)
	for {
		select {
		case code := <-d.exited:
			d.exited <- code
			t.Fatalf("daemon exited with %d before serving:\n%s", code, d.out)
		default:
		}
		if resp, err := client.Get(d.base + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("daemon not healthy after 15s:\n%s", d.out)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// shutdown cancels the daemon's context, as SIGTERM does, and expects a
// clean exit 0 within a few seconds.
func (d *runningDaemon) shutdown(t *testing.T) {
	t.Helper()
	d.stop()
	select {
	case code := <-d.exited:
		d.exited <- code
		if code != exitOK {
			t.Errorf("daemon exited %d, want 0:\n%s", code, d.out)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("daemon still running 10s after it was told to stop:\n%s", d.out)
	}
}

// fetch sends a GET or a one-click POST and returns status and body.
func fetch(t *testing.T, method, link string) (int, string) {
	t.Helper()
	var body io.Reader
	if method == http.MethodPost {
		body = strings.NewReader(url.Values{"List-Unsubscribe": {"One-Click"}}.Encode())
	}
	req, err := http.NewRequest(method, link, body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// emailsTo returns the outbox emails to one address, in queue order.
func emailsTo(t *testing.T, w *workspace, addr string) []sentEmail {
	t.Helper()
	var out []sentEmail
	for _, e := range w.emails(t) {
		if strings.EqualFold(e.To, addr) {
			out = append(out, e)
		}
	}
	return out
}

// alterToken changes one character of the signature in an unsubscribe link.
func alterToken(link string) string {
	last := link[len(link)-1]
	swap := byte('A')
	if last == 'A' {
		swap = 'B'
	}
	return link[:len(link)-1] + string(swap)
}

// TestUnsubscribeLinkOnRunningDaemon follows the link in a sent email to
// the running daemon: looking changes nothing, a forged token changes
// nothing, the one-click POST stops every later email, queued ones too.
func TestUnsubscribeLinkOnRunningDaemon(t *testing.T) {
	w := customerWorkspace(t)
	addr := freeAddr(t)
	w.setKey(t, "http", "listen", strconv.Quote(addr))
	w.setKey(t, "http", "public_url", strconv.Quote("http://"+addr))
	placeOrder(t, w, bobAddr)
	runOnce(t, w, orderDay+" 11:00")

	sheets := emailsTo(t, w, bobAddr)
	if len(sheets) != 1 {
		t.Fatalf("%d emails to Bob, want the policy sheet", len(sheets))
	}
	link := strings.Trim(sheets[0].Header.Get("List-Unsubscribe"), "<>")
	if !strings.HasPrefix(link, "http://"+addr+"/unsubscribe/") {
		t.Fatalf("List-Unsubscribe %q, want a link to this daemon", link)
	}
	if p := sheets[0].Header.Get("List-Unsubscribe-Post"); p != "" {
		t.Errorf("List-Unsubscribe-Post %q on an http link; one-click is for https only", p)
	}

	d := startDaemon(t, w, addr, cst(t, orderDay+" 11:05"))
	steps := []struct {
		name, method, link, wantPage, wantStatus string
	}{
		{"a link scanner looks", http.MethodGet, link, `value="One-Click"`, store.Subscribed},
		{"forged token", http.MethodPost, alterToken(link), "unsubscribed</h1>", store.Subscribed},
		{"one click", http.MethodPost, link, "unsubscribed</h1>", store.Unsubscribed},
		{"clicked again", http.MethodPost, link, "unsubscribed</h1>", store.Unsubscribed},
	}
	for _, s := range steps {
		code, page := fetch(t, s.method, s.link)
		if code != http.StatusOK || !strings.Contains(page, s.wantPage) {
			t.Errorf("%s: %s %s → %d, want 200 with %q:\n%s", s.name, s.method, s.link, code, s.wantPage, page)
		}
		if got := contactNamed(t, w, bobAddr).EmailStatus; got != s.wantStatus {
			t.Errorf("%s: email_status %q, want %q", s.name, got, s.wantStatus)
		}
	}
	d.shutdown(t)

	// The arrival check (email for Bob) and the check-in were queued
	// before he unsubscribed; neither goes.
	for _, at := range []string{"2026-03-07 10:30", "2026-03-30 11:00"} {
		runOnce(t, w, at)
	}
	if n := len(emailsTo(t, w, bobAddr)); n != 1 {
		t.Errorf("%d emails to Bob, want only the one before he unsubscribed", n)
	}
	for _, step := range []string{"arrival-check", "four-week-checkin"} {
		if r := onlyRow(t, w, bobAddr, step); r.State != store.Skipped {
			t.Errorf("%s: %s, want skipped", step, r.State)
		}
	}
}

// twilioWorkspace sends texts through twilio-go to a Twilio stand-in. Jane
// has ordered and had her policy sheet (by the email outbox); her arrival
// check is due on 7 March at 10:00.
func twilioWorkspace(t *testing.T) (*workspace, *twiliotest.Server) {
	t.Helper()
	tw := twiliotest.Start(t)
	w := customerWorkspace(t)
	w.setKey(t, "sms", "transport", `"twilio"`)
	w.setKey(t, "sms", "rate", "50.0") // no waiting between texts in tests
	w.appendConfig(t, fmt.Sprintf("[sms.twilio]\naccount_sid = %q\nauth_token = %q\nfrom = %q\napi_base_url = %q",
		tw.AccountSID, tw.AuthToken, repNumber, tw.URL))
	placeOrder(t, w, janeAddr)
	runOnce(t, w, orderDay+" 11:00")
	return w, tw
}

// creates counts the create-message requests Twilio received.
func creates(tw *twiliotest.Server) int {
	n := 0
	for _, r := range tw.Requests() {
		if r.Method == http.MethodPost && strings.HasSuffix(r.Path, "/Messages.json") {
			n++
		}
	}
	return n
}

// checkTextedOnce checks that Twilio holds exactly one text to Jane and
// that the queue recorded it as sent with its SID.
func checkTextedOnce(t *testing.T, w *workspace, tw *twiliotest.Server) {
	t.Helper()
	sent := tw.Sent()
	if len(sent) != 1 {
		t.Fatalf("Twilio holds %d texts, want exactly 1", len(sent))
	}
	row := onlyRow(t, w, janeAddr, "arrival-check")
	if row.State != store.Sent || row.Channel != "sms" || row.ProviderID != sent[0].SID {
		t.Errorf("queue row %+v, want sent by sms with SID %s", row, sent[0].SID)
	}
}

func TestTwilioSendsArrivalCheck(t *testing.T) {
	w, tw := twilioWorkspace(t)
	runOnce(t, w, "2026-03-07 10:30")
	checkTextedOnce(t, w, tw)
	m := tw.Sent()[0]
	if m.To != janeE164 || m.From != repNumber {
		t.Errorf("text from %s to %s, want from %s to %s", m.From, m.To, repNumber, janeE164)
	}
	if !strings.Contains(m.Body, "Reply STOP") {
		t.Errorf("first text %q does not say how to stop", m.Body)
	}
	if m.StatusCallback != "https://rapport.example.com/twilio/status" {
		t.Errorf("StatusCallback %q, want public_url + /twilio/status", m.StatusCallback)
	}
	for _, r := range tw.Requests() {
		if r.User != tw.AccountSID {
			t.Errorf("%s %s authenticated as %q", r.Method, r.Path, r.User)
		}
	}
}

// TestTwilioOptedOutFallsBackToEmail: 21610 means Jane texted STOP to the
// number; texts to her stop and the step goes by its email fallback.
func TestTwilioOptedOutFallsBackToEmail(t *testing.T) {
	w, tw := twilioWorkspace(t)
	tw.FailNext(1, twiliotest.Unsubscribed())
	runOnce(t, w, "2026-03-07 10:30")
	if got := contactNamed(t, w, janeAddr).SMSStatus; got != store.OptedOut {
		t.Fatalf("sms_status %q after 21610, want opted_out", got)
	}
	runOnce(t, w, "2026-03-07 10:35")
	if n := len(tw.Sent()); n != 0 {
		t.Errorf("Twilio holds %d texts, want none", n)
	}
	row := onlyRow(t, w, janeAddr, "arrival-check")
	emails := emailsTo(t, w, janeAddr)
	if row.State != store.Sent || row.Channel != "email" || len(emails) != 2 || emails[1].Subject != "Did your order arrive OK?" {
		t.Errorf("arrival check %+v with %d emails, want it sent by email", row, len(emails))
	}
}

// TestTwilioRateLimitedIsRetried: a 429 created nothing; the text goes
// once on a later pass.
func TestTwilioRateLimitedIsRetried(t *testing.T) {
	w, tw := twilioWorkspace(t)
	tw.FailNext(1, twiliotest.TooManyRequests())
	runOnce(t, w, "2026-03-07 10:30")
	if row := onlyRow(t, w, janeAddr, "arrival-check"); row.State != store.Pending || len(tw.Sent()) != 0 {
		t.Fatalf("after a 429: %+v with %d texts, want pending and none", row, len(tw.Sent()))
	}
	runOnce(t, w, "2026-03-07 10:30") // not yet: Twilio asked us to wait
	if n := creates(tw); n != 1 {
		t.Errorf("%d create requests right after the 429, want 1", n)
	}
	runOnce(t, w, "2026-03-07 10:45")
	runOnce(t, w, "2026-03-07 10:50")
	checkTextedOnce(t, w, tw)
}

// TestTwilioCreatedButAnswered500: Twilio queued the text and then
// answered 500. The engine asks before resending and records it sent.
func TestTwilioCreatedButAnswered500(t *testing.T) {
	w, tw := twilioWorkspace(t)
	tw.FailNext(1, twiliotest.InternalError(true))
	runOnce(t, w, "2026-03-07 10:30")
	runOnce(t, w, "2026-03-07 10:45")
	checkTextedOnce(t, w, tw)
	if n := creates(tw); n != 1 {
		t.Errorf("%d create requests, want 1", n)
	}
}

// TestTwilioCrashAfterSend: the daemon died after Twilio took the text
// and before it recorded that (the row is still 'sending'). The next run
// finds the text at Twilio and records it without sending it again.
func TestTwilioCrashAfterSend(t *testing.T) {
	w, tw := twilioWorkspace(t)
	runOnce(t, w, "2026-03-07 10:30")
	row := onlyRow(t, w, janeAddr, "arrival-check")
	_, err := openDB(t, w).Exec(`UPDATE messages SET state = 'sending', provider_id = '', sent_at = 0 WHERE id = ?`, row.ID)
	if err != nil {
		t.Fatal(err)
	}
	runOnce(t, w, "2026-03-07 10:45")
	checkTextedOnce(t, w, tw)
	if n := creates(tw); n != 1 {
		t.Errorf("%d create requests, want 1: the text went twice", n)
	}
}
