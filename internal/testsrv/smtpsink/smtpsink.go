// Package smtpsink is a scriptable SMTP server for tests. It runs in-process
// on 127.0.0.1 (github.com/emersion/go-smtp), records every message it
// accepts, and can be told to answer a command with a 4xx/5xx reply, to be
// slow, or to drop the connection, so tests can drive a real SMTP client
// through the failures real servers produce.
package smtpsink

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Stage is the SMTP command a Rule answers.
type Stage string

const (
	Mail Stage = "MAIL" // MAIL FROM
	Rcpt Stage = "RCPT" // RCPT TO
	// Data is the end of the message content: the reply to the final ".".
	Data Stage = "DATA"
)

// TLS modes for Config.TLS.
const (
	NoTLS    = ""
	StartTLS = "starttls"
	Implicit = "tls"
)

// localhost is the only address the sink listens on.
const localhost = "127.0.0.1"

// Config sets up a sink. The zero value is a plain-text server that
// accepts any login.
type Config struct {
	// TLS is NoTLS, StartTLS (offer STARTTLS) or Implicit (TLS from the
	// first byte). The certificate is self-signed; trust it with CertPool.
	TLS string
	// Username and Password, when set, are the only login AUTH PLAIN
	// accepts; anything else gets 535 5.7.8.
	Username, Password string
	// StrictReset makes the sink behave like servers that keep a failed
	// transaction open until the client sends RSET: after a DATA failure,
	// MAIL FROM without RSET gets "503 5.5.1 nested MAIL command".
	StrictReset bool
}

// Rule scripts how the sink answers one stage.
type Rule struct {
	Stage Stage
	// Rcpt limits a Rcpt rule to one recipient (case-insensitive).
	Rcpt string
	// Code, Enhanced ("5.1.1") and Text make the reply. Code 0 accepts,
	// which with Delay makes a slow but successful server.
	Code     int
	Enhanced string
	Text     string
	// Delay is how long to wait before answering.
	Delay time.Duration
	// Drop closes the connection instead of answering. At Data the message
	// has been read in full first, so the client cannot tell whether it
	// was delivered.
	Drop bool
	// Times is how many commands the rule answers; 0 means all of them.
	Times int
	// Reached, if set, receives a value when the rule fires (before the
	// delay), so a test can act while the client waits for the reply.
	Reached chan<- struct{}
}

// Message is one message the sink accepted.
type Message struct {
	From  string
	Rcpts []string
	Data  []byte
}

// Sink is a running server. Its methods are safe for concurrent use.
type Sink struct {
	Host string // always 127.0.0.1
	Port int
	Addr string // host:port

	cfg  Config
	srv  *smtp.Server
	pool *x509.CertPool
	done chan struct{}

	mu       sync.Mutex
	rules    []*Rule
	received []Message
	conns    []net.Conn // every connection accepted, open or not
}

// Start runs a plain sink until the test ends.
func Start(tb testing.TB) *Sink {
	tb.Helper()
	return StartWith(tb, Config{})
}

// StartWith runs a sink configured by cfg until the test ends. It fails the
// test if the server cannot start.
func StartWith(tb testing.TB, cfg Config) *Sink {
	tb.Helper()
	s := &Sink{cfg: cfg, done: make(chan struct{})}
	tlsConf, err := s.tlsConfig()
	if err != nil {
		tb.Fatalf("smtpsink: %v", err)
	}
	ln, err := net.Listen("tcp", net.JoinHostPort(localhost, "0"))
	if err != nil {
		tb.Fatalf("smtpsink: listen: %v", err)
	}
	s.Addr = ln.Addr().String()
	s.Host = localhost
	s.Port = ln.Addr().(*net.TCPAddr).Port

	var l net.Listener = &countingListener{Listener: ln, sink: s}
	if cfg.TLS == Implicit {
		l = tls.NewListener(l, tlsConf)
	}
	s.srv = newServer(s, tlsConf)
	go func() { _ = s.srv.Serve(l) }()
	tb.Cleanup(s.stop)
	return s
}

func newServer(s *Sink, tlsConf *tls.Config) *smtp.Server {
	srv := smtp.NewServer(smtp.BackendFunc(s.newSession))
	srv.Domain = "sink.test"
	srv.AllowInsecureAuth = s.cfg.TLS == NoTLS
	srv.ReadTimeout = time.Minute
	srv.WriteTimeout = time.Minute
	// Connection errors are what the tests provoke; keep them off stderr.
	srv.ErrorLog = log.New(io.Discard, "", 0)
	if s.cfg.TLS != NoTLS {
		srv.TLSConfig = tlsConf
	}
	return srv
}

func (s *Sink) tlsConfig() (*tls.Config, error) {
	if s.cfg.TLS == NoTLS {
		return nil, nil
	}
	cert, pool, err := selfSigned()
	if err != nil {
		return nil, err
	}
	s.pool = pool
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}, nil
}

func (s *Sink) stop() {
	close(s.done) // release scripted delays first so Close does not wait on them
	_ = s.srv.Close()
}

// CertPool trusts the sink's self-signed certificate (nil without TLS).
func (s *Sink) CertPool() *x509.CertPool { return s.pool }

// Add scripts a rule. Rules are tried in the order they were added; the
// first that matches a command answers it.
func (s *Sink) Add(r Rule) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rules = append(s.rules, &r)
}

// FailNext makes the next n commands at stage fail with code, enhanced
// code and text, e.g. FailNext(Rcpt, 550, "5.1.1", "No such user", 1).
func (s *Sink) FailNext(stage Stage, code int, enhanced, text string, n int) {
	s.Add(Rule{Stage: stage, Code: code, Enhanced: enhanced, Text: text, Times: max(n, 1)})
}

// Received returns the messages accepted so far, oldest first.
func (s *Sink) Received() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.received...)
}

// Connections returns how many connections clients have opened.
func (s *Sink) Connections() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.conns)
}

// HangUp closes every client connection without a word, as a server does
// when an idle connection times out.
func (s *Sink) HangUp() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range s.conns {
		_ = c.Close()
	}
}

// match returns the rule that answers stage (for rcpt, when set), using up
// one of its Times.
func (s *Sink) match(stage Stage, rcpt string) *Rule {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, r := range s.rules {
		if r.Stage != stage || (r.Rcpt != "" && !strings.EqualFold(r.Rcpt, rcpt)) {
			continue
		}
		if r.Times > 0 {
			r.Times--
			if r.Times == 0 {
				s.rules = append(s.rules[:i:i], s.rules[i+1:]...)
			}
		}
		return r
	}
	return nil
}

func (s *Sink) record(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.received = append(s.received, m)
}

// countingListener keeps the accepted connections, so tests can check that
// a client reuses one connection for many messages, and hang up on it.
type countingListener struct {
	net.Listener
	sink *Sink
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.sink.mu.Lock()
		l.sink.conns = append(l.sink.conns, c)
		l.sink.mu.Unlock()
	}
	return c, err
}

// readAll drains the message content the way go-smtp requires (r must be
// consumed before Data returns).
func readAll(r io.Reader) ([]byte, error) {
	var buf bytes.Buffer
	_, err := io.Copy(&buf, r)
	return buf.Bytes(), err
}
