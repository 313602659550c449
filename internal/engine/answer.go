package engine

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/tmpl"
)

// answerWindow is how long after a customer's message the rep's text
// answering it is a reply, not held for the allowed hours: a customer who
// wrote at 21:30 expects the answer that evening.
const answerWindow = 24 * time.Hour

// Refused says why the rep's message cannot go to the customer at all
// (they replied STOP, unsubscribed, have no address on that channel).
type Refused struct{ Reason string }

func (r *Refused) Error() string { return "not sent: " + r.Reason }

// AnswerRequest is a message the rep wrote to a customer: `rapport reply`
// and the dashboard's reply form.
type AnswerRequest struct {
	Contact *store.Contact
	Text    string
	// Channel is "email" or "sms"; "" takes the one the customer last
	// wrote on (email when they never wrote and have an address).
	Channel string
	// KeepOpen leaves the customer's waiting replies open; by default
	// answering them marks them handled, which resumes their follow-up.
	KeepOpen bool
	// Seq is the number of the rep's message in the thread the form was
	// opened at (store.Answer.Seq); 0 takes the next.
	Seq int
}

// Queued says what became of the rep's message.
type Queued struct {
	ID        int64
	Channel   string
	To        string
	At        time.Time // when it goes, in the customer's zone
	Why       string    // why it waits, when At is later than now
	Later     bool      // it waits for At
	Duplicate bool      // the same message was queued before (a second click)
	Handled   int       // replies marked handled
}

// Answer queues the rep's message to a customer. It goes through the queue
// like every campaign message (claimed, retried, never twice), by the
// channel the customer last used unless the rep picks one, and is refused
// (*Refused) when the customer cannot be reached that way. A text waits
// for the allowed hours unless it answers a message the customer sent in
// the last 24 hours. The one-message-a-day rule never holds it: the
// customer wrote to the rep.
func (e *Engine) Answer(ctx context.Context, r AnswerRequest) (*Queued, error) {
	c, now := e.Content(), e.clock.Now()
	text := strings.TrimSpace(r.Text)
	if text == "" {
		return nil, &Refused{"there is nothing to send: write the message first"}
	}
	// As stored now: a STOP may have come since the page was shown.
	ct, err := e.store.Contact(ctx, r.Contact.ID)
	if err != nil {
		return nil, fmt.Errorf("contact %d: %w", r.Contact.ID, err)
	}
	ch, answers, err := e.answerChannel(ctx, ct, r.Channel)
	if err != nil {
		return nil, err
	}
	texted, err := e.textedRep(ctx, ct.ID)
	if err != nil {
		return nil, err
	}
	if why := cannotAnswer(ch, ct, texted); why != "" {
		return nil, &Refused{why}
	}
	loc := c.Zone(ct)
	at, why, err := answerTime(c, ct, loc, ch, answers, now)
	if err != nil {
		return nil, err
	}
	a := store.Answer{ContactID: ct.ID, Seq: r.Seq, Channel: ch, Subject: answerSubject(c, ch, answers),
		Body: text, DueAt: at.Unix(), CreatedAt: now.Unix()}
	if at.After(now) {
		a.Note = "waits until " + localTime(at.Unix(), loc) + ": " + why
	}
	if answers != nil {
		a.Answers = answers.ID
	}
	q := &Queued{Channel: ch, At: at.In(loc), Why: why, Later: at.After(now), To: ct.Email}
	if ch == channel.SMS {
		q.To = ct.Phone
	}
	if err := e.queueAnswer(ctx, a, r.KeepOpen, q); err != nil {
		return nil, err
	}
	e.Wake()
	return q, nil
}

