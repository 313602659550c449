// Package twiliotest makes internal/twiliosandbox, the stand-in for
// Twilio's Messages API, a test server: Start runs one for a test, and
// FailNext and Script make it fail the ways the real service fails (429s,
// STOPped recipients, 5xx answers for messages that were created anyway,
// slow answers). The failures reach the sandbox through its OnCreate hook,
// so the binary, which serves the sandbox, carries none of this.
package twiliotest

import (
	"net/url"
	"sync"

	"github.com/rapportapp/rapport/internal/twiliosandbox"
)

// The sandbox's types, so tests need only this package.
type (
	CreateRequest = twiliosandbox.CreateRequest
	Message       = twiliosandbox.Message
	Request       = twiliosandbox.Request
	InboundSMS    = twiliosandbox.InboundSMS
)

// Server is a sandbox that can be told to fail. Set Clock and Log (the
// sandbox's) before Start.
type Server struct {
	*twiliosandbox.Server

	mu     sync.Mutex
	faults []Fault
	script func(CreateRequest) *Fault
}

// New returns a server for one account; it is not listening yet.
func New(accountSID, authToken string) *Server {
	s := &Server{Server: twiliosandbox.New(accountSID, authToken)}
	s.OnCreate = s.intercept
	return s
}

// NewAccountSID returns a random, well-formed Account SID.
func NewAccountSID() string { return twiliosandbox.NewAccountSID() }

// NewAuthToken returns a random auth token (32 hex digits, like Twilio's).
func NewAuthToken() string { return twiliosandbox.NewAuthToken() }

// Signature computes X-Twilio-Signature as Twilio does (see
// twiliosandbox.Signature).
func Signature(authToken, fullURL string, params url.Values) string {
	return twiliosandbox.Signature(authToken, fullURL, params)
}
