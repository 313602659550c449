package tmpl_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/tmpl"
)

// A set keeps bound copies of its templates for rendering; a reloaded set
// renders the new files, and the old set, still in use until the swap, its
// own.
func TestReloadedSetRendersTheNewTemplates(t *testing.T) {
	dir := writeTemplates(t, map[string]string{"note.email.md": "+++\nsubject = \"Hi {{upper .Contact.FirstName}}\"\n+++\nOld body {{upper .Contact.FirstName}}\n"})
	old := mustLoad(t, dir)
	mustRender(t, old, "note", channel.Email, 0, tmpl.SampleData())
	text := "+++\nsubject = \"Hello {{lower .Contact.FirstName}}\"\n+++\nNew body {{lower .Contact.FirstName}}\n"
	if err := os.WriteFile(filepath.Join(dir, "note.email.md"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	d := tmpl.SampleData()
	d.Contact.FirstName = "Jane"
	r := mustRender(t, mustLoad(t, dir), "note", channel.Email, 0, d)
	if r.Subject != "Hello jane" || !strings.HasPrefix(r.Text, "New body jane") {
		t.Errorf("reloaded set rendered %q / %q, want the new template", r.Subject, r.Text)
	}
	r = mustRender(t, old, "note", channel.Email, 0, d)
	if r.Subject != "Hi JANE" || !strings.HasPrefix(r.Text, "Old body JANE") {
		t.Errorf("old set rendered %q / %q, want its own template", r.Subject, r.Text)
	}
}

// Renderings share a set's copies of a template one at a time: at once,
// each gets its own values, and a rendering over its limits leaves the next
// one its full budget.
func TestRenderingsAtOnceKeepTheirOwnValuesAndLimits(t *testing.T) {
	dir := writeTemplates(t, map[string]string{
		"note.email.md": "+++\nsubject = \"For {{.Contact.FirstName}}\"\n+++\n{{printf \"%s/%s\" (upper .Contact.FirstName) .Order.Invoice}}\n",
		"big.task.txt":  "{{range 300}}{{$x := printf \"%s\" $.Contact.Name}}{{end}}done\n",
	})
	s := mustLoad(t, dir)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			d := tmpl.SampleData()
			d.Contact.FirstName, d.Order.Invoice = fmt.Sprintf("c%d", i), fmt.Sprintf("inv%d", i)
			r, err := s.Render("note", channel.Email, 0, d)
			switch {
			case err != nil:
				errs <- err
			case r.Subject != "For "+d.Contact.FirstName || !strings.HasPrefix(r.Text, fmt.Sprintf("C%d/inv%d\n", i, i)):
				errs <- fmt.Errorf("rendering %d got %q / %q", i, r.Subject, r.Text)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	d := tmpl.SampleData()
	d.Contact.Name = strings.Repeat("x", 4000) // 300 × 4,000 bytes: over the budget
	if _, err := s.Render("big", channel.Task, 0, d); err == nil || !strings.Contains(err.Error(), "too large") {
		t.Fatalf("a rendering over its limits: %v, want too large", err)
	}
	d.Contact.Name = strings.Repeat("x", 3000) // 900 KB: within a fresh budget
	if r, err := s.Render("big", channel.Task, 0, d); err != nil || r.Text != "done" {
		t.Errorf("the next rendering: %v, %v; want its own full budget", r, err)
	}
}
