package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rapportapp/rapport/internal/cases"
	"github.com/rapportapp/rapport/internal/schedule"
	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/termsafe"
)

// replyJSON is `rapport replies --json`; its field names are an interface
// scripts rely on (see README, Commands).
type replyJSON struct {
	ID         int64    `json:"id"`
	ContactID  int64    `json:"contact_id"`
	Contact    string   `json:"contact"`
	Channel    string   `json:"channel"`
	From       string   `json:"from"`
	ReceivedAt string   `json:"received_at"`
	Subject    string   `json:"subject,omitempty"`
	Body       string   `json:"body"`
	Flags      []string `json:"flags"`      // kinds ("leaking", "custom")
	FlagWords  []string `json:"flag_words"` // the same in words ("leak", "your word 'cracked'")
	Deadlines  []string `json:"deadlines"`  // said as seen today
	Answers    string   `json:"answers,omitempty"`
	Handled    bool     `json:"handled"`
}

// seen is how replies are shown today: in the rep's zone, deadlines
// counted from the clock's day with the holidays left out.
type seen struct {
	loc   *time.Location
	today schedule.Date
	cal   schedule.Calendar
}

func (v seen) toJSON(r store.Reply) replyJSON {
	j := replyJSON{ID: r.ID, ContactID: r.ContactID, Contact: r.ContactName, Channel: r.Channel, From: r.From,
		ReceivedAt: time.Unix(r.ReceivedAt, 0).UTC().Format(time.RFC3339), Subject: r.Subject, Body: r.Body,
		Flags: []string{}, FlagWords: cases.FlagTexts(r.FlagList()),
		Deadlines: cases.SayDeadlines(r.DeadlineList(), v.today, v.cal), Handled: r.HandledAt != 0}
	for _, f := range r.FlagList() {
		j.Flags = append(j.Flags, cases.FlagKind(f))
	}
	switch {
	case r.AnswersRep():
		j.Answers = "your message"
	case r.Step != "":
		j.Answers = r.Campaign + "/" + r.Step
	}
	return j
}

func cmdReplies(e *env, args []string) error {
	if len(args) > 0 {
		switch args[0] {
		case "done":
			return repliesDone(e, args[1:])
		case "show":
			return repliesShow(e, args[1:])
		case "export":
			return repliesExport(e, args[1:])
		}
	}
	fs := newFlags(e, "replies", "[--all] [--json] | show ID | done ID | export FILE.csv")
	all := fs.Bool("all", false, "include handled replies")
	asJSON := fs.Bool("json", false, "print as JSON")
	if _, err := flags(fs, args); err != nil {
		return err
	}
	return withStore(e, func(st *store.Store, v seen) error {
		rs, err := st.Replies(e.ctx, *all)
		if err != nil {
			return err
		}
		if *asJSON {
			out := []replyJSON{}
			for _, r := range rs {
				out = append(out, v.toJSON(r))
			}
			return printJSON(e.io.out, out)
		}
		printReplies(e.io.out, rs, v)
		return nil
	})
}

func printReplies(w io.Writer, rs []store.Reply, v seen) {
	loc := v.loc
	if len(rs) == 0 {
		fmt.Fprintln(w, "no replies waiting")
		return
	}
	for _, r := range rs {
		j := v.toJSON(r)
		who := termsafe.Line(r.ContactName)
		if who == "" {
			who = termsafe.Line(r.From) + " (from someone not in your customers)"
		}
		state := ""
		if j.Handled {
			state = " [handled]"
		}
		flags := ""
		if len(j.Flags) > 0 {
			flags = " ⚠ " + strings.Join(j.FlagWords, ", ")
		}
		fmt.Fprintf(w, "#%d  %s  %s by %s%s%s\n", r.ID, time.Unix(r.ReceivedAt, 0).In(loc).Format("Mon 2 Jan 15:04"), who, r.Channel, flags, state)
		fmt.Fprintln(w, indent(termsafe.Text(oneParagraph(r.Body)), "    "))
		for _, d := range j.Deadlines {
			fmt.Fprintf(w, "    deadline: %s\n", d)
		}
	}
	fmt.Fprintln(w, "\nrapport replies show ID for the whole reply; rapport replies done ID when handled")
}

func oneParagraph(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 300 {
		s = s[:297] + "..."
	}
	return s
}

// replyID reads `rapport replies SUB ID`; --help is help, not an ID.
func replyID(e *env, args []string, sub string) (int64, error) {
	pos, err := flags(newFlags(e, "replies "+sub, "ID"), args)
	if err != nil {
		return 0, err
	}
	if len(pos) != 1 {
		return 0, invalidf("usage: rapport replies %s ID", sub)
	}
	id, err := strconv.ParseInt(strings.TrimPrefix(pos[0], "#"), 10, 64)
	if err != nil {
		return 0, invalidf("reply id %q: want a number like 12 (see `rapport replies`)", pos[0])
	}
	return id, nil
}

