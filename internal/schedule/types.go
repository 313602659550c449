// Package schedule holds the calendar arithmetic of campaigns as pure
// functions: delays ("5d", "2bd", "1mo"), times of day, allowed-hours
// windows, business days and holidays, and when each occurrence of a step
// is due in a contact's time zone. Nothing here reads the clock.
package schedule

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Unit is the unit of a Delay.
type Unit int

// Delay units, as written in campaign files.
const (
	Minute      Unit = iota // m
	Hour                    // h
	Day                     // d
	Week                    // w
	Month                   // mo
	BusinessDay             // bd
)

var unitSuffix = map[Unit]string{Minute: "m", Hour: "h", Day: "d", Week: "w", Month: "mo", BusinessDay: "bd"}

// Delay is a campaign delay such as "0d", "90m", "5d", "2bd", "3w", "1mo".
type Delay struct {
	N    int
	Unit Unit
}

// ParseDelay parses a delay. The error says what is accepted.
func ParseDelay(s string) (Delay, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	if i == 0 {
		return Delay{}, fmt.Errorf("invalid delay %q: want a whole number and a unit, like \"5d\", \"2bd\", \"3w\", \"1mo\", \"4h\" or \"30m\"", s)
	}
	n, err := strconv.Atoi(t[:i])
	if err != nil || n > 100000 {
		return Delay{}, fmt.Errorf("invalid delay %q: number too large", s)
	}
	suffix := strings.TrimSpace(t[i:])
	for u, su := range unitSuffix {
		if suffix == su {
			return Delay{N: n, Unit: u}, nil
		}
	}
	return Delay{}, fmt.Errorf("invalid delay %q: unknown unit %q (use m, h, d, w, mo or bd)", s, suffix)
}

func (d Delay) String() string { return strconv.Itoa(d.N) + unitSuffix[d.Unit] }

// unitWords names each unit for people, one and many.
var unitWords = map[Unit][2]string{
	Minute: {"minute", "minutes"}, Hour: {"hour", "hours"}, Day: {"day", "days"},
	Week: {"week", "weeks"}, Month: {"month", "months"}, BusinessDay: {"business day", "business days"},
}

// Words is the delay as a customer or rep reads it: "7 business days",
// "1 month" (String is the form written in the files: "7bd").
func (d Delay) Words() string {
	w := unitWords[d.Unit]
	if d.N == 1 {
		return "1 " + w[0]
	}
	return strconv.Itoa(d.N) + " " + w[1]
}

// DayBased reports whether the delay counts calendar or business days
// (d, w, mo, bd), as opposed to an exact duration (m, h).
func (d Delay) DayBased() bool { return d.Unit >= Day }

// IsZero reports whether the delay is nothing at all.
func (d Delay) IsZero() bool { return d.N == 0 }

// TimeOfDay is a local wall-clock time such as "10:00".
type TimeOfDay struct {
	Hour, Minute int
}

// ParseTimeOfDay parses "HH:MM" (24-hour).
func ParseTimeOfDay(s string) (TimeOfDay, error) {
	t, err := time.Parse("15:04", strings.TrimSpace(s))
	if err != nil {
		return TimeOfDay{}, fmt.Errorf("invalid time of day %q: want 24-hour HH:MM, like \"10:00\" or \"18:30\"", s)
	}
	return TimeOfDay{Hour: t.Hour(), Minute: t.Minute()}, nil
}

func (t TimeOfDay) String() string { return fmt.Sprintf("%02d:%02d", t.Hour, t.Minute) }

// Minutes returns minutes since midnight.
func (t TimeOfDay) Minutes() int { return t.Hour*60 + t.Minute }

// Window is a daily span of local time, such as allowed hours "08:00-20:00".
// Start is inclusive and End exclusive.
type Window struct {
	Start, End TimeOfDay
}

// ParseWindow parses "HH:MM-HH:MM". The end must come after the start.
func ParseWindow(s string) (Window, error) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return Window{}, fmt.Errorf("invalid hours %q: want \"HH:MM-HH:MM\", like \"08:00-20:00\"", s)
	}
	start, err := ParseTimeOfDay(a)
	if err != nil {
		return Window{}, fmt.Errorf("invalid hours %q: %w", s, err)
	}
	end, err := ParseTimeOfDay(b)
	if err != nil {
		return Window{}, fmt.Errorf("invalid hours %q: %w", s, err)
	}
	if end.Minutes() <= start.Minutes() {
		return Window{}, fmt.Errorf("invalid hours %q: the end must be later in the day than the start", s)
	}
	return Window{Start: start, End: end}, nil
}

func (w Window) String() string { return w.Start.String() + "-" + w.End.String() }

// Closed reports whether the window holds no time at all (a day with no
// texts).
func (w Window) Closed() bool { return w.End.Minutes() <= w.Start.Minutes() }

// Date is a calendar date with no time zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate parses "YYYY-MM-DD".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		return Date{}, fmt.Errorf("invalid date %q: want YYYY-MM-DD, like \"2026-12-25\"", s)
	}
	return DateOf(t), nil
}

// DateOf returns the calendar date of t in t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

// AddDays returns the date n days later (n may be negative).
func (d Date) AddDays(n int) Date {
	return DateOf(time.Date(d.Year, d.Month, d.Day+n, 12, 0, 0, 0, time.UTC))
}

// Weekday returns the day of the week.
func (d Date) Weekday() time.Weekday {
	return time.Date(d.Year, d.Month, d.Day, 12, 0, 0, 0, time.UTC).Weekday()
}

// Before reports whether d is earlier than e.
func (d Date) Before(e Date) bool {
	if d.Year != e.Year {
		return d.Year < e.Year
	}
	if d.Month != e.Month {
		return d.Month < e.Month
	}
	return d.Day < e.Day
}
