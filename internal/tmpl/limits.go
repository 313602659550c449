package tmpl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"text/template"
	"text/template/parse"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
)

// A template is code the rep writes, and text/template cannot stop a
// running Execute from outside: {{range 9223372036854775807}}{{end}} would
// spin for ever, holding whatever called it (`rapport check`, a SIGHUP
// reload, the dispatcher), and an abandoned goroutine would go on burning
// CPU and memory. So every way a template can run long or grow large is
// bounded from inside:
//
//   - at load, a walk of the parse tree counts the steps a template can
//     take, {{range N}} multiplying its body and {{template}} adding the
//     template it calls; a loop over anything but a number written in the
//     template, a template that calls itself, or more than maxSteps steps
//     is refused, so no loop runs without a known end;
//   - while rendering, output goes through a writer that fails past the
//     message's size, and every function that makes text (printf and the
//     like, which can double a variable without printing it) counts its
//     result against a budget; both fail once the time limit has passed.
const (
	maxSteps       = 10_000
	renderTimeout  = 2 * time.Second
	maxEmailBytes  = 256 << 10
	maxTaskBytes   = 64 << 10
	maxSMSSegments = 10
	maxSMSBytes    = 8 << 10 // more than any text of maxSMSSegments takes
	funcBudget     = 1 << 20 // bytes all text-making functions may return in one rendering
	maxWidth       = 1e6     // the widest padding fmt makes for one verb
)

var (
	errTooLong  = errors.New("took too long to render")
	errTooLarge = errors.New("too large")
)

// outputLimit is the most bytes one rendered part of a message on ch may
// hold.
func outputLimit(ch string) int {
	switch ch {
	case channel.SMS:
		return maxSMSBytes
	case channel.Task:
		return maxTaskBytes
	}
	return maxEmailBytes
}

// run is the state of one rendering: its deadline and what the text
// functions may still make.
type run struct {
	ctx    context.Context
	budget int
}

// newRun starts a rendering that must finish within timeout.
func newRun(timeout time.Duration) (*run, context.CancelFunc) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	return &run{ctx: ctx, budget: funcBudget}, cancel
}

// spend counts n bytes made by a function, failing past the budget or
// the deadline.
func (r *run) spend(n int) error {
	if r.ctx.Err() != nil {
		return errTooLong
	}
	if r.budget -= n; r.budget < 0 {
		return fmt.Errorf("%w: its functions made over %d KB of text", errTooLarge, funcBudget>>10)
	}
	return nil
}

// cappedWriter collects output up to limit bytes.
type cappedWriter struct {
	bytes.Buffer
	run   *run
	limit int
}

func (w *cappedWriter) Write(p []byte) (int, error) {
	if w.run.ctx.Err() != nil {
		return 0, errTooLong
	}
	if w.Len()+len(p) > w.limit {
		return 0, fmt.Errorf("%w: the message would be over %d KB", errTooLarge, w.limit>>10)
	}
	return w.Buffer.Write(p)
}

// execute runs t over data within r's limits and limit bytes of output;
// errors carry the file position. c keeps t's bound copies.
func execute(c *clones, t *template.Template, o origin, data Data, r *run, limit int) (string, error) {
	b, err := c.get(t)
	if err != nil {
		return "", fmt.Errorf("%s: %w", o.path, err)
	}
	defer c.put(b)
	b.slot.r = r
	w := &b.out
	w.run, w.limit = r, limit
	if err := b.t.Execute(w, data); err != nil {
		return "", limitProblem(o, t, err)
	}
	return w.String(), nil
}

// clones keeps copies of one parsed template with the text functions
// bound to a slot, for one rendering after another: cloning the template
// and binding its functions for every part of every message was half the
// cost of running it. The copies belong to the entry and so to its Set: a
// reloaded set starts with none. A copy is used by one rendering at a time.
type clones struct{ pool sync.Pool }

// bound is a copy of a template whose functions read slot, and the
// buffer its output goes to (kept too: grown from nothing for every part
// of every message, it was a fifth of what rendering an email allocated).
type bound struct {
	t    *template.Template
	slot *runSlot
	out  cappedWriter
}

func (c *clones) get(t *template.Template) (*bound, error) {
	if b, ok := c.pool.Get().(*bound); ok {
		return b, nil
	}
	tc, err := t.Clone()
	if err != nil {
		return nil, err
	}
	b := &bound{t: tc, slot: &runSlot{}}
	tc.Funcs(b.slot.funcs())
	return b, nil
}

func (c *clones) put(b *bound) {
	b.slot.r = nil // the rendering's limits go with it
	b.out.run = nil
	if b.out.Cap() > maxKeptBuffer {
		b.out.Buffer = bytes.Buffer{} // an unusually large output is not kept
	}
	b.out.Reset()
	c.pool.Put(b)
}

// limitProblem positions an execution error. A limit hit inside a
// function has the function's position; one hit by the writer has none,
// so it is put at the template's first {{range}}, the likeliest cause.
func limitProblem(o origin, t *template.Template, err error) *Error {
	var ee template.ExecError
	hitLimit := errors.Is(err, errTooLong) || errors.Is(err, errTooLarge)
	switch {
	case !hitLimit:
		return o.execProblem(t.Name(), err)
	case errors.As(err, &ee):
		p := o.execProblem(t.Name(), err)
		p.Msg = limitMessage(err)
		return p
	}
	return o.errorAt(o.actionStart(firstRange(t.Tree.Root)), "%s", limitMessage(err))
}

func limitMessage(err error) string {
	if errors.Is(err, errTooLong) {
		return fmt.Sprintf("this template took too long to render (the limit is %s) — simplify it", renderTimeout)
	}
	_, why, _ := strings.Cut(err.Error(), errTooLarge.Error()+": ")
	return "this template renders too large: " + why + " — shorten it or remove the loop"
}

// firstRange returns the offset of the first {{range}} under n, or 0.
func firstRange(n parse.Node) int {
	switch n := n.(type) {
	case *parse.ListNode:
		for _, c := range n.Nodes {
			if off := firstRange(c); off > 0 {
				return off
			}
		}
	case *parse.RangeNode:
		return int(n.Position())
	case *parse.IfNode:
		return max(firstRange(n.List), firstRange(n.ElseList))
	case *parse.WithNode:
		return max(firstRange(n.List), firstRange(n.ElseList))
	}
	return 0
}

// checkSegments refuses a text longer than maxSegments.
func checkSegments(o origin, t *template.Template, text string) error {
	if n, _ := Segments(text); n > maxSMSSegments {
		return o.errorAt(o.actionStart(firstRange(t.Tree.Root)), "this text renders too large: %d segments, and the most a text may be is %d", n, maxSMSSegments)
	}
	return nil
}
