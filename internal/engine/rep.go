package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/rapportapp/rapport/internal/cases"
	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/notify"
	"github.com/rapportapp/rapport/internal/schedule"
	"github.com/rapportapp/rapport/internal/store"
)

const digestKey = "digest:last"

// Digest queues the rep's daily digest once a day at [notify] digest_at in
// the rep's zone, when there is something to tell. The notices it reports
// are marked in the same transaction, so each appears in one digest.
func (e *Engine) Digest(ctx context.Context) error {
	c, now := e.Content(), e.clock.Now()
	if c.NotifyEmail == "" {
		return nil
	}
	local := now.In(c.Rules.RepZone)
	today := schedule.DateOf(local).String()
	if now.Before(schedule.At(schedule.DateOf(local), c.Rules.DigestAt, c.Rules.RepZone)) {
		return nil
	}
	last, err := e.store.Setting(ctx, digestKey)
	if err != nil && !store.IsNotFound(err) {
		return fmt.Errorf("when the last digest went: %w", err)
	}
	if last == today {
		return nil
	}
	d, upTo, err := e.collectDigest(ctx, c, local)
	if err != nil {
		return fmt.Errorf("collect digest: %w", err)
	}
	return e.store.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.SetSetting(ctx, digestKey, today); err != nil || d.Empty() {
			return err
		}
		subject, body := d.Compose()
		if err := tx.MarkDigested(ctx, upTo, now.Unix()); err != nil {
			return err
		}
		_, err := tx.AddRepMessage(ctx, &store.RepMessage{
			DedupeKey: "digest:" + today, Channel: channel.Email, To: c.NotifyEmail,
			Subject: subject, Body: body, MessageID: NewMessageID(c.MsgDomain),
			DueAt: now.Unix(), CreatedAt: now.Unix(),
		})
		return err
	})
}

func (e *Engine) collectDigest(ctx context.Context, c *Content, local time.Time) (notify.Digest, int64, error) {
	d := notify.Digest{Date: local}
	if c.PublicURL != "" {
		base := strings.TrimSuffix(c.PublicURL, "/")
		d.Link, d.RepliesLink = base+"/dashboard/today", base+"/dashboard/replies"
	}
	// The first page of the replies page, and a count of the rest.
	replies, _, err := e.store.RepliesPage(ctx, false, store.ReplyCursor{}, notify.DigestReplies)
	if err != nil {
		return d, 0, err
	}
	if d.Waiting, err = e.store.OpenReplies(ctx); err != nil {
		return d, 0, err
	}
	for i := range replies {
		n, err := e.ReplyNote(ctx, c, &replies[i])
		if err != nil {
			return d, 0, err
		}
		d.Replies = append(d.Replies, n)
	}
	if d.Cases, err = e.caseReminders(ctx, c, local); err != nil {
		return d, 0, err
	}
	notices, err := e.store.OpenNotices(ctx)
	if err != nil {
		return d, 0, err
	}
	var upTo int64
	for _, n := range notices {
		upTo = n.ID
		switch n.Kind {
		case store.NoticeTask:
			d.Tasks = append(d.Tasks, n.Text)
		case store.NoticeStale, store.NoticeSeriesEnded:
			d.Stale = append(d.Stale, n.Text)
		case store.NoticeFailed:
			d.Failed = append(d.Failed, n.Text)
		case store.NoticeSetup:
			d.Setup = append(d.Setup, n.Text)
		case store.NoticeCapped:
			line, err := e.cappedLine(ctx, c, n)
			if err != nil {
				return d, 0, err
			}
			d.Held = append(d.Held, line)
		default:
			d.Lost = append(d.Lost, n.Text)
		}
	}
	return d, upTo, nil
}

