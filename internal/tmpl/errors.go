package tmpl

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"unicode/utf8"
)

// ErrSeriesEnded is returned by Render when a series has no entry at the
// requested index: the contact has had every message in it.
var ErrSeriesEnded = errors.New("tmpl: series has no more entries")

// Error is a problem at a known place in a template file. Its text is
// "path:line:col: message", the form editors and `rapport check` use.
type Error struct {
	Path string
	Line int // 1-based
	Col  int // 1-based, in characters
	Msg  string
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.Path, e.Line, e.Col, e.Msg)
}

// origin says where a piece of template text starts in its file, so
// positions that text/template reports relative to the text (the body
// after the front matter, or the subject inside its quotes) can be turned
// into the file's real line and column.
type origin struct {
	path string
	text string
	line int // file line of text[0]
	col  int // file column of text[0]; applies to the text's first line only
}

// errorAt returns an *Error for byte offset off in o.text.
func (o origin) errorAt(off int, format string, args ...any) *Error {
	off = min(max(off, 0), len(o.text))
	before := o.text[:off]
	lineStart := strings.LastIndexByte(before, '\n') + 1
	line := strings.Count(before, "\n")
	col := utf8.RuneCountInString(before[lineStart:]) + 1
	if line == 0 {
		col += o.col - 1
	}
	return &Error{Path: o.path, Line: o.line + line, Col: col, Msg: fmt.Sprintf(format, args...)}
}

// actionStart returns the offset of the "{{" that opens the action
// holding offset off (the parser places {{range N}} at N).
func (o origin) actionStart(off int) int {
	off = min(max(off, 0), len(o.text))
	if i := strings.LastIndex(o.text[:off], "{{"); i >= 0 {
		return i
	}
	return off
}

// lineOffset returns the byte offset where 1-based line n of o.text starts.
func (o origin) lineOffset(n int) int {
	off := 0
	for i := 1; i < n; i++ {
		j := strings.IndexByte(o.text[off:], '\n')
		if j < 0 {
			return len(o.text)
		}
		off += j + 1
	}
	return off
}

// parseProblem converts a text/template parse error, "template: NAME:LINE:
// msg", into a positioned *Error that quotes the placeholder at fault. The
// parser gives no column, so the column is that of the text it complains
// about on that line when it can be found, else the line's first action.
func (o origin) parseProblem(name string, err error) *Error {
	line, msg, ok := splitParseError(name, err.Error())
	if !ok {
		return o.errorAt(0, "template syntax: %s", msg)
	}
	off := o.lineOffset(line)
	end := strings.IndexByte(o.text[off:], '\n')
	if end < 0 {
		end = len(o.text) - off
	}
	text := o.text[off : off+end]
	at := culprit(text, msg)
	if action := actionAt(text, at); action != "" {
		return o.errorAt(off+at, "in %s: %s", action, explainParseError(msg))
	}
	return o.errorAt(off+at, "%s", explainParseError(msg))
}

// parseErrorHead matches the "template: NAME:LINE: " text/template puts
// before a parse error, for any name (a {{define}} names its own).
var parseErrorHead = regexp.MustCompile(`^template: (?:.*?):(\d+): `)

// splitParseError returns the line and the message of a parse error. When
// the text is not in the parser's form, msg is the text itself.
func splitParseError(name, text string) (line int, msg string, ok bool) {
	rest, found := strings.CutPrefix(text, "template: "+name+":")
	if found {
		lineText, m, _ := strings.Cut(rest, ": ")
		if n, err := strconv.Atoi(lineText); err == nil {
			return n, m, true
		}
	}
	if m := parseErrorHead.FindStringSubmatch(text); m != nil {
		n, _ := strconv.Atoi(m[1])
		return n, text[len(m[0]):], true
	}
	return 0, strings.TrimPrefix(text, "template: "), false
}

