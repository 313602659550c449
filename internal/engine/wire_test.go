package engine_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/store"
)

// claimWatch is the outbox transport, checking at every send that the
// message's row is claimed already, committed (the store's reads use
// connections of their own) and with the message's Message-ID, and noting
// how many rows were in 'sending' at the time. A send it is told to hold
// waits until released.
type claimWatch struct {
	h    *harness
	next channel.Sender

	delay time.Duration // each send takes this long: a slow mail server

	mu       sync.Mutex
	sends    int
	sent     []*channel.Message // in the order they went
	most     int                // rows in 'sending' at one send, at most
	problems []string
	hold     map[int]chan struct{} // by send, from 1
}

func newClaimWatch(h *harness) *claimWatch {
	return &claimWatch{h: h, next: h.senders[channel.Email], hold: map[int]chan struct{}{}}
}

// holdSend makes the nth send wait for the returned channel to close.
func (w *claimWatch) holdSend(n int) chan struct{} {
	c := make(chan struct{})
	w.hold[n] = c
	return c
}

// begun reports how many sends have begun.
func (w *claimWatch) begun() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.sends
}

func (w *claimWatch) Send(ctx context.Context, m *channel.Message) (string, error) {
	w.mu.Lock()
	w.sends++
	hold := w.hold[w.sends]
	w.mu.Unlock()
	if hold != nil {
		<-hold
	}
	w.check(ctx, m)
	time.Sleep(w.delay)
	w.mu.Lock()
	w.sent = append(w.sent, m)
	w.mu.Unlock()
	return w.next.Send(ctx, m)
}

// recorded reports whether message m is recorded as sent.
func (w *claimWatch) recorded(m *channel.Message) bool {
	rows, err := w.h.st.ContactTimeline(w.h.ctx, m.ContactID, w.h.eng.Content().Holds())
	for _, r := range rows {
		if r.ID == m.ID {
			return err == nil && r.State == store.Sent
		}
	}
	return false
}

func (w *claimWatch) check(ctx context.Context, m *channel.Message) {
	rows, err := w.h.st.InFlight(ctx)
	w.mu.Lock()
	defer w.mu.Unlock()
	w.most = max(w.most, len(rows))
	if err != nil {
		w.problems = append(w.problems, err.Error())
		return
	}
	for _, r := range rows {
		if r.ID == m.ID {
			if r.MessageID != m.MessageID {
				w.problems = append(w.problems, fmt.Sprintf("message %d sent as %s, claimed as %s", m.ID, m.MessageID, r.MessageID))
			}
			return
		}
	}
	w.problems = append(w.problems, fmt.Sprintf("message %d sent before its claim was committed", m.ID))
}

// inFlight is how many rows are in 'sending' now.
func (h *harness) inFlight() int {
	h.t.Helper()
	rows, err := h.st.InFlight(h.ctx)
	if err != nil {
		h.t.Fatal(err)
	}
	return len(rows)
}

// customers adds n customers, each with an order today (the policy sheet
// due at 10:00).
func (h *harness) customers(n int) []*store.Contact {
	h.t.Helper()
	h.clock.Set(local(h.t, "2026-01-01 09:00"))
	out := make([]*store.Contact, n)
	for i := range out {
		out[i] = h.customer(fmt.Sprintf("C%02d", i), fmt.Sprintf("c%02d@example.com", i), "")
		h.order(out[i], "2026-01-01")
	}
	return out
}

// While the first email is on the wire, the next ones are claimed
// together (one commit for several), and every email goes only once its
// claim is committed, under the Message-ID the claim gave it.
func TestEmailsClaimedInGroupsBeforeSend(t *testing.T) {
	h := newHarness(t, sheetAndTips)
	cts := h.customers(20)
	w := newClaimWatch(h)
	release := w.holdSend(1)
	h.use(channel.Email, w)
	go func() {
		defer close(release)
		deadline := time.Now().Add(2 * time.Second)
		for h.inFlightNow() < 3 && time.Now().Before(deadline) {
			time.Sleep(5 * time.Millisecond)
		}
	}()
	h.tickAt(local(t, "2026-01-01 10:00"))

	for _, p := range w.problems {
		t.Error(p)
	}
	if w.most < 3 { // one on the wire, and more than the next one claimed
		t.Errorf("at most %d rows in 'sending' while the first email was held: the next ones were not claimed together", w.most)
	}
	for _, ct := range cts {
		h.only(ct, "sheet", store.Sent)
	}
	if n := len(h.files()); n != len(cts) {
		t.Errorf("%d emails in the outbox, want %d", n, len(cts))
	}
	if n := h.inFlight(); n != 0 {
		t.Errorf("%d rows left in 'sending' after the pass", n)
	}
}

// inFlightNow is inFlight for another goroutine: no failing there.
func (h *harness) inFlightNow() int {
	rows, _ := h.st.InFlight(h.ctx)
	return len(rows)
}

