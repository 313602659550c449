package contact

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzReader feeds arbitrary files to the Reader: it must not panic, must
// report rows in file order, and every record it returns must be usable.
func FuzzReader(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/*.csv")
	seeds = append(seeds, "../../contacts.example.csv")
	for _, name := range seeds {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, err := NewReader(bytes.NewReader(data), Options{Region: "US"})
		if err != nil {
			return
		}
		maxLine := bytes.Count(data, []byte("\n")) + bytes.Count(data, []byte("\r")) + 1
		last := 1
		for {
			rec, err := r.Next()
			if err == io.EOF {
				break
			}
			line := rec.Line
			var p *Problem
			if errors.As(err, &p) {
				line = p.Line
			} else if err != nil {
				t.Fatalf("Next: %v", err)
			} else {
				checkRecord(t, rec)
			}
			if line <= last || line > maxLine {
				t.Fatalf("line %d after line %d (file has at most %d lines)", line, last, maxLine)
			}
			last = line
		}
		if r.BytesRead() != int64(len(data)) {
			t.Fatalf("BytesRead = %d at the end of a %d-byte file", r.BytesRead(), len(data))
		}
	})
}

func checkRecord(t *testing.T, rec Record) {
	t.Helper()
	c := rec.Contact
	switch {
	case c.Email == "" && c.Phone == "":
		t.Fatalf("line %d: record with neither email nor phone", rec.Line)
	case c.Email != strings.ToLower(c.Email) || (c.Email != "" && !strings.Contains(c.Email, "@")):
		t.Fatalf("line %d: email %q", rec.Line, c.Email)
	case c.Phone != "" && (!strings.HasPrefix(c.Phone, "+") || len(c.Phone) < 8):
		t.Fatalf("line %d: phone %q", rec.Line, c.Phone)
	case rec.Order != nil && len(rec.Order.Date) != len("2006-01-02"):
		t.Fatalf("line %d: order date %q", rec.Line, rec.Order.Date)
	}
}
