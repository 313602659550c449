// Package email turns a rendered channel.Message into an RFC 5322 email
// (with github.com/wneessen/go-mail) and delivers it: Outbox writes each
// one as an .eml file, SMTP sends them through the rep's mail server over
// one reused connection and classifies every failure for the engine.
package email

import (
	"bytes"
	"errors"
	"fmt"
	netmail "net/mail"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"github.com/wneessen/go-mail"

	"github.com/rapportapp/rapport/internal/channel"
)

// Headers Rapport adds to every email.
const (
	// RFC 3834: tells auto-responders (vacation replies) not to answer.
	headerAutoSubmitted mail.Header = "Auto-Submitted"
	// The queue row, so a bounce or a reply can be traced to it.
	headerQueueID mail.Header = "X-Rapport-Queue-Id"
)

// Identity is who the customer hears from.
type Identity struct {
	From    string // "Amy Kline <amy@example.com>"
	ReplyTo string // optional, same form
	DKIM    *DKIM  // nil: messages go unsigned
}

// parsedIdentity is an Identity with its addresses parsed: SMTP and
// Outbox parse them once, not again for every message.
type parsedIdentity struct {
	from, replyTo *netmail.Address // replyTo nil: none
	dkim          *DKIM
}

// parse parses the identity's addresses. Errors name the config key to fix.
func (id Identity) parse() (*parsedIdentity, error) {
	from, err := netmail.ParseAddress(id.From)
	if err != nil {
		return nil, fmt.Errorf("email.from %q is not a valid address (write it as \"Amy Kline <amy@example.com>\"): %w", id.From, err)
	}
	p := &parsedIdentity{from: from, dkim: id.DKIM}
	if id.ReplyTo == "" {
		return p, nil
	}
	if p.replyTo, err = netmail.ParseAddress(id.ReplyTo); err != nil {
		return nil, fmt.Errorf("email reply-to %q is not a valid address: %w", id.ReplyTo, err)
	}
	return p, nil
}

// Build turns m into a go-mail message: From/Reply-To from id, To, Subject,
// Date and Message-ID from m, In-Reply-To and References when m answers an
// email, the plain-text part first and the HTML part as its alternative,
// the attachments, Auto-Submitted (unless m is Personal), the queue id and, when
// m has an unsubscribe URL, List-Unsubscribe (+ List-Unsubscribe-Post for an
// https URL, RFC 8058), and last, when id has a DKIM key, the signature over
// all of it. Text that comes from data (names, subject) never
// carries CR or LF into a header: line breaks become spaces.
func Build(m *channel.Message, id Identity) (*mail.Msg, error) {
	p, err := id.parse()
	if err != nil {
		return nil, err
	}
	return p.build(m)
}

// build is Build with the identity parsed.
func (p *parsedIdentity) build(m *channel.Message) (*mail.Msg, error) {
	to, err := recipient(m)
	if err != nil {
		return nil, err
	}
	msgID, err := messageID(m.MessageID)
	if err != nil {
		return nil, err
	}
	if m.Date.IsZero() {
		return nil, errors.New("message has no date")
	}
	msg := mail.NewMsg(mail.WithNoDefaultUserAgent())
	from := *p.from // each message its own copy: go-mail keeps the pointer
	msg.FromMailAddress(&from)
	replyTo := p.replyTo
	if m.ReplyTo != "" {
		if replyTo, err = netmail.ParseAddress(m.ReplyTo); err != nil {
			return nil, fmt.Errorf("reply address %q: %w", m.ReplyTo, err)
		}
	}
	if replyTo != nil {
		r := *replyTo
		msg.ReplyToMailAddress(&r)
	}
	msg.AddToMailAddress(to)
	msg.Subject(channel.HeaderText(m.Subject))
	msg.SetDateWithValue(m.Date)
	msg.SetMessageIDWithValue(msgID)
	if err := setThread(msg, m.InReplyTo); err != nil {
		return nil, err
	}
	if !m.Personal {
		msg.SetGenHeader(headerAutoSubmitted, "auto-generated")
	}
	if m.ID != 0 {
		msg.SetGenHeader(headerQueueID, strconv.FormatInt(m.ID, 10))
	}
	if err := setUnsubscribe(msg, m.UnsubscribeURL); err != nil {
		return nil, err
	}
	if err := setBody(msg, m.Text, m.HTML); err != nil {
		return nil, err
	}
	if err := attach(msg, m.Attachments); err != nil {
		return nil, err
	}
	if p.dkim != nil {
		if err := p.dkim.sign(msg); err != nil {
			return nil, err
		}
	}
	return msg, nil
}

