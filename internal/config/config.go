// Package config holds Rapport's settings as read from config.toml: the
// rep's details, where the database and outbox live, sending rules, the
// email and SMS transports, the HTTP endpoint, reply polling, notifications,
// return-policy deadlines and logging.
//
// Reading is strict, because a typo in a config file must never turn into a
// message sent at the wrong hour or through the wrong account: unknown keys,
// wrong types and bad values are all reported at once, each at its
// file:line:col, with a suggestion when a key looks misspelt.
package config

import (
	"crypto"
	"fmt"
	"log/slog"
	"net/mail"
	"net/netip"
	"path/filepath"
	"time"

	"github.com/rapportapp/rapport/internal/schedule"
)

// Transport names, as written in [email] transport and [sms] transport.
const (
	TransportOutbox = "outbox" // write messages as files into [outbox] dir
	TransportSMTP   = "smtp"   // send email through [email.smtp]
	TransportTwilio = "twilio" // send texts through [sms.twilio]
)

// TLSMode says how a mail connection is encrypted.
type TLSMode string

// TLS modes, as written in [email.smtp] tls and [imap] tls.
const (
	TLSStartTLS TLSMode = "starttls" // plain connection upgraded with STARTTLS (port 587, 143)
	TLSImplicit TLSMode = "tls"      // TLS from the first byte (port 465, 993)
	TLSNone     TLSMode = "none"     // no encryption: only for a server on this machine
)

// Log formats, as written in [log] format.
const (
	LogText = "text"
	LogJSON = "json"
)

// Config is everything read from config.toml.
type Config struct {
	Path     string // absolute path of the file it was read from
	Rep      Rep
	Database Database
	Sending  Sending
	Email    Email
	SMS      SMS
	Outbox   Outbox
	HTTP     HTTP
	IMAP     IMAP
	Notify   Notify
	Policy   Policy
	Log      Log

	sending []*Error // unsafe to send for real (see SendingProblems)
}

// Dir is the folder relative paths in the file are resolved against.
func (c *Config) Dir() string { return filepath.Dir(c.Path) }

// Rep is who the customers hear from ([rep]).
type Rep struct {
	Name          string
	Email         string
	Phone         string // E.164 ("+13125550100"), or "" when not given
	PostalAddress string // printed in every email footer (CAN-SPAM)
	Country       string // ISO 3166-1 alpha-2, upper case: the default region for phone numbers
	TimeZone      string // IANA name as written, such as "America/Chicago"
	Location      *time.Location
}

// Database is [database].
type Database struct {
	Path string // absolute
}

// Sending is [sending]: when messages go out and how failures are retried.
type Sending struct {
	At             schedule.TimeOfDay // default local time of day for a step
	AllowedHours   schedule.Window    // texts only inside these hours, recipient's local time
	MaxTextsPerDay int                // per recipient, rolling 24 hours
	Holidays       []schedule.Date    // skipped by business-day delays
	MaxAttempts    int                // sends of one message before it is marked failed
	RetryBase      time.Duration      // first retry delay; doubles each attempt
	RetryMax       time.Duration      // longest retry delay
}

// Email is [email].
type Email struct {
	Transport string        // TransportOutbox or TransportSMTP
	From      mail.Address  // defaults to the rep's name and email
	ReplyTo   *mail.Address // nil when not set
	MaxPerDay int           // emails to all customers in a day (the rep's), the provider's cap; 0: none
	SMTP      SMTP
	DKIM      *DKIM // nil: email goes unsigned
}

// DKIM is [email.dkim]: the rep's key that signs every email.
type DKIM struct {
	Domain         string // d=: the From address's domain, or one it is under
	Selector       string // the key's record is at Selector._domainkey.Domain
	PrivateKeyFile string // absolute
	Key            crypto.Signer
}

// SMTP is [email.smtp]. Host and Password are only required, and secrets
// only read, when Email.Transport is TransportSMTP.
type SMTP struct {
	Host     string
	Port     int
	TLS      TLSMode
	Username string // empty: no authentication
	Password Secret
	Rate     float64       // messages per minute
	Timeout  time.Duration // per connection and per command
}

// SMS is [sms].
type SMS struct {
	Transport string  // TransportOutbox or TransportTwilio
	Rate      float64 // messages per second
	MaxPerDay int     // texts to all customers in a day (the rep's), the carrier's cap
	Twilio    Twilio
}

// Twilio is [sms.twilio]. Its required keys are only enforced, and its
// secret only read, when SMS.Transport is TransportTwilio. Exactly one of
// From and MessagingServiceSID is set then.
type Twilio struct {
	AccountSID          string // "AC" + 32 hex digits
	AuthToken           Secret
	From                string // E.164
	MessagingServiceSID string // "MG" + 32 hex digits
	APIBaseURL          string // no trailing slash
}

// Outbox is [outbox].
type Outbox struct {
	Dir string // absolute
}

