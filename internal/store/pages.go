package store

import (
	"context"
	"database/sql"
	"strings"
)

// The lists the rep reads (the dashboard's pages, `rapport contacts`) are
// read a page at a time, each page after the row the last one ended on
// (keyset), so that a request's time and memory do not grow with the
// table: a page in the middle of a million contacts costs what the first
// one does.

// ContactSearch is what a search for contacts looks for: the start of a
// last name, a first name (and the last name after it) or an email
// (Text, any case), or the start of a phone number as stored (Phones,
// E.164 prefixes such as "+1773555"). Empty, it finds every contact.
type ContactSearch struct {
	Text   string
	Phones []string // at most two are used
}

func (q ContactSearch) empty() bool { return strings.TrimSpace(q.Text) == "" && len(q.Phones) == 0 }

// ContactCursor is where a page of contacts ended: the next one starts
// after it. The zero value starts at the beginning.
type ContactCursor struct {
	Key string // the contacts list's sort key of the last row
	ID  int64
}

type contactRow struct {
	Contact
	SortKey string `db:"sort_key"`
}

// ContactsPage returns up to limit contacts matching q, by name, after
// the cursor, and the cursor of the next page (nil on the last page).
func (s *Store) ContactsPage(ctx context.Context, q ContactSearch, after ContactCursor, limit int) ([]Contact, *ContactCursor, error) {
	args := []any{sql.Named("key", after.Key), sql.Named("id", after.ID), sql.Named("limit", limit+1)}
	var rows []contactRow
	var err error
	if q.empty() {
		rows, err = all[contactRow](ctx, s, s.r, "contacts-page", args...)
	} else {
		phones := append(append([]string{}, q.Phones...), "", "")
		args = append(args, sql.Named("text", strings.TrimSpace(q.Text)),
			sql.Named("phone1", phones[0]), sql.Named("phone2", phones[1]))
		rows, err = all[contactRow](ctx, s, s.r, "contacts-search-page", args...)
	}
	if err != nil {
		return nil, nil, err
	}
	var next *ContactCursor
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		next = &ContactCursor{Key: last.SortKey, ID: last.ID}
	}
	out := make([]Contact, len(rows))
	for i := range rows {
		out[i] = rows[i].Contact
	}
	return out, next, nil
}

// ReplyCursor is where a page of replies ended. The zero value starts at
// the beginning.
type ReplyCursor struct {
	Handled   bool // the last row's sort key: handled ones last,
	Unflagged bool // flagged ones first,
	Received  int64
	ID        int64
}

// CursorAfter is the cursor of the page that starts after r.
func CursorAfter(r *Reply) ReplyCursor {
	return ReplyCursor{Handled: r.HandledAt != 0, Unflagged: r.Flags == "", Received: r.ReceivedAt, ID: r.ID}
}

// RepliesPage returns up to limit replies after the cursor, in the order
// of Replies (the waiting ones; with handledToo, then the handled ones),
// and the cursor of the next page (nil on the last page).
func (s *Store) RepliesPage(ctx context.Context, handledToo bool, after ReplyCursor, limit int) ([]Reply, *ReplyCursor, error) {
	args := []any{sql.Named("unflagged", after.Unflagged), sql.Named("received", after.Received),
		sql.Named("id", after.ID), sql.Named("limit", limit+1)}
	var rs []Reply
	var err error
	if handledToo {
		rs, err = all[Reply](ctx, s, s.r, "replies-all-page", append(args, sql.Named("handled", after.Handled))...)
	} else {
		rs, err = all[Reply](ctx, s, s.r, "replies-open-page", args...)
	}
	if err != nil {
		return nil, nil, err
	}
	var next *ReplyCursor
	if len(rs) > limit {
		rs = rs[:limit]
		c := CursorAfter(&rs[limit-1])
		next = &c
	}
	return rs, next, nil
}
