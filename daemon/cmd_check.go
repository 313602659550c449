package main

import (
	"errors"
	"fmt"

	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/tmpl"
)

// cmdCheck validates everything, like `nginx -t`.
func cmdCheck(e *env, args []string) error {
	fs := newFlags(e, "check", "[--db]")
	db := fs.Bool("db", false, "also read every page of the database for damage")
	if _, err := flags(fs, args); err != nil {
		return err
	}
	f, err := e.load()
	if err != nil {
		return err
	}
	problems, warnings := f.content.Templates.Check(sampleFor(f.content))
	for _, cp := range f.content.Campaigns {
		for _, w := range cp.Warnings {
			fmt.Fprintln(e.io.err, "warning:", w)
		}
	}
	for _, w := range warnings {
		fmt.Fprintln(e.io.err, "warning:", w)
	}
	if len(problems) > 0 {
		return invalid{errors.Join(problems...)}
	}
	if _, err := senders(f.cfg); err != nil {
		return invalid{err}
	}
	fmt.Fprintf(e.io.out, "ok: %s, %d %s, every template renders\n",
		f.cfg.Path, len(f.content.Campaigns), plural(len(f.content.Campaigns), "campaign", "campaigns"))
	for _, cp := range f.content.Campaigns {
		fmt.Fprintf(e.io.out, "  %s (%s, trigger %s): %d %s\n", cp.ID, cp.Name, cp.Trigger, len(cp.Steps), plural(len(cp.Steps), "step", "steps"))
	}
	if *db {
		return checkDB(e, f.cfg.Database.Path)
	}
	return nil
}

// checkDB runs the full integrity check on the database, read-only. A
// damaged database is a failure (exit 1), not invalid input: the files
// are fine, the data is not.
func checkDB(e *env, path string) error {
	err := store.CheckFile(e.ctx, path)
	switch {
	case errors.Is(err, store.ErrNoDatabase):
		fmt.Fprintf(e.io.out, "ok: no database at %s yet (rapport creates it on first use)\n", path)
		return nil
	case err != nil:
		return withRestoreSteps(err)
	}
	fmt.Fprintf(e.io.out, "ok: database %s passes the integrity check\n", path)
	return nil
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
