package tmpl_test

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapportapp/rapport/internal/tmpl"
)

const contactFields = ".Contact.FirstName, .Contact.LastName, .Contact.Name, .Contact.Email, .Contact.Phone"

// problemsOf splits a joined error into its problems, as text with the
// folder prefix removed, and checks each is a positioned *tmpl.Error.
func problemsOf(t *testing.T, dir string, err error) []string {
	t.Helper()
	if err == nil {
		return nil
	}
	errs := []error{err}
	if j, ok := err.(interface{ Unwrap() []error }); ok {
		errs = j.Unwrap()
	}
	out := make([]string, 0, len(errs))
	for _, e := range errs {
		var te *tmpl.Error
		if !errors.As(e, &te) {
			t.Errorf("problem %q is not a *tmpl.Error", e)
		}
		out = append(out, filepath.ToSlash(strings.TrimPrefix(e.Error(), dir+string(filepath.Separator))))
	}
	return out
}

func TestLoadDirProblems(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{{
		name:  "unknown field in a text",
		files: map[string]string{"arrival-check.sms.txt": "Hi {{.Contact.Frist}}!"},
		want: []string{`arrival-check.sms.txt:1:14: unknown field "Frist" in {{.Contact.Frist}} — fields are ` +
			contactFields + `; did you mean {{.Contact.FirstName}}?`},
	}, {
		name: "positions in an email body count the front matter",
		files: map[string]string{"a.email.md": "+++\nsubject = \"Hi\"\n+++\n\nHello,\n" +
			"  {{if .Order.Invoice}}{{.Order.Invoce}}{{end}}\n"},
		want: []string{`a.email.md:6:32: unknown field "Invoce" in {{.Order.Invoce}} — fields are ` +
			`.Order.Date, .Order.Invoice, .Order.Items; did you mean {{.Order.Invoice}}?`},
	}, {
		name:  "columns count characters, not bytes",
		files: map[string]string{"a.sms.txt": "Héllo — {{.Rep.Nmae}}"},
		want: []string{`a.sms.txt:1:15: unknown field "Nmae" in {{.Rep.Nmae}} — fields are ` +
			`.Rep.Name, .Rep.Email, .Rep.Phone, .Rep.PostalAddress, .Rep.FirstName; did you mean {{.Rep.Name}}?`},
	}, {
		name:  "subject position",
		files: map[string]string{"a.email.md": "+++\n# why\nsubject = \"Hi {{.contact.firstname}}\"\n+++\nBody\n"},
		want: []string{`a.email.md:3:17: unknown field "contact" in {{.contact.firstname}} — fields are ` +
			`.Contact, .Order, .Rep, .Step, .UnsubscribeURL; did you mean {{.Contact.FirstName}}?`},
	}, {
		name:  "inside with, and a whole group printed",
		files: map[string]string{"a.task.txt": "{{with .Contact}}{{.Emial}}{{end}}\n{{.Rep}}"},
		want: []string{
			`a.task.txt:1:20: unknown field "Emial" in {{.Emial}} — fields are .FirstName, .LastName, .Name, .Email, .Phone; did you mean {{.Email}}?`,
			`a.task.txt:2:3: {{.Rep}} is a group of fields; pick one: .Rep.Name, .Rep.Email, .Rep.Phone, .Rep.PostalAddress, .Rep.FirstName`,
		},
	}, {
		name:  "field of plain text",
		files: map[string]string{"a.sms.txt": "{{$.Contact.Name.First}}"},
		want:  []string{`a.sms.txt:1:17: $.Contact.Name is plain text and has no field "First", in {{$.Contact.Name.First}} — remove .First`},
	}, {
		name:  "unknown function",
		files: map[string]string{"a.sms.txt": "ok\nHi {{uper .Contact.Name}}"},
		want:  []string{`a.sms.txt:2:6: in {{uper .Contact.Name}}: unknown function "uper" — fields start with a dot, like {{.Contact.FirstName}}; functions are default, lower, upper`},
	}, {
		name:  "unclosed action",
		files: map[string]string{"a.sms.txt": "Hi {{.Contact.Name"},
		want:  []string{`a.sms.txt:1:4: in {{.Contact.Name: "{{" without a matching "}}" — close the placeholder`},
	}, {
		name: "front matter problems, all at once and in order",
		files: map[string]string{"a.email.md": "+++\nsubjct = \"Hi\"\nattach = \"x.pdf\"\n" +
			"subject = \"Hi {{.Step.X}}\"\n+++\nBody {{.Nope}}\n"},
		want: []string{
			`a.email.md:2:1: unknown setting "subjct" — the settings are subject and attach; did you mean subject?`,
			`a.email.md:3:1: attach must be a list of file names in quotes, like attach = ["shipping-and-returns.pdf"]`,
			`a.email.md:4:22: .Step is plain text and has no field "X", in {{.Step.X}} — remove .X`,
			`a.email.md:6:8: unknown field "Nope" in {{.Nope}} — fields are .Contact, .Order, .Rep, .Step, .UnsubscribeURL`,
		},
	}, {
		name:  "TOML syntax",
		files: map[string]string{"a.email.md": "+++\nsubject = \"Hi\nx\n+++\nBody\n"},
		want:  []string{`a.email.md:2:14: front matter: strings cannot contain newlines (settings look like subject = "...")`},
	}, {
		name:  "missing subject",
		files: map[string]string{"a.email.md": "+++\n+++\nBody\n"},
		want:  []string{`a.email.md:1:1: missing subject — add a line like subject = "Your order is on its way" between the +++ lines`},
	}, {
		name:  "no front matter",
		files: map[string]string{"a.email.md": "Hi there\n"},
		want: []string{`a.email.md:1:1: an email template starts with a line holding just +++, ` +
			`then subject = "...", then another +++ line, then the message`},
	}, {
		name:  "unclosed front matter",
		files: map[string]string{"a.email.md": "+++\nsubject = \"x\"\nBody\n"},
		want:  []string{`a.email.md:1:1: the +++ on this line is never closed — add a line holding just +++ after the subject`},
	}, {
		name:  "empty text and front matter on a text",
		files: map[string]string{"a.sms.txt": " \n", "b.task.txt": "+++\nsubject = \"x\"\n+++\nCall\n"},
		want: []string{
			`a.sms.txt:1:1: the message is empty — write what the customer should read`,
			`b.task.txt:1:1: texts and tasks have no +++ header — remove it and keep just the message`,
		},
	}, {
		name: "a template and a series of the same name",
		files: map[string]string{
			"tips.email.md":      "+++\nsubject = \"x\"\n+++\nX\n",
			"tips/01-a.email.md": "+++\nsubject = \"a\"\n+++\nA\n",
		},
		want: []string{`tips.email.md:1:1: there is both a email template and a series folder named "tips" — rename or remove one`},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTemplates(t, tt.files)
			_, err := tmpl.LoadDir(dir)
			got := problemsOf(t, dir, err)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func TestCheck(t *testing.T) {
	long := strings.Repeat("Thanks so much for your order, it means a lot. ", 8)
	dir := writeTemplates(t, map[string]string{
		"attach.email.md":    "+++\nsubject = \"x\"\n\nattach = [\"guide.pdf\", \"missing.pdf\"]\n+++\nBody\n",
		"guide.pdf":          "%PDF",
		"runtime.sms.txt":    "Hi\n  {{index .Contact.Name 99}}",
		"long.sms.txt":       long,
		"emoji.sms.txt":      "Hi {{.Contact.FirstName}} 😊 " + long[:150],
		"ok.sms.txt":         "Hi {{.Contact.FirstName}}",
		"welcome.emial.md":   "typo in the name",
		"tips/sub/x.sms.txt": "in a folder too deep",
	})
	s := mustLoad(t, dir)
	problems, warnings := s.Check(tmpl.SampleData())

	wantProblems := []string{
		`attach.email.md:4:1: attachment ` + filepath.Join(dir, "missing.pdf") + ` not found — put the file in the templates folder or fix the name`,
		`runtime.sms.txt:2:5: in {{index .Contact.Name 99}}: error calling index: index out of range: 99`,
	}
	if got := problemsOf(t, dir, errors.Join(problems...)); strings.Join(got, "\n") != strings.Join(wantProblems, "\n") {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(wantProblems, "\n"))
	}

	wantWarnings := []string{
		"emoji.sms.txt: this text is 3 segments in UCS-2",
		`because of "😊"`,
		"long.sms.txt: this text is 3 segments in GSM-7",
		"tips/sub: folders inside a series are not used",
		"welcome.emial.md: not used",
	}
	all := filepath.ToSlash(strings.ReplaceAll(strings.Join(warnings, "\n"), dir+string(filepath.Separator), ""))
	for _, want := range wantWarnings {
		if !strings.Contains(all, want) {
			t.Errorf("warnings lack %q:\n%s", want, all)
		}
	}
	if len(warnings) != 4 {
		t.Errorf("got %d warnings, want 4:\n%s", len(warnings), all)
	}
}

// Go template syntax errors come out as path:line:col at the text that is
// wrong, quoting its placeholder, never in text/template's own
// "template: NAME:LINE: ..." form.
func TestSyntaxErrors(t *testing.T) {
	tests := []struct{ name, file, src, want string }{
		{"single closing brace", "a.sms.txt", "Hi\nthere {{.Contact.FirstName}\nbye",
			`a.sms.txt:2:27: in {{.Contact.FirstName}: a single "}" — a placeholder ends with "}}"`},
		{"stray paren", "a.sms.txt", "Hi {{.Contact.FirstName)}}",
			`a.sms.txt:1:24: in {{.Contact.FirstName)}}: ")" without a "(" before it — remove it`},
		{"else without if", "a.task.txt", "Call {{ .Contact.Name }} {{ else }}",
			`a.task.txt:1:26: in {{ else }}: {{else}} without an {{if}}, {{with}} or {{range}} before it — remove it`},
		{"end without if", "a.task.txt", "Call {{.Contact.Name}}{{- end}}",
			`a.task.txt:1:23: in {{- end}}: {{end}} without an {{if}}, {{with}} or {{range}} before it — remove it`},
		{"unterminated string", "a.sms.txt", `Hi {{.Contact.FirstName | default "there}}`,
			`a.sms.txt:1:35: in {{.Contact.FirstName | default "there}}: text in quotes without its closing quote — add the missing "`},
		{"unknown function on a later action", "a.sms.txt", "{{.Step}} and {{ lowr .Step }}",
			`a.sms.txt:1:18: in {{ lowr .Step }}: unknown function "lowr" — fields start with a dot, like {{.Contact.FirstName}}; functions are default, lower, upper`},
		{"range without a value", "a.sms.txt", "x\n{{range}}y{{end}}",
			`a.sms.txt:2:1: in {{range}}: template syntax: missing value for range`},
		{"if never ended", "a.sms.txt", "{{if .Step}}\nx",
			`a.sms.txt:2:1: the file ends inside an {{if}}, {{with}} or {{range}} — add the missing {{end}}`},
		{"in the subject", "a.email.md", "+++\nsubject = \"Hi {{.Contact.FirstName)}}\"\n+++\nBody\n",
			`a.email.md:2:35: in {{.Contact.FirstName)}}: ")" without a "(" before it — remove it`},
		{"in a define", "a.sms.txt", "{{define \"x\"}}{{.Step)}}{{end}}{{template \"x\" .}}",
			`a.sms.txt:1:22: in {{.Step)}}: ")" without a "(" before it — remove it`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := writeTemplates(t, map[string]string{tt.file: tt.src})
			_, err := tmpl.LoadDir(dir)
			got := strings.Join(problemsOf(t, dir, err), "\n")
			if got != tt.want {
				t.Errorf("problem:\n%s\nwant:\n%s", got, tt.want)
			}
			if strings.Contains(got, "template: ") {
				t.Errorf("text/template's own form leaked: %s", got)
			}
		})
	}
}

// Inspect keeps going past a broken template: the others are loaded and
// checked, and the broken one still counts as there.
func TestInspect(t *testing.T) {
	dir := writeTemplates(t, map[string]string{
		"broken.sms.txt":    "Hi {{.Contact.FirstName",
		"bad-field.sms.txt": "Hi {{.Contact.Frist}}",
		"runtime.sms.txt":   "Hi {{index .Contact.Name 99}}",
		"ok.sms.txt":        "Hi {{.Contact.FirstName}}",
	})
	s, problems := tmpl.Inspect(dir)
	if len(problems) != 2 {
		t.Errorf("%d problems, want the broken and the bad field:\n%v", len(problems), errors.Join(problems...))
	}
	for _, name := range []string{"broken", "bad-field", "runtime", "ok"} {
		if !s.Has(name, "sms") {
			t.Errorf("Has(%q) = false after Inspect", name)
		}
	}
	if checked, _ := s.Check(tmpl.SampleData()); len(checked) != 1 || !strings.Contains(checked[0].Error(), "runtime.sms.txt:1:6:") {
		t.Errorf("Check of the templates that parsed: %v, want the runtime one's problem", checked)
	}
}
