package config

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// reader walks a parsed TOML document strictly. Every key a section asks
// for is marked known, so once all sections are read the keys nobody asked
// for are the unknown ones, and the list of valid keys offered in "did you
// mean" comes from the very code that reads them: the two cannot drift.
type reader struct {
	path  string // as given, for messages
	dir   string // absolute; relative paths are resolved against it
	tree  map[string]any
	pos   map[string]filePos
	known map[string]bool // dotted keys asked for, and the tables holding them
	leaf  map[string]bool // the known keys that are values, not tables
	env   func(string) string
	errs  []*Error
}

func newReader(path, dir string, src []byte, tree map[string]any, env func(string) string) *reader {
	return &reader{
		path: path, dir: dir, tree: tree, env: env,
		pos:   indexKeys(src),
		known: map[string]bool{},
		leaf:  map[string]bool{},
	}
}

// lookup returns the value at a dotted key and marks the key known.
func (r *reader) lookup(key string) (any, bool) {
	r.leaf[key] = true
	for p := key; p != ""; p = parent(p) {
		r.known[p] = true
	}
	var node any = r.tree
	for part := range strings.SplitSeq(key, ".") {
		table, ok := node.(map[string]any)
		if !ok {
			return nil, false // a value where a table belongs: walkUnknown reports it
		}
		if node, ok = table[part]; !ok {
			return nil, false
		}
	}
	return node, true
}

func (r *reader) has(key string) bool {
	_, ok := r.lookup(key)
	return ok
}

// position finds where key is written, or failing that its nearest table.
func (r *reader) position(key string) filePos {
	if i := strings.IndexByte(key, '['); i >= 0 {
		key = key[:i] // "sending.holidays[2]": the array is what is written
	}
	for ; key != ""; key = parent(key) {
		if p, ok := r.pos[key]; ok {
			return p
		}
	}
	return filePos{}
}

func (r *reader) errorAt(p filePos, msg string) {
	r.errs = append(r.errs, &Error{Path: r.path, Line: p.Line, Col: p.Col, Msg: msg})
}

// fail reports a problem with the value of key, at key.
func (r *reader) fail(key, format string, args ...any) {
	r.errorAt(r.position(key), key+": "+fmt.Sprintf(format, args...))
}

// missing reports a required key that is not set, at its table's header.
func (r *reader) missing(key, hint string) {
	r.errorAt(r.position(parent(key)), fmt.Sprintf("%s is missing: %s", key, hint))
}

// blank reports whether key is unset or set to empty text.
func (r *reader) blank(key string) bool {
	v, ok := r.lookup(key)
	s, isString := v.(string)
	return !ok || isString && strings.TrimSpace(s) == ""
}

// rawString reads a string exactly as written.
func (r *reader) rawString(key string) (string, bool) {
	v, ok := r.lookup(key)
	if !ok {
		return "", false
	}
	s, ok := v.(string)
	if !ok {
		r.fail(key, "must be text in double quotes, not %s", describe(v))
	}
	return s, ok
}

// str reads a string, trimmed. It reports whether the key was set to text.
func (r *reader) str(key string, dst *string) bool {
	s, ok := r.rawString(key)
	if ok {
		*dst = strings.TrimSpace(s)
	}
	return ok
}

// required reads a string that must be set and not empty.
func (r *reader) required(key string, dst *string, hint string) bool {
	if !r.str(key, dst) {
		if !r.has(key) {
			r.missing(key, hint)
		}
		return false
	}
	if *dst == "" {
		r.fail(key, "is empty: %s", hint)
		return false
	}
	return true
}

// parseKey reads a string and converts it with parse, keeping *dst (the
// default) when the key is not set.
func parseKey[T any](r *reader, key string, dst *T, parse func(string) (T, error)) bool {
	var s string
	if !r.str(key, &s) {
		return false
	}
	if s == "" {
		r.fail(key, "is empty: give a value, or delete the line to use the default")
		return false
	}
	v, err := parse(s)
	if err != nil {
		r.fail(key, "%v", err)
		return false
	}
	*dst = v
	return true
}

