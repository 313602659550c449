package perf

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"
)

// Run is a finished command: how long it took, the most memory it held,
// and what it printed.
type Run struct {
	Wall     time.Duration
	CPU      time.Duration // user + system
	MaxRSS   int64         // bytes
	ExitCode int
	Stdout   string
	Stderr   string
}

// Command runs name with args, stdin from in (may be nil), and the extra
// environment variables env. A non-zero exit is not an error: callers
// decide (an import with bad rows exits 2 by design).
//
// The peak memory is the child's own. getrusage's figure for a child
// started by Go is at least this process's own peak: Go starts children
// with CLONE_VM|CLONE_VFORK, and Linux carries the shared memory map's
// high-water mark across exec. When that figure is no higher than this
// process's peak, the child's VmHWM, read every few milliseconds while it
// ran, is used instead (it misses at most the growth of its last moments).
func Command(ctx context.Context, in io.Reader, env []string, name string, args ...string) (Run, error) {
	cmd := exec.CommandContext(ctx, name, args...)
	var out, errb bytes.Buffer
	cmd.Stdin, cmd.Stdout, cmd.Stderr = in, &out, &errb
	cmd.Env = append(os.Environ(), env...)
	_, parentPeak, _ := Memory(os.Getpid())
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return Run{}, fmt.Errorf("run %s: %w", name, err)
	}
	polled := pollPeak(cmd.Process.Pid)
	err := cmd.Wait()
	r := Run{Wall: time.Since(start), Stdout: out.String(), Stderr: errb.String()}
	ownPeak := polled()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return r, fmt.Errorf("run %s: %w", name, err)
	}
	r.ExitCode = cmd.ProcessState.ExitCode()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.MaxRSS = ru.Maxrss * 1024 // Linux reports KiB
		r.CPU = time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
	}
	if r.MaxRSS <= parentPeak {
		r.MaxRSS = ownPeak
	}
	return r, nil
}

// pollPeak reads the peak memory (VmHWM) of process pid every few
// milliseconds until the returned function is called, which returns the
// last peak read.
func pollPeak(pid int) func() int64 {
	var peak atomic.Int64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(5 * time.Millisecond)
		defer tick.Stop()
		for {
			if _, p, err := Memory(pid); err == nil && p > peak.Load() {
				peak.Store(p)
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	return func() int64 {
		close(stop)
		<-done
		return peak.Load()
	}
}

// Memory reads a running process's resident memory and its peak so far
// (VmRSS and VmHWM in /proc/PID/status), in bytes.
func Memory(pid int) (rss, peak int64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		key, val, ok := strings.Cut(line, ":")
		if !ok || (key != "VmRSS" && key != "VmHWM") {
			continue
		}
		kib, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(val), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("/proc/%d/status: %s: %w", pid, key, err)
		}
		if key == "VmRSS" {
			rss = kib * 1024
		} else {
			peak = kib * 1024
		}
	}
	return rss, peak, nil
}

// MB formats a byte count in megabytes (10^6: what `ps` and the targets use).
func MB(b int64) string { return fmt.Sprintf("%.1f MB", float64(b)/1e6) }

// Seconds formats a duration in seconds, or milliseconds below one.
func Seconds(d time.Duration) string {
	if d < time.Second {
		return fmt.Sprintf("%.2f ms", float64(d)/float64(time.Millisecond))
	}
	return fmt.Sprintf("%.2f s", d.Seconds())
}
