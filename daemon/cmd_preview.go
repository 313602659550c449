package main

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/rapportapp/rapport/internal/campaign"
	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/termsafe"
)

// previewRow is one line of a contact's timeline (`preview --json`).
type previewRow struct {
	Campaign string `json:"campaign"`
	Step     string `json:"step"`
	Channel  string `json:"channel"`
	Due      string `json:"due"`
	State    string `json:"state"`
	Subject  string `json:"subject,omitempty"`
	Text     string `json:"text,omitempty"`
	Note     string `json:"note,omitempty"`
	// Goes is when a pending text will really go, when the hours texts
	// may go out hold it past due; HeldBy names the rule that does.
	Goes   string `json:"goes,omitempty"`
	HeldBy string `json:"held_by,omitempty"`
}

func cmdPreview(e *env, args []string) error {
	fs := newFlags(e, "preview", "CONTACT [--json]")
	asJSON := fs.Bool("json", false, "print the timeline as JSON")
	pos, err := flags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return invalidf("usage: rapport preview CONTACT (an email, phone or id) [--json]")
	}
	f, st, ct, err := e.openContact(pos[0])
	if err != nil {
		return err
	}
	defer st.Close()
	eng, err := e.engineFor(f, st, e.logger(f.cfg))
	if err != nil {
		return err
	}
	rows, err := timeline(e, st, eng, f.content, ct)
	if err != nil {
		return err
	}
	if *asJSON {
		return printJSON(e.io.out, rows)
	}
	printTimeline(e.io.out, ct, f.content.Zone(ct), rows)
	return printHistory(e, st, ct, f.cfg.Rep.Location)
}

// printHistory lists the rep's notes and changes on the customer, dated
// in the rep's zone.
func printHistory(e *env, st *store.Store, ct *store.Contact, loc *time.Location) error {
	h, err := st.History(e.ctx, ct.ID)
	if err != nil || len(h) == 0 {
		return err
	}
	fmt.Fprintln(e.io.out, "\nNotes and changes:")
	for _, x := range h {
		what := x.Text
		if x.Kind == store.HistoryNote {
			what = "note: " + what
		}
		fmt.Fprintf(e.io.out, "  %s  %s — %s\n", time.Unix(x.CreatedAt, 0).In(loc).Format("2 Jan 2006 15:04"), x.Who, indentNote(what))
	}
	return nil
}

// indentNote keeps a note of several lines under its first.
func indentNote(s string) string { return strings.ReplaceAll(s, "\n", "\n      ") }

// timeline lists a contact's queue rows and passed steps (Content.Timeline),
// paused ones marked, plus the next occurrences of repeating steps, each
// rendered as it would go now.
func timeline(e *env, st *store.Store, eng *engine.Engine, c *engine.Content, ct *store.Contact) ([]previewRow, error) {
	rows, err := c.Timeline(e.ctx, st, ct)
	if err != nil {
		return nil, err
	}
	loc := c.Zone(ct)
	pv := eng.Previewer(e.ctx)
	out := []previewRow{}
	for i := range rows {
		d := &rows[i]
		r := previewRow{Campaign: d.Campaign, Step: d.Step, Channel: d.Channel, State: d.State, Note: d.Note}
		at := d.DueAt
		if d.SentAt != 0 {
			at = d.SentAt
		}
		r.Due = time.Unix(at, 0).In(loc).Format(time.RFC3339)
		if d.Goes != 0 {
			r.Goes, r.HeldBy = time.Unix(d.Goes, 0).In(loc).Format(time.RFC3339), d.HeldBy
		}
		if d.Error != "" {
			r.Note = strings.TrimSpace(r.Note + " " + d.Error)
		}
		cp := c.Campaign(d.Campaign)
		if d.Paused {
			r.State = "paused"
			r.Note = "waiting for you to handle this customer's reply (rapport replies)"
			if d.Contact.PausedAt != 0 {
				r.Note = fmt.Sprintf("you paused this customer (rapport contacts resume %d)", d.ContactID)
			}
		}
		r.Subject, r.Text = pv.Preview(d)
		out = append(out, r)
		if d.State == store.Pending && cp != nil {
			out = append(out, upcomingRepeats(c, cp, d, loc)...)
		}
	}
	return out, nil
}

// upcomingRepeats shows the two occurrences after a pending repeating row.
func upcomingRepeats(c *engine.Content, cp *campaign.Campaign, d *store.Due, loc *time.Location) []previewRow {
	s, ok := cp.Step(d.Step)
	if !ok || s.Every == nil {
		return nil
	}
	var out []previewRow
	for k := d.Occurrence + 1; k <= d.Occurrence+2; k++ {
		due := c.Occurrence(s, &d.Journey, loc, k)
		// The documented states are the contract: a future repeat is
		// "pending" (the note says it is queued once the one before it has
		// gone).
		out = append(out, previewRow{Campaign: d.Campaign, Step: d.Step, Channel: s.Channel,
			Due: due.Format(time.RFC3339), State: store.Pending, Note: "repeats every " + s.Every.String() + "; queued once the one before it has gone"})
	}
	return out
}

func printTimeline(w io.Writer, ct *store.Contact, loc *time.Location, rows []previewRow) {
	fmt.Fprintf(w, "%s — %s, %s, times in %s\n", termsafe.Line(ct.Label()), orNone(termsafe.Line(ct.Email)), orNone(termsafe.Line(ct.Phone)), loc)
	if len(rows) == 0 {
		fmt.Fprintln(w, "  no journeys yet: record an order with `rapport order add`")
	}
	for _, r := range rows {
		due, _ := time.Parse(time.RFC3339, r.Due)
		fmt.Fprintf(w, "\n%s  %-9s %-5s %s/%s\n", due.Format("Mon 2 Jan 2006 15:04"), r.State, r.Channel, r.Campaign, r.Step)
		if r.Note != "" {
			fmt.Fprintf(w, "    (%s)\n", termsafe.Line(r.Note))
		}
		if r.HeldBy != "" {
			fmt.Fprintf(w, "    (%s)\n", termsafe.Line(r.HeldBy))
		}
		if r.Subject != "" && r.Channel == channel.Email {
			fmt.Fprintf(w, "    Subject: %s\n", termsafe.Line(r.Subject))
		}
		if r.Text != "" {
			fmt.Fprintln(w, indent(termsafe.Text(r.Text), "    | "))
		}
	}
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > 12 {
		lines = append(lines[:12], "...")
	}
	return prefix + strings.Join(lines, "\n"+prefix)
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
