package schedule

import (
	"fmt"
	"time"
)

// Trigger is when a journey starts: the date of an order, or the exact
// moment a contact was created (for "contact" campaigns).
type Trigger struct {
	At time.Time
	// DateOnly marks a trigger that is a calendar date, not a moment: its
	// date is At's own year, month and day, whatever At's location.
	DateOnly bool
}

// DateIn returns the trigger's local date in loc.
func (t Trigger) DateIn(loc *time.Location) Date {
	if t.DateOnly {
		return DateOf(t.At)
	}
	return DateOf(t.At.In(loc))
}

// start returns the moment an m/h delay counts from: the trigger itself, or
// for a date-only trigger the step's time of day on that date.
func (t Trigger) start(at TimeOfDay, loc *time.Location) time.Time {
	if t.DateOnly {
		return At(DateOf(t.At), at, loc)
	}
	return t.At
}

// Occurrence returns when occurrence k (0-based) of a step is due, in the
// contact's zone loc. after is the step's delay from the trigger, every its
// repeat interval (nil: the step happens once, and k must be 0), at its
// local time of day.
//
//   - A day-based after (d, w, mo, bd) gives a local date, the trigger's
//     local date plus after; the step is due at `at` on it.
//   - An m/h after is exact: the trigger's moment plus after (a date-only
//     trigger's moment is `at` on its date); `at` is not used again.
//   - Repeats count from the first occurrence. A day-based every moves the
//     local date (monthly keeps the first occurrence's day of the month,
//     clamped at month end: Jan 31, Feb 28, Mar 31, ...) and keeps the first
//     occurrence's local clock time, whatever daylight saving does. An m/h
//     every adds exact time.
//   - bd delays skip weekends and cal's holidays; d, w and mo do not.
//
// A step is never due before a timed trigger: "0d" at 10:00 for a contact
// created at 15:00 is due at 15:00, not that morning.
//
// Occurrence panics if k < 0, or k > 0 for a step that does not repeat: no
// such occurrence exists, and a caller asking for one has a bug.
func Occurrence(tr Trigger, after Delay, every *Delay, k int, at TimeOfDay, loc *time.Location, cal Calendar) time.Time {
	mustExist(every, k)
	due := occurrence(tr, after, every, k, at, loc, cal)
	if !tr.DateOnly && due.Before(tr.At) {
		due = tr.At
	}
	return due.In(loc)
}

// occurrence is Occurrence before it is held back to the trigger.
func occurrence(tr Trigger, after Delay, every *Delay, k int, at TimeOfDay, loc *time.Location, cal Calendar) time.Time {
	if after.DayBased() {
		if every != nil && !every.DayBased() {
			first := AddDelay(tr.DateIn(loc), after, cal)
			return At(first, at, loc).Add(time.Duration(k) * exact(*every))
		}
		return At(nth(tr.DateIn(loc), after, every, k, cal), at, loc)
	}
	first := tr.start(at, loc).Add(exact(after))
	if every == nil || !every.DayBased() {
		return first.Add(time.Duration(k) * exactOrZero(every))
	}
	local := first.In(loc)
	return instants(repeat(DateOf(local), every, k, cal), sinceMidnight(local), loc)[0]
}

// StaleAt returns the moment after which occurrence k of a step whose
// deadline is until must no longer be sent. It follows Occurrence's rules
// with until in place of after, so each occurrence of a repeating step goes
// stale (until - after) after it is due. A day-based until lasts to the end
// of its local day (the last instant before the next local midnight); an
// m/h until is exact.
func StaleAt(tr Trigger, until Delay, every *Delay, k int, at TimeOfDay, loc *time.Location, cal Calendar) time.Time {
	if until.DayBased() && (every == nil || every.DayBased()) {
		mustExist(every, k)
		return endOfDay(nth(tr.DateIn(loc), until, every, k, cal), loc)
	}
	due := Occurrence(tr, until, every, k, at, loc, cal)
	if until.DayBased() {
		return endOfDay(DateOf(due.In(loc)), loc)
	}
	return due
}

// nth returns the date of occurrence k of a step due first after `first`
// from base. When both are months, it counts all the months from base, so
// an order on Jan 31 with after = every = "1mo" gives Feb 28, Mar 31, Apr
// 30: clamping one month never shortens the next.
func nth(base Date, first Delay, every *Delay, k int, cal Calendar) Date {
	if first.Unit == Month && every != nil && every.Unit == Month {
		return AddDelay(base, Delay{N: first.N + k*every.N, Unit: Month}, cal)
	}
	return repeat(AddDelay(base, first, cal), every, k, cal)
}

// repeat returns the date of occurrence k of a day-based every, counted from
// the first occurrence's date so that monthly steps keep their day.
func repeat(first Date, every *Delay, k int, cal Calendar) Date {
	if every == nil || k == 0 {
		return first
	}
	return AddDelay(first, Delay{N: k * every.N, Unit: every.Unit}, cal)
}

// mustExist panics when occurrence k cannot exist.
func mustExist(every *Delay, k int) {
	if k < 0 || (k > 0 && every == nil) {
		panic(fmt.Sprintf("schedule: asked for occurrence %d of a step that does not repeat (or k < 0)", k))
	}
}

func exactOrZero(d *Delay) time.Duration {
	if d == nil {
		return 0
	}
	return exact(*d)
}
