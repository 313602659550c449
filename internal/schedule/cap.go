package schedule

import (
	"slices"
	"time"
)

// UnderCap returns the earliest instant at or after t at which fewer than
// limit of the sent instants fall in the rolling window (u-per, u]: with
// limit = 3 and per = 24h, when a fourth text to the same person may go out.
// sent may be in any order. A limit of 0 or less means no cap.
func UnderCap(t time.Time, sent []time.Time, limit int, per time.Duration) time.Time {
	if limit <= 0 {
		return t
	}
	// The count only drops when a send leaves the window, at s+per; so the
	// answer is t or one of those moments.
	candidates := []time.Time{t}
	for _, s := range sent {
		if out := s.Add(per); out.After(t) {
			candidates = append(candidates, out)
		}
	}
	slices.SortFunc(candidates, time.Time.Compare)
	for _, u := range candidates {
		if inWindow(u, sent, per) < limit {
			return u
		}
	}
	return candidates[len(candidates)-1] // unreachable: the last one empties the window
}

// inWindow counts the sends in (u-per, u].
func inWindow(u time.Time, sent []time.Time, per time.Duration) int {
	n := 0
	from := u.Add(-per)
	for _, s := range sent {
		if s.After(from) && !s.After(u) {
			n++
		}
	}
	return n
}
