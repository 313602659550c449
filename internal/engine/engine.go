// Package engine is Rapport's heart: it plans each journey's steps into the
// durable queue, and its dispatcher claims due rows, renders them, hands
// them to a transport and records the result — every state change
// committed before the side effect that depends on it.
package engine

import (
	"context"
	"github.com/rapportapp/rapport/internal/cases"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rapportapp/rapport/internal/campaign"
	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/clock"
	"github.com/rapportapp/rapport/internal/schedule"
	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/tmpl"
	"github.com/rapportapp/rapport/internal/unsub"
)

// Rules are the sending rules from config.toml's [sending] and friends.
type Rules struct {
	DefaultAt      schedule.TimeOfDay // [sending] at
	AllowedHours   schedule.Window    // texts only inside these hours, recipient's time
	MaxTextsPerDay int                // per recipient, rolling 24 hours
	MaxSMSPerDay   int                // [sms] max_per_day: all customers, the rep's day; 0: none
	MaxEmailPerDay int                // [email] max_per_day: likewise for emails
	Calendar       schedule.Calendar  // holidays for business days
	RepZone        *time.Location     // default zone for contacts without one
	MaxAttempts    int                // temporary failures before giving up
	RetryBase      time.Duration      // first retry delay; doubles each time
	RetryMax       time.Duration
	DigestAt       schedule.TimeOfDay // rep's daily digest, rep's zone
	RemindAt       schedule.TimeOfDay // the case reminders' alert, rep's zone
}

// Policy is the rep's company policy, for deadlines on problem replies.
type Policy struct {
	ReportDamageWithin       schedule.Delay          // from receipt
	MoneyBackGuarantee       schedule.Delay          // from the order
	ReturnAuthorizationValid schedule.Delay          // from issue
	ChaseAfter               schedule.Delay          // a case with no update this long: chase support
	UpdateEvery              schedule.Delay          // a customer who heard nothing this long: update them
	DeliveryWithin           schedule.Delay          // an order is expected this long after it was placed
	ProblemWords             []string                // extra words that flag a reply
	Named                    map[string]cases.Policy // [policy.NAME], by the company an order names
}

// Company is the name of the [policy.NAME] an order's company column or
// flag names, spelt as in the config ("ACME" finds [policy.acme]); known is
// false for a name with no policy of its own, which the default [policy]
// covers. "" is the default policy, known.
func (p Policy) Company(name string) (string, bool) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", true
	}
	if _, ok := p.Named[name]; ok {
		return name, true
	}
	for n := range p.Named {
		if strings.EqualFold(n, name) {
			return n, true
		}
	}
	return name, false
}

// SayDeadlines writes a reply's stored deadlines as seen at now in the
// rep's zone ("in 3 business days (Wed 9 Dec)", "expired 2 Feb 2026").
func (c *Content) SayDeadlines(lines []string, now time.Time) []string {
	return cases.SayDeadlines(lines, cases.Today(now, c.Rules.RepZone), c.Rules.Calendar)
}

// CaseRules are the policies and calendar a case's deadlines and
// reminders are counted with.
func (c *Content) CaseRules() cases.Rules {
	p := c.Policy
	return cases.Rules{
		Default: cases.Policy{
			ReportDamageWithin: p.ReportDamageWithin, MoneyBackGuarantee: p.MoneyBackGuarantee,
			ReturnAuthorizationValid: p.ReturnAuthorizationValid, ChaseAfter: p.ChaseAfter, UpdateEvery: p.UpdateEvery,
			DeliveryWithin: p.DeliveryWithin,
		},
		Named: p.Named, Calendar: c.Rules.Calendar, Zone: c.Rules.RepZone,
	}
}

// Content is everything Rapport reads from the rep's files. It is swapped
// whole on reload, so a dispatch always sees one consistent set.
type Content struct {
	Campaigns []*campaign.Campaign
	Templates *tmpl.Set
	Rules     Rules
	Policy    Policy
	Rep       tmpl.Rep
	RepPhone  string // E.164, never treated as a customer
	RepEmail  string
	PublicURL string // base of unsubscribe links
	MsgDomain string // right-hand side of Message-IDs

	// ReplyTo, when set, is a reply address with "{token}" in it
	// (amy+{token}@example.com): each email gets its own, which names the
	// queue row a reply answers (see ReplyAddress).
	ReplyTo string
	NotifyEmail,
	NotifySMS string // where the rep hears about replies and gets the digest

	// zones caches loaded time zones by name (see Zone).
	zones sync.Map
	// idSeq numbers the Message-IDs of queue rows (see messageID).
	idSeq atomic.Uint32
	// plans caches journeys' plans (see Plan).
	plans planCache
	// stepsNoted holds, by campaign, the step list Enroll last recorded
	// (see Enroll), so that an import records it once, not per order.
	stepsNoted sync.Map
}

