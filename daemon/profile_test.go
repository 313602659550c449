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

func TestProfilesWritten(t *testing.T) {
	dir := t.TempDir()
	cpu, mem := filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "mem.pprof")
	var errs bytes.Buffer
	code := withProfiles(cpu, mem, &errs, func() int {
		sink = make([]byte, 1<<20)
		return 1
	})
	if code != 1 || errs.Len() != 0 {
		t.Fatalf("exit %d, stderr %q: want the command's own 1 and no warning", code, errs.String())
	}
	for _, path := range []string{cpu, mem} {
		if b, err := os.ReadFile(path); err != nil || !bytes.HasPrefix(b, []byte{0x1f, 0x8b}) {
			t.Errorf("%s: %d bytes, %v: want a gzip-compressed profile", path, len(b), err)
		}
	}
}

// sink keeps an allocation from being optimised away.
var sink []byte

func TestMemProfileUnwritableKeepsExitCode(t *testing.T) {
	var errs bytes.Buffer
	code := withProfiles("", filepath.Join(t.TempDir(), "no", "such", "dir", "mem.pprof"), &errs, func() int { return 0 })
	if code != 0 || !bytes.Contains(errs.Bytes(), []byte(memProfileEnv)) {
		t.Errorf("exit %d, stderr %q: want 0 and a warning naming %s", code, errs.String(), memProfileEnv)
	}
}

func TestCPUProfileUnwritableKeepsExitCode(t *testing.T) {
	var errs bytes.Buffer
	code := withCPUProfile(filepath.Join(t.TempDir(), "no", "such", "dir", "cpu.pprof"), &errs, func() int { return 0 })
	if code != 0 || errs.Len() == 0 {
		t.Errorf("exit %d, stderr %q: want 0 and a warning", code, errs.String())
	}
}
