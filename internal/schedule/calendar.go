package schedule

import (
	"errors"
	"fmt"
	"time"
)

// Calendar knows which days are business days: Monday to Friday, except the
// rep's holidays. The zero Calendar has no holidays.
type Calendar struct {
	holidays map[Date]bool // never written after NewCalendar returns
}

// NewCalendar returns a calendar with the given holidays ("YYYY-MM-DD").
// Every bad entry is reported, each naming its position in the list (1-based)
// and the text found.
func NewCalendar(holidays []string) (Calendar, error) {
	set := make(map[Date]bool, len(holidays))
	var errs []error
	for i, s := range holidays {
		d, err := ParseDate(s)
		if err != nil {
			errs = append(errs, fmt.Errorf("holiday %d: %w", i+1, err))
			continue
		}
		set[d] = true
	}
	if len(errs) > 0 {
		return Calendar{}, errors.Join(errs...)
	}
	return Calendar{holidays: set}, nil
}

// IsHoliday reports whether d is one of the calendar's holidays.
func (c Calendar) IsHoliday(d Date) bool { return c.holidays[d] }

// IsBusinessDay reports whether d is a weekday that is not a holiday.
func (c Calendar) IsBusinessDay(d Date) bool {
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday && !c.holidays[d]
}

// AddBusinessDays returns the n-th business day after d, counting forward
// from the day after d: Friday + 1 is Monday, Saturday + 1 is Monday too.
//
// n = 0 returns d itself when it is a business day and otherwise the next
// business day, so "0bd" means "the first business day from now on" rather
// than landing a message on a Sunday. Negative n counts as 0.
func (c Calendar) AddBusinessDays(d Date, n int) Date {
	for !c.IsBusinessDay(d) && n <= 0 {
		d = d.AddDays(1)
	}
	for ; n > 0; n-- {
		d = d.AddDays(1)
		for !c.IsBusinessDay(d) {
			d = d.AddDays(1)
		}
	}
	return d
}

// AddDelay returns the date delay after d.
//
//   - d and w count calendar days;
//   - mo keeps the day of the month and clamps at the month's end
//     (Jan 31 + 1mo = Feb 28, or Feb 29 in a leap year);
//   - bd counts business days (see Calendar.AddBusinessDays);
//   - m and h are exact durations with no date of their own: they add the
//     whole days they contain (48h = 2 days, 90m = 0 days) and never panic.
func AddDelay(d Date, delay Delay, cal Calendar) Date {
	switch delay.Unit {
	case Day:
		return d.AddDays(delay.N)
	case Week:
		return d.AddDays(7 * delay.N)
	case Month:
		return addMonths(d, delay.N)
	case BusinessDay:
		return cal.AddBusinessDays(d, delay.N)
	default:
		return d.AddDays(int(exact(delay) / (24 * time.Hour)))
	}
}

// AddBusinessDaysFrom returns the deadline date for a policy such as
// "report damage within 7bd of receipt": the date `within` after from. It is
// AddDelay under the name the reply deadlines read best with, so policies
// written in days ("15d") or weeks work as well as business days.
func AddBusinessDaysFrom(from Date, within Delay, cal Calendar) Date {
	return AddDelay(from, within, cal)
}

// addMonths adds n months keeping the day of the month, clamped to the last
// day of the target month. time.AddDate would roll Jan 31 + 1 month over
// into March instead.
func addMonths(d Date, n int) Date {
	months := int(d.Month) - 1 + n
	y := d.Year + floorDiv(months, 12)
	m := time.Month(months-12*floorDiv(months, 12)) + 1
	return Date{Year: y, Month: m, Day: min(d.Day, daysIn(y, m))}
}

// daysIn returns the number of days in month m of year y.
func daysIn(y int, m time.Month) int {
	// Day 0 of the next month is the last day of this one.
	return time.Date(y, m+1, 0, 12, 0, 0, 0, time.UTC).Day()
}

func floorDiv(a, b int) int {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// exact returns the length of an m or h delay, and 0 for day-based delays,
// whose length depends on the calendar and the time zone.
func exact(d Delay) time.Duration {
	switch d.Unit {
	case Minute:
		return time.Duration(d.N) * time.Minute
	case Hour:
		return time.Duration(d.N) * time.Hour
	}
	return 0
}
