// Package twiliosandbox is a stand-in for Twilio's Messages API that runs
// on loopback: it creates, lists and fetches messages the way
// api.twilio.com/2010-04-01 does (same paths, Basic auth, form parameters,
// JSON shapes and error codes) and records everything it is asked. It can
// also play Twilio's side of the webhooks: status callbacks (Deliver) and
// inbound texts (SendInbound), signed with X-Twilio-Signature like the real
// ones.
//
// `rapport dev twilio-sandbox` serves it so a rep can watch Rapport text
// without a Twilio account. Tests use it through
// internal/testsrv/twiliotest, which adds the failures the real service
// produces through the OnCreate hook; this package holds none of that, so
// the binary carries no test code.
package twiliosandbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/rapportapp/rapport/internal/clock"
)

// Server speaks the Twilio Messages API. Set Clock and Log before Start.
type Server struct {
	URL        string // base URL once started: "http://127.0.0.1:PORT"
	AccountSID string
	AuthToken  string

	// Clock stamps date_created and date_sent; the wall clock by default.
	Clock clock.Clock
	// Log, when set, hears about every message created or received.
	Log *slog.Logger
	// OnCreate, when set, sees every authenticated create request before
	// the server validates it, and answers it in the server's place when
	// it returns true (with Create, WriteMessage and WriteError, or any
	// answer at all). Set it before Start.
	OnCreate func(w http.ResponseWriter, r *http.Request, req CreateRequest) (answered bool)

	mu       sync.Mutex
	messages []*Message // in creation order, outbound and inbound
	requests []Request
	optedOut map[string]bool // recipients who texted STOP
	srv      *http.Server
	client   *http.Client // for status callbacks and inbound texts
}

// New returns a server for one account; it is not listening yet.
func New(accountSID, authToken string) *Server {
	return &Server{
		AccountSID: accountSID,
		AuthToken:  authToken,
		Clock:      clock.Real{},
		optedOut:   make(map[string]bool),
		client:     &http.Client{Timeout: 10 * time.Second},
	}
}

// Start listens on addr ("127.0.0.1:0" picks a free port) and serves in the
// background. Listening happens before Start returns, so a port in use is
// reported here and URL is valid as soon as it returns.
func (s *Server) Start(addr string) error {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("twilio sandbox: listen on %s: %w", addr, err)
	}
	s.srv = &http.Server{Handler: s.Handler(), ReadHeaderTimeout: 10 * time.Second}
	s.URL = "http://" + ln.Addr().String()
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.logger().Error("twilio sandbox stopped", "err", err)
		}
	}()
	return nil
}

// Close stops the server and drops open connections.
func (s *Server) Close() {
	if s.srv != nil {
		_ = s.srv.Close()
	}
}

// Shutdown stops the server gracefully, waiting for answers in progress.
func (s *Server) Shutdown(ctx context.Context) error {
	if s.srv == nil {
		return nil
	}
	return s.srv.Shutdown(ctx)
}

// Handler returns the API as an http.Handler, for mounting elsewhere.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	const base = "/2010-04-01/Accounts/{account}/"
	mux.HandleFunc("POST "+base+"Messages.json", s.handleCreate)
	mux.HandleFunc("GET "+base+"Messages.json", s.handleList)
	mux.HandleFunc("GET "+base+"Messages/{file}", s.handleFetch)
	mux.HandleFunc("/", s.handleNotFound)
	return s.record(s.authenticate(mux))
}

func (s *Server) logger() *slog.Logger {
	if s.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return s.Log
}

func (s *Server) now() time.Time { return s.Clock.Now().UTC() }

// randomHex returns n random bytes as lower-case hex, the body of a SID.
func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b) // crypto/rand.Read never fails (Go 1.24+)
	return hex.EncodeToString(b)
}

// NewAccountSID returns a random, well-formed Account SID.
func NewAccountSID() string { return "AC" + randomHex(16) }

// NewAuthToken returns a random auth token (32 hex digits, like Twilio's).
func NewAuthToken() string { return randomHex(16) }

// Client returns an HTTP client that sends every request, whatever its
// host, to this server, as httptest.Server.Client does for its own: hand
// it to twilio-go (client.Client.HTTPClient) to talk to the sandbox.
func (s *Server) Client() *http.Client {
	return &http.Client{Transport: redirect{s: s, next: http.DefaultTransport}, Timeout: 10 * time.Second}
}

type redirect struct {
	s    *Server
	next http.RoundTripper
}

func (t redirect) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	r.URL.Scheme, r.URL.Host, r.Host = "http", strings.TrimPrefix(t.s.URL, "http://"), ""
	return t.next.RoundTrip(r)
}
