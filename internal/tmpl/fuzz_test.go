package tmpl

import (
	"errors"
	"strings"
	"testing"

	"github.com/rapportapp/rapport/internal/channel"
)

// FuzzFrontMatter feeds arbitrary email files through the parser: it must
// never panic, and every problem must point inside the file.
func FuzzFrontMatter(f *testing.F) {
	seeds := []string{
		"+++\nsubject = \"Hi {{.Contact.FirstName}}\"\n+++\nBody\n",
		"+++\nsubject = \"x\"\nattach = [\"a.pdf\", \"b.pdf\"]\n+++\n{{.Order.Items}}\n",
		"+++\n# comment\nsubject = '''literal {{.Rep.Name}}'''\n+++\n",
		"+++\nsubject = \"\"\"multi\nline\"\"\"\n+++\nBody",
		"+++\nsubject = 3\nattach = [1]\n[table]\nkey = 1\n+++\nBody {{",
		"+++\nsubject = \"unterminated\n+++\nBody\n",
		"+++\n+++\n",
		"+++",
		"no front matter",
		"",
		"+++\nsubject = \"x\"\n+++\n{{if .Step}}{{.Contact.Frist}}{{else}}{{.Nope.X}}",
		"+++\r\nsubject = \"é {{.Contact.Name.X}}\"\r\n+++\r\n",
	}
	for _, s := range seeds {
		f.Add(s)
	}
	r, err := newRenderer()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, src string) {
		src = normalize(src)
		lines := strings.Count(src, "\n") + 1
		e, problems := parseEntry("f.email.md", channel.Email, src, "/templates")
		for _, p := range problems {
			checkInFile(t, p, lines)
		}
		if len(problems) > 0 {
			return
		}
		// A file that loads must render, or fail with a positioned error.
		if _, err := e.render(r, SampleData()); err != nil {
			checkInFile(t, err, lines)
		}
	})
}

func checkInFile(t *testing.T, err error, lines int) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("problem %q is not an *Error", err)
	}
	if e.Line < 1 || e.Line > lines || e.Col < 1 || e.Path != "f.email.md" {
		t.Fatalf("problem %q is outside the %d-line file", err, lines)
	}
}
