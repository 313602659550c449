package main

import (
	"path/filepath"
	"strings"
	"testing"
)

// The README's first command: six simulated months from the starter set.
func TestDemo(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "demo")
	out, errOut, code := runCLI(t, nil, "", "--now", "2026-03-02T08:00:00-06:00", "demo", "--dir", dir)
	if code != exitOK {
		t.Fatalf("demo: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{
		"policy-sheet", "arrival-check", "four-week-checkin", "monthly-tips", "first-week-call",
		"+ ORDER from Sofia Alvarez", "← REPLY from Emily Carter", "flagged: leak\n", "report it to the company in 7 business days (",
		"reply alert", "daily digest", "rapport replies done 1", "Six months in seconds:", " 0 failed.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("demo output lacks %q", want)
		}
	}
	files, _ := filepath.Glob(filepath.Join(dir, "outbox", "*"))
	if len(files) < 50 {
		t.Errorf("demo outbox has %d files, want the six months' messages", len(files))
	}
	// The same timeline again would duplicate nothing: the folder is refused.
	if _, _, code := runCLI(t, nil, "", "demo", "--dir", dir); code != exitInvalid {
		t.Errorf("demo into a used folder: exit %d, want %d", code, exitInvalid)
	}
}
