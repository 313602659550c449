package engine_test

import (
	"database/sql"
	"strings"
	"testing"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/store"
)

// A customer without orders is no error in the rep's note about their
// reply; a database that cannot answer is, instead of a note that
// silently lacks the customer's order.
func TestReplyNoteReportsADatabaseError(t *testing.T) {
	h := newHarness(t, oneStep(channel.Email))
	ct := &store.Contact{FirstName: "Jane", Email: "jane@example.net"}
	err := h.st.Tx(h.ctx, func(tx *store.Tx) error {
		_, err := tx.UpsertContact(h.ctx, ct, 1)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	r := &store.Reply{ContactID: ct.ID, Channel: channel.Email, From: ct.Email, Body: "Thanks!"}
	n, err := h.eng.ReplyNote(h.ctx, h.content, r)
	if err != nil || n.Name != "Jane" || n.Order != "" {
		t.Fatalf("note about a customer without orders = %+v, %v", n, err)
	}
	db, err := sql.Open("sqlite3", "file:"+h.path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("DROP TABLE orders"); err != nil {
		t.Fatal(err)
	}
	if n, err := h.eng.ReplyNote(h.ctx, h.content, r); err == nil || !strings.Contains(err.Error(), "orders") {
		t.Fatalf("note with the orders table gone = %+v, %v; want its error", n, err)
	}
}
