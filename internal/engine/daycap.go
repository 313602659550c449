package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/schedule"
	"github.com/rapportapp/rapport/internal/store"
)

// dayCap is a channel's cap on messages to all customers in the rep's day:
// the carrier's for texts, the mail provider's for emails.
type dayCap struct {
	limit int    // 0: none
	key   string // where the rep sets it
	noun  string // "texts", "emails"
}

func (c *Content) capFor(ch string) dayCap {
	switch ch {
	case channel.SMS:
		return dayCap{c.Rules.MaxSMSPerDay, "[sms] max_per_day", "texts"}
	case channel.Email:
		return dayCap{c.Rules.MaxEmailPerDay, "[email] max_per_day", "emails"}
	}
	return dayCap{}
}

// dailyCap returns the next day's first possible moment when the row may
// not go today for its channel's daily cap: the provider drops, blocks or
// suspends the account past it. Service messages come first: a marketing
// message also waits when the places left today are needed by the service
// messages due before the day ends.
func (e *Engine) dailyCap(ctx context.Context, c *Content, j *job, ch string) (time.Time, string, error) {
	dc := c.capFor(ch)
	if dc.limit <= 0 {
		return time.Time{}, "", nil
	}
	today := schedule.DateOf(j.now.In(c.Rules.RepZone))
	start := schedule.At(today, schedule.TimeOfDay{}, c.Rules.RepZone)
	end := schedule.At(today.AddDays(1), schedule.TimeOfDay{}, c.Rules.RepZone)
	n, err := e.store.SentAllBetween(ctx, ch, start.Unix(), end.Unix())
	if err != nil || n >= dc.limit {
		return e.capped(ctx, c, j, ch, dc, today, end, err, fmt.Sprintf("the day's %d %s have gone (%s); the rest go tomorrow", dc.limit, dc.noun, dc.key))
	}
	if j.step == nil || j.step.Service() { // no step: the rep's own answer, service too
		return time.Time{}, "", nil
	}
	service, err := e.serviceDue(ctx, c, ch, end)
	if err != nil || n+service < dc.limit {
		return time.Time{}, "", err
	}
	return e.capped(ctx, c, j, ch, dc, today, end, nil, fmt.Sprintf("the last of the day's %d %s (%s) are kept for service messages; this one goes tomorrow", dc.limit, dc.noun, dc.key))
}

// capped moves the row to the next day's first moment and tells the
// digest once a day.
func (e *Engine) capped(ctx context.Context, c *Content, j *job, ch string, dc dayCap, today schedule.Date, end time.Time, err error, why string) (time.Time, string, error) {
	if err != nil {
		return time.Time{}, "", err
	}
	next := nextDay(c, j)
	if next.Before(end) {
		next = end
	}
	if ch == channel.SMS {
		if next, _, err = textHours(c, end, &j.d.Contact, j.loc); err != nil {
			return time.Time{}, "", err
		}
	}
	if err := e.noteCapReached(ctx, ch, dc, today, j.now); err != nil {
		return time.Time{}, "", err
	}
	return next, why, nil
}

// serviceDue counts the service messages on ch still due before end.
func (e *Engine) serviceDue(ctx context.Context, c *Content, ch string, end time.Time) (int, error) {
	counts, err := e.store.PendingByStep(ctx, ch, end.Unix())
	if err != nil {
		return 0, err
	}
	n := 0
	for _, sc := range counts {
		if cp := c.Campaign(sc.Campaign); cp != nil {
			if s, ok := cp.Step(sc.Step); ok && s.Service() {
				n += sc.Customers
			}
		}
	}
	return n, nil
}

// noteCapReached tells the rep, once a day per channel, in the digest,
// that messages were held for the cap.
func (e *Engine) noteCapReached(ctx context.Context, ch string, dc dayCap, day schedule.Date, now time.Time) error {
	key := ch + "-cap:" + day.String()
	if _, err := e.store.Setting(ctx, key); !errors.Is(err, store.ErrNotFound) {
		return err // nil: told already
	}
	text := fmt.Sprintf("%s: %d %s went out, the daily cap (%s in config.toml); the %s due after that wait for the next day, service messages first",
		day, dc.limit, dc.noun, dc.key, dc.noun)
	return e.store.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.SetSetting(ctx, key, "held"); err != nil {
			return err
		}
		return tx.AddNotice(ctx, store.NoticeSetup, 0, 0, text, now.Unix())
	})
}
