package contact

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// readBatches reads every row through Batches, rendering records and
// problems in the order delivered; a read error ends the list.
func readBatches(t *testing.T, in io.Reader, workers, size int) []string {
	t.Helper()
	r, err := NewReader(in, Options{Region: "US"})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for b := range r.Batches(context.Background(), workers, size) {
		if len(b) > size {
			t.Fatalf("a batch of %d rows, want at most %d", len(b), size)
		}
		for _, rw := range b {
			var p *Problem
			switch {
			case errors.As(rw.Err, &p):
				got = append(got, p.Error())
			case rw.Err != nil:
				got = append(got, "read error: "+rw.Err.Error())
			default:
				got = append(got, row(rw.Record))
			}
		}
	}
	return got
}

// TestBatchesMatchNext reads the same files row by row and in parallel
// batches of several sizes: the rows, problems and their order must be the
// same.
func TestBatchesMatchNext(t *testing.T) {
	var big bytes.Buffer
	big.WriteString(benchHeader)
	for i := range 3000 {
		if i%97 == 0 {
			big.WriteString("Bad,Row,,12,,,,,\n") // too short a phone, no email
			continue
		}
		benchRow(&big, i)
	}
	files := map[string][]byte{"generated": big.Bytes()}
	for _, name := range []string{"messy.csv", "google.csv", "outlook.csv"} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = b
	}
	for name, data := range files {
		_, want := readAll(t, bytes.NewReader(data), Options{Region: "US"})
		for _, c := range []struct{ workers, size int }{{1, 1}, {2, 7}, {4, 256}, {3, 10000}} {
			got := readBatches(t, bytes.NewReader(data), c.workers, c.size)
			if !slices.Equal(got, want) {
				t.Errorf("%s, %d workers, batches of %d: rows differ from Next's (%d vs %d rows)",
					name, c.workers, c.size, len(got), len(want))
			}
		}
	}
}

// TestBatchesReadError ends with the read error as the last row.
func TestBatchesReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	rows := strings.Repeat("a@example.com\n", 10_000)
	got := readBatches(t, io.MultiReader(strings.NewReader("Email\n"+rows), errReader{boom}), 2, 64)
	if len(got) != 10_001 || !strings.HasSuffix(got[10_000], "disk on fire") {
		t.Fatalf("%d rows, last %q; want 10000 rows then the read error", len(got), got[len(got)-1])
	}
}

// TestBatchesStop stops mid-file, by leaving the loop and by cancelling:
// nothing may read the file once the loop has ended.
func TestBatchesStop(t *testing.T) {
	var data bytes.Buffer
	data.WriteString(benchHeader)
	for i := range 20000 {
		benchRow(&data, i)
	}
	for _, cancelled := range []bool{false, true} {
		src := &closable{r: bytes.NewReader(data.Bytes())}
		r, err := NewReader(src, Options{Region: "US"})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		n := 0
		for range r.Batches(ctx, 2, 16) {
			n++
			if !cancelled {
				break
			}
			cancel()
		}
		cancel()
		src.closed = true // a Read from now on fails the test
		if n != 1 {
			t.Errorf("cancelled %v: %d batches after the stop, want 1", cancelled, n)
		}
	}
}

type closable struct {
	r      io.Reader
	closed bool
}

func (c *closable) Read(p []byte) (int, error) {
	if c.closed {
		panic("read after the batches channel closed")
	}
	return c.r.Read(p)
}
