package tmpl

import (
	"slices"
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
func funcs() template.FuncMap {
	return template.FuncMap{
		"default": fallback,
		"upper":   strings.ToUpper,
		"lower":   strings.ToLower,
	}
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
	names := make([]string, 0, len(funcs()))
	for name := range funcs() {
		names = append(names, name)
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}