// ReplyNote gathers what the rep needs to know about a stored reply. A
// contact without orders (or gone since) leaves those lines out; a
// database that cannot answer is an error.
func (e *Engine) ReplyNote(ctx context.Context, c *Content, r *store.Reply) (notify.Reply, error) {
	n := notify.Reply{
		ID: r.ID, Channel: r.Channel, From: r.From, Subject: r.Subject, Body: r.Body,
		Received: time.Unix(r.ReceivedAt, 0).In(c.Rules.RepZone),
		Flags:    cases.FlagTexts(r.FlagList()), Deadlines: c.SayDeadlines(r.DeadlineList(), e.clock.Now()),
	}
	switch {
	case r.AnswersRep():
		n.Answers = "your message"
	case r.Step != "":
		n.Answers = r.Campaign + " / " + r.Step
	}
	if r.ContactID == 0 {
		return n, nil
	}
	ct, err := e.store.Contact(ctx, r.ContactID)
	switch {
	case err == nil:
		n.Name, n.Email, n.Phone = ct.Label(), ct.Email, DisplayPhone(ct.Phone)
		if ct.SMSStatus != store.Subscribed {
			n.OptOut = "texts: " + ct.SMSStatus
		}
	case !store.IsNotFound(err):
		return notify.Reply{}, fmt.Errorf("contact of reply from %s: %w", r.From, err)
	}
	o, err := e.store.LatestOrder(ctx, r.ContactID)
	switch {
	case err == nil:
		n.Order = strings.TrimSpace(fmt.Sprintf("invoice %s of %s: %s", o.Invoice, o.Date, o.Items))
	case !store.IsNotFound(err):
		return notify.Reply{}, fmt.Errorf("latest order of %s: %w", r.From, err)
	}
	notes, err := e.store.Notes(ctx, r.ContactID)
	if err != nil {
		return notify.Reply{}, fmt.Errorf("notes on %s: %w", r.From, err)
	}
	for _, x := range notes {
		n.Notes = append(n.Notes, time.Unix(x.CreatedAt, 0).In(c.Rules.RepZone).Format(time.DateOnly)+": "+x.Text)
	}
	return n, nil
}

// sendRepMessages delivers queued forwards and digests to the rep, a
// burst of forwards told in one summary (coalesceForwards).
func (e *Engine) sendRepMessages(stop, ctx context.Context) error {
	c, now := e.Content(), e.clock.Now()
	held, err := e.coalesceForwards(ctx, c, now)
	if err != nil {
		return err
	}
	due, err := e.store.DueRepMessages(ctx, now.Unix(), 50, held...)
	if err != nil {
		return err
	}
	for i := range due {
		if stop.Err() != nil {
			return nil
		}
		if err := e.sendRep(ctx, c, &due[i], now); err != nil {
			return err
		}
	}
	return nil
}

// How often the rep hears of customers' replies, per channel: a reply in a
// quiet moment is forwarded whole at once; those that come sooner after
// the last alert wait, and go together as one summary (flagged ones
// first) once the gap has passed. A flagged one waits a shorter gap,
// which with the dispatcher's 15 s pass tells the rep of a new problem
// within a minute, however many replies wait.
const (
	alertGap     = 2 * time.Minute
	flaggedGap   = 45 * time.Second
	summaryShown = 5 // replies a summary quotes
)

func lastAlertKey(ch string) string { return "alerts:last:" + ch }

// coalesceForwards decides, per channel, what happens to the forwards of
// replies waiting there: a lone one goes as it is; several become one
// summary; before the gap has passed they are held (the returned channels).
func (e *Engine) coalesceForwards(ctx context.Context, c *Content, now time.Time) (held []string, err error) {
	for _, ch := range []string{channel.Email, channel.SMS} {
		w, err := e.store.ForwardsWaiting(ctx, ch, now.Unix())
		if err != nil {
			return nil, fmt.Errorf("forwards waiting by %s: %w", ch, err)
		}
		if w.N == 0 {
			continue
		}
		last, err := e.lastAlert(ctx, ch)
		if err != nil {
			return nil, err
		}
		gap := alertGap
		if w.Flagged > 0 {
			gap = flaggedGap
		}
		switch {
		case now.Sub(last) < gap:
			held = append(held, ch)
		case w.N == 1:
			err = e.store.Tx(ctx, func(tx *store.Tx) error { return setLastAlert(ctx, tx, ch, now) })
		default:
			err = e.summarise(ctx, c, ch, w, now)
		}
		if err != nil {
			return nil, err
		}
	}
	return held, nil
}

func (e *Engine) lastAlert(ctx context.Context, ch string) (time.Time, error) {
	v, err := e.store.Setting(ctx, lastAlertKey(ch))
	if store.IsNotFound(err) {
		return time.Time{}, nil
	}
	if err != nil {
		return time.Time{}, fmt.Errorf("when the rep was last told by %s: %w", ch, err)
	}
	unix, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("when the rep was last told by %s: %w", ch, err)
	}
	return time.Unix(unix, 0), nil
}

func setLastAlert(ctx context.Context, tx *store.Tx, ch string, now time.Time) error {
	return tx.SetSetting(ctx, lastAlertKey(ch), strconv.FormatInt(now.Unix(), 10))
}

