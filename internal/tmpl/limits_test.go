package tmpl_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/tmpl"
)

// Templates that would run for ever, or without a known end, are refused
// when the folder loads: text/template cannot be stopped once it runs.
func TestEndlessTemplatesAreRefusedAtLoad(t *testing.T) {
	tests := []struct{ name, file, want string }{
		{"huge empty range", "Hi\n{{range 9223372036854775807}}{{end}}",
			"a.sms.txt:2:1: this template took too long to render: {{range 9223372036854775807}} repeats its body 9223372036854775807 times"},
		{"nested ranges", "{{range 1000}}{{range 1000}}x{{end}}{{end}}",
			"a.sms.txt:1:1: this template took too long to render: {{range 1000}} repeats"},
		{"range over a computed number", "{{range len .Contact.Name}}x{{end}}",
			"a.sms.txt:1:1: {{range}} here repeats over len .Contact.Name; a message has no list to repeat over"},
		{"a template that runs itself", `{{define "a"}}x{{template "a"}}{{end}}{{template "a"}}`,
			`a.sms.txt:1:16: {{template "a"}} runs itself again, which would never end`},
		{"templates that multiply", `{{define "a"}}{{range 100}}x{{end}}{{end}}{{define "b"}}{{range 200}}{{template "a"}}{{end}}{{end}}{{template "b"}}`,
			"a.sms.txt:1:57: this template took too long to render: {{range 200}} repeats its body 200 times"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTemplates(t, map[string]string{"a.sms.txt": tt.file})
			_, err := tmpl.LoadDir(dir)
			got := problemsOf(t, dir, err)
			if len(got) != 1 || !strings.HasPrefix(got[0], tt.want) {
				t.Errorf("problems %q, want one starting %q", got, tt.want)
			}
		})
	}
}

func TestShortRangesRender(t *testing.T) {
	dir := writeTemplates(t, map[string]string{"a.sms.txt": "Hi{{range 3}}!{{end}}"})
	if r := mustRender(t, mustLoad(t, dir), "a", channel.SMS, 0, tmpl.SampleData()); r.Text != "Hi!!!" {
		t.Errorf("text %q, want Hi!!!", r.Text)
	}
}

// Output-making loops and text-making functions stop at the message's
// size, with the template's line.
func TestOversizeTemplatesFailToRender(t *testing.T) {
	line := strings.Repeat("All work and no play. ", 5) + "\n"
	double := `{{$x := "0123456789abcdef"}}` + strings.Repeat(`{{$x = printf "%s%s" $x $x}}`, 30)
	tests := []struct{ name, file, src, want string }{
		{"email over 256 KB", "a.email.md", "+++\nsubject = \"x\"\n+++\nHello\n{{range 5000}}" + line + "{{end}}",
			"a.email.md:5:1: this template renders too large: the message would be over 256 KB"},
		{"text over 10 segments", "a.sms.txt", "Hi\n{{range 20}}" + line + "{{end}}",
			"a.sms.txt:2:1: this text renders too large: 15 segments, and the most a text may be is 10"},
		{"doubling a variable", "a.task.txt", "Call\n" + double,
			"a.task.txt:2:"}, // position checked below
		{"padding", "a.task.txt", `Call {{printf "%1000000s%1000000s" "" ""}}`,
			"a.task.txt:1:8: this template renders too large: its functions made over 1024 KB of text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTemplates(t, map[string]string{tt.file: tt.src})
			s := mustLoad(t, dir)
			problems, _ := s.Check(tmpl.SampleData())
			got := problemsOf(t, dir, errors.Join(problems...))
			if len(got) != 1 || !strings.HasPrefix(got[0], tt.want) || !strings.Contains(got[0], "too large") {
				t.Errorf("check: %q, want one problem starting %q", got, tt.want)
			}
			name, ch, _ := strings.Cut(strings.TrimSuffix(strings.TrimSuffix(tt.file, ".md"), ".txt"), ".")
			if _, err := s.Render(name, ch, 0, tmpl.SampleData()); err == nil {
				t.Errorf("Render succeeded, want the problem")
			}
		})
	}
}
