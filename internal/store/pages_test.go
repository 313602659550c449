package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
)

var (
	firstNames = []string{"Emily", "Daniel", "Grace", "Carlos", "Aisha", "Bob", "Chen", "Zoe"}
	lastNames  = []string{"Carter", "Kim", "Hall", "Diaz", "Okafor", "Smith", "Smithers", "Wu", "Carr"}
)

// bulkContacts stores n contacts through the import's bulk path: names
// from the lists above, emails and phones numbered.
func bulkContacts(t testing.TB, s *Store, n int) {
	t.Helper()
	ctx := context.Background()
	err := s.Tx(ctx, func(tx *Tx) error {
		finish, err := tx.Bulk(ctx, n)
		if err != nil {
			return err
		}
		for start := 0; start < n; start += 1000 {
			var cs []*Contact
			for i := start; i < min(n, start+1000); i++ {
				cs = append(cs, &Contact{FirstName: firstNames[i%len(firstNames)], LastName: lastNames[i%len(lastNames)],
					Email: fmt.Sprintf("c%06d@example.com", i), Phone: fmt.Sprintf("+1773%07d", i)})
			}
			if _, err := tx.InsertContacts(ctx, cs, 1); err != nil {
				return err
			}
		}
		return finish()
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestContactsPages: 100,000 contacts are read a page at a time, by name,
// each page where the last ended; a search by the start of a name, an
// email or a phone pages alike and finds only what matches.
func TestContactsPages(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	const n = 100_000
	bulkContacts(t, s, n)

	page, next, err := s.ContactsPage(ctx, ContactSearch{}, ContactCursor{}, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(page) != 100 || next == nil || page[0].LastName != "Carr" || page[0].FirstName != "Aisha" {
		t.Fatalf("first page: %d rows, next %v, first %+v", len(page), next, page[0])
	}
	// The pages, end to end, are every contact once, in order.
	seen, pages := map[int64]bool{}, 0
	var prev string
	for cur := (ContactCursor{}); ; pages++ {
		page, next, err := s.ContactsPage(ctx, ContactSearch{}, cur, 5000)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range page {
			key := strings.ToLower(c.LastName + " " + c.FirstName)
			if seen[c.ID] || key < prev {
				t.Fatalf("contact %d (%s) repeated or out of order after %q", c.ID, key, prev)
			}
			seen[c.ID], prev = true, key
		}
		if next == nil {
			break
		}
		cur = *next
	}
	if len(seen) != n || pages != n/5000-1 {
		t.Errorf("the pages held %d contacts in %d pages, want %d in %d", len(seen), pages+1, n, n/5000)
	}

	tests := []struct {
		q     ContactSearch
		want  int
		match func(c Contact) bool
	}{
		{ContactSearch{Text: "SMITH"}, 2 * n / len(lastNames), func(c Contact) bool { return strings.HasPrefix(c.LastName, "Smith") }},
		{ContactSearch{Text: "smithe"}, n / len(lastNames), func(c Contact) bool { return c.LastName == "Smithers" }},
		{ContactSearch{Text: "zoe w"}, 1389, // i ≡ 7 (mod 72)
			func(c Contact) bool { return c.FirstName == "Zoe" && c.LastName == "Wu" }},
		{ContactSearch{Text: "c00012"}, 10, func(c Contact) bool { return strings.HasPrefix(c.Email, "c00012") }},
		{ContactSearch{Phones: []string{"+17730001", "+7730001"}}, 1000, func(c Contact) bool { return strings.HasPrefix(c.Phone, "+17730001") }},
		{ContactSearch{Text: "nobody"}, 0, nil},
		// Carr, Carter, Carlos and Chen by name, everyone else by email:
		// each once.
		{ContactSearch{Text: "C"}, n, func(Contact) bool { return true }},
	}
	for _, tt := range tests {
		var got []int64
		for cur := (ContactCursor{}); ; {
			page, next, err := s.ContactsPage(ctx, tt.q, cur, 1000)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range page {
				if !tt.match(c) {
					t.Errorf("search %+v found %+v", tt.q, c)
				}
				got = append(got, c.ID)
			}
			if next == nil {
				break
			}
			cur = *next
		}
		slices.Sort(got)
		if n := len(got); len(slices.Compact(got)) != n || n != tt.want {
			t.Errorf("search %+v found %d contacts (%d distinct), want %d", tt.q, n, len(got), tt.want)
		}
	}
}

// TestRepliesPages: the pages of replies, end to end, are Replies in its
// order, waiting ones or all.
func TestRepliesPages(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	err := s.Tx(ctx, func(tx *Tx) error {
		for i := range 250 {
			r := &Reply{Channel: "sms", ExternalID: fmt.Sprintf("SM%d", i), From: "+17735550100", Body: "hi",
				ReceivedAt: int64(1000 + i%37)} // ties on the time, ordered by id
			if i%7 == 0 {
				r.Flags = "leaking"
			}
			if i%3 == 0 {
				r.HandledAt = 5000
			}
			if _, err := tx.AddReply(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, handledToo := range []bool{false, true} {
		want, err := s.Replies(ctx, handledToo)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for cur := (ReplyCursor{}); ; {
			page, next, err := s.RepliesPage(ctx, handledToo, cur, 40)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) > 40 {
				t.Fatalf("a page of %d replies", len(page))
			}
			for _, r := range page {
				got = append(got, r.ID)
			}
			if next == nil {
				break
			}
			cur = *next
		}
		var ids []int64
		for _, r := range want {
			ids = append(ids, r.ID)
		}
		if !slices.Equal(got, ids) {
			t.Errorf("handledToo=%v: pages give %d replies %v,\nwant %d %v", handledToo, len(got), got, len(ids), ids)
		}
	}
}

// TestContactRepliesAreTheirsInRepliesOrder: a contact's page reads that
// contact's replies alone, in the order of the replies page.
func TestContactRepliesAreTheirsInRepliesOrder(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	bulkContacts(t, s, 3)
	err := s.Tx(ctx, func(tx *Tx) error {
		for i := range 60 {
			r := &Reply{ContactID: int64(i%4) + 1, Channel: "sms", ExternalID: fmt.Sprintf("SM%d", i), From: "+17735550100",
				Body: "hi", ReceivedAt: int64(1000 + i%7)}
			if r.ContactID == 4 { // an unknown sender
				r.ContactID = 0
			}
			if i%5 == 0 {
				r.Flags = "leaking"
			}
			if i%3 == 0 {
				r.HandledAt = 5000
			}
			if _, err := tx.AddReply(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	all, err := s.Replies(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	for id := int64(1); id <= 3; id++ {
		var want []int64
		for _, r := range all {
			if r.ContactID == id {
				want = append(want, r.ID)
			}
		}
		rs, err := s.ContactReplies(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		var got []int64
		for _, r := range rs {
			got = append(got, r.ID)
		}
		if len(want) != 15 || !slices.Equal(got, want) {
			t.Errorf("contact %d: replies %v, want %v", id, got, want)
		}
	}
}
