package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

// Options say what one run does.
type Options struct {
	Emails, Texts    int           // contacts who get one email, one text
	Kills            int           // kill -9s before the daemon may finish
	Seed             uint64        // drives the kill moments
	MinLife, MaxLife time.Duration // each daemon lives a random time in between
	Rate             float64       // messages a second, shared by the channels; 0: as fast as they go
	Rapport          string        // the rapport binary under test
	Dir              string        // an empty folder for the workspace and logs
	Mail             *MailServer   // a running Mailpit
	Progress         io.Writer     // a line per kill; nil for none
}

func (o *Options) validate() error {
	var errs []error
	if o.Emails < 0 || o.Texts < 0 || o.Emails+o.Texts == 0 {
		errs = append(errs, errors.New("need some emails or texts to send"))
	}
	if o.Texts > maxTexts {
		errs = append(errs, fmt.Errorf("at most %d texts (one per fictional 555-01xx number)", maxTexts))
	}
	if o.Kills < 0 || o.Rate < 0 {
		errs = append(errs, errors.New("kills and rate cannot be negative"))
	}
	if o.MinLife <= 0 || o.MaxLife < o.MinLife {
		errs = append(errs, fmt.Errorf("life %s..%s: want 0 < min <= max", o.MinLife, o.MaxLife))
	}
	if o.Rapport == "" || o.Dir == "" || o.Mail == nil {
		errs = append(errs, errors.New("Rapport, Dir and Mail are required"))
	}
	return errors.Join(errs...)
}

// stopLimit is how long `rapport run` may take to exit after SIGTERM: it
// finishes the send in flight, which takes milliseconds here.
const stopLimit = 5 * time.Second

// harness is one run in progress.
type harness struct {
	o          Options
	rng        *rand.Rand
	sb         *sandbox
	config, db string
	log        *os.File // every daemon's output, one after the other
	recipients []recipient
	inFlight   map[string]bool // Message-IDs a kill caught in 'sending'
	r          *Report
}

// Run sets up a workspace, imports the contacts, kills and restarts the
// daemon o.Kills times, lets it finish, stops it with SIGTERM and checks
// what arrived. An error means the harness itself could not do its job;
// a broken guarantee is a problem in the report.
func Run(ctx context.Context, o Options) (*Report, error) {
	if err := o.validate(); err != nil {
		return nil, fmt.Errorf("crash harness options: %w", err)
	}
	start := time.Now()
	h := &harness{
		o: o, rng: rand.New(rand.NewPCG(o.Seed, o.Seed)),
		recipients: recipients(o.Emails, o.Texts), inFlight: map[string]bool{},
		r: &Report{Seed: o.Seed},
	}
	sb, err := startSandbox(ctx, o.Rapport, "AC"+randomHex(h.rng), randomHex(h.rng))
	if err != nil {
		return nil, err
	}
	defer sb.terminate(stopLimit)
	h.sb = sb
	if err := h.setup(ctx); err != nil {
		return nil, err
	}
	defer h.log.Close()
	for n := 1; n <= o.Kills; n++ {
		if err := h.killOnce(ctx, n); err != nil {
			return nil, err
		}
	}
	if err := h.finish(ctx); err != nil {
		return nil, err
	}
	if err := h.collect(ctx); err != nil {
		return nil, err
	}
	h.r.Elapsed = time.Since(start)
	return h.r, nil
}

// SpreadRate is the Rate at which the queue lasts about as long as the
// kill phase, so nearly every kill lands while messages are still going
// out. Unlimited, the daemon empties the queue within the first third of
// the kills; limited, a kill finds a message either waiting its turn
// (claimed, not yet sent) or on the wire, both windows the guarantee
// covers. A daemon spends part of each life starting up, hence 0.6.
func SpreadRate(emails, texts, kills int, minLife, maxLife time.Duration) float64 {
	sending := float64(kills) * (minLife + maxLife).Seconds() / 2 * 0.6
	if sending <= 0 {
		return 0
	}
	return float64(emails+texts) / sending
}

