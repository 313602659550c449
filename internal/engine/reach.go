package engine

import (
	"github.com/rapportapp/rapport/internal/store"
)

// Show settles, for display, a pending row's channel and state as the
// dispatcher would find them now: the channel Reach picks (a text for a
// customer without consent shows the email it falls back to), or skipped
// with why when no channel reaches them. Rows that have gone, and rows of
// steps no longer in the files, are shown as they are.
func (c *Content) Show(d *store.Due) {
	if d.State != store.Pending {
		return
	}
	cp := c.Campaign(d.Campaign)
	if cp == nil {
		return
	}
	s, ok := cp.Step(d.Step)
	if !ok || s.Channel == "task" {
		return
	}
	ch, why := Reach(s, &d.Contact)
	if ch == "" {
		d.State, d.Note = store.Skipped, why
		return
	}
	d.Channel = ch
}

// dedupeDue drops rows still to go (or shown as skipped) that repeat an
// earlier one (two orders on one day queue the same step at the same
// moment): a timeline shows the moment once.
func dedupeDue(rows []store.Due) []store.Due {
	type moment struct {
		campaign, step, channel, state, note string
		due                                  int64
	}
	seen := map[moment]bool{}
	out := rows[:0]
	for _, r := range rows {
		if r.SentAt == 0 && (r.State == store.Pending || r.State == store.Skipped) {
			k := moment{r.Campaign, r.Step, r.Channel, r.State, r.Note, r.DueAt}
			if seen[k] {
				continue
			}
			seen[k] = true
		}
		out = append(out, r)
	}
	return out
}
