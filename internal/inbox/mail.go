package inbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/reply"
	"github.com/rapportapp/rapport/internal/store"
)

// ErrUnreadable wraps a message that could not be parsed at all.
var ErrUnreadable = errors.New("unreadable email")

// MailResult says what ReceiveMail made of a message, for logs and tests.
type MailResult string

// What happened to a polled email.
const (
	MailReply     MailResult = "reply"     // a customer's reply, stored
	MailDuplicate MailResult = "duplicate" // seen before
	MailAuto      MailResult = "automatic" // auto-reply, list mail...: ignored
	MailBounce    MailResult = "bounce"    // a hard bounce: address marked
	MailUnrelated MailResult = "unrelated" // not from a customer: left alone
	MailFromRep   MailResult = "from_rep"  // the rep's own mail
)

// ReceiveMail handles one email from the rep's mailbox. Only mail from a
// customer (by the message it answers, else by the sender's address) is
// logged; everything else is left as it was.
func (in *Inbox) ReceiveMail(ctx context.Context, ref string, raw []byte) (MailResult, error) {
	m, err := reply.ParseMail(raw)
	if err != nil {
		return MailUnrelated, fmt.Errorf("read email %s: %w: %v", ref, ErrUnreadable, err)
	}
	c := in.engine.Content()
	if m.Bounce != nil {
		return in.deliveryReport(ctx, m)
	}
	if m.Auto != "" {
		return MailAuto, nil
	}
	if isRep(c, m.From) {
		return MailFromRep, nil
	}
	ct, answers, err := in.matchMail(ctx, m)
	if err != nil {
		return MailUnrelated, err
	}
	if ct == nil && !in.answersRapport(c, m) {
		return MailUnrelated, nil // the rep's own mail from someone else: not ours to copy
	}
	return in.storeMail(ctx, ref, m, ct, answers)
}

// matchMail finds the customer and the message a reply answers, in this
// order: by the message's own reply address (reply_to with "{token}"),
// by In-Reply-To/References against the Message-IDs Rapport sent, else by
// the sender's address and the last email sent to them. A nil contact
// means nobody matched.
func (in *Inbox) matchMail(ctx context.Context, m *reply.Mail) (*store.Contact, *store.MessageRef, error) {
	if id, _ := in.engine.Content().ReplyTokenIn(in.engine.Tokens(), m.Recipients); id != 0 {
		ct, ref, err := in.sentMessage(ctx, func() (*store.MessageRef, error) { return in.store.MessageRef(ctx, id) })
		if err != nil || ct != nil {
			return ct, ref, err
		}
	}
	for _, id := range append(append([]string{}, m.InReplyTo...), reverse(m.References)...) {
		ct, ref, err := in.sentMessage(ctx, func() (*store.MessageRef, error) { return in.store.MessageByRFCID(ctx, id) })
		if err != nil || ct != nil {
			return ct, ref, err
		}
	}
	ct, err := in.store.ContactByEmail(ctx, m.From)
	if store.IsNotFound(err) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	ref, err := in.store.LastMessageTo(ctx, ct.ID, channel.Email)
	if err != nil && !store.IsNotFound(err) {
		return nil, nil, err
	}
	return ct, ref, nil
}

// sentMessage returns the message find finds and its customer; nil, nil
// when there is no such message or its customer was forgotten since.
func (in *Inbox) sentMessage(ctx context.Context, find func() (*store.MessageRef, error)) (*store.Contact, *store.MessageRef, error) {
	ref, err := find()
	if store.IsNotFound(err) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	ct, err := in.store.Contact(ctx, ref.ContactID)
	if store.IsNotFound(err) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	return ct, ref, nil
}

// answersRapport says whether mail that matched no customer was still
// written to Rapport: sent to a per-message reply address (even with a
// token that fails its check) or answering a Message-ID of Rapport's
// form. Such a reply is kept for the rep, never dropped; other mail from
// strangers is the rep's own business and stays only in the mailbox.
func (in *Inbox) answersRapport(c *engine.Content, m *reply.Mail) bool {
	if _, addressed := c.ReplyTokenIn(in.engine.Tokens(), m.Recipients); addressed {
		return true
	}
	suffix := "@" + strings.ToLower(c.MsgDomain)
	for _, id := range append(append([]string{}, m.InReplyTo...), m.References...) {
		if c.MsgDomain != "" && strings.HasSuffix(strings.ToLower(id), suffix) {
			return true
		}
	}
	return false
}

