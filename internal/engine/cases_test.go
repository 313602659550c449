package engine_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/rapportapp/rapport/internal/cases"
	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/schedule"
	"github.com/rapportapp/rapport/internal/store"
)

// TestOpenCaseHoldsTipsNotService: while a customer has an open case their
// marketing steps wait and their service steps still go; closing the case
// sends the tip that fell due during it once, not one per missed month.
func TestOpenCaseHoldsTipsNotService(t *testing.T) {
	t.Parallel()
	h := newHarness(t, sheetAndTips)
	ct := h.customer("Jane", "jane@example.com", "")
	h.clock.Set(local(t, "2026-01-01 09:00"))
	h.order(ct, "2026-01-01")
	if _, err := cases.OpenByHand(h.ctx, h.st, ct.ID, 0, cases.Leaking, chicago, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	h.tickAt(local(t, "2026-01-01 10:00"))
	h.only(ct, "sheet", store.Sent) // service: goes during the case

	h.tickAt(local(t, "2026-02-05 10:00")) // the first tip's day
	h.tickAt(local(t, "2026-03-05 10:00")) // and the second's
	if n := h.count(ct, "tips", store.Sent); n != 0 {
		t.Fatalf("%d tips sent during an open case, want 0", n)
	}
	for _, r := range h.rows(ct) {
		if r.Step == "tips" && r.State == store.Pending && !r.Paused {
			t.Errorf("timeline shows pending tip %d not paused during the case", r.Occurrence)
		}
	}

	open, err := h.st.Cases(h.ctx, false)
	if err != nil || len(open) != 1 {
		t.Fatalf("open cases %v, %v", open, err)
	}
	h.clock.Set(local(t, "2026-03-10 09:00"))
	if _, err := cases.Close(h.ctx, h.st, open[0].ID, "replaced", "", h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	h.tickAt(local(t, "2026-03-10 10:00"))
	h.tickAt(local(t, "2026-03-11 10:00"))
	if n := h.count(ct, "tips", store.Sent); n != 1 {
		t.Errorf("%d tips sent after the case closed, want 1 (no burst)", n)
	}
}

// remindHarness is a harness whose rep hears by email and text, with
// Memorial Day 2026 (Mon 25 May) a holiday, leaks reported within 7
// business days and reminders at 17:00.
func remindHarness(t *testing.T) *harness {
	t.Helper()
	h := newHarness(t, sheetAndTips)
	c := testContent(t, sheetAndTips)
	cal, err := schedule.NewCalendar([]string{"2026-05-25"})
	if err != nil {
		t.Fatal(err)
	}
	c.Rules.Calendar = cal
	c.Rules.RemindAt = schedule.TimeOfDay{Hour: 17}
	c.NotifyEmail, c.NotifySMS = "amy.alerts@example.com", "+13125550199"
	c.Policy = engine.Policy{
		ReportDamageWithin: schedule.Delay{N: 7, Unit: schedule.BusinessDay},
		ChaseAfter:         schedule.Delay{N: 2, Unit: schedule.BusinessDay},
		UpdateEvery:        schedule.Delay{N: 3, Unit: schedule.Day},
		DeliveryWithin:     schedule.Delay{N: 7, Unit: schedule.BusinessDay},
	}
	h.content = c
	if err := h.eng.Swap(h.ctx, h.content, h.senders); err != nil {
		t.Fatal(err)
	}
	return h
}

// sentToRep lists the messages that went to the rep whose key starts with
// prefix, as "channel summary".
func (h *harness) sentToRep(prefix string) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, e := range h.events {
		if e.Kind == "to-rep" && strings.HasPrefix(e.Step, prefix) {
			out = append(out, e.Channel+" "+e.Summary)
		}
	}
	return out
}

// TestLeakReminderAlert: a leak reported on the Friday before Memorial
// Day must reach the company by Wed 3 Jun (the weekend and the holiday
// skipped). At remind_at the rep gets one short alert by email and text
// the day before and on the day, and no other day; ticks later the same
// day send nothing again.
func TestLeakReminderAlert(t *testing.T) {
	t.Parallel()
	h := remindHarness(t)
	ct := h.customer("Jane", "jane@example.com", "+13125550123")
	h.clock.Set(local(t, "2026-05-22 09:00"))
	h.order(ct, "2026-05-19")
	h.clock.Set(local(t, "2026-05-22 11:00"))
	r := h.reply(ct, "email", "<leak@example.com>", "Re: your order", "The bottle arrived leaking everywhere.")
	k, err := cases.OpenFromReply(h.ctx, h.st, r.ID, cases.Leaking, h.content.CaseRules(), h.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if k.Received != "2026-05-22" {
		t.Fatalf("received %q, want the reply's day (the order, due Thu 28 May, came early)", k.Received)
	}
	perDay := map[string][]string{}
	for d := local(t, "2026-05-22 00:00"); d.Before(local(t, "2026-06-06 00:00")); d = d.AddDate(0, 0, 1) {
		day := d.Format("2006-01-02")
		before := len(h.sentToRep("remind:"))
		for _, at := range []string{"16:59", "17:00", "17:01", "21:00"} {
			h.tickAt(local(t, day+" "+at))
		}
		for _, m := range h.sentToRep("remind:")[before:] {
			if strings.Contains(m, "report it to the company") {
				perDay[day] = append(perDay[day], m)
			}
		}
	}
	want := map[string][]string{
		"2026-06-02": {
			"email Reminder: Jane's leak (case 1): report it to the company — tomorrow (Wed 3 Jun)",
			"sms Rapport reminder: Jane's leak (case 1): report it to the company — tomorrow...", // the event's summary is cut
		},
		"2026-06-03": {
			"email Reminder: Jane's leak (case 1): report it to the company — today",
			"sms Rapport reminder: Jane's leak (case 1): report it to the company — today",
		},
	}
	if !reflect.DeepEqual(perDay, want) {
		t.Errorf("deadline alerts by day:\n%v\nwant\n%v", perDay, want)
	}
}

// TestReminderAlertWaitsForRemindAt: before [notify] remind_at nothing
// goes; the chase reminder of a case reported and left alone goes at it.
func TestReminderAlertWaitsForRemindAt(t *testing.T) {
	t.Parallel()
	h := remindHarness(t)
	ct := h.customer("Jane", "jane@example.com", "")
	h.clock.Set(local(t, "2026-06-01 09:00"))
	k, err := cases.OpenByHand(h.ctx, h.st, ct.ID, 0, cases.Damaged, chicago, h.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cases.Update(h.ctx, h.st, k.ID, cases.Change{State: cases.Reported}, h.clock.Now()); err != nil {
		t.Fatal(err)
	}
	h.tickAt(local(t, "2026-06-03 16:59"))
	if got := h.sentToRep("remind:"); len(got) != 0 {
		t.Fatalf("before remind_at: %v", got)
	}
	h.tickAt(local(t, "2026-06-03 17:00"))
	h.tickAt(local(t, "2026-06-03 18:00"))
	got := h.sentToRep("remind:2026-06-03:case:1:chase")
	want := "email Reminder: chase support about Jane's damaged in transit (case 1) (reported Mon 1 Jun)"
	if len(got) != 2 || got[0] != want || !strings.HasPrefix(got[1], "sms Rapport reminder: chase support") {
		t.Errorf("chase alerts %v, want %v", got, want)
	}
}
