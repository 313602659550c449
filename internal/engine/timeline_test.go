package engine_test

import (
	"strings"
	"testing"

	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/store"
)

const historyCampaign = `
name = "Test"
trigger = "order"
[[step]]
id = "sheet"
after = "0d"
until = "3d"
channel = "email"
template = "note"
[[step]]
id = "checkin"
after = "4w"
until = "6w"
channel = "email"
template = "note"
[[step]]
id = "someday"
after = "2w"
channel = "email"
template = "note"
[[step]]
id = "tips"
after = "5w"
every = "1mo"
channel = "email"
template = "note"
`

// An order recorded five weeks late (an import of past orders): the
// one-off steps already past their until are counted, not queued; the
// timeline still shows them, skipped, in their place; a step without
// until is due at once; the repeating one starts at its next occurrence.
func TestPassedStepsAreCountedNotQueued(t *testing.T) {
	h := newHarness(t, historyCampaign)
	h.clock.Set(local(t, "2026-02-20 09:00"))
	ct := h.customer("Jane", "jane@example.com", "")
	var got engine.Enrolled
	o := &store.Order{ContactID: ct.ID, Date: "2026-01-15", Invoice: "INV-1", Items: "Lavender 15ml", CreatedAt: h.clock.Now().Unix()}
	err := h.st.Tx(h.ctx, func(tx *store.Tx) error {
		if _, err := tx.AddOrder(h.ctx, o); err != nil {
			return err
		}
		var err error
		got, err = h.content.Enroll(h.ctx, tx, ct, o, h.clock.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Journeys != 1 || got.Late != 1 {
		t.Errorf("enrolled %+v, want 1 journey with 1 late step (sheet)", got)
	}
	var queued []string
	for _, r := range h.rows(ct) {
		queued = append(queued, r.Step+":"+r.State)
	}
	if want := "someday:pending checkin:pending tips:pending"; strings.Join(queued, " ") != want {
		t.Errorf("queue rows %q, want %q", strings.Join(queued, " "), want)
	}

	rows, err := h.content.Timeline(h.ctx, h.st, ct)
	if err != nil {
		t.Fatal(err)
	}
	var shown []string
	for i, r := range rows {
		shown = append(shown, r.Step+":"+r.State)
		if i > 0 && r.DueAt < rows[i-1].DueAt {
			t.Errorf("timeline out of order at %s", r.Step)
		}
	}
	if want := "sheet:skipped someday:pending checkin:pending tips:pending"; strings.Join(shown, " ") != want {
		t.Errorf("timeline %q, want %q", strings.Join(shown, " "), want)
	}
	sheet := rows[0]
	if sheet.Note != engine.LateNote || sheet.Order.Items != "Lavender 15ml" || sheet.Contact.Email != "jane@example.com" {
		t.Errorf("passed step %+v: want LateNote with its order and contact, to render", sheet)
	}
	if want := local(t, "2026-01-15 10:00").Unix(); sheet.DueAt != want {
		t.Errorf("passed step due %d, want %d (its moment, 10:00 on the order date)", sheet.DueAt, want)
	}

	// Nothing is sent for it later, and a dispatcher pass does not queue it.
	h.tickAt(local(t, "2026-02-20 10:00"))
	if n := h.count(ct, "sheet", "sent") + h.count(ct, "sheet", "pending"); n != 0 {
		t.Errorf("a passed step was queued or sent: %d rows", n)
	}
}

// The timeline shows each pending step as it would go for this customer:
// an email step for a customer without email is skipped and says why, a
// text for one without consent shows the email it falls back to, a
// marketing email for one who declined it is skipped; two orders on one
// day show each moment once.
func TestTimelineShowsRealChannelAndState(t *testing.T) {
	const cp = `name = "Test"
trigger = "order"
[[step]]
id = "sheet"
after = "0d"
channel = "email"
template = "note"
purpose = "service"
[[step]]
id = "arrival"
after = "5d"
channel = "sms"
fallback = "email"
template = "note"
purpose = "service"
[[step]]
id = "tips"
after = "5w"
channel = "email"
template = "note"
purpose = "marketing"
`
	h := newHarness(t, cp)
	h.clock.Set(local(t, "2026-03-02 08:00"))
	phoneOnly := &store.Contact{FirstName: "Pat", Phone: "+13125550177", Timezone: "America/Chicago"}
	noConsent := h.customer("Nora", "nora@example.com", "")
	err := h.st.Tx(h.ctx, func(tx *store.Tx) error {
		if _, err := tx.UpsertContact(h.ctx, phoneOnly, 1); err != nil {
			return err
		}
		if _, err := tx.ExecContext(h.ctx, "UPDATE contacts SET phone = '+13125550178' WHERE id = ?", noConsent.ID); err != nil {
			return err
		}
		return tx.SetEmailMarketing(h.ctx, noConsent.ID, false, "page", 1)
	})
	if err != nil {
		t.Fatal(err)
	}
	h.order(phoneOnly, "2026-03-02")
	h.order(noConsent, "2026-03-02")
	o2 := &store.Order{ContactID: noConsent.ID, Date: "2026-03-02", Invoice: "SECOND", CreatedAt: h.clock.Now().Unix()}
	err = h.st.Tx(h.ctx, func(tx *store.Tx) error {
		if _, err := tx.AddOrder(h.ctx, o2); err != nil {
			return err
		}
		_, err := h.content.Enroll(h.ctx, tx, noConsent, o2, h.clock.Now())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	show := func(ct *store.Contact) string {
		ct, err := h.st.Contact(h.ctx, ct.ID)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := h.content.Timeline(h.ctx, h.st, ct)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, r := range rows {
			out = append(out, r.Step+":"+r.Channel+":"+r.State)
			if r.State == store.Skipped && !strings.HasPrefix(r.Note, "not sent: ") {
				t.Errorf("%s skipped without why: %q", r.Step, r.Note)
			}
		}
		return strings.Join(out, " ")
	}
	if got, want := show(phoneOnly), "sheet:email:skipped arrival:sms:skipped tips:email:skipped"; got != want {
		t.Errorf("customer with a phone and no consent nor email:\n got %s\nwant %s", got, want)
	}
	if got, want := show(noConsent), "sheet:email:pending arrival:email:pending tips:email:skipped"; got != want {
		t.Errorf("customer without text consent who declined tips, two orders on one day:\n got %s\nwant %s", got, want)
	}
}
