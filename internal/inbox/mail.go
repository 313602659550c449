package inbox

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
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
	if m.Bounce != nil && m.Bounce.Hard {
		return in.bounce(ctx, m)
	}
	if m.Auto != "" {
		return MailAuto, nil
	}
	if isRep(c, m.From) {
		return MailFromRep, nil
	}
	ct, answers, err := in.matchMail(ctx, m)
	if err != nil || ct == nil {
		return MailUnrelated, err
	}
	return in.storeMail(ctx, ref, m, ct, answers)
}

// matchMail finds the customer: by In-Reply-To/References against the
// Message-IDs Rapport sent, else by the sender's address.
func (in *Inbox) matchMail(ctx context.Context, m *reply.Mail) (*store.Contact, *store.MessageRef, error) {
	ids := append(append([]string{}, m.InReplyTo...), reverse(m.References)...)
	for _, id := range ids {
		ref, err := in.store.MessageByRFCID(ctx, id)
		if store.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, nil, err
		}
		ct, err := in.store.Contact(ctx, ref.ContactID)
		return ct, ref, err
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
	o, err := in.store.LatestOrder(ctx, ct.ID)
	if err != nil && !store.IsNotFound(err) {
		return MailUnrelated, fmt.Errorf("email from %s: %w", m.From, err)
	}
	flags, deadlines := assess(c, m.Subject+"\n"+body, now, o)
	extID := m.MessageID
	if extID == "" {
		extID = ref
	}
	r := &store.Reply{
		ContactID: ct.ID, Channel: channel.Email, ExternalID: extID, From: m.From,
		Subject: m.Subject, Body: body, RawRef: ref, ReceivedAt: now.Unix(),
	}
	r.SetAssessment(flags, deadlines)
	if answers != nil {
		r.MessageID, r.Campaign, r.Step = answers.ID, answers.Campaign, answers.Step
	}
	created, err := in.record(ctx, r, nil)
	if err != nil || !created {
		return MailDuplicate, err
	}
	return MailReply, nil
}

// bounce marks a hard-bounced address Rapport mailed, so it gets no more email.
func (in *Inbox) bounce(ctx context.Context, m *reply.Mail) (MailResult, error) {
	ct, err := in.store.ContactByEmail(ctx, m.Bounce.Recipient)
	if store.IsNotFound(err) {
		return MailAuto, nil
	}
	if err != nil {
		return MailAuto, err
	}
	now := in.clock.Now().Unix()
	note := strings.TrimSpace(m.Bounce.Status + " " + m.Bounce.Diagnostic)
	err = in.store.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.SetEmailStatus(ctx, ct.ID, store.Bounced, note, now); err != nil {
			return err
		}
		return tx.AddNotice(ctx, store.NoticeBounced, ct.ID, 0,
			fmt.Sprintf("%s — email to %s bounced: %s", ct.Label(), ct.Email, note), now)
	})
	if err == nil {
		in.log.Info("email address bounced", "contact", ct.ID, "status", m.Bounce.Status)
	}
	return MailBounce, err
}

func timeText(unix int64) string { return time.Unix(unix, 0).UTC().Format(time.RFC3339) }
