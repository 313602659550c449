package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/jmoiron/sqlx"
)

// Queue states.
const (
	Pending   = "pending"
	Sending   = "sending"
	Sent      = "sent"
	Skipped   = "skipped"
	Failed    = "failed"
	Cancelled = "cancelled"
)

// Message is one queue row: one occurrence of one step for one journey.
type Message struct {
	ID          int64  `db:"id"`
	JourneyID   int64  `db:"journey_id"`
	ContactID   int64  `db:"contact_id"`
	Campaign    string `db:"campaign"`
	Step        string `db:"step"`
	Occurrence  int    `db:"occurrence"`
	Channel     string `db:"channel"`
	DueAt       int64  `db:"due_at"`
	StaleAt     int64  `db:"stale_at"`
	State       string `db:"state"`
	Attempts    int    `db:"attempts"`
	ClaimedAt   int64  `db:"claimed_at"`
	SentAt      int64  `db:"sent_at"`
	MessageID   string `db:"message_id"`
	ProviderID  string `db:"provider_id"`
	Delivery    string `db:"delivery"`
	Template    string `db:"template"`
	SeriesIndex int    `db:"series_index"`
	SentTo      string `db:"sent_to"`
	Subject     string `db:"subject"`
	Error       string `db:"error"`
	Note        string `db:"note"`
	CreatedAt   int64  `db:"created_at"`
	Kind        string `db:"kind"`    // KindStep or KindRep
	Body        string `db:"body"`    // KindRep: the rep's own words
	Answers     int64  `db:"answers"` // KindRep: the reply it answers; 0 none
}

// Due is a queue row with what the dispatcher needs to decide and render it.
type Due struct {
	Message
	Contact Contact `db:"contact"`
	Journey Journey `db:"journey"`
	Order   Order   `db:"order"`
	// Paused marks, in ContactTimeline, a pending row the dispatcher
	// passes over until the rep handles the contact's replies: the rule is
	// the "paused" condition in queries.sql, which DueMessages applies too.
	Paused bool `db:"paused"`
	// Goes and HeldBy are, in a timeline (engine.Content.Timeline), when a
	// pending text due at DueAt will really go (a Unix time) and the rule
	// that holds it until then ("held to 12:00 by Texas's Sunday hours, …");
	// zero and "" when it goes when due.
	Goes   int64  `db:"-"`
	HeldBy string `db:"-"`
}

// AddMessages queues step occurrences (pending unless State says
// otherwise); rows that exist already (same journey, step and occurrence)
// are left alone, so planning twice never sends twice. It returns how many
// rows were new. A new row has no Message-ID: Claim gives it one.
func (tx *Tx) AddMessages(ctx context.Context, ms []Message) (int, error) {
	n, err := tx.insertRows(ctx, "message-insert", len(ms), func(i int, args []any) []any {
		return messageValues(&ms[i], args)
	})
	if err != nil {
		return 0, fmt.Errorf("queue %s/%s: %w", ms[0].Campaign, ms[0].Step, err)
	}
	return int(n), nil
}

// messageValues appends the values message-insert takes for m to args.
func messageValues(m *Message, args []any) []any {
	state := m.State
	if state == "" {
		state = Pending
	}
	return append(args, m.JourneyID, m.ContactID, m.Campaign, m.Step, m.Occurrence,
		m.Channel, m.DueAt, m.StaleAt, m.Template, m.CreatedAt, state, m.Note)
}

// Holds is what the "paused" condition in queries.sql is given.
type Holds struct {
	// Pausing lists the campaigns that pause on reply: their rows are
	// paused while the contact has a reply waiting.
	Pausing []string
	// Marketing lists the marketing steps as "campaign/step": they are
	// paused while the contact has an open case.
	Marketing []string
}

// DueFilter narrows which pending rows the dispatcher may take.
type DueFilter struct {
	// Pausing and Marketing: see Holds.
	Pausing, Marketing []string
	// Held lists planned channels not to take now (a channel whose account
	// is misconfigured waits for the rep to fix it).
	Held []string
}

// DueMessages returns up to limit pending rows due at or before now, oldest
// first, leaving out paused contacts and held channels.
func (s *Store) DueMessages(ctx context.Context, now int64, limit int, f DueFilter) ([]Due, error) {
	q, args, err := s.dueQuery(now, limit, f)
	if err != nil {
		return nil, err
	}
	var out []Due
	if err := s.r.SelectContext(ctx, &out, q, args...); err != nil {
		return nil, fmt.Errorf("find due messages: %w", queryError("due", err))
	}
	return out, nil
}

