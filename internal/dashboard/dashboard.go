// Package dashboard is the rep's web dashboard under /dashboard/:
//
//   - Conversations, the home page: each customer's thread across email
//     and text, with the form to answer;
//   - Today: the tasks due, replies waiting, failed sends and skipped
//     steps of the rep's day;
//   - Replies: those waiting for the rep, each marked handled when done;
//   - Cases: a customer's problem followed through, with its deadlines and
//     the update to send;
//   - Contacts: search, a customer's details, orders and timeline, and
//     forms to add and change them;
//   - Upcoming: the week's sends, each with a button to skip it;
//   - Import: a CSV file checked, then imported;
//   - Campaigns: the loaded steps, templates filled in for a sample
//     customer;
//   - Status: the queue, failures and notices.
//
// It is server-rendered HTML behind one password that `rapport passwd`
// sets: a sign-in is a session row of the database, and every form
// carries the session's form token. No JavaScript but one small script
// that reloads a conversation when something new comes in.
package dashboard

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/web/remote"
)

// Config is what the dashboard needs from the daemon.
type Config struct {
	Store   *store.Store
	Clock   func() time.Time // the daemon's clock; sessions and "handled" times use it
	RepName string
	RepZone *time.Location // for times that belong to no contact
	Region  string         // the rep's country: phone numbers typed without a country code are from there
	Secure  bool           // cookies only over HTTPS (public_url is https)
	Log     *slog.Logger
	// Talk is the engine behind the conversation pages (a customer's
	// thread, the rep's answers). Nil: the thread pages say they need the
	// running daemon.
	Talk Talker
	// Timeline returns a contact's timeline rows as `rapport preview`
	// shows them (the queue, the paused rows marked, and steps already
	// past when their journey started). Nil means the queue rows alone,
	// none of them paused.
	Timeline func(ctx context.Context, c *store.Contact) ([]store.Due, error)
	// Content returns the campaigns and rules of the moment, which adding
	// a customer or an order enrols them in. Nil: the customer and order
	// forms answer that changing customers is not available.
	Content func() *engine.Content
	// CaseUpdates is the rep's templates/cases/ folder: the update a case
	// page offers when its state changes. "": none is offered.
	CaseUpdates string
	// Country is the rep's two-letter country: phones and dates typed in
	// the forms are read with it.
	Country string
	// SessionIdle ends a session not used for this long; 0 means 14 days.
	SessionIdle time.Duration
	// Proxies are the reverse proxies whose X-Forwarded-For names the
	// client: sign-ins are limited per client.
	Proxies remote.Proxies
	// Rejections logs refused sign-ins, once a minute per client. Nil:
	// the dashboard keeps its own (logged as they come, counts when the
	// same client is refused again a minute on).
	Rejections *remote.Rejections
}

// Dashboard serves /dashboard/.
type Dashboard struct {
	cfg    Config
	logins *throttle // wrong passwords, per client and for everyone

	mu  sync.Mutex
	key []byte // session signing key, loaded once from settings

	uploads uploads // CSV files uploaded for import

	counts countCache // the Status page's queue counts
}

// maxForm caps request bodies: the largest form is the rep's message to
// a customer (a long email stays well under it).
const maxForm = 64 << 10

// New returns a dashboard over cfg.Store.
func New(cfg Config) *Dashboard {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.RepZone == nil {
		cfg.RepZone = time.UTC
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	if cfg.SessionIdle <= 0 {
		cfg.SessionIdle = 14 * 24 * time.Hour
	}
	if cfg.Rejections == nil {
		cfg.Rejections = remote.NewRejections(cfg.Log)
	}
	if cfg.Timeline == nil {
		cfg.Timeline = func(ctx context.Context, c *store.Contact) ([]store.Due, error) {
			return cfg.Store.ContactTimeline(ctx, c.ID, store.Holds{})
		}
	}
	return &Dashboard{cfg: cfg, logins: newThrottle()}
}

// Handler returns every route under /dashboard/.
func (d *Dashboard) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /dashboard/static/style.css", serveCSS)
	mux.HandleFunc("GET /dashboard/static/thread.js", serveThreadJS)
	mux.HandleFunc("GET /dashboard/login", d.public(d.loginPage))
	mux.HandleFunc("POST /dashboard/login", d.public(d.login))
	mux.HandleFunc("POST /dashboard/logout", d.private(d.logout))
	mux.HandleFunc("POST /dashboard/logout/everywhere", d.private(d.logoutEverywhere))
	mux.HandleFunc("GET /dashboard/{$}", d.private(d.conversations))
	mux.HandleFunc("GET /dashboard/conversations/{id}", d.private(d.thread))
	mux.HandleFunc("GET /dashboard/conversations/{id}/stamp", d.private(d.threadStamp))
	mux.HandleFunc("POST /dashboard/conversations/{id}/reply", d.private(d.answer))
	mux.HandleFunc("GET /dashboard/replies", d.private(d.replies))
	mux.HandleFunc("POST /dashboard/replies/{id}/done", d.private(d.done))
	mux.HandleFunc("GET /dashboard/contacts", d.private(d.contacts))
	mux.HandleFunc("GET /dashboard/contacts/{id}", d.private(d.contact))
	mux.HandleFunc("GET /dashboard/status", d.private(d.status))
	d.routeCustomers(mux)
	d.routeToday(mux)
	d.routeUpcoming(mux)
	d.routeImport(mux)
	d.routeCampaigns(mux)
	d.routeCases(mux)
	mux.HandleFunc("/dashboard/", d.private(notFound))
	return secureHeaders(limitBody(mux))
}

// secureHeaders: the pages load nothing from elsewhere, may not be framed
// (clickjacking the "Mark handled" button) and hold customer data, so no
// cache keeps them.
func secureHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Cache-Control", "no-store")
		h.ServeHTTP(w, r)
	})
}

func limitBody(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit := int64(maxForm)
		if r.URL.Path == "/dashboard/import" {
			limit = maxUpload + maxForm // the file and the form around it
		}
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		h.ServeHTTP(w, r)
	})
}

// handlerFunc is a page: it writes its answer, or returns an error for
// the wrapper to show (a statusError, or a 500 for anything else).
type handlerFunc func(w http.ResponseWriter, r *http.Request, s *session) error

// statusError is an error page the rep should see as it is.
type statusError struct {
	code int
	msg  string
}

func (e *statusError) Error() string { return e.msg }

func notFound(http.ResponseWriter, *http.Request, *session) error {
	return &statusError{http.StatusNotFound, "There is no such page."}
}

// fail shows err: its own page for a statusError, otherwise a plain 500
// with the details only in the log (never SQL or a stack in the browser).
func (d *Dashboard) fail(w http.ResponseWriter, r *http.Request, s *session, err error) {
	var se *statusError
	if !errors.As(err, &se) {
		d.cfg.Log.Error("dashboard page failed", "path", r.URL.Path, "err", err)
		se = &statusError{http.StatusInternalServerError, "Something went wrong. The details are in Rapport's log; try again in a minute."}
	}
	d.render(w, se.code, "message", s, messagePage{Title: http.StatusText(se.code), Text: se.msg})
}