// optionalKey is parseKey for keys that are off by default, where an
// empty value (phone = "") plainly means "none".
func optionalKey[T any](r *reader, key string, dst *T, parse func(string) (T, error)) bool {
	if s, _ := r.rawString(key); strings.TrimSpace(s) == "" {
		return false
	}
	return parseKey(r, key, dst, parse)
}

func (r *reader) integer(key string, dst *int, lo, hi int) {
	v, ok := r.lookup(key)
	if !ok {
		return
	}
	n, ok := v.(int64)
	switch {
	case !ok:
		r.fail(key, "must be a whole number without quotes, like %d, not %s", *dst, describe(v))
	case n < int64(lo) || n > int64(hi):
		r.fail(key, "must be between %d and %d, not %d", lo, hi, n)
	default:
		*dst = int(n)
	}
}

// number reads a positive number, whole or decimal.
func (r *reader) number(key string, dst *float64) {
	v, ok := r.lookup(key)
	if !ok {
		return
	}
	var f float64
	switch n := v.(type) {
	case int64:
		f = float64(n)
	case float64:
		f = n
	default:
		r.fail(key, "must be a number without quotes, like %g, not %s", *dst, describe(v))
		return
	}
	if f <= 0 || f > 1e6 {
		r.fail(key, "must be more than 0 (and sensible), not %g", f)
		return
	}
	*dst = f
}

func (r *reader) duration(key string, dst *time.Duration) {
	parseKey(r, key, dst, func(s string) (time.Duration, error) {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return 0, fmt.Errorf("invalid duration %q: want a number and a unit, like \"30s\", \"5m\" or \"6h\"", s)
		}
		return d, nil
	})
}

// list reads a list of strings and hands each, trimmed, to each; a
// problem with an item is reported at key[i].
func (r *reader) list(key string, each func(item string) error) {
	v, ok := r.lookup(key)
	if !ok {
		return
	}
	items, ok := v.([]any)
	if !ok {
		r.fail(key, `must be a list in square brackets, like ["one", "two"], not %s`, describe(v))
		return
	}
	for i, item := range items {
		s, ok := item.(string)
		err := fmt.Errorf("must be text in double quotes, not %s", describe(item))
		if ok {
			err = each(strings.TrimSpace(s))
		}
		if err != nil {
			r.fail(fmt.Sprintf("%s[%d]", key, i), "%v", err)
		}
	}
}

// choice reads one of a few words, in any case.
func (r *reader) choice(key string, dst *string, options ...string) bool {
	var s string
	if !r.str(key, &s) {
		return false
	}
	if !slices.Contains(options, strings.ToLower(s)) {
		r.fail(key, "%q is not one of the choices: %s", s, quoteList(options, "or"))
		return false
	}
	*dst = strings.ToLower(s)
	return true
}

// resolve makes a path from the file absolute, relative to the file's folder.
func (r *reader) resolve(p string) string {
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(r.dir, p)
}

func parent(key string) string {
	i := strings.LastIndexByte(key, '.')
	if i < 0 {
		return ""
	}
	return key[:i]
}

func last(key string) string { return key[strings.LastIndexByte(key, '.')+1:] }

// describe names a TOML value's type in words a rep knows.
func describe(v any) string {
	switch v.(type) {
	case string:
		return "text in quotes"
	case int64:
		return "a whole number"
	case float64:
		return "a decimal number"
	case bool:
		return "true/false"
	case []any:
		return "a list"
	case map[string]any:
		return "a section"
	case []map[string]any:
		return "a list of sections"
	}
	return "a date or time"
}

func quoteList(items []string, conj string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	if len(q) < 2 {
		return strings.Join(q, "")
	}
	return strings.Join(q[:len(q)-1], ", ") + " " + conj + " " + q[len(q)-1]
}

func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }
