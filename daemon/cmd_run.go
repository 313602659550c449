package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/rapportapp/rapport/internal/config"
	"github.com/rapportapp/rapport/internal/dashboard"
	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/inbox"
	"github.com/rapportapp/rapport/internal/mailbox"
	"github.com/rapportapp/rapport/internal/sdnotify"
	"github.com/rapportapp/rapport/internal/spool"
	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/web"
	"github.com/rapportapp/rapport/internal/web/remote"
)

// tickInterval is how often the dispatcher looks at the queue when
// nothing wakes it.
const tickInterval = 15 * time.Second

// daemon is a running `rapport run`.
type daemon struct {
	e      *env
	log    *slog.Logger
	st     *store.Store
	engine *engine.Engine
	inbox  *inbox.Inbox
	hooks  *inbox.Webhooks // Twilio's webhooks, spooled beside the database
	web    *web.Server

	mu  sync.Mutex
	cfg *config.Config // current config, swapped on reload

	// imapReload tells the mailbox reader, which may be waiting in IDLE
	// for hours, that the settings changed.
	imapReload chan struct{}
}

func cmdRun(e *env, args []string) error {
	fs := newFlags(e, "run", "[--once]")
	once := fs.Bool("once", false, "process everything due now, then exit")
	if _, err := flags(fs, args); err != nil {
		return err
	}
	f, err := e.load()
	if err != nil {
		return err
	}
	if err := e.refuseSimulated(f.cfg); err != nil {
		return err
	}
	if err := f.cfg.SendingProblems(); err != nil {
		return invalid{err}
	}
	log := e.logger(f.cfg)
	// Opening may upgrade the database, and Reconcile may queue a new step
	// for every journey: on a small server either can outlast systemd's
	// start timeout, which would kill the start and roll the work back.
	started := sdnotify.KeepStarting("starting: opening the database (an upgrade can take minutes)", 10*time.Second)
	defer started()
	st, err := e.open(f.cfg)
	if err != nil {
		return err
	}
	defer st.Close()
	release, err := lock(f.cfg.Database.Path)
	if err != nil {
		return err
	}
	defer release()
	// Working on a damaged file would spread the damage, and answer
	// webhooks and health checks as if all were well.
	if err := st.QuickCheck(e.ctx); err != nil {
		return withRestoreSteps(err)
	}
	eng, err := e.engineFor(f, st, log)
	if err != nil {
		return err
	}
	if err := eng.Reconcile(e.ctx); err != nil {
		return err
	}
	started()
	sp, err := spool.Open(f.cfg.Database.Path + ".spool")
	if err != nil {
		return err
	}
	in := inbox.New(st, eng, e.clock, log)
	d := &daemon{e: e, log: log, st: st, engine: eng, inbox: in, hooks: inbox.NewWebhooks(in, sp), cfg: f.cfg,
		imapReload: make(chan struct{}, 1)}
	if *once {
		return d.once()
	}
	return d.serve()
}

// once records webhooks a stopped daemon had kept, sends what is due
// now and polls the mailbox once.
func (d *daemon) once() error {
	if err := d.hooks.Drain(d.e.ctx); err != nil {
		return err
	}
	if d.cfg.IMAP.Enabled() {
		if err := d.poll(d.e.ctx); err != nil {
			d.log.Error("reply poll failed", "err", err)
		}
	}
	return d.engine.Tick(d.e.ctx)
}

