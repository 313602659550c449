package smtpsink

import (
	"errors"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// errDropped is returned after the sink closed the connection on purpose;
// go-smtp's attempt to write a reply to it fails, which is the point.
var errDropped = errors.New("smtpsink: connection dropped by script")

// session is one client connection's SMTP transaction state.
type session struct {
	sink  *Sink
	conn  *smtp.Conn
	from  string
	rcpts []string

	// With Config.StrictReset: a failed DATA left the transaction open
	// (stale) until the client sends RSET. go-smtp resets the session by
	// itself right after DATA; skipAutoReset makes that one not count.
	stale         bool
	skipAutoReset bool
}

var _ smtp.AuthSession = (*session)(nil)

func (s *Sink) newSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{sink: s, conn: c}, nil
}

func (ss *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (ss *session) Auth(mech string) (sasl.Server, error) {
	cfg := ss.sink.cfg
	return sasl.NewPlainServer(func(_, username, password string) error {
		if cfg.Username != "" && (username != cfg.Username || password != cfg.Password) {
			return smtp.ErrAuthFailed
		}
		return nil
	}), nil
}

func (ss *session) Mail(from string, _ *smtp.MailOptions) error {
	if ss.stale {
		return &smtp.SMTPError{Code: 503, EnhancedCode: smtp.EnhancedCode{5, 5, 1}, Message: "Error: nested MAIL command"}
	}
	if err := ss.apply(Mail, ""); err != nil {
		return err
	}
	ss.from = from
	return nil
}

func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	if err := ss.apply(Rcpt, to); err != nil {
		return err
	}
	ss.rcpts = append(ss.rcpts, to)
	return nil
}

func (ss *session) Data(r io.Reader) error {
	data, err := readAll(r)
	if err != nil {
		return err
	}
	if err := ss.apply(Data, ""); err != nil {
		if ss.sink.cfg.StrictReset {
			ss.stale, ss.skipAutoReset = true, true
		}
		return err
	}
	ss.sink.record(Message{From: ss.from, Rcpts: append([]string(nil), ss.rcpts...), Data: data})
	return nil
}

func (ss *session) Reset() {
	ss.from, ss.rcpts = "", nil
	if ss.skipAutoReset {
		ss.skipAutoReset = false
		return
	}
	ss.stale = false
}

func (ss *session) Logout() error { return nil }

// apply runs the rule scripted for stage, if any: it signals Reached,
// waits Delay, then drops the connection or returns the scripted reply.
func (ss *session) apply(stage Stage, rcpt string) error {
	r := ss.sink.match(stage, rcpt)
	if r == nil {
		return nil
	}
	if r.Reached != nil {
		select {
		case r.Reached <- struct{}{}:
		case <-ss.sink.done:
		}
	}
	if r.Delay > 0 {
		select {
		case <-time.After(r.Delay):
		case <-ss.sink.done:
		}
	}
	if r.Drop {
		_ = ss.conn.Conn().Close()
		return errDropped
	}
	if r.Code == 0 {
		return nil
	}
	return &smtp.SMTPError{Code: r.Code, EnhancedCode: enhanced(r.Enhanced), Message: r.Text}
}

// enhanced parses "5.1.1"; an empty or malformed code becomes X.0.0 (the
// class digit of the reply code), as RFC 2034 servers do.
func enhanced(s string) smtp.EnhancedCode {
	parts := strings.Split(s, ".")
	if len(parts) != 3 {
		return smtp.EnhancedCodeNotSet
	}
	var ec smtp.EnhancedCode
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			return smtp.EnhancedCodeNotSet
		}
		ec[i] = n
	}
	return ec
}
