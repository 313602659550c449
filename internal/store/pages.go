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
// (Text, any case: ASCII letters, as SQLite's lower()), or the start of a
// phone number as stored (Phones, E.164 prefixes such as "+1773555").
// Empty, it finds every contact.
type ContactSearch struct {
	Text   string
	Phones []string // at most two are used
}

func (q ContactSearch) empty() bool { return strings.TrimSpace(q.Text) == "" && len(q.Phones) == 0 }

// ContactCursor is where a page of contacts ended: the next one starts
// after it. The zero value starts at the beginning.
type ContactCursor struct {
	Range int    // of a search: which index range the row was found in
	Key   string // the row's key in that range's order
	ID    int64
}

type contactRow struct {
	Contact
	SortKey string `db:"sort_key"`
	rangeOf int    // the search's range it was found in
}

// The ranges a search reads, in turn (see contacts-search-last).
const (
	rangeLast = iota + 1
	rangeFirst
	rangeEmail
	rangePhone1
	rangePhone2
	rangesEnd
)

// lastChar is the largest character: every string that starts with p
// sorts between p and p+lastChar.
const lastChar = "\U0010FFFF"

// asciiLower lower-cases as SQLite's lower() does: ASCII letters only.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// ContactsPage returns up to limit contacts matching q after the cursor,
// and the cursor of the next page (nil on the last page). Every contact
// comes by name; a search's come by what they matched (last names, then
// first names, emails and phones), each range by its index.
func (s *Store) ContactsPage(ctx context.Context, q ContactSearch, after ContactCursor, limit int) ([]Contact, *ContactCursor, error) {
	var rows []contactRow
	if q.empty() {
		var err error
		rows, err = s.contactRows(ctx, "contacts-page", limit+1,
			sql.Named("key", after.Key), sql.Named("id", after.ID), sql.Named("limit", limit+1))
		if err != nil {
			return nil, nil, err
		}
	} else {
		for r := max(after.Range, rangeLast); r < rangesEnd && len(rows) <= limit; r++ {
			cur := after
			if r != after.Range {
				cur = ContactCursor{}
			}
			found, err := s.searchRange(ctx, r, q, cur, limit+1-len(rows))
			if err != nil {
				return nil, nil, err
			}
			rows = append(rows, found...)
		}
	}
	return pageOf(rows, limit)
}

// pageOf cuts rows (one more than limit when there are more) to a page,
// with the cursor of the next one.
func pageOf(rows []contactRow, limit int) ([]Contact, *ContactCursor, error) {
	var next *ContactCursor
	if len(rows) > limit {
		rows = rows[:limit]
		last := rows[limit-1]
		next = &ContactCursor{Key: last.SortKey, ID: last.ID, Range: last.rangeOf}
	}
	out := make([]Contact, len(rows))
	for i := range rows {
		out[i] = rows[i].Contact
	}
	return out, next, nil
}

// span is the range of the strings that start with p (none when p is "").
func span(p string) (from, to string) {
	if p == "" {
		return "", ""
	}
	return p, p + lastChar
}

// searchRange reads up to limit contacts of one range of a search after
// cur (the zero cursor: from the range's start).
func (s *Store) searchRange(ctx context.Context, r int, q ContactSearch, cur ContactCursor, limit int) ([]contactRow, error) {
	lo, to := span(asciiLower(strings.TrimSpace(q.Text)))
	phones := append(append([]string{}, q.Phones...), "", "")
	start, end := lo, to
	plo, pto := "", ""
	switch r {
	case rangePhone1:
		start, end = span(phones[0])
	case rangePhone2:
		start, end = span(phones[1])
		plo, pto = span(phones[0])
	}
	if start == "" {
		return nil, nil
	}
	args := []any{sql.Named("from", max(start, cur.Key)), sql.Named("to", to), sql.Named("upto", end),
		sql.Named("key", cur.Key), sql.Named("id", cur.ID), sql.Named("limit", limit),
		sql.Named("lo", lo), sql.Named("plo", plo), sql.Named("pto", pto)}
	var rows []contactRow
	var err error
	switch r {
	case rangeLast:
		rows, err = s.contactRows(ctx, "contacts-search-last", limit, args...)
	case rangeFirst:
		rows, err = s.contactRows(ctx, "contacts-search-first", limit, args...)
	case rangeEmail:
		rows, err = s.contactRows(ctx, "contacts-search-email", limit, args...)
	default:
		rows, err = s.contactRows(ctx, "contacts-search-phone", limit, args...)
	}
	if err != nil {
		return nil, err
	}
	for i := range rows {
		rows[i].rangeOf = r
	}
	return rows, nil
}

// contactRows reads up to limit rows of a page of contacts into a slice
// made for them: grown row by row, the slice was copied seven times over
// for a page of a hundred, a fifth of what a contacts page allocated.
func (s *Store) contactRows(ctx context.Context, name string, limit int, args ...any) ([]contactRow, error) {
	rows := make([]contactRow, 0, limit)
	if err := s.sel(ctx, s.r, &rows, name, args...); err != nil {
		return nil, err
	}
	return rows, nil
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
