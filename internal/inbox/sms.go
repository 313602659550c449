package inbox

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/reply"
	"github.com/rapportapp/rapport/internal/store"
)

// SMS is an inbound text as Twilio posts it.
type SMS struct {
	MessageSID string
	From       string // E.164
	To         string
	Body       string
	Received   time.Time // when Twilio posted it; zero: now
}

// text is an inbound text on its way to being recorded: the reply, what
// it does to the contact, and what to answer.
type text struct {
	m      SMS
	c      *engine.Content
	ct     *store.Contact // nil: not a customer's number
	order  *store.Order
	now    time.Time
	r      *store.Reply
	extra  func(*store.Tx) error
	status string // the rep's note on the contact's texts, "" for the usual
	answer string
}

// ReceiveSMS handles an inbound text and returns what to answer (empty:
// nothing). STOP-type keywords and plain-words requests to stop opt the
// contact out of texts, START opts a number that opted out by text back
// in, HELP gets the rep's contact details; anything but STOP and HELP is
// a reply for the rep.
func (in *Inbox) ReceiveSMS(ctx context.Context, m SMS) (string, error) {
	c := in.engine.Content()
	if isRep(c, m.From) {
		return "", nil // the rep's own number: never a customer, never a loop
	}
	t, err := in.newText(ctx, c, m)
	if err != nil {
		return "", err
	}
	if err := in.decide(ctx, t); err != nil {
		return "", err
	}
	created, err := in.record(ctx, t.r, t.extra, t.status)
	if err != nil || !created {
		return "", err
	}
	return t.answer, nil
}

// newText finds the customer who sent m, the message it answers and their
// latest order.
func (in *Inbox) newText(ctx context.Context, c *engine.Content, m SMS) (*text, error) {
	now := m.Received
	if now.IsZero() {
		now = in.clock.Now()
	}
	t := &text{m: m, c: c, now: now, r: &store.Reply{
		Channel: channel.SMS, ExternalID: m.MessageSID, From: m.From, Body: m.Body, ReceivedAt: now.Unix(),
	}}
	ct, err := in.store.ContactByPhone(ctx, m.From)
	if store.IsNotFound(err) {
		return t, nil
	}
	if err != nil {
		return nil, fmt.Errorf("text from %s: %w", m.From, err)
	}
	t.ct, t.r.ContactID = ct, ct.ID
	last, err := in.store.LastMessageTo(ctx, ct.ID, channel.SMS)
	switch {
	case err == nil:
		t.r.MessageID, t.r.Campaign, t.r.Step = last.ID, last.Campaign, last.Step
	case !store.IsNotFound(err):
		return nil, fmt.Errorf("text from %s: %w", m.From, err)
	}
	t.order, err = in.store.LatestOrder(ctx, ct.ID)
	if err != nil && !store.IsNotFound(err) {
		return nil, fmt.Errorf("text from %s: %w", m.From, err)
	}
	return t, nil
}

// decide works out what the text does. Only STOP and HELP are handled
// without the rep: everything else, START and plain-words opt-outs
// included, is forwarded, because a keyword can be an answer too ("Yes"
// to "did it arrive?") and words can be misread.
func (in *Inbox) decide(ctx context.Context, t *text) error {
	now := t.now.Unix()
	switch reply.SMSKeyword(t.m.Body) {
	case reply.Stop:
		t.r.Flags, t.r.HandledAt = store.FlagOptedOut, now
		t.extra = in.optOut(ctx, t, "opted out of texts")
		return nil
	case reply.Help:
		t.r.Flags, t.r.HandledAt = "help", now
		t.answer = helpText(t.c.Rep.Name, t.c.Rep.Phone, t.c.Rep.Email)
		return nil
	case reply.Start:
		return in.start(ctx, t)
	}
	flags, deadlines := assess(t.c, t.m.Body, t.now, t.order)
	if words := reply.AsksToStopTexts(t.m.Body); words != "" && t.ct != nil && t.ct.SMSStatus == store.Subscribed {
		flags = append(flags, store.FlagOptedOut)
		t.extra = in.optOut(ctx, t, "asked to stop texts")
		t.status = fmt.Sprintf("asked to stop texts (%q) — texts stopped at once; if that was misread: rapport resubscribe %s --sms", words, t.ct.Phone)
		t.answer = fmt.Sprintf("OK, no more texts from %s. Reply START if you want them again.", t.c.Rep.Name)
	}
	t.r.SetAssessment(flags, deadlines)
	return nil
}

// start honours START, UNSTOP or YES from a number that opted out by text:
// it undoes that opt-out and nothing more. It never grants consent the
// customer did not give, nor overrides the rep's own opt-out; from anyone
// else it is an ordinary reply ("Yes" answers "did it arrive?").
func (in *Inbox) start(ctx context.Context, t *text) error {
	flags, deadlines := assess(t.c, t.m.Body, t.now, t.order)
	t.r.SetAssessment(flags, deadlines)
	if t.ct == nil || t.ct.SMSStatus != store.OptedOut {
		return nil
	}
	last, err := in.store.LastTextOptChange(ctx, t.ct.ID)
	if err != nil || last != store.FlagOptedOut {
		return err
	}
	t.r.SetAssessment(append(flags, store.FlagOptedIn), deadlines)
	t.extra = in.optIn(ctx, t)
	t.status = fmt.Sprintf("texted %q after opting out by text: texts start again", strings.TrimSpace(t.m.Body))
	t.answer = fmt.Sprintf("You're subscribed again to texts from %s. Reply STOP to opt out.", t.c.Rep.Name)
	return nil
}

func helpText(name, phone, email string) string {
	return fmt.Sprintf("%s here — I'm your contact for your orders. Call or text %s, or email %s. Reply STOP to stop texts.", name, phone, email)
}

// optOut stops texts to the sender, with a notice in their history saying
// what they did (what) and how the rep undoes it.
func (in *Inbox) optOut(ctx context.Context, t *text, what string) func(*store.Tx) error {
	return func(tx *store.Tx) error {
		if t.ct == nil {
			return nil
		}
		now := t.now.Unix()
		note := fmt.Sprintf("replied %q (message %s)", strings.TrimSpace(t.m.Body), t.m.MessageSID)
		if err := tx.SetSMSStatus(ctx, t.ct.ID, store.OptedOut, note, now); err != nil {
			return err
		}
		text := fmt.Sprintf("%s %s: %s; to undo: rapport resubscribe %s --sms", t.ct.Label(), what, note, t.ct.Phone)
		return tx.AddNotice(ctx, store.NoticeOptedOut, t.ct.ID, 0, text, now)
	}
}

// optIn starts texts again. Consent is left as it was: a STOP never took
// it away, so START has nothing to give back.
func (in *Inbox) optIn(ctx context.Context, t *text) func(*store.Tx) error {
	return func(tx *store.Tx) error {
		note := fmt.Sprintf("replied %q (message %s)", strings.TrimSpace(t.m.Body), t.m.MessageSID)
		return tx.SetSMSStatus(ctx, t.ct.ID, store.Subscribed, note, t.now.Unix())
	}
}
