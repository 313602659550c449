package store

import (
	"context"
	"testing"
)

// The address state is stored on insert (one and many at once), kept when
// a later row leaves it blank, replaced when one gives another, and read
// by the queue rows the dispatcher sees.
func TestContactStateRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	var id, bulkID int64
	err := s.Tx(ctx, func(tx *Tx) error {
		c := &Contact{FirstName: "Jane", Email: "jane@example.com", State: "TX"}
		if _, err := tx.UpsertContact(ctx, c, 100); err != nil {
			return err
		}
		id = c.ID
		if _, err := tx.UpsertContact(ctx, &Contact{Email: "jane@example.com", LastName: "Doe"}, 200); err != nil {
			return err
		}
		bulk := &Contact{FirstName: "Ann", Email: "ann@example.com", State: "RI"}
		if _, err := tx.InsertContacts(ctx, []*Contact{bulk}, 100); err != nil {
			return err
		}
		bulkID = bulk.ID
		j := &Journey{Campaign: "post-order", ContactID: id, TriggerAt: 1, CreatedAt: 1}
		if _, err := tx.AddJourney(ctx, j); err != nil {
			return err
		}
		_, err := tx.AddMessages(ctx, []Message{{JourneyID: j.ID, ContactID: id, Campaign: "post-order", Step: "s", Channel: "sms", DueAt: 5, CreatedAt: 1}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if c, err := s.Contact(ctx, id); err != nil || c.State != "TX" || c.LastName != "Doe" {
		t.Fatalf("contact %+v, %v: want state TX kept by a row without one", c, err)
	}
	if c, err := s.Contact(ctx, bulkID); err != nil || c.State != "RI" {
		t.Fatalf("bulk contact %+v, %v: want state RI", c, err)
	}
	due, err := s.DueMessages(ctx, 10, 10, DueFilter{})
	if err != nil || len(due) != 1 || due[0].Contact.State != "TX" {
		t.Fatalf("due %+v, %v: want the row's contact in TX", due, err)
	}
	err = s.Tx(ctx, func(tx *Tx) error {
		_, err := tx.UpsertContact(ctx, &Contact{Email: "jane@example.com", State: "FL"}, 300)
		return err
	})
	if c, _ := s.Contact(ctx, id); err != nil || c.State != "FL" {
		t.Fatalf("contact %+v, %v: want the new state FL", c, err)
	}
}