// Sample is the sample customer with the rep's own details, that `rapport
// check` and the dashboard's campaigns page render every template for.
func (c *Content) Sample() tmpl.Data {
	sample := tmpl.SampleData()
	sample.Rep = c.Rep
	sample.UnsubscribeURL = c.PublicURL + "/unsubscribe/sample-token"
	return sample
}

// Campaign returns the campaign with the given id.
func (c *Content) Campaign(id string) *campaign.Campaign {
	for _, k := range c.Campaigns {
		if k.ID == id {
			return k
		}
	}
	return nil
}

// Event is what the dispatcher did with one row; the demo prints them and
// tests read them.
type Event struct {
	At       time.Time
	Kind     string // sent, skipped, deferred, failed, retry, task, cancelled
	Contact  string
	Channel  string
	Campaign string
	Step     string
	Summary  string // subject or first line
	Note     string
}

// Engine plans journeys and sends what is due.
type Engine struct {
	store   *store.Store
	clock   clock.Clock
	log     *slog.Logger
	signer  *unsub.Signer
	content atomic.Pointer[Content]
	senders atomic.Pointer[map[string]channel.Sender]

	mu   sync.Mutex
	held map[string]string // channel → why it is held (misconfigured)

	// OnEvent, when set, is called for every dispatch decision.
	OnEvent func(Event)
	// BatchSize is how many due rows one pass takes (default 200).
	BatchSize int
	wake      chan struct{}
}

// New returns an engine over st with the given content and transports.
func New(st *store.Store, clk clock.Clock, log *slog.Logger, signer *unsub.Signer, c *Content, senders map[string]channel.Sender) *Engine {
	e := &Engine{store: st, clock: clk, log: log, signer: signer, held: map[string]string{}, BatchSize: 200, wake: make(chan struct{}, 1)}
	e.content.Store(c)
	e.senders.Store(&senders)
	return e
}

// Tokens returns the signer of unsubscribe links, for the web side.
func (e *Engine) Tokens() *unsub.Signer { return e.signer }

// Content returns the current content.
func (e *Engine) Content() *Content { return e.content.Load() }

// Swap replaces content and transports after a successful reload, releases
// held channels (the rep may have fixed the account) and plans new steps.
func (e *Engine) Swap(ctx context.Context, c *Content, senders map[string]channel.Sender) error {
	old := e.senders.Swap(&senders)
	e.content.Store(c)
	e.mu.Lock()
	e.held = map[string]string{}
	e.mu.Unlock()
	if old != nil {
		idleAll(*old)
	}
	defer e.Wake() // new steps or a fixed account may have work now
	return e.Reconcile(ctx)
}

// Wake asks a running dispatcher to look at the queue now (a new order).
func (e *Engine) Wake() {
	select {
	case e.wake <- struct{}{}:
	default:
	}
}

func (e *Engine) sender(ch string) channel.Sender { return (*e.senders.Load())[ch] }

func (e *Engine) emit(ev Event) {
	if e.OnEvent != nil {
		e.OnEvent(ev)
	}
}

func (e *Engine) hold(ch, why string) {
	e.mu.Lock()
	e.held[ch] = why
	e.mu.Unlock()
}

func (e *Engine) heldChannels() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var out []string
	for ch := range e.held {
		out = append(out, ch)
	}
	return out
}

func idleAll(senders map[string]channel.Sender) {
	for _, s := range senders {
		if i, ok := s.(channel.Idler); ok {
			i.Idle()
		}
	}
}

// Run dispatches until ctx ends: a pass every interval, or at once when
// woken. It recovers rows a crash left in flight before the first pass.
func (e *Engine) Run(ctx context.Context, interval time.Duration) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	// Work runs on a context that SIGTERM does not cancel, so the send in
	// flight finishes and is recorded; ctx stops the loop between rows and
	// the sends claimed behind it.
	work := context.WithoutCancel(ctx)
	for {
		if err := e.tick(ctx, work); err != nil && ctx.Err() == nil {
			e.log.Error("dispatch pass failed; will retry", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		case <-e.wake:
		}
	}
}

// Tick does one full pass at the clock's current time: recover rows left
// in flight, send everything due, the rep's messages and the digest.
func (e *Engine) Tick(ctx context.Context) error { return e.tick(ctx, ctx) }

// maxBatches bounds one pass, so a row that cannot be settled never spins.
const maxBatches = 1000

func (e *Engine) tick(stop, ctx context.Context) error {
	defer idleAll(*e.senders.Load())
	if err := e.Recover(ctx); err != nil {
		return err
	}
	if err := e.dispatchDue(stop, ctx); err != nil || stop.Err() != nil {
		return err
	}
	if err := e.Digest(ctx); err != nil {
		return err
	}
	if err := e.RemindCases(ctx); err != nil {
		return err
	}
	return e.sendRepMessages(stop, ctx)
}