// Stopped in the middle of a batch, the dispatcher finishes the send under
// way and records it; what it had claimed behind it goes back to pending,
// without counting an attempt, with the rest: nothing in 'sending',
// nothing lost, nothing twice.
func TestStopFinishesTheSendUnderWayPutsBackTheRest(t *testing.T) {
	h := newHarness(t, sheetAndTips)
	cts := h.customers(30)
	w := newClaimWatch(h)
	release := w.holdSend(3)
	h.use(channel.Email, w)
	h.clock.Set(local(t, "2026-01-01 10:00"))
	ctx, stop := context.WithCancel(h.ctx)
	done := make(chan error)
	go func() { done <- h.eng.Run(ctx, time.Hour) }()
	deadline := time.Now().Add(5 * time.Second)
	// The third send is held, and more are claimed behind it: at least four
	// in 'sending', with the first two perhaps not yet recorded.
	for (w.begun() < 3 || h.inFlightNow() < 4) && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	if n := h.inFlightNow(); w.begun() != 3 || n < 4 {
		t.Errorf("%d sends begun and %d rows in 'sending' while the third email was held: want 3 begun and more claimed behind it", w.begun(), n)
	}
	stop()
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}

	for _, p := range w.problems {
		t.Error(p)
	}
	sent, pending := 0, 0
	for _, ct := range cts {
		for _, r := range h.rows(ct) {
			switch {
			case r.Step != "sheet":
			case r.State == store.Sent:
				sent++
			case r.State == store.Pending:
				pending++
				if r.Attempts != 0 {
					t.Errorf("message %d put back with %d attempts counted, want 0", r.ID, r.Attempts)
				}
			}
		}
	}
	if sent != 3 || pending != len(cts)-3 {
		t.Errorf("%d sent and %d pending of %d, want the three sends begun before the stop sent and the rest pending", sent, pending, len(cts))
	}
	if n := len(h.files()); n != sent {
		t.Errorf("%d emails in the outbox, %d recorded sent", n, sent)
	}
	if n := h.inFlight(); n != 0 {
		t.Errorf("%d rows left in 'sending' after the stop", n)
	}
}

// A send that fails in the middle of a group is recorded as failed; the
// others of the group are recorded as sent, and the events come in the
// order the messages went.
func TestFailureInGroupRecordedAlone(t *testing.T) {
	h := newHarness(t, sheetAndTips)
	cts := h.customers(12)
	bounce := &channel.Error{Class: channel.Bounced, Code: "550", Msg: "no such user"}
	h.use(channel.Email, &scripted{next: h.senders[channel.Email], errs: []error{nil, nil, nil, bounce}})
	h.tickAt(local(t, "2026-01-01 10:00"))

	for i, ct := range cts {
		if i == 3 {
			if n := h.count(ct, "sheet", store.Sent); n != 0 {
				t.Errorf("the bounced email recorded sent")
			}
			continue
		}
		h.only(ct, "sheet", store.Sent)
	}
	if n := len(h.files()); n != len(cts)-1 {
		t.Errorf("%d emails in the outbox, want %d", n, len(cts)-1)
	}
	bounced := 0
	for _, n := range h.notices() {
		if n.Kind == store.NoticeBounced {
			bounced++
		}
	}
	if bounced != 1 {
		t.Errorf("%d bounce notices, want 1: %+v", bounced, h.notices())
	}
	var outcomes []string
	for _, k := range h.eventKinds() {
		if k == "sent" || k == "failed" {
			outcomes = append(outcomes, k)
		}
	}
	if len(outcomes) < 4 || outcomes[3] != "failed" || slices.Index(outcomes, "failed") != 3 {
		t.Errorf("events %v, want the fourth send's failure fourth", outcomes)
	}
}

// [email] max_per_day holds exactly, with many emails due at once: under
// a cap, emails are claimed one by one, each counted before the next.
func TestDailyEmailCapExactWithManyDue(t *testing.T) {
	h := newHarness(t, sheetAndTips)
	h.content.Rules.MaxEmailPerDay = 5
	cts := h.customers(20)
	h.tickAt(local(t, "2026-01-01 10:00"))

	sent := 0
	for _, ct := range cts {
		sent += h.count(ct, "sheet", store.Sent)
	}
	if sent != 5 {
		t.Errorf("%d emails sent under a cap of 5", sent)
	}
	if n := len(h.files()); n != 5 {
		t.Errorf("%d emails in the outbox under a cap of 5", n)
	}
}

// From a slow mail server, messages come back one at a time; each is
// recorded soon after it went, not once its group is back, so that a
// crash finds few sent and unrecorded: when an email goes, the one two
// sends before it (back a whole send ago) is recorded.
func TestSlowSendsRecordedAsTheyGo(t *testing.T) {
	h := newHarness(t, sheetAndTips)
	cts := h.customers(8)
	w := newClaimWatch(h)
	w.delay = 100 * time.Millisecond
	var late []int64
	check := &recordWatch{claimWatch: w, before: func(sent []*channel.Message) {
		if n := len(sent); n >= 2 && !w.recorded(sent[n-2]) {
			late = append(late, sent[n-2].ID)
		}
	}}
	h.use(channel.Email, check)
	h.tickAt(local(t, "2026-01-01 10:00"))

	for _, p := range w.problems {
		t.Error(p)
	}
	if len(late) > 0 {
		t.Errorf("messages %v were not recorded a whole send after they went", late)
	}
	for _, ct := range cts {
		h.only(ct, "sheet", store.Sent)
	}
}

// recordWatch runs before, with the messages sent so far, as each send
// starts, on the sending goroutine.
type recordWatch struct {
	*claimWatch
	before func(sent []*channel.Message)
}

func (r *recordWatch) Send(ctx context.Context, m *channel.Message) (string, error) {
	r.mu.Lock()
	sent := slices.Clone(r.sent)
	r.mu.Unlock()
	r.before(sent)
	return r.claimWatch.Send(ctx, m)
}
