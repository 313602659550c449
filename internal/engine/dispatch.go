package engine

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/rapportapp/rapport/internal/campaign"
	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/tmpl"
)

// job is one due row with what dispatching it needs.
type job struct {
	d    *store.Due
	days *dayBook // the batch's reading of its contacts' day, or nil
	cp   *campaign.Campaign
	step *campaign.Step
	loc  *time.Location
	now  time.Time
}

// dispatchDue dispatches every due row, batch by batch, with one wire:
// the messages of a batch are still going out while the next is read.
func (e *Engine) dispatchDue(stop, ctx context.Context) error {
	w := e.newWire(stop, ctx)
	for i := 0; i < maxBatches && stop.Err() == nil; i++ {
		n, err := e.dispatchBatch(stop, ctx, w)
		if err != nil || n < e.BatchSize {
			return errors.Join(err, w.close())
		}
	}
	return w.close() // the send under way finishes and is recorded
}

// dispatchBatch handles one batch of due rows and returns how many it took.
func (e *Engine) dispatchBatch(stop, ctx context.Context, w *wire) (int, error) {
	c, now := e.Content(), e.clock.Now()
	due, err := e.store.DueMessages(ctx, now.Unix(), e.BatchSize, store.DueFilter{
		Pausing: c.Pausing(), Marketing: c.Marketing(), Held: e.heldChannels(),
	})
	if err != nil {
		return 0, err
	}
	order(due)
	days, err := e.readDays(ctx, c, due, now)
	if err != nil {
		return 0, err
	}
	w.c = c
	for i := range due {
		if stop.Err() != nil {
			w.drop() // not claimed: the next pass takes them
			return 0, nil
		}
		if err := e.dispatchRow(ctx, c, &due[i], days, w); err != nil {
			w.drop()
			return 0, err
		}
	}
	return len(due), w.flush() // claimed before the next batch is read, or it would find them again
}

// dispatchRow dispatches one row while the previous message may still be
// on the wire. The rules for a customer (one message a day, the text cap,
// a bounced address) must see how a message to them went, so a row of the
// same customer waits for it.
func (e *Engine) dispatchRow(ctx context.Context, c *Content, d *store.Due, days *dayBook, w *wire) error {
	if w.busyWith(d.ContactID) {
		if err := w.land(); err != nil {
			return err
		}
	}
	defer days.done(d.ContactID)
	return e.dispatch(ctx, c, d, e.clock.Now(), days, w)
}

// Pausing lists the campaigns that pause on reply (pause_on_reply). The
// store's "paused" rule takes it: the dispatcher passes over those
// campaigns' rows while the customer has a reply waiting, and timelines
// mark the same rows "paused".
func (c *Content) Pausing() []string {
	var out []string
	for _, cp := range c.Campaigns {
		if cp.PauseOnReply {
			out = append(out, cp.ID)
		}
	}
	return out
}

// Marketing lists the marketing steps (tips, check-ins) as
// "campaign/step": the store's "paused" rule holds them while the
// customer has an open case; service steps still go.
func (c *Content) Marketing() []string {
	var out []string
	for _, cp := range c.Campaigns {
		for _, st := range cp.Steps {
			if st.Purpose == campaign.PurposeMarketing {
				out = append(out, cp.ID+"/"+st.ID)
			}
		}
	}
	return out
}

// Holds is what the store's "paused" rule is given.
func (c *Content) Holds() store.Holds {
	return store.Holds{Pausing: c.Pausing(), Marketing: c.Marketing()}
}

// order sorts a batch contact by contact (in the order of each contact's
// earliest due row). Per contact, tasks come first (they are for the rep
// and never crowd out a message), then the newest journey's rows: a later
// order's policy sheet wins the day over an earlier order's tip.
func order(due []store.Due) {
	first := map[int64]int64{}
	for _, d := range due {
		if t, ok := first[d.ContactID]; !ok || d.DueAt < t {
			first[d.ContactID] = d.DueAt
		}
	}
	sort.SliceStable(due, func(a, b int) bool {
		x, y := &due[a], &due[b]
		if x.ContactID != y.ContactID {
			fx, fy := first[x.ContactID], first[y.ContactID]
			return fx < fy || (fx == fy && x.ContactID < y.ContactID)
		}
		if (x.Channel == channel.Task) != (y.Channel == channel.Task) {
			return x.Channel == channel.Task
		}
		if x.Journey.TriggerAt != y.Journey.TriggerAt {
			return x.Journey.TriggerAt > y.Journey.TriggerAt
		}
		return x.DueAt < y.DueAt
	})
}

// dispatch decides what to do with one due row and does it; a message
// to send goes on the wire.
func (e *Engine) dispatch(ctx context.Context, c *Content, d *store.Due, now time.Time, days *dayBook, w *wire) error {
	if d.Kind == store.KindRep {
		return e.dispatchAnswer(ctx, c, d, now, w)
	}
	cp := c.Campaign(d.Campaign)
	if cp == nil {
		return e.finish(ctx, d, store.Cancelled, "campaign "+d.Campaign+" no longer exists", "")
	}
	step, ok := cp.Step(d.Step)
	if !ok {
		return e.finish(ctx, d, store.Cancelled, "step removed from the campaign", "")
	}
	j := &job{d: d, days: days, cp: cp, step: step, loc: c.Zone(&d.Contact), now: now}
	if d.StaleAt != 0 && now.Unix() > d.StaleAt {
		return e.skip(ctx, c, j, store.NoticeStale, staleNote(j))
	}
	if step.Channel == channel.Task {
		return e.task(ctx, c, j)
	}
	ch, why := Reach(step, &d.Contact)
	if ch == "" {
		return e.skip(ctx, c, j, "", why)
	}
	if later, why, err := e.notYet(ctx, c, j, ch); err != nil || !later.IsZero() {
		if err != nil {
			return err
		}
		return e.deferTo(ctx, j, later, why)
	}
	return e.send(ctx, c, j, ch, w)
}