// serve runs until SIGTERM/SIGINT: listen first (a bad address fails
// before READY), then start the dispatcher, the web server and the
// mailbox poller, tell systemd, and handle SIGHUP reloads.
func (d *daemon) serve() error {
	ctx := d.e.ctx
	l, err := net.Listen("tcp", d.cfg.HTTP.Listen)
	if err != nil {
		return fmt.Errorf("listen on %s ([http] listen in config.toml): %w", d.cfg.HTTP.Listen, err)
	}
	d.web = d.newWeb()
	runCtx, stopRun := context.WithCancel(ctx)
	defer stopRun()
	var wg sync.WaitGroup
	start := func(name string, fn func() error) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := fn(); err != nil {
				d.log.Error(name+" stopped", "err", err)
			}
		}()
	}
	start("dispatcher", func() error { return d.engine.Run(runCtx, tickInterval) })
	start("webhook recorder", func() error { return d.hooks.Run(runCtx) })
	start("web server", func() error { return d.web.Serve(l) })
	start("reply poller", func() error { return d.pollLoop(runCtx) })
	start("watchdog", func() error { return d.watchdog(runCtx) })
	// SIGHUP is caught before READY: once systemd (or a script) sees READY
	// it may reload at once, and an uncaught SIGHUP ends the process.
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	defer signal.Stop(hup)
	d.log.Info("rapport is running", "listen", l.Addr().String(), "email", d.cfg.Email.Transport, "sms", d.cfg.SMS.Transport)
	sdnotify.Ready()
	d.waitForSignals(ctx, hup)
	sdnotify.Stopping()
	d.log.Info("stopping: finishing the message in flight")
	forceExitOnSecondSignal()
	shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := d.web.Shutdown(shut); err != nil {
		// The in-flight send and the store still close in order below.
		d.log.Warn("web requests still running after 10s were cut off", "err", err)
	}
	stopRun()
	wg.Wait()
	d.log.Info("stopped")
	return nil
}

func (d *daemon) newWeb() *web.Server {
	proxies := remote.Proxies(d.cfg.HTTP.TrustedProxies)
	rejections := remote.NewRejections(d.log) // one log of refusals, flushed by the server
	dash := dashboard.New(dashboard.Config{
		Store: d.st, Clock: d.e.clock.Now, RepName: d.cfg.Rep.Name, RepZone: d.cfg.Rep.Location, Region: d.cfg.Rep.Country,
		Secure: strings.HasPrefix(d.cfg.HTTP.PublicURL, "https://"), Log: d.log,
		SessionIdle: d.cfg.HTTP.SessionIdle, Proxies: proxies, Rejections: rejections, Talk: d.engine,
		// The campaigns of the moment (SIGHUP swaps them), as `rapport preview` reads them.
		Timeline: func(ctx context.Context, c *store.Contact) ([]store.Due, error) {
			return d.engine.Content().Timeline(ctx, d.st, c)
		},
		Content: d.engine.Content, Country: d.cfg.Rep.Country,
		CaseUpdates: caseTemplates(d.cfg),
	})
	return &web.Server{
		Inbox: d.hooks, Tokens: d.engine.Tokens(), PublicURL: d.cfg.HTTP.PublicURL,
		AuthToken: d.cfg.SMS.Twilio.AuthToken.Reveal(), RepName: d.cfg.Rep.Name, Log: d.log,
		Ready: d.st.Ping, Dashboard: dash.Handler(),
		Clock: d.e.clock.Now, Proxies: proxies, Rejections: rejections,
	}
}

// waitForSignals returns when ctx ends (SIGTERM/SIGINT), reloading on
// each SIGHUP that hup delivers.
func (d *daemon) waitForSignals(ctx context.Context, hup <-chan os.Signal) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-hup:
			d.reload()
		}
	}
}

// reload reads every file again and swaps only if all of it is valid;
// otherwise it logs every problem and keeps running on the last good set.
func (d *daemon) reload() {
	sdnotify.Reloading()
	defer sdnotify.Ready()
	f, err := d.e.load()
	if err == nil {
		err = d.swap(f)
	}
	if err != nil {
		d.log.Error("reload refused: still running on the previous files; fix these and reload again", "problems", err.Error())
		return
	}
	d.log.Info("reloaded config, campaigns and templates")
}

