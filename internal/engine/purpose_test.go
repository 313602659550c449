package engine_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/store"
)

// sheetAndTips is the starter campaign's shape: a service policy sheet on
// the order's day and marketing tips monthly from five weeks on.
const sheetAndTips = `name = "Test"
trigger = "order"

[[step]]
id = "sheet"
after = "0d"
until = "3d"
channel = "email"
template = "note"
purpose = "service"

[[step]]
id = "tips"
after = "5w"
every = "1mo"
channel = "email"
template = "note"
purpose = "marketing"
`

// A tip went this morning; an order taken at noon still gets its policy
// sheet today: the tip never pushes a service message to tomorrow.
func TestTipDoesNotHoldBackSameDayPolicySheet(t *testing.T) {
	h := newHarness(t, sheetAndTips)
	ct := h.customer("Jane", "jane@example.com", "")
	h.clock.Set(local(t, "2026-01-01 09:00"))
	h.order(ct, "2026-01-01")
	h.tickAt(local(t, "2026-01-01 10:00"))
	h.tickAt(local(t, "2026-02-05 10:00")) // five weeks on: the first tip
	tip := h.only(ct, "tips", store.Sent)

	h.clock.Set(local(t, "2026-02-05 12:00"))
	h.order(ct, "2026-02-05")
	h.tickAt(local(t, "2026-02-05 12:00"))
	if n := h.count(ct, "sheet", store.Sent); n != 2 {
		t.Fatalf("%d policy sheets sent, want 2 (the second on the order's day): %+v", n, h.rows(ct))
	}
	for _, r := range h.rows(ct) {
		if r.Step == "sheet" && r.State == store.Sent && r.SentAt > tip.SentAt {
			if got := time.Unix(r.SentAt, 0); !got.Equal(local(t, "2026-02-05 12:00")) {
				t.Errorf("the noon order's sheet went %s, want at noon the same day", got.In(chicago))
			}
		}
	}
}

// laterSheet is a service step due in the afternoon and a marketing one
// due the morning of the same day.
const laterSheet = `name = "Test"
trigger = "order"

[[step]]
id = "sheet"
after = "0d"
at = "14:00"
channel = "email"
template = "note"
purpose = "service"

[[step]]
id = "tips"
after = "0d"
at = "10:00"
channel = "email"
template = "note"
purpose = "marketing"
`

// A marketing step due on a day a service step is due waits for the next
// day, even when it comes first: the day belongs to the order.
func TestMarketingWaitsForSameDayService(t *testing.T) {
	h := newHarness(t, laterSheet)
	ct := h.customer("Jane", "jane@example.com", "")
	h.clock.Set(local(t, "2026-03-02 09:00"))
	h.order(ct, "2026-03-02")
	h.tickAt(local(t, "2026-03-02 10:00"))
	tips := h.only(ct, "tips", store.Pending)
	if got := time.Unix(tips.DueAt, 0); !got.Equal(local(t, "2026-03-03 10:00")) {
		t.Errorf("tip moved to %s, want the next day at 10:00", got.In(chicago))
	}
	if !strings.Contains(tips.Note, "a message about their order goes today") {
		t.Errorf("tip's note %q does not say why it waits", tips.Note)
	}
	h.tickAt(local(t, "2026-03-02 14:00"))
	h.only(ct, "sheet", store.Sent)
	h.tickAt(local(t, "2026-03-03 10:00"))
	h.only(ct, "tips", store.Sent)
}

// A customer who chose "stop tips and news" still gets the policy sheet
// and no tip; one who unsubscribed gets neither.
func TestDeclinedMarketingGetsServiceOnly(t *testing.T) {
	h := newHarness(t, sheetAndTips)
	declined := h.customer("Dora", "dora@example.com", "")
	gone := h.customer("Una", "una@example.com", "")
	err := h.st.Tx(h.ctx, func(tx *store.Tx) error {
		if err := tx.SetEmailMarketing(h.ctx, declined.ID, false, "unsubscribe page", 1); err != nil {
			return err
		}
		return tx.SetEmailStatus(h.ctx, gone.ID, store.Unsubscribed, "unsubscribe link", 1)
	})
	if err != nil {
		t.Fatal(err)
	}
	h.clock.Set(local(t, "2026-01-01 09:00"))
	h.order(declined, "2026-01-01")
	h.order(gone, "2026-01-01")
	h.tickAt(local(t, "2026-01-01 10:00"))
	h.tickAt(local(t, "2026-02-05 10:00"))

	h.only(declined, "sheet", store.Sent)
	if tip := h.only(declined, "tips", store.Skipped); !strings.Contains(tip.Note, "declined tips and news by email") {
		t.Errorf("tip's note %q, want why it was not sent", tip.Note)
	}
	if sheet := h.only(gone, "sheet", store.Skipped); !strings.Contains(sheet.Note, "email unsubscribed") {
		t.Errorf("unsubscribed customer's sheet note %q", sheet.Note)
	}
	h.only(gone, "tips", store.Skipped)
}

// texts has a service text, a marketing text with an email fallback and
// one without, on three days.
const texts = `name = "Test"
trigger = "order"

[[step]]
id = "arrival"
after = "1d"
channel = "sms"
template = "note"
purpose = "service"

[[step]]
id = "promo"
after = "2d"
channel = "sms"
fallback = "email"
template = "note"
purpose = "marketing"

[[step]]
id = "promo-text-only"
after = "3d"
channel = "sms"
template = "note"
purpose = "marketing"
`

