package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/rapportapp/rapport"
	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/clock"
	"github.com/rapportapp/rapport/internal/contact"
	"github.com/rapportapp/rapport/internal/engine"
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
	start := e.clock.Now().Truncate(time.Hour)
	if e.now == nil {
		start = time.Now().Truncate(time.Hour)
	}
	clk := clock.NewManual(start)
	e.clock, e.configFlag = clk, filepath.Join(dir, "config.toml")
	csvPath := filepath.Join(dir, "demo-customers.csv")
	if err := writeDemoCSV(csvPath, start); err != nil {
		return err
	}
	fmt.Fprintf(e.io.out, "Rapport demo in %s\nStarting %s with the example customers; their orders were placed over the last four weeks.\n\n",
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
	col := -1
	for i, h := range rows[0] {
		if h == "Order Date" {
			col = i
		}
	}
	for i := 1; i < len(rows) && col >= 0; i++ {
		rows[i][col] = start.AddDate(0, 0, -4*(i-1)).Format("2006-01-02")
	}
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	w.WriteAll(rows)
	return os.WriteFile(path, b.Bytes(), 0o644)
}

func runDemo(e *env, clk *clock.Manual, csvPath string) error {
	f, err := e.load()
	if err != nil {
		return err
	}
	st, err := e.open(f.cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	sum, err := e.importFile(st, f.content, csvPath, contact.Options{Region: f.cfg.Rep.Country}, false)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.io.out, "Imported %d customers and %d orders.\n\n", sum.Inserted, sum.Orders)
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
	sim := &demoSim{e: e, st: st, eng: eng, in: in, clk: clk}
	if err := sim.run(clk.Now().AddDate(0, demoMonths, 0)); err != nil {
		return err
	}
	return demoSummary(e, st, f.cfg.Outbox.Dir, counts)
}

// demoSim drives the simulated months, with one customer writing back.
type demoSim struct {
	e       *env
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
		s.clk.Advance(30 * time.Minute)
	}
	return nil
}

// script plays a customer's reply about a leaking bottle after her
// arrival check, and the rep dealing with it the next day.
func (s *demoSim) script() error {
	now := s.clk.Now()
	if !s.replied && s.sentArrivalCheck() {
		s.replied = true
		body := "Hi Amy! It came yesterday but the lavender bottle arrived leaking all over the box :("
		fmt.Fprintf(s.e.io.out, "%s  ← REPLY from Emily Carter by text: %q\n", now.Format("Mon 02 Jan 15:04"), body)
		if _, err := s.in.ReceiveSMS(s.e.ctx, inbox.SMS{MessageSID: "SMdemo0001", From: "+13125550142", To: "+13125550100", Body: body}); err != nil {
			return err
		}
		rs, err := s.st.Replies(s.e.ctx, false)
		if err != nil || len(rs) == 0 {
			return err
		}
		s.replyID = rs[0].ID
		fmt.Fprintf(s.e.io.out, "                  flagged: %s\n                  %s\n                  Emily's follow-up is paused until Amy marks the reply handled.\n",
			rs[0].Flags, rs[0].Deadlines)
		return nil
	}
	if s.replied && !s.handled && now.Sub(time.Unix(s.replyAt(), 0)) > 26*time.Hour {
		s.handled = true
		fmt.Fprintf(s.e.io.out, "%s  ✓ Amy called Emily, arranged a replacement: rapport replies done %d — Emily's follow-up resumes\n",
			now.Format("Mon 02 Jan 15:04"), s.replyID)
		return s.st.Tx(s.e.ctx, func(tx *store.Tx) error {
			_, err := tx.HandleReply(s.e.ctx, s.replyID, now.Unix())
			return err
		})
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
	if ev.Kind == "deferred" {
		return // moved to a later moment; it prints when it goes
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
	fmt.Fprintf(e.io.out, "\nSix months in seconds: %d messages sent, %d tasks for Amy, %d skipped (their moment had passed, or nobody to send to), %d failed.\n",
		counts["sent"], counts["task"], counts["skipped"], q[store.Failed])
	fmt.Fprintf(e.io.out, "Every message is a file in %s (%d files: .eml emails, .sms.json texts, including Amy's daily digests and reply alerts).\n", outbox, len(files))
	fmt.Fprintf(e.io.out, "Look around:  rapport -c %s status   |   rapport -c %s preview emily.carter@example.com\n",
		e.configFlag, e.configFlag)
	return nil
}
