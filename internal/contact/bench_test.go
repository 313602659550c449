package contact

import (
	"bytes"
	"fmt"
	"io"
	"runtime"
	"testing"
)

const benchHeader = "First Name,Last Name,Email,Mobile Phone,Time Zone,SMS Consent,Order Date,Invoice,Items\n"

// benchRow writes a believable row number i, with a phone number no other
// row has: the worst case, as the reader remembers numbers it has seen.
func benchRow(w io.Writer, i int) {
	fmt.Fprintf(w, "Ann%d,Lee,ann.lee%d@example.com,(312) %03d-%04d,America/Chicago,yes,2026-01-%02d,INV-%d,\"Lavender 15ml, Peppermint 15ml\"\n",
		i, i, 200+i/10000%800, i%10000, 1+i%28, i)
}

func BenchmarkReader(b *testing.B) {
	const n = 100_000
	var buf bytes.Buffer
	buf.WriteString(benchHeader)
	for i := range n {
		benchRow(&buf, i)
	}
	data := buf.Bytes()
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	rows := 0
	for b.Loop() {
		rows += readCount(b, bytes.NewReader(data))
	}
	b.ReportMetric(float64(rows)/b.Elapsed().Seconds(), "rows/s")
}

func readCount(tb testing.TB, in io.Reader) int {
	tb.Helper()
	r, err := NewReader(in, Options{Region: "US"})
	if err != nil {
		tb.Fatal(err)
	}
	n := 0
	for {
		_, err := r.Next()
		if err == io.EOF {
			return n
		}
		if err != nil {
			tb.Fatal(err)
		}
		n++
	}
}

// rowSource generates rows on demand, so a large file never exists in memory.
type rowSource struct {
	rows, next int
	row        func(w io.Writer, i int)
	buf        bytes.Buffer
}

func (s *rowSource) Read(p []byte) (int, error) {
	for s.buf.Len() < len(p) && s.next < s.rows {
		if s.next == 0 {
			s.buf.WriteString(benchHeader)
		}
		s.row(&s.buf, s.next)
		s.next++
	}
	if s.buf.Len() == 0 {
		return 0, io.EOF
	}
	return s.buf.Read(p)
}

func TestReaderMemoryIsConstant(t *testing.T) {
	heap := func() uint64 {
		runtime.GC()
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	// Without phone numbers, whose parsing is slow, to read many rows fast.
	emailOnly := func(w io.Writer, i int) {
		fmt.Fprintf(w, "Ann%d,Lee,ann.lee%d@example.com,,Europe/London,no,2026-01-%02d,INV-%d,\"Lavender 15ml\nPeppermint\"\n", i, i, 1+i%28, i)
	}
	r, err := NewReader(&rowSource{rows: 300_000, row: emailOnly}, Options{Region: "US"})
	if err != nil {
		t.Fatal(err)
	}
	var after50k uint64
	for n := 0; ; n++ {
		if n == 50_000 {
			after50k = heap()
		}
		if _, err := r.Next(); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if grew := int64(heap()) - int64(after50k); grew > 1<<20 {
		t.Errorf("heap grew by %d bytes over 250,000 rows; reading must not keep rows", grew)
	}
}