func (d *daemon) swap(f *files) error {
	problems, _ := f.content.Templates.Check(f.content.Sample())
	problems = append(problems, f.cfg.SendingProblems(), d.e.refuseSimulated(f.cfg))
	if err := errors.Join(problems...); err != nil {
		return err
	}
	snd, err := senders(f.cfg)
	if err != nil {
		return err
	}
	d.mu.Lock()
	d.cfg = f.cfg
	d.mu.Unlock()
	select {
	case d.imapReload <- struct{}{}:
	default: // one pending signal is enough
	}
	return d.engine.Swap(d.e.ctx, f.content, snd)
}

func (d *daemon) config() *config.Config {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.cfg
}

// forceExitOnSecondSignal lets an impatient second Ctrl-C end the process.
func forceExitOnSecondSignal() {
	c := make(chan os.Signal, 1)
	signal.Notify(c, os.Interrupt, syscall.SIGTERM)
	go func() {
		<-c
		fmt.Fprintln(os.Stderr, "rapport: second signal, exiting now")
		os.Exit(exitFailure)
	}()
}

// watchdog pings systemd while the database answers.
func (d *daemon) watchdog(ctx context.Context) error {
	every, ok := sdnotify.WatchdogInterval()
	if !ok {
		return nil
	}
	t := time.NewTicker(every / 2)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			if err := d.st.Ping(ctx); err == nil {
				sdnotify.Watchdog()
			}
		}
	}
}

