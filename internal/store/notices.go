package store

import (
	"context"
	"fmt"
)

// Notice kinds: what the rep hears about in `status` and the daily digest.
const (
	NoticeTask         = "task"
	NoticeStale        = "stale"
	NoticeFailed       = "failed"
	NoticeOptedOut     = "opted_out"
	NoticeBounced      = "bounced"
	NoticeUnsubscribed = "unsubscribed"
	NoticeSeriesEnded  = "series_ended"
	NoticeSetup        = "setup" // something in the rep's accounts or files needs fixing
	// NoticeCapped: texts or emails were held for the next day by the
	// day's limit ([sms] / [email] max_per_day). Its text starts with the
	// channel and the day ("sms 2026-03-03:"); how many were held is
	// counted under the setting CappedKey(channel, day).
	NoticeCapped = "capped"
)

// CappedKey is the setting that counts the messages on channel ch held on
// day (YYYY-MM-DD) by the day's limit.
func CappedKey(ch, day string) string { return ch + "-cap:" + day }

// CountCapped adds one to the messages on ch held on day by the day's limit.
func (tx *Tx) CountCapped(ctx context.Context, ch, day string) error {
	_, err := tx.exec(ctx, "setting-count", CappedKey(ch, day))
	return err
}

// Notice is something the rep should hear about.
type Notice struct {
	ID         int64  `db:"id"`
	Kind       string `db:"kind"`
	ContactID  int64  `db:"contact_id"`
	MessageID  int64  `db:"message_id"`
	Text       string `db:"text"`
	CreatedAt  int64  `db:"created_at"`
	DigestedAt int64  `db:"digested_at"`
}

// AddNotice records a notice for the rep.
func (tx *Tx) AddNotice(ctx context.Context, kind string, contactID, messageID int64, text string, now int64) error {
	if _, err := tx.exec(ctx, "notice-insert", kind, contactID, messageID, text, now); err != nil {
		return fmt.Errorf("record notice: %w", err)
	}
	return nil
}

// OpenNotices returns notices not yet sent in a digest.
func (s *Store) OpenNotices(ctx context.Context) ([]Notice, error) {
	return all[Notice](ctx, s, s.r, "notices-open")
}

// RecentNotices returns the latest notices, newest first.
func (s *Store) RecentNotices(ctx context.Context, limit int) ([]Notice, error) {
	return all[Notice](ctx, s, s.r, "notices-recent", limit)
}

// MarkDigested marks notices up to id as sent in a digest.
func (tx *Tx) MarkDigested(ctx context.Context, upTo, now int64) error {
	_, err := tx.exec(ctx, "notices-digest", now, upTo)
	return err
}

// RepMessage is a message Rapport sends the rep (a reply forward, a digest).
type RepMessage struct {
	ID         int64  `db:"id"`
	DedupeKey  string `db:"dedupe_key"`
	Channel    string `db:"channel"`
	To         string `db:"to_addr"`
	Subject    string `db:"subject"`
	Body       string `db:"body"`
	MessageID  string `db:"message_id"`
	State      string `db:"state"`
	Attempts   int    `db:"attempts"`
	DueAt      int64  `db:"due_at"`
	ClaimedAt  int64  `db:"claimed_at"`
	SentAt     int64  `db:"sent_at"`
	ProviderID string `db:"provider_id"`
	Error      string `db:"error"`
	CreatedAt  int64  `db:"created_at"`
	ReplyID    int64  `db:"reply_id"` // the reply a forward tells of; 0 for anything else
}

// RepSummarised is the state of a forward told in a summary instead.
const RepSummarised = "summarised"

// AddRepMessage queues a message for the rep once per dedupe key.
func (tx *Tx) AddRepMessage(ctx context.Context, m *RepMessage) (bool, error) {
	res, err := tx.named(ctx, "rep-insert", m)
	if err != nil {
		return false, fmt.Errorf("queue message to rep: %w", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, queryError("rep-insert", err)
	}
	return n == 1, nil
}

// DueRepMessages returns rep messages to send (including any left
// 'sending' by a crash: a duplicate note to the rep beats a lost one),
// less the forwards of replies on the held channels.
func (s *Store) DueRepMessages(ctx context.Context, now int64, limit int, held ...string) ([]RepMessage, error) {
	return allIn[RepMessage](ctx, s, s.r, "rep-due", now, names(held), limit)
}

// WaitingForwards is what waits to be told to the rep on a channel.
type WaitingForwards struct {
	N       int    `db:"n"`       // forwards of replies
	Flagged int    `db:"flagged"` // of those, replies with a flag
	UpTo    int64  `db:"up_to"`   // the newest forward's id
	To      string `db:"to_addr"` // its address
}

// ForwardsWaiting counts the forwards of replies due by now on a channel.
func (s *Store) ForwardsWaiting(ctx context.Context, ch string, now int64) (*WaitingForwards, error) {
	return one[WaitingForwards](ctx, s, s.r, "rep-forwards-waiting", ch, now)
}

// FirstForwardedReplies returns the replies of the first forwards due on
// a channel up to the forward upTo, flagged ones first, at most limit.
func (s *Store) FirstForwardedReplies(ctx context.Context, ch string, now, upTo int64, limit int) ([]Reply, error) {
	return all[Reply](ctx, s, s.r, "rep-forwards-first", ch, now, upTo, limit)
}

// SummariseForwards marks the forwards due on a channel up to upTo as
// told in a summary.
func (tx *Tx) SummariseForwards(ctx context.Context, ch string, now, upTo int64) error {
	_, err := tx.exec(ctx, "rep-forwards-summarised", now, ch, now, upTo)
	return err
}

// RepMessageSent records a sent rep message.
func (tx *Tx) RepMessageSent(ctx context.Context, id int64, providerID string, now int64) error {
	_, err := tx.exec(ctx, "rep-sent", now, providerID, id)
	return err
}

// RepMessageRetry reschedules (state pending) or gives up (state failed).
func (tx *Tx) RepMessageRetry(ctx context.Context, id int64, state string, due int64, why string) error {
	_, err := tx.exec(ctx, "rep-retry", state, due, why, id)
	return err
}