// HTTP is [http].
type HTTP struct {
	Listen    string // host:port
	PublicURL string // no trailing slash
	// Secret keys unsubscribe links. Empty means the daemon keeps a
	// generated one in the database.
	Secret Secret
	// TrustedProxies are the reverse proxies whose X-Forwarded-For names
	// the client; requests from anywhere else are the client themselves.
	// Empty: nobody's header is believed.
	TrustedProxies []netip.Prefix
	// SessionIdle ends a dashboard session not used for this long.
	SessionIdle time.Duration
}

// IMAP is [imap], where customers' email replies arrive.
type IMAP struct {
	Host     string
	Port     int
	TLS      TLSMode
	Username string
	Password Secret
	Mailbox  string
	Interval time.Duration // between polls
}

// Enabled reports whether replies are polled over IMAP at all.
func (i IMAP) Enabled() bool { return i.Host != "" }

// Notify is [notify]: how the rep hears about replies.
type Notify struct {
	Email    string             // defaults to the rep's email
	SMS      string             // E.164, or "" for no texts to the rep
	DigestAt schedule.TimeOfDay // local time of the daily digest, rep's time zone
	RemindAt schedule.TimeOfDay // local time of the case reminders' alert; the digest's unless set
}

// Policy is [policy]: the deadlines shown when a reply reports a problem.
type Policy struct {
	ReportDamageWithin       schedule.Delay
	MoneyBackGuarantee       schedule.Delay
	ReturnAuthorizationValid schedule.Delay
	ChaseAfter               schedule.Delay    // a case with no update this long: chase support
	UpdateEvery              schedule.Delay    // a customer who heard nothing this long: update them
	DeliveryWithin           schedule.Delay    // an order is expected this long after it was placed
	ProblemWords             []string          // lower case, added to the built-in list
	Named                    map[string]Policy // [policy.NAME]: another company's terms, the rest of [policy] as defaults
}

// Log is [log].
type Log struct {
	Format string // LogText or LogJSON
	Level  slog.Level
}

// Default returns the settings used for every key the file leaves out, with
// relative paths resolved against dir. The rep is left blank except for the
// country and a UTC time zone.
func Default(dir string) *Config {
	c := &Config{
		Path:     filepath.Join(dir, "config.toml"),
		Rep:      Rep{Country: "US", TimeZone: "UTC", Location: time.UTC},
		Database: Database{Path: filepath.Join(dir, "rapport.db")},
		Sending: Sending{
			At:             schedule.TimeOfDay{Hour: 10},
			AllowedHours:   schedule.Window{Start: schedule.TimeOfDay{Hour: 8}, End: schedule.TimeOfDay{Hour: 20}},
			MaxTextsPerDay: 3,
			MaxAttempts:    8,
			RetryBase:      time.Minute,
			RetryMax:       6 * time.Hour,
		},
		Email: Email{Transport: TransportOutbox, SMTP: SMTP{
			Port: 587, TLS: TLSStartTLS, Rate: 20, Timeout: 30 * time.Second,
		}},
		SMS:    SMS{Transport: TransportOutbox, Rate: 1, MaxPerDay: 1000, Twilio: Twilio{APIBaseURL: "https://api.twilio.com"}},
		Outbox: Outbox{Dir: filepath.Join(dir, "outbox")},
		HTTP:   HTTP{Listen: "127.0.0.1:8080", PublicURL: "http://127.0.0.1:8080", SessionIdle: 14 * 24 * time.Hour},
		IMAP:   IMAP{Port: 993, TLS: TLSImplicit, Mailbox: "INBOX", Interval: time.Minute},
		Notify: Notify{DigestAt: schedule.TimeOfDay{Hour: 7, Minute: 30}, RemindAt: schedule.TimeOfDay{Hour: 7, Minute: 30}},
		Policy: Policy{
			ReportDamageWithin:       schedule.Delay{N: 7, Unit: schedule.BusinessDay},
			MoneyBackGuarantee:       schedule.Delay{N: 15, Unit: schedule.Day},
			ReturnAuthorizationValid: schedule.Delay{N: 14, Unit: schedule.Day},
			ChaseAfter:               schedule.Delay{N: 2, Unit: schedule.BusinessDay},
			UpdateEvery:              schedule.Delay{N: 3, Unit: schedule.Day},
			DeliveryWithin:           schedule.Delay{N: 7, Unit: schedule.BusinessDay},
		},
		Log: Log{Format: LogText, Level: slog.LevelInfo},
	}
	return c
}

// Secret is a password, token or key. It prints as "[hidden]" in every
// format, in logs and in JSON, so it cannot leak by accident; Reveal returns
// the value for the one place that needs it.
type Secret string

const hidden = "[hidden]"

// Reveal returns the secret value.
func (s Secret) Reveal() string { return string(s) }

// String returns "[hidden]", or "" when the secret is empty.
func (s Secret) String() string {
	if s == "" {
		return ""
	}
	return hidden
}

// Format makes every fmt verb (%v, %s, %q, %x, %#v...) print String().
func (s Secret) Format(f fmt.State, _ rune) { fmt.Fprint(f, s.String()) }

// LogValue keeps the value out of slog output.
func (s Secret) LogValue() slog.Value { return slog.StringValue(s.String()) }

// MarshalText keeps the value out of JSON and TOML output.
func (s Secret) MarshalText() ([]byte, error) { return []byte(s.String()), nil }