// rates splits Rate between the channels by their share of the messages,
// in the config's units (emails a minute, texts a second). Without a
// limit they are the highest values the config accepts.
func (o *Options) rates() (emailsPerMinute, textsPerSecond float64) {
	emailsPerMinute, textsPerSecond = 1e6, 1000
	total := float64(o.Emails + o.Texts)
	if o.Rate > 0 && o.Emails > 0 {
		emailsPerMinute = o.Rate * float64(o.Emails) / total * 60
	}
	if o.Rate > 0 && o.Texts > 0 {
		textsPerSecond = o.Rate * float64(o.Texts) / total
	}
	return emailsPerMinute, textsPerSecond
}

// randomHex is 32 hex digits from rng: an Account SID's tail or a token.
func randomHex(rng *rand.Rand) string {
	return fmt.Sprintf("%016x%016x", rng.Uint64(), rng.Uint64())
}

// setup lays out the workspace and imports the contacts, checking that
// every one of them has its message queued and due now.
func (h *harness) setup(ctx context.Context) error {
	ws := filepath.Join(h.o.Dir, "workspace")
	if _, err := rapportCmd(ctx, h.o.Rapport, "init", ws); err != nil {
		return err
	}
	listen, err := freePort()
	if err != nil {
		return err
	}
	emailRate, textRate := h.o.rates()
	err = writeWorkspace(ws, settings{
		TimeZone: middayZone(time.Now()), SMTPPort: h.o.Mail.SMTPPort, EmailRate: emailRate,
		TwilioURL: h.sb.URL, SID: h.sb.SID, Token: h.sb.Token, TextRate: textRate, Listen: loopback(listen),
	})
	if err != nil {
		return err
	}
	h.config, h.db = filepath.Join(ws, "config.toml"), filepath.Join(ws, "rapport.db")
	if h.log, err = os.Create(filepath.Join(h.o.Dir, "rapport.log")); err != nil {
		return err
	}
	return h.importContacts(ctx)
}

func (h *harness) importContacts(ctx context.Context) error {
	csvPath := filepath.Join(h.o.Dir, "contacts.csv")
	if err := writeCSV(csvPath, h.recipients); err != nil {
		return err
	}
	if _, err := rapportCmd(ctx, h.o.Rapport, "-c", h.config, "check"); err != nil {
		return err
	}
	out, err := rapportCmd(ctx, h.o.Rapport, "-c", h.config, "import", csvPath, "--json")
	if err != nil {
		return err
	}
	var res struct{ Inserted, Journeys int }
	if err := json.Unmarshal(out, &res); err != nil {
		return fmt.Errorf("read import's answer: %w\n%s", err, out)
	}
	want := len(h.recipients)
	if res.Inserted != want || res.Journeys != want {
		return fmt.Errorf("import: %d contacts and %d journeys, want %d of each:\n%s", res.Inserted, res.Journeys, want, out)
	}
	s, err := h.status(ctx)
	if err != nil {
		return err
	}
	due, _ := time.Parse(time.RFC3339, s.NextDue)
	if s.Queue["pending"] != want || due.After(time.Now()) {
		return fmt.Errorf("after import: queue %v, next due %s; want %d pending, due now", s.Queue, s.NextDue, want)
	}
	return nil
}

// status is the part of `rapport status --json` the harness reads.
type status struct {
	Queue   map[string]int `json:"queue"`
	NextDue string         `json:"next_due"` // RFC 3339, "" when nothing is pending
}

func (h *harness) status(ctx context.Context) (*status, error) {
	out, err := rapportCmd(ctx, h.o.Rapport, "-c", h.config, "status", "--json")
	if err != nil {
		return nil, err
	}
	var s status
	if err := json.Unmarshal(out, &s); err != nil {
		return nil, fmt.Errorf("read status --json: %w\n%s", err, out)
	}
	return &s, nil
}
