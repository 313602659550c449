package dashboard

import (
	"context"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/rapportapp/rapport/internal/store"
)

type countView struct {
	State string
	N     int
}

type failureView struct {
	store.Failure
	Due string
}

type noticeView struct {
	Kind, Text, At string
}

type statusPage struct {
	Queue    []countView
	QueueAt  string // when the counts were taken, HH:MM:SS in the rep's zone
	Every    int    // seconds the counts are reused for
	NextDue  string // "" when nothing is queued
	LastPoll string // "" when the mailbox has never been polled
	Failures []failureView
	Notices  []noticeView
}

// queueOrder is how a message moves through the queue.
var queueOrder = []string{store.Pending, store.Sending, store.Sent, store.Skipped, store.Failed, store.Cancelled}

func (d *Dashboard) status(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx := r.Context()
	st := d.cfg.Store
	counts, at, err := d.counts.get(ctx, d.cfg.Clock(), st.QueueCounts)
	if err != nil {
		return fmt.Errorf("queue counts: %w", err)
	}
	var p statusPage
	p.Queue = orderedCounts(counts)
	p.QueueAt, p.Every = at.In(d.cfg.RepZone).Format("15:04:05"), int(countsEvery/time.Second)
	next, err := st.NextDue(ctx)
	if err != nil {
		return fmt.Errorf("next due: %w", err)
	}
	if next != 0 {
		p.NextDue = d.repTime(next)
	}
	fails, err := st.RecentFailures(ctx, 20)
	if err != nil {
		return fmt.Errorf("recent failures: %w", err)
	}
	for _, f := range fails {
		p.Failures = append(p.Failures, failureView{Failure: f, Due: d.repTime(f.DueAt)})
	}
	notices, err := st.OpenNotices(ctx)
	if err != nil {
		return fmt.Errorf("open notices: %w", err)
	}
	for _, n := range notices {
		p.Notices = append(p.Notices, noticeView{Kind: n.Kind, Text: n.Text, At: d.repTime(n.CreatedAt)})
	}
	// Written by the reply poller as "RFC3339 status"; absent until it runs.
	if v, err := st.Setting(ctx, "imap:last_poll"); err == nil {
		p.LastPoll = d.pollText(v)
	}
	d.render(w, http.StatusOK, "status", s, p)
	return nil
}

// countsEvery is how long the Status page reuses its queue counts. Counting
// reads every queue row (a long job with 100,000 customers) and the
// dispatcher changes the queue only every 15 seconds, so a reload within
// that window would pay for the same numbers again.
const countsEvery = 15 * time.Second

// countCache holds the last queue counts and when they were taken.
type countCache struct {
	mu     sync.Mutex
	at     time.Time
	counts map[string]int
}

// get returns the cached counts, or counts afresh with count once they
// are countsEvery old. The lock is held while counting: requests that
// come meanwhile wait for that count rather than start their own.
func (c *countCache) get(ctx context.Context, now time.Time, count func(context.Context) (map[string]int, error)) (map[string]int, time.Time, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts != nil && now.Sub(c.at) < countsEvery && !now.Before(c.at) {
		return c.counts, c.at, nil
	}
	m, err := count(ctx)
	if err != nil {
		return nil, time.Time{}, err
	}
	c.counts, c.at = m, now
	return m, now, nil
}

// pollText shows "2026-03-05T18:00:00Z ok" in the rep's zone.
func (d *Dashboard) pollText(v string) string {
	at, result, _ := strings.Cut(v, " ")
	t, err := time.Parse(time.RFC3339, at)
	if err != nil {
		return v
	}
	return d.repTime(t.Unix()) + ": " + result
}

// orderedCounts lists the known states in queue order, then any others.
func orderedCounts(m map[string]int) []countView {
	var out []countView
	seen := map[string]bool{}
	for _, s := range queueOrder {
		out = append(out, countView{s, m[s]})
		seen[s] = true
	}
	var rest []string
	for s := range m {
		if !seen[s] {
			rest = append(rest, s)
		}
	}
	sort.Strings(rest)
	for _, s := range rest {
		out = append(out, countView{s, m[s]})
	}
	return out
}