// dueQuery is DueMessages' query and its arguments.
func (s *Store) dueQuery(now int64, limit int, f DueFilter) (string, []any, error) {
	return s.textIn("due", now, names(f.Pausing), names(f.Marketing), names(f.Held), limit)
}

// StepCount is how many customers a campaign's step goes to.
type StepCount struct {
	Campaign  string `db:"campaign"`
	Step      string `db:"step"`
	Customers int    `db:"customers"`
}

// MaxMessageID is the id of the latest queue row (0 when there is none):
// rows queued later have larger ones.
func (tx *Tx) MaxMessageID(ctx context.Context) (int64, error) {
	return valueOf[int64](ctx, tx.s, tx, "messages-max-id")
}

// DueSince counts, by campaign and step, the customers of the rows queued
// after the row afterID that a dispatcher pass at by sends (due by then,
// not stale at now, not paused; pausing lists the campaigns that pause on
// reply, as DueFilter.Pausing does).
func (tx *Tx) DueSince(ctx context.Context, afterID, now, by int64, h Holds) ([]StepCount, error) {
	return allIn[StepCount](ctx, tx.s, tx, "due-since", afterID, by, now, names(h.Pausing), names(h.Marketing))
}

// InFlight returns rows left in 'sending' (by a crash, when no dispatcher
// is running in this process).
func (s *Store) InFlight(ctx context.Context) ([]Due, error) {
	return all[Due](ctx, s, s.r, "in-flight")
}

// ContactTimeline returns every queue row of a contact's journeys, by due
// time, with Paused set on the rows paused now under h.
func (s *Store) ContactTimeline(ctx context.Context, contactID int64, h Holds) ([]Due, error) {
	return allIn[Due](ctx, s, s.r, "contact-timeline", names(h.Pausing), names(h.Marketing), contactID)
}

// Claim moves a pending row to 'sending' with what is about to be sent,
// committed before the send so a crash can be recovered. The row keeps
// the Message-ID of an earlier claim; else it takes m.MessageID (none, for
// a task). m.MessageID is then the row's. It reports false if the row was
// no longer pending.
func (tx *Tx) Claim(ctx context.Context, m *Message, now int64) (bool, error) {
	id, err := valueOf[string](ctx, tx.s, tx, "message-claim", now, m.Channel, m.SentTo, m.Template, m.SeriesIndex,
		m.Subject, m.MessageID, m.ID)
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("claim message %d: %w", m.ID, err)
	}
	m.State, m.ClaimedAt, m.MessageID = Sending, now, id
	m.Attempts++
	return true, nil
}

// MarkSent records a delivered message.
func (tx *Tx) MarkSent(ctx context.Context, id int64, providerID string, now int64) error {
	_, err := tx.exec(ctx, "message-sent", now, providerID, id)
	return err
}

// Retry puts a row back to pending, due again at due, remembering why.
func (tx *Tx) Retry(ctx context.Context, id int64, due int64, why string) error {
	_, err := tx.exec(ctx, "message-retry", due, why, id)
	return err
}

// Release puts back a claimed row that was never handed to a transport
// (the daemon was stopping): pending again, without counting the attempt.
func (tx *Tx) Release(ctx context.Context, id int64) error {
	_, err := tx.exec(ctx, "message-release", id)
	return err
}

// Defer moves a pending row's due time (quiet hours, caps, one a day).
func (tx *Tx) Defer(ctx context.Context, id int64, due int64, why string) error {
	_, err := tx.exec(ctx, "message-defer", due, why, id)
	return err
}

// Finish ends a row as skipped, failed or cancelled.
func (tx *Tx) Finish(ctx context.Context, id int64, state, note, errText string) error {
	_, err := tx.exec(ctx, "message-finish", state, note, errText, id)
	return err
}

// SetDelivery records a delivery status callback for a text.
func (tx *Tx) SetDelivery(ctx context.Context, providerID, status string) (bool, error) {
	res, err := tx.exec(ctx, "message-delivery", status, providerID)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, queryError("message-delivery", err)
	}
	return n > 0, nil
}

// SentBetween counts emails and texts sent to a contact in [from, to).
func (s *Store) SentBetween(ctx context.Context, contactID, from, to int64) (int, error) {
	return valueOf[int](ctx, s, s.r, "messages-sent-between", contactID, from, to)
}

