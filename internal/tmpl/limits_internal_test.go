package tmpl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapportapp/rapport/internal/channel"
)

// A rendering past its time limit stops at the next output or function
// call, with the template's position.
func TestRenderingPastItsTimeLimitStops(t *testing.T) {
	dir := t.TempDir()
	src := "Call {{.Contact.Name | upper}}\n{{range 3}}again {{end}}"
	if err := os.WriteFile(filepath.Join(dir, "a.task.txt"), []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	s, err := LoadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Render("a", channel.Task, 0, SampleData()); err != nil {
		t.Fatalf("render within the limit: %v", err)
	}
	s.r.timeout = 0
	_, err = s.Render("a", channel.Task, 0, SampleData())
	if err == nil || !strings.Contains(err.Error(), "a.task.txt:2:1:") || !strings.Contains(err.Error(), "took too long to render") {
		t.Errorf("render past the time limit: %v, want a.task.txt:2:1 (its loop): ... took too long", err)
	}
}
