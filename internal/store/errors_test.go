package store

import (
	"context"
	"strings"
	"testing"
)

// A lookup that fails returns nil and an error naming its query; only a
// missing row is ErrNotFound.
func TestLookupErrorsNameTheirQuery(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	if c, err := s.Contact(ctx, 42); c != nil || !IsNotFound(err) || !strings.Contains(err.Error(), "contact-by-id") {
		t.Fatalf("missing contact = %v, %v; want nil and not found", c, err)
	}
	if _, err := s.w.ExecContext(ctx, "DROP TABLE orders"); err != nil {
		t.Fatal(err)
	}
	o, err := s.LatestOrder(ctx, 1)
	if o != nil || err == nil || IsNotFound(err) || !strings.Contains(err.Error(), "query order-latest: no such table: orders") {
		t.Errorf("latest order with the table gone = %v, %v; want nil and the database's error", o, err)
	}
	s.Close()
	c, err := s.ContactByEmail(ctx, "a@example.com")
	if c != nil || err == nil || IsNotFound(err) || !strings.Contains(err.Error(), "query contact-by-email") {
		t.Errorf("contact from a closed store = %v, %v; want nil and the error", c, err)
	}
	if n, err := s.OpenReplyCount(ctx, 1); n != 0 || err == nil || !strings.Contains(err.Error(), "query open-reply-count") {
		t.Errorf("open replies from a closed store = %d, %v", n, err)
	}
}
