package enroll

import (
	"runtime"
	"testing"
)

// The rows' checkers are bounded whatever the core count: more competed
// with the writer.
func TestImportCheckersBounded(t *testing.T) {
	for _, tc := range []struct{ procs, want int }{{1, 1}, {2, 2}, {3, 2}, {16, 2}, {128, 2}} {
		if got := importCheckers(tc.procs); got != tc.want {
			t.Errorf("importCheckers(%d) = %d, want %d", tc.procs, got, tc.want)
		}
	}
}

// An import runs Go on a thread per checker and one for the writer and
// the reader, never on more threads than GOMAXPROCS or the CPUs.
func TestImportProcs(t *testing.T) {
	for _, tc := range []struct{ procs, checkers, cpus, want int }{
		{1, 1, 16, 1}, {2, 2, 2, 2}, {8, 2, 2, 2}, {16, 2, 16, 3}, {4, 2, 4, 3}, {3, 2, 1, 1},
	} {
		if got := importProcs(tc.procs, tc.checkers, tc.cpus); got != tc.want {
			t.Errorf("importProcs(%d, %d, %d) = %d, want %d", tc.procs, tc.checkers, tc.cpus, got, tc.want)
		}
	}
}

// TestImportMemoryLimitLeavesTheHeapItsShare: the limit is the import's
// heap on top of what the runtime holds besides the heap, so that it
// leaves the rows the same room however many threads Go has run on.
func TestImportMemoryLimitLeavesTheHeapItsShare(t *testing.T) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	limit := importMemoryLimit()
	own := limit - importHeap
	if own <= 0 || uint64(own) >= ms.Sys-ms.HeapReleased {
		t.Errorf("limit %d: the runtime's own %d bytes should be above 0 and below all it holds (%d)", limit, own, ms.Sys-ms.HeapReleased)
	}
	if heap := ms.HeapInuse; uint64(own) >= ms.Sys-heap {
		t.Errorf("limit %d counts the heap's %d bytes in use as the runtime's own", limit, heap)
	}
}
