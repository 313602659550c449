package contact

import (
	"os"
	"runtime"
	"testing"
	"time"
)

func TestMillion(t *testing.T) {
	if os.Getenv("MILLION") == "" {
		t.Skip()
	}
	start := time.Now()
	n := readCount(t, &rowSource{rows: 1_000_000, row: benchRow})
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	t.Logf("%d rows in %v; Sys %d MB, HeapSys %d MB", n, time.Since(start), m.Sys>>20, m.HeapSys>>20)
}
