package inbox_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/campaign"
	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/channel/email"
	"github.com/rapportapp/rapport/internal/channel/sms"
	"github.com/rapportapp/rapport/internal/clock"
	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/inbox"
	"github.com/rapportapp/rapport/internal/schedule"
	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/testsrv/twiliotest"
	"github.com/rapportapp/rapport/internal/tmpl"
	"github.com/rapportapp/rapport/internal/unsub"
	"github.com/rapportapp/rapport/internal/web"
)

const (
	repPhone   = "+13125550100"
	repEmail   = "amy@example.com"
	janePhone  = "+13125550142"
	janeEmail  = "jane@example.net"
	orderDate  = "2026-03-02" // a Monday
	strangerNo = "+14155550199"
)

var chicago = mustZone("America/Chicago")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// local is a wall-clock time in Chicago, in March 2026.
func local(day, hour, minute int) time.Time {
	return time.Date(2026, time.March, day, hour, minute, 0, 0, chicago)
}

// shop is a real store, engine and inbox over this package's testdata
// campaign, with one customer (Jane) who ordered on orderDate and has
// been sent the thank-you email.
type shop struct {
	path   string // the database
	st     *store.Store
	clock  *clock.Manual
	engine *engine.Engine
	inbox  *inbox.Inbox
	jane   *store.Contact
	events []engine.Event
}

func newShop(t *testing.T) *shop {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "rapport.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s := &shop{path: filepath.Join(dir, "rapport.db"), st: st, clock: clock.NewManual(local(2, 9, 0))}
	c := testContent(t)
	log := slog.New(slog.DiscardHandler)
	s.engine = engine.New(st, s.clock, log, unsub.New([]byte("test key, not secret")), c, outboxSenders(t, filepath.Join(dir, "outbox")))
	s.engine.OnEvent = func(ev engine.Event) { s.events = append(s.events, ev) }
	s.inbox = inbox.New(st, s.engine, s.clock, log)
	s.jane = s.addCustomer(t, c)
	s.tickAt(t, local(2, 11, 0))
	if got := s.sent(); !slices.Equal(got, []string{"email thanks"}) {
		t.Fatalf("on the order day sent %q, want the thank-you email", got)
	}
	s.events = nil
	return s
}

