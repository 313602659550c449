package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/rapportapp/rapport/internal/config"
	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/store"
)

// cmdCheck validates everything, like `nginx -t`, and reports every
// problem in one run.
func cmdCheck(e *env, args []string) error {
	fs := newFlags(e, "check", "[--db] [--dns]")
	db := fs.Bool("db", false, "also read every page of the database for damage")
	dns := fs.Bool("dns", false, "also look up your domain's SPF, DKIM, DMARC and MX records")
	if _, err := flags(fs, args); err != nil {
		return err
	}
	in, err := e.inspect()
	if err != nil {
		return err
	}
	problems := in.problems
	if in.content != nil {
		p, warnings := in.content.Templates.Check(in.content.Sample())
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
	printReplyAddress(e, f.cfg)
	if *db { // before anything opens (and would migrate) the database
		if err := checkDB(e, f.cfg.Database.Path); err != nil {
			return err
		}
	}
	if err := e.printRetimings(f); err != nil {
		return err
	}
	if *dns {
		return checkDNS(e, f.cfg)
	}
	return nil
}

// printReplyAddress explains a reply_to with "{token}": it works only if
// the rep's mail server delivers amy+anything@ to amy@, which Rapport
// cannot see from here.
func printReplyAddress(e *env, cfg *config.Config) {
	p := replyPattern(cfg)
	if p == "" {
		return
	}
	example := strings.Replace(p, "{token}", "test", 1)
	fmt.Fprintf(e.io.out, "note: reply_to %q gives each email its own reply address (sub-addressing), so a reply is matched to the exact message it answers.\n", p)
	fmt.Fprintf(e.io.out, "  It works only if mail to %s reaches the [imap] mailbox: Gmail, Google Workspace, Fastmail, iCloud and Outlook.com do this with \"+\"; on your own server the recipient delimiter must be the character before {token}. Send a test email to %s and check it arrives before you rely on it.\n", example, example)
	if !cfg.IMAP.Enabled() {
		fmt.Fprintln(e.io.out, "  [imap] is not set up, so no replies are read yet.")
	}
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
