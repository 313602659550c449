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

// Reminders lists what the rep should do today about k: a deadline
// tomorrow or today; support to chase when nothing was recorded for
// chase_after; a RAN parcel with 3 days left; a customer who has heard
// nothing for update_every.
func (r Rules) Reminders(k *store.Case, now time.Time) []string {
	if !IsOpen(k) {
		return nil
	}
	today := Today(now, r.Zone)
	var out []string
	for _, d := range r.Deadlines(k) {
		if d.Due == today || d.Due == today.AddDays(1) {
			out = append(out, fmt.Sprintf("%s: %s — %s", Label(k), d.What, When(d.Due, today, d.Business, r.Calendar)))
		}
	}
	p := r.Policy(k.Company)
	if issued, ok := Date(k.RANIssued); ok && k.RAN != "" {
		due := schedule.AddDelay(issued, p.ReturnAuthorizationValid, r.Calendar)
		if DaysBetween(today, due) == ranWarnDays {
			out = append(out, fmt.Sprintf("%s: has the parcel gone back? %s runs out in %d days (%s)", Label(k), k.RAN, ranWarnDays, Day(due, today)))
		}
	}
	if k.State == Reported || k.State == Waiting {
		if !today.Before(schedule.AddDelay(dayOf(k.UpdatedAt, r.Zone), p.ChaseAfter, r.Calendar)) {
			out = append(out, fmt.Sprintf("chase support about %s (%s %s)", Label(k), k.State, Day(dayOf(k.UpdatedAt, r.Zone), today)))
		}
	}
	told := max(k.ToldAt, k.OpenedAt)
	if !today.Before(schedule.AddDelay(dayOf(told, r.Zone), p.UpdateEvery, r.Calendar)) {
		out = append(out, fmt.Sprintf("%s has heard nothing about %s since %s: send an update", firstName(k.ContactName), Label(k), Day(dayOf(told, r.Zone), today)))
	}
	return out
}
