package schedule

import (
	"slices"
	"time"
)

// At returns the instant at which the local clock in loc reads tod on date d.
//
// Daylight-saving changes are resolved the same way every time, rather than
// by time.Date's unspecified choice:
//   - a time skipped by a spring-forward change moves forward by the length
//     of the gap (02:30 on the day New York goes 02:00 → 03:00 is 03:30);
//   - a time that happens twice on a fall-back day is the first of the two
//     (01:30 on the day New York goes 02:00 → 01:00 is 01:30 EDT).
func At(d Date, tod TimeOfDay, loc *time.Location) time.Time {
	return instants(d, time.Duration(tod.Minutes())*time.Minute, loc)[0]
}

// NextDay returns the instant of at on the local day after t's local day, to
// move a message that may not go out today to tomorrow.
func NextDay(t time.Time, at TimeOfDay, loc *time.Location) time.Time {
	return At(DateOf(t.In(loc)).AddDays(1), at, loc)
}

// NextAllowed returns t if the local time of t in loc is inside w (start
// included, end excluded), and otherwise the first instant after t at which
// the local clock is inside w again: today's start if t is before it,
// tomorrow's if after. When the start falls into a spring-forward gap, the
// window opens at the end of the gap.
func NextAllowed(t time.Time, w Window, loc *time.Location) time.Time {
	local := t.In(loc)
	since := sinceMidnight(local)
	start := time.Duration(w.Start.Minutes()) * time.Minute
	end := time.Duration(w.End.Minutes()) * time.Minute
	if since >= start && since < end {
		return t
	}
	today := DateOf(local)
	if since < start {
		// On a fall-back day the start can happen twice; take the first
		// one not already behind us.
		for _, o := range instants(today, start, loc) {
			if !o.Before(t) {
				return opening(o, start, loc)
			}
		}
	}
	return opening(instants(today.AddDays(1), start, loc)[0], start, loc)
}

// opening corrects an instant returned by instants for a wall time that was
// skipped by a spring-forward change: a window starting inside the gap is
// open from the first instant after the gap.
func opening(o time.Time, wall time.Duration, loc *time.Location) time.Time {
	local := o.In(loc)
	if sinceMidnight(local) == wall {
		return o
	}
	zoneStart, _ := local.ZoneBounds()
	return zoneStart
}

// endOfDay returns the last instant of local date d in loc, one nanosecond
// before the next day starts.
func endOfDay(d Date, loc *time.Location) time.Time {
	return instants(d.AddDays(1), 0, loc)[0].Add(-time.Nanosecond)
}

// instants returns the instants, earliest first, at which the local clock in
// loc reads wall (time since midnight) on date d: one normally, two in a
// fall-back overlap. For a wall time skipped by a spring-forward change it
// returns the one instant that reads wall with the offset in force before
// the change, which the clock shows as wall plus the gap.
func instants(d Date, wall time.Duration, loc *time.Location) []time.Time {
	w := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC).Add(wall)
	offsets := offsetsNear(w, loc)
	var found []time.Time
	for _, off := range offsets {
		t := w.Add(-time.Duration(off) * time.Second)
		if _, o := t.In(loc).Zone(); o == off && !slices.ContainsFunc(found, t.Equal) {
			found = append(found, t.In(loc))
		}
	}
	if len(found) > 0 {
		slices.SortFunc(found, time.Time.Compare)
		return found
	}
	// A gap: of the readings with each nearby offset, the right one is the
	// earliest whose clock shows a time after wall.
	var gap time.Time
	for _, off := range offsets {
		t := w.Add(-time.Duration(off) * time.Second)
		if wallOf(t, loc).After(w) && (gap.IsZero() || t.Before(gap)) {
			gap = t
		}
	}
	if gap.IsZero() { // unreachable with a consistent tz database
		gap = time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, loc).Add(wall)
	}
	return []time.Time{gap.In(loc)}
}

// offsetsNear returns every UTC offset loc uses within 16 hours of the
// instant w: any instant whose local clock reads w (taken as UTC) is inside
// that span, since offsets stay within ±16h.
func offsetsNear(w time.Time, loc *time.Location) []int {
	t := w.Add(-16 * time.Hour).In(loc)
	end := w.Add(16 * time.Hour)
	var offsets []int
	// Bounded: no zone changes its offset more than a few times a day.
	for range 16 {
		_, off := t.Zone()
		if !slices.Contains(offsets, off) {
			offsets = append(offsets, off)
		}
		_, next := t.ZoneBounds()
		if next.IsZero() || next.After(end) || !next.After(t) {
			break
		}
		t = next.In(loc)
	}
	return offsets
}

// wallOf returns the local clock reading of t in loc, as a UTC time so that
// readings compare by clock face.
func wallOf(t time.Time, loc *time.Location) time.Time {
	l := t.In(loc)
	y, m, d := l.Date()
	return time.Date(y, m, d, l.Hour(), l.Minute(), l.Second(), l.Nanosecond(), time.UTC)
}

// sinceMidnight returns how far t's clock face is past midnight.
func sinceMidnight(t time.Time) time.Duration {
	return time.Duration(t.Hour())*time.Hour + time.Duration(t.Minute())*time.Minute +
		time.Duration(t.Second())*time.Second + time.Duration(t.Nanosecond())
}
