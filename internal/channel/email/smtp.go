package email

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/wneessen/go-mail"
	"github.com/wneessen/go-mail/smtp"
	"golang.org/x/time/rate"

	"github.com/rapportapp/rapport/internal/channel"
)

// TLS modes for SMTPConfig.TLS.
const (
	TLSStartTLS = "starttls" // plain connection upgraded with STARTTLS (port 587); required, never skipped
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
	TLSNone     = "none"     // no encryption: only for a server on this machine
)

// DefaultTimeout bounds dialing (with TLS and login) and each message's
// whole exchange with the server.
const DefaultTimeout = 30 * time.Second

// SMTPConfig is the [email.smtp] section of the config.
type SMTPConfig struct {
	Host     string
	Port     int    // 0: 587 for starttls, 465 for tls, 25 for none
	TLS      string // TLSStartTLS (default), TLSImplicit or TLSNone
	Username string // empty: no login
	Password string
	Rate     float64       // messages per minute; 0 = unlimited
	Timeout  time.Duration // 0 = DefaultTimeout
	HELO     string        // name sent in EHLO; empty = this machine's host name
	// RootCAs replaces the system's trusted certificates when set (a
	// private CA; tests).
	RootCAs *x509.CertPool
}

// SMTP delivers messages through the rep's mail server. It keeps one
// connection open across messages: it dials on the first Send, reuses the
// connection for the following ones, and hangs up on Idle and Close. It is
// safe for concurrent use; messages go out one at a time.
type SMTP struct {
	cfg     SMTPConfig
	id      *parsedIdentity
	addr    string        // host:port, for messages
	client  *mail.Client  // settings only; each connection is its own smtp.Client
	limiter *rate.Limiter // nil: unlimited

	mu     sync.Mutex // guards sess and closed, and serialises messages
	sess   *session   // nil while not connected
	closed bool
}

var (
	_ channel.Sender = (*SMTP)(nil)
	_ channel.Idler  = (*SMTP)(nil)
)

// session is one open connection.
type session struct {
	c    *smtp.Client
	conn *abortConn
}

var errClosed = errors.New("the SMTP sender is closed")

// NewSMTP checks cfg and id; it does not connect.
func NewSMTP(cfg SMTPConfig, id Identity) (*SMTP, error) {
	p, err := id.parse()
	if err != nil {
		return nil, err
	}
	cfg, err = cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &SMTP{cfg: cfg, id: p, addr: net.JoinHostPort(cfg.Host, strconv.Itoa(cfg.Port))}
	s.client, err = mail.NewClient(cfg.Host, s.clientOptions()...)
	if err != nil {
		return nil, fmt.Errorf("email.smtp: %w", err)
	}
	if cfg.Rate > 0 {
		s.limiter = rate.NewLimiter(rate.Limit(cfg.Rate/60), 1)
	}
	return s, nil
}

