package engine

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/rapportapp/rapport/internal/campaign"
	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/schedule"
	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/unsub"
)

// maxCatchUp bounds the search for a repeating step's next occurrence.
const maxCatchUp = 100000

// Zone returns the contact's time zone, or the rep's. Zones are cached:
// loading one reads and parses a file, which cost more than planning a
// journey, and names come from a short list (they are checked on import).
func (c *Content) Zone(ct *store.Contact) *time.Location {
	if ct.Timezone == "" {
		return c.Rules.RepZone
	}
	if loc, ok := c.zones.Load(ct.Timezone); ok {
		return loc.(*time.Location)
	}
	loc, err := time.LoadLocation(ct.Timezone)
	if err != nil {
		return c.Rules.RepZone
	}
	c.zones.Store(ct.Timezone, loc)
	return loc
}

// stepAt is a step's local time of day: its own, or for tasks the digest
// time (so a task lands in that morning's digest), or [sending] at.
func (c *Content) stepAt(s *campaign.Step) schedule.TimeOfDay {
	switch {
	case s.At != nil:
		return *s.At
	case s.Channel == channel.Task:
		return c.Rules.DigestAt
	}
	return c.Rules.DefaultAt
}

func trigger(j *store.Journey) schedule.Trigger {
	return schedule.Trigger{At: time.Unix(j.TriggerAt, 0).UTC(), DateOnly: j.DateOnly}
}

// due returns when occurrence k of step s is due for journey j, and when it
// goes stale (zero time: never).
func (c *Content) due(s *campaign.Step, j *store.Journey, loc *time.Location, k int) (due, stale time.Time) {
	tr, at, cal := trigger(j), c.stepAt(s), c.Rules.Calendar
	if s.Channel == channel.Task {
		loc = c.Rules.RepZone // a task is for the rep: her morning, not the customer's
	}
	due = schedule.Occurrence(tr, s.After, s.Every, k, at, loc, cal)
	if s.Until != nil {
		stale = schedule.StaleAt(tr, *s.Until, s.Every, k, at, loc, cal)
	}
	return due, stale
}

// firstOccurrence picks where a repeating step starts for a journey that
// starts late (an old order imported): the latest occurrence already due,
// so the customer gets one catch-up, never a burst.
func (c *Content) firstOccurrence(s *campaign.Step, j *store.Journey, loc *time.Location, now time.Time) int {
	if s.Every == nil {
		return 0
	}
	k := 0
	for k < maxCatchUp {
		next, _ := c.due(s, j, loc, k+1)
		if next.After(now) {
			break
		}
		k++
	}
	return k
}

// nextOccurrence is the first occurrence after k that is still to come.
func (c *Content) nextOccurrence(s *campaign.Step, j *store.Journey, loc *time.Location, k int, now time.Time) int {
	k++
	for k < maxCatchUp {
		d, _ := c.due(s, j, loc, k)
		if d.After(now) {
			break
		}
		k++
	}
	return k
}

// row builds the queue row for occurrence k of step s.
func (c *Content) row(cp *campaign.Campaign, s *campaign.Step, j *store.Journey, loc *time.Location, k int, now time.Time) store.Message {
	due, stale := c.due(s, j, loc, k)
	m := store.Message{
		JourneyID: j.ID, ContactID: j.ContactID, Campaign: cp.ID, Step: s.ID, Occurrence: k,
		Channel: s.Channel, DueAt: due.Unix(), Template: s.Template, CreatedAt: now.Unix(),
	}
	if !stale.IsZero() {
		m.StaleAt = stale.Unix()
	}
	return m
}

// NewMessageID returns a fresh RFC 5322 Message-ID (without brackets).
func NewMessageID(domain string) string {
	return store.NewUID() + "@" + msgDomain(domain)
}

// messageID returns a Message-ID for a queue row's first claim: the
// claim time and a count, then 64 random bits (a reply's In-Reply-To
// finds the customer by it, so it must not be guessable). IDs made one
// after another sort one after another, so the unique index on them grows
// at its end instead of rewriting a random page of it per message.
func (c *Content) messageID(now time.Time) string {
	return fmt.Sprintf("%08x%08x.%s@%s", uint32(now.Unix()), c.idSeq.Add(1), store.NewUID()[:16], msgDomain(c.MsgDomain))
}

