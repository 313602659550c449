package engine

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rapportapp/rapport/internal/campaign"
	"github.com/rapportapp/rapport/internal/store"
)

// A step's pending messages were planned with the timing it had then. When
// the rep changes that timing (after, at, every, until) and reloads, they
// are planned again; messages sent or on their way stay as they are. The
// timing each campaign's queue was planned with is kept in a setting (see
// timingKey), so a restart after the edit re-plans too.

// replanNote is the note a re-planned row carries, for previews.
const replanNote = "re-planned: the step's timing changed"

// Retiming is a step whose timing changed since its messages were
// planned, and where its pending messages go now.
type Retiming struct {
	Campaign, Step string
	Moves          []store.Replanned // pending rows to re-plan
	Moved          int               // of those, how many go at another time
}

// String says it as `rapport check` and the reload log do.
func (r Retiming) String() string {
	n := r.Moved
	return fmt.Sprintf("%s/%s: timing changed, %d pending %s will move", r.Campaign, r.Step, n, plural(n, "message", "messages"))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// timingKey names the setting that holds the timing of each step of a
// campaign as its queue was planned.
func timingKey(cp *campaign.Campaign) string { return "timing:" + cp.ID }

// stepTiming is what decides when a step's messages are due, as one text:
// its delays and its time of day (its own, or the default it takes).
func (c *Content) stepTiming(s *campaign.Step) string {
	t := "after=" + s.After.String() + " at=" + c.stepAt(s).String()
	if s.Every != nil {
		t += " every=" + s.Every.String()
	}
	if s.Until != nil {
		t += " until=" + s.Until.String()
	}
	return t
}

// timings is the setting's value for cp: "step=timing" lines.
func (c *Content) timings(cp *campaign.Campaign) string {
	lines := make([]string, len(cp.Steps))
	for i := range cp.Steps {
		lines[i] = cp.Steps[i].ID + "=" + c.stepTiming(&cp.Steps[i])
	}
	return strings.Join(lines, "\n")
}

// changedSteps returns the steps of cp whose timing differs from the
// recorded one. Steps with no recorded timing (new ones) are not changed:
// Reconcile plans them.
func (c *Content) changedSteps(cp *campaign.Campaign, recorded string) []*campaign.Step {
	old := map[string]string{}
	for line := range strings.SplitSeq(recorded, "\n") {
		if id, t, ok := strings.Cut(line, "="); ok {
			old[id] = t
		}
	}
	var out []*campaign.Step
	for i := range cp.Steps {
		s := &cp.Steps[i]
		if t, ok := old[s.ID]; ok && t != c.stepTiming(s) {
			out = append(out, s)
		}
	}
	return out
}

// Replan is where pending occurrence k of step s of journey j goes under
// the step's timing now. A one-off step keeps its occurrence and takes its
// new due and stale times: due at once if its new moment has passed, and
// skipped (never sent late) if its new until has. A repeating step's next
// message goes at the first moment of the new timing still to come.
func (c *Content) Replan(s *campaign.Step, j *store.Journey, loc *time.Location, k int, now time.Time) (occurrence int, due, stale int64) {
	if s.Every != nil {
		k = c.nextOccurrence(s, j, loc, -1, now)
	}
	d, st := c.due(s, j, loc, k)
	if !st.IsZero() {
		stale = st.Unix()
	}
	return k, d.Unix(), stale
}

// Reader is what working out a re-plan reads from the store.
type Reader interface {
	Setting(ctx context.Context, key string) (string, error)
	PendingOfStep(ctx context.Context, campaign, step string) ([]store.Due, error)
}

// Retimings returns the steps whose timing changed since their messages
// were planned, and where each pending message would go at now. It
// changes nothing: `rapport check` reports it, Reconcile applies it.
func (c *Content) Retimings(ctx context.Context, st Reader, now time.Time) ([]Retiming, error) {
	var out []Retiming
	for _, cp := range c.Campaigns {
		recorded, err := st.Setting(ctx, timingKey(cp))
		if store.IsNotFound(err) {
			continue // planned before timings were recorded: nothing to compare
		}
		if err != nil {
			return nil, err
		}
		for _, s := range c.changedSteps(cp, recorded) {
			r, err := c.retime(ctx, st, cp, s, now)
			if err != nil {
				return nil, err
			}
			out = append(out, r)
		}
	}
	return out, nil
}

// retime works out where the pending rows of one changed step go.
func (c *Content) retime(ctx context.Context, st Reader, cp *campaign.Campaign, s *campaign.Step, now time.Time) (Retiming, error) {
	rows, err := st.PendingOfStep(ctx, cp.ID, s.ID)
	if err != nil {
		return Retiming{}, fmt.Errorf("re-plan %s/%s: %w", cp.ID, s.ID, err)
	}
	r := Retiming{Campaign: cp.ID, Step: s.ID}
	for i := range rows {
		d := &rows[i]
		k, due, stale := c.Replan(s, &d.Journey, c.Zone(&d.Contact), d.Occurrence, now)
		if k == d.Occurrence && due == d.DueAt && stale == d.StaleAt {
			continue
		}
		if due != d.DueAt || stale != d.StaleAt {
			r.Moved++
		}
		r.Moves = append(r.Moves, store.Replanned{ID: d.ID, JourneyID: d.JourneyID, Step: s.ID,
			Occurrence: k, DueAt: due, StaleAt: stale, Note: replanNote})
	}
	sort.Slice(r.Moves, func(a, b int) bool { return r.Moves[a].ID < r.Moves[b].ID })
	return r, nil
}

// retimeAll re-plans the pending messages of every step whose timing
// changed, and records each campaign's timing now, one transaction per
// campaign.
func (e *Engine) retimeAll(ctx context.Context, c *Content, now time.Time) error {
	changes, err := c.Retimings(ctx, e.store, now)
	if err != nil {
		return err
	}
	for _, cp := range c.Campaigns {
		var mine []Retiming
		for _, r := range changes {
			if r.Campaign == cp.ID {
				mine = append(mine, r)
			}
		}
		if err := e.applyRetimings(ctx, c, cp, mine); err != nil {
			return err
		}
	}
	return nil
}

func (e *Engine) applyRetimings(ctx context.Context, c *Content, cp *campaign.Campaign, rs []Retiming) error {
	key, timings := timingKey(cp), c.timings(cp)
	if len(rs) == 0 {
		if old, err := e.store.Setting(ctx, key); err == nil && old == timings {
			return nil
		}
	}
	for _, r := range rs {
		e.log.Info(r.String(), "campaign", r.Campaign, "step", r.Step, "moved", r.Moved)
	}
	err := e.store.Tx(ctx, func(tx *store.Tx) error {
		for _, r := range rs {
			for _, m := range r.Moves {
				if err := tx.Replan(ctx, m); err != nil {
					return err
				}
			}
		}
		return tx.SetSetting(ctx, key, timings)
	})
	if err != nil {
		return fmt.Errorf("re-plan %s: %w", cp.ID, err)
	}
	return nil
}
