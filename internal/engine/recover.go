package engine

import (
	"context"
	"fmt"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/store"
)

// Recover settles rows a crash left in 'sending': the message may or may
// not have gone. Transports that can tell (the outbox by its file, Twilio
// by listing what was sent to the number since the claim) are asked, so a
// text never goes twice; an email without such a check is sent again with
// the same Message-ID, which mail clients fold into one. Rows the transport
// cannot answer for yet stay in 'sending' for the next pass.
//
// Only one dispatcher runs per database (the daemon holds a lock), so any
// row in 'sending' when no send is under way is a leftover.
func (e *Engine) Recover(ctx context.Context) error {
	rows, err := e.store.InFlight(ctx)
	if err != nil {
		return fmt.Errorf("find interrupted sends: %w", err)
	}
	c := e.Content()
	for i := range rows {
		if err := e.recoverOne(ctx, c, &rows[i]); err != nil {
			e.log.Warn("could not settle an interrupted send yet", "message", rows[i].ID, "err", err)
		}
	}
	return nil
}

func (e *Engine) recoverOne(ctx context.Context, c *Content, d *store.Due) error {
	now := e.clock.Now()
	if d.Channel == channel.Task {
		return e.store.Tx(ctx, func(tx *store.Tx) error { return tx.Retry(ctx, d.ID, now.Unix(), "") })
	}
	if v, ok := e.sender(d.Channel).(channel.Verifier); ok {
		msg, err := e.rebuild(ctx, c, d)
		if err != nil {
			return err
		}
		msg.ClaimedAt = timeOf(d.ClaimedAt)
		id, sent, err := v.Verify(ctx, msg)
		if err != nil {
			return fmt.Errorf("ask the %s transport whether message %d went: %w", d.Channel, d.ID, err)
		}
		if sent {
			e.log.Info("interrupted send had gone out; recorded", "message", d.ID, "provider_id", id)
			j := &job{d: d, cp: c.Campaign(d.Campaign), loc: c.Zone(&d.Contact), now: now}
			if j.cp != nil {
				if s, ok := j.cp.Step(d.Step); ok {
					j.step = s
					return e.sent(ctx, c, j, msg, id)
				}
			}
			return e.store.Tx(ctx, func(tx *store.Tx) error { return tx.MarkSent(ctx, d.ID, id, now.Unix()) })
		}
	}
	e.log.Info("interrupted send will be retried", "message", d.ID, "channel", d.Channel)
	return e.store.Tx(ctx, func(tx *store.Tx) error {
		return tx.Retry(ctx, d.ID, now.Unix(), "interrupted; sending again")
	})
}