// DayMessage is a message of a contact's day: sent then, or still to go.
type DayMessage struct {
	ID        int64  `db:"id"`
	ContactID int64  `db:"contact_id"`
	Campaign  string `db:"campaign"`
	Step      string `db:"step"`
	State     string `db:"state"`
	SentAt    int64  `db:"sent_at"`
	DueAt     int64  `db:"due_at"`
}

// DayMessages returns the emails and texts of the contacts that were sent
// in [from, to) or are pending or in flight and due before to, for the
// one-message-a-day rule: by contact, each one's in id order. The
// dispatcher reads them for a batch's contacts at once, each contact's day
// within the span.
func (s *Store) DayMessages(ctx context.Context, contacts []int64, from, to int64) (map[int64][]DayMessage, error) {
	out := map[int64][]DayMessage{}
	if len(contacts) == 0 {
		return out, nil
	}
	rows, err := allIn[DayMessage](ctx, s, s.r, "messages-of-day", contacts, from, to, to)
	if err != nil {
		return nil, fmt.Errorf("messages of %d contacts' day: %w", len(contacts), err)
	}
	slices.SortFunc(rows, func(a, b DayMessage) int { return cmp.Compare(a.ID, b.ID) })
	for _, r := range rows {
		out[r.ContactID] = append(out[r.ContactID], r)
	}
	return out, nil
}

// SentAllBetween counts the messages on channel ch ("sms" or "email") to
// all customers sent in [from, to), and those on the wire, for a daily cap.
func (s *Store) SentAllBetween(ctx context.Context, ch string, from, to int64) (int, error) {
	// Two texts, not one with the channel as a parameter: the partial
	// index of sent texts serves only a query that names 'sms'.
	var n int
	var err error
	if ch == "email" {
		n, err = valueOf[int](ctx, s, s.r, "emails-sent-between-all", from, to)
	} else {
		n, err = valueOf[int](ctx, s, s.r, "texts-sent-between-all", from, to)
	}
	if err != nil {
		return 0, fmt.Errorf("count the day's %s messages: %w", ch, err)
	}
	return n, nil
}

// PendingByStep counts the pending rows on channel ch due before before,
// by campaign and step.
func (s *Store) PendingByStep(ctx context.Context, ch string, before int64) ([]StepCount, error) {
	return all[StepCount](ctx, s, s.r, "pending-on-channel-by-step", before, ch)
}

// TextsSince returns when texts went to a contact after since.
func (s *Store) TextsSince(ctx context.Context, contactID, since int64) ([]int64, error) {
	return all[int64](ctx, s, s.r, "texts-sent-since", contactID, since)
}

// TextsEver counts texts ever sent to a contact (the first carries the STOP notice).
func (s *Store) TextsEver(ctx context.Context, contactID int64) (int, error) {
	return valueOf[int](ctx, s, s.r, "texts-ever", contactID)
}

// SeriesNext returns the index of the next entry of a template series for a contact.
func (s *Store) SeriesNext(ctx context.Context, contactID int64, template string) (int, error) {
	return valueOf[int](ctx, s, s.r, "series-next", contactID, template)
}

// MessageRef is what a reply needs to know about the message it answers.
type MessageRef struct {
	ID        int64  `db:"id"`
	ContactID int64  `db:"contact_id"`
	Campaign  string `db:"campaign"`
	Step      string `db:"step"`
	Channel   string `db:"channel"`
	Subject   string `db:"subject"`
	SentTo    string `db:"sent_to"` // the address or number it went to; "" from LastMessageTo
}

// MessageByRFCID finds a sent message by its Message-ID.
func (s *Store) MessageByRFCID(ctx context.Context, id string) (*MessageRef, error) {
	return one[MessageRef](ctx, s, s.r, "message-by-rfc-id", id)
}

// MessageRef returns the queue row with this id.
func (s *Store) MessageRef(ctx context.Context, id int64) (*MessageRef, error) {
	return one[MessageRef](ctx, s, s.r, "message-ref-by-id", id)
}

// LastMessageTo returns the last message sent to a contact on a channel.
func (s *Store) LastMessageTo(ctx context.Context, contactID int64, channel string) (*MessageRef, error) {
	return one[MessageRef](ctx, s, s.r, "last-message-to", contactID, channel)
}

