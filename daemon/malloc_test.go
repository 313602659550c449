package main

import (
	"os"
	"runtime"
	"sync"
	"testing"
)

// TestMallocKeepsTwoArenas: however many threads the program runs, glibc's
// malloc keeps at most two arenas (malloc_glibc.go), unless the
// environment says otherwise.
func TestMallocKeepsTwoArenas(t *testing.T) {
	if mallocArenas() < 0 {
		t.Skip("malloc is not glibc's")
	}
	if v := os.Getenv("MALLOC_ARENA_MAX"); v != "" {
		t.Skipf("MALLOC_ARENA_MAX=%s decides", v)
	}
	// Each goroutine holds its own thread; each new thread frees memory
	// at its start, which would give it an arena of its own.
	var started, done sync.WaitGroup
	release := make(chan struct{})
	for range 24 {
		started.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			started.Done()
			<-release
		}()
	}
	started.Wait()
	n := mallocArenas()
	close(release)
	done.Wait()
	if n > 2 {
		t.Errorf("malloc keeps %d arenas, want at most 2", n)
	}
}
