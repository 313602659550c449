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
func funcs() template.FuncMap { return (*run)(nil).funcs() }

// repFuncs lists the helpers documented for reps, for error messages.
var repFuncs = []string{"default", "lower", "upper"}

// funcs returns the helpers bound to r; a nil r (parsing only) checks
// nothing.
func (r *run) funcs() template.FuncMap {
	return template.FuncMap{
		"default":  r.text2(fallback),
		"upper":    r.text1(strings.ToUpper),
		"lower":    r.text1(strings.ToLower),
		"printf":   r.printf,
		"print":    r.textN(fmt.Sprint),
		"println":  r.textN(fmt.Sprintln),
		"html":     r.textN(template.HTMLEscaper),
		"js":       r.textN(template.JSEscaper),
		"urlquery": r.textN(template.URLQueryEscaper),
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

func (r *run) text1(f func(string) string) func(string) (string, error) {
	return func(s string) (string, error) { return r.made(f(s)) }
}

func (r *run) text2(f func(string, string) string) func(string, string) (string, error) {
	return func(a, b string) (string, error) { return r.made(f(a, b)) }
}

func (r *run) textN(f func(...any) string) func(...any) (string, error) {
	return func(args ...any) (string, error) {
		return r.made(f(args...))
	}
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
