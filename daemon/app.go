package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"github.com/rapportapp/rapport/internal/cases"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/rapportapp/rapport/internal/campaign"
	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/channel/email"
	"github.com/rapportapp/rapport/internal/channel/sms"
	"github.com/rapportapp/rapport/internal/config"
	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/schedule"
	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/tmpl"
	"github.com/rapportapp/rapport/internal/unsub"
)

// files is everything read from the rep's folder, checked.
type files struct {
	cfg     *config.Config
	content *engine.Content
}

// load reads config.toml, campaigns/ and templates/ next to it, and checks
// that every step's template exists. All problems come back at once, as
// invalid input.
func (e *env) load() (*files, error) {
	in, err := e.inspect()
	if err != nil {
		return nil, err
	}
	if len(in.problems) > 0 {
		return nil, invalid{errors.Join(in.problems...)}
	}
	return &files{cfg: in.cfg, content: in.content}, nil
}

// inspection is what could be read of the rep's files, and every problem
// found in them. With a broken config.toml, cfg is nil and content is
// built on the defaults, so the campaigns and templates are still checked.
type inspection struct {
	cfg      *config.Config
	content  *engine.Content
	problems []error
}

// readConfig finds config.toml and reads it.
func (e *env) readConfig() (path, abs string, data []byte, err error) {
	path, err = config.Find(e.configFlag)
	if err != nil {
		return "", "", nil, invalid{err}
	}
	data, err = os.ReadFile(path)
	if err != nil {
		return "", "", nil, invalid{fmt.Errorf("read config: %w", err)}
	}
	abs, err = filepath.Abs(path)
	if err != nil {
		return "", "", nil, invalid{fmt.Errorf("config %s: %w", path, err)}
	}
	return path, abs, data, nil
}

// loadConfig reads config.toml alone. It fails only when the config does
// not parse: it holds the database path.
func (e *env) loadConfig() (*config.Config, error) {
	path, _, data, err := e.readConfig()
	if err != nil {
		return nil, err
	}
	cfg, err := config.Parse(path, data, e.getenv)
	if err != nil {
		return nil, invalid{err}
	}
	return cfg, nil
}

// inspect reads everything it can and collects every problem, for load and
// for `rapport check`. Only a config file that cannot be found or read
// stops it.
func (e *env) inspect() (*inspection, error) {
	path, abs, data, err := e.readConfig()
	if err != nil {
		return nil, err
	}
	in := &inspection{}
	cfg, err := config.Parse(path, data, e.getenv)
	if err != nil {
		in.problems = append(in.problems, err)
		cfg = config.Default(filepath.Dir(abs))
	} else {
		in.cfg = cfg
	}
	in.inspectContent(cfg, filepath.Dir(abs))
	return in, nil
}

// caseTemplates is the folder of the case updates' templates, beside the
// config.
func caseTemplates(cfg *config.Config) string {
	return filepath.Join(cfg.Dir(), "templates", "cases")
}

// loadContent reads campaigns/ and templates/ beside the config; their
// problems come back together, as invalid input.
func loadContent(cfg *config.Config) (*engine.Content, error) {
	in := &inspection{cfg: cfg}
	in.inspectContent(cfg, cfg.Dir())
	if len(in.problems) > 0 {
		return nil, invalid{errors.Join(in.problems...)}
	}
	return in.content, nil
}

// inspectContent reads campaigns/ and templates/ in dir, adding what they
// hold to in and every problem to its list.
func (in *inspection) inspectContent(cfg *config.Config, dir string) {
	cps, cerrs := campaign.Inspect(filepath.Join(dir, "campaigns"))
	set, terrs := tmpl.Inspect(filepath.Join(dir, "templates"))
	in.problems = append(append(in.problems, cerrs...), terrs...)
	if set == nil {
		return
	}
	if err := crossCheck(cps, set); err != nil {
		in.problems = append(in.problems, err)
	}
	c, err := contentFrom(cfg, cps, set)
	if err != nil {
		in.problems = append(in.problems, err)
		return
	}
	in.content = c
}

// crossCheck reports steps whose template (or fallback's) is missing.
func crossCheck(cps []*campaign.Campaign, set *tmpl.Set) error {
	var errs []error
	for _, cp := range cps {
		for _, s := range cp.Steps {
			for _, ch := range []string{s.Channel, s.Fallback} {
				if ch != "" && !set.Has(s.Template, ch) {
					errs = append(errs, fmt.Errorf("%s: step %q: no %s template %q — create templates/%s (or a folder templates/%s/ for a series)",
						s.Pos, s.ID, ch, s.Template, templateFile(s.Template, ch), s.Template))
				}
			}
		}
	}
	return errors.Join(errs...)
}

func templateFile(name, ch string) string {
	switch ch {
	case channel.Email:
		return name + ".email.md"
	case channel.SMS:
		return name + ".sms.txt"
	}
	return name + ".task.txt"
}

