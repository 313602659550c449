package campaign

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"
)

// BurntSushi/toml keeps the position of each key private (issue #462), so
// to point at the line to fix we scan the source ourselves. The scanner
// only runs on documents the TOML parser has accepted; on anything else it
// still ends without panicking, but its answers are best effort.

// locate returns where each key and table header is written in src, keyed by
// its path with array-of-tables indexes: "name", "step[1]" for the second
// [[step]] line, "step[1].after" for the after key inside it.
func locate(file string, src []byte) map[string]Pos {
	s := &scanner{file: file, src: src, arrays: map[string]int{}, found: map[string]Pos{}, line: 1}
	s.scan()
	return s.found
}

type scanner struct {
	file   string
	src    []byte
	i      int
	line   int            // line of lineAt, so positions take one pass over the file
	lineAt int            // offset where that line starts
	arrays map[string]int // array-of-tables path → tables seen so far
	found  map[string]Pos
}

func (s *scanner) scan() {
	table := ""
	for {
		s.skipBlank()
		if s.i >= len(s.src) {
			return
		}
		start := s.i
		if s.src[s.i] == '[' {
			table = s.header(start)
			continue
		}
		parts := s.key()
		if parts == nil || !s.eat("=") {
			s.skipLine() // not a key: resynchronise on the next line
			continue
		}
		// a.b.c = 1 also defines a and a.b: record them for messages about those.
		for n := range parts {
			s.record(join(table, strings.Join(parts[:n+1], ".")), start)
		}
		s.skipValue()
	}
}

// header reads a [table] or [[array.of.tables]] line and returns the
// table's indexed path.
func (s *scanner) header(start int) string {
	array := s.eat("[[")
	if !array {
		s.i++ // the single '['
	}
	parts := s.key()
	s.skipLine()
	if len(parts) == 0 {
		return ""
	}
	if !array {
		path := s.indexed(parts)
		s.record(path, start)
		return path
	}
	base := join(s.indexed(parts[:len(parts)-1]), parts[len(parts)-1])
	s.arrays[base]++
	path := fmt.Sprintf("%s[%d]", base, s.arrays[base]-1)
	s.record(path, start)
	return path
}

// indexed joins key parts into a path, adding the current index after each
// part that names an array of tables: [step.extra] inside the second
// [[step]] is "step[1].extra".
func (s *scanner) indexed(parts []string) string {
	path := ""
	for _, p := range parts {
		path = join(path, p)
		if n, ok := s.arrays[path]; ok {
			path = fmt.Sprintf("%s[%d]", path, n-1)
		}
	}
	return path
}

func (s *scanner) record(path string, offset int) {
	if _, dup := s.found[path]; dup {
		return
	}
	// Offsets only grow: count the newlines since the last key.
	s.line += bytes.Count(s.src[s.lineAt:offset], []byte("\n"))
	s.lineAt += bytes.LastIndexByte(s.src[s.lineAt:offset], '\n') + 1
	s.found[path] = Pos{File: s.file, Line: s.line, Col: 1 + utf8.RuneCount(s.src[s.lineAt:offset])}
}

// key reads a possibly dotted key (bare, "quoted" or 'literal' parts) and
// returns its parts, or nil if there is no key here.
func (s *scanner) key() []string {
	var parts []string
	for {
		s.skipSpace()
		part, ok := s.keyPart()
		if !ok {
			return nil
		}
		parts = append(parts, part)
		s.skipSpace()
		if !s.eat(".") {
			return parts
		}
	}
}

func (s *scanner) keyPart() (string, bool) {
	if s.i >= len(s.src) {
		return "", false
	}
	if q := s.src[s.i]; q == '"' || q == '\'' {
		start := s.i
		s.skipString()
		end := max(start+1, s.i-1)
		return strings.NewReplacer(`\"`, `"`, `\\`, `\`).Replace(string(s.src[start+1 : end])), true
	}
	start := s.i
	for s.i < len(s.src) && isBare(s.src[s.i]) {
		s.i++
	}
	return string(s.src[start:s.i]), s.i > start
}

// skipValue moves past a value, including arrays and inline tables that
// span lines, to the end of its line.
func (s *scanner) skipValue() {
	depth := 0
	for s.i < len(s.src) {
		switch c := s.src[s.i]; {
		case c == '"' || c == '\'':
			s.skipString()
			continue
		case c == '#':
			s.skipComment()
			continue
		case c == '[' || c == '{':
			depth++
		case (c == ']' || c == '}') && depth > 0:
			depth--
		case c == '\n' && depth == 0:
			return
		}
		s.i++
	}
}

// skipString moves past a basic, literal or multi-line string starting at
// the quote under the cursor.
func (s *scanner) skipString() {
	q := s.src[s.i]
	if s.eat(strings.Repeat(string(q), 3)) {
		for s.i < len(s.src) && !s.eat(strings.Repeat(string(q), 3)) {
			s.skipChar(q)
		}
		for s.i < len(s.src) && s.src[s.i] == q { // up to two quotes may close the content
			s.i++
		}
		return
	}
	s.i++
	for s.i < len(s.src) && s.src[s.i] != q && s.src[s.i] != '\n' {
		s.skipChar(q)
	}
	if s.i < len(s.src) && s.src[s.i] == q {
		s.i++
	}
}

// skipChar moves past one character of a string quoted with q, and past the
// escaped character too in a basic string.
func (s *scanner) skipChar(q byte) {
	if q == '"' && s.src[s.i] == '\\' {
		s.i++
	}
	s.i++
}

// skipBlank moves past whitespace, newlines and comments.
func (s *scanner) skipBlank() {
	for s.i < len(s.src) {
		switch s.src[s.i] {
		case ' ', '\t', '\r', '\n':
			s.i++
		case '#':
			s.skipComment()
		default:
			return
		}
	}
}

func (s *scanner) skipSpace() {
	for s.i < len(s.src) && (s.src[s.i] == ' ' || s.src[s.i] == '\t') {
		s.i++
	}
}

func (s *scanner) skipComment() {
	for s.i < len(s.src) && s.src[s.i] != '\n' {
		s.i++
	}
}

// skipLine moves to the end of the line, past any strings on it.
func (s *scanner) skipLine() {
	for s.i < len(s.src) && s.src[s.i] != '\n' {
		if c := s.src[s.i]; c == '"' || c == '\'' {
			s.skipString()
			continue
		}
		s.i++
	}
}

// eat moves past tok if it comes next.
func (s *scanner) eat(tok string) bool {
	if s.i <= len(s.src) && bytes.HasPrefix(s.src[s.i:], []byte(tok)) {
		s.i += len(tok)
		return true
	}
	return false
}

func isBare(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// position converts a byte offset into a line and a column counted in
// characters, as editors show them.
func position(file string, src []byte, offset int) Pos {
	offset = max(0, min(offset, len(src)))
	before := src[:offset]
	line := 1 + bytes.Count(before, []byte("\n"))
	lineStart := bytes.LastIndexByte(before, '\n') + 1
	return Pos{File: file, Line: line, Col: 1 + utf8.RuneCount(before[lineStart:])}
}
