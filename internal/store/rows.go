package store

import (
	"context"
	"strings"
)

// maxRowsPerInsert is the most rows insertRows puts in one statement.
const maxRowsPerInsert = 64

// insertRows runs the named one-row INSERT for each row of values, many
// rows per statement: a statement's fixed cost (database/sql, cgo, and
// SQLite opening the table and each of its indexes) was most of what an
// import paid per row. Rows go in statements of 64, then 32, 16 ... 1, so
// that a few statement texts serve every count and stay compiled in the
// connection's cache. It returns how many rows were inserted.
func (tx *Tx) insertRows(ctx context.Context, name string, rows [][]any) (int64, error) {
	var total int64
	for len(rows) > 0 {
		n := maxRowsPerInsert
		for n > len(rows) {
			n /= 2
		}
		var args []any
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		res, err := tx.ExecContext(ctx, tx.s.multiInsert(name, n), args...)
		if err != nil {
			return total, err
		}
		k, err := res.RowsAffected()
		if err != nil {
			return total, err
		}
		total += k
		rows = rows[n:]
	}
	return total, nil
}

// multiInsert returns the named one-row INSERT ... VALUES (...) with n
// VALUES tuples, made once per name and n. The tuple is the query's first
// parenthesised group after VALUES, so it must not nest parentheses.
func (s *Store) multiInsert(name string, n int) string {
	type key struct {
		name string
		n    int
	}
	if q, ok := s.inserts.Load(key{name, n}); ok {
		return q.(string)
	}
	one := s.query(name)
	head, tail, ok := strings.Cut(one, "VALUES ")
	if !ok || n == 1 {
		return one
	}
	tuple, rest, _ := strings.Cut(tail, ")")
	tuple += ")"
	q := head + "VALUES " + tuple + strings.Repeat(", "+tuple, n-1) + rest
	s.inserts.Store(key{name, n}, q)
	return q
}
