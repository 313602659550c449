package tmpl_test

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/tmpl"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// writeTemplates creates a templates folder holding files (name → text).
func writeTemplates(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func mustLoad(t *testing.T, dir string) *tmpl.Set {
	t.Helper()
	s, err := tmpl.LoadDir(dir)
	if err != nil {
		t.Fatalf("LoadDir(%s):\n%v", dir, err)
	}
	return s
}

func mustRender(t *testing.T, s *tmpl.Set, name, channel string, index int, d tmpl.Data) *tmpl.Rendered {
	t.Helper()
	r, err := s.Render(name, channel, index, d)
	if err != nil {
		t.Fatalf("Render(%q, %q, %d): %v", name, channel, index, err)
	}
	return r
}

// checkGolden compares got with testdata/name, or rewrites it with -update.
func checkGolden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the rendered output (go test -update rewrites it); got:\n%s", path, got)
	}
}

func TestRenderEmailGolden(t *testing.T) {
	s := mustLoad(t, filepath.Join("testdata", "email"))
	d := tmpl.SampleData()
	d.Order.Items = "Lemon 15 mL & *Wild Orange* 15 mL <limited>"
	r := mustRender(t, s, "order-note", channel.Email, 0, d)

	if want := "Your order 100482, Jane"; r.Subject != want {
		t.Errorf("Subject = %q, want %q (line breaks collapsed)", r.Subject, want)
	}
	wantAttach, err := filepath.Abs(filepath.Join("testdata", "email", "care-guide.pdf"))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Attachments) != 1 || r.Attachments[0] != wantAttach {
		t.Errorf("Attachments = %q, want [%q]", r.Attachments, wantAttach)
	}
	if want := filepath.Join("testdata", "email", "order-note.email.md"); r.Source != want {
		t.Errorf("Source = %q, want %q", r.Source, want)
	}
	checkGolden(t, "order-note.golden.txt", r.Text)
	checkGolden(t, "order-note.golden.html", r.HTML)
}

func TestRenderEmailDropsUnsafeMarkup(t *testing.T) {
	s := mustLoad(t, filepath.Join("testdata", "email"))
	r := mustRender(t, s, "order-note", channel.Email, 0, tmpl.SampleData())
	for _, bad := range []string{"<script", "javascript:"} {
		if strings.Contains(r.HTML, bad) {
			t.Errorf("HTML contains %q; raw HTML and unsafe links must be dropped", bad)
		}
	}
}

func TestRenderEscapesCustomerData(t *testing.T) {
	dir := writeTemplates(t, map[string]string{
		"note.email.md": "+++\nsubject = \"Hi {{.Contact.FirstName}}\"\n+++\n" +
			"Hi {{.Contact.FirstName}}, your {{.Order.Items}} [shipped](https://example.com/{{.Order.Invoice}}).\n",
	})
	d := tmpl.SampleData()
	d.Contact.FirstName = "<b>Bo</b> & *Al*"
	d.Order.Items = "_oils_ [x](javascript:alert(1))"
	d.Order.Invoice = "A&B"
	r := mustRender(t, mustLoad(t, dir), "note", channel.Email, 0, d)

	wantHTML := []string{
		"Hi &lt;b&gt;Bo&lt;/b&gt; &amp; *Al*,",
		"your _oils_ [x](javascript:alert(1))",
		`href="https://example.com/A&amp;B"`,
	}
	for _, want := range wantHTML {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("HTML lacks %q:\n%s", want, r.HTML)
		}
	}
	for _, bad := range []string{"<b>Bo", "<em>", `href="javascript`} {
		if strings.Contains(r.HTML, bad) {
			t.Errorf("HTML contains %q: customer data was interpreted", bad)
		}
	}
	if !strings.Contains(r.Text, "Hi <b>Bo</b> & *Al*, your _oils_") {
		t.Errorf("Text should show the data as typed:\n%s", r.Text)
	}
	if r.Subject != "Hi <b>Bo</b> & *Al*" {
		t.Errorf("Subject = %q", r.Subject)
	}
}

func TestRenderSubjectHeaderSafe(t *testing.T) {
	dir := writeTemplates(t, map[string]string{
		"note.email.md": "+++\nsubject = \"Hello {{.Contact.Name}}  again\"\n+++\nHi\n",
	})
	d := tmpl.SampleData()
	d.Contact.Name = "Jane\r\nBcc: victim@example.com\t\x00x"
	r := mustRender(t, mustLoad(t, dir), "note", channel.Email, 0, d)
	if want := "Hello Jane Bcc: victim@example.com x again"; r.Subject != want {
		t.Errorf("Subject = %q, want %q", r.Subject, want)
	}
}

