package engine_test

import (
	"slices"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/store"
)

// The rep's alert about a reply carries the rep's notes on the customer,
// dated in the rep's zone; a change the rep made is no note.
func TestReplyNoteCarriesTheRepsNotes(t *testing.T) {
	h := newHarness(t, oneStep(channel.Email))
	ct := &store.Contact{FirstName: "Jane", Email: "jane@example.net"}
	at := time.Date(2026, 3, 3, 3, 0, 0, 0, time.UTC).Unix() // still the 2nd in Chicago
	err := h.st.Tx(h.ctx, func(tx *store.Tx) error {
		if _, err := tx.UpsertContact(h.ctx, ct, 1); err != nil {
			return err
		}
		for _, e := range []store.HistoryEntry{
			{ContactID: ct.ID, Kind: store.HistoryNote, Who: "rep (cli)", Text: "prefers texts", CreatedAt: at},
			{ContactID: ct.ID, Kind: store.HistoryChange, Who: "rep (cli)", Text: "paused their messages", CreatedAt: at},
		} {
			if err := tx.AddHistory(h.ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	n, err := h.eng.ReplyNote(h.ctx, h.content, &store.Reply{ContactID: ct.ID, Channel: channel.Email, From: ct.Email, Body: "Hi"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"2026-03-02: prefers texts"}; !slices.Equal(n.Notes, want) {
		t.Errorf("notes %q, want %q", n.Notes, want)
	}
}
