package cases

import (
	"fmt"
	"time"

	"github.com/rapportapp/rapport/internal/schedule"
)

// Day writes a date as "Wed 9 Dec", with the year when it is not today's
// year ("Mon 2 Feb 2026"): a deadline from last year must not read as if
// it still ran.
func Day(d, today schedule.Date) string {
	t := time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC)
	if d.Year != today.Year {
		return t.Format("Mon 2 Jan 2006")
	}
	return t.Format("Mon 2 Jan")
}

// When says how far off a deadline is, seen from today: "today",
// "tomorrow (Thu 10 Dec)", "in 3 business days (Wed 9 Dec)", "in 12 days
// (Mon 21 Dec)" or "expired 2 Feb 2026" (the year only when it is not
// this year's).
func When(due, today schedule.Date, business bool, cal schedule.Calendar) string {
	switch {
	case due == today:
		return "today"
	case due.Before(today):
		t := time.Date(due.Year, due.Month, due.Day, 12, 0, 0, 0, time.UTC)
		if due.Year != today.Year {
			return "expired " + t.Format("2 Jan 2006")
		}
		return "expired " + t.Format("2 Jan")
	case due == today.AddDays(1):
		return fmt.Sprintf("tomorrow (%s)", Day(due, today))
	case business:
		n := BusinessDaysBetween(today, due, cal)
		return fmt.Sprintf("in %d business %s (%s)", n, plural(n, "day", "days"), Day(due, today))
	default:
		n := DaysBetween(today, due)
		return fmt.Sprintf("in %d %s (%s)", n, plural(n, "day", "days"), Day(due, today))
	}
}

// Expired reports whether a deadline has passed by today.
func Expired(due, today schedule.Date) bool { return due.Before(today) }

// BusinessDaysBetween counts the business days after from up to and
// including to (0 when to is not after from).
func BusinessDaysBetween(from, to schedule.Date, cal schedule.Calendar) int {
	n := 0
	for d := from.AddDays(1); !to.Before(d); d = d.AddDays(1) {
		if cal.IsBusinessDay(d) {
			n++
		}
	}
	return n
}

// DaysBetween counts calendar days from from to to (negative when to is
// earlier). Dates carry no clock, so a DST change cannot shift it.
func DaysBetween(from, to schedule.Date) int {
	a := time.Date(from.Year, from.Month, from.Day, 0, 0, 0, 0, time.UTC)
	b := time.Date(to.Year, to.Month, to.Day, 0, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Hours() / 24)
}

// FlagWords names a reply's flags in words: "leak", "damaged in
// transit", "your word 'cracked'" for one of the rep's own problem words.
func FlagWords(kind, match string) string {
	switch kind {
	case "damaged":
		return "damaged in transit"
	case "leaking":
		return "leak"
	case "broken":
		return "broken or faulty"
	case "wrong_item":
		return "wrong item sent"
	case "missing_item":
		return "missing item"
	case "return":
		return "return"
	case "refund":
		return "refund"
	case "cancel":
		return "cancellation"
	case "opt_out":
		return "may want to stop hearing from you"
	case "custom":
		return fmt.Sprintf("your word '%s'", match)
	case "opted_out":
		return "opted out"
	case "opted_in":
		return "opted back in"
	}
	return kind
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
