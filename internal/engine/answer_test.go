package engine_test

import (
	"context"
	"errors"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/store"
)

// reply stores a customer's message received at the clock's time.
func (h *harness) reply(ct *store.Contact, ch, extID, subject, body string) *store.Reply {
	h.t.Helper()
	r := &store.Reply{ContactID: ct.ID, Channel: ch, ExternalID: extID, From: ct.Email, Subject: subject,
		Body: body, ReceivedAt: h.clock.Now().Unix()}
	if ch == channel.SMS {
		r.From = ct.Phone
	}
	err := h.st.Tx(h.ctx, func(tx *store.Tx) error {
		_, err := tx.AddReply(h.ctx, r)
		return err
	})
	if err != nil {
		h.t.Fatal(err)
	}
	return r
}

func (h *harness) answer(r engine.AnswerRequest) *engine.Queued {
	h.t.Helper()
	q, err := h.eng.Answer(h.ctx, r)
	if err != nil {
		h.t.Fatalf("answer %q: %v", r.Text, err)
	}
	return q
}

// outboxText reads the one outbox file whose name has suffix.
func (h *harness) outboxFile(suffix string) string {
	h.t.Helper()
	var found []string
	for _, f := range h.files() {
		if strings.HasSuffix(f, suffix) {
			found = append(found, f)
		}
	}
	if len(found) != 1 {
		h.t.Fatalf("outbox files ending %s: %v, want one", suffix, h.files())
	}
	b, err := os.ReadFile(filepath.Join(h.outbox, found[0]))
	if err != nil {
		h.t.Fatal(err)
	}
	return string(b)
}

