package contact

import (
	"bytes"
	"errors"
	"io"
)

// quoteError is a row whose quotes cannot be read.
type quoteError struct {
	line     int  // where the problem is
	field    int  // 1-based column
	unclosed bool // the value's opening quote is never closed
	limit    bool // ... within maxRecordLines / maxRecordBytes
}

func (e *quoteError) Error() string { return "broken quotes" }

// splitter cuts physical lines into rows of fields, RFC 4180 style, as
// spreadsheets write it. It differs from encoding/csv where real files need
// it to:
//   - a quote inside an unquoted value is plain text (Bob "Bobby" Smith);
//   - spaces before an opening quote or after a closing one are ignored;
//   - a quoted value that is never closed is reported on the line where it
//     opens, and reading resumes on the next line. encoding/csv instead reads
//     on to the end of the file, holding it all in memory as one value, and
//     every row after the typo is lost.
//
// Like encoding/csv, it skips empty lines, turns CRLF inside quoted values
// into LF, and allows any number of fields per row.
type splitter struct {
	lines *lineReader
	delim byte
	buf   []byte     // the fields of the current row, back to back
	ends  []int      // where each field ends in buf
	held  []heldLine // lines of a quoted value, kept to re-read if it never closes
	size  int        // bytes held
	out   []string
}

// next returns the next row's fields and the line where it starts. The
// slice is reused by the following call. A row with broken quotes is a
// *quoteError; the row after it can still be read.
func (s *splitter) next() ([]string, int, error) {
	for {
		text, num, err := s.lines.next()
		if err != nil {
			return nil, num, err
		}
		if len(text) == 0 {
			continue
		}
		s.buf, s.ends, s.held, s.size = s.buf[:0], s.ends[:0], s.held[:0], 0
		if err := s.parse(text, num); err != nil {
			return nil, num, err
		}
		return s.fields(), num, nil
	}
}

// parse reads the fields of the row starting with text.
func (s *splitter) parse(text []byte, num int) error {
	start := num
	for pos := 0; ; {
		q := skipSpaces(text, pos)
		if q == len(text) || text[q] != '"' {
			i := bytes.IndexByte(text[pos:], s.delim)
			if i < 0 {
				s.endField(text[pos:])
				return nil
			}
			s.endField(text[pos : pos+i])
			pos += i + 1
			continue
		}
		var err error
		if text, num, pos, err = s.quoted(text, num, q+1, start); err != nil {
			return err
		}
		s.endField(nil)
		pos = skipSpaces(text, pos)
		if pos == len(text) {
			return nil
		}
		if text[pos] != s.delim {
			return &quoteError{line: num, field: len(s.ends)}
		}
		pos++
	}
}

// quoted reads a quoted value from text[pos:], just past its opening quote,
// across lines if need be. It returns the line it ends on and the position
// just past the closing quote.
func (s *splitter) quoted(text []byte, num, pos, start int) ([]byte, int, int, error) {
	for {
		i := bytes.IndexByte(text[pos:], '"')
		if i < 0 {
			s.buf = append(append(s.buf, text[pos:]...), '\n')
			var err error
			if text, num, err = s.continuation(start); err != nil {
				return nil, 0, 0, err
			}
			pos = 0
			continue
		}
		s.buf = append(s.buf, text[pos:pos+i]...)
		pos += i + 1
		if pos < len(text) && text[pos] == '"' { // "" is a quote
			s.buf = append(s.buf, '"')
			pos++
			continue
		}
		return text, num, pos, nil
	}
}

// continuation reads the next line of a value quoted on line start. When
// there is none, or too many, the lines read since start are put back so
// the rows on them are not lost, and the row is reported.
func (s *splitter) continuation(start int) ([]byte, int, error) {
	text, num, err := s.lines.next()
	tooLong := errors.Is(err, errLineTooLong)
	if err != nil && !tooLong && err != io.EOF {
		return nil, 0, err
	}
	if err == nil {
		s.size += len(text)
		s.held = append(s.held, heldLine{num: num, text: append([]byte(nil), text...)})
	} else if tooLong {
		s.held = append(s.held, heldLine{num: num, tooLong: true})
	}
	limit := len(s.held) > maxRecordLines || s.size > maxRecordBytes
	if err == nil && !limit {
		return text, num, nil
	}
	s.lines.unread(s.held)
	return nil, 0, &quoteError{line: start, field: len(s.ends) + 1, unclosed: true, limit: limit || tooLong}
}

func (s *splitter) endField(b []byte) {
	s.buf = append(s.buf, b...)
	s.ends = append(s.ends, len(s.buf))
}

// fields slices one string, so a row costs one allocation.
func (s *splitter) fields() []string {
	all := string(s.buf)
	s.out = s.out[:0]
	prev := 0
	for _, end := range s.ends {
		s.out = append(s.out, all[prev:end])
		prev = end
	}
	return s.out
}

func skipSpaces(b []byte, pos int) int {
	for pos < len(b) && b[pos] == ' ' {
		pos++
	}
	return pos
}

// sniffDelimiter picks the separator a header line uses most, outside
// quotes: a comma, a semicolon (Excel where the decimal mark is a comma), or
// a tab. A one-column header is taken as comma-separated.
func sniffDelimiter(line []byte) byte {
	var commas, semis, tabs int
	inQuotes := false
	for _, c := range line {
		switch {
		case c == '"':
			inQuotes = !inQuotes
		case inQuotes:
		case c == ',':
			commas++
		case c == ';':
			semis++
		case c == '\t':
			tabs++
		}
	}
	switch {
	case semis > commas && semis >= tabs:
		return ';'
	case tabs > commas && tabs > semis:
		return '\t'
	}
	return ','
}
