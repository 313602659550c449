package contact

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// Limits that keep memory constant whatever the file holds.
const (
	maxLineBytes   = 1 << 20 // one physical line
	maxRecordBytes = 1 << 20 // one row, all its lines together
	maxRecordLines = 1000    // lines one quoted value may span
	sniffBytes     = 64 << 10
)

// errLineTooLong is returned, with the line's number, for a line over maxLineBytes.
var errLineTooLong = errors.New("line too long")

// heldLine is a line kept aside to be read again.
type heldLine struct {
	num     int
	text    []byte
	tooLong bool
}

// lineReader yields the physical lines of a file as UTF-8, numbered from 1
// as a spreadsheet user counts them, without their line terminator.
//
// It undoes the encodings spreadsheet programs write: a UTF-8 byte-order
// mark is dropped, UTF-16 with a byte-order mark is decoded, and a line that
// is not valid UTF-8 is read as Windows-1252, the "ANSI" code page Excel and
// Outlook use on Western Windows (a superset of Latin-1's printable
// characters). Deciding line by line keeps memory constant, and newlines
// never split a UTF-8 sequence.
type lineReader struct {
	br      *bufio.Reader
	sep     byte       // '\n', or '\r' for files from classic Mac Excel
	num     int        // number of the last line read from br
	long    []byte     // a line longer than br's buffer, assembled
	dec     []byte     // the last line decoded from Windows-1252
	pending []heldLine // lines to return before reading br again
}

func newLineReader(r io.Reader) (*lineReader, error) {
	br := bufio.NewReaderSize(r, sniffBytes)
	head, err := br.Peek(4)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("read: %w", err)
	}
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("\xd0\xcf\x11\xe0")):
		return nil, errors.New("this is a spreadsheet workbook (.xlsx, .xls or .ods), not a CSV file: " +
			"open it and save it as CSV (in Excel: File > Save As > CSV UTF-8)")
	case bytes.HasPrefix(head, []byte("\xef\xbb\xbf")):
		_, _ = br.Discard(3) // cannot fail: the bytes were peeked
	case bytes.HasPrefix(head, []byte("\xff\xfe")), bytes.HasPrefix(head, []byte("\xfe\xff")):
		// The decoder reads the byte-order mark to pick the byte order.
		dec := unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM).NewDecoder()
		br = bufio.NewReaderSize(transform.NewReader(br, dec), sniffBytes)
	}
	lr := &lineReader{br: br, sep: '\n'}
	peek, err := br.Peek(sniffBytes)
	if err != nil && err != io.EOF {
		return nil, fmt.Errorf("read: %w", err)
	}
	// Excel for classic Mac OS ends lines with a bare CR.
	if bytes.IndexByte(peek, '\n') < 0 && bytes.IndexByte(peek, '\r') >= 0 {
		lr.sep = '\r'
	}
	return lr, nil
}

// next returns the next line and its number. The text is valid until the
// following call. At the end it returns io.EOF; a line over maxLineBytes is
// skipped and reported as errLineTooLong with its number.
func (lr *lineReader) next() ([]byte, int, error) {
	if len(lr.pending) > 0 {
		h := lr.pending[0]
		lr.pending = lr.pending[1:]
		if h.tooLong {
			return nil, h.num, errLineTooLong
		}
		return h.text, h.num, nil
	}
	raw, err := lr.readRaw()
	if err == io.EOF {
		return nil, 0, io.EOF
	}
	lr.num++
	if err != nil {
		if err != errLineTooLong {
			err = fmt.Errorf("read line %d: %w", lr.num, err)
		}
		return nil, lr.num, err
	}
	return lr.decode(lr.trim(raw)), lr.num, nil
}

// unread puts lines back, to be returned by next before anything else.
func (lr *lineReader) unread(lines []heldLine) {
	lr.pending = append(append([]heldLine(nil), lines...), lr.pending...)
}

// readRaw reads up to and including the next separator.
func (lr *lineReader) readRaw() ([]byte, error) {
	line, err := lr.br.ReadSlice(lr.sep)
	switch {
	case err == nil:
		return line, nil
	case err == io.EOF && len(line) > 0:
		return line, nil
	case err != bufio.ErrBufferFull:
		return nil, err
	}
	lr.long = append(lr.long[:0], line...)
	for {
		line, err = lr.br.ReadSlice(lr.sep)
		if len(lr.long)+len(line) > maxLineBytes {
			return nil, lr.skipLine(err)
		}
		lr.long = append(lr.long, line...)
		switch err {
		case nil, io.EOF:
			return lr.long, nil
		case bufio.ErrBufferFull:
			continue
		default:
			return nil, err
		}
	}
}

// skipLine discards the rest of an over-long line.
func (lr *lineReader) skipLine(err error) error {
	for err == bufio.ErrBufferFull {
		_, err = lr.br.ReadSlice(lr.sep)
	}
	if err != nil && err != io.EOF {
		return err
	}
	return errLineTooLong
}

// trim drops the line terminator. As in encoding/csv, a CR before LF (or
// before the end of the file) belongs to the terminator.
func (lr *lineReader) trim(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == lr.sep {
		b = b[:n-1]
	}
	if n := len(b); n > 0 && b[n-1] == '\r' && lr.sep == '\n' {
		b = b[:n-1]
	}
	return b
}

func (lr *lineReader) decode(b []byte) []byte {
	if utf8.Valid(b) {
		return b
	}
	lr.dec = lr.dec[:0]
	for _, c := range b {
		lr.dec = utf8.AppendRune(lr.dec, charmap.Windows1252.DecodeByte(c))
	}
	return lr.dec
}
