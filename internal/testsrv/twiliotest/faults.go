package twiliotest

import (
	"cmp"
	"fmt"
	"net/http"
	"time"

	"github.com/rapportapp/rapport/internal/twiliosandbox"
)

// Fault is how the server answers one create request instead of the
// normal 201. The zero Fault with a Delay is a slow success.
type Fault struct {
	// Status is the HTTP status to answer with; 0 answers 201 with the
	// created message (after Delay).
	Status int
	// Code and Msg go into Twilio's JSON error body. With Code 0, a 429
	// says 20429 and a 5xx says 20500.
	Code int
	Msg  string
	// HTML answers with an HTML page instead of Twilio's JSON, as a proxy
	// in front of the API does.
	HTML bool
	// Record keeps the message as created even though the answer is an
	// error: "created, but the answer was lost".
	Record bool
	// Delay is how long to wait before answering (the wait ends early if
	// the client hangs up). A message that is recorded is recorded first.
	Delay time.Duration
}

// Error is a Twilio JSON error answer with the given status and code.
func Error(status, code int, msg string) Fault {
	return Fault{Status: status, Code: code, Msg: msg}
}

// TooManyRequests is Twilio's own 429 (code 20429): nothing was created.
func TooManyRequests() Fault {
	return Error(http.StatusTooManyRequests, twiliosandbox.CodeTooManyRequests, "Too Many Requests")
}

// ProxyTooManyRequests is a 429 with an HTML body, from something in front
// of the API: twilio-go gets no Twilio error out of it.
func ProxyTooManyRequests() Fault {
	return Fault{Status: http.StatusTooManyRequests, HTML: true}
}

// Unsubscribed is 21610: the recipient texted STOP to this sender.
func Unsubscribed() Fault {
	return Error(http.StatusBadRequest, twiliosandbox.CodeUnsubscribed, "Attempt to send to unsubscribed recipient")
}

// InvalidTo is 21211 for a number that looks right but is not valid.
func InvalidTo() Fault {
	return Error(http.StatusBadRequest, twiliosandbox.CodeInvalidTo, "The 'To' number is not a valid phone number.")
}

// InternalError is a 500. With created true the message is recorded
// anyway, as when Twilio queued it but the answer never made it back.
func InternalError(created bool) Fault {
	f := Error(http.StatusInternalServerError, twiliosandbox.CodeInternal, "Internal Server Error")
	f.Record = created
	return f
}

// BadCredentials is the 401 (code 20003) Twilio gives for a wrong SID or token.
func BadCredentials() Fault {
	return Error(http.StatusUnauthorized, twiliosandbox.CodeAuthenticate, "Authenticate")
}

// Slow creates the message at once but answers only after d.
func Slow(d time.Duration) Fault {
	return Fault{Delay: d}
}

// FailNext makes the next n create requests answer with f, before any
// script is asked.
func (s *Server) FailNext(n int, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for range n {
		s.faults = append(s.faults, f)
	}
}

// Script sets a function asked about every create request (once the
// FailNext queue is empty); returning nil lets the request through.
// Script(nil) removes it.
func (s *Server) Script(fn func(CreateRequest) *Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.script = fn
}

func (s *Server) nextFault(req CreateRequest) *Fault {
	s.mu.Lock()
	if len(s.faults) > 0 {
		f := s.faults[0]
		s.faults = s.faults[1:]
		s.mu.Unlock()
		return &f
	}
	script := s.script
	s.mu.Unlock()
	if script == nil {
		return nil
	}
	return script(req) // outside the lock: a script may call the server
}

// intercept is the sandbox's OnCreate hook: a queued or scripted fault
// wins over everything, so a test gets exactly the answer it asked for.
func (s *Server) intercept(w http.ResponseWriter, r *http.Request, req CreateRequest) bool {
	f := s.nextFault(req)
	if f == nil {
		return false
	}
	s.answerFault(w, r, req, *f)
	return true
}

func (s *Server) answerFault(w http.ResponseWriter, r *http.Request, req CreateRequest, f Fault) {
	var m Message
	if f.Status == 0 || f.Record {
		m = s.Create(req, cmp.Or(f.Status, http.StatusCreated))
	}
	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case f.Status == 0:
		s.WriteMessage(w, http.StatusCreated, m)
	case f.HTML:
		writeHTML(w, f.Status)
	default:
		code, msg := f.Code, f.Msg
		if code == 0 {
			code, msg = defaultCode(f.Status)
		}
		twiliosandbox.WriteError(w, f.Status, code, msg)
	}
}

func defaultCode(status int) (int, string) {
	switch {
	case status == http.StatusTooManyRequests:
		return twiliosandbox.CodeTooManyRequests, "Too Many Requests"
	case status >= 500:
		return twiliosandbox.CodeInternal, "Internal Server Error"
	}
	return 0, http.StatusText(status)
}

// writeHTML answers the way a proxy or load balancer in front of the API
// does: an HTML page twilio-go cannot decode.
func writeHTML(w http.ResponseWriter, status int) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	text := http.StatusText(status)
	fmt.Fprintf(w, "<html><head><title>%d %s</title></head><body><h1>%s</h1></body></html>\n", status, text, text)
}
