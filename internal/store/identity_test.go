package store

import (
	"context"
	"reflect"
	"testing"
)

// Email is a contact's identity: a row with a new email and a stored
// contact's phone is someone else (a household sharing a phone), stored
// without the phone; it must never turn the stored contact into them.
func TestMergeContactNeverMergesTwoPeople(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	err := s.Tx(ctx, func(tx *Tx) error {
		alice := &Contact{FirstName: "Alice", Email: "alice@example.com", Phone: "+13125550111"}
		mustMerge(t, tx, alice, Inserted)

		bob := &Contact{FirstName: "Bob", Email: "bob@example.com", Phone: "+13125550111"}
		u := mustMerge(t, tx, bob, Inserted)
		if u.PhoneOwner == nil || u.PhoneOwner.ID != alice.ID || bob.ID == alice.ID || bob.Phone != "" {
			t.Fatalf("Bob: %+v, phone owner %+v; want a new contact without Alice's phone", bob, u.PhoneOwner)
		}
		if got, _ := s.contactIn(ctx, tx, alice.ID); got.FirstName != "Alice" || got.Email != "alice@example.com" {
			t.Fatalf("Alice became %+v", got)
		}

		// Bob again, now with his own phone and Alice's: his own email
		// wins, and the phone stays hers.
		again := &Contact{Email: "bob@example.com", Phone: "+13125550111"}
		if u := mustMerge(t, tx, again, Unchanged); u.PhoneOwner == nil || again.ID != bob.ID || again.Phone != "" {
			t.Fatalf("Bob again: %+v, %+v", again, u)
		}

		// No email: the phone is the identity, and the change is told.
		noEmail := &Contact{FirstName: "Ali", Phone: "+13125550111"}
		u = mustMerge(t, tx, noEmail, Updated)
		want := []Change{{Field: "first_name", Old: "Alice", New: "Ali"}}
		if noEmail.ID != alice.ID || u.PhoneOwner != nil || !reflect.DeepEqual(u.Changes, want) {
			t.Fatalf("row without email: %+v, %+v; want Alice renamed, told as %+v", noEmail, u, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A contact known only by phone takes the email of the first row with that
// phone: nobody else has a claim on the number. The change is told.
func TestMergeContactGivesAPhoneOnlyContactItsEmail(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	err := s.Tx(ctx, func(tx *Tx) error {
		pat := &Contact{FirstName: "Pat", Phone: "+13125550177"}
		mustMerge(t, tx, pat, Inserted)
		row := &Contact{FirstName: "Pat", Email: "pat@example.com", Phone: "+13125550177"}
		u := mustMerge(t, tx, row, Updated)
		want := []Change{{Field: "email", Old: "", New: "pat@example.com"}}
		if row.ID != pat.ID || !reflect.DeepEqual(u.Changes, want) {
			t.Fatalf("%+v, %+v; want Pat with an email, told as %+v", row, u, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func mustMerge(t *testing.T, tx *Tx, c *Contact, want UpsertResult) *Upsert {
	t.Helper()
	u, err := tx.MergeContact(context.Background(), c, 100)
	if err != nil || u.Result != want {
		t.Fatalf("MergeContact(%+v) = %+v, %v; want result %v", c, u, err, want)
	}
	return u
}

func (s *Store) contactIn(ctx context.Context, tx *Tx, id int64) (*Contact, error) {
	return one[Contact](ctx, s, tx, "contact-by-id", id)
}
