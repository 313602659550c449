package email

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/textproto"
	"regexp"
	"strconv"
	"strings"

	"github.com/wneessen/go-mail"

	"github.com/rapportapp/rapport/internal/channel"
)

// Where a rep fixes what Misconfigured errors are about.
const smtpSection = "[email.smtp] in config.toml"

// reply is an SMTP server's answer to a command.
type reply struct {
	status   int    // 550; 0 when there was no answer (network failure)
	enhanced string // RFC 3463 code such as "5.1.1"; may be empty
	text     string // the server's words, or the network error
}

// code is the reply's codes as the rep sees them: "550 5.1.1".
func (r reply) code() string {
	if r.status == 0 {
		return ""
	}
	return strings.TrimSpace(strconv.Itoa(r.status) + " " + r.enhanced)
}

var enhancedCode = regexp.MustCompile(`^[245]\.\d{1,3}\.\d{1,3}\b`)

// parseReply recovers the server's reply from a go-mail SendError. go-mail
// keeps the underlying errors unexported and shows them only in Error(), as
// "<reason>: <err>[, <err>][, affected recipient(s): …][, affected message ID: …]",
// where a reply reads `550 "5.1.1 No such user"` (net/textproto quotes it).
func parseReply(se *mail.SendError) reply {
	s := strings.TrimPrefix(se.Error(), se.Reason.String()+":")
	for _, marker := range []string{", affected recipient(s): ", ", affected message ID: "} {
		s, _, _ = strings.Cut(s, marker)
	}
	r := reply{status: se.ErrorCode(), enhanced: se.EnhancedStatusCode(), text: oneLine(s)}
	if r.status == 0 {
		return r
	}
	s = oneLine(unquote(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), strconv.Itoa(r.status)))))
	if ec := enhancedCode.FindString(s); ec != "" {
		// The server may not advertise ENHANCEDSTATUSCODES and send them anyway.
		if r.enhanced == "" {
			r.enhanced = ec
		}
		s = strings.TrimSpace(s[len(ec):])
	}
	r.text = s
	return r
}

// unquote undoes the %q that net/textproto (Go 1.26) puts around a reply's
// text; anything after the quoted text (a failed RSET) is dropped.
func unquote(s string) string {
	q, err := strconv.QuotedPrefix(s)
	if err != nil {
		return s
	}
	u, err := strconv.Unquote(q)
	if err != nil {
		return s
	}
	return u
}

// oneLine joins a multi-line reply and collapses its spacing.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// classifySend tells the engine what to do about a failed message:
// 4xx and a broken connection are Temporary; a rejected login is
// Misconfigured; a 5xx to RCPT TO that says the address is bad is Bounced;
// any other 5xx is Permanent, with the server's words.
func classifySend(ctx context.Context, err error) *channel.Error {
	if ctx.Err() != nil {
		return stopped(ctx, err)
	}
	var se *mail.SendError
	if !errors.As(err, &se) {
		return &channel.Error{Class: channel.Temporary, Msg: err.Error(), Err: err}
	}
	r := parseReply(se)
	e := &channel.Error{Code: r.code(), Msg: r.text, Err: err}
	switch {
	case r.status == 0 && (se.Reason == mail.ErrGetSender || se.Reason == mail.ErrGetRcpts):
		e.Class = channel.Permanent // go-mail refused the addresses before sending
	case r.status == 0:
		// go-mail reports EOF, resets and timeouts with no code and
		// IsTemp() false; they are the most temporary failure there is.
		e.Class, e.Msg = channel.Temporary, "lost the connection to the SMTP server: "+r.text
	case r.status < 500:
		e.Class = channel.Temporary
	case isAuthCode(r.status):
		e.Class, e.Msg = channel.Misconfigured, loginHint(r)
	case se.Reason == mail.ErrSMTPRcptTo && isBounce(r):
		e.Class = channel.Bounced
	default:
		e.Class = channel.Permanent
	}
	return e
}

// isAuthCode: 530 authentication required, 534 mechanism too weak, 535
// credentials invalid, 538 encryption required for the mechanism.
func isAuthCode(status int) bool {
	return status == 530 || status == 534 || status == 535 || status == 538
}

