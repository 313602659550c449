package tmpl

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"text/template"

	"github.com/rapportapp/rapport/internal/channel"
)

// parseEntry parses the source of one template file. dir is the absolute
// templates folder, which attachments are relative to.
func parseEntry(path, ch, src, dir string) (*entry, []error) {
	e := &entry{path: path, channel: ch, dir: dir}
	if ch != channel.Email {
		if strings.HasPrefix(src, fenceLine) {
			return nil, []error{&Error{Path: path, Line: 1, Col: 1,
				Msg: "texts and tasks have no +++ header — remove it and keep just the message"}}
		}
		return e, e.parseBody(origin{path: path, text: src, line: 1, col: 1})
	}
	fmText, body, bodyLine, err := splitFrontMatter(path, src)
	if err != nil {
		return nil, []error{err}
	}
	fm, problems := parseFrontMatter(path, fmText)
	if fm.SubjectLine > 0 {
		e.subjO = origin{path: path, text: fm.Subject, line: fm.SubjectLine, col: fm.SubjectCol}
		e.subject, err = parseText(e.subjO)
		problems = append(problems, fieldsOrErr(e.subjO, e.subject, err)...)
	}
	e.attachL = fm.AttachLine
	for _, a := range fm.Attach {
		// An attachment goes to customers: a path out of the folder could
		// send them config.toml and its secrets.
		if !filepath.IsLocal(a) {
			problems = append(problems, &Error{Path: path, Line: e.attachL, Col: 1, Msg: fmt.Sprintf(
				"attachment %q is outside the templates folder — put the file in templates/ and write its name relative to it, like attach = [\"shipping-and-returns.pdf\"]", a)})
			continue
		}
		e.attach = append(e.attach, a)
	}
	if strings.TrimSpace(body) == "" {
		problems = append(problems, &Error{Path: path, Line: bodyLine - 1, Col: 1,
			Msg: "nothing after this +++ line — write the message the customer should read below it"})
	} else {
		problems = append(problems, e.parseBody(origin{path: path, text: body, line: bodyLine, col: 1})...)
	}
	sortByPosition(problems)
	return e, problems
}

// sortByPosition orders a file's problems from top to bottom.
func sortByPosition(problems []error) {
	slices.SortStableFunc(problems, func(a, b error) int {
		ea, okA := a.(*Error)
		eb, okB := b.(*Error)
		if !okA || !okB {
			return 0
		}
		return cmp.Or(cmp.Compare(ea.Line, eb.Line), cmp.Compare(ea.Col, eb.Col))
	})
}

// parseBody parses the message text and checks its fields.
func (e *entry) parseBody(o origin) []error {
	if strings.TrimSpace(o.text) == "" {
		return []error{o.errorAt(0, "the message is empty — write what the customer should read")}
	}
	var err error
	e.bodyO = o
	e.body, err = parseText(o)
	return fieldsOrErr(o, e.body, err)
}

// parseText parses o.text as a template named after its file, the name
// text/template puts in its error messages.
func parseText(o origin) (*template.Template, error) {
	return template.New(o.path).Option("missingkey=error").Funcs(funcs()).Parse(o.text)
}

// fieldsOrErr turns a parse error, or else the unknown fields of t, into
// positioned problems.
func fieldsOrErr(o origin, t *template.Template, err error) []error {
	if err != nil {
		return []error{o.parseProblem(o.path, err)}
	}
	return append(checkSteps(o, t), checkFields(o, t.Tree)...)
}
