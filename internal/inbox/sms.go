package inbox

import (
	"context"
	"fmt"
	"strings"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/reply"
	"github.com/rapportapp/rapport/internal/store"
)

// SMS is an inbound text as Twilio posts it.
type SMS struct {
	MessageSID string
	From       string // E.164
	To         string
	Body       string
}

// ReceiveSMS handles an inbound text and returns what to answer (empty:
// nothing). STOP-type keywords opt the contact out of texts, START opts
// back in, HELP gets the rep's contact details; anything else is a reply
// for the rep.
func (in *Inbox) ReceiveSMS(ctx context.Context, m SMS) (string, error) {
	c, now := in.engine.Content(), in.clock.Now()
	if isRep(c, m.From) {
		return "", nil // the rep's own number: never a customer, never a loop
	}
	ct, err := in.store.ContactByPhone(ctx, m.From)
	if err != nil && !store.IsNotFound(err) {
		return "", err
	}
	known := err == nil
	r := &store.Reply{Channel: channel.SMS, ExternalID: m.MessageSID, From: m.From, Body: m.Body, ReceivedAt: now.Unix()}
	var o *store.Order
	if known {
		r.ContactID = ct.ID
		last, err := in.store.LastMessageTo(ctx, ct.ID, channel.SMS)
		switch {
		case err == nil:
			r.MessageID, r.Campaign, r.Step = last.ID, last.Campaign, last.Step
		case !store.IsNotFound(err):
			return "", fmt.Errorf("text from %s: %w", m.From, err)
		}
		if o, err = in.store.LatestOrder(ctx, ct.ID); err != nil && !store.IsNotFound(err) {
			return "", fmt.Errorf("text from %s: %w", m.From, err)
		}
	}
	kw := reply.SMSKeyword(m.Body)
	var extra func(*store.Tx) error
	answer := ""
	switch kw {
	case reply.Stop:
		r.Flags, r.HandledAt = "opted_out", now.Unix()
		extra = in.optOut(ctx, ct, known, m, now.Unix())
	case reply.Start:
		r.Flags, r.HandledAt = "opted_in", now.Unix()
		extra = in.optIn(ctx, ct, known, m, now.Unix())
		answer = fmt.Sprintf("You're subscribed again to texts from %s. Reply STOP to opt out.", c.Rep.Name)
	case reply.Help:
		r.Flags, r.HandledAt = "help", now.Unix()
		answer = helpText(c.Rep.Name, c.Rep.Phone, c.Rep.Email)
	default:
		flags, deadlines := assess(c, m.Body, now, o)
		r.SetAssessment(flags, deadlines)
	}
	created, err := in.record(ctx, r, extra)
	if err != nil || !created {
		return "", err
	}
	return answer, nil
}

func helpText(name, phone, email string) string {
	return fmt.Sprintf("%s here — I'm your contact for your orders. Call or text %s, or email %s. Reply STOP to stop texts.", name, phone, email)
}

func (in *Inbox) optOut(ctx context.Context, ct *store.Contact, known bool, m SMS, now int64) func(*store.Tx) error {
	return func(tx *store.Tx) error {
		if !known {
			return nil
		}
		note := fmt.Sprintf("replied %q (message %s)", strings.TrimSpace(m.Body), m.MessageSID)
		if err := tx.SetSMSStatus(ctx, ct.ID, store.OptedOut, note, now); err != nil {
			return err
		}
		return tx.AddNotice(ctx, store.NoticeOptedOut, ct.ID, 0, ct.Label()+" opted out of texts: "+note, now)
	}
}

func (in *Inbox) optIn(ctx context.Context, ct *store.Contact, known bool, m SMS, now int64) func(*store.Tx) error {
	return func(tx *store.Tx) error {
		if !known {
			return nil
		}
		note := fmt.Sprintf("replied %q (message %s)", strings.TrimSpace(m.Body), m.MessageSID)
		if err := tx.SetSMSStatus(ctx, ct.ID, store.Subscribed, note, now); err != nil {
			return err
		}
		at := timeText(now)
		return tx.SetSMSConsent(ctx, ct.ID, true, at, "text reply", strings.TrimSpace(m.Body), now)
	}
}
