package tmpl

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/rapportapp/rapport/internal/suggest"
	"github.com/rapportapp/rapport/internal/tomlerr"
)

const fenceLine = "+++"

// frontMatter is what an email template's header may set.
type frontMatter struct {
	Subject     string
	SubjectLine int // file line of the subject key
	SubjectCol  int // file column where the subject's text starts
	Attach      []string
	AttachLine  int
}

// splitFrontMatter separates an email file into its TOML front matter and
// its Markdown body. The front matter's first line is file line 2; the
// body starts at file line bodyLine.
func splitFrontMatter(path, src string) (fm, body string, bodyLine int, err error) {
	lines := strings.SplitAfter(src, "\n")
	if strings.TrimRight(lines[0], " \t\n") != fenceLine {
		return "", "", 0, &Error{Path: path, Line: 1, Col: 1, Msg: "an email template starts with a line " +
			`holding just +++, then subject = "...", then another +++ line, then the message`}
	}
	for i := 1; i < len(lines); i++ {
		if strings.TrimRight(lines[i], " \t\n") == fenceLine {
			return strings.Join(lines[1:i], ""), strings.Join(lines[i+1:], ""), i + 2, nil
		}
	}
	return "", "", 0, &Error{Path: path, Line: 1, Col: 1,
		Msg: "the +++ on this line is never closed — add a line holding just +++ after the subject"}
}

// parseFrontMatter decodes and checks the TOML between the +++ lines.
// Every problem is returned, each at its file position.
func parseFrontMatter(path, fm string) (frontMatter, []error) {
	var raw map[string]any
	md, err := toml.Decode(fm, &raw)
	if err != nil {
		return frontMatter{}, []error{tomlProblem(path, err)}
	}
	var (
		out      frontMatter
		problems []error
	)
	for _, key := range md.Keys() {
		if len(key) != 1 {
			continue // nested keys are reported with their parent
		}
		if p := out.set(path, fm, key[0], raw[key[0]]); p != nil {
			problems = append(problems, p)
		}
	}
	if !md.IsDefined("subject") {
		problems = append(problems, &Error{Path: path, Line: 1, Col: 1,
			Msg: `missing subject — add a line like subject = "Your order is on its way" between the +++ lines`})
	}
	return out, problems
}

// set stores one top-level front-matter setting, or says what is wrong.
func (f *frontMatter) set(path, fm, key string, value any) error {
	line := keyLine(fm, key)
	at := func(format string, args ...any) error {
		return &Error{Path: path, Line: line + 1, Col: 1, Msg: fmt.Sprintf(format, args...)}
	}
	switch key {
	case "subject":
		s, ok := value.(string)
		if !ok || strings.TrimSpace(s) == "" {
			return at(`subject must be text in quotes, like subject = "How is it going, {{.Contact.FirstName}}?"`)
		}
		f.Subject, f.SubjectLine, f.SubjectCol = s, line+1, valueCol(fm, line)
	case "attach":
		names, ok := stringList(value)
		if !ok {
			return at(`attach must be a list of file names in quotes, like attach = ["shipping-and-returns.pdf"]`)
		}
		f.Attach, f.AttachLine = names, line+1
	default:
		msg := fmt.Sprintf("unknown setting %q — the settings are subject and attach", key)
		if guess := suggest.Closest(key, []string{"subject", "attach"}); guess != "" {
			msg += fmt.Sprintf("; did you mean %s?", guess)
		}
		return at("%s", msg)
	}
	return nil
}

func stringList(v any) ([]string, bool) {
	items, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(items))
	for _, it := range items {
		s, ok := it.(string)
		if !ok || strings.TrimSpace(s) == "" {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}

// tomlProblem positions a TOML syntax error in the file: the front matter
// starts on file line 2.
func tomlProblem(path string, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return &Error{Path: path, Line: pe.Position.Line + 1, Col: max(pe.Position.Col, 1),
			Msg: "front matter: " + tomlerr.Message(pe) + ` (settings look like subject = "...")`}
	}
	return &Error{Path: path, Line: 2, Col: 1, Msg: "front matter: " + err.Error()}
}

// keyLine finds the 1-based front-matter line that sets key; BurntSushi's
// MetaData does not expose key positions. It returns 1 if not found.
func keyLine(fm, key string) int {
	re := regexp.MustCompile(`^\s*\[*\s*["']?` + regexp.QuoteMeta(key) + `["']?\s*[=.\]]`)
	lines := strings.Split(fm, "\n")
	if i := slices.IndexFunc(lines, re.MatchString); i >= 0 {
		return i + 1
	}
	return 1
}

// valueCol returns the file column where the text of the quoted value on
// front-matter line n starts (after the opening quote or quotes).
func valueCol(fm string, n int) int {
	line := strings.Split(fm, "\n")[n-1]
	_, after, ok := strings.Cut(line, "=")
	if !ok {
		return 1
	}
	col := len(line) - len(after)
	trimmed := strings.TrimLeft(after, " \t")
	col += len(after) - len(trimmed)
	for _, q := range []string{`"""`, `'''`, `"`, `'`} {
		if strings.HasPrefix(trimmed, q) {
			col += len(q)
			break
		}
	}
	return col + 1
}
