package store

import (
	"context"
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
// not the row asking, not other days; TextsAllBetween counts every
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
	got, err := s.DayMessages(ctx, 1, ids[0], 100, 200)
	if err != nil {
		t.Fatal(err)
	}
	if want := "[{c sent-today sent} {c due-today pending} {c on-wire sending}]"; fmt.Sprint(got) != want {
		t.Errorf("day messages %v, want %v", got, want)
	}
	if n, err := s.TextsAllBetween(ctx, 100, 200); err != nil || n != 2 {
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