// Consent to texts without when and how it was given carries service
// texts, not marketing ones: those fall back to email or are skipped.
func TestMarketingTextNeedsWrittenConsent(t *testing.T) {
	for _, tt := range []struct {
		name, at, source string
		promo, only      string // channel the promos went by; "" skipped
	}{
		{name: "no date", at: "", source: "said so on the phone", promo: channel.Email},
		{name: "no source", at: "2026-01-10", source: "", promo: channel.Email},
		{name: "written", at: "2026-01-10", source: "signed order form", promo: channel.SMS, only: channel.SMS},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, texts)
			ct := &store.Contact{FirstName: "Emily", Email: "emily@example.com", Phone: "+13125550142", Timezone: "America/Chicago",
				SMSConsent: true, ConsentKnown: true, SMSConsentAt: tt.at, SMSConsentSource: tt.source}
			if err := h.st.Tx(h.ctx, func(tx *store.Tx) error { _, err := tx.UpsertContact(h.ctx, ct, 1); return err }); err != nil {
				t.Fatal(err)
			}
			h.clock.Set(local(t, "2026-03-02 09:00"))
			h.order(ct, "2026-03-02")
			for _, day := range []string{"03", "04", "05"} {
				h.tickAt(local(t, "2026-03-"+day+" 10:00"))
			}
			if r := h.only(ct, "arrival", store.Sent); r.Channel != channel.SMS {
				t.Errorf("service text went by %s, want sms", r.Channel)
			}
			if r := h.only(ct, "promo", store.Sent); r.Channel != tt.promo {
				t.Errorf("marketing text with fallback went by %s, want %s", r.Channel, tt.promo)
			}
			if tt.only == "" {
				r := h.only(ct, "promo-text-only", store.Skipped)
				if !strings.Contains(r.Note, "no written consent to marketing texts") {
					t.Errorf("skipped marketing text's note %q", r.Note)
				}
			} else {
				h.only(ct, "promo-text-only", store.Sent)
			}
		})
	}
}

// Two policy sheets due the same morning (orders of yesterday and today):
// the newer goes, the other waits for tomorrow. The one-a-day rule reads
// the day of a batch's contacts at once; the second row of a contact must
// see the first one gone.
func TestSecondServiceMessageOfTheDayWaits(t *testing.T) {
	h := newHarness(t, sheetAndTips)
	ct := h.twoSheetsDue()
	h.tickAt(local(t, "2026-01-02 10:00"))

	var sent, waiting []store.Due
	for _, r := range h.rows(ct) {
		switch {
		case r.Step != "sheet":
		case r.State == store.Sent:
			sent = append(sent, r)
		case r.State == store.Pending:
			waiting = append(waiting, r)
		}
	}
	if len(sent) != 1 || len(waiting) != 1 {
		t.Fatalf("%d sheets sent and %d waiting, want one of each: %+v", len(sent), len(waiting), h.rows(ct))
	}
	if !strings.Contains(waiting[0].Note, "already heard from you today") {
		t.Errorf("the waiting sheet's note %q does not say why", waiting[0].Note)
	}
}

// A contact whose message is on the wire when the batch reads the day is
// read again when its next row comes: here the first sheet fails for now
// (to be tried again), so it is not gone, and the second one, a service
// message too, goes today.
func TestOneADayRereadsAfterAMessageOnTheWire(t *testing.T) {
	h := newHarness(t, sheetAndTips)
	h.eng.BatchSize = 1 // the second sheet is read while the first is on the wire
	h.use(channel.Email, &scripted{next: h.senders[channel.Email], errs: []error{temporary("try again later")}})
	ct := h.twoSheetsDue()
	h.tickAt(local(t, "2026-01-02 10:00"))

	sent, retry := 0, 0
	for _, r := range h.rows(ct) {
		switch {
		case r.Step != "sheet":
		case r.State == store.Sent:
			sent++
		case r.State == store.Pending && r.Error != "":
			retry++
		default:
			t.Errorf("sheet %d %s (%s): want one sent and one to try again", r.ID, r.State, r.Note)
		}
	}
	if sent != 1 || retry != 1 {
		t.Errorf("%d sheets sent and %d to try again, want one of each: %+v", sent, retry, h.rows(ct))
	}
}

// twoSheetsDue adds a customer who ordered on 1 and 2 January: both
// policy sheets are due on the morning of the 2nd.
func (h *harness) twoSheetsDue() *store.Contact {
	h.t.Helper()
	ct := h.customer("Jane", "jane@example.com", "")
	h.clock.Set(local(h.t, "2026-01-01 09:00"))
	h.order(ct, "2026-01-01")
	h.clock.Set(local(h.t, "2026-01-02 09:00"))
	h.order(ct, "2026-01-02")
	return ct
}

// textSheetAndEmailTip is a service text and a marketing email due the
// same moment.
const textSheetAndEmailTip = `name = "Test"
trigger = "order"

[[step]]
id = "sheet"
after = "0d"
channel = "sms"
template = "note"
purpose = "service"

[[step]]
id = "tips"
after = "0d"
channel = "email"
template = "note"
purpose = "marketing"
`

// A service message that is not sent after all (here: no phone for the
// text) does not hold back the day's marketing email: the one-a-day rule
// reads the day again after a contact's first row, whatever became of it.
func TestSkippedServiceMessageDoesNotHoldTheDay(t *testing.T) {
	h := newHarness(t, textSheetAndEmailTip)
	ct := h.customer("Jane", "jane@example.com", "")
	h.clock.Set(local(t, "2026-03-02 09:00"))
	h.order(ct, "2026-03-02")
	h.tickAt(local(t, "2026-03-02 10:00"))
	h.only(ct, "sheet", store.Skipped)
	h.only(ct, "tips", store.Sent)
}
