package enroll

import "testing"

// The rows' checkers are bounded whatever the core count: more competed
// with the writer.
func TestImportCheckersBounded(t *testing.T) {
	for _, tc := range []struct{ procs, want int }{{1, 1}, {2, 2}, {3, 2}, {16, 2}, {128, 2}} {
		if got := importCheckers(tc.procs); got != tc.want {
			t.Errorf("importCheckers(%d) = %d, want %d", tc.procs, got, tc.want)
		}
	}
}
