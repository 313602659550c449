package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"github.com/rapportapp/rapport/internal/cases"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rapportapp/rapport"
	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/clock"
	"github.com/rapportapp/rapport/internal/contact"
	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/enroll"
	"github.com/rapportapp/rapport/internal/inbox"
	"github.com/rapportapp/rapport/internal/store"
)

// demoMonths is how far the demo runs the simulated clock.
const demoMonths = 6

// cmdDemo lays out the starter set in a temporary folder, imports the
// example customers with orders over the last weeks, and runs the daemon
// on a simulated clock for six months, printing each message.
func cmdDemo(e *env, args []string) error {
	fs := newFlags(e, "demo", "[--dir DIR]")
	dirFlag := fs.String("dir", "", "folder to use (default: a new temporary folder)")
	if _, err := flags(fs, args); err != nil {
		return err
	}
	dir, err := demoDir(*dirFlag)
	if err != nil {
		return err
	}
	if err := writeStarter(dir); err != nil {
		return err
	}
	start := e.clock.Now().Truncate(time.Hour) // --now, or the real time
	clk := clock.NewManual(start)
	e.clock, e.configFlag = clk, filepath.Join(dir, "config.toml")
	csvPath := filepath.Join(dir, "demo-customers.csv")
	if err := writeDemoCSV(csvPath, start); err != nil {
		return err
	}
	fmt.Fprintf(e.io.out, "Rapport demo in %s\nStarting %s with the example customers: two ordered in the last days, the others order as the months go by.\n\n",
		dir, start.Format("Mon 2 Jan 2006 15:04 MST"))
	return runDemo(e, clk, csvPath)
}

func demoDir(dir string) (string, error) {
	if dir == "" {
		return os.MkdirTemp("", "rapport-demo-")
	}
	return dir, os.MkdirAll(dir, 0o755)
}