func testContent(t *testing.T) *engine.Content {
	t.Helper()
	cps, err := campaign.LoadDir("testdata/campaigns")
	if err != nil {
		t.Fatal(err)
	}
	set, err := tmpl.LoadDir("testdata/templates")
	if err != nil {
		t.Fatal(err)
	}
	cal, err := schedule.NewCalendar([]string{"2026-03-10"}) // a holiday inside the damage window
	if err != nil {
		t.Fatal(err)
	}
	return &engine.Content{
		Campaigns: cps, Templates: set,
		Rules: engine.Rules{
			DefaultAt: must(schedule.ParseTimeOfDay("10:00")), AllowedHours: must(schedule.ParseWindow("08:00-20:00")),
			MaxTextsPerDay: 3, Calendar: cal, RepZone: chicago, MaxAttempts: 8,
			RetryBase: time.Minute, RetryMax: 6 * time.Hour, DigestAt: must(schedule.ParseTimeOfDay("07:30")),
		},
		Policy: engine.Policy{
			ReportDamageWithin: must(schedule.ParseDelay("7bd")), MoneyBackGuarantee: must(schedule.ParseDelay("15d")),
			ReturnAuthorizationValid: must(schedule.ParseDelay("14d")),
		},
		Rep:      tmpl.Rep{Name: "Amy Kline", Email: repEmail, Phone: "(312) 555-0100", PostalAddress: "123 Main St, Springfield, IL 62701"},
		RepPhone: repPhone, RepEmail: repEmail, PublicURL: "https://rapport.example.com", MsgDomain: "example.com",
		NotifyEmail: repEmail,
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func outboxSenders(t *testing.T, dir string) map[string]channel.Sender {
	t.Helper()
	em, err := email.NewOutbox(dir, email.Identity{From: "Amy Kline <" + repEmail + ">"})
	if err != nil {
		t.Fatal(err)
	}
	tx, err := sms.NewOutbox(dir, repPhone)
	if err != nil {
		t.Fatal(err)
	}
	return map[string]channel.Sender{channel.Email: em, channel.SMS: tx}
}

// addCustomer records Jane, who agreed to texts, and her order.
func (s *shop) addCustomer(t *testing.T, c *engine.Content) *store.Contact {
	t.Helper()
	ctx, now := context.Background(), s.clock.Now()
	ct := &store.Contact{
		FirstName: "Jane", LastName: "Doe", Email: janeEmail, Phone: janePhone,
		SMSConsent: true, SMSConsentAt: "2026-03-01", SMSConsentSource: "signed order form", ConsentKnown: true,
	}
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.UpsertContact(ctx, ct, now.Unix()); err != nil {
			return err
		}
		o := &store.Order{ContactID: ct.ID, Date: orderDate, Invoice: "INV-1", Items: "Lavender 15ml", CreatedAt: now.Unix()}
		if _, err := tx.AddOrder(ctx, o); err != nil {
			return err
		}
		_, err := c.Enroll(ctx, tx, ct, o, now)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

// tickAt moves the clock to at and runs one dispatcher pass.
func (s *shop) tickAt(t *testing.T, at time.Time) {
	t.Helper()
	s.clock.Set(at)
	if err := s.engine.Tick(context.Background()); err != nil {
		t.Fatalf("tick at %s: %v", at, err)
	}
}

// sent lists the customer messages sent since the last reset, as
// "channel step".
func (s *shop) sent() []string {
	var out []string
	for _, ev := range s.events {
		if ev.Kind == "sent" {
			out = append(out, ev.Channel+" "+ev.Step)
		}
	}
	return out
}

// text plays an inbound text from a number, through the inbox.
func (s *shop) text(t *testing.T, sid, from, body string) string {
	t.Helper()
	answer, err := s.inbox.ReceiveSMS(context.Background(), inbox.SMS{MessageSID: sid, From: from, To: repPhone, Body: body})
	if err != nil {
		t.Fatalf("ReceiveSMS(%q from %s): %v", body, from, err)
	}
	return answer
}

func (s *shop) replies(t *testing.T) []store.Reply {
	t.Helper()
	rs, err := s.st.Replies(context.Background(), true)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// forwards returns the messages queued for the rep and not sent yet.
func (s *shop) forwards(t *testing.T) []store.RepMessage {
	t.Helper()
	ms, err := s.st.DueRepMessages(context.Background(), s.clock.Now().Unix(), 100)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func (s *shop) contact(t *testing.T) *store.Contact {
	t.Helper()
	ct, err := s.st.Contact(context.Background(), s.jane.ID)
	if err != nil {
		t.Fatal(err)
	}
	return ct
}

// webhook serves the real web endpoints over the shop's inbox, with the
// public URL Twilio signs for set to the server's own address.
func (s *shop) webhook(t *testing.T, authToken string) string {
	t.Helper()
	hs := httptest.NewUnstartedServer(nil)
	base := "http://" + hs.Listener.Addr().String()
	ws := &web.Server{
		Inbox: s.inbox, Tokens: unsub.New([]byte("k")), PublicURL: base, AuthToken: authToken,
		RepName: "Amy Kline", Log: slog.New(slog.DiscardHandler),
	}
	hs.Config.Handler = ws.Handler()
	hs.Start()
	t.Cleanup(hs.Close)
	return base
}

// TestSignedReplyFromCustomer follows a problem text from Twilio's signed
// webhook to the rep: stored against Jane, flagged with the policy
// deadline, forwarded, and her follow-up paused until it is handled.
func TestSignedReplyFromCustomer(t *testing.T) {
	s := newShop(t)
	tw := twiliotest.Start(t)
	base := s.webhook(t, tw.AuthToken)
	s.clock.Set(local(5, 9, 0)) // Thursday: the parcel arrived
	code, err := tw.SendInbound(context.Background(), base+"/twilio/sms",
		twiliotest.InboundSMS{From: janePhone, To: repPhone, Body: "Hi Amy, my bottle arrived leaking :("})
	if err != nil || code != http.StatusOK {
		t.Fatalf("inbound webhook: %d, %v", code, err)
	}

	rs := s.replies(t)
	if len(rs) != 1 {
		t.Fatalf("stored %d replies, want 1: %+v", len(rs), rs)
	}
	r := rs[0]
	if r.ContactID != s.jane.ID || r.Channel != channel.SMS || r.From != janePhone || r.HandledAt != 0 {
		t.Errorf("reply = %+v, want an open SMS reply from Jane", r)
	}
	if !slices.Contains(strings.Split(r.Flags, ","), "leaking") {
		t.Errorf("flags = %q, want leaking", r.Flags)
	}
	// 7 business days from Thu 5 Mar, skipping the weekend and the
	// holiday on Tue 10 Mar.
	// Stored with its date marked, said on the day it is read.
	const stored = "report it to the company {due:2026-03-17:b} (it allows 7 business days from receipt)"
	if !strings.Contains(r.Deadlines, stored) {
		t.Errorf("deadlines = %q, want %q", r.Deadlines, stored)
	}
	const deadline = "report it to the company in 7 business days (Tue 17 Mar) (it allows 7 business days from receipt)"
	if said := s.engine.Content().SayDeadlines(r.DeadlineList(), s.clock.Now()); len(said) == 0 || !strings.Contains(said[0], deadline) {
		t.Errorf("deadlines said %q, want %q", said, deadline)
	}

	fw := s.forwards(t)
	if len(fw) != 1 || fw[0].To != repEmail || fw[0].Channel != channel.Email {
		t.Fatalf("queued for the rep: %+v, want one email to %s", fw, repEmail)
	}
	for _, want := range []string{"leaking", "Jane Doe", deadline} {
		if !strings.Contains(fw[0].Subject+"\n"+fw[0].Body, want) {
			t.Errorf("forward lacks %q:\nSubject: %s\n%s", want, fw[0].Subject, fw[0].Body)
		}
	}

	// The arrival check is due Saturday; the open reply holds it back.
	s.tickAt(t, local(7, 10, 30))
	if got := s.sent(); len(got) != 0 {
		t.Errorf("sent %q while Jane's reply is unhandled, want nothing", got)
	}
	err = s.st.Tx(context.Background(), func(tx *store.Tx) error {
		_, err := tx.HandleReply(context.Background(), r.ID, s.clock.Now().Unix())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	s.tickAt(t, local(7, 10, 45))
	if got := s.sent(); !slices.Equal(got, []string{"sms arrival-check"}) {
		t.Errorf("after the reply was handled sent %q, want the arrival check by text", got)
	}
}

// TestWebhookReplayStoredOnce: Twilio retries a webhook it got no answer
// to, with the same MessageSid. The reply and its forward exist once.
func TestWebhookReplayStoredOnce(t *testing.T) {
	s := newShop(t)
	const token = "0123456789abcdef0123456789abcdef"
	base := s.webhook(t, token)
	form := url.Values{
		"MessageSid": {"SM11111111111111111111111111111111"}, "AccountSid": {"AC11111111111111111111111111111111"},
		"From": {janePhone}, "To": {repPhone}, "Body": {"It came with the wrong item"}, "NumMedia": {"0"},
	}
	for i := range 3 {
		req, err := http.NewRequest(http.MethodPost, base+"/twilio/sms", strings.NewReader(form.Encode()))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("X-Twilio-Signature", twiliotest.Signature(token, base+"/twilio/sms", form))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("delivery %d: status %d, want 200", i+1, resp.StatusCode)
		}
	}
	if rs := s.replies(t); len(rs) != 1 {
		t.Errorf("stored %d replies, want 1", len(rs))
	}
	if fw := s.forwards(t); len(fw) != 1 {
		t.Errorf("queued %d forwards, want 1", len(fw))
	}
}

// TestKeywords covers the compliance keywords: what is answered, what
// happens to the contact, and where Saturday's arrival check goes.
func TestKeywords(t *testing.T) {
	tests := []struct {
		name       string
		bodies     []string
		wantStatus string
		wantAnswer []string // in the last answer
		wantSent   []string // at the arrival check's time
	}{
		{name: "STOP opts out; the check goes by email", bodies: []string{"STOP"},
			wantStatus: store.OptedOut, wantSent: []string{"email arrival-check"}},
		{name: "stop, any case and punctuation", bodies: []string{"Stop."},
			wantStatus: store.OptedOut, wantSent: []string{"email arrival-check"}},
		{name: "HELP gets the rep's details", bodies: []string{"HELP"},
			wantStatus: store.Subscribed, wantAnswer: []string{"Amy Kline", "(312) 555-0100", repEmail, "STOP"}, wantSent: []string{"sms arrival-check"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newShop(t)
			s.clock.Set(local(4, 12, 0))
			var answer string
			for i, body := range tt.bodies {
				answer = s.text(t, "SM"+strings.Repeat(string(rune('a'+i)), 32), janePhone, body)
			}
			for _, want := range tt.wantAnswer {
				if !strings.Contains(answer, want) {
					t.Errorf("answer %q lacks %q", answer, want)
				}
			}
			if len(tt.wantAnswer) == 0 && answer != "" {
				t.Errorf("answer = %q, want none (Twilio confirms STOP itself)", answer)
			}
			if got := s.contact(t).SMSStatus; got != tt.wantStatus {
				t.Errorf("sms status = %q, want %q", got, tt.wantStatus)
			}
			for _, r := range s.replies(t) {
				if r.HandledAt == 0 {
					t.Errorf("keyword reply %q left for the rep to handle", r.Body)
				}
			}
			if fw := s.forwards(t); len(fw) != 0 {
				t.Errorf("keywords forwarded to the rep: %+v", fw)
			}
			s.tickAt(t, local(7, 10, 30))
			if got := s.sent(); !slices.Equal(got, tt.wantSent) {
				t.Errorf("at the arrival check sent %q, want %q", got, tt.wantSent)
			}
		})
	}
}

// TestOtherSenders: words that may ask to stop are for the rep to act on, a
// stranger's text is kept without a contact, and the rep's own number is
// never taken for a customer.
func TestOtherSenders(t *testing.T) {
	tests := []struct {
		name, from, body string
		wantReply        bool
		wantContact      bool
		wantFlag         string
	}{
		{name: "maybe an opt-out", from: janePhone, body: "I think you have the wrong number", wantReply: true, wantContact: true, wantFlag: "opt_out"},
		{name: "unknown number", from: strangerNo, body: "Who is this?", wantReply: true},
		{name: "the rep's own number", from: repPhone, body: "testing testing"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newShop(t)
			if answer := s.text(t, "SM22222222222222222222222222222222", tt.from, tt.body); answer != "" {
				t.Errorf("answer = %q, want none", answer)
			}
			rs := s.replies(t)
			if !tt.wantReply {
				if len(rs) != 0 || len(s.forwards(t)) != 0 {
					t.Errorf("stored %+v and forwarded %+v, want nothing", rs, s.forwards(t))
				}
				return
			}
			if len(rs) != 1 {
				t.Fatalf("stored %d replies, want 1", len(rs))
			}
			want := int64(0)
			if tt.wantContact {
				want = s.jane.ID
			}
			if rs[0].ContactID != want || rs[0].From != tt.from || rs[0].Body != tt.body {
				t.Errorf("reply = %+v, want contact %d from %s", rs[0], want, tt.from)
			}
			if tt.wantFlag != "" && !slices.Contains(strings.Split(rs[0].Flags, ","), tt.wantFlag) {
				t.Errorf("flags = %q, want %s", rs[0].Flags, tt.wantFlag)
			}
			if got := s.contact(t).SMSStatus; got != store.Subscribed {
				t.Errorf("Jane's sms status = %q: only the rep may act on words", got)
			}
			if fw := s.forwards(t); len(fw) != 1 {
				t.Errorf("queued %d forwards, want 1", len(fw))
			}
		})
	}
}
