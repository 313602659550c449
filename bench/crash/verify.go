package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// Report is the outcome of one run. It passes when Problems is empty.
type Report struct {
	Seed          uint64
	Kills         int
	KillsMidQueue int // kills that left messages still to send
	Email, Text   Channel
	Other         int // emails to addresses that are not contacts (the rep's own)
	IntegrityOK   int // integrity_check answered "ok"...
	Checks        int // ...out of this many (one per kill, one at the end)
	StopCode      int // exit code after SIGTERM
	StopTook      time.Duration
	Elapsed       time.Duration
	Problems      []string
}

// Channel counts one channel's messages.
type Channel struct {
	Expected   int
	Delivered  int // recipients who got their message
	Duplicates int // copies beyond the first
	InFlight   int // queue rows a kill left in 'sending'
}

// Lost is how many recipients got nothing.
func (c Channel) Lost() int { return c.Expected - c.Delivered }

func (r *Report) problem(format string, args ...any) {
	r.Problems = append(r.Problems, fmt.Sprintf(format, args...))
}

// outcome is everything the checks compare.
type outcome struct {
	recipients []recipient
	rows       []row
	inFlight   map[string]bool // Message-IDs of rows seen in 'sending' after a kill
	emails     []delivered
	texts      []delivered
}

// check fills the report's delivery counts and problems.
func (r *Report) check(o outcome) {
	rows := r.checkQueue(o)
	emails, texts := byRecipient(o.emails), byRecipient(o.texts)
	for _, rc := range o.recipients {
		if rc.Channel == "email" {
			r.checkEmail(rc, emails[rc.Email], rows[rc.Email], o.inFlight)
			delete(emails, rc.Email)
		} else {
			r.checkText(rc, texts[rc.Phone], rows[rc.Phone])
			delete(texts, rc.Phone)
		}
	}
	for _, ds := range emails {
		r.Other += len(ds)
	}
	for _, to := range slices.Sorted(maps.Keys(texts)) {
		r.problem("%d text(s) to %s, who is not a contact", len(texts[to]), to)
	}
}

// checkQueue wants every row sent, counts the rows kills caught in
// flight, and returns the rows by recipient.
func (r *Report) checkQueue(o outcome) map[string]row {
	rows := map[string]row{}
	states := map[string]int{}
	for _, x := range o.rows {
		rows[x.SentTo] = x
		states[x.State]++
		if o.inFlight[x.MessageID] {
			r.channel(x.Channel).InFlight++
		}
	}
	if states["sent"] != len(o.rows) || len(o.rows) != len(o.recipients) {
		r.problem("queue after the run: %v, want all %d rows sent", states, len(o.recipients))
	}
	return rows
}

func byRecipient(ds []delivered) map[string][]delivered {
	m := map[string][]delivered{}
	for _, d := range ds {
		m[d.To] = append(m[d.To], d)
	}
	return m
}

func (r *Report) channel(name string) *Channel {
	if name == "email" {
		return &r.Email
	}
	return &r.Text
}

// checkEmail: at least one copy; every copy carries the queue row's
// Message-ID; more than one only if a kill caught the row mid-send.
func (r *Report) checkEmail(rc recipient, got []delivered, x row, inFlight map[string]bool) {
	r.Email.Expected++
	if len(got) == 0 {
		return
	}
	r.Email.Delivered++
	r.Email.Duplicates += len(got) - 1
	for _, d := range got {
		if d.ID != x.MessageID {
			r.problem("email to %s arrived with Message-ID %q; its queue row has %q", rc.Email, d.ID, x.MessageID)
		}
	}
	if len(got) > 1 && !inFlight[x.MessageID] {
		r.problem("email to %s arrived %d times, but no kill caught it mid-send", rc.Email, len(got))
	}
}

// checkText: exactly one copy, with this contact's words, whose SID is
// the one the queue recorded.
func (r *Report) checkText(rc recipient, got []delivered, x row) {
	r.Text.Expected++
	if len(got) == 0 {
		return
	}
	r.Text.Delivered++
	if len(got) > 1 {
		r.Text.Duplicates += len(got) - 1
		r.problem("text to %s (%s) arrived %d times", rc.Phone, rc.Last, len(got))
	}
	if !strings.Contains(got[0].Body, rc.Last) {
		r.problem("text to %s is not %s's: %q", rc.Phone, rc.Last, got[0].Body)
	}
	if len(got) == 1 && got[0].ID != x.ProviderID {
		r.problem("text to %s went as %s but the queue recorded %q", rc.Phone, got[0].ID, x.ProviderID)
	}
}

// finish adds the problems the counts show.
func (r *Report) finish() {
	for _, c := range []struct {
		name string
		ch   Channel
	}{{"email", r.Email}, {"text", r.Text}} {
		if c.ch.Lost() > 0 {
			r.problem("%d %ss lost", c.ch.Lost(), c.name)
		}
	}
	if r.IntegrityOK != r.Checks {
		r.problem("integrity_check failed %d of %d times", r.Checks-r.IntegrityOK, r.Checks)
	}
	if r.StopCode != 0 {
		r.problem("rapport run exited %d after SIGTERM, want 0", r.StopCode)
	}
}

// Print writes the report as a table.
func (r *Report) Print(w io.Writer) {
	fmt.Fprintf(w, "seed %d: %d kills (%d with messages left to send), %s\n\n",
		r.Seed, r.Kills, r.KillsMidQueue, r.Elapsed.Round(100*time.Millisecond))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "channel\texpected\tdelivered\tlost\tduplicates\tin flight at a kill\t")
	fmt.Fprintf(tw, "email\t%d\t%d\t%d\t%d same Message-ID\t%d\t\n",
		r.Email.Expected, r.Email.Delivered, r.Email.Lost(), r.Email.Duplicates, r.Email.InFlight)
	fmt.Fprintf(tw, "text\t%d\t%d\t%d\t%d\t%d\t\n",
		r.Text.Expected, r.Text.Delivered, r.Text.Lost(), r.Text.Duplicates, r.Text.InFlight)
	tw.Flush()
	fmt.Fprintf(w, "\nintegrity_check ok: %d of %d\n", r.IntegrityOK, r.Checks)
	fmt.Fprintf(w, "SIGTERM: exit %d in %s\n", r.StopCode, r.StopTook.Round(time.Millisecond))
	if r.Other > 0 {
		fmt.Fprintf(w, "emails to the rep (not counted): %d\n", r.Other)
	}
	if len(r.Problems) == 0 {
		fmt.Fprintln(w, "PASS")
		return
	}
	fmt.Fprintf(w, "FAIL: %d problems\n", len(r.Problems))
	for i, p := range r.Problems {
		if i == maxShown {
			fmt.Fprintf(w, "  ... and %d more\n", len(r.Problems)-maxShown)
			break
		}
		fmt.Fprintln(w, "  "+p)
	}
}

// maxShown caps the problems printed: the first few tell the story.
const maxShown = 20
