package engine

import (
	"context"
	"errors"
	"fmt"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/store"
)

// wire is the message being sent while the dispatcher moves on. The
// transport sends one message at a time on a goroutine of its own, and
// meanwhile the dispatcher decides, renders and claims the next row and
// records how the previous message went: without that, this work added to
// the time each message spent waiting for the mail server, and sending
// ran at two thirds of the rate of a plain SMTP loop.
//
// Only the transport's Send runs on the other goroutine. Every write and
// every event stays on the dispatcher's, in the order the messages went
// out, and each claim is committed before its send as before: a crash
// leaves at most three rows in 'sending', which Recover settles.
//
// A message that went is recorded in the same commit as the next claim
// (landed): one durable commit per message instead of two. Each costs the
// disk a flush, and on a small server those flushes took as much CPU as
// rendering the message. The cost is a slightly longer window in which a
// crash leaves a sent email in 'sending' (Recover sends it again, with the
// same Message-ID); texts are verified with Twilio first, as always.
type wire struct {
	f      *flight
	landed *flight // sent, not yet recorded: goes with the next claim
}

// flight is one message on the wire.
type flight struct {
	j    *job
	msg  *channel.Message
	done chan struct{} // closed when Send has returned
	id   string
	err  error
}

// busyWith reports whether the message on the wire, or one sent but not
// yet recorded, goes to the contact.
func (w *wire) busyWith(contactID int64) bool {
	return w.f != nil && w.f.j.d.ContactID == contactID ||
		w.landed != nil && w.landed.j.d.ContactID == contactID
}

// takeOff waits for the message on the wire to be sent, starts sending
// next, and records the previous message's outcome while next is under way.
func (w *wire) takeOff(ctx context.Context, e *Engine, c *Content, next *flight) error {
	prev := w.f
	if prev != nil {
		<-prev.done
	}
	next.done = make(chan struct{})
	w.f = next
	sender := e.sender(next.msg.Channel)
	go func() {
		defer close(next.done)
		next.id, next.err = sender.Send(ctx, next.msg)
	}()
	if prev == nil {
		return nil
	}
	if prev.err == nil {
		w.landed = prev // recorded with the next claim, or by land
		return nil
	}
	return e.record(ctx, c, prev.j, prev.msg, prev.id, prev.err)
}

// claim commits the claim of j's row, with the sent message waiting to be
// recorded, if any, and reports whether the row was still pending.
//
// The transaction is not cancelled with ctx: it is a few local writes, and
// on a context that can be cancelled the SQLite driver runs every
// statement on a goroutine of its own, to interrupt it. A message's claim
// and the record of the one before it are committed, or not, as a whole
// either way; the dispatcher stops between rows.
func (w *wire) claim(ctx context.Context, e *Engine, c *Content, j *job) (bool, error) {
	var claimed bool
	landed := w.landed
	txCtx := context.WithoutCancel(ctx)
	err := e.store.Tx(txCtx, func(tx *store.Tx) error {
		if landed != nil {
			if err := e.markSent(txCtx, tx, c, landed.j, landed.id); err != nil {
				return err
			}
		}
		if j.d.MessageID == "" { // a retry keeps the first claim's (Claim)
			j.d.MessageID = c.messageID(j.now)
		}
		var err error
		claimed, err = tx.Claim(txCtx, &j.d.Message, j.now.Unix())
		return err
	})
	if err != nil {
		return false, fmt.Errorf("claim message %d: %w", j.d.ID, err)
	}
	if landed != nil {
		w.landed = nil
		e.announceSent(landed.j, landed.msg, landed.id)
	}
	return claimed, nil
}

// land waits for the message on the wire, if any, and records its
// outcome, and that of the message waiting to be recorded.
func (w *wire) land(ctx context.Context, e *Engine, c *Content) error {
	var errs []error
	if l := w.landed; l != nil {
		w.landed = nil
		errs = append(errs, e.record(ctx, c, l.j, l.msg, l.id, nil))
	}
	if f := w.f; f != nil {
		w.f = nil
		<-f.done
		errs = append(errs, e.record(ctx, c, f.j, f.msg, f.id, f.err))
	}
	return errors.Join(errs...)
}
