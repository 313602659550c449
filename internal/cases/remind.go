package cases

import (
	"fmt"
	"time"

	"github.com/rapportapp/rapport/internal/schedule"
	"github.com/rapportapp/rapport/internal/store"
)

// ranWarnDays is how many days before a RAN runs out the rep is told the
// parcel has not gone back yet.
const ranWarnDays = 3

// Reminder is one thing the rep should do today about a case. Key names
// it ("case:3:chase", "case:3:deadline:report it to the company"), so an
// alert about it goes once a day however its wording changes.
type Reminder struct {
	Key  string
	Text string
}

// Reminders lists what the rep should do today about k, in words (the
// digest's lines).
func (r Rules) Reminders(k *store.Case, now time.Time) []string {
	var out []string
	for _, m := range r.ReminderList(k, now) {
		out = append(out, m.Text)
	}
	return out
}

// ReminderList lists what the rep should do today about k: a deadline
// tomorrow or today; support to chase when nothing was recorded for
// chase_after; a RAN parcel with 3 days left; a customer who has heard
// nothing for update_every.
func (r Rules) ReminderList(k *store.Case, now time.Time) []Reminder {
	if !IsOpen(k) {
		return nil
	}
	today := Today(now, r.Zone)
	var out []Reminder
	add := func(key, format string, args ...any) {
		out = append(out, Reminder{Key: fmt.Sprintf("case:%d:%s", k.ID, key), Text: fmt.Sprintf(format, args...)})
	}
	for _, d := range r.Deadlines(k) {
		if d.Due == today || d.Due == today.AddDays(1) {
			add("deadline:"+d.What, "%s: %s — %s", Label(k), d.What, When(d.Due, today, d.Business, r.Calendar))
		}
	}
	p := r.Policy(k.Company)
	if issued, ok := Date(k.RANIssued); ok && k.RAN != "" {
		due := schedule.AddDelay(issued, p.ReturnAuthorizationValid, r.Calendar)
		if DaysBetween(today, due) == ranWarnDays {
			add("ran", "%s: has the parcel gone back? %s runs out in %d days (%s)", Label(k), k.RAN, ranWarnDays, Day(due, today))
		}
	}
	if k.State == Reported || k.State == Waiting {
		if !today.Before(schedule.AddDelay(dayOf(k.UpdatedAt, r.Zone), p.ChaseAfter, r.Calendar)) {
			add("chase", "chase support about %s (%s %s)", Label(k), k.State, Day(dayOf(k.UpdatedAt, r.Zone), today))
		}
	}
	told := max(k.ToldAt, k.OpenedAt)
	if !today.Before(schedule.AddDelay(dayOf(told, r.Zone), p.UpdateEvery, r.Calendar)) {
		add("update", "%s has heard nothing about %s since %s: send an update", firstName(k.ContactName), Label(k), Day(dayOf(told, r.Zone), today))
	}
	return out
}
