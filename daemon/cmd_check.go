package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/tmpl"
)

// cmdCheck validates everything, like `nginx -t`, and reports every
// problem in one run.
func cmdCheck(e *env, args []string) error {
	if _, err := flags(newFlags(e, "check", ""), args); err != nil {
		return err
	}
	in, err := e.inspect()
	if err != nil {
		return err
	}
	problems := in.problems
	if in.content != nil {
		p, warnings := in.content.Templates.Check(sampleFor(in.content))
		problems = append(problems, p...)
		printWarnings(e, in.content, warnings)
	}
	if in.cfg != nil {
		problems = append(problems, in.cfg.SendingProblems())
		if _, err := senders(in.cfg); err != nil {
			problems = append(problems, err)
		}
	}
	if err := errors.Join(problems...); err != nil {
		return invalid{err}
	}
	f := &files{cfg: in.cfg, content: in.content}
	fmt.Fprintf(e.io.out, "ok: %s, %d %s, every template renders\n",
		f.cfg.Path, len(f.content.Campaigns), plural(len(f.content.Campaigns), "campaign", "campaigns"))
	for _, cp := range f.content.Campaigns {
		fmt.Fprintf(e.io.out, "  %s (%s, trigger %s): %d %s\n", cp.ID, cp.Name, cp.Trigger, len(cp.Steps), plural(len(cp.Steps), "step", "steps"))
	}
	return e.printRetimings(f)
}

// printRetimings says which steps' timing changed since their messages
// were planned and how many pending messages the next start or reload
// moves. Without a database there is nothing planned, and check creates
// none.
func (e *env) printRetimings(f *files) error {
	if _, err := os.Stat(f.cfg.Database.Path); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	st, err := e.open(f.cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	changes, err := f.content.Retimings(e.ctx, st, e.clock.Now())
	if err != nil {
		return err
	}
	for _, r := range changes {
		fmt.Fprintln(e.io.out, r.String())
	}
	return nil
}

func printWarnings(e *env, c *engine.Content, warnings []string) {
	for _, cp := range c.Campaigns {
		for _, w := range cp.Warnings {
			fmt.Fprintln(e.io.err, "warning:", w)
		}
	}
	for _, w := range warnings {
		fmt.Fprintln(e.io.err, "warning:", w)
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// sampleFor is the sample customer with the rep's own details.
func sampleFor(c *engine.Content) tmpl.Data {
	sample := tmpl.SampleData()
	sample.Rep = c.Rep
	sample.UnsubscribeURL = c.PublicURL + "/unsubscribe/sample-token"
	return sample
}
