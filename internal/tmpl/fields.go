package tmpl

import (
	"fmt"
	"reflect"
	"strings"
	"text/template/parse"

	"github.com/rapportapp/rapport/internal/suggest"
)

// The field check walks a parsed template and resolves every field
// reference against Data's type, so a typo is reported at load time with
// its exact position, even inside an {{if}} branch the sample data would
// never take. Inside {{range}}, and after variables other than $, the type
// of dot is not known statically; those references are left to the
// sample render in Check.

var dataType = reflect.TypeFor[Data]()

// scope is what dot refers to at a point in the template.
type scope struct {
	typ    reflect.Type // nil when unknown
	prefix string       // how dot is written, e.g. "" at the top, "" inside {{with .Contact}}
}

// fieldChecker collects problems for one template text.
type fieldChecker struct {
	o        origin
	problems []error
}

// checkFields returns a problem for every unknown field in tree.
func checkFields(o origin, tree *parse.Tree) []error {
	c := &fieldChecker{o: o}
	c.walk(tree.Root, scope{typ: dataType})
	return c.problems
}

func (c *fieldChecker) walk(node parse.Node, dot scope) {
	switch n := node.(type) {
	case *parse.ListNode:
		if n == nil {
			return
		}
		for _, child := range n.Nodes {
			c.walk(child, dot)
		}
	case *parse.ActionNode:
		c.pipe(n.Pipe, dot)
		c.wholeGroup(n.Pipe, dot)
	case *parse.IfNode:
		c.branch(&n.BranchNode, dot, dot)
	case *parse.WithNode:
		c.branch(&n.BranchNode, dot, c.pipeScope(n.Pipe, dot))
	case *parse.RangeNode:
		c.branch(&n.BranchNode, dot, scope{})
	case *parse.TemplateNode:
		c.pipe(n.Pipe, dot)
	}
}

func (c *fieldChecker) branch(n *parse.BranchNode, dot, inner scope) {
	c.pipe(n.Pipe, dot)
	c.walk(n.List, inner)
	c.walk(n.ElseList, dot)
}

func (c *fieldChecker) pipe(p *parse.PipeNode, dot scope) {
	if p == nil {
		return
	}
	for _, cmd := range p.Cmds {
		for _, arg := range cmd.Args {
			c.arg(arg, dot)
		}
	}
}

func (c *fieldChecker) arg(node parse.Node, dot scope) {
	switch n := node.(type) {
	case *parse.FieldNode:
		c.chain(dot, n.Ident, n.String(), n.Position())
	case *parse.VariableNode:
		if n.Ident[0] == "$" && len(n.Ident) > 1 {
			c.chain(scope{typ: dataType, prefix: "$"}, n.Ident[1:], n.String(), n.Position())
		}
	case *parse.PipeNode:
		c.pipe(n, dot)
	case *parse.ChainNode:
		c.arg(n.Node, dot)
	}
}

// chain resolves idents from dot and reports the first one that is not
// there. text is the reference as written; pos is where the parser put
// it, which for a.b.c is the start of ".b", so the reference's real start
// is found by looking back for its text.
func (c *fieldChecker) chain(dot scope, idents []string, text string, pos parse.Pos) {
	if dot.typ == nil {
		return
	}
	start := int(pos)
	if i := strings.LastIndex(c.o.text[:min(start+len(text), len(c.o.text))], text); i >= 0 && i <= start {
		start = i
	}
	t, path := dot.typ, dot.prefix
	for i, name := range idents {
		next, ok := member(t, name)
		if !ok {
			// Point at the "." before the unknown name.
			off := start + len(dot.prefix)
			for _, prev := range idents[:i] {
				off += 1 + len(prev)
			}
			c.problems = append(c.problems, c.o.errorAt(off, "%s", unknownField(t, path, name, text, idents[i+1:])))
			return
		}
		t, path = next, path+"."+name
	}
}

// wholeGroup reports {{.Contact}} printed on its own: it would show
// every field in braces, which is never what a rep wants.
func (c *fieldChecker) wholeGroup(p *parse.PipeNode, dot scope) {
	if len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		return
	}
	f, ok := p.Cmds[0].Args[0].(*parse.FieldNode)
	if !ok || dot.typ == nil {
		return
	}
	t, ok := resolve(dot.typ, f.Ident)
	if !ok || t.Kind() != reflect.Struct {
		return
	}
	path := dot.prefix + "." + strings.Join(f.Ident, ".")
	c.problems = append(c.problems, c.o.errorAt(int(f.Position()),
		"{{%s}} is a group of fields; pick one: %s", f.String(), fieldList(t, path)))
}

// pipeScope is the dot inside {{with PIPE}}: known when PIPE is a plain
// field reference.
func (c *fieldChecker) pipeScope(p *parse.PipeNode, dot scope) scope {
	if dot.typ == nil || len(p.Decl) > 0 || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		return scope{}
	}
	if f, ok := p.Cmds[0].Args[0].(*parse.FieldNode); ok {
		if t, ok := resolve(dot.typ, f.Ident); ok {
			return scope{typ: t}
		}
	}
	return scope{}
}

// resolve follows idents from t.
func resolve(t reflect.Type, idents []string) (reflect.Type, bool) {
	for _, name := range idents {
		next, ok := member(t, name)
		if !ok {
			return nil, false
		}
		t = next
	}
	return t, true
}

// member returns the type of t's exported field or method name, as
// text/template would evaluate it.
func member(t reflect.Type, name string) (reflect.Type, bool) {
	if t.Kind() == reflect.Struct {
		if f, ok := t.FieldByName(name); ok && f.IsExported() {
			return f.Type, true
		}
	}
	if m, ok := t.MethodByName(name); ok && m.Type.NumOut() > 0 {
		return m.Type.Out(0), true
	}
	return nil, false
}

// members lists the names a template can use on t: fields, then methods.
func members(t reflect.Type) []string {
	var names []string
	if t.Kind() == reflect.Struct {
		for f := range t.Fields() {
			if f.IsExported() {
				names = append(names, f.Name)
			}
		}
	}
	for m := range t.Methods() {
		names = append(names, m.Name)
	}
	return names
}

func fieldList(t reflect.Type, path string) string {
	names := members(t)
	for i, n := range names {
		names[i] = path + "." + n
	}
	return strings.Join(names, ", ")
}

// unknownField says what is wrong with name on t (reached as path) and,
// when the rest of the reference can be guessed, what was meant.
func unknownField(t reflect.Type, path, name, text string, rest []string) string {
	shown := path
	if shown == "" {
		shown = "{{.}} here"
	}
	if t.Kind() != reflect.Struct {
		return fmt.Sprintf("%s is plain text and has no field %q, in {{%s}} — remove .%s", shown, name, text, name)
	}
	msg := fmt.Sprintf("unknown field %q in {{%s}} — fields are %s", name, text, fieldList(t, path))
	if guess, ok := guessChain(t, append([]string{name}, rest...)); ok {
		msg += fmt.Sprintf("; did you mean {{%s.%s}}?", path, strings.Join(guess, "."))
	}
	return msg
}

// guessChain corrects every ident of a reference to the closest member
// name, giving up when one has no plausible match.
func guessChain(t reflect.Type, idents []string) ([]string, bool) {
	out := make([]string, 0, len(idents))
	for _, id := range idents {
		best := suggest.Closest(id, members(t))
		if best == "" {
			return nil, false
		}
		out = append(out, best)
		t, _ = member(t, best)
	}
	return out, true
}
