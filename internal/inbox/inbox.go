// Package inbox takes in what customers send back — texts from Twilio's
// webhook and emails from the rep's mailbox — and turns each into a reply
// for the rep: matched to the customer and the message it answers, flagged
// when it mentions a problem, forwarded at once, with the customer's
// automation paused until the rep marks it handled. STOP, START and HELP
// are honoured here too.
package inbox

import (
	"context"
	"fmt"
	"github.com/rapportapp/rapport/internal/cases"
	"log/slog"
	"strings"
	"time"

	"github.com/rapportapp/rapport/internal/clock"
	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/notify"
	"github.com/rapportapp/rapport/internal/reply"
	"github.com/rapportapp/rapport/internal/schedule"
	"github.com/rapportapp/rapport/internal/store"
)

// Inbox receives replies.
type Inbox struct {
	store  *store.Store
	engine *engine.Engine
	clock  clock.Clock
	log    *slog.Logger
}

// New returns an Inbox.
func New(st *store.Store, e *engine.Engine, clk clock.Clock, log *slog.Logger) *Inbox {
	return &Inbox{store: st, engine: e, clock: clk, log: log}
}

// problemKinds are the flags that start the damage-report clock.
var problemKinds = map[string]bool{
	"damaged": true, "leaking": true, "broken": true, "wrong_item": true, "missing_item": true,
}

// assess returns the reply's flags and the policy deadlines they start,
// counted from the day the reply arrived (a customer reports damage when
// the parcel arrives) and, for the money-back guarantee, from the order.
func assess(c *engine.Content, body string, received time.Time, o *store.Order) (flags, deadlines []string) {
	kinds := map[string]bool{}
	seen := map[string]bool{}
	for _, f := range reply.NewFlagger(c.Policy.ProblemWords).Scan(body) {
		kinds[f.Kind] = true
		// the rep's own words each keep the word, to be named ("your word 'cracked'")
		if stored := cases.StoredFlag(f.Kind, f.Match); !seen[stored] {
			seen[stored] = true
			flags = append(flags, stored)
		}
	}
	if reply.LikelyOptOut(body) && !kinds["opt_out"] {
		kinds["opt_out"] = true
		flags = append(flags, "opt_out")
	}
	return flags, policyDeadlines(c, kinds, received, o)
}

// policyDeadlines are stored with their dates marked (cases.DueMark), so
// every reader says how far off they are on the day it reads them.
func policyDeadlines(c *engine.Content, kinds map[string]bool, received time.Time, o *store.Order) []string {
	p, cal := c.Policy, c.Rules.Calendar
	today := schedule.DateOf(received.In(c.Rules.RepZone))
	var out []string
	problem := false
	for k := range kinds {
		problem = problem || problemKinds[k]
	}
	if problem {
		by := schedule.AddBusinessDaysFrom(today, p.ReportDamageWithin, cal)
		out = append(out, fmt.Sprintf("report it to the company %s (it allows %s from receipt) — keep the box and packing; have the invoice number, product name, code and expiry date ready, and open a case to follow it through",
			cases.DueMark(by, p.ReportDamageWithin.Unit == schedule.BusinessDay), p.ReportDamageWithin.Words()))
	}
	if kinds["return"] || kinds["refund"] || kinds["cancel"] {
		if o != nil && o.Date != "" {
			if od, err := schedule.ParseDate(o.Date); err == nil {
				end := schedule.AddDelay(od, p.MoneyBackGuarantee, cal)
				out = append(out, fmt.Sprintf("%s money-back guarantee, counted from the order (%s): %s — later if it arrived late", p.MoneyBackGuarantee.Words(),
					cases.DayMark(od), cases.DueMark(end, p.MoneyBackGuarantee.Unit == schedule.BusinessDay)))
			}
		}
		out = append(out, fmt.Sprintf("a return authorisation is valid %s from issue; the number goes on the outside of the parcel, proof of purchase inside", p.ReturnAuthorizationValid.Words()))
	}
	return out
}

// record stores a reply and queues its forward to the rep in one
// transaction; a reply seen before (same external id) changes nothing.
// extra runs inside the same transaction (opt-outs and the like); status,
// when set, tells the rep what it did to the contact's texts.
func (in *Inbox) record(ctx context.Context, r *store.Reply, extra func(*store.Tx) error, status string) (bool, error) {
	c := in.engine.Content()
	// Gather the rep's note before taking the write lock: every webhook
	// waits on that lock, so the transaction holds only the writes.
	note, err := in.engine.ReplyNote(ctx, c, r)
	if err != nil {
		return false, fmt.Errorf("record reply from %s: %w", r.From, err)
	}
	if status != "" {
		note.OptOut = status
	}
	var created bool
	err = in.store.Batch(ctx, func(tx *store.Tx) error {
		var err error
		if created, err = tx.AddReply(ctx, r); err != nil || !created {
			return err
		}
		if extra != nil {
			if err := extra(tx); err != nil {
				return err
			}
		}
		if r.HandledAt != 0 {
			return nil // handled automatically (STOP, START, HELP): nothing for the rep to do
		}
		note.ID = r.ID
		subject, body := notify.Forward(note)
		return c.QueueToRep(ctx, tx, fmt.Sprintf("reply:%d", r.ID), r.ID, subject, body, notify.SMSForward(note), in.clock.Now())
	})
	if err != nil {
		return false, fmt.Errorf("record reply from %s: %w", r.From, err)
	}
	if created {
		in.log.Info("reply received", "reply", r.ID, "contact", r.ContactID, "channel", r.Channel, "flags", r.Flags)
		in.engine.Wake()
	}
	return created, nil
}

func isRep(c *engine.Content, addr string) bool {
	addr = strings.ToLower(strings.TrimSpace(addr))
	for _, own := range []string{c.RepEmail, c.RepPhone, c.NotifyEmail, c.NotifySMS} {
		if own != "" && strings.EqualFold(own, addr) {
			return true
		}
	}
	return false
}