// withDefaults fills in defaults and explains, by config key, what is wrong.
func (c SMTPConfig) withDefaults() (SMTPConfig, error) {
	if c.TLS == "" {
		c.TLS = TLSStartTLS
	}
	ports := map[string]int{TLSStartTLS: 587, TLSImplicit: 465, TLSNone: 25}
	port, ok := ports[c.TLS]
	switch {
	case c.Host == "":
		return c, errors.New("email.smtp.host is empty: set it to your provider's SMTP server, e.g. \"smtp.gmail.com\"")
	case !ok:
		return c, fmt.Errorf("email.smtp.tls = %q: use \"starttls\" (port 587), \"tls\" (port 465) or \"none\"", c.TLS)
	case c.Port < 0 || c.Port > 65535:
		return c, fmt.Errorf("email.smtp.port = %d: a port is a number from 1 to 65535", c.Port)
	case c.Rate < 0:
		return c, fmt.Errorf("email.smtp.rate = %v: use a number of messages per minute, or 0 for no limit", c.Rate)
	case c.Username != "" && c.TLS == TLSNone && !isLoopback(c.Host):
		return c, fmt.Errorf("email.smtp.tls = \"none\" would send your password unencrypted to %s: use \"starttls\" or \"tls\"", c.Host)
	}
	if c.Port == 0 {
		c.Port = port
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	return c, nil
}

func isLoopback(host string) bool {
	ip := net.ParseIP(host)
	return strings.EqualFold(host, "localhost") || (ip != nil && ip.IsLoopback())
}

func (s *SMTP) clientOptions() []mail.Option {
	cfg := s.cfg
	opts := []mail.Option{
		mail.WithPort(cfg.Port),
		mail.WithTimeout(cfg.Timeout),
		mail.WithTLSConfig(s.tlsConfig()),
		// Our dialer, so a cancelled context can close the socket (see abortConn).
		mail.WithDialContextFunc(s.dialContext),
		// A message is MAIL, RCPT and DATA, and nothing more. go-mail
		// would add a NOOP before it and a NOOP and RSET after it: three
		// more round trips, each a write, a wait and a wake-up on both
		// sides, on a connection that was just used. A server that hung
		// up in the meantime fails MAIL FROM instead (see deliver), and
		// a failed RSET after the server took the message can no longer
		// make it look unsent (it would have been sent again).
		mail.WithoutNoop(), mail.WithoutRset(),
	}
	switch cfg.TLS {
	case TLSImplicit:
		// With a custom dialer go-mail leaves the TLS handshake to us.
		opts = append(opts, mail.WithSSL())
	case TLSStartTLS:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	case TLSNone:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	}
	if cfg.HELO != "" {
		opts = append(opts, mail.WithHELO(cfg.HELO))
	}
	if cfg.Username != "" {
		opts = append(opts, mail.WithUsername(cfg.Username), mail.WithPassword(cfg.Password),
			mail.WithOpportunisticSMTPAuth(authMechanisms(cfg.TLS)...))
	}
	return opts
}

// authMechanisms are the logins we try, best first. PLAIN and LOGIN are
// what providers offer; "-NOENC" lets go-mail use them without TLS, which
// withDefaults allows only towards this machine.
func authMechanisms(mode string) []mail.SMTPAuthType {
	if mode == TLSNone {
		return []mail.SMTPAuthType{mail.SMTPAuthPlainNoEnc, mail.SMTPAuthLoginNoEnc}
	}
	return []mail.SMTPAuthType{mail.SMTPAuthPlain, mail.SMTPAuthLogin, mail.SMTPAuthCramMD5}
}

func (s *SMTP) tlsConfig() *tls.Config {
	return &tls.Config{ServerName: s.cfg.Host, MinVersion: tls.VersionTLS12, RootCAs: s.cfg.RootCAs}
}

// Send delivers m and returns its Message-ID. Failures are *channel.Error.
func (s *SMTP) Send(ctx context.Context, m *channel.Message) (string, error) {
	msg, err := s.id.build(m)
	if err != nil {
		return "", permanent(err)
	}
	if s.limiter != nil {
		if err := s.limiter.Wait(ctx); err != nil {
			return "", stopped(ctx, err)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return "", &channel.Error{Class: channel.Temporary, Msg: errClosed.Error(), Err: errClosed}
	}
	if err := s.deliver(ctx, msg); err != nil {
		return "", err
	}
	return strings.Trim(msg.GetMessageID(), "<>"), nil
}

// deliver sends msg, dialing first when not connected. A kept connection
// the server has closed in the meantime fails at MAIL FROM, before
// anything is sent, so one redial and retry is safe.
func (s *SMTP) deliver(ctx context.Context, msg *mail.Msg) error {
	reused := s.sess != nil
	err := s.attempt(ctx, msg)
	if reused && hungUp(err) && ctx.Err() == nil {
		err = s.attempt(ctx, msg)
	}
	return err
}

// hungUp reports a kept connection found closed before the message:
// MAIL FROM failed without a reply (EOF, reset) or with 421, the reply of
// a server closing the connection (RFC 5321 3.8).
func hungUp(err error) bool {
	var se *mail.SendError
	if !errors.As(err, &se) {
		return false
	}
	return se.Reason == mail.ErrConnCheck ||
		se.Reason == mail.ErrSMTPMailFrom && (se.ErrorCode() == 0 || se.ErrorCode() == 421)
}

func (s *SMTP) attempt(ctx context.Context, msg *mail.Msg) error {
	if s.sess == nil {
		sess, err := s.dial(ctx)
		if err != nil {
			return s.classifyDial(ctx, err)
		}
		s.sess = sess
	}
	if err := s.transact(ctx, msg); err != nil {
		s.recover(err)
		return classifySend(ctx, err)
	}
	return nil
}

// transact runs one message's MAIL/RCPT/DATA exchange. go-mail takes no
// context here, so a cancelled ctx closes the socket to stop the wait.
func (s *SMTP) transact(ctx context.Context, msg *mail.Msg) error {
	// The deadline go-mail set for the previous message may have passed
	// in a pause (a rate limit): extended first, so the first command of
	// this one does not time out at once and cost us the connection.
	if err := s.sess.c.UpdateDeadline(s.cfg.Timeout); err != nil {
		return err
	}
	stop := context.AfterFunc(ctx, s.sess.conn.abort)
	err := s.client.SendWithSMTPClient(s.sess.c, msg)
	if !stop() {
		// ctx ended during the exchange and the connection is gone. If the
		// server had already accepted the message, it went out.
		s.drop()
	}
	return err
}

// recover readies the connection for the next message after a failure.
// go-mail sends RSET itself only after MAIL FROM and RCPT TO failures;
// after a failed DATA a server may still hold the transaction and answer
// the next MAIL FROM with "503 5.5.1 nested MAIL command", failing a good
// message for nothing. So: RSET after any failure the server answered, and
// hang up after a broken connection or a half-written message.
func (s *SMTP) recover(err error) {
	if s.sess == nil {
		return
	}
	var se *mail.SendError
	if errors.As(err, &se) && se.ErrorCode() != 0 && se.Reason != mail.ErrWriteContent {
		if s.sess.c.Reset() == nil { // not go-mail's Reset: WithoutRset turns it off
			return
		}
	}
	s.drop()
}

// dial connects, greets, upgrades to TLS and logs in.
func (s *SMTP) dial(ctx context.Context) (*session, error) {
	ac := &abortConn{}
	stop := context.AfterFunc(ctx, ac.abort)
	c, err := s.client.DialToSMTPClientWithContext(context.WithValue(ctx, abortKey{}, ac))
	cancelled := !stop()
	if err != nil || cancelled {
		// go-mail leaves the socket open when EHLO, STARTTLS or AUTH fail.
		ac.abort()
		if err == nil {
			err = ctx.Err()
		}
		return nil, err
	}
	return &session{c: c, conn: ac}, nil
}

// dialContext is go-mail's dialer. It does the TLS handshake for implicit
// TLS and hands the socket to the abortConn riding in ctx.
func (s *SMTP) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	d := &net.Dialer{}
	var conn net.Conn
	var err error
	if s.cfg.TLS == TLSImplicit {
		conn, err = (&tls.Dialer{NetDialer: d, Config: s.tlsConfig()}).DialContext(ctx, network, addr)
	} else {
		conn, err = d.DialContext(ctx, network, addr)
	}
	if err != nil {
		return nil, err
	}
	if ac, ok := ctx.Value(abortKey{}).(*abortConn); ok {
		ac.set(conn)
	}
	return conn, nil
}

// Idle hangs up politely (QUIT); the next Send dials again.
func (s *SMTP) Idle() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.hangUp()
}

