package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"testing"
)

// Email marketing is unknown until said, and reads back through both the
// contact and the queue row (what the dispatcher sees).
func TestEmailMarketingRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	var j *Journey
	err := s.Tx(ctx, func(tx *Tx) error {
		var err error
		if j, err = addJourney(ctx, tx); err != nil {
			return err
		}
		_, err = tx.AddMessages(ctx, []Message{{JourneyID: j.ID, ContactID: j.ContactID, Campaign: "post-order", Step: "s", Channel: "email", DueAt: 5, CreatedAt: 1}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	ct, err := s.Contact(ctx, j.ContactID)
	if err != nil || ct.EmailMarketing.Valid || ct.MarketingEmailDeclined() {
		t.Fatalf("new contact %+v, %v: want email marketing unknown, not declined", ct, err)
	}
	if err := s.Tx(ctx, func(tx *Tx) error { return tx.SetEmailMarketing(ctx, ct.ID, false, "page", 2) }); err != nil {
		t.Fatal(err)
	}
	due, err := s.DueMessages(ctx, 10, 10, DueFilter{})
	if err != nil || len(due) != 1 || !due[0].Contact.MarketingEmailDeclined() {
		t.Fatalf("due %+v, %v: want the row's contact to have declined marketing email", due, err)
	}
	if ct, err = s.Contact(ctx, ct.ID); err != nil || !ct.MarketingEmailDeclined() || ct.EmailStatus != Subscribed {
		t.Errorf("contact %+v, %v: want marketing declined, email still subscribed", ct, err)
	}
}

// DayMessages sees the day's sent rows and the rows still due that day,
// not other days, by contact; SentAllBetween counts every
// customer's texts of the day and those on the wire.
func TestDayMessagesAndTextsOfTheDay(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	rows := []struct {
		step, channel, state string
		due, sent            int64
	}{
		{"asking", "email", Pending, 100, 0},
		{"sent-today", "sms", Sent, 50, 110},
		{"sent-yesterday", "sms", Sent, 10, 20},
		{"due-today", "email", Pending, 150, 0},
		{"due-tomorrow", "email", Pending, 250, 0},
		{"task", "task", Pending, 120, 0},
		{"on-wire", "sms", Sending, 90, 0},
	}
	var ids []int64
	err := s.Tx(ctx, func(tx *Tx) error {
		j, err := addJourney(ctx, tx)
		if err != nil {
			return err
		}
		for _, r := range rows {
			if _, err := tx.AddMessages(ctx, []Message{{JourneyID: j.ID, ContactID: j.ContactID, Campaign: "c", Step: r.step, Channel: r.channel, DueAt: r.due, CreatedAt: 1}}); err != nil {
				return err
			}
			var id int64
			if err := tx.GetContext(ctx, &id, "SELECT max(id) FROM messages"); err != nil {
				return err
			}
			ids = append(ids, id)
			if _, err := tx.ExecContext(ctx, "UPDATE messages SET state = ?, sent_at = ? WHERE id = ?", r.state, r.sent, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.DayMessages(ctx, []int64{1, 2}, 100, 200)
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, m := range got[1] {
		steps = append(steps, m.Step+" "+m.State)
	}
	if want := "[asking pending sent-today sent due-today pending on-wire sending]"; fmt.Sprint(steps) != want || len(got) != 1 {
		t.Errorf("day messages %v (%d contacts), want %v of contact 1", steps, len(got), want)
	}
	if got[1][0].ID != ids[0] || got[1][1].SentAt != 110 || got[1][2].DueAt != 150 {
		t.Errorf("day messages %+v: want their ids, sent and due times", got[1])
	}
	if n, err := s.SentAllBetween(ctx, "sms", 100, 200); err != nil || n != 2 {
		t.Errorf("texts of the day %d, %v; want 2 (one sent, one on the wire)", n, err)
	}
}

// The carrier's daily cap is counted before every text: through the
// partial indexes of the day's texts and of those on the wire, never the
// whole queue.
func TestTextsOfTheDayUseTheirIndexes(t *testing.T) {
	s := openTest(t)
	plan := explain(t, s, mustText(t, s, "texts-sent-between-all"), 1, 2)
	for _, want := range []string{"INDEX messages_sms_sent", "INDEX messages_sending"} {
		if !strings.Contains(plan, want) {
			t.Errorf("plan does not use %s:\n%s", want, plan)
		}
	}
	for _, step := range strings.Split(plan, "\n") {
		if step == "SCAN messages" {
			t.Errorf("plan reads the whole queue:\n%s", plan)
		}
	}
}

// What an import says about email only ever stops mail: an unsubscribe or
// bounce is recorded, a yes fills an unknown but never overturns a no,
// and the same answer keeps the date and source it was first given with.
func TestUpsertEmailConsentOnlyStopsMail(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	no := sql.NullBool{Valid: true, Bool: false}
	yes := sql.NullBool{Valid: true, Bool: true}
	steps := []struct {
		in         Contact
		res        UpsertResult
		marketing  sql.NullBool
		at, source string
		status     string
	}{
		{Contact{Email: "a@example.com"}, Inserted, sql.NullBool{}, "", "", Subscribed},
		{Contact{Email: "a@example.com", EmailMarketing: yes, EmailMarketingAt: "2026-01-02", EmailMarketingSource: "form"},
			Updated, yes, "2026-01-02", "form", Subscribed},
		{Contact{Email: "a@example.com", EmailMarketing: yes, EmailMarketingAt: "2026-02-02", EmailMarketingSource: "import"},
			Unchanged, yes, "2026-01-02", "form", Subscribed},
		{Contact{Email: "a@example.com", EmailMarketing: no, EmailMarketingAt: "2026-03-03", EmailMarketingSource: "shopify"},
			Updated, no, "2026-03-03", "shopify", Subscribed},
		{Contact{Email: "a@example.com", EmailMarketing: yes, EmailMarketingAt: "2026-04-04", EmailMarketingSource: "old file"},
			Unchanged, no, "2026-03-03", "shopify", Subscribed},
		{Contact{Email: "a@example.com", EmailStatus: Unsubscribed}, Updated, no, "2026-03-03", "shopify", Unsubscribed},
		{Contact{Email: "a@example.com", EmailStatus: Subscribed}, Unchanged, no, "2026-03-03", "shopify", Unsubscribed},
		{Contact{Email: "b@example.com", EmailStatus: Bounced, EmailMarketing: no, EmailMarketingAt: "2026-05-05", EmailMarketingSource: "mailchimp"},
			Inserted, no, "2026-05-05", "mailchimp", Bounced},
	}
	for i, st := range steps {
		c := st.in
		var res UpsertResult
		err := s.Tx(ctx, func(tx *Tx) error {
			var err error
			res, err = tx.UpsertContact(ctx, &c, int64(i+1))
			return err
		})
		if err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		got, err := s.Contact(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		if res != st.res || got.EmailMarketing != st.marketing || got.EmailMarketingAt != st.at ||
			got.EmailMarketingSource != st.source || got.EmailStatus != st.status {
			t.Errorf("step %d: %v, stored marketing %v at %q source %q status %q; want %v, %v %q %q %q",
				i, res, got.EmailMarketing, got.EmailMarketingAt, got.EmailMarketingSource, got.EmailStatus,
				st.res, st.marketing, st.at, st.source, st.status)
		}
	}
}

// A text consent already on record with the same answer keeps its date
// and source; a changed answer brings the new ones.
func TestUpsertSameSMSConsentKeepsItsRecord(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	upsert := func(c Contact) (*Contact, UpsertResult) {
		t.Helper()
		var res UpsertResult
		err := s.Tx(ctx, func(tx *Tx) error {
			var err error
			res, err = tx.UpsertContact(ctx, &c, 1)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		got, err := s.Contact(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		return got, res
	}
	upsert(Contact{Phone: "+13125550100", SMSConsent: true, ConsentKnown: true, SMSConsentAt: "2026-01-01", SMSConsentSource: "import of a.csv, 2026-01-01"})
	if got, res := upsert(Contact{Phone: "+13125550100", SMSConsent: true, ConsentKnown: true, SMSConsentAt: "2026-02-01", SMSConsentSource: "import of a.csv, 2026-02-01"}); res != Unchanged || got.SMSConsentAt != "2026-01-01" {
		t.Errorf("same consent imported again: %v, at %q; want unchanged, the first date", res, got.SMSConsentAt)
	}
	if got, res := upsert(Contact{Phone: "+13125550100", SMSConsent: false, ConsentKnown: true, SMSConsentAt: "2026-03-01", SMSConsentSource: "shopify"}); res != Updated || got.SMSConsent || got.SMSConsentAt != "2026-03-01" || got.SMSConsentSource != "shopify" {
		t.Errorf("consent withdrawn: %v, %+v; want updated with the new date and source", res, got)
	}
}
