package perf

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/campaign"
	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/channel/email"
	"github.com/rapportapp/rapport/internal/channel/sms"
	"github.com/rapportapp/rapport/internal/clock"
	"github.com/rapportapp/rapport/internal/config"
	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/schedule"
	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/tmpl"
)

// Times for the scheduling benchmark: busy is when thousands of rows are
// due (the import's morning, after 10:00); quiet is before the oldest
// order, when nothing is.
var (
	busy  = At(0, "10:05")
	quiet = At(-Window-2, "12:00")
)

const (
	batch   = 200 // rows the dispatcher takes at a time (engine.Engine.BatchSize)
	repeats = 101 // measurements per figure; the median is reported (sub-millisecond figures on a shared machine need many)
)

type schedTimes struct{ find, claim, tick time.Duration }

// measureSchedule measures the dispatcher's queries on two imported
// databases, a large and a small one, in turns: each figure is compared
// with the small database's, and measuring them minutes apart on a shared
// machine compared two moments of the machine more than two sizes.
func measureSchedule(tb testing.TB, big, small *imported) (b, s schedTimes) {
	tb.Helper()
	rb, rs := newRig(tb, big), newRig(tb, small)
	b.tick, s.tick = medians(tb, probe{run: rb.tick}, probe{run: rs.tick})
	rb.clk.Set(parseTime(tb, busy))
	rs.clk.Set(parseTime(tb, busy))
	b.find, s.find = medians(tb, probe{run: rb.find}, probe{run: rs.find})
	b.claim, s.claim = medians(tb, rb.claimProbe(tb), rs.claimProbe(tb))
	return b, s
}

// rig is an imported database with an engine over it, its clock at quiet.
type rig struct {
	st  *store.Store
	eng *engine.Engine
	clk *clock.Manual
}

func newRig(tb testing.TB, im *imported) *rig {
	tb.Helper()
	st, err := store.Open(context.Background(), im.ws.DB())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	clk := clock.NewManual(parseTime(tb, quiet))
	eng := engine.New(st, clk, slog.New(slog.NewTextHandler(io.Discard, nil)), nil, loadContent(tb, im.ws), outboxes(tb, im.ws))
	return &rig{st: st, eng: eng, clk: clk}
}

var dueFilter = store.DueFilter{Pausing: []string{"post-order"}}

// tick is one dispatcher pass.
func (r *rig) tick() error { return r.eng.Tick(context.Background()) }

// find reads the next due batch.
func (r *rig) find() error {
	due, err := r.st.DueMessages(context.Background(), r.clk.Now().Unix(), batch, dueFilter)
	if err == nil && len(due) < batch {
		err = fmt.Errorf("only %d rows due at %s", len(due), busy)
	}
	return err
}

// probe is one measurement: run is timed, then after (if any) undoes
// what run did, untimed.
type probe struct{ run, after func() error }

// claimProbe claims the first due row, committed as the dispatcher does
// before it sends, and puts it back afterwards.
func (r *rig) claimProbe(tb testing.TB) probe {
	tb.Helper()
	ctx := context.Background()
	now := r.clk.Now().Unix()
	due, err := r.st.DueMessages(ctx, now, 1, dueFilter)
	if err != nil || len(due) == 0 {
		tb.Fatalf("no due row to claim: %v", err)
	}
	m := due[0].Message
	return probe{
		run: func() error {
			row := m
			return r.st.Tx(ctx, func(tx *store.Tx) error {
				ok, err := tx.Claim(ctx, &row, now)
				if err == nil && !ok {
					err = fmt.Errorf("message %d was not pending", m.ID)
				}
				return err
			})
		},
		after: func() error {
			return r.st.Tx(ctx, func(tx *store.Tx) error { return tx.Retry(ctx, m.ID, m.DueAt, "") })
		},
	}
}

// medians runs x and y in turns, once each to warm up and then repeats
// times, so that both see the same moments of the machine, and returns
// their median durations.
func medians(tb testing.TB, x, y probe) (time.Duration, time.Duration) {
	tb.Helper()
	var xs, ys []time.Duration
	for i := range repeats + 1 {
		for _, m := range []struct {
			p     probe
			times *[]time.Duration
		}{{x, &xs}, {y, &ys}} {
			start := time.Now()
			err := m.p.run()
			took := time.Since(start)
			if err == nil && m.p.after != nil {
				err = m.p.after()
			}
			if err != nil {
				tb.Fatal(err)
			}
			if i > 0 {
				*m.times = append(*m.times, took)
			}
		}
	}
	return middle(xs), middle(ys)
}

func middle(times []time.Duration) time.Duration {
	slices.Sort(times)
	return times[len(times)/2]
}

// medianOf is the median of one figure of runs.
func medianOf(runs []Run, figure func(Run) time.Duration) time.Duration {
	times := make([]time.Duration, len(runs))
	for i, r := range runs {
		times[i] = figure(r)
	}
	return middle(times)
}

func parseTime(tb testing.TB, s string) time.Time {
	tb.Helper()
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		tb.Fatal(err)
	}
	return t
}

// outboxes are the transports of a workspace that sends nothing.
func outboxes(tb testing.TB, ws *Workspace) map[string]channel.Sender {
	tb.Helper()
	mail, err := email.NewOutbox(ws.Outbox(), email.Identity{From: "Amy Kline <amy@example.com>"})
	if err != nil {
		tb.Fatal(err)
	}
	text, err := sms.NewOutbox(ws.Outbox(), "+13125550100")
	if err != nil {
		tb.Fatal(err)
	}
	return map[string]channel.Sender{channel.Email: mail, channel.SMS: text}
}

// loadContent reads a workspace's config, campaigns and templates as the
// daemon does (daemon/app.go, contentFrom).
func loadContent(tb testing.TB, ws *Workspace) *engine.Content {
	tb.Helper()
	data, err := os.ReadFile(ws.Config())
	if err != nil {
		tb.Fatal(err)
	}
	cfg, err := config.Parse(ws.Config(), data, os.Getenv)
	if err != nil {
		tb.Fatal(err)
	}
	cps, err := campaign.LoadDir(filepath.Join(ws.Dir, "campaigns"))
	if err != nil {
		tb.Fatal(err)
	}
	set, err := tmpl.LoadDir(filepath.Join(ws.Dir, "templates"))
	if err != nil {
		tb.Fatal(err)
	}
	var holidays []string
	for _, h := range cfg.Sending.Holidays {
		holidays = append(holidays, h.String())
	}
	cal, err := schedule.NewCalendar(holidays)
	if err != nil {
		tb.Fatal(err)
	}
	s := cfg.Sending
	_, domain, _ := strings.Cut(cfg.Email.From.Address, "@")
	return &engine.Content{
		Campaigns: cps, Templates: set,
		Rules: engine.Rules{
			DefaultAt: s.At, AllowedHours: s.AllowedHours, MaxTextsPerDay: s.MaxTextsPerDay,
			Calendar: cal, RepZone: cfg.Rep.Location, MaxAttempts: s.MaxAttempts,
			RetryBase: s.RetryBase, RetryMax: s.RetryMax, DigestAt: cfg.Notify.DigestAt,
		},
		Rep:      tmpl.Rep{Name: cfg.Rep.Name, Email: cfg.Rep.Email, PostalAddress: cfg.Rep.PostalAddress},
		RepPhone: cfg.Rep.Phone, RepEmail: strings.ToLower(cfg.Rep.Email),
		PublicURL: cfg.HTTP.PublicURL, MsgDomain: domain,
		NotifyEmail: cfg.Notify.Email, NotifySMS: cfg.Notify.SMS,
	}
}