func TestRenderFooter(t *testing.T) {
	dir := writeTemplates(t, map[string]string{"note.email.md": "+++\nsubject = \"Hi\"\n+++\nHi\n"})
	s := mustLoad(t, dir)
	d := tmpl.SampleData()
	r := mustRender(t, s, "note", channel.Email, 0, d)
	for _, want := range []string{d.Rep.Name, d.Rep.PostalAddress, d.Rep.Phone, d.Rep.Email, d.UnsubscribeURL} {
		if !strings.Contains(r.Text, want) || !strings.Contains(r.HTML, want) {
			t.Errorf("footer lacks %q in the text or the HTML part", want)
		}
	}
	if !strings.Contains(r.HTML, `<a href="`+d.UnsubscribeURL+`"`) {
		t.Errorf("HTML has no unsubscribe link")
	}

	// The rep's lines are kept from one email to the next, for as long as
	// the rep's details stay the same; each customer has their own link.
	other := d
	other.Rep.Name, other.Rep.Phone, other.UnsubscribeURL = "Beth <Rowe>", "", "https://rapport.example.com/u/other"
	r = mustRender(t, s, "note", channel.Email, 0, other)
	for _, want := range []string{"Beth &lt;Rowe&gt;", other.UnsubscribeURL} {
		if !strings.Contains(r.HTML, want) {
			t.Errorf("the next email's HTML lacks %q", want)
		}
	}
	for _, old := range []string{d.Rep.Name, d.Rep.Phone, d.UnsubscribeURL} {
		if strings.Contains(r.HTML, old) {
			t.Errorf("the next email's HTML still has %q", old)
		}
	}

	d.UnsubscribeURL = ""
	if _, err := s.Render("note", channel.Email, 0, d); err == nil {
		t.Errorf("Render without an unsubscribe link succeeded; every email needs one")
	}
}

func TestRenderTextsAndTasks(t *testing.T) {
	dir := writeTemplates(t, map[string]string{
		"hello.sms.txt":  "Hi {{.Contact.FirstName}}, it's {{.Rep.FirstName}}.\n\n",
		"call.task.txt":  "Call {{.Contact.Name}}\n\nAsk about {{.Order.Items | default \"the order\"}}.\n",
		"shout.task.txt": "{{upper .Contact.FirstName}} {{lower .Rep.Name}}",
	})
	s := mustLoad(t, dir)
	d := tmpl.SampleData()
	d.Order.Items = "  "
	tests := []struct {
		name, channel string
		subject, text string
	}{
		{"hello", channel.SMS, "", "Hi Jane, it's Amy."},
		{"call", channel.Task, "Call Jane Rivera", "Call Jane Rivera\n\nAsk about the order."},
		{"shout", channel.Task, "JANE amy kline", "JANE amy kline"},
	}
	for _, tt := range tests {
		r := mustRender(t, s, tt.name, tt.channel, 0, d)
		if r.Subject != tt.subject || r.Text != tt.text || r.HTML != "" {
			t.Errorf("%s.%s = {Subject %q, Text %q, HTML %q}, want {%q, %q, \"\"}",
				tt.name, tt.channel, r.Subject, r.Text, r.HTML, tt.subject, tt.text)
		}
	}
}

func TestSeries(t *testing.T) {
	dir := writeTemplates(t, map[string]string{
		"tips/02-second.email.md": "+++\nsubject = \"two\"\n+++\nTwo\n",
		"tips/01-first.email.md":  "+++\nsubject = \"one\"\n+++\nOne\n",
		"tips/10-last.email.md":   "+++\nsubject = \"ten\"\n+++\nTen\n",
		"tips/01-first.sms.txt":   "One by text",
		"tips/notes.pdf":          "not a template",
		"solo.email.md":           "+++\nsubject = \"solo\"\n+++\nSolo\n",
	})
	s := mustLoad(t, dir)
	if got := s.SeriesLen("tips", channel.Email); got != 3 {
		t.Errorf("SeriesLen(tips, email) = %d, want 3", got)
	}
	if got := s.SeriesLen("tips", channel.SMS); got != 1 {
		t.Errorf("SeriesLen(tips, sms) = %d, want 1", got)
	}
	if got := s.SeriesLen("solo", channel.Email); got != 0 {
		t.Errorf("SeriesLen(solo) = %d, want 0 for a single template", got)
	}
	for i, want := range []string{"one", "two", "ten"} {
		if r := mustRender(t, s, "tips", channel.Email, i, tmpl.SampleData()); r.Subject != want {
			t.Errorf("entry %d: Subject = %q, want %q (file-name order)", i, r.Subject, want)
		}
	}
	for _, i := range []int{3, -1} {
		if _, err := s.Render("tips", channel.Email, i, tmpl.SampleData()); !errors.Is(err, tmpl.ErrSeriesEnded) {
			t.Errorf("Render(tips, %d) error = %v, want ErrSeriesEnded", i, err)
		}
	}
	if r := mustRender(t, s, "solo", channel.Email, 7, tmpl.SampleData()); r.Subject != "solo" {
		t.Errorf("a single template ignores the index; got %q", r.Subject)
	}
}

