package store

import (
	"context"
	"database/sql"
	_ "embed"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

//go:embed queries.sql
var queriesSQL string

// parseQueries reads the named texts of queries.sql: each starts at a line
// "-- name: NAME" and runs to the next. Whole-line comments are dropped (a
// comment left at the end of an included text would hide the rest of the
// line it is included in), and each {{NAME}} is replaced by that text. A
// name given twice, an empty text or an include of a missing name is an
// error: the store then refuses to open, rather than fail at first use.
func parseQueries(src string) (map[string]string, error) {
	raw, err := splitQueries(src)
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(raw))
	for name := range raw {
		q, err := expand(raw, name, nil)
		if err != nil {
			return nil, fmt.Errorf("queries.sql: %w", err)
		}
		out[name] = q
	}
	return out, nil
}

// splitQueries cuts src into its named texts, comments left out.
func splitQueries(src string) (map[string]string, error) {
	out := map[string]string{}
	var name string
	var b strings.Builder
	flush := func() error {
		text := strings.TrimSpace(b.String())
		b.Reset()
		switch {
		case name == "" && text != "":
			return fmt.Errorf("queries.sql: text before the first name: %.40q", text)
		case name == "":
			return nil
		case text == "":
			return fmt.Errorf("queries.sql: %s is empty", name)
		}
		if _, dup := out[name]; dup {
			return fmt.Errorf("queries.sql: %s is named twice", name)
		}
		// database/sql runs only the first statement of a text and
		// drops the rest without a word: a name missing between two
		// statements would lose the second one.
		if end := strings.Index(text, ";"); end >= 0 && strings.TrimSpace(text[end+1:]) != "" {
			return fmt.Errorf("queries.sql: %s holds more than one statement (is a -- name: line missing?)", name)
		}
		out[name] = text
		return nil
	}
	for _, line := range strings.Split(src, "\n") {
		trimmed := strings.TrimSpace(line)
		if n, ok := strings.CutPrefix(trimmed, "-- name:"); ok {
			if err := flush(); err != nil {
				return nil, err
			}
			name = strings.TrimSpace(n)
			continue
		}
		if strings.HasPrefix(trimmed, "--") {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// expand replaces the {{NAME}} includes of raw[name]; within lists the
// names being expanded, to catch a text that includes itself.
func expand(raw map[string]string, name string, within []string) (string, error) {
	for _, w := range within {
		if w == name {
			return "", fmt.Errorf("%s includes itself (%s)", name, strings.Join(append(within, name), " > "))
		}
	}
	rest := raw[name]
	var b strings.Builder
	for {
		open := strings.Index(rest, "{{")
		if open < 0 {
			b.WriteString(rest)
			return b.String(), nil
		}
		end := strings.Index(rest[open:], "}}")
		if end < 0 {
			return "", fmt.Errorf("%s: {{ without }}", name)
		}
		inc := strings.TrimSpace(rest[open+2 : open+end])
		if _, ok := raw[inc]; !ok {
			return "", fmt.Errorf("%s includes %s, which is not there", name, inc)
		}
		text, err := expand(raw, inc, append(within, name))
		if err != nil {
			return "", err
		}
		b.WriteString(rest[:open])
		b.WriteString(text)
		rest = rest[open+end+2:]
	}
}

// queryError names the query a database error came from.
func queryError(name string, err error) error {
	return fmt.Errorf("query %s: %w", name, err)
}

// text returns the named query.
func (s *Store) text(name string) (string, error) {
	q, ok := s.q[name]
	if !ok {
		return "", queryError(name, errors.New("not in queries.sql"))
	}
	return q, nil
}

// textIn returns the named query with the slices among args spread into
// its IN (?) lists (an empty slice must not be passed: see names).
func (s *Store) textIn(name string, args ...any) (string, []any, error) {
	q, err := s.text(name)
	if err != nil {
		return "", nil, err
	}
	q, args, err = sqlx.In(q, args...)
	if err != nil {
		return "", nil, queryError(name, err)
	}
	return q, args, nil
}

// names is list as the values of an IN (?) list. "IN ()" is not SQL, so
// an empty list becomes one name that no campaign, channel or step has.
func names(list []string) []string {
	if len(list) == 0 {
		return []string{"\x00"}
	}
	return list
}

// exec runs the named statement on db.
func (s *Store) exec(ctx context.Context, db sqlx.ExecerContext, name string, args ...any) (sql.Result, error) {
	q, err := s.text(name)
	if err != nil {
		return nil, err
	}
	res, err := db.ExecContext(ctx, q, args...)
	if err != nil {
		return nil, queryError(name, err)
	}
	return res, nil
}

// execf runs a named statement that takes its value in its text (%d or
// %s): PRAGMA and DROP INDEX take no parameters.
func (s *Store) execf(ctx context.Context, db sqlx.ExecerContext, name string, v any) error {
	q, err := s.text(name)
	if err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, fmt.Sprintf(q, v)); err != nil {
		return queryError(name, err)
	}
	return nil
}

// get runs the named single-row read on db into dest; no row is
// ErrNotFound.
func (s *Store) get(ctx context.Context, db sqlx.QueryerContext, dest any, name string, args ...any) error {
	q, err := s.text(name)
	if err != nil {
		return err
	}
	err = sqlx.GetContext(ctx, db, dest, q, args...)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return queryError(name, err)
	}
	return nil
}

// sel runs the named read on db into dest, a pointer to a slice.
func (s *Store) sel(ctx context.Context, db sqlx.QueryerContext, dest any, name string, args ...any) error {
	q, err := s.text(name)
	if err != nil {
		return err
	}
	if err := sqlx.SelectContext(ctx, db, dest, q, args...); err != nil {
		return queryError(name, err)
	}
	return nil
}

// rows runs the named read on db, for a caller that scans the rows itself.
func (s *Store) rows(ctx context.Context, db sqlx.QueryerContext, name string, args ...any) (*sql.Rows, error) {
	q, err := s.text(name)
	if err != nil {
		return nil, err
	}
	rs, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, queryError(name, err)
	}
	return rs, nil
}

