package tmpl_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/tmpl"
)

// An attachment goes to every customer: one that points out of the
// templates folder (to config.toml and its secrets) is refused at load.
func TestAttachmentsOutsideTheFolderAreRefused(t *testing.T) {
	dir := writeTemplates(t, map[string]string{
		"a.email.md": "+++\nsubject = \"x\"\nattach = [\"../config.toml\", \"/etc/passwd\", \"ok/../../x.pdf\"]\n+++\nBody\n",
	})
	_, err := tmpl.LoadDir(dir)
	got := problemsOf(t, dir, err)
	if len(got) != 3 {
		t.Fatalf("problems: %q, want three", got)
	}
	for i, name := range []string{"../config.toml", "/etc/passwd", "ok/../../x.pdf"} {
		if want := `a.email.md:3:1: attachment "` + name + `" is outside the templates folder`; !strings.HasPrefix(got[i], want) {
			t.Errorf("problem %d: %q, want %q...", i, got[i], want)
		}
	}
}

// A symlink inside the folder that leads out of it passes the name check
// but not Check, and a file swapped for such a link after loading is
// refused when the message is rendered to be sent.
func TestAttachmentLinksOutOfTheFolderAreRefused(t *testing.T) {
	secret := filepath.Join(t.TempDir(), "config.toml")
	if err := os.WriteFile(secret, []byte("auth_token = \"s3cret\""), 0o600); err != nil {
		t.Fatal(err)
	}
	dir := writeTemplates(t, map[string]string{
		"linked.email.md":  "+++\nsubject = \"x\"\nattach = [\"guide.pdf\"]\n+++\nBody\n",
		"swapped.email.md": "+++\nsubject = \"x\"\nattach = [\"sheet.pdf\"]\n+++\nBody\n",
		"sheet.pdf":        "%PDF",
	})
	if err := os.Symlink(secret, filepath.Join(dir, "guide.pdf")); err != nil {
		t.Fatal(err)
	}
	s := mustLoad(t, dir)
	problems, _ := s.Check(tmpl.SampleData())
	if len(problems) != 1 || !strings.Contains(problems[0].Error(), "linked.email.md:3:1: attachment") ||
		!strings.Contains(problems[0].Error(), "not links out of it") {
		t.Errorf("check problems: %v, want the link out of the folder at linked.email.md:3", problems)
	}
	d := tmpl.SampleData()
	r := mustRender(t, s, "swapped", channel.Email, 0, d)
	if len(r.Attachments) != 1 || r.Attachments[0] != filepath.Join(dir, "sheet.pdf") {
		t.Errorf("attachments %q, want the sheet", r.Attachments)
	}
	if err := os.Remove(filepath.Join(dir, "sheet.pdf")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(secret, filepath.Join(dir, "sheet.pdf")); err != nil {
		t.Fatal(err)
	}
	if r, err := s.Render("swapped", channel.Email, 0, d); err == nil {
		t.Errorf("render after the swap attached %q, want an error", r.Attachments)
	}
}
