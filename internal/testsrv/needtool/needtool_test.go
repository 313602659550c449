package needtool

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

func TestLookupFindsOnPath(t *testing.T) {
	dir := t.TempDir()
	tool := filepath.Join(dir, "rapport-test-tool")
	if err := os.WriteFile(tool, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir)
	if p, err := lookup("apt-get install it", []string{"rapport-missing-tool", "rapport-test-tool"}); err != nil || p != tool {
		t.Errorf("lookup = %q, %v; want %q", p, err, tool)
	}
}

func TestLookupNamesToolAndInstall(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := lookup("apt-get install chromium", []string{"chromium", "google-chrome"})
	if want := "chromium not found (nor google-chrome): apt-get install chromium"; err == nil || err.Error() != want {
		t.Errorf("err = %v, want %q", err, want)
	}
}

// recorder stands in for a test so that a skip or a failure can be seen
// without skipping or failing the real one.
type recorder struct {
	testing.TB
	skipped, failed string
}

func (r *recorder) Skip(args ...any)                  { r.skipped = fmt.Sprint(args...) }
func (r *recorder) Fatalf(format string, args ...any) { r.failed = fmt.Sprintf(format, args...) }

func TestPathSkipsOrFailsUnderCI(t *testing.T) {
	for _, ci := range []string{"", "1"} {
		t.Setenv("CI", ci)
		r := &recorder{TB: t}
		if p := Path(r, "apt-get install nothing", "rapport-no-such-tool"); p != "" {
			t.Fatalf("CI=%q: Path = %q for a missing tool", ci, p)
		}
		line := "rapport-no-such-tool not found: apt-get install nothing"
		if ci == "" && (r.skipped != line || r.failed != "") {
			t.Errorf("without CI: skipped %q, failed %q; want a skip %q", r.skipped, r.failed, line)
		}
		if ci != "" && (r.failed != line+" (CI must have it)" || r.skipped != "") {
			t.Errorf("under CI: skipped %q, failed %q; want a failure", r.skipped, r.failed)
		}
	}
}
