package perf

import (
	"context"
	"os/exec"
	"testing"
)

// TestCommandPeakIsTheChilds: a small child started while this process
// holds a lot of memory reports its own peak, not this process's.
func TestCommandPeakIsTheChilds(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep command")
	}
	held := make([]byte, 96<<20)
	for i := range held {
		held[i] = byte(i)
	}
	r, err := Command(context.Background(), nil, nil, sleep, "0.1")
	if err != nil || r.ExitCode != 0 {
		t.Fatalf("sleep: exit %d, %v", r.ExitCode, err)
	}
	if r.MaxRSS <= 0 || r.MaxRSS > 32<<20 {
		t.Errorf("sleep's peak memory %s, want its own few MB (this process holds %s)", MB(r.MaxRSS), MB(int64(len(held))))
	}
	held[0]++ // keep held alive until here
}
