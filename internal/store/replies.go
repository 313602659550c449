package store

import (
	"context"
	"fmt"
	"strings"
)

// Reply is a message from a customer (or an unknown sender) for the rep.
type Reply struct {
	ID          int64  `db:"id"`
	ContactID   int64  `db:"contact_id"` // 0: unknown sender
	MessageID   int64  `db:"message_id"` // 0: not tied to a message
	Channel     string `db:"channel"`
	ExternalID  string `db:"external_id"`
	From        string `db:"from_addr"`
	Subject     string `db:"subject"`
	Body        string `db:"body"`
	Flags       string `db:"flags"`
	Deadlines   string `db:"deadlines"`
	RawRef      string `db:"raw_ref"`
	ReceivedAt  int64  `db:"received_at"`
	HandledAt   int64  `db:"handled_at"`
	ContactName string `db:"contact_name"` // read only
	Campaign    string `db:"campaign"`     // read only: what it answers
	Step        string `db:"step"`         // read only
}

// Flags and deadlines are stored as text: flags comma-separated, deadlines
// one per line.
const (
	flagSep     = ","
	deadlineSep = "\n"
)

// SetAssessment stores what a reply was found to be about.
func (r *Reply) SetAssessment(flags, deadlines []string) {
	r.Flags, r.Deadlines = strings.Join(flags, flagSep), strings.Join(deadlines, deadlineSep)
}

// AnswersRep reports whether the reply answers the rep's own message
// (`rapport reply`), not a campaign step.
func (r *Reply) AnswersRep() bool { return r.Campaign == "" && r.Step == ConversationStep }

// FlagList is Flags as a list (empty, never nil, when there are none).
func (r *Reply) FlagList() []string { return splitList(r.Flags, flagSep) }

// DeadlineList is Deadlines as a list (empty, never nil, when none).
func (r *Reply) DeadlineList() []string { return splitList(r.Deadlines, deadlineSep) }

func splitList(s, sep string) []string {
	out := []string{}
	for _, p := range strings.Split(s, sep) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

type replyRow struct {
	Reply
	ContactID any `db:"contact_id"`
	MessageID any `db:"message_id"`
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// AddReply stores a reply unless one with the same channel and external id
// exists (Twilio retries webhooks; IMAP may be read again after a crash).
// r.ID is set when it is new.
func (tx *Tx) AddReply(ctx context.Context, r *Reply) (created bool, err error) {
	row := replyRow{Reply: *r, ContactID: nullID(r.ContactID), MessageID: nullID(r.MessageID)}
	res, err := tx.named(ctx, "reply-insert", row)
	if err != nil {
		return false, fmt.Errorf("store reply: %w", err)
	}
	return inserted(res, "reply-insert", &r.ID)
}

// Replies lists the unhandled replies, flagged ones first then oldest
// first; with handledToo, the handled ones follow them.
func (s *Store) Replies(ctx context.Context, handledToo bool) ([]Reply, error) {
	if handledToo {
		return all[Reply](ctx, s, s.r, "replies-all")
	}
	return all[Reply](ctx, s, s.r, "replies-open")
}

// Reply returns one reply.
func (s *Store) Reply(ctx context.Context, id int64) (*Reply, error) {
	return one[Reply](ctx, s, s.r, "reply-by-id", id)
}

// HandleReply marks a reply handled; the contact's journeys resume once no
// reply of theirs is waiting. It reports false if it was already handled.
func (tx *Tx) HandleReply(ctx context.Context, id, now int64) (bool, error) {
	res, err := tx.exec(ctx, "reply-handle", now, id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, queryError("reply-handle", err)
	}
	return n == 1, nil
}

// OpenReplyCount counts a contact's unhandled replies.
func (s *Store) OpenReplyCount(ctx context.Context, contactID int64) (int, error) {
	return valueOf[int](ctx, s, s.r, "open-reply-count", contactID)
}

// Flags of an SMS reply that changed the contact's text status itself.
const (
	FlagOptedOut = "opted_out"
	FlagOptedIn  = "opted_in"
)

// LastTextOptChange returns FlagOptedOut or FlagOptedIn, whichever the
// contact's latest text that changed their SMS status was, or "" when no
// text ever did: how START tells a number that opted out by text from one
// the rep stopped or that never agreed.
func (s *Store) LastTextOptChange(ctx context.Context, contactID int64) (string, error) {
	flag, err := valueOf[string](ctx, s, s.r, "reply-last-text-opt-change", contactID)
	if IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("last opt-out or opt-in of contact %d: %w", contactID, err)
	}
	return flag, nil
}

// MailCursor is where the IMAP reader got to in a mailbox.
type MailCursor struct {
	UIDValidity uint32 `db:"uid_validity"`
	LastUID     uint32 `db:"last_uid"`
	ReadAt      int64  `db:"read_at"` // when it was last read to its end; 0: never
}

// MailCursor returns where the IMAP reader got to in a mailbox; the zero
// cursor if it never read it.
func (s *Store) MailCursor(ctx context.Context, mailbox string) (MailCursor, error) {
	c, err := valueOf[MailCursor](ctx, s, s.r, "cursor-get", mailbox)
	if IsNotFound(err) {
		return MailCursor{}, nil
	}
	if err != nil {
		return MailCursor{}, err
	}
	return c, nil
}

// SaveMailCursor records where the IMAP poller got to.
func (s *Store) SaveMailCursor(ctx context.Context, mailbox string, uidValidity, lastUID uint32) error {
	return s.Tx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, "cursor-save", mailbox, uidValidity, lastUID)
		return err
	})
}

// SaveMailReadAt records when the mailbox was last read to its end.
func (s *Store) SaveMailReadAt(ctx context.Context, mailbox string, at int64) error {
	return s.Tx(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, "cursor-read-at", at, mailbox)
		return err
	})
}
