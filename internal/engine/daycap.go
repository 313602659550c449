package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
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

// noteCapReached counts a message held for the day's cap on ch, and
// tells the rep, in the digest, once a day (see store.NoticeCapped).
func (e *Engine) noteCapReached(ctx context.Context, ch string, dc dayCap, day schedule.Date, now time.Time) error {
	_, err := e.store.Setting(ctx, store.CappedKey(ch, day.String()))
	first := errors.Is(err, store.ErrNotFound)
	if err != nil && !first {
		return err
	}
	text := fmt.Sprintf("%s %s: %d %s went out, the daily cap (%s in config.toml); the %s due after that wait for the next day, service messages first",
		ch, day, dc.limit, dc.noun, dc.key, dc.noun)
	return e.store.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.CountCapped(ctx, ch, day.String()); err != nil || !first {
			return err
		}
		return tx.AddNotice(ctx, store.NoticeCapped, 0, 0, text, now.Unix())
	})
}

// cappedLine is the digest's line for a NoticeCapped notice: "142 texts
// wait for the next day: the daily limit of 1000 was reached on Tue 3
// Mar ([sms] max_per_day in config.toml)".
func (e *Engine) cappedLine(ctx context.Context, c *Content, n store.Notice) (string, error) {
	head, _, _ := strings.Cut(n.Text, ":")
	ch, date, ok := strings.Cut(head, " ")
	day, err := schedule.ParseDate(date)
	if !ok || err != nil {
		return n.Text, nil // not written by noteCapReached: shown as it is
	}
	v, err := e.store.Setting(ctx, store.CappedKey(ch, day.String()))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	held, _ := strconv.Atoi(v)
	dc := c.capFor(ch)
	on := schedule.At(day, schedule.TimeOfDay{}, c.Rules.RepZone).Format("Mon 2 Jan")
	return fmt.Sprintf("%d %s wait for the next day: the daily limit of %d was reached on %s (%s in config.toml)",
		held, plural(held, strings.TrimSuffix(dc.noun, "s"), dc.noun), dc.limit, on, dc.key), nil
}
