// Package channel holds what the engine hands a transport (a rendered
// Message) and how a transport reports what went wrong (an Error with a
// Class), so the engine can decide between retrying, bouncing, falling back
// and giving up without knowing SMTP or Twilio.
package channel

import (
	"context"
	"fmt"
	"time"
)

// Channels a step can use.
const (
	Email = "email"
	SMS   = "sms"
	Task  = "task"
)

// Message is one rendered message, ready for a transport.
type Message struct {
	ID        int64  // queue row id; stable across retries
	Channel   string // Email or SMS
	ContactID int64
	Campaign  string
	Step      string

	To     string // email address, or E.164 phone number
	ToName string // display name for email

	Subject     string   // email only
	Text        string   // plain text (email text part, or the SMS body)
	HTML        string   // email HTML part (already rendered, escaped)
	Attachments []string // email only: absolute file paths

	// MessageID is the RFC 5322 Message-ID (without angle brackets), created
	// with the queue row and reused on every retry so a duplicate after a
	// crash folds into the same message in the recipient's client.
	MessageID      string
	UnsubscribeURL string // https URL for List-Unsubscribe (email)
	// InReplyTo is the Message-ID (without angle brackets) of the
	// customer's email this one answers: the email carries it as
	// In-Reply-To and References, so it joins their thread.
	InReplyTo string
	// Personal marks the rep's own message to one customer: an email then
	// says it was written by a person (no Auto-Submitted header).
	Personal bool
	// ReplyTo is, for an email, this message's own reply address, instead
	// of the sender's.
	ReplyTo string

	// ClaimedAt is when the dispatcher claimed the row; after a crash the
	// SMS transport asks the provider for messages sent since then.
	ClaimedAt time.Time
	// Date is the message's Date header / timestamp.
	Date time.Time
}

// Sender delivers messages on one channel.
type Sender interface {
	// Send delivers m and returns the provider's id for it (an SMTP queue id
	// or the Message-ID for email, the Message SID for Twilio, a file name for
	// the outbox). Failures are *Error values.
	Send(ctx context.Context, m *Message) (providerID string, err error)
}

// Verifier is implemented by senders that can tell, after a crash, whether
// a message that was claimed but never recorded actually went out.
type Verifier interface {
	Verify(ctx context.Context, m *Message) (providerID string, sent bool, err error)
}

// Idler is implemented by senders that hold connections open between
// messages; the dispatcher calls Idle when it has nothing more to send.
type Idler interface {
	Idle()
}

// Class says what the engine should do about a failed send.
type Class int

const (
	// Temporary: try again later with backoff (4xx, timeouts, 429, 5xx
	// from Twilio after verifying, network errors).
	Temporary Class = iota
	// Permanent: give up on this message; show the rep the provider's text.
	Permanent
	// Bounced: the email address is permanently rejected; mark it bounced.
	Bounced
	// OptedOut: the recipient opted out of texts (Twilio 21610).
	OptedOut
	// InvalidAddress: the phone number cannot receive texts; fall back.
	InvalidAddress
	// Misconfigured: our own account or settings are wrong; stop the
	// channel and tell the rep.
	Misconfigured
)

var classNames = [...]string{"temporary", "permanent", "bounced", "opted_out", "invalid_address", "misconfigured"}

func (c Class) String() string {
	if int(c) < len(classNames) {
		return classNames[c]
	}
	return fmt.Sprintf("class(%d)", int(c))
}

// Error is a classified send failure.
type Error struct {
	Class Class
	Code  string // provider code: "550 5.1.1", "21610"
	Msg   string // provider's text, for the rep
	// RetryAfter, when set, is the least time to wait before retrying.
	RetryAfter time.Duration
	Err        error // underlying error, if any
}

func (e *Error) Error() string {
	s := e.Class.String()
	if e.Code != "" {
		s += " " + e.Code
	}
	if e.Msg != "" {
		s += ": " + e.Msg
	} else if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

func (e *Error) Unwrap() error { return e.Err }
