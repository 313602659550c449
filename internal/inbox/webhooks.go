package inbox

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/rapportapp/rapport/internal/reply"
	"github.com/rapportapp/rapport/internal/spool"
)

// answerWithin is how long a webhook waits for its text to reach the
// database before it answers from the config alone. Twilio gives up on
// a webhook after 15 s, and a large import holds the write lock longer.
var answerWithin = time.Second

// Webhooks takes Twilio's webhooks without waiting for the database's
// write lock: each inbound text or status callback is first made durable
// in a spool, then handed to the Inbox by one worker, in the order they
// came, as soon as the lock allows. A webhook answers with what the Inbox
// decided when that comes quickly, or else with what needs only the
// config (HELP's contact details).
type Webhooks struct {
	in    *Inbox
	spool *spool.Spool
	log   *slog.Logger
	wake  chan struct{}

	mu      sync.Mutex
	waiting map[uint64]chan string // webhooks waiting for their answer
	drain   sync.Mutex             // one worker at a time
}

// NewWebhooks returns webhooks spooling into sp for in.
func NewWebhooks(in *Inbox, sp *spool.Spool) *Webhooks {
	return &Webhooks{in: in, spool: sp, log: in.log, wake: make(chan struct{}, 1), waiting: map[uint64]chan string{}}
}

// Spool kinds.
const (
	kindSMS    = "sms"
	kindStatus = "status"
)

// ReceiveSMS spools an inbound text and returns what to answer.
func (h *Webhooks) ReceiveSMS(ctx context.Context, m SMS) (string, error) {
	e := spool.Entry{Kind: kindSMS, At: h.in.clock.Now().UnixNano(), Fields: map[string]string{
		"MessageSid": m.MessageSID, "From": m.From, "To": m.To, "Body": m.Body}}
	answer, ok, err := h.add(ctx, e)
	if err != nil || ok {
		return answer, err
	}
	return h.quickAnswer(m), nil
}

// Delivery spools a status callback.
func (h *Webhooks) Delivery(ctx context.Context, sid, status, errorCode string) error {
	_, _, err := h.add(ctx, spool.Entry{Kind: kindStatus, At: h.in.clock.Now().UnixNano(), Fields: map[string]string{
		"MessageSid": sid, "MessageStatus": status, "ErrorCode": errorCode}})
	return err
}

// Unsubscribe is the Inbox's: a customer's browser waits on it.
func (h *Webhooks) Unsubscribe(ctx context.Context, uid string) (bool, error) {
	return h.in.Unsubscribe(ctx, uid)
}

// StopMarketing is the Inbox's.
func (h *Webhooks) StopMarketing(ctx context.Context, uid string) (bool, error) {
	return h.in.StopMarketing(ctx, uid)
}

// add spools e, wakes the worker and waits up to answerWithin for the
// answer it gives; ok is false when it did not come in time.
func (h *Webhooks) add(ctx context.Context, e spool.Entry) (answer string, ok bool, err error) {
	seq := h.spool.Reserve()
	got := make(chan string, 1)
	h.mu.Lock()
	h.waiting[seq] = got
	h.mu.Unlock()
	defer func() {
		h.mu.Lock()
		delete(h.waiting, seq)
		h.mu.Unlock()
	}()
	if err := h.spool.Write(seq, e); err != nil {
		return "", false, fmt.Errorf("keep %s webhook: %w", e.Kind, err)
	}
	h.Wake()
	t := time.NewTimer(answerWithin)
	defer t.Stop()
	select {
	case a := <-got:
		return a, true, nil
	case <-t.C:
	case <-ctx.Done():
	}
	h.log.Info("webhook answered before the database took it (is an import running?); it is kept and will be recorded", "kind", e.Kind, "seq", seq)
	return "", false, nil
}

// quickAnswer is what a text gets when the database is busy: only what
// the config decides. STOP needs no answer from us (Twilio confirms it);
// START's depends on how the number opted out, which is in the database.
func (h *Webhooks) quickAnswer(m SMS) string {
	c := h.in.engine.Content()
	if isRep(c, m.From) || reply.SMSKeyword(m.Body) != reply.Help {
		return ""
	}
	return helpText(c.Rep.Name, c.Rep.Phone, c.Rep.Email)
}