// queueAnswer queues a and, unless keepOpen, marks the customer's waiting
// replies handled, in one transaction.
func (e *Engine) queueAnswer(ctx context.Context, a store.Answer, keepOpen bool, q *Queued) error {
	err := e.store.Tx(ctx, func(tx *store.Tx) error {
		m, dup, err := tx.QueueAnswer(ctx, a)
		if err != nil {
			return err
		}
		q.ID, q.Duplicate = m.ID, dup
		if dup {
			q.At = time.Unix(m.DueAt, 0).In(q.At.Location())
			return nil
		}
		if !keepOpen {
			q.Handled, err = tx.HandleRepliesOf(ctx, a.ContactID, a.CreatedAt)
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("queue your message to contact %d: %w", a.ContactID, err)
	}
	e.log.Info("rep's message queued", "message", q.ID, "contact", a.ContactID, "channel", a.Channel,
		"duplicate", q.Duplicate, "handled", q.Handled)
	return nil
}

// AnswerChannels says how the rep may write to a customer now.
type AnswerChannels struct {
	Default string            // the channel an answer takes unless she picks another
	Refused map[string]string // channel → why nothing can go by it (STOP, unsubscribed...)
}

// Channels says which channel an answer to ct takes by default, and why
// a channel cannot carry one, for the dashboard's reply form.
func (e *Engine) Channels(ctx context.Context, ct *store.Contact) (*AnswerChannels, error) {
	ch, _, err := e.answerChannel(ctx, ct, "")
	if err != nil {
		return nil, err
	}
	texted, err := e.textedRep(ctx, ct.ID)
	if err != nil {
		return nil, err
	}
	out := &AnswerChannels{Default: ch, Refused: map[string]string{}}
	for _, c := range []string{channel.Email, channel.SMS} {
		if why := cannotAnswer(c, ct, texted); why != "" {
			out.Refused[c] = why
		}
	}
	if _, refused := out.Refused[ch]; refused && len(out.Refused) == 1 {
		out.Default = map[string]string{channel.Email: channel.SMS, channel.SMS: channel.Email}[ch]
	}
	return out, nil
}

// answerChannel settles the channel of the rep's message and the reply it
// answers: on email, the customer's latest email (the thread it joins);
// on text, their latest message on either channel.
func (e *Engine) answerChannel(ctx context.Context, ct *store.Contact, asked string) (string, *store.Reply, error) {
	latest, err := e.latestReply(ctx, ct.ID, "")
	if err != nil {
		return "", nil, err
	}
	ch := asked
	switch {
	case ch == channel.Email || ch == channel.SMS:
	case ch != "":
		return "", nil, &Refused{fmt.Sprintf("unknown channel %q: use sms or email", ch)}
	case latest != nil:
		ch = latest.Channel
	case ct.Email != "" && ct.EmailStatus == store.Subscribed:
		ch = channel.Email
	default:
		ch = channel.SMS
	}
	if ch == channel.SMS || latest == nil || latest.Channel == channel.Email {
		return ch, latest, nil
	}
	email, err := e.latestReply(ctx, ct.ID, channel.Email)
	return ch, email, err
}

func (e *Engine) latestReply(ctx context.Context, contactID int64, ch string) (*store.Reply, error) {
	r, err := e.store.LatestReply(ctx, contactID, ch)
	if store.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("latest reply of contact %d: %w", contactID, err)
	}
	return r, nil
}

// textedRep reports whether the customer ever texted the rep: a customer
// who did may be answered by text without a recorded consent (they
// started the conversation).
func (e *Engine) textedRep(ctx context.Context, contactID int64) (bool, error) {
	r, err := e.latestReply(ctx, contactID, channel.SMS)
	return r != nil, err
}

// cannotAnswer says why the rep's message cannot go to ct on ch ("" if it
// can). A personal answer is not marketing: declining tips and news does
// not stop it, unsubscribing, STOP and a bounce do.
func cannotAnswer(ch string, ct *store.Contact, texted bool) string {
	switch ch {
	case channel.Email:
		switch {
		case ct.Email == "":
			return ct.Label() + " has no email address"
		case ct.EmailStatus == store.Unsubscribed:
			return ct.Label() + " unsubscribed from email"
		case ct.EmailStatus != store.Subscribed:
			return ct.Label() + "'s email address " + ct.EmailStatus
		}
	case channel.SMS:
		switch {
		case ct.Phone == "":
			return ct.Label() + " has no mobile number"
		case ct.SMSStatus == store.OptedOut:
			return ct.Label() + " opted out of texts (STOP)"
		case ct.SMSStatus != store.Subscribed:
			return ct.Label() + "'s number cannot take texts"
		case !ct.SMSConsent && !texted:
			return ct.Label() + " never agreed to texts and never texted you"
		}
	}
	return ""
}

// answerTime is when the rep's message may go: now, or for a text that
// answers nothing of the last 24 hours the next moment inside the allowed
// hours (and the customer's state's), with why.
func answerTime(c *Content, ct *store.Contact, loc *time.Location, ch string, answers *store.Reply, now time.Time) (time.Time, string, error) {
	if ch != channel.SMS || answersRecent(answers, now) {
		return now, "", nil
	}
	t, why, err := textHours(c, now, ct, loc)
	if err != nil || !t.After(now) {
		return now, "", err
	}
	return t, why, nil
}

func answersRecent(r *store.Reply, now time.Time) bool {
	return r != nil && now.Sub(time.Unix(r.ReceivedAt, 0)) <= answerWindow
}

// answerSubject is the subject of the rep's email: "Re:" the customer's,
// as mail programs write it, or a plain one when she starts the thread.
func answerSubject(c *Content, ch string, answers *store.Reply) string {
	if ch != channel.Email {
		return ""
	}
	if answers == nil || answers.Channel != channel.Email || strings.TrimSpace(answers.Subject) == "" {
		return "A note from " + c.Rep.Name
	}
	s := channel.HeaderText(answers.Subject)
	if len(s) >= 3 && strings.EqualFold(s[:3], "re:") {
		return s
	}
	return "Re: " + s
}

// dispatchAnswer sends the rep's message when it may go: the customer
// must still be reachable on its channel (a STOP since it was queued
// stops it, and the rep is told); a text not answering a message of the
// last 24 hours keeps the allowed hours and the caps; the one-message-a-
// day rule does not apply.
func (e *Engine) dispatchAnswer(ctx context.Context, c *Content, d *store.Due, now time.Time, w *wire) error {
	j := &job{d: d, loc: c.Zone(&d.Contact), now: now}
	answers, err := e.answered(ctx, d)
	if err != nil {
		return err
	}
	texted, err := e.textedRep(ctx, d.ContactID)
	if err != nil {
		return err
	}
	if why := cannotAnswer(d.Channel, &d.Contact, texted); why != "" {
		return e.skip(ctx, c, j, store.NoticeFailed, "not sent: "+why)
	}
	later, why, err := e.answerWindow(ctx, c, j, answers)
	if err != nil {
		return err
	}
	if !later.IsZero() && later.After(now) {
		return e.deferTo(ctx, j, later, why)
	}
	msg, err := e.buildAnswer(ctx, c, d, answers)
	if err != nil {
		return e.fail(ctx, c, j, err)
	}
	return w.add(j, msg)
}

// answerWindow is when the rep's message may go: an email, or a text that
// answers a recent message, waits only for its channel's daily cap (the
// provider's limit); any other text of the rep's keeps every text rule.
func (e *Engine) answerWindow(ctx context.Context, c *Content, j *job, answers *store.Reply) (time.Time, string, error) {
	if j.d.Channel != channel.SMS || answersRecent(answers, j.now) {
		return e.dailyCap(ctx, c, j, j.d.Channel)
	}
	return e.textWindow(ctx, c, j)
}

// answered is the reply a rep's message answers, nil when none (or gone).
func (e *Engine) answered(ctx context.Context, d *store.Due) (*store.Reply, error) {
	if d.Answers == 0 {
		return nil, nil
	}
	r, err := e.store.Reply(ctx, d.Answers)
	if store.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("the reply message %d answers: %w", d.ID, err)
	}
	return r, nil
}

