package engine

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/rapportapp/rapport/internal/schedule"
	"github.com/rapportapp/rapport/internal/store"
)

// customerRule is the state law on texts to ct: their address's state
// when the rep knows it, else the state of their number's area code (a
// number keeps its area code when its owner moves; an address is where
// they are).
func customerRule(q *schedule.QuietHours, ct *store.Contact) schedule.QuietRule {
	if ct.State != "" {
		return q.Rule(ct.State)
	}
	return q.Rule(customerPlace(ct.Phone))
}

// customerPlace is where a customer's number belongs ("Texas", "Chicago,
// IL"); "" when unknown.
func customerPlace(phone string) string {
	n, err := phonenumbers.Parse(phone, "")
	if err != nil || n.GetCountryCode() != 1 {
		return ""
	}
	place, err := phonenumbers.GetGeocodingForNumber(n, "en")
	if err != nil {
		return ""
	}
	return place
}

// textHours returns t if a text to ct may go at t, else when it may, and
// which rule moved it: the customer's state law or the rep's allowed hours.
func textHours(c *Content, t time.Time, ct *store.Contact, loc *time.Location) (time.Time, string, error) {
	q, err := schedule.StateQuietHours()
	if err != nil {
		return time.Time{}, "", err
	}
	next, rule := q.NextText(t, c.Rules.AllowedHours, customerRule(q, ct), loc)
	if rule != nil {
		return next, rule.Describe(), nil
	}
	return next, fmt.Sprintf("texts only go out %s in the customer's time", c.Rules.AllowedHours), nil
}

// TextGoes predicts when a text to ct due at due really goes under the
// rep's allowed hours and the customer's state law, in their zone loc
// (not under the caps, which depend on the day's other texts). When that
// is later than due, held says which rule holds it and to when: "held to
// 12:00 by Texas's Sunday hours, Tex. Bus. & Com. Code § 301.051".
func (c *Content) TextGoes(ct *store.Contact, due time.Time, loc *time.Location) (goes time.Time, held string, err error) {
	q, err := schedule.StateQuietHours()
	if err != nil {
		return time.Time{}, "", err
	}
	goes, rule := q.NextText(due, c.Rules.AllowedHours, customerRule(q, ct), loc)
	if !goes.After(due) {
		return goes, "", nil
	}
	to := goes.In(loc).Format("15:04")
	if schedule.DateOf(goes.In(loc)) != schedule.DateOf(due.In(loc)) {
		to = goes.In(loc).Format("Mon 15:04")
	}
	if rule == nil {
		return goes, fmt.Sprintf("held to %s by your allowed hours ([sending] allowed_hours = %s, the customer's time)", to, c.Rules.AllowedHours), nil
	}
	day := goes.In(loc).Weekday()
	if d := due.In(loc).Weekday(); rule.On(d).Closed() {
		day = d // a day without texts holds it, not the hours of the day it goes
	}
	return goes, fmt.Sprintf("held to %s by %s", to, rule.HoursOf(day)), nil
}

// dailyCap returns tomorrow's first allowed moment when the day's texts to
// all customers (the rep's day) have reached [sms] max_per_day: the
// carrier drops or blocks texts beyond its daily cap.
func (e *Engine) dailyCap(ctx context.Context, c *Content, j *job) (time.Time, string, error) {
	limit := c.Rules.MaxSMSPerDay
	if limit <= 0 {
		return time.Time{}, "", nil
	}
	today := schedule.DateOf(j.now.In(c.Rules.RepZone))
	start := schedule.At(today, schedule.TimeOfDay{}, c.Rules.RepZone)
	end := schedule.At(today.AddDays(1), schedule.TimeOfDay{}, c.Rules.RepZone)
	n, err := e.store.TextsAllBetween(ctx, start.Unix(), end.Unix())
	if err != nil || n < limit {
		return time.Time{}, "", err
	}
	next, _, err := textHours(c, end, &j.d.Contact, j.loc)
	if err != nil {
		return time.Time{}, "", err
	}
	if err := e.noteCapReached(ctx, today, limit, j.now); err != nil {
		return time.Time{}, "", err
	}
	return next, fmt.Sprintf("the day's %d texts have gone ([sms] max_per_day); the rest go tomorrow", limit), nil
}

// noteCapReached counts a text held for the day's cap, and tells the
// rep, in the digest, once a day (see store.NoticeCapped).
func (e *Engine) noteCapReached(ctx context.Context, day schedule.Date, limit int, now time.Time) error {
	key := store.CappedKey(day.String())
	_, err := e.store.Setting(ctx, key)
	first := errors.Is(err, store.ErrNotFound)
	if err != nil && !first {
		return err
	}
	text := fmt.Sprintf("%s: %d texts went out, the daily cap ([sms] max_per_day in config.toml); the texts due after that wait for the next day", day, limit)
	return e.store.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.CountCapped(ctx, day.String()); err != nil || !first {
			return err
		}
		return tx.AddNotice(ctx, store.NoticeCapped, 0, 0, text, now.Unix())
	})
}

// cappedLine is the digest's line for a NoticeCapped notice: "142 texts
// wait for the next day: the daily limit of 1000 was reached on Tue 3
// Mar ([sms] max_per_day in config.toml)".
func (e *Engine) cappedLine(ctx context.Context, c *Content, n store.Notice) (string, error) {
	day, err := schedule.ParseDate(strings.SplitN(n.Text, ":", 2)[0])
	if err != nil {
		return n.Text, nil // not written by noteCapReached: shown as it is
	}
	v, err := e.store.Setting(ctx, store.CappedKey(day.String()))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", err
	}
	held, _ := strconv.Atoi(v)
	on := schedule.At(day, schedule.TimeOfDay{}, c.Rules.RepZone).Format("Mon 2 Jan")
	return fmt.Sprintf("%d %s wait for the next day: the daily limit of %d was reached on %s ([sms] max_per_day in config.toml)",
		held, plural(held, "text", "texts"), c.Rules.MaxSMSPerDay, on), nil
}
