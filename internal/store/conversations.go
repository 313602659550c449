package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Kinds of queue rows.
const (
	KindStep = "step" // a campaign step, rendered from its template
	KindRep  = "rep"  // the rep's own message to a customer, sent as written
)

// ConversationStep is the step name of the rep's own messages; their
// campaign is "" (the contact's conversation journey).
const ConversationStep = "reply"

// ErrThreadMoved says that the rep's message numbered as asked is there
// already with other words: the form was opened before another message
// went from another page.
var ErrThreadMoved = errors.New("another message went to this customer since this page was opened")

// Answer is a message the rep writes to a customer, for the queue.
type Answer struct {
	ContactID int64
	// Seq numbers the rep's messages to the contact, 1, 2, ...: the
	// dashboard's form carries the number it was opened at, so a second
	// click adds nothing. 0 takes the next number.
	Seq       int
	Channel   string
	Subject   string // email
	Body      string
	Answers   int64 // the reply it answers; 0 none
	DueAt     int64
	Note      string // why it waits, if it does
	CreatedAt int64
}

// QueueAnswer queues the rep's message a on the contact's conversation
// journey and returns its row. dup is true when the same message (same
// number, same words) was queued before: nothing new is added.
func (tx *Tx) QueueAnswer(ctx context.Context, a Answer) (m *Message, dup bool, err error) {
	j := &Journey{Campaign: "", ContactID: a.ContactID, TriggerAt: a.CreatedAt, CreatedAt: a.CreatedAt}
	if _, err := tx.AddJourney(ctx, j); err != nil {
		return nil, false, fmt.Errorf("conversation of contact %d: %w", a.ContactID, err)
	}
	if a.Seq <= 0 {
		if a.Seq, err = valueOf[int](ctx, tx.s, tx, "rep-answer-next", a.ContactID); err != nil {
			return nil, false, err
		}
	}
	res, err := tx.exec(ctx, "rep-answer-insert", j.ID, a.ContactID, a.Seq, a.Channel, a.DueAt,
		a.Subject, a.Body, a.Answers, a.Note, a.CreatedAt)
	if err != nil {
		return nil, false, fmt.Errorf("queue a message to contact %d: %w", a.ContactID, err)
	}
	var id int64
	created, err := inserted(res, "rep-answer-insert", &id)
	if err != nil {
		return nil, false, err
	}
	m, err = one[Message](ctx, tx.s, tx, "rep-answer-by-occurrence", j.ID, a.Seq)
	if err != nil {
		return nil, false, err
	}
	if !created && m.Body != a.Body {
		return nil, false, ErrThreadMoved
	}
	return m, !created, nil
}

// NextAnswerSeq is the number the contact's next message from the rep
// takes (see Answer.Seq).
func (s *Store) NextAnswerSeq(ctx context.Context, contactID int64) (int, error) {
	return valueOf[int](ctx, s, s.r, "rep-answer-next", contactID)
}

// HandleRepliesOf marks every waiting reply of a contact handled, which
// resumes their paused steps, and returns how many there were.
func (tx *Tx) HandleRepliesOf(ctx context.Context, contactID, now int64) (int, error) {
	res, err := tx.exec(ctx, "replies-handle-contact", now, contactID)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return 0, queryError("replies-handle-contact", err)
	}
	return int(n), nil
}

// RepliesOf returns a contact's replies in the order they came.
func (s *Store) RepliesOf(ctx context.Context, contactID int64) ([]Reply, error) {
	return all[Reply](ctx, s, s.r, "replies-of-contact", contactID)
}

// ContactReplies returns a contact's replies in the order of Replies with
// handledToo: waiting ones first, flagged ones first, then oldest first.
func (s *Store) ContactReplies(ctx context.Context, contactID int64) ([]Reply, error) {
	return all[Reply](ctx, s, s.r, "replies-of-contact-waiting-first", contactID)
}

// LatestReply returns the contact's latest reply on channel ch, or on any
// channel when ch is "".
func (s *Store) LatestReply(ctx context.Context, contactID int64, ch string) (*Reply, error) {
	if ch == "" {
		return one[Reply](ctx, s, s.r, "reply-latest", contactID)
	}
	return one[Reply](ctx, s, s.r, "reply-latest-on", contactID, ch)
}

// ThreadMessages returns what went to a contact, for their thread: the
// campaign messages sent, in flight or failed, and every message of the
// rep's, by when they went or are due.
func (s *Store) ThreadMessages(ctx context.Context, contactID int64) ([]Due, error) {
	return all[Due](ctx, s, s.r, "thread-messages", contactID)
}

// Conversation is one customer the rep talks with, for the dashboard.
type Conversation struct {
	ContactID int64  `db:"contact_id"`
	Name      string `db:"name"`
	Email     string `db:"email"`
	Phone     string `db:"phone"`
	LastAt    int64  `db:"last_at"`
	Open      int    `db:"open"`      // replies waiting
	Flags     string `db:"flags"`     // of the waiting replies, comma-separated
	Deadlines string `db:"deadlines"` // of the waiting replies, one per line
	LastBody  string `db:"last_body"` // the customer's latest words
}

// FlagList is Flags as a list, each once.
func (c *Conversation) FlagList() []string { return uniq(splitList(c.Flags, flagSep)) }

// DeadlineList is Deadlines as a list, each once.
func (c *Conversation) DeadlineList() []string { return uniq(splitList(c.Deadlines, deadlineSep)) }

func uniq(list []string) []string {
	seen := map[string]bool{}
	out := list[:0]
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// ConversationCursor is where a page of conversations ended. The zero
// value starts at the beginning.
type ConversationCursor struct {
	Quiet     bool // the last row's sort key: those with no reply waiting last,
	Unflagged bool // flagged ones first,
	LastAt    int64
	ContactID int64
}

// cursorAfter is the cursor of the page that starts after c.
func (c *Conversation) cursorAfter() ConversationCursor {
	return ConversationCursor{Quiet: c.Open == 0, Unflagged: c.Flags == "", LastAt: c.LastAt, ContactID: c.ContactID}
}

// ConversationsPage lists up to limit customers the rep talks with after
// the cursor: those with a reply waiting first, flagged ones on top, then
// the latest first; and the cursor of the next page (nil on the last).
func (s *Store) ConversationsPage(ctx context.Context, after ConversationCursor, limit int) ([]Conversation, *ConversationCursor, error) {
	cs, err := all[Conversation](ctx, s, s.r, "conversations-page", sql.Named("first", after == ConversationCursor{}),
		sql.Named("quiet", after.Quiet), sql.Named("unflagged", after.Unflagged), sql.Named("at", after.LastAt),
		sql.Named("id", after.ContactID), sql.Named("limit", limit+1))
	if err != nil {
		return nil, nil, err
	}
	var next *ConversationCursor
	if len(cs) > limit {
		cs = cs[:limit]
		c := cs[limit-1].cursorAfter()
		next = &c
	}
	return cs, next, nil
}
