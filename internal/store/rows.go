package store

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
)

// maxRowsPerInsert is the most rows insertRows puts in one statement.
const maxRowsPerInsert = 64

// insertRows runs the named one-row INSERT for n rows, many rows per
// statement; values appends row i's values to args. A statement's fixed
// cost (database/sql, cgo, and SQLite opening the table and each of its
// indexes) was most of what an import paid per row. Rows go in statements
// of 64, then 32, 16 ... 1, so that a few statement texts serve every
// count and stay compiled in the connection's cache. It returns how many
// rows were inserted.
//
// The statements go to the driver on the transaction's connection, with
// buffers kept in tx: through database/sql each one took a new slice of
// every value, and an import's collector spent more on those than SQLite
// spent on the rows.
func (tx *Tx) insertRows(ctx context.Context, name string, n int, values func(i int, args []any) []any) (int64, error) {
	var total int64
	for start := 0; start < n; {
		k := maxRowsPerInsert
		for k > n-start {
			k /= 2
		}
		args := tx.args[:0]
		for i := start; i < start+k; i++ {
			args = values(i, args)
		}
		tx.args = args
		q, err := tx.s.multiInsert(name, k)
		if err != nil {
			return 0, err
		}
		done, err := tx.execDriver(ctx, q, args)
		clear(args) // keep no customer's values past the statement
		if err != nil {
			return 0, queryError(name, err)
		}
		total += done
		start += k
	}
	return total, nil
}

// execDriver runs q with args on the transaction's connection through the
// driver itself, converting the values as database/sql would, and returns
// the rows it changed.
func (tx *Tx) execDriver(ctx context.Context, q string, args []any) (int64, error) {
	nv := tx.values[:0]
	for i, a := range args {
		v, err := driver.DefaultParameterConverter.ConvertValue(a)
		if err != nil {
			return 0, fmt.Errorf("value %d: %w", i+1, err)
		}
		nv = append(nv, driver.NamedValue{Ordinal: i + 1, Value: v})
	}
	tx.values = nv
	defer clear(nv)
	var changed int64
	err := tx.conn.Raw(func(c any) error {
		ex, ok := c.(driver.ExecerContext)
		if !ok {
			return fmt.Errorf("the database driver (%T) cannot run statements directly", c)
		}
		res, err := ex.ExecContext(ctx, q, nv)
		if err != nil {
			return err
		}
		changed, err = res.RowsAffected()
		return err
	})
	return changed, err
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
