package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/store"
)

// claimGroup is the most emails claimed in one commit.
//
// Each commit costs the disk a flush, SQLite its WAL frames and file
// locks, and the Go runtime thread hand-offs while cgo waits on the disk:
// committing every claim on its own was a third of the daemon's CPU per
// email on a small server, and groups of sixteen cost a sixth less CPU
// than groups of four. A claimed email that has not gone is no risk: after
// a crash it goes once, under the Message-ID of its claim. The risk is an
// email that went and is not yet recorded: a kill -9 then has it sent
// again after the restart, with the same Message-ID (mail clients fold the
// copies). A message that went is recorded with the next commit, and while
// the dispatcher waits for the wire within recordWithin, so the size of
// the group does not set that window: the crash harness counts as many
// duplicates with groups of sixteen as with groups of four.
const claimGroup = 16

// wire is the messages being sent while the dispatcher moves on. A
// goroutine of its own sends them one at a time, in the order they were
// claimed; meanwhile the dispatcher decides and renders the next rows,
// claims them, and records how the earlier ones went. Without that, this
// work added to the time each message spent waiting for the mail server,
// and sending ran at two thirds of the rate of a plain SMTP loop.
//
// Only the transport's Send runs on the other goroutine. Every write and
// every event stays on the dispatcher's, in the order the messages went
// out. Every claim is committed before its send; a message that went is
// recorded in the next commit, with the next group's claims (one flush
// for a group of messages instead of one per message). A crash leaves the
// rows claimed and not yet recorded in 'sending', sent or not: Recover
// sends such an email again with the same Message-ID, and asks Twilio
// about a text first, as always.
//
// When the dispatcher is told to stop, only the send under way finishes:
// the messages claimed behind it go back to pending (Release).
//
// Rendered emails wait in ready until claimGroup of them are there, or
// the sender has nothing left to send. Texts, and emails under a daily
// cap, are claimed one by one: a text's allowed hours and a cap's count
// were checked just before its claim, and must still hold when it goes.
type wire struct {
	e    *Engine
	c    *Content
	stop context.Context // once done, claimed messages not yet sent stay unsent
	ctx  context.Context

	ready    []*flight     // rendered, not yet claimed
	out      []*flight     // claimed, in claim order, not yet taken back
	queue    chan *flight  // claimed, for the sending goroutine
	back     []*flight     // sent or failed, in that order, not yet recorded
	contacts map[int64]int // flights per contact, from ready to recorded
}

// maxOut bounds the messages claimed and not yet taken back: the queue
// holds that many, so the dispatcher never waits on a full channel.
const maxOut = 2 * claimGroup

// flight is one message on its way.
type flight struct {
	j    *job
	msg  *channel.Message
	done chan struct{} // closed when Send has returned, with id and err
	id   string
	err  error
}

// newWire makes a wire for one pass; each batch sets its content.
func (e *Engine) newWire(stop, ctx context.Context) *wire {
	return &wire{e: e, stop: stop, ctx: ctx, contacts: map[int64]int{}}
}

// errNotSent marks a claimed message the sending goroutine did not send
// because the dispatcher was told to stop: only the send under way
// finishes, however many are claimed behind it.
var errNotSent = errors.New("not sent: stopping")

// busyWith reports whether a message to the contact is on its way and
// not yet recorded.
func (w *wire) busyWith(contactID int64) bool { return w.contacts[contactID] > 0 }

// add takes a rendered message. It is claimed now, or with the next ones
// of its group.
func (w *wire) add(j *job, msg *channel.Message) error {
	w.ready = append(w.ready, &flight{j: j, msg: msg})
	w.contacts[j.d.ContactID]++
	w.collect()
	if len(w.ready) < claimGroup && len(w.out) > 0 && w.groups(msg.Channel) {
		return nil
	}
	return w.flush()
}

// groups reports whether messages on ch may wait to be claimed together.
func (w *wire) groups(ch string) bool {
	return ch == channel.Email && w.c.capFor(ch).limit == 0
}

// flush claims the ready messages, in one commit with the record of those
// that went, and hands them to the sending goroutine.
func (w *wire) flush() error {
	if len(w.ready) == 0 {
		return nil
	}
	claims := w.ready
	w.ready = nil
	if n := len(w.out) + len(claims) - maxOut; n > 0 {
		if err := w.wait(n); err != nil {
			for _, f := range claims {
				w.forget(f)
			}
			return err
		}
	}
	back := w.back
	claimed, err := w.commit(back, claims)
	if err != nil {
		for _, f := range claims {
			w.forget(f)
		}
		return err // back waits for the next commit
	}
	w.back = nil
	for i, f := range claims {
		if !claimed[i] { // no longer pending: cancelled or taken meanwhile
			w.forget(f)
			continue
		}
		f.msg.ClaimedAt, f.msg.MessageID = f.j.now, f.j.d.MessageID // given by the claim
		f.done = make(chan struct{})
		w.start()
		w.out = append(w.out, f)
		w.queue <- f
	}
	return w.settle(back)
}

