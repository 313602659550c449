package store

import (
	"context"
	"slices"
	"testing"
)

// The dispatcher and the timelines share one pause rule: the rows a
// timeline marks Paused are exactly the pending rows DueMessages leaves
// out, whatever the replies and the pausing campaigns.
func TestTimelineMarksThePausedRowsDueLeavesOut(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	var amy, bob int64
	var amyReply int64
	err := s.Tx(ctx, func(tx *Tx) error {
		var err error
		if amy, err = addRows(ctx, tx, "amy@example.com", "post-order", "welcome"); err != nil {
			return err
		}
		if bob, err = addRows(ctx, tx, "bob@example.com", "post-order"); err != nil {
			return err
		}
		r := &Reply{ContactID: amy, Channel: "sms", ExternalID: "SM1", From: "+13125550142", ReceivedAt: 3}
		_, err = tx.AddReply(ctx, r)
		amyReply = r.ID
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	pausing := []string{"post-order"}
	check := func(when string, pausing []string, want map[int64][]string) {
		t.Helper()
		due, err := s.DueMessages(ctx, 10, 100, DueFilter{Pausing: pausing})
		if err != nil {
			t.Fatal(err)
		}
		taken := map[int64]bool{}
		for _, d := range due {
			taken[d.ID] = true
		}
		for _, contact := range []int64{amy, bob} {
			rows, err := s.ContactTimeline(ctx, contact, Holds{Pausing: pausing})
			if err != nil {
				t.Fatal(err)
			}
			var paused []string
			for _, r := range rows {
				if r.Paused {
					paused = append(paused, r.Campaign+"/"+r.State)
				}
				if r.State == Pending && r.Paused == taken[r.ID] {
					t.Errorf("%s: %s/%s paused %v, taken by the dispatcher %v", when, r.Campaign, r.Step, r.Paused, taken[r.ID])
				}
			}
			if !slices.Equal(paused, want[contact]) {
				t.Errorf("%s: contact %d paused rows %v, want %v", when, contact, paused, want[contact])
			}
		}
	}
	check("reply waiting", pausing, map[int64][]string{amy: {"post-order/pending"}})
	check("no campaign pauses", nil, nil)
	if err := s.Tx(ctx, func(tx *Tx) error { _, err := tx.HandleReply(ctx, amyReply, 5); return err }); err != nil {
		t.Fatal(err)
	}
	check("reply handled", pausing, nil)
}

// addRows adds a contact with a journey in each campaign, each with a
// pending row due at 5 and a sent one; it returns the contact's id.
func addRows(ctx context.Context, tx *Tx, email string, campaigns ...string) (int64, error) {
	c := &Contact{Email: email}
	if _, err := tx.UpsertContact(ctx, c, 1); err != nil {
		return 0, err
	}
	for _, cp := range campaigns {
		j := &Journey{Campaign: cp, ContactID: c.ID, TriggerAt: 1, CreatedAt: 1}
		if _, err := tx.AddJourney(ctx, j); err != nil {
			return 0, err
		}
		rows := []Message{
			{JourneyID: j.ID, ContactID: c.ID, Campaign: cp, Step: "next", Channel: "email", DueAt: 5, CreatedAt: 1},
			{JourneyID: j.ID, ContactID: c.ID, Campaign: cp, Step: "first", Channel: "email", DueAt: 2, CreatedAt: 1, State: Sent},
		}
		if _, err := tx.AddMessages(ctx, rows); err != nil {
			return 0, err
		}
	}
	return c.ID, nil
}
