package engine

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/store"
)

// Who wrote a thread entry.
const (
	FromRapport  = "rapport"  // a campaign step
	FromRep      = "rep"      // the rep's own message
	FromCustomer = "customer" // a reply
)

// ThreadEntry is one message between Rapport or the rep and a customer.
type ThreadEntry struct {
	At        time.Time // sent, received, or for a message still to go when it is due; the customer's zone
	Direction string    // "in" from the customer, "out" to them
	Channel   string
	From      string // FromRapport, FromRep or FromCustomer
	Subject   string
	Body      string
	// State is a message's queue state, or its delivery report when a
	// text has one (delivered, undelivered, failed); a reply is "open"
	// until the rep handles it, then "handled".
	State     string
	Note      string   // why a message waits or failed
	ReplyID   int64    // a reply's id
	Flags     []string // as stored: cases.FlagText names them
	Deadlines []string // said as seen now
}

// Thread is everything between a customer and the rep, both channels
// merged in time order: what Rapport sent, what the customer wrote, and
// what the rep answered (including messages still waiting to go).
func (e *Engine) Thread(ctx context.Context, ct *store.Contact) ([]ThreadEntry, error) {
	c := e.Content()
	loc := c.Zone(ct)
	rows, err := e.store.ThreadMessages(ctx, ct.ID)
	if err != nil {
		return nil, fmt.Errorf("thread of %s: %w", ct.Label(), err)
	}
	replies, err := e.store.RepliesOf(ctx, ct.ID)
	if err != nil {
		return nil, fmt.Errorf("thread of %s: %w", ct.Label(), err)
	}
	out := make([]ThreadEntry, 0, len(rows)+len(replies))
	for i := range rows {
		out = append(out, e.outEntry(ctx, &rows[i], loc))
	}
	for _, r := range replies {
		out = append(out, inEntry(r, loc, c.SayDeadlines(r.DeadlineList(), e.clock.Now())))
	}
	sort.SliceStable(out, func(a, b int) bool {
		if !out[a].At.Equal(out[b].At) {
			return out[a].At.Before(out[b].At)
		}
		return turn[out[a].From] < turn[out[b].From]
	})
	return out, nil
}

// turn orders entries of the same second (times are kept to the second):
// what Rapport sent, the customer's answer to it, the rep's to that.
var turn = map[string]int{FromRapport: 0, FromCustomer: 1, FromRep: 2}

func (e *Engine) outEntry(ctx context.Context, d *store.Due, loc *time.Location) ThreadEntry {
	at := d.DueAt
	if d.SentAt != 0 {
		at = d.SentAt
	}
	t := ThreadEntry{At: time.Unix(at, 0).In(loc), Direction: "out", Channel: d.Channel, State: d.State,
		Note: strings.TrimSpace(d.Note + " " + d.Error)}
	if d.State == store.Sent && d.Delivery != "" {
		t.State = d.Delivery
	}
	// Only an email has a subject: a sent text's subject column holds the
	// start of its words (for logs and lists), which the body already shows.
	if d.Kind == store.KindRep {
		t.From, t.Body = FromRep, d.Body
		if d.Channel == channel.Email {
			t.Subject = d.Subject
		}
		return t
	}
	t.From = FromRapport
	t.Subject, t.Body = e.Preview(ctx, d)
	if t.Subject == "" && d.Channel == channel.Email {
		t.Subject = d.Subject
	}
	// The footer is the same on every email; the thread shows the words.
	if words, _, ok := strings.Cut(t.Body, "\n-- \n"); ok {
		t.Body = strings.TrimSpace(words)
	}
	return t
}

func inEntry(r store.Reply, loc *time.Location, deadlines []string) ThreadEntry {
	t := ThreadEntry{At: time.Unix(r.ReceivedAt, 0).In(loc), Direction: "in", Channel: r.Channel, From: FromCustomer,
		Subject: r.Subject, Body: strings.TrimSpace(r.Body), State: "open", ReplyID: r.ID,
		Flags: r.FlagList(), Deadlines: deadlines}
	if r.HandledAt != 0 {
		t.State = "handled"
	}
	return t
}