func reverse(s []string) []string {
	out := make([]string, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}

func (in *Inbox) storeMail(ctx context.Context, ref string, m *reply.Mail, ct *store.Contact, answers *store.MessageRef) (MailResult, error) {
	c, now := in.engine.Content(), in.clock.Now()
	body := m.Text
	if strings.TrimSpace(body) == "" {
		body = m.FullText
	}
	if len(m.Attachments) > 0 {
		body += "\n[attached: " + strings.Join(m.Attachments, ", ") + " — see the original in your mailbox]"
	}
	var o *store.Order
	var contactID int64
	if ct != nil {
		contactID = ct.ID
		var err error
		if o, err = in.store.LatestOrder(ctx, ct.ID); err != nil && !store.IsNotFound(err) {
			return MailUnrelated, fmt.Errorf("email from %s: %w", m.From, err)
		}
	}
	flags, deadlines := assess(c, m.Subject+"\n"+body, now, o)
	extID := m.MessageID
	if extID == "" {
		extID = ref
	}
	r := &store.Reply{
		ContactID: contactID, Channel: channel.Email, ExternalID: extID, From: m.From,
		Subject: m.Subject, Body: body, RawRef: ref, ReceivedAt: now.Unix(),
	}
	r.SetAssessment(flags, deadlines)
	if answers != nil {
		r.MessageID, r.Campaign, r.Step = answers.ID, answers.Campaign, answers.Step
	}
	created, err := in.record(ctx, r, nil, "")
	if err != nil || !created {
		return MailDuplicate, err
	}
	return MailReply, nil
}

// deliveryReport acts on a delivery status notification only when it
// proves itself: it names a message Rapport sent (by the Message-ID of the
// returned message, or In-Reply-To/References) to the address it reports,
// that address is still the customer's, and the failure is permanent
// (5.x.x). Anyone can mail the rep a report naming a customer; acting on
// every one would let a stranger stop a customer's email. Any other report
// is logged and, when it names a customer, noted for the rep, never acted on.
func (in *Inbox) deliveryReport(ctx context.Context, m *reply.Mail) (MailResult, error) {
	ct, err := in.bouncedContact(ctx, m)
	if err != nil {
		return MailAuto, err
	}
	if ct != nil && m.Bounce.Hard && strings.HasPrefix(m.Bounce.Status, "5.") {
		return in.bounce(ctx, m, ct)
	}
	return MailAuto, in.unprovenReport(ctx, m, ct)
}

// bouncedContact returns the customer a report is proven to be about: the
// one a message it names was sent to, at the address it reports. nil when
// the report proves nothing.
func (in *Inbox) bouncedContact(ctx context.Context, m *reply.Mail) (*store.Contact, error) {
	ids := append([]string{m.Bounce.OriginalMessageID}, m.InReplyTo...)
	for _, id := range append(ids, m.References...) {
		if id == "" {
			continue
		}
		ref, err := in.store.MessageByRFCID(ctx, id)
		if store.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("delivery report: %w", err)
		}
		to := strings.ToLower(ref.SentTo)
		if ref.Channel != channel.Email || to == "" || (m.Bounce.Recipient != "" && m.Bounce.Recipient != to) {
			continue
		}
		ct, err := in.store.Contact(ctx, ref.ContactID)
		if store.IsNotFound(err) {
			return nil, nil // forgotten since
		}
		if err != nil {
			return nil, fmt.Errorf("delivery report: %w", err)
		}
		if ct.Email != to {
			return nil, nil // the address changed since: the old one's fate is moot
		}
		return ct, nil
	}
	return nil, nil
}

// unprovenReport logs a report that is not acted on and, when it names a
// customer, tells the rep in a notice, so a real problem is not lost. ct is
// the customer the report is proven to be about (a delay, a 4.x.x), or nil.
func (in *Inbox) unprovenReport(ctx context.Context, m *reply.Mail, ct *store.Contact) error {
	b := m.Bounce
	in.log.Info("delivery report not acted on", "recipient", b.Recipient, "status", b.Status, "proven", ct != nil)
	why := "it is not a permanent failure"
	if ct == nil {
		why = "it names no email Rapport sent to that address"
		named, err := in.namedContact(ctx, b.Recipient)
		if err != nil || named == nil {
			return err // about no customer: the rep has it in the mailbox anyway
		}
		ct = named
	}
	text := fmt.Sprintf("check: %s — a delivery report from %s says email to %s failed (%s), but %s, so nothing was changed",
		ct.Label(), m.From, ct.Email, reportStatus(b), why)
	return in.store.Tx(ctx, func(tx *store.Tx) error {
		return tx.AddNotice(ctx, store.NoticeTask, ct.ID, 0, text, in.clock.Now().Unix())
	})
}

// namedContact is the customer with this address, or nil.
func (in *Inbox) namedContact(ctx context.Context, addr string) (*store.Contact, error) {
	if addr == "" {
		return nil, nil
	}
	ct, err := in.store.ContactByEmail(ctx, addr)
	if store.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("delivery report: %w", err)
	}
	return ct, nil
}

func reportStatus(b *reply.Bounce) string {
	if s := strings.TrimSpace(b.Status + " " + b.Diagnostic); s != "" {
		return s
	}
	return "no status given"
}

// bounce marks a hard-bounced address Rapport mailed, so it gets no more email.
func (in *Inbox) bounce(ctx context.Context, m *reply.Mail, ct *store.Contact) (MailResult, error) {
	now := in.clock.Now().Unix()
	note := strings.TrimSpace(m.Bounce.Status + " " + m.Bounce.Diagnostic)
	err := in.store.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.SetEmailStatus(ctx, ct.ID, store.Bounced, note, now); err != nil {
			return err
		}
		return tx.AddNotice(ctx, store.NoticeBounced, ct.ID, 0,
			fmt.Sprintf("%s — email to %s bounced: %s", ct.Label(), ct.Email, note), now)
	})
	if err != nil {
		return MailBounce, fmt.Errorf("mark %s bounced: %w", ct.Email, err)
	}
	in.log.Info("email address bounced", "contact", ct.ID, "status", m.Bounce.Status)
	return MailBounce, nil
}

func timeText(unix int64) string { return time.Unix(unix, 0).UTC().Format(time.RFC3339) }