// Wake makes the worker look at the spool now.
func (h *Webhooks) Wake() {
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// Run hands spooled webhooks to the Inbox until ctx ends: those left by
// an earlier run first, then each as it comes. After a failure (the
// database) it tries again, backing off, without skipping ahead.
func (h *Webhooks) Run(ctx context.Context) error {
	backoff := time.Duration(0)
	for {
		err := h.Drain(ctx)
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil:
			backoff = min(max(2*backoff, time.Second), time.Minute)
			h.log.Error("could not record a received webhook; it is kept and tried again", "err", err, "retry_in", backoff)
		default:
			backoff = 0
		}
		wait := time.Hour
		if backoff > 0 {
			wait = backoff
		}
		select {
		case <-ctx.Done():
			return nil
		case <-h.wake:
		case <-time.After(wait):
		}
	}
}

// Drain hands every spooled webhook to the Inbox, oldest first, and
// removes each once it is recorded. Entries from different senders are
// recorded together (their writes share a commit, as the webhooks' did
// when they wrote directly), each sender's in the order they came; Drain
// stops at the first failure, so that order holds.
func (h *Webhooks) Drain(ctx context.Context) error {
	h.drain.Lock()
	defer h.drain.Unlock()
	entries, err := h.spool.Pending()
	if err != nil {
		return err
	}
	for len(entries) > 0 {
		n := group(entries)
		if err := h.record(ctx, entries[:n]); err != nil {
			return err
		}
		entries = entries[n:]
	}
	return nil
}

// maxGroup bounds how many entries are recorded at once.
const maxGroup = 64

// group returns how many entries from the start have no sender twice.
func group(entries []spool.Entry) int {
	seen := map[string]bool{}
	for i, e := range entries {
		key := e.Kind + " " + e.Fields["From"] + " " + e.Fields["MessageSid"]
		if e.Kind == kindSMS {
			key = e.Kind + " " + e.Fields["From"]
		}
		if seen[key] || i == maxGroup {
			return i
		}
		seen[key] = true
	}
	return len(entries)
}

// record hands a group to the Inbox at once, then removes and answers
// each entry that was recorded; the first failure is returned.
func (h *Webhooks) record(ctx context.Context, g []spool.Entry) error {
	answers, errs := make([]string, len(g)), make([]error, len(g))
	var wg sync.WaitGroup
	for i, e := range g {
		wg.Add(1)
		go func() {
			defer wg.Done()
			answers[i], errs[i] = h.handle(ctx, e)
		}()
	}
	wg.Wait()
	var first error
	for i, e := range g {
		if errs[i] != nil {
			first = cmp.Or(first, fmt.Errorf("spooled %s %d: %w", e.Kind, e.Seq, errs[i]))
			continue
		}
		if err := h.spool.Done(e.Seq); err != nil {
			return err
		}
		h.mu.Lock()
		if got, ok := h.waiting[e.Seq]; ok {
			got <- answers[i]
		}
		h.mu.Unlock()
	}
	return first
}

// handle records one entry. A text handled twice (a crash after it was
// recorded, before its file was removed) is recorded once: the Inbox
// knows it by its MessageSid; a status set twice changes nothing.
func (h *Webhooks) handle(ctx context.Context, e spool.Entry) (string, error) {
	f := e.Fields
	switch e.Kind {
	case kindSMS:
		return h.in.ReceiveSMS(ctx, SMS{MessageSID: f["MessageSid"], From: f["From"], To: f["To"], Body: f["Body"],
			Received: time.Unix(0, e.At)})
	case kindStatus:
		return "", h.in.Delivery(ctx, f["MessageSid"], f["MessageStatus"], f["ErrorCode"])
	}
	h.log.Error("passed over a spooled entry of an unknown kind", "kind", e.Kind, "seq", e.Seq)
	return "", nil
}