// Close hangs up; later Sends fail. It always returns nil: a QUIT that
// fails (the server hung up first) changes nothing.
func (s *SMTP) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.hangUp()
	return nil
}

func (s *SMTP) hangUp() {
	if s.sess == nil {
		return
	}
	// The deadline go-mail set for the last message may have passed while idle.
	_ = s.sess.c.UpdateDeadline(s.cfg.Timeout)
	_ = s.client.CloseWithSMTPClient(s.sess.c)
	s.drop()
}

// drop forgets the connection, closing the socket without QUIT.
func (s *SMTP) drop() {
	if s.sess != nil {
		s.sess.conn.abort()
		s.sess = nil
	}
}

// abortKey carries a dial's abortConn through go-mail to dialContext.
type abortKey struct{}

// abortConn holds a connection's socket so a cancelled context can close
// it: go-mail takes a context only for dialing, and closing the socket is
// the one way to stop a command that is waiting for the server's reply.
type abortConn struct {
	mu      sync.Mutex
	conn    net.Conn
	aborted bool
}

func (a *abortConn) set(c net.Conn) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.conn = c
	if a.aborted {
		_ = c.Close()
	}
}

func (a *abortConn) abort() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.aborted = true
	if a.conn != nil {
		_ = a.conn.Close()
	}
}
