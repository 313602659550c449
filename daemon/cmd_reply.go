package main

import (
	"errors"
	"fmt"
	"github.com/rapportapp/rapport/internal/cases"
	"io"
	"strings"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/store"
)

func cmdReply(e *env, args []string) error {
	const use = `CONTACT "TEXT" [--channel sms|email] [--keep-open]`
	fs := newFlags(e, "reply", use)
	ch := fs.String("channel", "", "sms or email (default: the one the customer last wrote on)")
	keepOpen := fs.Bool("keep-open", false, "leave the customer's replies waiting (their follow-up stays paused)")
	pos, err := flags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return invalidf("usage: rapport reply %s", use)
	}
	eng, st, ct, err := e.contactEngine(pos[0])
	if err != nil {
		return err
	}
	defer st.Close()
	q, err := eng.Answer(e.ctx, engine.AnswerRequest{Contact: ct, Text: pos[1], Channel: *ch, KeepOpen: *keepOpen})
	var refused *engine.Refused
	if errors.As(err, &refused) {
		return invalid{err}
	}
	if err != nil {
		return err
	}
	printQueued(e.io.out, ct, q)
	return nil
}

// printQueued says where the rep's message goes and when.
func printQueued(w io.Writer, ct *store.Contact, q *engine.Queued) {
	what := map[string]string{channel.SMS: "text", channel.Email: "email"}[q.Channel]
	switch {
	case q.Duplicate:
		fmt.Fprintf(w, "That %s to %s (%s) was queued already; nothing more was added.\n", what, ct.Label(), q.To)
	case q.Later:
		fmt.Fprintf(w, "Queued your %s to %s (%s): it waits until %s (%s).\n", what, ct.Label(), q.To,
			q.At.Format("Mon 2 Jan 15:04 MST"), q.Why)
	default:
		fmt.Fprintf(w, "Queued your %s to %s (%s): it goes now, with Rapport's next pass.\n", what, ct.Label(), q.To)
	}
	if q.Handled > 0 {
		fmt.Fprintf(w, "%d %s marked handled: %s's follow-up resumes.\n", q.Handled, plural(q.Handled, "waiting reply", "waiting replies"), ct.Label())
	}
}

// contactKey is how the rep names ct on the command line.
func contactKey(ct *store.Contact) string {
	for _, k := range []string{ct.Email, ct.Phone} {
		if k != "" {
			return k
		}
	}
	return fmt.Sprint(ct.ID)
}

// threadJSON is one entry of `rapport thread --json`.
type threadJSON struct {
	At        string   `json:"at"`
	Direction string   `json:"direction"`
	Channel   string   `json:"channel"`
	From      string   `json:"from"`
	Subject   string   `json:"subject,omitempty"`
	Body      string   `json:"body"`
	State     string   `json:"state"`
	Note      string   `json:"note,omitempty"`
	ReplyID   int64    `json:"reply_id,omitempty"`
	Flags     []string `json:"flags,omitempty"`      // kinds
	FlagWords []string `json:"flag_words,omitempty"` // in words
	Deadlines []string `json:"deadlines,omitempty"`
}

func cmdThread(e *env, args []string) error {
	fs := newFlags(e, "thread", "CONTACT [--json]")
	asJSON := fs.Bool("json", false, "print the thread as JSON")
	pos, err := flags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return invalidf("usage: rapport thread CONTACT (an email, phone or id) [--json]")
	}
	eng, st, ct, err := e.contactEngine(pos[0])
	if err != nil {
		return err
	}
	defer st.Close()
	entries, err := eng.Thread(e.ctx, ct)
	if err != nil {
		return err
	}
	if *asJSON {
		out := make([]threadJSON, len(entries))
		for i, t := range entries {
			out[i] = threadJSON{At: t.At.Format(time.RFC3339), Direction: t.Direction, Channel: t.Channel, From: t.From,
				Subject: t.Subject, Body: t.Body, State: t.State, Note: t.Note, ReplyID: t.ReplyID,
				Deadlines: t.Deadlines}
			for _, f := range t.Flags {
				out[i].Flags = append(out[i].Flags, cases.FlagKind(f))
				out[i].FlagWords = append(out[i].FlagWords, cases.FlagText(f))
			}
		}
		return printJSON(e.io.out, out)
	}
	printThread(e.io.out, ct, eng.Content().Zone(ct), entries)
	return nil
}

func printThread(w io.Writer, ct *store.Contact, loc *time.Location, entries []engine.ThreadEntry) {
	fmt.Fprintf(w, "%s — %s, %s, times in %s\n", ct.Label(), orNone(ct.Email), orNone(ct.Phone), loc)
	if len(entries) == 0 {
		fmt.Fprintf(w, "  nothing yet: write with `rapport reply %s \"...\"`\n", shellWord(contactKey(ct)))
	}
	who := map[string]string{engine.FromRapport: "Rapport", engine.FromRep: "you", engine.FromCustomer: ct.Label()}
	arrow := map[string]string{"in": "<-", "out": "->"}
	for _, t := range entries {
		fmt.Fprintf(w, "\n%s  %s %-5s %s  (%s)\n", t.At.Format("Mon 2 Jan 2006 15:04"), arrow[t.Direction],
			t.Channel, who[t.From], t.State)
		if t.Note != "" {
			fmt.Fprintf(w, "    (%s)\n", t.Note)
		}
		if len(t.Flags) > 0 {
			fmt.Fprintf(w, "    ⚠ %s\n", strings.Join(cases.FlagTexts(t.Flags), ", "))
		}
		for _, d := range t.Deadlines {
			fmt.Fprintf(w, "    ! %s\n", d)
		}
		if t.Subject != "" && t.Channel == channel.Email {
			fmt.Fprintf(w, "    Subject: %s\n", t.Subject)
		}
		if t.Body != "" {
			fmt.Fprintln(w, indent(t.Body, "    | "))
		}
	}
}