// calendarOf is the rep's business days: [sending] holidays left out.
func calendarOf(cfg *config.Config) (schedule.Calendar, error) {
	var holidays []string
	for _, h := range cfg.Sending.Holidays {
		holidays = append(holidays, h.String())
	}
	return schedule.NewCalendar(holidays)
}

func contentFrom(cfg *config.Config, cps []*campaign.Campaign, set *tmpl.Set) (*engine.Content, error) {
	cal, err := calendarOf(cfg)
	if err != nil {
		return nil, err
	}
	s := cfg.Sending
	domain := "rapport.invalid"
	if _, d, ok := strings.Cut(cfg.Email.From.Address, "@"); ok {
		domain = d
	}
	return &engine.Content{
		Campaigns: cps,
		Templates: set,
		Rules: engine.Rules{
			DefaultAt: s.At, AllowedHours: s.AllowedHours, MaxTextsPerDay: s.MaxTextsPerDay,
			MaxSMSPerDay: cfg.SMS.MaxPerDay, MaxEmailPerDay: cfg.Email.MaxPerDay,
			Calendar: cal, RepZone: cfg.Rep.Location, MaxAttempts: s.MaxAttempts,
			RetryBase: s.RetryBase, RetryMax: s.RetryMax, DigestAt: cfg.Notify.DigestAt,
			RemindAt: cfg.Notify.RemindAt,
		},
		Policy: engine.Policy{
			ReportDamageWithin: cfg.Policy.ReportDamageWithin, MoneyBackGuarantee: cfg.Policy.MoneyBackGuarantee,
			ReturnAuthorizationValid: cfg.Policy.ReturnAuthorizationValid, ProblemWords: cfg.Policy.ProblemWords,
			ChaseAfter: cfg.Policy.ChaseAfter, UpdateEvery: cfg.Policy.UpdateEvery, Named: namedPolicies(cfg.Policy.Named),
			DeliveryWithin: cfg.Policy.DeliveryWithin,
		},
		Rep: tmpl.Rep{
			Name: cfg.Rep.Name, Email: cfg.Rep.Email, Phone: engine.DisplayPhone(cfg.Rep.Phone),
			PostalAddress: cfg.Rep.PostalAddress,
		},
		RepPhone: cfg.Rep.Phone, RepEmail: strings.ToLower(cfg.Rep.Email),
		PublicURL: cfg.HTTP.PublicURL, MsgDomain: domain, ReplyTo: replyPattern(cfg),
		NotifyEmail: cfg.Notify.Email, NotifySMS: cfg.Notify.SMS,
	}, nil
}

// refuseSimulated stops a command that would send for real on a clock
// set by --now: six months of a trial run would reach real customers.
func (e *env) refuseSimulated(cfg *config.Config) error {
	live := cfg.RealTransports()
	if !e.simulated || len(live) == 0 {
		return nil
	}
	return invalidf("--now never sends for real, and %s would: drop --now, or set the transport to \"outbox\" in %s to try dates (messages land in the outbox folder)",
		strings.Join(live, " and "), cfg.Path)
}

// open opens the database named in the config.
func (e *env) open(cfg *config.Config) (*store.Store, error) {
	if err := os.MkdirAll(filepath.Dir(cfg.Database.Path), 0o700); err != nil {
		return nil, err
	}
	st, err := store.Open(e.ctx, cfg.Database.Path)
	if err != nil {
		return nil, withRestoreSteps(err)
	}
	return st, nil
}

// withRestoreSteps adds to a damaged-database error the commands that put
// a backup in its place.
func withRestoreSteps(err error) error {
	var de *store.DamageError
	if !errors.As(err, &de) {
		return err
	}
	p := de.Path
	return fmt.Errorf("%w\n\nRapport will not work on it. Restore your latest backup (docs/admin.md, \"Backups and restore\"), with rapport stopped:\n"+
		"  cp BACKUP.db %s\n  rm -f %s-wal %s-shm\n  chmod 0600 %s\nthen check the copy with: rapport check --db", err, p, p, p, p)
}

// loadAndOpen loads the rep's files and opens the database they name.
func (e *env) loadAndOpen() (*files, *store.Store, error) {
	f, err := e.load()
	if err != nil {
		return nil, nil, err
	}
	st, err := e.open(f.cfg)
	return f, st, err
}

// openDB opens the database for a command that only reads it (or backs
// it up): it needs config.toml's [database] alone, so a typo in a campaign
// or template never stops a backup or a look at the replies. Those files
// are still read, to warn in one line that the daemon will not load them.
func (e *env) openDB() (*config.Config, *store.Store, error) {
	cfg, err := e.loadConfig()
	if err != nil {
		return nil, nil, err
	}
	if _, err := loadContent(cfg); err != nil {
		fmt.Fprintf(e.io.err, "warning: campaigns or templates do not load (%d %s; `rapport check` lists them) — this command does not need them\n",
			countProblems(err), plural(countProblems(err), "problem", "problems"))
	}
	st, err := e.open(cfg)
	if err != nil {
		return nil, nil, err
	}
	return cfg, st, nil
}