// isBounce tells a rejected address (mark the contact bounced) from a
// rejected message. With RFC 3463 codes: X.1.x is about the address and
// 5.2.1 is a disabled mailbox, but 5.7.x (policy, e.g. "relay access
// denied") is about us, and bouncing every contact for it would be a
// disaster. Without them, 550/551/553 are the address replies of RFC 5321.
func isBounce(r reply) bool {
	switch {
	case strings.HasPrefix(r.enhanced, "5.1."), r.enhanced == "5.2.1":
		return true
	case r.enhanced == "" || r.enhanced == "5.0.0":
		return r.status == 550 || r.status == 551 || r.status == 553
	}
	return false
}

func loginHint(r reply) string {
	return fmt.Sprintf("the SMTP server refused the login (%s %s): check username and password in %s", r.code(), r.text, smtpSection)
}

// classifyDial sorts failures to connect, greet, start TLS or log in.
// Network trouble is Temporary; a server that answers but will not take
// our settings (certificate, TLS mode, login) is Misconfigured, because
// every message would fail the same way until the rep fixes the config.
func (s *SMTP) classifyDial(ctx context.Context, err error) *channel.Error {
	if ctx.Err() != nil {
		return stopped(ctx, err)
	}
	var tp *textproto.Error
	var dnsErr *net.DNSError
	switch {
	case isCertificateError(err):
		return misconfigured(fmt.Sprintf("the TLS certificate of %s is not valid (%v): check host in %s", s.addr, err, smtpSection), err)
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return misconfigured(fmt.Sprintf("no such host %q: check host in %s", s.cfg.Host, smtpSection), err)
	case errors.As(err, &tp):
		return s.classifyDialReply(tp, err)
	case isNetworkError(err):
		return &channel.Error{Class: channel.Temporary, Msg: fmt.Sprintf("cannot reach the SMTP server %s: %v", s.addr, err), Err: err}
	default:
		return misconfigured(fmt.Sprintf("the SMTP server %s does not accept our settings (%v): check tls, port, username and password in %s", s.addr, err, smtpSection), err)
	}
}

func (s *SMTP) classifyDialReply(tp *textproto.Error, err error) *channel.Error {
	msg := oneLine(tp.Msg)
	r := reply{status: tp.Code, text: msg}
	if ec := enhancedCode.FindString(msg); ec != "" {
		r.enhanced, r.text = ec, strings.TrimSpace(msg[len(ec):])
	}
	switch {
	case tp.Code >= 400 && tp.Code < 500:
		return &channel.Error{Class: channel.Temporary, Code: r.code(), Msg: fmt.Sprintf("the SMTP server %s is busy: %s", s.addr, r.text), Err: err}
	case isAuthCode(tp.Code):
		return &channel.Error{Class: channel.Misconfigured, Code: r.code(), Msg: loginHint(r), Err: err}
	default:
		return &channel.Error{Class: channel.Misconfigured, Code: r.code(), Msg: fmt.Sprintf("the SMTP server %s refused us: %s (check %s)", s.addr, r.text, smtpSection), Err: err}
	}
}

func isCertificateError(err error) bool {
	var cve *tls.CertificateVerificationError
	var hostErr x509.HostnameError
	var authErr x509.UnknownAuthorityError
	var invalid x509.CertificateInvalidError
	return errors.As(err, &cve) || errors.As(err, &hostErr) || errors.As(err, &authErr) || errors.As(err, &invalid)
}

func isNetworkError(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed)
}

func misconfigured(msg string, err error) *channel.Error {
	return &channel.Error{Class: channel.Misconfigured, Msg: msg, Err: err}
}

// stopped reports a send cut short by ctx (shutdown, or a deadline) or by
// the rate limit's wait: Temporary, and errors.Is(err, context.Canceled)
// still works.
func stopped(ctx context.Context, err error) *channel.Error {
	why := err
	if ctxErr := ctx.Err(); ctxErr != nil {
		why = ctxErr
		if !errors.Is(err, ctxErr) {
			err = fmt.Errorf("%w: %w", ctxErr, err)
		}
	}
	return &channel.Error{Class: channel.Temporary, Msg: "sending stopped: " + why.Error(), Err: err}
}
