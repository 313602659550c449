package engine_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/store"
)

// oneStep is a campaign with a single message on the day of the order.
func oneStep(ch string) string {
	return `name = "One step"
trigger = "order"

[[step]]
id = "hello"
after = "0d"
channel = "` + ch + `"
template = "note"
`
}

// TestCrashBetweenClaimAndResult claims a row as the dispatcher does,
// "crashes" with or without the message written, and restarts: the row is
// recorded as sent exactly once, or sent again exactly once.
func TestCrashBetweenClaimAndResult(t *testing.T) {
	t.Parallel()
	for _, ch := range []string{channel.Email, channel.SMS} {
		for _, written := range []bool{true, false} {
			name := ch + "/file absent"
			if written {
				name = ch + "/file present"
			}
			t.Run(name, func(t *testing.T) {
				h := newHarness(t, oneStep(ch))
				ct := h.customer("Emily", "emily@example.com", "+13125550142")
				h.order(ct, "2026-03-02")
				now := local(t, "2026-03-02 10:00")
				h.clock.Set(now)
				claimAndCrash(t, h, ct, ch, written)

				// A new process over the same database and outbox.
				h.eng = h.newEngine(h.senders)
				if err := h.eng.Recover(h.ctx); err != nil {
					t.Fatal(err)
				}
				if written {
					r := h.only(ct, "hello", store.Sent)
					if r.Attempts != 1 {
						t.Errorf("attempts %d, want 1: the message went before the crash", r.Attempts)
					}
				} else if r := h.only(ct, "hello", store.Pending); r.DueAt > now.Unix() {
					t.Errorf("interrupted row due %s, want at once", time.Unix(r.DueAt, 0))
				}
				h.tickAt(now.Add(time.Minute))
				h.tickAt(now.Add(time.Hour))
				h.only(ct, "hello", store.Sent)
				if files := h.files(); len(files) != 1 {
					t.Errorf("outbox holds %v, want exactly one message", files)
				}
			})
		}
	}
}

// claimAndCrash does what the dispatcher does up to the send: claim the
// due row (committed), then write its outbox file or not, and stop.
func claimAndCrash(t *testing.T, h *harness, ct *store.Contact, ch string, written bool) {
	t.Helper()
	due, err := h.st.DueMessages(h.ctx, h.clock.Now().Unix(), 10, store.DueFilter{})
	if err != nil || len(due) != 1 {
		t.Fatalf("due rows %v, %v; want 1", due, err)
	}
	m := &due[0].Message
	to := ct.Email
	if ch == channel.SMS {
		to = ct.Phone
	}
	m.Channel, m.SentTo, m.Template, m.SeriesIndex, m.Subject = ch, to, "note", -1, "A note for Emily"
	m.MessageID = engine.NewMessageID("example.com")
	var claimed bool
	err = h.st.Tx(h.ctx, func(tx *store.Tx) error {
		claimed, err = tx.Claim(h.ctx, m, h.clock.Now().Unix())
		return err
	})
	if err != nil || !claimed {
		t.Fatalf("claim: %v (claimed %v)", err, claimed)
	}
	if !written {
		return
	}
	msg := &channel.Message{ID: m.ID, Channel: ch, ContactID: ct.ID, Campaign: m.Campaign, Step: m.Step,
		To: to, ToName: ct.Name(), Subject: m.Subject, Text: "Hi Emily", MessageID: m.MessageID, Date: h.clock.Now()}
	if _, err := h.senders[ch].Send(h.ctx, msg); err != nil {
		t.Fatal(err)
	}
}

func TestTemporaryErrorRetriesWithBackoff(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneStep(channel.Email))
	fake := &scripted{next: h.senders[channel.Email], errs: repeat(temporary("try again later"), 2)}
	h.use(channel.Email, fake)
	ct := h.customer("Emily", "emily@example.com", "")
	h.order(ct, "2026-03-02")

	at := local(t, "2026-03-02 10:00")
	// Backoff doubles from [sending] retry_base (1m), with ±20% jitter.
	for i, base := range []time.Duration{time.Minute, 2 * time.Minute} {
		h.tickAt(at)
		h.tickAt(at) // not due again yet: nothing happens
		r := h.only(ct, "hello", store.Pending)
		wait := time.Unix(r.DueAt, 0).Sub(at)
		if lo, hi := base*8/10, base*12/10; wait < lo-time.Second || wait > hi {
			t.Errorf("retry %d after %s, want %s-%s", i+1, wait, lo, hi)
		}
		if r.Error == "" {
			t.Errorf("retry %d: the row does not say why it waits", i+1)
		}
		at = time.Unix(r.DueAt, 0)
	}
	h.tickAt(at)
	h.tickAt(at.Add(24 * time.Hour))
	if r := h.only(ct, "hello", store.Sent); r.Attempts != 3 || r.Error != "" {
		t.Errorf("sent row: attempts %d, error %q; want 3 attempts, no error", r.Attempts, r.Error)
	}
	if fake.Calls() != 3 || len(h.files()) != 1 {
		t.Errorf("%d sends, outbox %v; want 3 sends and one message", fake.Calls(), h.files())
	}
	if got, want := h.eventKinds(), []string{"retry", "retry", "sent"}; !slices.Equal(got, want) {
		t.Errorf("events %v, want %v", got, want)
	}
}