// valueOf reads the one row of the named query as a T.
func valueOf[T any](ctx context.Context, s *Store, db sqlx.QueryerContext, name string, args ...any) (T, error) {
	var v T
	if err := s.get(ctx, db, &v, name, args...); err != nil {
		var zero T
		return zero, err
	}
	return v, nil
}

// one reads the one row of the named query as a new T.
func one[T any](ctx context.Context, s *Store, db sqlx.QueryerContext, name string, args ...any) (*T, error) {
	v, err := valueOf[T](ctx, s, db, name, args...)
	if err != nil {
		return nil, err
	}
	return &v, nil
}

// all reads every row of the named query.
func all[T any](ctx context.Context, s *Store, db sqlx.QueryerContext, name string, args ...any) ([]T, error) {
	var out []T
	if err := s.sel(ctx, db, &out, name, args...); err != nil {
		return nil, err
	}
	return out, nil
}

// allIn reads every row of the named query with IN (?) lists (textIn).
func allIn[T any](ctx context.Context, s *Store, db sqlx.QueryerContext, name string, args ...any) ([]T, error) {
	q, args, err := s.textIn(name, args...)
	if err != nil {
		return nil, err
	}
	var out []T
	if err := sqlx.SelectContext(ctx, db, &out, q, args...); err != nil {
		return nil, queryError(name, err)
	}
	return out, nil
}

func (tx *Tx) exec(ctx context.Context, name string, args ...any) (sql.Result, error) {
	return tx.s.exec(ctx, tx, name, args...)
}

func (tx *Tx) named(ctx context.Context, name string, arg any) (sql.Result, error) {
	q, err := tx.s.text(name)
	if err != nil {
		return nil, err
	}
	res, err := tx.NamedExecContext(ctx, q, arg)
	if err != nil {
		return nil, queryError(name, err)
	}
	return res, nil
}