func msgDomain(domain string) string {
	if domain == "" {
		return "rapport.invalid"
	}
	return domain
}

// LateNote explains a step that was already past its `until` when its
// journey started (see passed).
const LateNote = "not sent: its moment had already passed when the order was recorded"

// passed reports whether step s had gone by for journey j at the moment
// the journey was planned: a one-off step already past its `until` (an
// order recorded late, as an import of past orders). Such a step is never
// sent, so Plan stores no row for it (an import of a year of orders would
// store several rows per order that can never go) and Timeline shows it
// from the campaign instead. A repeating step is never passed: its next
// occurrence is still to come.
func (c *Content) passed(s *campaign.Step, j *store.Journey, loc *time.Location, planned time.Time) bool {
	if s.Every != nil || s.Until == nil {
		return false
	}
	_, stale := c.due(s, j, loc, 0)
	return stale.Unix() < planned.Unix() // to the second, as queue rows keep time
}

// Plan queues every step of campaign cp for journey j (rows that exist are
// left alone) inside the caller's transaction. It returns how many steps
// were already past when the journey started: those are not queued, and
// the import reports how many rather than one notice each in the digest.
func (c *Content) Plan(ctx context.Context, tx Writer, cp *campaign.Campaign, j *store.Journey, ct *store.Contact, now time.Time) (late int, err error) {
	steps := c.plans.get(planKey{cp.ID, j.TriggerAt, j.DateOnly, c.Zone(ct), now.Unix()}, func(k planKey) []stepPlan {
		return c.planSteps(cp, j, k.loc, now)
	})
	buf := planRows.Get().(*[]store.Message)
	rows := (*buf)[:0]
	defer func() {
		clear(rows)
		*buf = rows[:0]
		planRows.Put(buf)
	}()
	for _, p := range steps {
		s := &cp.Steps[p.step]
		if p.passed {
			late++
			continue
		}
		rows = append(rows, store.Message{
			JourneyID: j.ID, ContactID: j.ContactID, Campaign: cp.ID, Step: s.ID, Occurrence: p.k,
			Channel: s.Channel, DueAt: p.due, StaleAt: p.stale, Template: s.Template, CreatedAt: now.Unix(),
		})
	}
	_, err = tx.AddMessages(ctx, rows)
	return late, err
}

// planRows are Plan's buffers for a journey's queue rows, which the
// writer it is given copies or writes at once: an import plans a journey
// per order, and a new slice of rows each time was a tenth of all it
// allocated.
var planRows = sync.Pool{New: func() any { return new([]store.Message) }}

// stepPlan is where one step of a campaign starts for a journey.
type stepPlan struct {
	step       int // index in the campaign's steps
	k          int // first occurrence to queue
	due, stale int64
	passed     bool // past when the journey started: not queued
}

// planSteps works out where each step of cp starts for journey j: the
// first occurrence still to come, or passed.
func (c *Content) planSteps(cp *campaign.Campaign, j *store.Journey, loc *time.Location, now time.Time) []stepPlan {
	out := make([]stepPlan, len(cp.Steps))
	for i := range cp.Steps {
		s := &cp.Steps[i]
		if c.passed(s, j, loc, now) {
			out[i] = stepPlan{step: i, passed: true}
			continue
		}
		k := c.firstOccurrence(s, j, loc, now)
		m := c.row(cp, s, j, loc, k, now)
		if m.StaleAt != 0 && m.StaleAt < now.Unix() {
			m = c.row(cp, s, j, loc, k+1, now) // a repeat: the next one is still to come
		}
		out[i] = stepPlan{step: i, k: m.Occurrence, due: m.DueAt, stale: m.StaleAt}
	}
	return out
}

// Writer is where enrolment writes: a transaction (*store.Tx), or for
// contacts created in it, an import's *store.Appender.
type Writer interface {
	AddJourney(ctx context.Context, j *store.Journey) (created bool, err error)
	// AddMessages queues ms, copying or writing them before it returns:
	// the caller reuses the slice.
	AddMessages(ctx context.Context, ms []store.Message) (int, error)
	CancelOlderRepeats(ctx context.Context, j *store.Journey, steps []string, note string) error
	SetSettingIfAbsent(ctx context.Context, key, value string) error
}

