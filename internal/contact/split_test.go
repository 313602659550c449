package contact

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"
	"unicode/utf8"
)

// splitAll renders what the splitter makes of a comma-separated input:
// one "line: [field|field]" per row, or "line N: ..." for a broken one.
func splitAll(t testing.TB, in []byte) []string {
	t.Helper()
	lines, err := newLineReader(bytes.NewReader(in))
	if err != nil {
		return []string{"open: " + err.Error()}
	}
	s := &splitter{lines: lines, delim: ','}
	var out []string
	for {
		fields, line, err := s.next()
		var qe *quoteError
		switch {
		case err == io.EOF:
			return out
		case errors.As(err, &qe):
			out = append(out, fmt.Sprintf("line %d: field %d unclosed=%v limit=%v", qe.line, qe.field, qe.unclosed, qe.limit))
		case errors.Is(err, errLineTooLong):
			out = append(out, fmt.Sprintf("line %d: too long", line))
		case err != nil:
			t.Fatal(err)
		default:
			out = append(out, fmt.Sprintf("%d: [%s]", line, strings.Join(fields, "|")))
		}
	}
}

func TestSplitter(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"simple", "a,b\nc,d\n", []string{"1: [a|b]", "2: [c|d]"}},
		{"no final newline", "a,b", []string{"1: [a|b]"}},
		{"blank lines keep their numbers", "\n\na\r\n\r\nb", []string{"3: [a]", "5: [b]"}},
		{"empty fields", "a,,\n,\n", []string{"1: [a||]", "2: [|]"}},
		{"quoted delimiter", `"a,b",c`, []string{"1: [a,b|c]"}},
		{"doubled quotes", `"say ""hi""",x`, []string{`1: [say "hi"|x]`}},
		{"quoted newline", "a,\"b\nc\",d\ne\n", []string{"1: [a|b\nc|d]", "3: [e]"}},
		{"quoted CRLF becomes LF", "\"x\r\ny\"\r\nz\r\n", []string{"1: [x\ny]", "3: [z]"}},
		{"quote inside an unquoted value", "5\" tall,Bob \"Bobby\" Smith", []string{`1: [5" tall|Bob "Bobby" Smith]`}},
		{"spaces around quotes", ` "a" , "b"`, []string{"1: [a|b]"}},
		{"spaces without quotes are kept", " a, b ", []string{"1: [ a| b ]"}},
		{"stray text after a quote", "\"a\"b,c\nd\n", []string{"line 1: field 1 unclosed=false limit=false", "2: [d]"}},
		{"stray text on a continuation line", "x,\"a\nb\"c\nd", []string{"line 2: field 2 unclosed=false limit=false", "3: [d]"}},
		{"unclosed quote resumes on the next line", "a,\"b\nc\nd\n", []string{"line 1: field 2 unclosed=true limit=false", "2: [c]", "3: [d]"}},
		{"unclosed quote after good rows", "a\n\"b\nc,d\n", []string{"1: [a]", "line 2: field 1 unclosed=true limit=false", "3: [c|d]"}},
		{"classic Mac line ends", "a,b\rc,\"d\re\"\r", []string{"1: [a|b]", "2: [c|d\ne]"}},
		{"lone CR inside a line is data", "a\rb,c\nd\n", []string{"1: [a\rb|c]", "2: [d]"}},
		{"Windows-1252", "Jos\xe9,O\x92Neil\n", []string{"1: [José|O’Neil]"}},
		{"UTF-8 BOM", "\xef\xbb\xbfa,b\n", []string{"1: [a|b]"}},
		{"UTF-16LE BOM", "\xff\xfea\x00,\x00\xe9\x00\n\x00b\x00\n\x00", []string{"1: [a|é]", "2: [b]"}},
		{"UTF-16BE BOM", "\xfe\xff\x00a\x00,\x00b\x00\r\x00\n\x00c", []string{"1: [a|b]", "2: [c]"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkRows(t, splitAll(t, []byte(tt.in)), tt.want)
		})
	}
}

func TestSplitterLimits(t *testing.T) {
	t.Run("quoted value over the line limit", func(t *testing.T) {
		in := "\"a\n" + strings.Repeat("x\n", maxRecordLines+5)
		got := splitAll(t, []byte(in))
		if len(got) != maxRecordLines+6 || got[0] != "line 1: field 1 unclosed=true limit=true" || got[1] != "2: [x]" || got[len(got)-1] != fmt.Sprintf("%d: [x]", maxRecordLines+6) {
			t.Errorf("got %d rows, first %q, last %q", len(got), got[:2], got[len(got)-1])
		}
	})
	t.Run("line too long", func(t *testing.T) {
		in := "a\n" + strings.Repeat("y", maxLineBytes+1) + "\nb\n"
		checkRows(t, splitAll(t, []byte(in)), []string{"1: [a]", "line 2: too long", "3: [b]"})
	})
	t.Run("too long line inside a quoted value", func(t *testing.T) {
		in := "\"a\n" + strings.Repeat("y", maxLineBytes+1) + "\nb\n"
		checkRows(t, splitAll(t, []byte(in)), []string{"line 1: field 1 unclosed=true limit=true", "line 2: too long", "3: [b]"})
	})
}

func TestSniffDelimiter(t *testing.T) {
	tests := []struct {
		in   string
		want byte
	}{
		{"First Name,Last Name,Email", ','},
		{"First Name;Last Name;Email", ';'},
		{"First Name\tLast Name\tEmail", '\t'},
		{`"Name; full",Email`, ','},
		{`Name;"Email, work";Phone`, ';'},
		{"Email", ','},
		{"a;b,c", ','},
	}
	for _, tt := range tests {
		if got := sniffDelimiter([]byte(tt.in)); got != tt.want {
			t.Errorf("sniffDelimiter(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzSplit checks the splitter against encoding/csv on every input that
// encoding/csv reads without error, and that it never stalls or goes back
// on other inputs.
func FuzzSplit(f *testing.F) {
	for _, s := range []string{"a,b\nc,d", "\"a\"\"b\",c\r\n", "a,\"b\nc\"\n\nd", "\"a\nb", "x\r\"y\"", " \"a\" ,b"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got := splitAll(t, data)
		if len(got) == 1 && strings.HasPrefix(got[0], "open: ") {
			return // not a CSV file
		}
		last := 0
		for _, g := range got {
			var line int
			if _, err := fmt.Sscanf(strings.TrimPrefix(g, "line "), "%d", &line); err != nil || line <= last {
				t.Fatalf("rows out of order: %q", got)
			}
			last = line
		}
		if want, ok := csvRows(data); ok {
			checkRows(t, got, want)
		}
	})
}

// csvRows is what encoding/csv reads, when the input is one the splitter
// is meant to read the same way: valid UTF-8 without a byte-order mark,
// LF or CRLF line ends, and no quoting error.
func csvRows(data []byte) ([]string, bool) {
	if !utf8.Valid(data) || bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) || bytes.HasPrefix(data, []byte("PK\x03\x04")) ||
		(bytes.IndexByte(data, '\n') < 0 && bytes.IndexByte(data, '\r') >= 0) {
		return nil, false
	}
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	var rows []string
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return rows, true
		}
		if err != nil {
			return nil, false
		}
		line, _ := r.FieldPos(0)
		rows = append(rows, fmt.Sprintf("%d: [%s]", line, strings.Join(rec, "|")))
	}
}
