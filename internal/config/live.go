package config

import (
	"fmt"
	"net/url"
	"strings"
)

// The starter config works as it is because its transports only write
// files. Once a transport sends for real, its example values would reach
// customers (a From of amy@example.com, unsubscribe links to
// rapport.example.com, a made-up postal address), so they become errors.
// They are kept apart from the other problems (see SendingProblems): only
// the commands that send refuse them, and the rest of Rapport (import,
// preview) keeps working while the rep fills the file in.

// starterPostalAddress is the example address config.toml.example ships.
const starterPostalAddress = "123 Main St, Springfield, IL 62701"

// RealEmail reports whether emails leave this machine: the SMTP transport
// to a server elsewhere. A server on this machine is a test server
// (Mailpit) or a relay the admin set up, which does not count.
func (c *Config) RealEmail() bool {
	return c.Email.Transport == TransportSMTP && !isLoopback(c.Email.SMTP.Host)
}

// RealSMS reports whether texts leave this machine: the Twilio transport
// to a Twilio API elsewhere than here (`rapport dev twilio-sandbox` and
// tests serve one here).
func (c *Config) RealSMS() bool {
	if c.SMS.Transport != TransportTwilio {
		return false
	}
	u, err := url.Parse(c.SMS.Twilio.APIBaseURL)
	return err != nil || !isLoopback(u.Hostname())
}

// RealTransports names, as written in the file, the transports that send
// for real (none: nothing leaves this machine).
func (c *Config) RealTransports() []string {
	var out []string
	if c.RealEmail() {
		out = append(out, fmt.Sprintf("email.transport = %q (%s)", c.Email.Transport, c.Email.SMTP.Host))
	}
	if c.RealSMS() {
		out = append(out, fmt.Sprintf("sms.transport = %q", c.SMS.Transport))
	}
	return out
}

// SendingProblems returns what makes it unsafe to send for real with this
// file: the starter's example values, or a public_url that is not https
// while a transport sends for real. Each is an *Error at its key, joined
// with errors.Join; nil when there are none.
func (c *Config) SendingProblems() error {
	return joinErrors(append([]*Error(nil), c.sending...))
}

// checkSending finds the problems SendingProblems returns.
func (r *reader) checkSending(c *Config) []*Error {
	live := c.RealTransports()
	if len(live) == 0 {
		return nil
	}
	sub := &reader{path: r.path, pos: r.pos, tree: r.tree, known: map[string]bool{}, leaf: map[string]bool{}}
	why := strings.Join(live, " and ") + plural(len(live), " sends", " send") + " for real"
	for _, k := range []struct{ key, value, domain string }{
		{"rep.email", c.Rep.Email, c.Rep.Email}, {"email.from", c.Email.From.Address, c.Email.From.Address},
		{"notify.email", c.Notify.Email, c.Notify.Email}, {"http.public_url", c.HTTP.PublicURL, hostOf(c.HTTP.PublicURL)},
		{"email.smtp.host", c.Email.SMTP.Host, c.Email.SMTP.Host},
		{"email.smtp.username", c.Email.SMTP.Username, c.Email.SMTP.Username}, {"imap.host", c.IMAP.Host, c.IMAP.Host},
	} {
		if sub.has(k.key) && isExampleDomain(k.domain) {
			sub.fail(k.key, "%q is the starter's example, and %s: put your own", k.value, why)
		}
	}
	if c.Email.ReplyTo != nil && isExampleDomain(c.Email.ReplyTo.Address) {
		sub.fail("email.reply_to", "%q is the starter's example, and %s: put your own, or remove the line", c.Email.ReplyTo.Address, why)
	}
	for _, k := range []struct{ key, value string }{{"rep.phone", c.Rep.Phone}, {"notify.sms", c.Notify.SMS}} {
		if isFictionalNumber(k.value) {
			sub.fail(k.key, "%q is the starter's example (555-01xx numbers are fictional), and %s: put your own number, or remove the line", k.value, why)
		}
	}
	if c.Rep.PostalAddress == starterPostalAddress {
		sub.fail("rep.postal_address", "%q is the starter's example, and %s: the law (CAN-SPAM) requires your real mailing address in every email", c.Rep.PostalAddress, why)
	}
	if !strings.HasPrefix(c.HTTP.PublicURL, "https://") {
		sub.fail("http.public_url", "%q is not https, and %s: Twilio's reply webhooks and the one-click unsubscribe link in every email need "+
			"an https address with a certificate (a web server such as Caddy in front of Rapport gives one)", c.HTTP.PublicURL, why)
	}
	return sub.errs
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Hostname()
}

// isExampleDomain reports whether an address or host name is in a domain
// reserved for examples and tests (RFC 2606), which never reaches anyone.
func isExampleDomain(s string) bool {
	host := strings.ToLower(strings.TrimSuffix(s[strings.LastIndexByte(s, '@')+1:], "."))
	for _, d := range []string{"example.com", "example.net", "example.org"} {
		if host == d || strings.HasSuffix(host, "."+d) {
			return true
		}
	}
	for _, tld := range []string{".example", ".invalid", ".test"} {
		if strings.HasSuffix(host, tld) {
			return true
		}
	}
	return false
}

// isFictionalNumber reports whether an E.164 number is one of the North
// American numbers kept for fiction and examples, 555-0100 to 555-0199 in
// any area code.
func isFictionalNumber(e164 string) bool {
	return len(e164) == 12 && strings.HasPrefix(e164, "+1") && e164[5:10] == "55501"
}