// Enrolled counts what Enroll did.
type Enrolled struct {
	Journeys int // journeys started
	Late     int // their steps already past at the start, not queued (LateNote)
}

// Enroll starts ct's journeys for an order (o != nil: every campaign
// triggered by "order") or for a new contact (o == nil: campaigns triggered
// by "contact"), and queues their steps, inside the caller's transaction.
func (c *Content) Enroll(ctx context.Context, tx Writer, ct *store.Contact, o *store.Order, now time.Time) (Enrolled, error) {
	var n Enrolled
	for _, cp := range c.Campaigns {
		j, ok := journeyFor(cp, ct, o, now)
		if !ok {
			continue
		}
		created, err := tx.AddJourney(ctx, j)
		if err != nil || !created {
			if err != nil {
				return n, err
			}
			continue
		}
		n.Journeys++
		late, err := c.Plan(ctx, tx, cp, j, ct, now)
		n.Late += late
		if err != nil {
			return n, err
		}
		if err := c.noteSteps(ctx, tx, cp); err != nil {
			return n, err
		}
		if o != nil {
			// The order being added may be older than one already there
			// (a history import): the rows cancelled are then its own.
			note := "superseded by a later order"
			if err := tx.CancelOlderRepeats(ctx, j, repeatingSteps(cp), note); err != nil {
				return n, err
			}
		}
	}
	return n, nil
}

// noteSteps records, when nothing is recorded yet, that journeys of cp
// have every step cp has now: that spares the daemon's first start a look
// through every journey for steps to add (see Reconcile). It writes once
// per campaign and step list in a process, not once per journey. (Should
// the transaction roll back, the daemon's first start merely makes that
// look.)
func (c *Content) noteSteps(ctx context.Context, tx Writer, cp *campaign.Campaign) error {
	steps := stepList(cp)
	if v, ok := c.stepsNoted.Load(cp.ID); ok && v == steps {
		return nil
	}
	if err := tx.SetSettingIfAbsent(ctx, stepsKey(cp), steps); err != nil {
		return err
	}
	// The timing the rows were planned with, for Retimings to compare.
	if err := tx.SetSettingIfAbsent(ctx, timingKey(cp), c.timings(cp)); err != nil {
		return err
	}
	c.stepsNoted.Store(cp.ID, steps)
	return nil
}

func journeyFor(cp *campaign.Campaign, ct *store.Contact, o *store.Order, now time.Time) (*store.Journey, bool) {
	j := &store.Journey{Campaign: cp.ID, ContactID: ct.ID, CreatedAt: now.Unix()}
	switch {
	case cp.Trigger == "order" && o != nil:
		d, err := schedule.ParseDate(o.Date)
		if err != nil {
			return nil, false
		}
		j.OrderID, j.DateOnly = o.ID, true
		j.TriggerAt = time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Unix()
	case cp.Trigger == "contact" && o == nil:
		j.TriggerAt = now.Unix()
	default:
		return nil, false
	}
	return j, true
}

func repeatingSteps(cp *campaign.Campaign) []string {
	var out []string
	for _, s := range cp.Steps {
		if s.Every != nil {
			out = append(out, s.ID)
		}
	}
	return out
}

// Reconcile brings the queue in line with edited campaigns: pending rows
// of removed steps are cancelled, pending rows of steps whose timing
// changed are planned again (see Retimings), and steps added to a campaign
// are queued for journeys that have not passed them yet. A step otherwise
// changed keeps its rows (the queue keys on step id).
func (e *Engine) Reconcile(ctx context.Context) error {
	c, now := e.Content(), e.clock.Now()
	changed := false
	for _, cp := range c.Campaigns {
		var ids []string
		for _, s := range cp.Steps {
			ids = append(ids, s.ID)
		}
		key, steps := stepsKey(cp), stepList(cp)
		if old, err := e.store.Setting(ctx, key); err == nil && old == steps {
			continue // same steps as last time: nothing to cancel or add
		}
		changed = true
		err := e.store.Tx(ctx, func(tx *store.Tx) error {
			n, err := tx.CancelRemovedSteps(ctx, cp.ID, ids)
			if n > 0 {
				e.log.Info("cancelled queued messages of removed steps", "campaign", cp.ID, "count", n)
			}
			if err != nil {
				return err
			}
			return tx.SetSetting(ctx, key, steps)
		})
		if err != nil {
			return fmt.Errorf("reconcile %s: %w", cp.ID, err)
		}
	}
	if err := e.retimeAll(ctx, c, now); err != nil {
		return err
	}
	if !changed {
		return nil
	}
	return e.planNewSteps(ctx, c, now)
}

