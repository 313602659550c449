package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestCPUProfileWritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cpu.pprof")
	var errs bytes.Buffer
	code := withCPUProfile(path, &errs, func() int { return 2 })
	if code != 2 {
		t.Errorf("exit code %d, want the command's own 2", code)
	}
	b, err := os.ReadFile(path)
	if err != nil || len(b) == 0 || errs.Len() != 0 {
		t.Fatalf("profile: %d bytes, %v; stderr %q", len(b), err, errs.String())
	}
	// pprof writes gzip-compressed protocol buffers.
	if !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
		t.Errorf("profile does not start with gzip's magic: % x", b[:2])
	}
}

func TestCPUProfileUnwritableKeepsExitCode(t *testing.T) {
	var errs bytes.Buffer
	code := withCPUProfile(filepath.Join(t.TempDir(), "no", "such", "dir", "cpu.pprof"), &errs, func() int { return 0 })
	if code != 0 || errs.Len() == 0 {
		t.Errorf("exit %d, stderr %q: want 0 and a warning", code, errs.String())
	}
}