// recipient checks that m.To is one bare address and pairs it with the
// cleaned display name. A bad address is refused rather than repaired:
// changing it could deliver to someone else.
func recipient(m *channel.Message) (*netmail.Address, error) {
	a, err := netmail.ParseAddress(m.To)
	if err != nil || a.Name != "" || a.Address != strings.TrimSpace(m.To) {
		return nil, fmt.Errorf("recipient %q is not a valid email address", m.To)
	}
	return &netmail.Address{Name: channel.HeaderText(m.ToName), Address: a.Address}, nil
}

// messageID checks the stored Message-ID (angle brackets optional). It is
// an identifier, so it is refused, not cleaned, when it could break the
// header.
func messageID(id string) (string, error) {
	id = strings.TrimSuffix(strings.TrimPrefix(id, "<"), ">")
	bad := strings.ContainsFunc(id, func(r rune) bool {
		return r <= ' ' || r >= unicode.MaxASCII || r == '<' || r == '>'
	})
	if id == "" || bad || !strings.Contains(id, "@") {
		return "", fmt.Errorf("message id %q is not of the form local@domain", id)
	}
	return id, nil
}

// setThread puts the message in the thread of the email it answers
// (RFC 5322 3.6.4): In-Reply-To and References name it. Rapport keeps only
// that email's own Message-ID, not the References it carried, so the
// thread's earlier messages are found through it.
func setThread(msg *mail.Msg, inReplyTo string) error {
	if inReplyTo == "" {
		return nil
	}
	id, err := messageID(inReplyTo)
	if err != nil {
		return fmt.Errorf("in-reply-to: %w", err)
	}
	msg.SetGenHeader(mail.HeaderInReplyTo, "<"+id+">")
	msg.SetGenHeader(mail.HeaderReferences, "<"+id+">")
	return nil
}

// setUnsubscribe adds List-Unsubscribe for u, and the RFC 8058 one-click
// List-Unsubscribe-Post when u is https (mailbox providers only honour
// one-click over https). Both go through SetGenHeader rather than go-mail's
// SetListUnsubscribeOneClick because go-mail writes "preformatted" headers
// in map order, and the same queue row should always give the same file.
func setUnsubscribe(msg *mail.Msg, u string) error {
	if u == "" {
		return nil
	}
	parsed, err := url.Parse(u)
	if err != nil || parsed.Host == "" || (parsed.Scheme != "https" && parsed.Scheme != "http") ||
		strings.ContainsFunc(u, unicode.IsSpace) {
		return fmt.Errorf("unsubscribe URL %q is not an http(s) URL", u)
	}
	msg.SetGenHeader(mail.HeaderListUnsubscribe, "<"+parsed.String()+">")
	if parsed.Scheme == "https" {
		msg.SetGenHeader(mail.HeaderListUnsubscribePost, "List-Unsubscribe=One-Click")
	}
	return nil
}

// setBody puts the plain-text part first and the HTML part after it as the
// alternative: clients show the last alternative they can render, and
// plain-text-only readers get the text.
func setBody(msg *mail.Msg, text, html string) error {
	switch {
	case text != "":
		msg.SetBodyString(mail.TypeTextPlain, text)
		if html != "" {
			msg.AddAlternativeString(mail.TypeTextHTML, html)
		}
	case html != "":
		msg.SetBodyString(mail.TypeTextHTML, html)
	default:
		return errors.New("message has no text and no HTML")
	}
	return nil
}

// attach reads each file now, so a missing file fails the build instead of
// breaking off an SMTP transaction halfway through DATA.
func attach(msg *mail.Msg, paths []string) error {
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return fmt.Errorf("attachment: %w", err)
		}
		msg.AttachReadSeeker(fileName(p), bytes.NewReader(data))
	}
	return nil
}

// fileName is the attachment's name as the recipient sees it. go-mail puts
// it inside a quoted parameter, so quotes and backslashes go too.
func fileName(path string) string {
	name := channel.HeaderText(filepath.Base(path))
	return strings.NewReplacer(`"`, "", `\`, "").Replace(name)
}

// permanent reports a message that cannot be built; retrying would not help.
func permanent(err error) *channel.Error {
	return &channel.Error{Class: channel.Permanent, Msg: err.Error(), Err: err}
}
