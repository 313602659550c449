package engine_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/store"
)

// sentTexts records n texts sent at at to a customer of their own journey,
// as a busy day of other customers' texts would leave the queue.
func sentTexts(t *testing.T, h *harness, n int, at time.Time) {
	t.Helper()
	sentMessages(t, h, channel.SMS, n, at)
}

// sentMessages is sentTexts on any channel.
func sentMessages(t *testing.T, h *harness, ch string, n int, at time.Time) {
	t.Helper()
	other := h.customer("Other", "other@example.com", "+13125550199")
	h.order(other, "2025-12-01")
	js, err := h.st.JourneysOf(h.ctx, other.ID)
	if err != nil || len(js) == 0 {
		t.Fatalf("journeys: %v %v", js, err)
	}
	ms := make([]store.Message, n)
	for i := range ms {
		ms[i] = store.Message{JourneyID: js[0].ID, ContactID: other.ID, Campaign: "bulk", Step: "bulk", Occurrence: i,
			Channel: ch, DueAt: at.Unix(), CreatedAt: at.Unix()}
	}
	err = h.st.Tx(h.ctx, func(tx *store.Tx) error {
		if _, err := tx.AddMessages(h.ctx, ms); err != nil {
			return err
		}
		_, err := tx.ExecContext(h.ctx, "UPDATE messages SET state = 'sent', sent_at = ? WHERE campaign = 'bulk'", at.Unix())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// [sms] max_per_day: with 1000 texts gone today, the 1001st waits for the
// next day's first allowed hour, and the digest is told once.
func TestDailyTextCapHoldsTheNextText(t *testing.T) {
	h := newHarness(t, morningText)
	h.content.Rules.MaxSMSPerDay = 1000
	ct := h.customer("Emily", "emily@example.com", "+13125550142")
	sentTexts(t, h, 999, local(t, "2026-03-03 07:59"))
	h.clock.Set(local(t, "2026-03-02 09:00"))
	h.order(ct, "2026-03-02")

	// 999 gone: the 1000th still goes.
	h.tickAt(local(t, "2026-03-03 08:00"))
	h.only(ct, "morning", store.Sent)

	second := h.customer("Sam", "sam@example.com", "+13125550143")
	h.order(second, "2026-03-02")
	h.tickAt(local(t, "2026-03-03 08:01"))
	r := h.only(second, "morning", store.Pending)
	if got := time.Unix(r.DueAt, 0); !got.Equal(local(t, "2026-03-04 08:00")) {
		t.Errorf("the 1001st text moved to %s, want the next day at 08:00", got.In(chicago))
	}
	if !strings.Contains(r.Note, "max_per_day") {
		t.Errorf("note %q does not name the cap", r.Note)
	}
	third := h.customer("Lu", "lu@example.com", "+13125550144")
	h.order(third, "2026-03-02")
	h.tickAt(local(t, "2026-03-03 15:00"))
	h.only(third, "morning", store.Pending)
	capNotices := 0
	for _, n := range h.notices() {
		if n.Kind == store.NoticeCapped && strings.Contains(n.Text, "max_per_day") {
			capNotices++
		}
	}
	if capNotices != 1 {
		t.Errorf("%d notices of the cap, want 1 for the digest: %+v", capNotices, h.notices())
	}
	body := digestAt(t, h, local(t, "2026-03-04 07:30"))
	want := "HELD FOR THE NEXT DAY BY THE DAILY LIMIT\n- 2 texts wait for the next day: the daily limit of 1000 was reached on Tue 3 Mar ([sms] max_per_day in config.toml)\n"
	if !strings.Contains(body, want) {
		t.Errorf("digest lacks %q:\n%s", want, body)
	}
	h.tickAt(local(t, "2026-03-04 08:00"))
	h.only(second, "morning", store.Sent)
}

// digestAt composes the rep's digest at now and returns its body.
func digestAt(t *testing.T, h *harness, now time.Time) string {
	t.Helper()
	h.content.NotifyEmail = "amy@example.com"
	h.clock.Set(now)
	if err := h.eng.Digest(h.ctx); err != nil {
		t.Fatal(err)
	}
	ms, err := h.st.DueRepMessages(h.ctx, now.Unix(), 10)
	if err != nil || len(ms) != 1 {
		t.Fatalf("rep messages %+v, %v; want the digest", ms, err)
	}
	return ms[0].Body
}

// A Texas number's text due Sunday 11:00 waits for noon; a Rhode Island
// number's due Saturday 17:30 waits for Monday 09:00 (no texts on
// Sundays there); both in the
// customer's own time, the weekend the clocks change, and the note names
// the law.
func TestStateQuietHoursHoldTexts(t *testing.T) {
	tests := []struct {
		name, phone, zone, order, at, due, want, law string
	}{
		{"Texas Sunday", "+15125550100", "America/Chicago", "2026-03-07", "11:00", "2026-03-08 11:00", "2026-03-08 12:00", "Tex. Bus. & Com. Code"},
		{"Rhode Island Saturday", "+14015550100", "America/New_York", "2026-10-30", "17:30", "2026-10-31 17:30", "2026-11-02 09:00", "R.I. Gen. Laws"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, strings.Replace(morningText, `at = "08:00"`, `at = "`+tt.at+`"`, 1))
			loc := mustZone(tt.zone)
			ct := &store.Contact{FirstName: "Kim", Phone: tt.phone, Timezone: tt.zone, SMSConsent: true, ConsentKnown: true,
				SMSConsentAt: "2026-01-10", SMSConsentSource: "signed order form"}
			if err := h.st.Tx(h.ctx, func(tx *store.Tx) error { _, err := tx.UpsertContact(h.ctx, ct, 1); return err }); err != nil {
				t.Fatal(err)
			}
			in := func(s string) time.Time {
				tm, err := time.ParseInLocation("2006-01-02 15:04", s, loc)
				if err != nil {
					t.Fatal(err)
				}
				return tm
			}
			h.clock.Set(in(tt.order + " 09:00"))
			h.order(ct, tt.order)
			h.tickAt(in(tt.due))
			r := h.only(ct, "morning", store.Pending)
			if got := time.Unix(r.DueAt, 0); !got.Equal(in(tt.want)) {
				t.Errorf("moved to %s, want %s local", got.In(loc), tt.want)
			}
			if !strings.Contains(r.Note, tt.law) {
				t.Errorf("note %q does not name the law", r.Note)
			}
			h.tickAt(in(tt.want))
			h.only(ct, "morning", store.Sent)
		})
	}
}

// addKim stores a customer who agreed to texts in writing, with a phone
// and an address state, in zone.
func addKim(t *testing.T, h *harness, phone, state, zone string) *store.Contact {
	t.Helper()
	ct := &store.Contact{FirstName: "Kim", Phone: phone, State: state, Timezone: zone, SMSConsent: true, ConsentKnown: true,
		SMSConsentAt: "2026-01-10", SMSConsentSource: "signed order form"}
	if err := h.st.Tx(h.ctx, func(tx *store.Tx) error { _, err := tx.UpsertContact(h.ctx, ct, 1); return err }); err != nil {
		t.Fatal(err)
	}
	return ct
}

// The address's state decides the law before the number's area code
// does: a Chicago number at a Texas address waits for Sunday noon; a
// Texas number at an Illinois address goes at 11:00.
func TestAddressStateBeforeAreaCode(t *testing.T) {
	tests := []struct {
		name, phone, state string
		want               string
	}{
		{"Chicago number, Texas address", "+13125550100", "TX", "2026-03-08 12:00"},
		{"Texas number, Illinois address", "+15125550100", "IL", "2026-03-08 11:00"},
		{"Texas number, no address", "+15125550100", "", "2026-03-08 12:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, strings.Replace(morningText, `at = "08:00"`, `at = "11:00"`, 1))
			ct := addKim(t, h, tt.phone, tt.state, "America/Chicago")
			h.clock.Set(local(t, "2026-03-07 09:00"))
			h.order(ct, "2026-03-07")
			h.tickAt(local(t, "2026-03-08 11:00"))
			want := local(t, tt.want)
			state := store.Pending
			if want.Equal(local(t, "2026-03-08 11:00")) {
				state = store.Sent
			}
			r := h.only(ct, "morning", state)
			if state == store.Pending && !time.Unix(r.DueAt, 0).Equal(want) {
				t.Errorf("moved to %s, want %s", time.Unix(r.DueAt, 0).In(chicago), tt.want)
			}
		})
	}
}

