package engine_test

// A harness for driving the engine directly: real SQLite in a temp folder,
// a manual clock, the outbox transports, a campaign given as TOML text and
// the templates in testdata/templates.

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/campaign"
	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/channel/email"
	"github.com/rapportapp/rapport/internal/channel/sms"
	"github.com/rapportapp/rapport/internal/clock"
	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/schedule"
	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/tmpl"
	"github.com/rapportapp/rapport/internal/unsub"
)

var chicago = mustZone("America/Chicago")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err) // the test binary needs the zone database
	}
	return loc
}

// local is a wall-clock time "2006-01-02 15:04" in Chicago.
func local(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.ParseInLocation("2006-01-02 15:04", s, chicago)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

type harness struct {
	t       testing.TB
	path    string // the database
	ctx     context.Context
	st      *store.Store
	clock   *clock.Manual
	content *engine.Content
	outbox  string
	senders map[string]channel.Sender // the real outbox transports
	eng     *engine.Engine

	mu     sync.Mutex
	events []engine.Event
}

// newHarness builds an engine running campaign (TOML text, campaign id
// "test") with the outbox transports, the clock at the campaign's start.
func newHarness(t testing.TB, campaignTOML string) *harness {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, filepath.Join(dir, "rapport.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := &harness{t: t, path: filepath.Join(dir, "rapport.db"), ctx: ctx, st: st, clock: clock.NewManual(local(t, "2026-01-01 00:00")),
		content: testContent(t, campaignTOML), outbox: filepath.Join(dir, "outbox")}
	h.senders = outboxSenders(t, h.outbox)
	h.eng = h.newEngine(h.senders)
	return h
}

// newEngine builds an engine over the harness's store, as a restarted
// process would.
func (h *harness) newEngine(senders map[string]channel.Sender) *engine.Engine {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e := engine.New(h.st, h.clock, log, unsub.New([]byte("0123456789abcdef0123456789abcdef")), h.content, senders)
	e.OnEvent = func(ev engine.Event) {
		h.mu.Lock()
		h.events = append(h.events, ev)
		h.mu.Unlock()
	}
	return e
}

func outboxSenders(t testing.TB, dir string) map[string]channel.Sender {
	t.Helper()
	mail, err := email.NewOutbox(dir, email.Identity{From: "Amy Kline <amy@example.com>"})
	if err != nil {
		t.Fatal(err)
	}
	text, err := sms.NewOutbox(dir, "+13125550100")
	if err != nil {
		t.Fatal(err)
	}
	return map[string]channel.Sender{channel.Email: mail, channel.SMS: text}
}

// use swaps in other transports (a scripted one wrapping the outbox).
func (h *harness) use(ch string, s channel.Sender) {
	h.t.Helper()
	senders := map[string]channel.Sender{}
	for k, v := range h.senders {
		senders[k] = v
	}
	senders[ch] = s
	if err := h.eng.Swap(h.ctx, h.content, senders); err != nil {
		h.t.Fatal(err)
	}
}

func testContent(t testing.TB, campaignTOML string) *engine.Content {
	t.Helper()
	cp, err := campaign.Parse("test.toml", []byte(campaignTOML))
	if err != nil {
		t.Fatalf("campaign: %v", err)
	}
	set, err := tmpl.LoadDir(filepath.Join("testdata", "templates"))
	if err != nil {
		t.Fatalf("templates: %v", err)
	}
	cal, err := schedule.NewCalendar(nil)
	if err != nil {
		t.Fatal(err)
	}
	tod := func(s string) schedule.TimeOfDay {
		v, err := schedule.ParseTimeOfDay(s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	hours, err := schedule.ParseWindow("08:00-20:00")
	if err != nil {
		t.Fatal(err)
	}
	return &engine.Content{
		Campaigns: []*campaign.Campaign{cp},
		Templates: set,
		Rules: engine.Rules{DefaultAt: tod("10:00"), AllowedHours: hours, MaxTextsPerDay: 3, Calendar: cal,
			RepZone: chicago, MaxAttempts: 4, RetryBase: time.Minute, RetryMax: time.Hour, DigestAt: tod("07:30")},
		Rep:       tmpl.Rep{Name: "Amy Kline", Email: "amy@example.com", Phone: "(312) 555-0100", PostalAddress: "123 Main St"},
		RepPhone:  "+13125550100",
		RepEmail:  "amy@example.com",
		PublicURL: "https://rapport.example.com",
		MsgDomain: "example.com",
		// No [notify] email: no digests in the outbox, only customers' messages.
	}
}

// customer adds a contact in Chicago who agreed to texts in writing.
func (h *harness) customer(first, mail, phone string) *store.Contact {
	h.t.Helper()
	ct := &store.Contact{FirstName: first, LastName: "Test", Email: mail, Phone: phone, Timezone: "America/Chicago",
		SMSConsent: phone != "", ConsentKnown: true, SMSConsentAt: "2026-01-10", SMSConsentSource: "signed order form"}
	err := h.st.Tx(h.ctx, func(tx *store.Tx) error {
		_, err := tx.UpsertContact(h.ctx, ct, h.clock.Now().Unix())
		return err
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return ct
}

// order records an order dated day, entered at the clock's time, and
// enrolls the contact.
func (h *harness) order(ct *store.Contact, day string) {
	h.t.Helper()
	o := &store.Order{ContactID: ct.ID, Date: day, Invoice: "INV-" + day, CreatedAt: h.clock.Now().Unix()}
	err := h.st.Tx(h.ctx, func(tx *store.Tx) error {
		if _, err := tx.AddOrder(h.ctx, o); err != nil {
			return err
		}
		_, err := h.content.Enroll(h.ctx, tx, ct, o, h.clock.Now())
		return err
	})
	if err != nil {
		h.t.Fatal(err)
	}
}

// tickAt sets the clock and runs one dispatcher pass.
func (h *harness) tickAt(now time.Time) {
	h.t.Helper()
	h.clock.Set(now)
	if err := h.eng.Tick(h.ctx); err != nil {
		h.t.Fatalf("tick at %s: %v", now, err)
	}
}

// files lists the outbox's message files (temporary files left out).
func (h *harness) files() []string {
	h.t.Helper()
	entries, err := os.ReadDir(h.outbox)
	if err != nil {
		h.t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	return out
}

// rows returns a contact's queue rows by due time.
func (h *harness) rows(ct *store.Contact) []store.Due {
	h.t.Helper()
	rows, err := h.st.ContactTimeline(h.ctx, ct.ID, h.eng.Content().Holds())
	if err != nil {
		h.t.Fatal(err)
	}
	return rows
}

// only returns the contact's single row of step in state, failing if
// there is not exactly one.
func (h *harness) only(ct *store.Contact, step, state string) store.Due {
	h.t.Helper()
	var found []store.Due
	for _, r := range h.rows(ct) {
		if r.Step == step && r.State == state {
			found = append(found, r)
		}
	}
	if len(found) != 1 {
		h.t.Fatalf("%d %s rows of %s, want 1: %+v", len(found), state, step, h.rows(ct))
	}
	return found[0]
}

// count returns how many of the contact's rows of step are in state.
func (h *harness) count(ct *store.Contact, step, state string) int {
	n := 0
	for _, r := range h.rows(ct) {
		if r.Step == step && r.State == state {
			n++
		}
	}
	return n
}

func (h *harness) eventKinds() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, e := range h.events {
		out = append(out, e.Kind)
	}
	return out
}

func (h *harness) notices() []store.Notice {
	h.t.Helper()
	ns, err := h.st.RecentNotices(h.ctx, 100)
	if err != nil {
		h.t.Fatal(err)
	}
	return ns
}

// scripted is a transport that fails with errs, one per send, and then
// hands messages to the real outbox. With deliverFirst it writes the
// message before failing, as when a provider created it but the answer
// was lost. It is the only stand-in in these tests: the engine's contract
// with transports is the channel.Error class, and this is how to script one.
type scripted struct {
	next         channel.Sender
	errs         []error
	deliverFirst bool

	mu    sync.Mutex
	calls int
}

func (s *scripted) Send(ctx context.Context, m *channel.Message) (string, error) {
	s.mu.Lock()
	s.calls++
	var err error
	if len(s.errs) > 0 {
		err, s.errs = s.errs[0], s.errs[1:]
	}
	s.mu.Unlock()
	if err == nil {
		return s.next.Send(ctx, m)
	}
	if s.deliverFirst {
		if _, werr := s.next.Send(ctx, m); werr != nil {
			return "", werr
		}
	}
	return "", err
}

func (s *scripted) Calls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// verifying is scripted plus the outbox's after-the-fact check, like the
// Twilio transport asking the API whether a message exists.
type verifying struct{ *scripted }

func (v verifying) Verify(ctx context.Context, m *channel.Message) (string, bool, error) {
	return v.next.(channel.Verifier).Verify(ctx, m)
}

func temporary(msg string) error {
	return &channel.Error{Class: channel.Temporary, Code: "421", Msg: msg}
}

// repeat returns n copies of err.
func repeat(err error, n int) []error {
	out := make([]error, n)
	for i := range out {
		out[i] = err
	}
	return out
}