func repliesShow(e *env, args []string) error {
	id, err := replyID(e, args, "show")
	if err != nil {
		return err
	}
	return withStore(e, func(st *store.Store, v seen) error {
		loc := v.loc
		r, err := st.Reply(e.ctx, id)
		if store.IsNotFound(err) {
			return invalidf("no reply #%d", id)
		}
		if err != nil {
			return err
		}
		j := v.toJSON(*r)
		fmt.Fprintf(e.io.out, "Reply #%d from %s (%s) by %s, %s\n", r.ID, orNone(termsafe.Line(r.ContactName)), termsafe.Line(r.From), r.Channel,
			time.Unix(r.ReceivedAt, 0).In(loc).Format("Mon 2 Jan 2006 15:04 MST"))
		if j.Answers != "" {
			fmt.Fprintf(e.io.out, "Answering: %s\n", j.Answers)
		}
		if r.Subject != "" {
			fmt.Fprintf(e.io.out, "Subject: %s\n", termsafe.Line(r.Subject))
		}
		fmt.Fprintf(e.io.out, "\n%s\n\n", termsafe.Text(r.Body))
		if len(j.Flags) > 0 {
			fmt.Fprintf(e.io.out, "Flags: %s\n", strings.Join(j.FlagWords, ", "))
		}
		for _, d := range j.Deadlines {
			fmt.Fprintf(e.io.out, "Deadline: %s\n", d)
		}
		if r.RawRef != "" {
			fmt.Fprintf(e.io.out, "Original: %s\n", termsafe.Line(r.RawRef))
		}
		if j.Handled {
			fmt.Fprintf(e.io.out, "Handled %s\n", time.Unix(r.HandledAt, 0).In(loc).Format("Mon 2 Jan 15:04"))
		}
		return nil
	})
}

func repliesDone(e *env, args []string) error {
	id, err := replyID(e, args, "done")
	if err != nil {
		return err
	}
	return withStore(e, func(st *store.Store, _ seen) error {
		r, err := st.Reply(e.ctx, id)
		if store.IsNotFound(err) {
			return invalidf("no reply #%d", id)
		}
		if err != nil {
			return err
		}
		var changed bool
		err = st.Tx(e.ctx, func(tx *store.Tx) error {
			changed, err = tx.HandleReply(e.ctx, id, e.clock.Now().Unix())
			return err
		})
		if err != nil {
			return err
		}
		if !changed {
			fmt.Fprintf(e.io.out, "reply #%d was already handled\n", id)
			return nil
		}
		left, err := st.OpenReplyCount(e.ctx, r.ContactID)
		if err != nil {
			return err
		}
		if left == 0 {
			fmt.Fprintf(e.io.out, "reply #%d handled; %s's follow-up resumes\n", id, orNone(termsafe.Line(r.ContactName)))
		} else {
			fmt.Fprintf(e.io.out, "reply #%d handled; %d more from %s still waiting\n", id, left, orNone(termsafe.Line(r.ContactName)))
		}
		return nil
	})
}

// repliesExport writes every reply to a CSV file for a spreadsheet. Cells
// starting with = + - @ are prefixed with ' so a spreadsheet shows them
// instead of running them as formulas.
func repliesExport(e *env, args []string) error {
	args, err := flags(newFlags(e, "replies export", "FILE.csv"), args)
	if err != nil {
		return err
	}
	if len(args) != 1 {
		return invalidf("usage: rapport replies export FILE.csv")
	}
	return withStore(e, func(st *store.Store, v seen) error {
		loc := v.loc
		rs, err := st.Replies(e.ctx, true)
		if err != nil {
			return err
		}
		f, err := os.OpenFile(args[0], os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
		if err != nil {
			return invalidf("export: %v (choose a new file name)", err)
		}
		defer f.Close()
		w := csv.NewWriter(f)
		w.Write([]string{"id", "received", "contact", "from", "channel", "subject", "body", "flags", "deadlines", "handled"})
		for _, r := range rs {
			j := v.toJSON(r)
			w.Write(safeCells(strconv.FormatInt(r.ID, 10), time.Unix(r.ReceivedAt, 0).In(loc).Format("2006-01-02 15:04"),
				r.ContactName, r.From, r.Channel, r.Subject, r.Body, strings.Join(j.FlagWords, ", "), strings.Join(j.Deadlines, "; "),
				strconv.FormatBool(j.Handled)))
		}
		w.Flush()
		if err := w.Error(); err != nil {
			return err
		}
		fmt.Fprintf(e.io.out, "wrote %d %s to %s\n", len(rs), plural(len(rs), "reply", "replies"), args[0])
		return f.Close()
	})
}

func safeCells(cells ...string) []string {
	for i, c := range cells {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			cells[i] = "'" + c
		}
	}
	return cells
}

// withStore opens the database (see openDB) and runs fn.
func withStore(e *env, fn func(*store.Store, seen) error) error {
	cfg, st, err := e.openDB()
	if err != nil {
		return err
	}
	defer st.Close()
	cal, err := calendarOf(cfg)
	if err != nil {
		return err
	}
	return fn(st, seen{loc: cfg.Rep.Location, today: cases.Today(e.clock.Now(), cfg.Rep.Location), cal: cal})
}
