package engine

import (
	"context"

	"github.com/rapportapp/rapport/internal/channel"
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
// leaves at most two rows in 'sending', which Recover settles.
type wire struct {
	f *flight
}

// flight is one message on the wire.
type flight struct {
	j    *job
	msg  *channel.Message
	done chan struct{} // closed when Send has returned
	id   string
	err  error
}

// busyWith reports whether the message on the wire goes to the contact.
func (w *wire) busyWith(contactID int64) bool {
	return w.f != nil && w.f.j.d.ContactID == contactID
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
	return e.record(ctx, c, prev.j, prev.msg, prev.id, prev.err)
}

// land waits for the message on the wire, if any, and records its outcome.
func (w *wire) land(ctx context.Context, e *Engine, c *Content) error {
	f := w.f
	if f == nil {
		return nil
	}
	w.f = nil
	<-f.done
	return e.record(ctx, c, f.j, f.msg, f.id, f.err)
}
