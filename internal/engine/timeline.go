package engine

import (
	"context"
	"fmt"
	"sort"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/store"
)

// Timeline is a contact's whole story, for `rapport preview` and the
// dashboard: every queue row, and the steps Plan did not queue because
// they had already passed when their journey started (skipped, with
// LateNote), in the order they were or will be due. Pending rows show the
// channel they would go by now, or skipped and why (see Show); two orders
// on one day show their shared moments once. The rows the dispatcher
// passes over until the rep handles a reply are marked Paused.
func (c *Content) Timeline(ctx context.Context, st *store.Store, ct *store.Contact) ([]store.Due, error) {
	rows, err := st.ContactTimeline(ctx, ct.ID, c.Holds())
	if err != nil {
		return nil, fmt.Errorf("timeline of contact %d: %w", ct.ID, err)
	}
	js, err := st.JourneysOf(ctx, ct.ID)
	if err != nil {
		return nil, fmt.Errorf("journeys of contact %d: %w", ct.ID, err)
	}
	queued := map[int64]map[string]bool{}
	for _, r := range rows {
		if queued[r.JourneyID] == nil {
			queued[r.JourneyID] = map[string]bool{}
		}
		queued[r.JourneyID][r.Step] = true
	}
	n := len(rows)
	for _, j := range js {
		passed, err := c.passedRows(ctx, st, ct, j, queued[j.ID])
		if err != nil {
			return nil, err
		}
		rows = append(rows, passed...)
	}
	if len(rows) > n {
		sort.SliceStable(rows, func(a, b int) bool { return when(&rows[a]) < when(&rows[b]) })
	}
	for i := range rows {
		c.Show(&rows[i])
		if err := c.predictText(&rows[i]); err != nil {
			return nil, err
		}
	}
	return dedupeDue(rows), nil
}

// predictText sets when a pending text will really go, and why, when the
// hours texts may go out (the rep's and the customer's state's) hold it.
func (c *Content) predictText(d *store.Due) error {
	if d.State != store.Pending || d.Channel != channel.SMS {
		return nil
	}
	due := time.Unix(d.DueAt, 0)
	goes, held, err := c.TextGoes(&d.Contact, due, c.Zone(&d.Contact))
	if err != nil || held == "" {
		return err
	}
	d.Goes, d.HeldBy = goes.Unix(), held
	return nil
}

// passedRows are journey j's steps that were past when it was planned and
// have no queue row.
func (c *Content) passedRows(ctx context.Context, st *store.Store, ct *store.Contact, j store.Journey, queued map[string]bool) ([]store.Due, error) {
	cp := c.Campaign(j.Campaign)
	if cp == nil {
		return nil, nil
	}
	loc, planned := c.Zone(ct), time.Unix(j.CreatedAt, 0)
	var out []store.Due
	for i := range cp.Steps {
		s := &cp.Steps[i]
		if queued[s.ID] || !c.passed(s, &j, loc, planned) {
			continue
		}
		d := store.Due{Contact: *ct, Journey: j, Message: c.row(cp, s, &j, loc, 0, planned)}
		d.State, d.Note = store.Skipped, LateNote
		out = append(out, d)
	}
	if len(out) > 0 && j.OrderID != 0 {
		o, err := st.Order(ctx, j.OrderID) // the templates may quote it
		if err != nil {
			return nil, fmt.Errorf("order of journey %d: %w", j.ID, err)
		}
		for i := range out {
			out[i].Order = *o
		}
	}
	return out, nil
}

// when is the moment a timeline row stands at: when it went, or when it
// is due.
func when(d *store.Due) int64 {
	if d.SentAt != 0 {
		return d.SentAt
	}
	return d.DueAt
}