// buildAnswer makes the rep's message from the words she wrote (no
// template): an email carries the footer every email has (postal address,
// unsubscribe link) and joins the thread of the customer's email; it is
// marked personal, and has no List-Unsubscribe header, which would make
// mail programs show a one-to-one answer as a mailing. The first text a
// customer ever gets says how to stop, as always.
func (e *Engine) buildAnswer(ctx context.Context, c *Content, d *store.Due, answers *store.Reply) (*channel.Message, error) {
	msg := &channel.Message{
		ID: d.ID, Channel: d.Channel, ContactID: d.ContactID, Campaign: d.Campaign, Step: d.Step,
		ToName: d.Contact.Name(), Subject: d.Subject, MessageID: d.MessageID, Date: e.clock.Now(), Personal: true,
	}
	switch d.Channel {
	case channel.Email:
		data := TemplateData(c, e.unsubscribeURL(c, &d.Contact), &d.Contact, nil, "")
		text, err := tmpl.Letter(d.Body, data)
		if err != nil {
			return nil, fmt.Errorf("your email to %s: %w", d.Contact.Label(), err)
		}
		msg.To, msg.Text = d.Contact.Email, text
		if answers != nil && answers.Channel == channel.Email && threadable(answers.ExternalID) {
			msg.InReplyTo = answers.ExternalID
		}
	case channel.SMS:
		msg.To, msg.Text = d.Contact.Phone, d.Body
		first, err := e.firstText(ctx, d)
		if err != nil {
			return nil, err
		}
		if first {
			msg.Text = tmpl.WithStopNotice(msg.Text)
		}
	default:
		return nil, errors.New("your message has no channel Rapport can send by: " + d.Channel)
	}
	d.SentTo, d.Subject = msg.To, summary(msg)
	return msg, nil
}

// threadable reports whether a reply's external id is an email's
// Message-ID (an email without one is known by its place in the mailbox).
func threadable(id string) bool {
	return strings.Contains(id, "@") && !strings.ContainsAny(id, " <>\r\n\t")
}

// rebuild makes again the message a row in flight carried, for Recover.
func (e *Engine) rebuild(ctx context.Context, c *Content, d *store.Due) (*channel.Message, error) {
	if d.Kind != store.KindRep {
		return e.build(ctx, c, d, d.Channel)
	}
	answers, err := e.answered(ctx, d)
	if err != nil {
		return nil, err
	}
	return e.buildAnswer(ctx, c, d, answers)
}

// rowName names a queue row for the rep: campaign/step, or "your message".
func rowName(d *store.Due) string {
	if d.Kind == store.KindRep {
		return "your message"
	}
	return d.Campaign + "/" + d.Step
}