// An email answer joins the customer's thread (In-Reply-To, References,
// "Re:"), is written by a person (no Auto-Submitted, no List-Unsubscribe),
// still carries the postal address and the unsubscribe link, marks the
// customer's replies handled, and a second click sends nothing more.
func TestAnswerByEmailJoinsTheThread(t *testing.T) {
	h := newHarness(t, oneStep(channel.Email))
	jane := h.customer("Jane", "jane@example.com", "+13125550142")
	h.clock.Set(local(t, "2026-03-02 21:00"))
	h.reply(jane, channel.Email, "CAF=abc123@mail.example.net", "Re: A note for Jane", "The bottle leaked.")

	req := engine.AnswerRequest{Contact: jane, Text: "So sorry, Jane! A new one is on its way.", Seq: 1}
	q := h.answer(req)
	if q.Channel != channel.Email || q.Later || q.Handled != 1 || q.Duplicate {
		t.Errorf("queued %+v, want email at once, 1 reply handled", q)
	}
	if again := h.answer(req); !again.Duplicate || again.ID != q.ID {
		t.Errorf("second click queued %+v, want the first message back", again)
	}
	h.tickAt(local(t, "2026-03-02 21:01"))
	h.tickAt(local(t, "2026-03-02 21:02"))

	raw := h.outboxFile(".eml")
	m, err := mail.ReadMessage(strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]string{
		"In-Reply-To": "<CAF=abc123@mail.example.net>", "References": "<CAF=abc123@mail.example.net>",
		"Subject": "Re: A note for Jane", "Auto-Submitted": "", "List-Unsubscribe": "",
	} {
		if got := m.Header.Get(key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	for _, want := range []string{"A new one is on its way.", "123 Main St", "Unsubscribe: https://rapport.example.com/"} {
		if !strings.Contains(raw, want) {
			t.Errorf("the email lacks %q", want)
		}
	}
	if n, _ := h.st.OpenReplyCount(h.ctx, jane.ID); n != 0 {
		t.Errorf("%d replies still open after answering", n)
	}
}

// The same form sent again with other words (another page answered in
// between) is refused rather than sent twice or lost silently.
func TestAnswerFromAStalePageIsRefused(t *testing.T) {
	h := newHarness(t, oneStep(channel.Email))
	jane := h.customer("Jane", "jane@example.com", "")
	h.clock.Set(local(t, "2026-03-02 10:00"))
	h.answer(engine.AnswerRequest{Contact: jane, Text: "First", Seq: 1})
	_, err := h.eng.Answer(h.ctx, engine.AnswerRequest{Contact: jane, Text: "Second", Seq: 1})
	if !errors.Is(err, store.ErrThreadMoved) {
		t.Errorf("second message with the same number: %v, want ErrThreadMoved", err)
	}
}

// A text that answers nothing waits for the allowed hours and says so; one
// answering a text of the last 24 hours goes at once, at night too.
func TestAnswerTextQuietHours(t *testing.T) {
	h := newHarness(t, oneStep(channel.Email))
	jane := h.customer("Jane", "jane@example.com", "+13125550142")
	bob := h.customer("Bob", "bob@example.com", "+13125550143")
	night := local(t, "2026-03-02 22:30")
	h.clock.Set(night.Add(-time.Hour))
	h.reply(bob, channel.SMS, "SM1", "", "Is my order coming?")
	h.clock.Set(night)

	q := h.answer(engine.AnswerRequest{Contact: jane, Text: "Hi Jane, checking in!", Channel: channel.SMS})
	if want := local(t, "2026-03-03 08:00"); !q.Later || !q.At.Equal(want) || q.Why == "" {
		t.Errorf("rep's first text at 22:30 queued %+v, want held until %s with why", q, want)
	}
	if th, err := h.eng.Thread(h.ctx, jane); err != nil || len(th) != 1 || !strings.HasPrefix(th[0].Note, "waits until Tue 3 Mar 08:00") {
		t.Errorf("Jane's thread %+v, %v: want the waiting text with until when", th, err)
	}
	h.answer(engine.AnswerRequest{Contact: bob, Text: "Yes Bob, it ships tomorrow."})
	h.tickAt(night.Add(time.Minute))
	if got := h.files(); len(got) != 1 || !strings.Contains(h.outboxFile(".sms.json"), "ships tomorrow") {
		t.Fatalf("outbox at night %v, want only the answer to Bob", got)
	}
	h.tickAt(local(t, "2026-03-03 08:00"))
	if got := h.files(); len(got) != 2 {
		t.Errorf("outbox after 08:00 %v, want Jane's text too", got)
	}
}

// STOP refuses the rep's text with the reason; a STOP that arrives after
// the text was queued stops it too, and the rep is told.
func TestAnswerRespectsStop(t *testing.T) {
	h := newHarness(t, oneStep(channel.Email))
	jane := h.customer("Jane", "jane@example.com", "+13125550142")
	h.clock.Set(local(t, "2026-03-02 12:00"))
	h.reply(jane, channel.SMS, "SM1", "", "Where is my order?")
	h.answer(engine.AnswerRequest{Contact: jane, Text: "Checking now!", KeepOpen: true})
	setSMSStatus(t, h, jane, store.OptedOut)

	var refused *engine.Refused
	jane.SMSStatus = store.OptedOut
	_, err := h.eng.Answer(h.ctx, engine.AnswerRequest{Contact: jane, Text: "Hello?", Channel: channel.SMS})
	if !errors.As(err, &refused) || !strings.Contains(refused.Reason, "opted out of texts") {
		t.Errorf("text after STOP: %v, want refused for the opt-out", err)
	}
	h.tickAt(local(t, "2026-03-02 12:01"))
	if got := h.files(); len(got) != 0 {
		t.Errorf("outbox %v: a text went after STOP", got)
	}
	if n, _ := h.st.OpenReplyCount(h.ctx, jane.ID); n != 1 {
		t.Errorf("--keep-open left %d replies open, want 1", n)
	}
	found := false
	for _, n := range h.notices() {
		found = found || strings.Contains(n.Text, "your message") && strings.Contains(n.Text, "opted out")
	}
	if !found {
		t.Errorf("the rep was not told her text did not go: %+v", h.notices())
	}
}

func setSMSStatus(t *testing.T, h *harness, ct *store.Contact, status string) {
	t.Helper()
	err := h.st.Tx(h.ctx, func(tx *store.Tx) error {
		return tx.SetSMSStatus(h.ctx, ct.ID, status, "STOP", h.clock.Now().Unix())
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The rep's message neither waits for nor holds back the day's campaign
// message: the customer wrote to her.
func TestAnswerIsOutsideTheOneMessageADayRule(t *testing.T) {
	h := newHarness(t, oneStep(channel.Email))
	jane := h.customer("Jane", "jane@example.com", "")
	h.order(jane, "2026-03-02")
	h.tickAt(local(t, "2026-03-02 10:00"))
	h.answer(engine.AnswerRequest{Contact: jane, Text: "Did it arrive?"})
	h.tickAt(local(t, "2026-03-02 10:01"))
	if got := h.files(); len(got) != 2 {
		t.Errorf("outbox %v, want the step and the rep's message on one day", got)
	}
}

// A crash after the rep's message went, before it was recorded: the next
// start finds it sent (the outbox, like Twilio, can tell) and never sends
// it again; a crash before it went sends it once.
func TestAnswerSurvivesACrash(t *testing.T) {
	for _, ch := range []string{channel.SMS, channel.Email} {
		for _, delivered := range []bool{true, false} {
			t.Run(ch+map[bool]string{true: "/delivered", false: "/not delivered"}[delivered], func(t *testing.T) {
				h := newHarness(t, oneStep(channel.Email))
				jane := h.customer("Jane", "jane@example.com", "+13125550142")
				h.clock.Set(local(t, "2026-03-02 12:00"))
				h.reply(jane, ch, "id1@mail.example.net", "Hi", "Question")
				h.answer(engine.AnswerRequest{Contact: jane, Text: "Answer"})

				crash := &crashing{next: h.senders[ch], deliver: delivered}
				ctx, cancel := context.WithCancel(h.ctx)
				crash.cancel = cancel
				senders := map[string]channel.Sender{channel.Email: h.senders[channel.Email], channel.SMS: h.senders[channel.SMS]}
				senders[ch] = crash
				h.eng = h.newEngine(senders)
				_ = h.eng.Tick(ctx)

				h.eng = h.newEngine(h.senders) // restarted
				h.tickAt(local(t, "2026-03-02 12:01"))
				h.tickAt(local(t, "2026-03-02 12:05"))
				if got := h.files(); len(got) != 1 {
					t.Errorf("outbox %v, want the answer exactly once", got)
				}
				thread, err := h.eng.Thread(h.ctx, jane)
				if err != nil {
					t.Fatal(err)
				}
				if last := thread[len(thread)-1]; last.From != engine.FromRep || last.State != store.Sent {
					t.Errorf("the answer in the thread: %+v, want sent", last)
				}
			})
		}
	}
}

// crashing stands for a process killed during a send: it hands the message
// to the real transport or not, then the process "dies" (its context ends),
// so the outcome is never recorded.
type crashing struct {
	next    channel.Sender
	deliver bool
	cancel  func()
	once    sync.Once
}

func (c *crashing) Send(ctx context.Context, m *channel.Message) (string, error) {
	if c.deliver {
		if _, err := c.next.Send(ctx, m); err != nil {
			return "", err
		}
	}
	c.once.Do(c.cancel)
	return "", context.Canceled
}

func (c *crashing) Verify(ctx context.Context, m *channel.Message) (string, bool, error) {
	return c.next.(channel.Verifier).Verify(ctx, m)
}

// The thread merges both channels in time order: what Rapport sent, what
// the customer wrote, what the rep answered (still to go, too).
func TestThreadMergesBothChannels(t *testing.T) {
	h := newHarness(t, oneStep(channel.Email))
	jane := h.customer("Jane", "jane@example.com", "+13125550142")
	h.order(jane, "2026-03-02")
	h.tickAt(local(t, "2026-03-02 10:00"))
	h.clock.Set(local(t, "2026-03-02 11:00"))
	h.reply(jane, channel.SMS, "SM1", "", "Got it, thanks!")
	h.clock.Set(local(t, "2026-03-03 07:00"))
	h.answer(engine.AnswerRequest{Contact: jane, Text: "Enjoy!", Channel: channel.Email})

	got, err := h.eng.Thread(h.ctx, jane)
	if err != nil {
		t.Fatal(err)
	}
	type row struct{ dir, ch, from, state string }
	want := []row{{"out", "email", "rapport", "sent"}, {"in", "sms", "customer", "handled"}, {"out", "email", "rep", "pending"}}
	if len(got) != len(want) {
		t.Fatalf("thread %+v, want %d entries", got, len(want))
	}
	for i, w := range want {
		g := got[i]
		if (row{g.Direction, g.Channel, g.From, g.State}) != w {
			t.Errorf("entry %d = %+v, want %+v", i, g, w)
		}
	}
	if !strings.Contains(got[0].Body, "this is step hello") || strings.Contains(got[0].Body, "Unsubscribe") {
		t.Errorf("Rapport's email in the thread: %q, want its words without the footer", got[0].Body)
	}
	if got[2].Body != "Enjoy!" || got[0].At.Location().String() != "America/Chicago" {
		t.Errorf("rep's entry %+v", got[2])
	}
}

// Times are kept to the second: an answer in the same second as the
// message it answers still comes after it.
func TestThreadSameSecondKeepsTheTurns(t *testing.T) {
	h := newHarness(t, oneStep(channel.SMS))
	jane := h.customer("Jane", "jane@example.com", "+13125550142")
	h.clock.Set(local(t, "2026-03-02 12:00"))
	h.reply(jane, channel.SMS, "SM1", "", "Hello?")
	h.answer(engine.AnswerRequest{Contact: jane, Text: "Hi!"})
	h.tickAt(local(t, "2026-03-02 12:00"))
	th, err := h.eng.Thread(h.ctx, jane)
	if err != nil {
		t.Fatal(err)
	}
	if len(th) != 2 || th[0].From != engine.FromCustomer || th[1].From != engine.FromRep {
		t.Fatalf("thread %+v, want the customer's message, then the answer", th)
	}
	// A sent text keeps the start of its words in the subject column (for
	// logs); the thread shows the words once, with no subject.
	if th[1].State != store.Sent || th[1].Subject != "" || th[1].Body != "Hi!" {
		t.Errorf("the sent text in the thread: %+v, want its words once and no subject", th[1])
	}
}