func TestTemporaryErrorGivesUpAfterMaxAttempts(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneStep(channel.Email))
	fake := &scripted{next: h.senders[channel.Email], errs: repeat(temporary("mailbox busy"), 100)}
	h.use(channel.Email, fake)
	ct := h.customer("Emily", "emily@example.com", "")
	h.order(ct, "2026-03-02")

	at := local(t, "2026-03-02 10:00")
	for i := 0; i < 10 && h.count(ct, "hello", store.Failed) == 0; i++ {
		h.tickAt(at)
		if h.count(ct, "hello", store.Pending) == 1 {
			at = time.Unix(h.only(ct, "hello", store.Pending).DueAt, 0)
		}
	}
	r := h.only(ct, "hello", store.Failed)
	if fake.Calls() != 4 || !strings.Contains(r.Error, "gave up after 4 attempts") {
		t.Errorf("%d sends, error %q; want 4 (max_attempts) and the reason", fake.Calls(), r.Error)
	}
	if !hasNotice(h.notices(), store.NoticeFailed, "mailbox busy") {
		t.Errorf("no failure notice for the rep: %+v", h.notices())
	}
}

// TestTemporaryErrorAfterDelivery: the provider took the message but the
// answer was lost. The engine asks before resending, so it goes once.
func TestTemporaryErrorAfterDelivery(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneStep(channel.SMS))
	fake := verifying{&scripted{next: h.senders[channel.SMS], errs: []error{temporary("502 bad gateway")}, deliverFirst: true}}
	h.use(channel.SMS, fake)
	ct := h.customer("Emily", "emily@example.com", "+13125550142")
	h.order(ct, "2026-03-02")
	h.tickAt(local(t, "2026-03-02 10:00"))
	h.tickAt(local(t, "2026-03-02 11:00"))
	h.only(ct, "hello", store.Sent)
	if fake.Calls() != 1 || len(h.files()) != 1 {
		t.Errorf("%d sends, outbox %v; want one of each", fake.Calls(), h.files())
	}
}

func TestPermanentErrorFailsAndTellsRep(t *testing.T) {
	t.Parallel()
	h := newHarness(t, oneStep(channel.Email))
	perm := &channel.Error{Class: channel.Permanent, Code: "554", Msg: "message refused by policy"}
	fake := &scripted{next: h.senders[channel.Email], errs: []error{perm}}
	h.use(channel.Email, fake)
	ct := h.customer("Emily", "emily@example.com", "")
	h.order(ct, "2026-03-02")
	h.tickAt(local(t, "2026-03-02 10:00"))
	h.tickAt(local(t, "2026-03-03 10:00"))

	r := h.only(ct, "hello", store.Failed)
	if !strings.Contains(r.Error, "message refused by policy") {
		t.Errorf("failed row error %q, want the provider's words", r.Error)
	}
	if fake.Calls() != 1 || len(h.files()) != 0 {
		t.Errorf("%d sends, outbox %v; want one try and nothing sent", fake.Calls(), h.files())
	}
	if !hasNotice(h.notices(), store.NoticeFailed, "message refused by policy") {
		t.Errorf("no failure notice for the rep: %+v", h.notices())
	}
}

// TestBounceFallsBack: a hard bounce marks the address and the same step
// goes by its fallback channel.
func TestBounceFallsBack(t *testing.T) {
	t.Parallel()
	h := newHarness(t, strings.Replace(oneStep(channel.Email), `template = "note"`, "fallback = \"sms\"\ntemplate = \"note\"", 1))
	bounce := &channel.Error{Class: channel.Bounced, Code: "550 5.1.1", Msg: "no such user"}
	h.use(channel.Email, &scripted{next: h.senders[channel.Email], errs: []error{bounce}})
	ct := h.customer("Emily", "emily@example.com", "+13125550142")
	h.order(ct, "2026-03-02")
	h.tickAt(local(t, "2026-03-02 10:00"))
	h.tickAt(local(t, "2026-03-02 10:01"))

	if r := h.only(ct, "hello", store.Sent); r.Channel != channel.SMS {
		t.Errorf("sent by %s, want the sms fallback", r.Channel)
	}
	got, err := h.st.Contact(h.ctx, ct.ID)
	if err != nil || got.EmailStatus != store.Bounced {
		t.Errorf("email status %q (%v), want bounced", got.EmailStatus, err)
	}
	if !hasNotice(h.notices(), store.NoticeBounced, "no such user") {
		t.Errorf("no bounce notice: %+v", h.notices())
	}
}