func staleNote(j *job) string {
	return fmt.Sprintf("not sent: its moment passed (%s was due %s and may not go after %s)",
		j.step.ID, localTime(j.d.DueAt, j.loc), localTime(j.d.StaleAt, j.loc))
}

func localTime(unix int64, loc *time.Location) string {
	return time.Unix(unix, 0).In(loc).Format("Mon 2 Jan 15:04 MST")
}

// notYet returns a later time when the row may not go now: one message a
// day per contact, for texts the allowed hours, and the channel's daily cap.
func (e *Engine) notYet(ctx context.Context, c *Content, j *job, ch string) (time.Time, string, error) {
	why, err := e.busyDay(ctx, c, j)
	if err != nil {
		return time.Time{}, "", err
	}
	if why != "" {
		return nextDay(c, j), why, nil
	}
	if ch == channel.SMS {
		return e.textWindow(ctx, c, j)
	}
	return e.dailyCap(ctx, c, j, ch)
}

func (e *Engine) deferTo(ctx context.Context, j *job, t time.Time, why string) error {
	err := e.store.Tx(ctx, func(tx *store.Tx) error {
		return tx.Defer(ctx, j.d.ID, t.Unix(), "moved to "+localTime(t.Unix(), j.loc)+": "+why)
	})
	e.emit(Event{At: j.now, Kind: "deferred", Contact: j.d.Contact.Label(), Channel: j.d.Channel,
		Campaign: j.d.Campaign, Step: j.d.Step, Note: why + ", moved to " + localTime(t.Unix(), j.loc)})
	return err
}

// finish ends a row without sending it.
func (e *Engine) finish(ctx context.Context, d *store.Due, state, note, errText string) error {
	return e.store.Tx(ctx, func(tx *store.Tx) error {
		return tx.Finish(ctx, d.ID, state, note, errText)
	})
}

// skip ends a row as skipped, tells the rep when kind is set, and queues
// the next occurrence of a repeating step.
func (e *Engine) skip(ctx context.Context, c *Content, j *job, kind, note string) error {
	err := e.store.Tx(ctx, func(tx *store.Tx) error {
		if err := tx.Finish(ctx, j.d.ID, store.Skipped, note, ""); err != nil {
			return err
		}
		if kind != "" {
			text := fmt.Sprintf("%s — %s: %s", j.d.Contact.Label(), rowName(j.d), note)
			if err := tx.AddNotice(ctx, kind, j.d.ContactID, j.d.ID, text, j.now.Unix()); err != nil {
				return err
			}
		}
		return e.queueNext(ctx, tx, c, j)
	})
	e.emit(Event{At: j.now, Kind: "skipped", Contact: j.d.Contact.Label(), Channel: j.d.Channel,
		Campaign: j.d.Campaign, Step: j.d.Step, Note: note})
	return err
}

// queueNext queues the next occurrence of a repeating step, in the same
// transaction that finishes the current one.
func (e *Engine) queueNext(ctx context.Context, tx *store.Tx, c *Content, j *job) error {
	if j.step == nil || j.step.Every == nil { // nil: the rep's own message
		return nil
	}
	k := c.nextOccurrence(j.step, &j.d.Journey, j.loc, j.d.Occurrence, j.now)
	_, err := tx.AddMessages(ctx, []store.Message{c.row(j.cp, j.step, &j.d.Journey, j.loc, k, j.now)})
	return err
}

// task hands a task step to the rep: it is recorded as done and lands in
// the digest and `rapport status`.
func (e *Engine) task(ctx context.Context, c *Content, j *job) error {
	r, err := c.Templates.Render(j.step.Template, channel.Task, 0, e.data(c, j.d))
	if err != nil {
		return e.fail(ctx, c, j, fmt.Errorf("render task: %w", err))
	}
	err = e.store.Tx(ctx, func(tx *store.Tx) error {
		m := &j.d.Message
		m.Channel, m.Subject, m.SeriesIndex = channel.Task, r.Subject, -1
		if ok, err := tx.Claim(ctx, m, j.now.Unix()); err != nil || !ok {
			return err
		}
		if err := tx.MarkSent(ctx, m.ID, "", j.now.Unix()); err != nil {
			return err
		}
		if err := tx.AddNotice(ctx, store.NoticeTask, j.d.ContactID, m.ID, r.Text, j.now.Unix()); err != nil {
			return err
		}
		return e.queueNext(ctx, tx, c, j)
	})
	e.emit(Event{At: j.now, Kind: "task", Contact: j.d.Contact.Label(), Channel: channel.Task,
		Campaign: j.d.Campaign, Step: j.d.Step, Summary: r.Subject})
	return err
}

// send renders one message and puts it on the wire, which claims it
// (committed), sends it and records how it went.
func (e *Engine) send(ctx context.Context, c *Content, j *job, ch string, w *wire) error {
	msg, err := e.render(ctx, c, j, ch)
	if errors.Is(err, tmpl.ErrSeriesEnded) {
		return e.skip(ctx, c, j, store.NoticeSeriesEnded,
			fmt.Sprintf("not sent: every entry of the %q series has gone to this customer — add more files to templates/%s/", j.step.Template, j.step.Template))
	}
	if err != nil {
		return e.fail(ctx, c, j, err)
	}
	return w.add(j, msg)
}
