package tmpl

import (
	"fmt"
	"text/template"
	"text/template/parse"
)

// The step count: see limits.go for why templates are bounded at load.

// stepCounter walks one template file's parse trees.
type stepCounter struct {
	o       origin
	t       *template.Template
	calling []string // templates being counted, to catch one calling itself
	problem error
}

// checkSteps refuses a template that could loop without a known end or
// take more than maxSteps steps.
func checkSteps(o origin, t *template.Template) []error {
	c := &stepCounter{o: o, t: t, calling: []string{t.Name()}}
	c.list(t.Tree.Root)
	if c.problem != nil {
		return []error{c.problem}
	}
	return nil
}

// list returns the most steps n can take, capped just over maxSteps (so
// nested loops cannot overflow).
func (c *stepCounter) list(n *parse.ListNode) int {
	if n == nil {
		return 0
	}
	total := 0
	for _, child := range n.Nodes {
		total = capped(total + c.node(child))
	}
	return total
}

func (c *stepCounter) node(n parse.Node) int {
	if c.problem != nil {
		return maxSteps + 1
	}
	switch n := n.(type) {
	case *parse.IfNode:
		return capped(1 + c.list(n.List) + c.list(n.ElseList))
	case *parse.WithNode:
		return capped(1 + c.list(n.List) + c.list(n.ElseList))
	case *parse.RangeNode:
		return c.rangeSteps(n)
	case *parse.TemplateNode:
		return c.call(n)
	}
	return 1
}

// rangeSteps counts {{range N}}: N times its body. A template's data holds
// no list, so a range can only count, and only a number written in the
// template gives it an end known before it runs.
func (c *stepCounter) rangeSteps(n *parse.RangeNode) int {
	times, ok := rangeCount(n.Pipe)
	if !ok {
		c.fail(n, "{{range}} here repeats over %s; a message has no list to repeat over, so a range may only count to a number written in the template, like {{range 3}}", n.Pipe)
		return maxSteps + 1
	}
	body := c.list(n.List) + 1
	if times > maxSteps || int(times)*body > maxSteps {
		c.fail(n, "this template took too long to render: {{range %s}} repeats its body %d times (a message may take at most %d steps) — write the text out or repeat fewer times", n.Pipe, times, maxSteps)
		return maxSteps + 1
	}
	return capped(int(times)*body + c.list(n.ElseList))
}

// rangeCount returns N for a pipeline that is just the integer N.
func rangeCount(p *parse.PipeNode) (int64, bool) {
	if p == nil || len(p.Cmds) != 1 || len(p.Cmds[0].Args) != 1 {
		return 0, false
	}
	num, ok := p.Cmds[0].Args[0].(*parse.NumberNode)
	if !ok || !num.IsInt {
		return 0, false
	}
	return max(num.Int64, 0), true
}

// call counts {{template "name"}}: the steps of the template it runs.
func (c *stepCounter) call(n *parse.TemplateNode) int {
	for _, name := range c.calling {
		if name == n.Name {
			c.fail(n, "{{template %q}} runs itself again, which would never end — take it out", n.Name)
			return maxSteps + 1
		}
	}
	called := c.t.Lookup(n.Name)
	if called == nil || called.Tree == nil {
		return 1 // reported when it runs: "no such template"
	}
	c.calling = append(c.calling, n.Name)
	steps := c.list(called.Tree.Root)
	c.calling = c.calling[:len(c.calling)-1]
	return capped(1 + steps)
}

// fail records the first problem, at n.
func (c *stepCounter) fail(n parse.Node, format string, args ...any) {
	if c.problem != nil {
		return
	}
	c.problem = c.o.errorAt(c.o.actionStart(int(n.Position())), "%s", fmt.Sprintf(format, args...))
}

func capped(n int) int { return min(n, maxSteps+1) }