func hasNotice(ns []store.Notice, kind, text string) bool {
	for _, n := range ns {
		if n.Kind == kind && strings.Contains(n.Text, text) {
			return true
		}
	}
	return false
}

const monthly = `name = "Monthly"
trigger = "order"

[[step]]
id = "monthly"
after = "0d"
every = "1mo"
channel = "email"
template = "note"
`

// TestMonthlyKeepsDayOfMonth follows a monthly step through the queue:
// each send queues the next, on the order's day of the month, clamped at
// month end, at 10:00 local across the DST change.
func TestMonthlyKeepsDayOfMonth(t *testing.T) {
	t.Parallel()
	tests := []struct {
		order string
		dues  []string
	}{
		{"2026-01-31", []string{"2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31", "2026-06-30"}},
		{"2028-01-31", []string{"2028-01-31", "2028-02-29", "2028-03-31", "2028-04-30"}},
		{"2026-01-30", []string{"2026-01-30", "2026-02-28", "2026-03-30", "2026-04-30"}},
		{"2026-10-31", []string{"2026-10-31", "2026-11-30", "2026-12-31", "2027-01-31", "2027-02-28"}},
	}
	for _, tt := range tests {
		t.Run(tt.order, func(t *testing.T) {
			h := newHarness(t, monthly)
			ct := h.customer("Emily", "emily@example.com", "")
			h.clock.Set(local(t, tt.order+" 09:00"))
			h.order(ct, tt.order)
			for i, day := range tt.dues {
				r := h.only(ct, "monthly", store.Pending)
				want := local(t, day+" 10:00")
				if got := time.Unix(r.DueAt, 0); !got.Equal(want) {
					t.Fatalf("occurrence %d due %s, want %s", i, got.In(chicago), want)
				}
				h.tickAt(want)
				if n := h.count(ct, "monthly", store.Sent); n != i+1 {
					t.Fatalf("after %s: %d sent, want %d", day, n, i+1)
				}
			}
		})
	}
}

// TestRepeatAfterDowntime: however many occurrences were missed, a
// repeating step sends one catch-up, never a burst, and carries on from
// the next one still to come.
func TestRepeatAfterDowntime(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name              string
		orderDay, entered string // the order's date, and when it was recorded
	}{
		{"daemon down for months", "2026-01-31", "2026-01-31 09:00"},
		{"old order imported late", "2025-05-31", "2026-07-15 09:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, monthly)
			ct := h.customer("Emily", "emily@example.com", "")
			h.clock.Set(local(t, tt.entered))
			h.order(ct, tt.orderDay)

			h.tickAt(local(t, "2026-07-15 12:00"))
			h.tickAt(local(t, "2026-07-20 12:00"))
			if n := len(h.files()); n != 1 {
				t.Fatalf("%d messages after the downtime, want one catch-up", n)
			}
			next := time.Unix(h.only(ct, "monthly", store.Pending).DueAt, 0)
			if want := local(t, "2026-07-31 10:00"); !next.Equal(want) {
				t.Errorf("next occurrence %s, want %s", next.In(chicago), want)
			}
			h.tickAt(local(t, "2026-07-31 10:00"))
			if n := len(h.files()); n != 2 {
				t.Errorf("%d messages after the next occurrence, want 2", n)
			}
		})
	}
}

// TestLaterOrderRestartsRepeats: a second order restarts a repeating step
// from its date, whichever order was recorded first (exports often list
// the newest first), so the customer never gets the monthly email twice.
func TestLaterOrderRestartsRepeats(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, first, second string }{
		{"newer order recorded last", "2026-01-10", "2026-02-20"},
		{"older order recorded last", "2026-02-20", "2026-01-10"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, monthly)
			ct := h.customer("Emily", "emily@example.com", "")
			h.clock.Set(local(t, "2026-02-21 09:00"))
			h.order(ct, tt.first)
			h.order(ct, tt.second)
			if n := h.count(ct, "monthly", store.Cancelled); n != 1 {
				t.Errorf("%d cancelled monthly rows, want the older order's 1", n)
			}
			r := h.only(ct, "monthly", store.Pending)
			if got, want := time.Unix(r.DueAt, 0), local(t, "2026-02-20 10:00"); !got.Equal(want) {
				t.Errorf("pending monthly row due %s, want %s (the newer order's own)", got.In(chicago), want)
			}
		})
	}
}
