package store

import (
	"context"
	"errors"
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
	err := tx.eachInsert(rows, func(n int, args []any) error {
		q, err := tx.s.multiInsert(name, n)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return queryError(name, err)
		}
		k, err := res.RowsAffected()
		total += k
		return err
	})
	if err != nil {
		return 0, err
	}
	return total, nil
}

// eachInsert splits rows into statements of 64, 32, ... 1 rows and calls
// run with each one's row count and values.
func (tx *Tx) eachInsert(rows [][]any, run func(n int, args []any) error) error {
	var args []any
	for len(rows) > 0 {
		n := maxRowsPerInsert
		for n > len(rows) {
			n /= 2
		}
		args = args[:0]
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if err := run(n, args); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// multiInsert returns the named one-row INSERT ... VALUES (...) with n
// VALUES tuples, made once per name and n.
func (s *Store) multiInsert(name string, n int) (string, error) {
	type key struct {
		name string
		n    int
	}
	if q, ok := s.inserts.Load(key{name, n}); ok {
		return q.(string), nil
	}
	one, err := s.text(name)
	if err != nil {
		return "", err
	}
	head, tail, ok := strings.Cut(one, "VALUES ")
	if !ok || n == 1 {
		return one, nil
	}
	end := tupleEnd(tail)
	if end < 0 {
		return "", queryError(name, errors.New("unbalanced VALUES tuple"))
	}
	tuple, rest := tail[:end], tail[end:]
	q := head + "VALUES " + tuple + strings.Repeat(", "+tuple, n-1) + rest
	s.inserts.Store(key{name, n}, q)
	return q, nil
}

// tupleEnd is the length of the parenthesised group s starts with, or -1
// if it does not end.
func tupleEnd(s string) int {
	depth := 0
	for i, r := range s {
		switch r {
		case '(':
			depth++
		case ')':
			if depth--; depth == 0 {
				return i + 1
			}
		}
	}
	return -1
}