// QueueCounts returns the number of queue rows in each state.
func (s *Store) QueueCounts(ctx context.Context) (map[string]int, error) {
	rows, err := all[struct {
		State string `db:"state"`
		N     int    `db:"n"`
	}](ctx, s, s.r, "queue-counts")
	if err != nil {
		return nil, err
	}
	out := map[string]int{Pending: 0, Sending: 0, Sent: 0, Skipped: 0, Failed: 0, Cancelled: 0}
	for _, r := range rows {
		out[r.State] = r.N
	}
	return out, nil
}

// NextDue returns the earliest due time of a pending row (0 if none).
func (s *Store) NextDue(ctx context.Context) (int64, error) {
	return valueOf[int64](ctx, s, s.r, "next-due")
}

// Failure is a message that failed or is being retried.
type Failure struct {
	ID          int64  `db:"id"`
	ContactID   int64  `db:"contact_id"`
	ContactName string `db:"contact_name"`
	Campaign    string `db:"campaign"`
	Step        string `db:"step"`
	Channel     string `db:"channel"`
	Error       string `db:"error"`
	Note        string `db:"note"`
	Attempts    int    `db:"attempts"`
	DueAt       int64  `db:"due_at"`
}

// RecentFailures lists the latest failed or retrying messages.
func (s *Store) RecentFailures(ctx context.Context, limit int) ([]Failure, error) {
	return all[Failure](ctx, s, s.r, "recent-failures", limit)
}

// StepsOf returns, for a journey, the highest occurrence queued per step.
func (s *Store) StepsOf(ctx context.Context, journeyID int64) (map[string]int, error) {
	return s.stepsOf(ctx, s.r, journeyID)
}

// StepsOf is Store.StepsOf inside a transaction.
func (tx *Tx) StepsOf(ctx context.Context, journeyID int64) (map[string]int, error) {
	return tx.s.stepsOf(ctx, tx, journeyID)
}

func (s *Store) stepsOf(ctx context.Context, db sqlx.QueryerContext, journeyID int64) (map[string]int, error) {
	rows, err := all[struct {
		Step string `db:"step"`
		Max  int    `db:"max"`
	}](ctx, s, db, "steps-of", journeyID)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for _, r := range rows {
		out[r.Step] = r.Max
	}
	return out, nil
}

// CancelRemovedSteps cancels pending rows of steps no longer in a campaign.
func (tx *Tx) CancelRemovedSteps(ctx context.Context, campaign string, keep []string) (int64, error) {
	q, args, err := tx.s.textIn("cancel-removed-steps", campaign, names(keep))
	if err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, q, args...)
	if err != nil {
		return 0, queryError("cancel-removed-steps", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, queryError("cancel-removed-steps", err)
	}
	return n, nil
}

// PendingOfStep returns the pending rows of a campaign's step, with their
// contacts and journeys, oldest first.
func (s *Store) PendingOfStep(ctx context.Context, campaign, step string) ([]Due, error) {
	return all[Due](ctx, s, s.r, "pending-of-step", campaign, step)
}

// Replanned is where a pending row goes when its step's timing changes.
type Replanned struct {
	ID, JourneyID  int64
	Step           string
	Occurrence     int
	DueAt, StaleAt int64
	Note           string
}

// Replan moves a pending row to a new occurrence and due time. The
// journey step's finished rows are moved out of the way first when the
// new occurrence is not above them all: a timing with a longer repeat
// numbers its occurrences differently, and the pending row must stay the
// highest (the next one is numbered from it).
func (tx *Tx) Replan(ctx context.Context, r Replanned) error {
	span, err := one[struct {
		Low  int `db:"low"`
		High int `db:"high"`
	}](ctx, tx.s, tx, "step-history-range", r.JourneyID, r.Step)
	if err != nil {
		return fmt.Errorf("re-plan message %d: %w", r.ID, err)
	}
	if r.Occurrence <= span.High {
		shift := span.High + 1 + max(0, -span.Low)
		if _, err := tx.exec(ctx, "step-history-shift", shift, r.JourneyID, r.Step); err != nil {
			return fmt.Errorf("re-plan message %d: %w", r.ID, err)
		}
	}
	if _, err := tx.exec(ctx, "message-replan", r.Occurrence, r.DueAt, r.StaleAt, r.Note, r.ID); err != nil {
		return fmt.Errorf("re-plan message %d: %w", r.ID, err)
	}
	return nil
}

// HasProviderID reports whether a message with this provider id was sent.
func (s *Store) HasProviderID(ctx context.Context, id string) (bool, error) {
	n, err := valueOf[int](ctx, s, s.r, "message-has-provider-id", id)
	return n > 0, err
}