// culprit returns the byte offset in line of the text a parse error
// complains about, or of the line's first action when it cannot tell.
func culprit(line, msg string) int {
	first := max(strings.Index(line, "{{"), 0)
	find := func(needle string) int {
		if i := strings.Index(line[first:], needle); needle != "" && i >= 0 {
			return first + i
		}
		return first
	}
	switch {
	case strings.HasPrefix(msg, "function "):
		name, _, _ := strings.Cut(strings.TrimPrefix(msg, "function "), " not defined")
		unq, err := strconv.Unquote(name)
		if err != nil {
			return first
		}
		return find(unq)
	case strings.HasPrefix(msg, "bad character "):
		if i := strings.LastIndex(msg, " '"); i >= 0 {
			return find(strings.TrimSuffix(msg[i+2:], "'"))
		}
	case msg == "unexpected right paren":
		return find(")")
	case strings.HasPrefix(msg, "unexpected {{"):
		word := strings.TrimSuffix(strings.TrimPrefix(msg, "unexpected {{"), "}}")
		if loc := regexp.MustCompile(`\{\{-?\s*` + regexp.QuoteMeta(word) + `\b`).FindStringIndex(line); loc != nil {
			return loc[0]
		}
	case strings.HasPrefix(msg, "unexpected \""):
		tok, _, _ := strings.Cut(strings.TrimPrefix(msg, "unexpected "), " in ")
		if unq, err := strconv.Unquote(tok); err == nil {
			return find(unq)
		}
	case strings.HasPrefix(msg, "unterminated quoted string"):
		return find("\"")
	}
	return first
}

// actionAt returns the placeholder holding byte offset at of line: from
// its "{{" to its "}}", or to the end of the line when it is not closed
// there, shortened when long.
func actionAt(line string, at int) string {
	start := strings.LastIndex(line[:min(at+2, len(line))], "{{")
	if start < 0 {
		return ""
	}
	action := line[start:]
	if end := strings.Index(action[2:], "}}"); end >= 0 {
		action = action[:end+4]
	}
	action = strings.TrimSpace(action)
	if r := []rune(action); len(r) > 60 {
		action = string(r[:59]) + "…"
	}
	return action
}

// explainParseError rewords the parser's commonest complaints for a rep.
func explainParseError(msg string) string {
	switch {
	case strings.HasPrefix(msg, "function ") && strings.HasSuffix(msg, " not defined"):
		name := strings.TrimSuffix(strings.TrimPrefix(msg, "function "), " not defined")
		return fmt.Sprintf("unknown function %s — fields start with a dot, like {{.Contact.FirstName}}; "+
			"functions are %s", name, funcNames())
	case msg == "unclosed action" || strings.HasPrefix(msg, "unclosed action"):
		return `"{{" without a matching "}}" — close the placeholder`
	case strings.HasPrefix(msg, "unexpected EOF"):
		return "the file ends inside an {{if}}, {{with}} or {{range}} — add the missing {{end}}"
	case strings.HasPrefix(msg, "unexpected {{end}}"):
		return "{{end}} without an {{if}}, {{with}} or {{range}} before it — remove it"
	case strings.HasPrefix(msg, "unexpected {{else}}"):
		return "{{else}} without an {{if}}, {{with}} or {{range}} before it — remove it"
	case msg == "bad character U+007D '}'":
		return `a single "}" — a placeholder ends with "}}"`
	case msg == "unexpected right paren":
		return `")" without a "(" before it — remove it`
	case strings.HasPrefix(msg, "unterminated quoted string"):
		return `text in quotes without its closing quote — add the missing "`
	}
	return "template syntax: " + msg
}

// execProblem converts an error from executing a template into a
// positioned *Error. text/template reports "template: NAME:LINE:COL:
// executing "NAME" at <.X>: msg", with COL a 0-based byte offset.
func (o origin) execProblem(name string, err error) *Error {
	var ee template.ExecError
	if !errors.As(err, &ee) {
		return o.errorAt(0, "%v", err)
	}
	rest, ok := strings.CutPrefix(ee.Err.Error(), "template: "+name+":")
	if !ok {
		return o.errorAt(0, "%v", ee.Err)
	}
	lineText, rest, _ := strings.Cut(rest, ":")
	colText, rest, _ := strings.Cut(rest, ": ")
	line, err1 := strconv.Atoi(lineText)
	col, err2 := strconv.Atoi(colText)
	if err1 != nil || err2 != nil {
		return o.errorAt(0, "%s", rest)
	}
	msg := rest
	if _, after, ok := strings.Cut(rest, " at <"); ok {
		if node, why, ok := strings.Cut(after, ">: "); ok {
			msg = fmt.Sprintf("in {{%s}}: %s", node, why)
		}
	}
	return o.errorAt(o.lineOffset(line)+col, "%s", msg)
}
