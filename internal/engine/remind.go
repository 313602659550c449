package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/rapportapp/rapport/internal/cases"

	"github.com/rapportapp/rapport/internal/schedule"
	"github.com/rapportapp/rapport/internal/store"
)

// RemindCases alerts the rep, from [notify] remind_at in their zone, to
// each case reminder due today (the digest's list), one short message per
// reminder on each channel of [notify]. Each is queued under a key of the
// day and the reminder, so a pass every few seconds queues it once, and a
// reminder that first comes due later in the day (a case opened at noon)
// still gets its alert.
func (e *Engine) RemindCases(ctx context.Context) error {
	c, now := e.Content(), e.clock.Now()
	if c.NotifyEmail == "" && c.NotifySMS == "" {
		return nil
	}
	local := now.In(c.Rules.RepZone)
	today := schedule.DateOf(local)
	if now.Before(schedule.At(today, c.Rules.RemindAt, c.Rules.RepZone)) {
		return nil
	}
	due, err := e.dueReminders(ctx, c, now)
	if err != nil || len(due) == 0 {
		return err
	}
	return e.store.Tx(ctx, func(tx *store.Tx) error {
		for _, m := range due {
			body := m.Text + "\n"
			if c.PublicURL != "" {
				body += fmt.Sprintf("\nThe case: %s/dashboard/cases/%d\n", strings.TrimSuffix(c.PublicURL, "/"), m.caseID)
			}
			key := "remind:" + today.String() + ":" + m.Key
			if err := c.QueueToRep(ctx, tx, key, 0, "Reminder: "+m.Text, body, "Rapport reminder: "+m.Text, now); err != nil {
				return fmt.Errorf("queue reminder %s: %w", m.Key, err)
			}
		}
		return nil
	})
}

type caseReminder struct {
	cases.Reminder
	caseID int64
}

// dueReminders lists the reminders of every open case due today.
func (e *Engine) dueReminders(ctx context.Context, c *Content, now time.Time) ([]caseReminder, error) {
	open, err := e.store.Cases(ctx, false)
	if err != nil {
		return nil, fmt.Errorf("case reminders: %w", err)
	}
	rules := c.CaseRules()
	var out []caseReminder
	for i := range open {
		for _, m := range rules.ReminderList(&open[i], now) {
			out = append(out, caseReminder{Reminder: m, caseID: open[i].ID})
		}
	}
	return out, nil
}