// writeDemoCSV rewrites the example contacts' order dates to the weeks
// before start, so the demo shows every stage of the follow-up.
func writeDemoCSV(path string, start time.Time) error {
	data, err := rapport.Starter.ReadFile("contacts.example.csv")
	if err != nil {
		return err
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		return err
	}
	cols := map[string]int{}
	for i, h := range rows[0] {
		cols[h] = i
	}
	for i := 1; i < len(rows); i++ {
		if i <= 2 {
			rows[i][cols["Order Date"]] = start.AddDate(0, 0, 1-i).Format("2006-01-02")
			continue
		}
		for _, h := range []string{"Order Date", "Invoice", "Items"} {
			rows[i][cols[h]] = "" // they order during the demo
		}
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.WriteAll(rows)
	return os.WriteFile(path, b.Bytes(), 0o644)
}

func runDemo(e *env, clk *clock.Manual, csvPath string) error {
	f, st, err := e.loadAndOpen()
	if err != nil {
		return err
	}
	defer st.Close()
	sum, err := e.importFile(st, f.content, csvPath, contact.Options{Region: f.cfg.Rep.Country}, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.io.out, "Imported %d %s and %d %s.\n\n", sum.Inserted, plural(sum.Inserted, "customer", "customers"),
		sum.Orders, plural(sum.Orders, "order", "orders"))
	for _, p := range sum.Problems {
		fmt.Fprintf(e.io.out, "demo-customers.csv:%d: %s\n", p.Line, p.Reason)
	}
	log := e.logger(f.cfg)
	log = log.WithGroup("demo")
	eng, err := e.engineFor(f, st, discardLogger())
	if err != nil {
		return err
	}
	counts := map[string]int{}
	eng.OnEvent = func(ev engine.Event) {
		counts[ev.Kind]++
		printEvent(e.io.out, ev, f.content.Rules.RepZone)
	}
	in := inbox.New(st, eng, clk, discardLogger())
	sim := &demoSim{e: e, c: f.content, st: st, eng: eng, in: in, clk: clk, start: clk.Now()}
	if err := sim.run(clk.Now().AddDate(0, demoMonths, 0)); err != nil {
		return err
	}
	return demoSummary(e, st, f.cfg.Outbox.Dir, counts)
}

// demoSim drives the simulated months, with one customer writing back.
type demoSim struct {
	e       *env
	c       *engine.Content
	start   time.Time
	orders  int
	st      *store.Store
	eng     *engine.Engine
	in      *inbox.Inbox
	clk     *clock.Manual
	replied bool
	replyID int64
	handled bool
}

func (s *demoSim) run(end time.Time) error {
	for s.clk.Now().Before(end) {
		if err := s.eng.Tick(s.e.ctx); err != nil {
			return err
		}
		if err := s.script(); err != nil {
			return err
		}
		next, err := s.next()
		if err != nil {
			return err
		}
		s.clk.Set(next)
	}
	return nil
}

// next jumps the simulated clock to the next moment anything can happen:
// the next due message, or within the hour (digests, the scripted reply).
func (s *demoSim) next() (time.Time, error) {
	now := s.clk.Now()
	next := now.Add(time.Hour).Truncate(time.Hour)
	due, err := s.st.NextDue(s.e.ctx)
	if err != nil {
		return now, err
	}
	if t := time.Unix(due, 0); due != 0 && t.After(now) && t.Before(next) {
		next = t
	}
	return next, nil
}

// script plays a customer's reply about a leaking bottle after her
// arrival check, and the rep dealing with it the next day.
func (s *demoSim) script() error {
	now := s.clk.Now()
	if err := s.placeOrders(now); err != nil {
		return err
	}
	if !s.replied && s.sentArrivalCheck() {
		s.replied = true
		body := "Hi Amy! It came yesterday but the lavender bottle arrived leaking all over the box :("
		fmt.Fprintf(s.e.io.out, "%s  ← REPLY from Emily Carter by text: %q\n", now.In(s.c.Rules.RepZone).Format("Mon 02 Jan 15:04"), body)
		if _, err := s.in.ReceiveSMS(s.e.ctx, inbox.SMS{MessageSID: "SMdemo0001", From: "+13125550142", To: "+13125550100", Body: body}); err != nil {
			return err
		}
		rs, err := s.st.Replies(s.e.ctx, false)
		if err != nil || len(rs) == 0 {
			return err
		}
		s.replyID = rs[0].ID
		fmt.Fprintf(s.e.io.out, "                  flagged: %s\n                  %s\n                  Emily's follow-up is paused until Amy marks the reply handled.\n",
			strings.Join(cases.FlagTexts(rs[0].FlagList()), ", "), strings.Join(s.c.SayDeadlines(rs[0].DeadlineList(), now), "\n                  "))
		return nil
	}
	if s.replied && !s.handled && now.Sub(time.Unix(s.replyAt(), 0)) > 26*time.Hour {
		s.handled = true
		fmt.Fprintf(s.e.io.out, "%s  ✓ Amy called Emily, arranged a replacement: rapport replies done %d — Emily's follow-up resumes\n",
			now.In(s.c.Rules.RepZone).Format("Mon 02 Jan 15:04"), s.replyID)
		return s.st.Tx(s.e.ctx, func(tx *store.Tx) error {
			_, err := tx.HandleReply(s.e.ctx, s.replyID, now.Unix())
			return err
		})
	}
	return nil
}

// demoOrders are when the other example customers order, in days after
// the start; Emily orders again in the second month.
var demoOrders = []struct {
	day   int
	email string
	items string
}{
	{1, "sofia.alvarez@example.com", "Lemon 15ml"},
	{3, "hannah.brooks@example.com", "Frankincense 15ml, Tea Tree 15ml"},
	{6, "james.oconnor@example.com", "Wellness bundle"},
	{10, "priya.shah@example.com", "Roller bottle set"},
	{15, "olivia.bennett@example.com", "Citrus blend 15ml"},
	{24, "+17735550139", "Peppermint beadlets"},
	{45, "emily.carter@example.com", "Lavender 15ml (replacement bottle's sister)"},
}

// placeOrders records the orders whose day has come, like `rapport order add`.
func (s *demoSim) placeOrders(now time.Time) error {
	for s.orders < len(demoOrders) {
		o := demoOrders[s.orders]
		at := s.start.AddDate(0, 0, o.day)
		if now.Before(at) {
			return nil
		}
		s.orders++
		// No region: the demo names its customers by email or E.164 phone.
		ct, err := enroll.FindContact(s.e.ctx, s.st, "", o.email)
		if err != nil {
			return err
		}
		ord := store.Order{Date: at.In(s.c.Zone(ct)).Format("2006-01-02"), Invoice: fmt.Sprintf("INV-%d", 20500+s.orders), Items: o.items}
		fmt.Fprintf(s.e.io.out, "%s  + ORDER from %s: %s\n", now.In(s.c.Rules.RepZone).Format("Mon 02 Jan 15:04"), ct.Label(), o.items)
		if _, err := enroll.Order(s.e.ctx, s.st, s.c, ct, ord, now); err != nil {
			return err
		}
	}
	return nil
}

func (s *demoSim) sentArrivalCheck() bool {
	ct, err := s.st.ContactByPhone(s.e.ctx, "+13125550142")
	if err != nil {
		return false
	}
	m, err := s.st.LastMessageTo(s.e.ctx, ct.ID, channel.SMS)
	return err == nil && m.Step == "arrival-check"
}

func (s *demoSim) replyAt() int64 {
	r, err := s.st.Reply(s.e.ctx, s.replyID)
	if err != nil {
		return 0
	}
	return r.ReceivedAt
}

func printEvent(w io.Writer, ev engine.Event, loc *time.Location) {
	switch ev.Kind {
	case "deferred":
		return // moved to a later moment; it prints when it goes
	case "to-rep":
		what := "reply alert"
		if strings.HasPrefix(ev.Step, "digest") {
			what = "daily digest"
		}
		fmt.Fprintf(w, "%s  ✉ %-5s %-16s %-18s %s\n", ev.At.In(loc).Format("Mon 02 Jan 15:04"), ev.Channel, "to you", what, clip(ev.Summary, 70))
		return
	}
	text := ev.Summary
	if text == "" {
		text = ev.Note
	}
	mark := map[string]string{"sent": "→", "task": "☐", "skipped": "–", "failed": "✗", "retry": "↻"}[ev.Kind]
	fmt.Fprintf(w, "%s  %s %-5s %-16s %-18s %s\n", ev.At.In(loc).Format("Mon 02 Jan 15:04"), mark, ev.Channel,
		clip(ev.Contact, 16), clip(ev.Step, 18), clip(text, 70))
}

func demoSummary(e *env, st *store.Store, outbox string, counts map[string]int) error {
	q, err := st.QueueCounts(e.ctx)
	if err != nil {
		return err
	}
	files, _ := filepath.Glob(filepath.Join(outbox, "*"))
	fmt.Fprintf(e.io.out, "\nSix months in seconds: %d %s sent, %d %s for Amy, %d skipped (their moment had passed, or nobody to send to), %d failed.\n",
		counts["sent"], plural(counts["sent"], "message", "messages"), counts["task"], plural(counts["task"], "task", "tasks"),
		counts["skipped"], q[store.Failed])
	fmt.Fprintf(e.io.out, "Every message is a file in %s (%d %s: .eml emails, .sms.json texts, including Amy's daily digests and reply alerts).\n",
		outbox, len(files), plural(len(files), "file", "files"))
	fmt.Fprintf(e.io.out, "Look around:  rapport -c %s status   |   rapport -c %s preview emily.carter@example.com\n",
		e.configFlag, e.configFlag)
	return nil
}