// commit records the messages of back that went as sent, puts back those
// not sent because of a stop, and claims the rows of claims, in one
// transaction, and reports which rows were still pending.
//
// The transaction is not cancelled with ctx: it is a few local writes, and
// on a context that can be cancelled the SQLite driver runs every
// statement on a goroutine of its own, to interrupt it. The claims and the
// records are committed, or not, as a whole either way; the dispatcher
// stops between rows.
func (w *wire) commit(back, claims []*flight) ([]bool, error) {
	claimed := make([]bool, len(claims))
	if !slices.ContainsFunc(back, committed) && len(claims) == 0 {
		return claimed, nil
	}
	ctx := context.WithoutCancel(w.ctx)
	return claimed, w.e.store.Tx(ctx, func(tx *store.Tx) error {
		for _, f := range back {
			var err error
			switch {
			case went(f):
				err = w.e.markSent(ctx, tx, w.c, f.j, f.id)
			case notSent(f):
				err = tx.Release(ctx, f.j.d.ID)
			}
			if err != nil {
				return err
			}
		}
		for i, f := range claims {
			j := f.j
			if j.d.MessageID == "" { // a retry keeps the first claim's (Claim)
				j.d.MessageID = w.c.messageID(j.now)
			}
			var err error
			if claimed[i], err = tx.Claim(ctx, &j.d.Message, j.now.Unix()); err != nil {
				return err
			}
		}
		return nil
	})
}

func went(f *flight) bool { return f.err == nil }

func notSent(f *flight) bool { return errors.Is(f.err, errNotSent) }

// committed reports whether what became of f is written by commit.
func committed(f *flight) bool { return went(f) || notSent(f) }

// settle tells of the messages of back, in the order they were sent, once
// those that went are recorded: each sent one is logged, each failure is
// recorded in a transaction of its own (it may hold a channel, mark an
// address, or try again later).
func (w *wire) settle(back []*flight) error {
	var errs []error
	for _, f := range back {
		switch {
		case went(f):
			w.e.announceSent(f.j, f.msg, f.id)
		case notSent(f): // back in the queue (commit)
		default:
			errs = append(errs, w.e.record(w.ctx, w.c, f.j, f.msg, f.id, f.err))
		}
		w.forget(f)
	}
	return errors.Join(errs...)
}

// start starts the sending goroutine, once.
func (w *wire) start() {
	if w.queue != nil {
		return
	}
	w.queue = make(chan *flight, maxOut)
	go func(queue <-chan *flight) {
		for f := range queue {
			if w.stop.Err() != nil {
				f.err = errNotSent
			} else {
				f.id, f.err = w.e.sender(f.msg.Channel).Send(w.ctx, f.msg)
			}
			close(f.done)
		}
	}(w.queue)
}

// recordWithin is how long a message that went may wait for its record
// while the dispatcher waits for the wire. Sending at full speed, a
// group comes back sooner and is recorded with the next claims; from a
// slow or rate-limited mail server, messages come back one by one, and
// each is recorded within this much of its send instead of waiting for
// the group, so a crash has only that much sent and unrecorded to send
// again. (A wait's timeout: no schedule reads it.)
const recordWithin = 20 * time.Millisecond

// wait waits until the first n messages out are back, and takes them;
// meanwhile, what comes back is recorded every recordWithin. The wait
// ends only when they are back, even if a record fails (that error is
// returned): a message must not be on its way when the pass ends.
func (w *wire) wait(n int) error {
	room := w.out[n-1].done // sent in claim order: the ones before are back too
	t := time.NewTimer(recordWithin)
	defer t.Stop()
	var err error
	for {
		select {
		case <-room:
			w.collect()
			return err
		case <-t.C:
			w.collect()
			if err = w.record(); err == nil {
				t.Reset(recordWithin)
			}
		}
	}
}

// record records what came back, in a commit of its own. On an error the
// messages wait for the next commit.
func (w *wire) record() error {
	back := w.back
	if _, err := w.commit(back, nil); err != nil {
		return fmt.Errorf("record sent messages: %w", err)
	}
	w.back = nil
	return w.settle(back)
}

// collect takes back the messages the transport is done with.
func (w *wire) collect() {
	for len(w.out) > 0 {
		select {
		case <-w.out[0].done:
		default:
			return
		}
		w.back = append(w.back, w.out[0])
		w.out[0] = nil
		w.out = w.out[1:]
	}
}

// forget drops a flight from the contacts on their way.
func (w *wire) forget(f *flight) {
	id := f.j.d.ContactID
	if w.contacts[id]--; w.contacts[id] <= 0 {
		delete(w.contacts, id)
	}
}

// drop forgets the ready messages without claiming them: they stay
// pending, for the next pass.
func (w *wire) drop() {
	for _, f := range w.ready {
		w.forget(f)
	}
	w.ready = nil
}

// land claims and sends the ready messages, waits for every message on
// its way, and records how each went.
func (w *wire) land() error {
	errs := []error{w.flush()}
	if len(w.out) > 0 {
		errs = append(errs, w.wait(len(w.out)))
	}
	if err := w.record(); err != nil {
		for _, f := range w.back {
			w.forget(f) // left in 'sending': Recover settles them
		}
		w.back = nil
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// close lands everything and ends the sending goroutine.
func (w *wire) close() error {
	err := w.land()
	if w.queue != nil {
		close(w.queue) // nothing is out: the goroutine ends at once
		w.queue = nil
	}
	return err
}
