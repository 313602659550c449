// Package web serves Rapport's HTTP endpoints: one-click unsubscribe links
// (RFC 8058), Twilio's inbound-text and delivery-status webhooks, a health
// check, and the rep's dashboard (internal/dashboard) under /dashboard/. It holds no business logic: it checks what arrives and
// hands it on.
package web

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/rapportapp/rapport/internal/clock"
	"github.com/rapportapp/rapport/internal/inbox"
	"github.com/rapportapp/rapport/internal/web/remote"
	"github.com/twilio/twilio-go/client"
)

// MaxBody caps request bodies: Twilio's webhooks are a few KiB.
const MaxBody = 64 << 10

// Inbox is what the endpoints hand their input to.
type Inbox interface {
	ReceiveSMS(ctx context.Context, m inbox.SMS) (string, error)
	Delivery(ctx context.Context, sid, status, errorCode string) error
	Unsubscribe(ctx context.Context, uid string) (bool, error)
	StopMarketing(ctx context.Context, uid string) (bool, error)
}

// Tokens resolves unsubscribe tokens to contact link ids.
type Tokens interface {
	UID(token string) (string, bool)
}

// Server is the HTTP side of the daemon.
type Server struct {
	Inbox     Inbox
	Tokens    Tokens
	PublicURL string // what Twilio calls; signatures are checked against it, never the Host header
	AuthToken string // Twilio auth token; "" disables the Twilio endpoints (403)
	RepName   string
	Log       *slog.Logger
	Ready     func(context.Context) error // health check
	Dashboard http.Handler                // the rep's dashboard under /dashboard/; nil: none
	Clock     func() time.Time            // nil: the wall clock
	Proxies   remote.Proxies              // whose X-Forwarded-For names the client
	// Rejections logs refused requests; the dashboard may share it. Nil:
	// the server makes its own. Serve flushes it.
	Rejections *remote.Rejections

	once       sync.Once
	httpServer *http.Server
	rejOnce    sync.Once
}

// flushEvery is how often Serve logs the counts of refusals whose minute
// has ended (tests shorten it).
var flushEvery = 5 * time.Second

func (s *Server) now() time.Time {
	if s.Clock == nil {
		return clock.Real{}.Now()
	}
	return s.Clock()
}

func (s *Server) rejections() *remote.Rejections {
	s.rejOnce.Do(func() {
		if s.Rejections == nil {
			log := s.Log
			if log == nil {
				log = slog.New(slog.DiscardHandler)
			}
			s.Rejections = remote.NewRejections(log)
		}
	})
	return s.Rejections
}

// Handler returns the routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /unsubscribe/{token}", s.unsubscribePage)
	mux.HandleFunc("POST /unsubscribe/{token}", s.unsubscribe)
	mux.HandleFunc("POST /twilio/sms", s.twilio(s.inboundSMS))
	mux.HandleFunc("POST /twilio/status", s.twilio(s.status))
	mux.HandleFunc("GET /healthz", s.health)
	if s.Dashboard != nil {
		mux.Handle("/dashboard/", s.Dashboard)
		// The bare address is where the rep types it: to her dashboard.
		mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/dashboard/", http.StatusFound)
		})
	}
	return limitBody(mux)
}

// limitBody answers 413 to bodies over MaxBody.
func limitBody(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > MaxBody {
			http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
		h.ServeHTTP(w, r)
	})
}

// Serve serves on l until Shutdown.
func (s *Server) Serve(l net.Listener) error {
	stop := make(chan struct{})
	defer close(stop)
	go s.flushRejections(stop)
	err := s.server().Serve(l)
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// Shutdown stops accepting requests and waits for those in progress. It
// may come before Serve has started (a SIGTERM right after start-up): the
// http.Server is the same one, so Serve then returns at once.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.server().Shutdown(ctx)
}

// server makes the http.Server once. Timeouts keep slow clients from
// holding connections.
func (s *Server) server() *http.Server {
	s.once.Do(func() {
		s.httpServer = &http.Server{
			Handler:           s.Handler(),
			ReadHeaderTimeout: 5 * time.Second,
			ReadTimeout:       10 * time.Second,
			WriteTimeout:      15 * time.Second,
			IdleTimeout:       60 * time.Second,
			MaxHeaderBytes:    16 << 10,
		}
	})
	return s.httpServer
}

// flushRejections logs the refusals counted in each minute that ends,
// until stop is closed.
func (s *Server) flushRejections(stop <-chan struct{}) {
	tick := time.NewTicker(flushEvery)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			return
		case <-tick.C:
			s.rejections().Flush(s.now())
		}
	}
}

func (s *Server) health(w http.ResponseWriter, r *http.Request) {
	if s.Ready != nil {
		if err := s.Ready(r.Context()); err != nil {
			http.Error(w, "not ready", http.StatusServiceUnavailable)
			return
		}
	}
	w.Write([]byte("ok\n"))
}

// twilio wraps a webhook: the request must carry a valid X-Twilio-Signature
// for the public URL it was sent to, else 403 and nothing changes.
func (s *Server) twilio(next func(http.ResponseWriter, *http.Request)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				http.Error(w, "request body too large", http.StatusRequestEntityTooLarge)
				return
			}
			http.Error(w, "bad form", http.StatusBadRequest)
			return
		}
		if !s.validSignature(r) {
			// Forgeries come by the thousand: counted, not a line each.
			s.rejections().Reject(s.now(), "rejected a webhook with a missing or bad Twilio signature",
				s.Proxies.Addr(r), "path", r.URL.Path)
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		next(w, r)
	}
}

func (s *Server) validSignature(r *http.Request) bool {
	sig := r.Header.Get("X-Twilio-Signature")
	if s.AuthToken == "" || sig == "" {
		return false
	}
	params := map[string]string{}
	for k, v := range r.PostForm {
		params[k] = v[0]
	}
	u := strings.TrimRight(s.PublicURL, "/") + r.URL.RequestURI()
	v := client.NewRequestValidator(s.AuthToken)
	return v.Validate(u, params, sig)
}

func (s *Server) inboundSMS(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	answer, err := s.Inbox.ReceiveSMS(r.Context(), inbox.SMS{
		MessageSID: f.Get("MessageSid"), From: f.Get("From"), To: f.Get("To"), Body: f.Get("Body"),
	})
	if err != nil {
		s.Log.Error("could not record an inbound text; Twilio will retry", "err", err)
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	io.WriteString(w, TwiML(answer))
}

// TwiML is Twilio's answer format: a <Message> to send back, or an empty
// <Response/> when nothing is.
func TwiML(answer string) string {
	const head = `<?xml version="1.0" encoding="UTF-8"?>`
	if answer == "" {
		return head + "<Response/>"
	}
	var b strings.Builder
	xml.EscapeText(&b, []byte(answer))
	return head + "<Response><Message>" + b.String() + "</Message></Response>"
}

func (s *Server) status(w http.ResponseWriter, r *http.Request) {
	f := r.PostForm
	if err := s.Inbox.Delivery(r.Context(), f.Get("MessageSid"), f.Get("MessageStatus"), f.Get("ErrorCode")); err != nil {
		s.Log.Error("could not record a delivery status", "err", err)
		http.Error(w, "try again", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