// stepsKey names the setting that holds the steps a campaign's queue was
// planned with, which Reconcile compares with the campaign's steps now.
func stepsKey(cp *campaign.Campaign) string { return "steps:" + cp.ID }

// stepList is the campaign's step ids, as stepsKey's setting holds them.
func stepList(cp *campaign.Campaign) string {
	ids := make([]string, len(cp.Steps))
	for i, s := range cp.Steps {
		ids[i] = s.ID
	}
	return strings.Join(ids, ",")
}

// planNewSteps queues steps that a journey has no row for, unless the
// step's first moment passed before the step existed (it is stale or the
// journey is long past it).
func (e *Engine) planNewSteps(ctx context.Context, c *Content, now time.Time) error {
	var after int64
	for {
		js, err := e.store.Journeys(ctx, after, 500)
		if err != nil || len(js) == 0 {
			return err
		}
		for i := range js {
			if err := e.planMissing(ctx, c, &js[i], now); err != nil {
				return err
			}
		}
		after = js[len(js)-1].ID
	}
}

func (e *Engine) planMissing(ctx context.Context, c *Content, j *store.Journey, now time.Time) error {
	cp := c.Campaign(j.Campaign)
	if cp == nil {
		return nil
	}
	have, err := e.store.StepsOf(ctx, j.ID)
	if err != nil {
		return err
	}
	var missing []*campaign.Step
	for i := range cp.Steps {
		if _, ok := have[cp.Steps[i].ID]; !ok {
			missing = append(missing, &cp.Steps[i])
		}
	}
	if len(missing) == 0 {
		return nil
	}
	ct, err := e.store.Contact(ctx, j.ContactID)
	if err != nil {
		return err
	}
	loc := c.Zone(ct)
	var rows []store.Message
	for _, s := range missing {
		k := c.firstOccurrence(s, j, loc, now)
		due, stale := c.due(s, j, loc, k)
		if s.Every == nil && (due.Before(now.Add(-24*time.Hour)) || (!stale.IsZero() && stale.Before(now))) {
			continue // the journey was past this step when it was added
		}
		rows = append(rows, c.row(cp, s, j, loc, k, now))
	}
	return e.store.Tx(ctx, func(tx *store.Tx) error {
		_, err := tx.AddMessages(ctx, rows)
		if err != nil {
			return fmt.Errorf("queue new steps of %s: %w", strings.TrimSpace(cp.ID), err)
		}
		return nil
	})
}

// Occurrence returns when occurrence k of step s is due for journey j.
func (c *Content) Occurrence(s *campaign.Step, j *store.Journey, loc *time.Location, k int) time.Time {
	due, _ := c.due(s, j, loc, k)
	return due.In(loc)
}

// ReplyAddress returns queue row id's own reply address, or "" when the
// rep has not set a reply_to with "{token}".
func (c *Content) ReplyAddress(signer *unsub.Signer, id int64) string {
	if c.ReplyTo == "" || signer == nil || id == 0 {
		return ""
	}
	return strings.Replace(c.ReplyTo, "{token}", signer.ReplyToken(id), 1)
}

// ReplyTokenIn returns the queue row named by a per-message reply address
// among addrs, and whether one of them had the reply_to's form at all (a
// token that fails its check still says the mail answers Rapport).
func (c *Content) ReplyTokenIn(signer *unsub.Signer, addrs []string) (id int64, addressed bool) {
	prefix, suffix, ok := strings.Cut(strings.ToLower(c.ReplyTo), "{token}")
	if !ok || signer == nil {
		return 0, false
	}
	for _, a := range addrs {
		if len(a) <= len(prefix)+len(suffix) || !strings.HasPrefix(a, prefix) || !strings.HasSuffix(a, suffix) {
			continue
		}
		addressed = true
		if id, ok := signer.ReplyID(a[len(prefix) : len(a)-len(suffix)]); ok {
			return id, true
		}
	}
	return 0, addressed
}
