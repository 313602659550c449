package twiliosandbox

import (
	"bytes"
	"crypto/subtle"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"time"
)

// Request is one HTTP request the server answered, as it arrived.
type Request struct {
	Method string
	Path   string
	Query  url.Values
	Form   url.Values // POST parameters
	User   string     // Basic auth user name ("" when none was sent)
	At     time.Time  // arrival, by the server's clock
	Status int        // HTTP status it was answered with
}

// Requests returns every request answered so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(status int) {
	w.status = status
	w.ResponseWriter.WriteHeader(status)
}

// record logs each request with its form parameters and answer.
func (s *Server) record(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), At: s.now()}
		req.User, _, _ = r.BasicAuth()
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 1<<20))
		if err != nil {
			WriteError(w, http.StatusRequestEntityTooLarge, CodeInvalidParameter, "Request body too large")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		if r.Method == http.MethodPost {
			req.Form, _ = url.ParseQuery(string(body))
		}
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		req.Status = sw.status
		s.mu.Lock()
		s.requests = append(s.requests, req)
		s.mu.Unlock()
	})
}

// authenticate demands Basic auth with the account's SID and token, on
// every path, as api.twilio.com does.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || !equal(user, s.AccountSID) || !equal(pass, s.AuthToken) {
			WriteError(w, http.StatusUnauthorized, CodeAuthenticate, "Authenticate")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func equal(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

var accountSIDPattern = regexp.MustCompile(`^AC[0-9a-fA-F]{32}$`)

// checkAccount answers for a path whose {account} is malformed (404, as
// Twilio does for ".../Accounts//Messages.json") or is not the
// authenticated account (401), and reports whether the request may go on.
func (s *Server) checkAccount(w http.ResponseWriter, r *http.Request) bool {
	account := r.PathValue("account")
	if !accountSIDPattern.MatchString(account) {
		s.handleNotFound(w, r)
		return false
	}
	if account != s.AccountSID {
		WriteError(w, http.StatusUnauthorized, CodeAuthenticate, "Authenticate")
		return false
	}
	return true
}
