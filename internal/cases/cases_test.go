package cases_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/cases"
	"github.com/rapportapp/rapport/internal/schedule"
	"github.com/rapportapp/rapport/internal/store"
)

var chicago = func() *time.Location {
	l, err := time.LoadLocation("America/Chicago")
	if err != nil {
		panic(err)
	}
	return l
}()

func day(t *testing.T, s string) schedule.Date {
	t.Helper()
	d, err := schedule.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func at(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.ParseInLocation("2006-01-02 15:04", s, chicago)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// rules: the default policy, Monday 7 Sep 2026 (Labor Day) and 1 Jan 2027 holidays.
func rules(t *testing.T) cases.Rules {
	t.Helper()
	cal, err := schedule.NewCalendar([]string{"2026-09-07", "2027-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	bd := func(n int) schedule.Delay { return schedule.Delay{N: n, Unit: schedule.BusinessDay} }
	d := func(n int) schedule.Delay { return schedule.Delay{N: n, Unit: schedule.Day} }
	return cases.Rules{Default: cases.Policy{ReportDamageWithin: bd(7), MoneyBackGuarantee: d(15),
		ReturnAuthorizationValid: d(14), ChaseAfter: bd(2), UpdateEvery: d(3), DeliveryWithin: bd(7)},
		Named:    map[string]cases.Policy{"acme": {ReportDamageWithin: bd(3), ChaseAfter: bd(2), UpdateEvery: d(3)}},
		Calendar: cal, Zone: chicago}
}

func TestWhen(t *testing.T) {
	r := rules(t)
	tests := []struct {
		due, today string
		business   bool
		want       string
	}{
		{"2026-12-09", "2026-12-09", true, "today"},
		{"2026-12-10", "2026-12-09", true, "tomorrow (Thu 10 Dec)"},
		{"2026-12-09", "2026-12-04", true, "in 3 business days (Wed 9 Dec)"}, // over a weekend
		{"2026-09-08", "2026-09-04", true, "in 1 business day (Tue 8 Sep)"},  // weekend and Labor Day
		{"2027-01-05", "2026-12-30", true, "in 3 business days (Tue 5 Jan 2027)"},
		{"2027-01-12", "2026-12-29", false, "in 14 days (Tue 12 Jan 2027)"},
		{"2026-03-08", "2026-03-07", false, "tomorrow (Sun 8 Mar)"}, // the night clocks change
		{"2026-03-20", "2026-03-06", false, "in 14 days (Fri 20 Mar)"},
		{"2026-02-02", "2026-12-09", true, "expired 2 Feb"},
		{"2026-02-02", "2027-01-04", true, "expired 2 Feb 2026"},
	}
	for _, tt := range tests {
		if got := cases.When(day(t, tt.due), day(t, tt.today), tt.business, r.Calendar); got != tt.want {
			t.Errorf("When(%s, today %s) = %q, want %q", tt.due, tt.today, got, tt.want)
		}
	}
}

func newStore(t *testing.T) (*store.Store, *store.Contact) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "rapport.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	ct := &store.Contact{FirstName: "Jane", LastName: "Doe", Email: "jane@example.com", Phone: "+13125550142"}
	err = st.Tx(ctx, func(tx *store.Tx) error {
		if _, err := tx.UpsertContact(ctx, ct, 1); err != nil {
			return err
		}
		_, err := tx.AddOrder(ctx, &store.Order{ContactID: ct.ID, Date: "2026-08-28", Invoice: "INV-7", Items: "Lavender 15ml", CreatedAt: 1})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return st, ct
}

func leakReply(t *testing.T, st *store.Store, ct *store.Contact, when time.Time) int64 {
	t.Helper()
	r := &store.Reply{ContactID: ct.ID, Channel: "sms", ExternalID: "SM1", From: ct.Phone,
		Body: "The lavender bottle is leaking", Flags: "leaking", ReceivedAt: when.Unix()}
	err := st.Tx(context.Background(), func(tx *store.Tx) error { _, err := tx.AddReply(context.Background(), r); return err })
	if err != nil {
		t.Fatal(err)
	}
	return r.ID
}

func reminders(t *testing.T, r cases.Rules, st *store.Store, id int64, now time.Time) []string {
	t.Helper()
	k, err := st.Case(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return r.Reminders(k, now)
}

func contains(list []string, part string) bool {
	return slices.ContainsFunc(list, func(s string) bool { return strings.Contains(s, part) })
}

// A leak reported on the Friday before Labor Day: the 7 business days
// skip the weekend and the holiday (Fri 4 Sep -> Wed 16 Sep), and the rep
// is reminded the day before and on the day, not before.
func TestLeakOnFridayBeforeHoliday(t *testing.T) {
	ctx, r := context.Background(), rules(t)
	st, ct := newStore(t)
	friday := at(t, "2026-09-04 16:00")
	k, err := cases.OpenFromReply(ctx, st, leakReply(t, st, ct, friday), "", r, friday)
	if err != nil {
		t.Fatal(err)
	}
	if k.Kind != cases.Leaking || k.Invoice != "INV-7" || k.Product != "Lavender 15ml" || k.Received != "2026-09-04" {
		t.Fatalf("case %+v", k)
	}
	ds := r.Deadlines(k)
	if len(ds) != 1 || ds[0].Due != day(t, "2026-09-16") {
		t.Fatalf("deadlines %+v, want report by 2026-09-16", ds)
	}
	if got := reminders(t, r, st, k.ID, at(t, "2026-09-14 07:30")); contains(got, "report it") {
		t.Errorf("reminded too early: %q", got)
	}
	if got := reminders(t, r, st, k.ID, at(t, "2026-09-15 07:30")); !contains(got, "report it to the company — tomorrow (Wed 16 Sep)") {
		t.Errorf("day before: %q", got)
	}
	if got := reminders(t, r, st, k.ID, at(t, "2026-09-16 07:30")); !contains(got, "report it to the company — today") {
		t.Errorf("on the day: %q", got)
	}
	if m := cases.Missing(k); !slices.Equal(m, []string{"product code", "expiry date"}) {
		t.Errorf("missing %q", m)
	}
}

// Reported and left alone: the chase reminder comes after 2 business days.
func TestChaseAfterTwoBusinessDays(t *testing.T) {
	ctx, r := context.Background(), rules(t)
	st, ct := newStore(t)
	k, err := cases.OpenByHand(ctx, st, ct.ID, 0, cases.Damaged, chicago, at(t, "2026-12-03 09:00"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cases.Update(ctx, st, k.ID, cases.Change{State: cases.Reported}, at(t, "2026-12-04 11:00")); err != nil {
		t.Fatal(err) // a Friday
	}
	if got := reminders(t, r, st, k.ID, at(t, "2026-12-07 07:30")); contains(got, "chase support") {
		t.Errorf("chased after 1 business day: %q", got)
	}
	if got := reminders(t, r, st, k.ID, at(t, "2026-12-08 07:30")); !contains(got, "chase support about Jane's damaged in transit") {
		t.Errorf("no chase after 2 business days: %q", got)
	}
	events, err := st.CaseEvents(ctx, k.ID)
	if err != nil || len(events) != 2 || events[1].State != cases.Reported {
		t.Errorf("history %+v, %v", events, err)
	}
}

// A RAN issued on day X runs to X+14; the rep hears about the parcel at X+11.
func TestRANDeadlineAndReminder(t *testing.T) {
	ctx, r := context.Background(), rules(t)
	st, ct := newStore(t)
	k, err := cases.OpenByHand(ctx, st, ct.ID, 0, cases.WrongItem, chicago, at(t, "2026-12-01 09:00"))
	if err != nil {
		t.Fatal(err)
	}
	k, err = cases.Update(ctx, st, k.ID, cases.Change{State: cases.Waiting, RAN: "RAN-1", RANIssued: "2026-12-02"}, at(t, "2026-12-02 10:00"))
	if err != nil {
		t.Fatal(err)
	}
	var ran *cases.Deadline
	for _, d := range r.Deadlines(k) {
		if strings.Contains(d.What, "RAN-1") {
			ran = &d
		}
	}
	if ran == nil || ran.Due != day(t, "2026-12-16") {
		t.Fatalf("RAN deadline %+v, want 2026-12-16", ran)
	}
	if got := reminders(t, r, st, k.ID, at(t, "2026-12-12 07:30")); contains(got, "has the parcel gone back") {
		t.Errorf("parcel reminder too early: %q", got)
	}
	if got := reminders(t, r, st, k.ID, at(t, "2026-12-13 07:30")); !contains(got, "RAN-1 runs out in 3 days (Wed 16 Dec)") {
		t.Errorf("no parcel reminder at X+11: %q", got)
	}
	if _, err := cases.Close(ctx, st, k.ID, "replaced", "", at(t, "2026-12-14 09:00")); err != nil {
		t.Fatal(err)
	}
	if got := reminders(t, r, st, k.ID, at(t, "2026-12-15 07:30")); len(got) != 0 {
		t.Errorf("reminders for a closed case: %q", got)
	}
}

// The customer heard nothing for update_every: the rep is reminded.
func TestUpdateEvery(t *testing.T) {
	ctx, r := context.Background(), rules(t)
	st, ct := newStore(t)
	k, err := cases.OpenByHand(ctx, st, ct.ID, 0, cases.Faulty, chicago, at(t, "2026-12-01 09:00"))
	if err != nil {
		t.Fatal(err)
	}
	if got := reminders(t, r, st, k.ID, at(t, "2026-12-03 07:30")); contains(got, "heard nothing") {
		t.Errorf("too early: %q", got)
	}
	if got := reminders(t, r, st, k.ID, at(t, "2026-12-04 07:30")); !contains(got, "Jane has heard nothing") {
		t.Errorf("no update reminder after 3 days: %q", got)
	}
}

// A named company's policy counts an order's deadlines by its own terms.
func TestNamedPolicy(t *testing.T) {
	r := rules(t)
	k := &store.Case{Kind: cases.Leaking, State: cases.Open, Received: "2026-12-01", Company: "acme"}
	if ds := r.Deadlines(k); len(ds) != 1 || ds[0].Due != day(t, "2026-12-04") {
		t.Errorf("acme deadlines %+v, want 2026-12-04 (3bd)", ds)
	}
	k.Company = ""
	if ds := r.Deadlines(k); len(ds) != 1 || ds[0].Due != day(t, "2026-12-10") {
		t.Errorf("default deadlines %+v, want 2026-12-10 (7bd)", ds)
	}
}

func TestBadInputIsUsage(t *testing.T) {
	ctx := context.Background()
	st, ct := newStore(t)
	if _, err := cases.OpenByHand(ctx, st, ct.ID, 0, "exploded", chicago, at(t, "2026-12-01 09:00")); err == nil || !strings.Contains(err.Error(), "unknown kind") {
		t.Errorf("bad kind: %v", err)
	}
	k, err := cases.OpenByHand(ctx, st, ct.ID, 0, cases.Other, chicago, at(t, "2026-12-01 09:00"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := cases.Update(ctx, st, k.ID, cases.Change{Received: "yesterday"}, at(t, "2026-12-01 10:00")); err == nil {
		t.Error("a bad date was taken")
	}
	if _, err := cases.Close(ctx, st, k.ID, "shrugged", "", at(t, "2026-12-01 10:00")); err == nil {
		t.Error("a bad outcome was taken")
	}
}
