package inbox_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/rapportapp/rapport/internal/inbox"
)

// A database that cannot answer is an error, not a customer without
// orders: the text is not recorded (Twilio sends it again) rather than
// recorded without what it answers.
func TestSMSReportsADatabaseError(t *testing.T) {
	s := newShop(t)
	ctx := context.Background()
	before, err := s.st.Replies(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	dropTable(t, s.path, "orders")
	_, err = s.inbox.ReceiveSMS(ctx, inbox.SMS{MessageSID: "SM-broken", From: janePhone, To: repPhone, Body: "Is it shipped?"})
	if err == nil || !strings.Contains(err.Error(), "orders") {
		t.Fatalf("ReceiveSMS with the orders table gone = %v, want its error", err)
	}
	after, err := s.st.Replies(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if len(after) != len(before) {
		t.Errorf("replies went from %d to %d: the text was recorded anyway", len(before), len(after))
	}
}

// dropTable removes a table behind the store's back, through a connection
// of its own (foreign keys off, so nothing cascades).
func dropTable(t *testing.T, path, table string) {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("DROP TABLE " + table); err != nil {
		t.Fatal(err)
	}
}