// countProblems counts the problems joined in err.
func countProblems(err error) int {
	for {
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			n := 0
			for _, e := range j.Unwrap() {
				n += countProblems(e)
			}
			return n
		}
		next := errors.Unwrap(err)
		if next == nil {
			return 1
		}
		err = next
	}
}

// replyPattern is [email] reply_to when it holds "{token}" (a reply
// address per message, by sub-addressing), else "".
func replyPattern(cfg *config.Config) string {
	if r := cfg.Email.ReplyTo; r != nil && strings.Contains(r.Address, "{token}") {
		return r.Address
	}
	return ""
}

// senders builds the transports the config selects.
func senders(cfg *config.Config) (map[string]channel.Sender, error) {
	id := email.Identity{From: cfg.Email.From.String()}
	if cfg.Email.ReplyTo != nil && replyPattern(cfg) == "" { // a pattern is filled in per message
		id.ReplyTo = cfg.Email.ReplyTo.String()
	}
	if d := cfg.Email.DKIM; d != nil {
		id.DKIM = &email.DKIM{Domain: d.Domain, Selector: d.Selector, Key: d.Key}
	}
	out := map[string]channel.Sender{}
	var err error
	switch cfg.Email.Transport {
	case config.TransportSMTP:
		s := cfg.Email.SMTP
		out[channel.Email], err = email.NewSMTP(email.SMTPConfig{
			Host: s.Host, Port: s.Port, TLS: string(s.TLS), Username: s.Username,
			Password: s.Password.Reveal(), Rate: s.Rate, Timeout: s.Timeout,
		}, id)
	default:
		out[channel.Email], err = email.NewOutbox(cfg.Outbox.Dir, id)
	}
	if err != nil {
		return nil, fmt.Errorf("email transport: %w", err)
	}
	switch cfg.SMS.Transport {
	case config.TransportTwilio:
		t := cfg.SMS.Twilio
		cb := ""
		if cfg.HTTP.PublicURL != "" {
			cb = cfg.HTTP.PublicURL + "/twilio/status"
		}
		out[channel.SMS], err = sms.NewTwilio(sms.TwilioConfig{
			AccountSID: t.AccountSID, AuthToken: t.AuthToken.Reveal(), From: t.From,
			MessagingServiceSID: t.MessagingServiceSID, APIBaseURL: t.APIBaseURL,
			StatusCallback: cb, Rate: cfg.SMS.Rate,
		})
	default:
		out[channel.SMS], err = sms.NewOutbox(cfg.Outbox.Dir, cfg.Rep.Phone)
	}
	if err != nil {
		return nil, fmt.Errorf("sms transport: %w", err)
	}
	return out, nil
}

// signer returns the unsubscribe-link signer: keyed by [http] secret, or
// by a random key kept in the database (so links survive restarts and
// backups restore them).
func signer(ctx context.Context, cfg *config.Config, st *store.Store) (*unsub.Signer, error) {
	if s := cfg.HTTP.Secret.Reveal(); s != "" {
		return unsub.New([]byte(s)), nil
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	key, err := st.SetSettingIfAbsent(ctx, "unsubscribe_key", hex.EncodeToString(b))
	if err != nil {
		return nil, fmt.Errorf("unsubscribe key: %w", err)
	}
	return unsub.New([]byte(key)), nil
}

// newLogger writes text or JSON logs to stderr.
func (e *env) logger(cfg *config.Config) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.Log.Level}
	format := cfg.Log.Format
	if e.logFormat != "" {
		format = e.logFormat
	}
	if format == config.LogJSON {
		return slog.New(slog.NewJSONHandler(e.io.err, opts))
	}
	return slog.New(slog.NewTextHandler(e.io.err, opts))
}

// engineFor builds an engine over an open store.
func (e *env) engineFor(f *files, st *store.Store, log *slog.Logger) (*engine.Engine, error) {
	snd, err := senders(f.cfg)
	if err != nil {
		return nil, err
	}
	sig, err := signer(e.ctx, f.cfg, st)
	if err != nil {
		return nil, err
	}
	return engine.New(st, e.clock, log, sig, f.content, snd), nil
}

// lock takes an exclusive lock beside the database so only one dispatcher
// ever runs on it (two would each think the other's sends were crashes).
func lock(dbPath string) (release func(), err error) {
	f, err := os.OpenFile(dbPath+".lock", os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("another `rapport run` is using %s (stop it first): %w", dbPath, err)
	}
	return func() { f.Close() }, nil
}

// namedPolicies are the [policy.NAME] tables as cases reads them.
func namedPolicies(named map[string]config.Policy) map[string]cases.Policy {
	out := make(map[string]cases.Policy, len(named))
	for name, p := range named {
		out[name] = cases.Policy{
			ReportDamageWithin: p.ReportDamageWithin, MoneyBackGuarantee: p.MoneyBackGuarantee,
			ReturnAuthorizationValid: p.ReturnAuthorizationValid, ChaseAfter: p.ChaseAfter, UpdateEvery: p.UpdateEvery,
			DeliveryWithin: p.DeliveryWithin,
		}
	}
	return out
}
