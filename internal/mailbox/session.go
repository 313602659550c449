package mailbox

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"
)

// session is one logged-in connection.
type session struct {
	cfg    Config
	conn   net.Conn // the TCP connection under the client; closing it aborts any command
	client *imapclient.Client
	where  string // "imap imap.example.com:993 (user amy@example.com, mailbox INBOX)"; never the password

	// news is signalled when the server announces a new message count
	// (an EXISTS response), which is how IDLE tells of new mail.
	news chan struct{}
}

// open connects, secures the connection as configured and logs in.
func open(ctx context.Context, cfg Config) (*session, error) {
	s := &session{cfg: cfg, where: fmt.Sprintf("imap %s (user %s, mailbox %s)", cfg.addr(), cfg.Username, cfg.Mailbox),
		news: make(chan struct{}, 1)}
	switch cfg.TLS {
	case "tls", "starttls", "none":
	default:
		return nil, fmt.Errorf("%s: unknown tls setting %q: use \"tls\", \"starttls\" or \"none\"", s.where, cfg.TLS)
	}
	if cfg.Host == "" {
		return nil, errors.New("imap: no server is set: give your mail provider's IMAP host (imap.gmail.com, say)")
	}
	d := net.Dialer{Timeout: cfg.Timeout}
	conn, err := d.DialContext(ctx, "tcp", cfg.addr())
	if err != nil {
		return nil, fmt.Errorf("%s: connect: %w", s.where, err)
	}
	s.conn = conn
	if err := s.do(ctx, "open connection", s.start); err != nil {
		conn.Close()
		return nil, err
	}
	if err := s.do(ctx, "log in", s.login); err != nil {
		s.client.Close()
		return nil, err
	}
	return s, nil
}

// start sets up TLS as configured and reads the server's greeting.
func (s *session) start() error {
	tlsConfig := s.tlsConfig()
	switch s.cfg.TLS {
	case "tls":
		tc := tls.Client(s.conn, tlsConfig)
		if err := tc.Handshake(); err != nil {
			var notTLS tls.RecordHeaderError
			if errors.As(err, &notTLS) {
				return fmt.Errorf("the server did not answer in TLS (port 993 is for tls = \"tls\", 143 for \"starttls\"): %w", err)
			}
			return fmt.Errorf("TLS handshake: %w", err)
		}
		s.client = imapclient.New(tc, s.options(nil))
	case "starttls":
		c, err := imapclient.NewStartTLS(s.conn, s.options(tlsConfig))
		if err != nil {
			return fmt.Errorf("STARTTLS: %w", err)
		}
		s.client = c
	default:
		s.client = imapclient.New(s.conn, s.options(nil))
	}
	return s.client.WaitGreeting()
}

// options passes the server's announcements of new mail on to s.news
// without blocking the client: one pending signal says it all.
func (s *session) options(tlsConfig *tls.Config) *imapclient.Options {
	return &imapclient.Options{
		TLSConfig: tlsConfig,
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages == nil {
					return
				}
				select {
				case s.news <- struct{}{}:
				default:
				}
			},
		},
	}
}

func (s *session) tlsConfig() *tls.Config {
	c := &tls.Config{}
	if s.cfg.TLSConfig != nil {
		c = s.cfg.TLSConfig.Clone()
	}
	if c.ServerName == "" {
		c.ServerName = s.cfg.Host
	}
	return c
}

func (s *session) login() error {
	if s.client.State() == imap.ConnStateAuthenticated {
		return nil // the server greeted with PREAUTH
	}
	if s.client.Caps().Has(imap.CapLoginDisabled) {
		return fmt.Errorf("the server does not accept a password over an unencrypted connection: set tls to \"starttls\" or \"tls\"")
	}
	err := s.client.Login(s.cfg.Username, s.cfg.Password).Wait()
	var imapErr *imap.Error
	if errors.As(err, &imapErr) && imapErr.Type == imap.StatusResponseTypeNo {
		return fmt.Errorf("%w (server said: %s)", ErrLogin, imapErr.Text)
	}
	return err
}

// examine opens the mailbox read-only, which also keeps the server from
// clearing \Recent.
func (s *session) examine(ctx context.Context) (*imap.SelectData, error) {
	var data *imap.SelectData
	err := s.do(ctx, "open mailbox", func() error {
		var err error
		data, err = s.client.Select(s.cfg.Mailbox, &imap.SelectOptions{ReadOnly: true}).Wait()
		var imapErr *imap.Error
		if errors.As(err, &imapErr) && imapErr.Type == imap.StatusResponseTypeNo {
			return fmt.Errorf("no mailbox named %q on this account (server said: %s)", s.cfg.Mailbox, imapErr.Text)
		}
		return err
	})
	return data, err
}

// logout ends the session politely. The poll's outcome does not depend on
// it, so it gets little time, and runs even when ctx has ended.
func (s *session) logout(ctx context.Context) {
	within := min(s.cfg.Timeout, logoutTimeout)
	_ = s.doWithin(context.WithoutCancel(ctx), "log out", within, func() error { return s.client.Logout().Wait() })
	_ = s.client.Close()
}

const logoutTimeout = 5 * time.Second

// do runs one exchange with the server. The client library has no
// cancellation of its own, so when the exchange outlives cfg.Timeout or ctx
// ends, the connection is closed under it, which fails the pending command.
func (s *session) do(ctx context.Context, step string, f func() error) error {
	return s.doWithin(ctx, step, s.cfg.Timeout, f)
}

// doWithin is do with a timeout of its own.
func (s *session) doWithin(ctx context.Context, step string, timeout time.Duration, f func() error) error {
	stepCtx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	stop := context.AfterFunc(stepCtx, func() { s.conn.Close() })
	err := f()
	if stop() { // the connection is intact: f's own result stands
		if err != nil {
			return fmt.Errorf("%s: %s: %w", s.where, step, err)
		}
		return nil
	}
	// The connection was closed under f: report why, not the read error
	// that followed.
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %s: %w", s.where, step, context.Cause(ctx))
	}
	return fmt.Errorf("%s: %s: no answer from the server within %v: %w", s.where, step, timeout, context.DeadlineExceeded)
}
