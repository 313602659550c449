package config

import (
	"bytes"
	"strconv"
	"strings"
)

// BurntSushi/toml records where each key was defined but does not export it,
// so this file finds key positions by scanning the source. The scanner only
// needs to be right for documents the TOML parser has already accepted; it
// understands table headers, dotted and quoted keys, strings of every kind
// (so a '#' or '=' inside a value fools nobody) and values spanning lines.

// filePos is a 1-based line and column (in bytes, like toml.ParseError).
type filePos struct {
	Line, Col int
}

// indexKeys maps every dotted key path in src ("email.smtp.password") to
// where it first appears. Each component of a dotted key or header gets its
// own entry, so an unknown table in "[email.smtpp]" is found at "smtpp", not
// at "email". The n-th [[step]] (counting from 0) is indexed as "step[n]",
// so "step[2].channel" is channel in the third step. Keys inside inline
// tables are not indexed.
func indexKeys(src []byte) map[string]filePos {
	s := &keyScanner{pos: map[string]filePos{}, arrays: map[string]int{}}
	for i, line := range bytes.Split(src, []byte("\n")) {
		s.scanLine(i+1, line)
	}
	return s.pos
}

type keyScanner struct {
	pos    map[string]filePos
	arrays map[string]int // indexed path of an array of tables -> elements seen
	table  string         // current table, indexed ("step[1].when")
	open   string         // unterminated multi-line string delimiter, if any
	depth  int            // open brackets or braces of a multi-line value
}

type keyPart struct {
	name string
	col  int
}

func (s *keyScanner) scanLine(n int, line []byte) {
	i := 0
	switch {
	case s.open != "":
		end := bytes.Index(line, []byte(s.open))
		if end < 0 {
			return
		}
		s.open = ""
		i = end + 3
	case s.depth == 0:
		if i = s.scanStatement(n, line); i < 0 {
			return
		}
	}
	s.scanValue(line, i)
}

// scanStatement reads a table header or the key of a "key = value" line and
// returns the index where the value starts (-1 when the line holds none).
func (s *keyScanner) scanStatement(n int, line []byte) int {
	i := skipSpace(line, 0)
	if i >= len(line) || line[i] == '#' || line[i] == '\r' {
		return -1
	}
	if line[i] == '[' {
		s.scanHeader(n, line, i)
		return -1
	}
	parts, end := scanKeyPath(line, i)
	base := s.table
	for _, p := range parts {
		base = join(base, p.name)
		s.record(base, n, p.col)
	}
	if eq := bytes.IndexByte(line[end:], '='); eq >= 0 {
		return end + eq + 1
	}
	return -1
}

func (s *keyScanner) scanHeader(n int, line []byte, i int) {
	array := i+1 < len(line) && line[i+1] == '['
	start := i + 1
	if array {
		start++
	}
	parts, _ := scanKeyPath(line, start)
	path := ""
	for k, p := range parts {
		path = join(path, p.name)
		if k == len(parts)-1 && array {
			s.record(path, n, p.col) // the first [[step]] answers to "step" too
			idx := s.arrays[path]
			s.arrays[path] = idx + 1
			path += "[" + strconv.Itoa(idx) + "]"
		} else if count, ok := s.arrays[path]; ok {
			// A sub-table of an array of tables belongs to its latest element.
			path += "[" + strconv.Itoa(count-1) + "]"
		}
		s.record(path, n, p.col)
	}
	s.table = path
}

func (s *keyScanner) record(path string, line, col int) {
	if _, seen := s.pos[path]; !seen {
		s.pos[path] = filePos{Line: line, Col: col}
	}
}

// scanValue follows a value to the end of the line, noting strings and
// brackets left open so the next lines are not mistaken for keys.
func (s *keyScanner) scanValue(line []byte, i int) {
	for i < len(line) {
		switch c := line[i]; c {
		case '#':
			return
		case '[', '{':
			s.depth++
		case ']', '}':
			s.depth--
		case '"', '\'':
			delim := string(bytes.Repeat([]byte{c}, 3))
			if bytes.HasPrefix(line[i:], []byte(delim)) {
				end := bytes.Index(line[i+3:], []byte(delim))
				if end < 0 {
					s.open = delim
					return
				}
				i += 3 + end + 3
				continue
			}
			i = skipString(line, i)
			continue
		}
		i++
	}
}

// scanKeyPath reads a dotted key starting at line[i] and returns its parts and
// the index just past it.
func scanKeyPath(line []byte, i int) ([]keyPart, int) {
	var parts []keyPart
	for {
		i = skipSpace(line, i)
		if i >= len(line) {
			return parts, i
		}
		start := i
		var name string
		switch line[i] {
		case '"', '\'':
			i = skipString(line, i)
			name = unquote(string(line[start:i]))
		default:
			for i < len(line) && isBareKeyChar(line[i]) {
				i++
			}
			name = string(line[start:i])
		}
		if name == "" && i == start {
			return parts, i
		}
		parts = append(parts, keyPart{name: name, col: start + 1})
		i = skipSpace(line, i)
		if i >= len(line) || line[i] != '.' {
			return parts, i
		}
		i++
	}
}

// skipString returns the index just past the single-line string that
// starts at line[i].
func skipString(line []byte, i int) int {
	quote := line[i]
	for i++; i < len(line); i++ {
		switch line[i] {
		case '\\':
			if quote == '"' {
				i++
			}
		case quote:
			return i + 1
		}
	}
	return i
}

func unquote(s string) string {
	if strings.HasPrefix(s, "'") {
		return strings.Trim(s, "'")
	}
	if u, err := strconv.Unquote(s); err == nil {
		return u
	}
	return strings.Trim(s, `"`)
}

func isBareKeyChar(c byte) bool {
	return c == '_' || c == '-' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func skipSpace(line []byte, i int) int {
	for i < len(line) && (line[i] == ' ' || line[i] == '\t') {
		i++
	}
	return i
}

func join(table, key string) string {
	if table == "" {
		return key
	}
	return table + "." + key
}