// summarise queues one summary of the forwards waiting on a channel in
// their place.
func (e *Engine) summarise(ctx context.Context, c *Content, ch string, w *store.WaitingForwards, now time.Time) error {
	first, err := e.store.FirstForwardedReplies(ctx, ch, now.Unix(), w.UpTo, summaryShown)
	if err != nil {
		return fmt.Errorf("replies to summarise: %w", err)
	}
	s := notify.Summary{New: w.N, Flagged: w.Flagged, Link: strings.TrimRight(c.PublicURL, "/") + "/dashboard/"}
	for i := range first {
		n, err := e.ReplyNote(ctx, c, &first[i])
		if err != nil {
			return err
		}
		s.Shown = append(s.Shown, n)
	}
	m := &store.RepMessage{
		DedupeKey: fmt.Sprintf("summary:%s:%d", ch, w.UpTo), Channel: ch, To: w.To,
		MessageID: NewMessageID(c.MsgDomain), DueAt: now.Unix(), CreatedAt: now.Unix(),
	}
	if ch == channel.SMS {
		m.Body = s.Text()
	} else {
		m.Subject, m.Body = s.Compose()
	}
	return e.store.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.SummariseForwards(ctx, ch, now.Unix(), w.UpTo); err != nil {
			return err
		}
		if _, err := tx.AddRepMessage(ctx, m); err != nil {
			return err
		}
		return setLastAlert(ctx, tx, ch, now)
	})
}

func (e *Engine) sendRep(ctx context.Context, c *Content, m *store.RepMessage, now time.Time) error {
	s := e.sender(m.Channel)
	if s == nil {
		return nil
	}
	// No claim before the send: a crash in between sends the rep the same
	// note twice, which beats losing it, and saves a commit per message.
	msg := &channel.Message{
		ID: m.ID, Channel: m.Channel, Campaign: "rapport", Step: "to-rep", To: m.To, ToName: c.Rep.Name,
		Subject: m.Subject, Text: m.Body, MessageID: m.MessageID, Date: now, ClaimedAt: now,
	}
	id, err := s.Send(ctx, msg)
	if err == nil {
		e.emit(Event{At: now, Kind: "to-rep", Contact: c.Rep.Name, Channel: m.Channel, Step: m.DedupeKey, Summary: summary(msg)})
	}
	return e.store.Tx(ctx, func(tx *store.Tx) error {
		if err == nil {
			return tx.RepMessageSent(ctx, m.ID, id, now.Unix())
		}
		e.log.Warn("could not send a message to the rep", "rep_message", m.ID, "err", err)
		state, attempts := store.Pending, m.Attempts+1
		var ce *channel.Error
		if (errors.As(err, &ce) && ce.Class != channel.Temporary) || attempts >= c.Rules.MaxAttempts {
			state = store.Failed
		}
		wait := Backoff(c.Rules.RetryBase, c.Rules.RetryMax, attempts, 0.5)
		return tx.RepMessageRetry(ctx, m.ID, state, now.Add(wait).Unix(), err.Error())
	})
}

// QueueToRep queues a message for the rep on every channel configured in
// [notify], once per key. replyID names the customer's reply it forwards
// (0 for anything else): forwards may go together in a summary.
func (c *Content) QueueToRep(ctx context.Context, tx *store.Tx, key string, replyID int64, subject, body, text string, now time.Time) error {
	add := func(ch, to, subj, b string) error {
		if to == "" {
			return nil
		}
		_, err := tx.AddRepMessage(ctx, &store.RepMessage{
			DedupeKey: key + ":" + ch, Channel: ch, To: to, Subject: subj, Body: b, ReplyID: replyID,
			MessageID: NewMessageID(c.MsgDomain), DueAt: now.Unix(), CreatedAt: now.Unix(),
		})
		return err
	}
	if err := add(channel.Email, c.NotifyEmail, subject, body); err != nil {
		return err
	}
	return add(channel.SMS, c.NotifySMS, "", text)
}

func timeOf(unix int64) time.Time {
	if unix == 0 {
		return time.Time{}
	}
	return time.Unix(unix, 0)
}

// caseReminders lists what the rep should do today about open cases.
func (e *Engine) caseReminders(ctx context.Context, c *Content, now time.Time) ([]string, error) {
	due, err := e.dueReminders(ctx, c, now)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, m := range due {
		out = append(out, m.Text)
	}
	return out, nil
}