func TestHas(t *testing.T) {
	dir := writeTemplates(t, map[string]string{
		"a.email.md":         "+++\nsubject = \"a\"\n+++\nA\n",
		"a.sms.txt":          "A",
		"tips/01-x.task.txt": "X",
	})
	s := mustLoad(t, dir)
	tests := []struct {
		name, channel string
		want          bool
	}{
		{"a", channel.Email, true},
		{"a", channel.SMS, true},
		{"a", channel.Task, false},
		{"tips", channel.Task, true},
		{"tips", channel.Email, false},
		{"missing", channel.Email, false},
	}
	for _, tt := range tests {
		if got := s.Has(tt.name, tt.channel); got != tt.want {
			t.Errorf("Has(%q, %q) = %v, want %v", tt.name, tt.channel, got, tt.want)
		}
	}
	if _, err := s.Render("missing", channel.Email, 0, tmpl.SampleData()); err == nil {
		t.Errorf("Render of a missing template succeeded")
	}
}

func TestLoadDirNormalizesWindowsFiles(t *testing.T) {
	dir := writeTemplates(t, map[string]string{
		"note.email.md": "\uFEFF+++\r\nsubject = \"Hi\"\r\n+++\r\nLine one\r\nLine two\r\n",
	})
	r := mustRender(t, mustLoad(t, dir), "note", channel.Email, 0, tmpl.SampleData())
	if strings.Contains(r.Text, "\r") || !strings.HasPrefix(r.Text, "Line one\nLine two\n") {
		t.Errorf("Text = %q", r.Text)
	}
}

func TestRepFirstName(t *testing.T) {
	tests := map[string]string{"Amy Kline": "Amy", "  Mary Ann Lee ": "Mary", "Cher": "Cher", "": ""}
	for name, want := range tests {
		if got := (tmpl.Rep{Name: name}).FirstName(); got != want {
			t.Errorf("Rep{Name: %q}.FirstName() = %q, want %q", name, got, want)
		}
	}
}

func TestLetterCarriesTheFooter(t *testing.T) {
	d := tmpl.SampleData()
	text, err := tmpl.Letter("Hi Jane,\n\nA new bottle is on its way.  \n", d)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(text, "Hi Jane,\n\nA new bottle is on its way.\n\n-- \n") {
		t.Errorf("the rep's words are not kept as typed, then the footer:\n%s", text)
	}
	for _, want := range []string{d.Rep.PostalAddress, "Unsubscribe: " + d.UnsubscribeURL} {
		if !strings.Contains(text, want) {
			t.Errorf("letter lacks %q:\n%s", want, text)
		}
	}
	d.UnsubscribeURL = ""
	if _, err := tmpl.Letter("Hi", d); err == nil {
		t.Error("Letter without an unsubscribe link succeeded; every email needs one")
	}
}

// TestRenderKeepsNothingBetweenMessages renders one customer's email after
// others (one of them too large for its buffers to be kept): the buffers
// a rendering leaves for the next must carry nothing of it over.
func TestRenderKeepsNothingBetweenMessages(t *testing.T) {
	s := mustLoad(t, starterDir)
	jane := tmpl.SampleData()
	first := mustRender(t, s, "policy-sheet", channel.Email, 0, jane)
	bob := tmpl.SampleData()
	bob.Contact.FirstName = "Bob"
	r := mustRender(t, s, "policy-sheet", channel.Email, 0, bob)
	if strings.Contains(r.HTML+r.Text, "Jane") || strings.Count(r.HTML, "<html") != 1 {
		t.Fatalf("Bob's email carries Jane's name or a second layout:\n%s", r.HTML)
	}
	bob.Order.Items = strings.Repeat("Peppermint 15 mL, ", 5000) // buffers too large to keep
	mustRender(t, s, "policy-sheet", channel.Email, 0, bob)
	again := mustRender(t, s, "policy-sheet", channel.Email, 0, jane)
	if again.HTML != first.HTML || again.Text != first.Text || again.Subject != first.Subject {
		t.Errorf("Jane's email changed after others were rendered:\n%s\nwant:\n%s", again.HTML, first.HTML)
	}
}
