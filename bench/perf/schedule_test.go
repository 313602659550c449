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

func measureSchedule(tb testing.TB, im *imported) schedTimes {
	tb.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, im.ws.DB())
	if err != nil {
		tb.Fatal(err)
	}
	defer st.Close()
	c := loadContent(tb, im.ws)
	clk := clock.NewManual(parseTime(tb, quiet))
	eng := engine.New(st, clk, slog.New(slog.NewTextHandler(io.Discard, nil)), nil, c, outboxes(tb, im.ws))
	var t schedTimes
	t.tick = median(tb, func() error { return eng.Tick(ctx) })
	clk.Set(parseTime(tb, busy))
	filter := store.DueFilter{Pausing: []string{"post-order"}}
	t.find = median(tb, func() error {
		due, err := st.DueMessages(ctx, clk.Now().Unix(), batch, filter)
		if err == nil && len(due) < batch {
			err = fmt.Errorf("only %d rows due at %s", len(due), busy)
		}
		return err
	})
	t.claim = measureClaims(tb, st, clk.Now(), filter)
	return t
}

// measureClaims claims the first due row, committed as the dispatcher
// does before it sends, and puts it back after each measurement.
func measureClaims(tb testing.TB, st *store.Store, now time.Time, f store.DueFilter) time.Duration {
	tb.Helper()
	ctx := context.Background()
	due, err := st.DueMessages(ctx, now.Unix(), 1, f)
	if err != nil || len(due) == 0 {
		tb.Fatalf("no due row to claim: %v", err)
	}
	m := due[0].Message
	var times []time.Duration
	for range repeats {
		row := m
		start := time.Now()
		err := st.Tx(ctx, func(tx *store.Tx) error {
			ok, err := tx.Claim(ctx, &row, now.Unix())
			if err == nil && !ok {
				err = fmt.Errorf("message %d was not pending", m.ID)
			}
			return err
		})
		times = append(times, time.Since(start))
		if err == nil {
			err = st.Tx(ctx, func(tx *store.Tx) error { return tx.Retry(ctx, m.ID, m.DueAt, "") })
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
	return middle(times)
}

// median runs fn once to warm up, then repeats times, and returns the
// median duration.
func median(tb testing.TB, fn func() error) time.Duration {
	tb.Helper()
	var times []time.Duration
	for i := range repeats + 1 {
		start := time.Now()
		if err := fn(); err != nil {
			tb.Fatal(err)
		}
		if i > 0 {
			times = append(times, time.Since(start))
		}
	}
	return middle(times)
}

func middle(times []time.Duration) time.Duration {
	slices.Sort(times)
	return times[len(times)/2]
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