// The timeline predicts when a pending text really goes and names the
// rule that holds it: the state's Sunday hours with their statute, or the
// rep's allowed hours; a text due inside both goes when due.
func TestTimelinePredictsHeldTexts(t *testing.T) {
	tests := []struct {
		name, phone, state, at string
		goes, held             string
	}{
		{"Texas Sunday", "+15125550100", "", "11:00", "2026-03-08 12:00", "held to 12:00 by Texas's Sunday hours, Tex. Bus. & Com. Code"},
		{"Rhode Island address", "+13125550100", "RI", "19:30", "2026-03-09 09:00", "held to Mon 09:00 by Rhode Island's Sunday hours, R.I. Gen. Laws § 5-61-3.6"},
		{"allowed hours", "+13125550100", "", "07:00", "2026-03-08 08:00", "held to 08:00 by your allowed hours ([sending] allowed_hours = 08:00-20:00"},
		{"inside both", "+13125550100", "", "13:00", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, strings.Replace(morningText, `at = "08:00"`, `at = "`+tt.at+`"`, 1))
			ct := addKim(t, h, tt.phone, tt.state, "America/Chicago")
			h.clock.Set(local(t, "2026-03-07 09:00"))
			h.order(ct, "2026-03-07")
			rows, err := h.content.Timeline(h.ctx, h.st, ct)
			if err != nil || len(rows) != 1 {
				t.Fatalf("timeline %+v, %v", rows, err)
			}
			r := rows[0]
			if tt.goes == "" {
				if r.Goes != 0 || r.HeldBy != "" {
					t.Errorf("goes %d, held %q; want neither", r.Goes, r.HeldBy)
				}
				return
			}
			if got := time.Unix(r.Goes, 0); !got.Equal(local(t, tt.goes)) {
				t.Errorf("goes %s, want %s", got.In(chicago), tt.goes)
			}
			if !strings.HasPrefix(r.HeldBy, tt.held) {
				t.Errorf("held by %q, want it to start %q", r.HeldBy, tt.held)
			}
		})
	}
}
