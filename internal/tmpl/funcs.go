package tmpl

import (
	"fmt"
	"regexp"
	"strings"
	"text/template"
)

// funcs are the helpers a rep can use in a template, besides Go's
// built-ins (if, with, eq, printf...). Kept small on purpose: each one is
// documented in the README.
//
//	{{.Contact.FirstName | default "there"}}  a fallback for an empty value
//	{{upper .Order.Invoice}}                  UPPER CASE
//	{{lower .Contact.Email}}                  lower case
//
// The built-ins that make text (printf, print, println, html, js,
// urlquery) are replaced by the same functions counted against the
// rendering's limits: with them a template can double a variable's length
// at every step without printing anything.
func funcs() template.FuncMap { return (&runSlot{}).funcs() }

// repFuncs lists the helpers documented for reps, for error messages.
var repFuncs = []string{"default", "lower", "upper"}

// runSlot holds the rendering a bound copy of a template runs in: its
// functions read the slot when called, so one copy serves one rendering
// after another (clones). An empty slot (parsing only) checks nothing.
type runSlot struct{ r *run }

// funcs returns the helpers bound to the slot.
func (sl *runSlot) funcs() template.FuncMap {
	return template.FuncMap{
		"default":  func(def, v string) (string, error) { return sl.r.made(fallback(def, v)) },
		"upper":    func(s string) (string, error) { return sl.r.made(strings.ToUpper(s)) },
		"lower":    func(s string) (string, error) { return sl.r.made(strings.ToLower(s)) },
		"printf":   func(f string, args ...any) (string, error) { return sl.r.printf(f, args...) },
		"print":    func(args ...any) (string, error) { return sl.r.made(fmt.Sprint(args...)) },
		"println":  func(args ...any) (string, error) { return sl.r.made(fmt.Sprintln(args...)) },
		"html":     func(args ...any) (string, error) { return sl.r.made(template.HTMLEscaper(args...)) },
		"js":       func(args ...any) (string, error) { return sl.r.made(template.JSEscaper(args...)) },
		"urlquery": func(args ...any) (string, error) { return sl.r.made(template.URLQueryEscaper(args...)) },
	}
}

// made counts s against r's limits.
func (r *run) made(s string) (string, error) {
	if r == nil {
		return s, nil
	}
	if err := r.spend(len(s)); err != nil {
		return "", err
	}
	return s, nil
}

// widthVerb matches a verb with a width or precision, each of which can
// pad its value to maxWidth characters.
var widthVerb = regexp.MustCompile(`%[-+# 0]*[1-9*.]`)

// printf is fmt.Sprintf, refused before formatting when what it could
// make is over the budget: padding is made in one go, so checking after
// would be too late.
func (r *run) printf(format string, args ...any) (string, error) {
	if r != nil {
		could := len(format) + len(widthVerb.FindAllStringIndex(format, -1))*maxWidth
		for _, a := range args {
			if s, ok := a.(string); ok {
				could += len(s)
			} else {
				could += len(fmt.Sprint(a))
			}
		}
		if could > r.budget {
			return "", r.spend(could)
		}
	}
	return r.made(fmt.Sprintf(format, args...))
}

// fallback returns value, or def when value is empty or only spaces. The
// argument order lets it sit at the end of a pipeline.
func fallback(def, value string) string {
	if strings.TrimSpace(value) == "" {
		return def
	}
	return value
}

// funcNames lists the helpers for error messages.
func funcNames() string {
	return strings.Join(repFuncs, ", ")
}
