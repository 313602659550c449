package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"testing"
)

// TestConversationsPages: 260 customers who wrote (some flagged, some
// handled, latest times that tie) are read a page at a time; the pages,
// end to end, are every conversation once, waiting ones first, flagged
// ones on top, then the latest, as the home page promises.
func TestConversationsPages(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	bulkContacts(t, s, 300)
	err := s.Tx(ctx, func(tx *Tx) error {
		for i := range 260 {
			r := &Reply{ContactID: int64(i + 1), Channel: "sms", ExternalID: fmt.Sprintf("SM%d", i), From: "+17735550100",
				Body: fmt.Sprint("hi ", i), ReceivedAt: int64(1000 + i%41)}
			if i%7 == 0 {
				r.Flags = "leaking"
			}
			if i%3 == 0 {
				r.HandledAt = 5000
				r.Flags = ""
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
	var got []Conversation
	pages := 0
	for cur := (ConversationCursor{}); ; pages++ {
		page, next, err := s.ConversationsPage(ctx, cur, 50)
		if err != nil {
			t.Fatal(err)
		}
		if len(page) > 50 {
			t.Fatalf("a page of %d conversations", len(page))
		}
		got = append(got, page...)
		if next == nil {
			break
		}
		cur = *next
	}
	want := slices.Clone(got)
	slices.SortFunc(want, func(a, b Conversation) int {
		return cmp.Or(cmp.Compare(b2n(a.Open == 0), b2n(b.Open == 0)), cmp.Compare(b2n(a.Flags == ""), b2n(b.Flags == "")),
			cmp.Compare(b.LastAt, a.LastAt), cmp.Compare(a.ContactID, b.ContactID))
	})
	seen := map[int64]bool{}
	for i, c := range got {
		if seen[c.ContactID] {
			t.Fatalf("contact %d listed twice", c.ContactID)
		}
		seen[c.ContactID] = true
		if c.ContactID != want[i].ContactID {
			t.Fatalf("row %d is contact %d, want %d", i, c.ContactID, want[i].ContactID)
		}
	}
	if len(got) != 260 || pages != 5 {
		t.Errorf("%d conversations in %d pages, want 260 in 6", len(got), pages+1)
	}
	if got[0].Flags != "leaking" || got[0].Open != 1 || got[0].LastBody == "" {
		t.Errorf("first conversation %+v, want a flagged one waiting, with its words", got[0])
	}
}

func b2n(b bool) int {
	if b {
		return 1
	}
	return 0
}