// pollLoop reads the rep's mailbox: it waits for new mail with IDLE where
// the server offers it, reconnecting with backoff when the connection
// fails, and polls every [imap] interval where it does not. A reload
// starts it over with the new settings.
func (d *daemon) pollLoop(ctx context.Context) error {
	var backoff time.Duration
	for {
		cfg := d.config()
		wait := time.Minute
		if cfg.IMAP.Enabled() {
			connected, err := d.watch(ctx)
			switch {
			case ctx.Err() != nil:
				return nil
			case err == nil, errors.Is(err, errReloaded): // a first connection, new settings
				continue
			case errors.Is(err, mailbox.ErrNoIdle):
				wait, backoff = cfg.IMAP.Interval, 0
			default:
				if connected {
					backoff = 0 // it worked for a while: a fresh failure
				}
				backoff = nextBackoff(backoff)
				wait = backoff
				d.log.Warn("reading the reply mailbox failed; will try again", "in", wait.String(), "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-d.imapReload:
		case <-time.After(wait):
		}
	}
}

// errReloaded ends a watch whose settings were replaced.
var errReloaded = errors.New("the settings were reloaded")

// nextBackoff doubles the wait before reconnecting, from 1 s up to 5 min:
// quick after a blip, gentle on a server that is down or refusing us.
func nextBackoff(prev time.Duration) time.Duration {
	const first, most = time.Second, 5 * time.Minute
	if prev < first {
		return first
	}
	return min(2*prev, most)
}

// watch reads the mailbox and waits in IDLE for more until it fails, the
// server turns out to have no IDLE (mailbox.ErrNoIdle) or the settings are
// reloaded (errReloaded). connected says whether it got as far as reading
// the mailbox to its end.
func (d *daemon) watch(ctx context.Context) (connected bool, err error) {
	cfg := d.config().IMAP
	cur, err := d.st.MailCursor(ctx, cfg.Mailbox)
	if err != nil {
		return false, err
	}
	if cur.UIDValidity == 0 {
		return false, d.poll(ctx) // the first time: start from the newest message
	}
	wctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		select {
		case <-d.imapReload:
			cancel(errReloaded)
		case <-wctx.Done():
		}
	}()
	caughtUp := func(mailbox.Cursor) error {
		connected = true
		return d.caughtUp(ctx, cfg.Mailbox)
	}
	_, err = mailbox.Watch(wctx, imapConfig(cfg), mailbox.Cursor{UIDValidity: cur.UIDValidity, LastUID: cur.LastUID, ReadAt: cur.ReadAt},
		d.handleMail(ctx, cfg.Mailbox), d.saveCursor(ctx, cfg.Mailbox), caughtUp)
	if context.Cause(wctx) == errReloaded && ctx.Err() == nil {
		return connected, errReloaded
	}
	if !errors.Is(err, mailbox.ErrNoIdle) {
		d.recordPoll(ctx, err)
	}
	return connected, err
}

// caughtUp records that the mailbox was read to its end, now.
func (d *daemon) caughtUp(ctx context.Context, box string) error {
	if err := d.st.SaveMailReadAt(ctx, box, d.e.clock.Now().Unix()); err != nil {
		return err
	}
	d.recordPoll(ctx, nil)
	return nil
}

func imapConfig(cfg config.IMAP) mailbox.Config {
	return mailbox.Config{Host: cfg.Host, Port: cfg.Port, TLS: string(cfg.TLS), Username: cfg.Username,
		Password: cfg.Password.Reveal(), Mailbox: cfg.Mailbox, Timeout: time.Minute}
}

func (d *daemon) saveCursor(ctx context.Context, box string) func(mailbox.Cursor) error {
	return func(c mailbox.Cursor) error { return d.st.SaveMailCursor(ctx, box, c.UIDValidity, c.LastUID) }
}

// poll reads new mail once, remembering where it got to. The first time,
// it starts from the newest message: the rep's old mail is not imported.
func (d *daemon) poll(ctx context.Context) error {
	cfg := d.config().IMAP
	mc := imapConfig(cfg)
	cur, err := d.st.MailCursor(ctx, cfg.Mailbox)
	if err != nil {
		return err
	}
	save := d.saveCursor(ctx, cfg.Mailbox)
	var perr error
	if cur.UIDValidity == 0 {
		var first mailbox.Cursor
		if first, perr = mailbox.Latest(ctx, mc); perr == nil {
			perr = save(first)
			d.log.Info("reply mailbox connected; reading mail that arrives from now on", "mailbox", cfg.Mailbox)
		}
	} else {
		_, perr = mailbox.Poll(ctx, mc, mailbox.Cursor{UIDValidity: cur.UIDValidity, LastUID: cur.LastUID, ReadAt: cur.ReadAt},
			d.handleMail(ctx, cfg.Mailbox), save)
	}
	if perr == nil {
		return d.caughtUp(ctx, cfg.Mailbox)
	}
	d.recordPoll(ctx, perr)
	return perr
}

// handleMail logs one polled message as a reply if it is one. Only a
// failure worth retrying (the database) stops the poll; a message that
// cannot be read is logged and passed over, or it would block every poll.
func (d *daemon) handleMail(ctx context.Context, box string) func(uint32, []byte) error {
	return func(uid uint32, raw []byte) error {
		res, err := d.inbox.ReceiveMail(ctx, fmt.Sprintf("imap:%s/%d", box, uid), raw)
		if errors.Is(err, inbox.ErrUnreadable) {
			d.log.Warn("skipped an email that could not be read", "uid", uid, "err", err)
			return nil
		}
		d.log.Debug("polled email", "uid", uid, "result", string(res))
		return err
	}
}

// recordPoll keeps the outcome of the last poll for `rapport status` and
// the dashboard. Failing to record it does not stop the poller: the mail
// was read either way, and the next poll tries again.
func (d *daemon) recordPoll(ctx context.Context, perr error) {
	status := "ok"
	if perr != nil {
		status = perr.Error()
	}
	err := d.st.Tx(ctx, func(tx *store.Tx) error {
		return tx.SetSetting(ctx, "imap:last_poll", d.e.clock.Now().UTC().Format(time.RFC3339)+" "+status)
	})
	if err != nil && ctx.Err() == nil {
		d.log.Error("could not record the reply poll; status shows an older one", "poll", status, "err", err)
	}
}
