package config

import (
	"fmt"
	"log/slog"
	"net/mail"
	"net/url"
	"regexp"
	"strings"

	"github.com/rapportapp/rapport/internal/mailauth"
	"github.com/rapportapp/rapport/internal/schedule"
)

var (
	accountSIDPattern = regexp.MustCompile(`^AC[0-9a-fA-F]{32}$`)
	serviceSIDPattern = regexp.MustCompile(`^MG[0-9a-fA-F]{32}$`)
	alphanumeric      = regexp.MustCompile(`^[0-9A-Za-z]+$`)
)

// readAll fills c from the document, section by section, in the order of
// config.toml.example. Later sections may use earlier ones (the rep's
// country reads every phone number).
func (r *reader) readAll(c *Config) {
	r.readRep(&c.Rep)
	r.filePath("database.path", &c.Database.Path)
	r.readSending(&c.Sending, c.Rep.Country)
	r.readEmail(&c.Email, c.Rep)
	r.readSMS(&c.SMS, c.Rep.Country)
	r.filePath("outbox.dir", &c.Outbox.Dir)
	r.readHTTP(&c.HTTP)
	r.readIMAP(&c.IMAP)
	r.readNotify(&c.Notify, c.Rep)
	r.readPolicy(&c.Policy)
	r.readNamedPolicies(&c.Policy)
	r.readLog(&c.Log)
	r.checkUnknown()
}

// filePath reads a file or folder name, resolved against the config's folder.
func (r *reader) filePath(key string, dst *string) {
	var p string
	if !r.str(key, &p) {
		return
	}
	if p == "" {
		r.fail(key, "is empty: give a file or folder name")
		return
	}
	*dst = r.resolve(p)
}

func (r *reader) readRep(c *Rep) {
	r.required("rep.name", &c.Name, `your name as customers know it, like name = "Amy Kline"`)
	if r.required("rep.email", &c.Email, `the address customers write to, like email = "amy@example.com"`) {
		parseKey(r, "rep.email", &c.Email, parseEmail)
	}
	parseKey(r, "rep.country", &c.Country, parseCountry)
	optionalKey(r, "rep.phone", &c.Phone, func(s string) (string, error) { return parsePhone(s, c.Country) })
	r.required("rep.postal_address", &c.PostalAddress,
		`the law (CAN-SPAM) requires a postal address in every marketing email, like postal_address = "123 Main St, Springfield, IL 62701"`)
	if r.required("rep.timezone", &c.TimeZone, `your time zone, like timezone = "America/Chicago"; customers without one get it`) {
		parseKey(r, "rep.timezone", &c.Location, parseZone)
	}
}

// tcpaHours is the widest window US federal law (TCPA) allows for texts.
var tcpaHours = schedule.Window{Start: schedule.TimeOfDay{Hour: 8}, End: schedule.TimeOfDay{Hour: 21}}

// within reports whether window w lies inside outer.
func within(w, outer schedule.Window) bool {
	return w.Start.Minutes() >= outer.Start.Minutes() && w.End.Minutes() <= outer.End.Minutes()
}

func (r *reader) readSending(c *Sending, country string) {
	parseKey(r, "sending.at", &c.At, schedule.ParseTimeOfDay)
	if parseKey(r, "sending.allowed_hours", &c.AllowedHours, schedule.ParseWindow) && country == "US" && !within(c.AllowedHours, tcpaHours) {
		r.fail("sending.allowed_hours", "%q reaches outside %s: US law (TCPA) forbids texting people earlier or later",
			c.AllowedHours, tcpaHours)
	}
	r.integer("sending.max_texts_per_day", &c.MaxTextsPerDay, 1, 3)
	r.list("sending.holidays", func(s string) error {
		d, err := schedule.ParseDate(s)
		if err == nil {
			c.Holidays = append(c.Holidays, d)
		}
		return err
	})
	r.integer("sending.max_attempts", &c.MaxAttempts, 1, 100)
	r.duration("sending.retry_base", &c.RetryBase)
	r.duration("sending.retry_max", &c.RetryMax)
	if c.RetryMax < c.RetryBase {
		r.fail("sending.retry_max", "%s is shorter than retry_base (%s)", c.RetryMax, c.RetryBase)
	}
}

func (r *reader) readEmail(c *Email, rep Rep) {
	r.choice("email.transport", &c.Transport, TransportOutbox, TransportSMTP)
	if rep.Email != "" {
		c.From = mail.Address{Name: rep.Name, Address: rep.Email}
	}
	var from *mail.Address
	if parseKey(r, "email.from", &from, parseMailbox) {
		c.From = *from
	}
	optionalKey(r, "email.reply_to", &c.ReplyTo, parseMailbox)
	r.integer("email.max_per_day", &c.MaxPerDay, 1, 10_000_000)
	r.readSMTP(&c.SMTP, c.Transport == TransportSMTP)
	c.DKIM = r.readDKIM()
}

// readDKIM reads [email.dkim]: all three keys or none, and a key file
// that holds a key DKIM can use (a bad one is reported at the key).
func (r *reader) readDKIM() *DKIM {
	var d DKIM
	r.str("email.dkim.domain", &d.Domain)
	r.str("email.dkim.selector", &d.Selector)
	r.filePath("email.dkim.private_key_file", &d.PrivateKeyFile)
	if d == (DKIM{}) {
		return nil
	}
	hints := map[string]string{
		"email.dkim.domain":           `the domain of your From address, like domain = "example.com"`,
		"email.dkim.selector":         `the name of the key's DNS record, like selector = "s1"`,
		"email.dkim.private_key_file": "the key `rapport dkim keygen` wrote, like private_key_file = \"dkim-s1.pem\"",
	}
	ok := true
	for _, key := range []string{"email.dkim.domain", "email.dkim.selector", "email.dkim.private_key_file"} {
		if r.blank(key) {
			r.missing(key, hints[key])
			ok = false
		}
	}
	if !ok || d.PrivateKeyFile == "" {
		return nil
	}
	key, err := mailauth.LoadKey(d.PrivateKeyFile)
	if err != nil {
		r.fail("email.dkim.private_key_file", "%v", err)
		return nil
	}
	d.Key = key
	return &d
}

func (r *reader) readSMTP(c *SMTP, active bool) {
	if !r.str("email.smtp.host", &c.Host) && active {
		r.missing("email.smtp.host", `the name of your mail provider's SMTP server, like host = "smtp.gmail.com"`)
	}
	r.tlsMode("email.smtp.tls", &c.TLS)
	c.Port = defaultPort(c.TLS, 465, 587, 25)
	r.integer("email.smtp.port", &c.Port, 1, 65535)
	r.str("email.smtp.username", &c.Username)
	c.Password = r.secret("email.smtp.password", "smtp_password", need(active && c.Username != ""))
	if active && c.Username == "" && r.anySet("email.smtp.password") {
		r.missing("email.smtp.username", "a password is set, so the username to log in with is needed too")
	}
	r.number("email.smtp.rate", &c.Rate)
	r.duration("email.smtp.timeout", &c.Timeout)
	if c.TLS == TLSNone && c.Username != "" && c.Host != "" && !isLoopback(c.Host) {
		r.fail("email.smtp.tls", `"none" would send your password unencrypted to %s: use "starttls" (port 587) or "tls" (port 465); `+
			`"none" is only for a server on this machine`, c.Host)
	}
}

// anySet reports whether a secret is written in any of its forms.
func (r *reader) anySet(key string) bool {
	return r.has(key) || r.has(key+"_file") || r.has(key+"_env")
}

func (r *reader) tlsMode(key string, dst *TLSMode) {
	var s string
	if !r.str(key, &s) {
		return
	}
	switch m := TLSMode(strings.ToLower(s)); m {
	case TLSStartTLS, TLSImplicit, TLSNone:
		*dst = m
	case "ssl":
		r.fail(key, `"ssl" is called "tls" here (encrypted from the start, usually port 465 or 993); or use "starttls"`)
	default:
		r.fail(key, "%q is not one of the choices: %s", s, quoteList([]string{"starttls", "tls", "none"}, "or"))
	}
}

func (r *reader) readSMS(c *SMS, country string) {
	r.choice("sms.transport", &c.Transport, TransportOutbox, TransportTwilio)
	r.number("sms.rate", &c.Rate)
	r.integer("sms.max_per_day", &c.MaxPerDay, 1, 10_000_000)
	r.readTwilio(&c.Twilio, country, c.Transport == TransportTwilio)
}

func (r *reader) readTwilio(c *Twilio, country string, active bool) {
	const sidHint = "it starts with %q followed by 32 letters and digits; copy it from your Twilio console"
	r.pattern("sms.twilio.account_sid", &c.AccountSID, accountSIDPattern, fmt.Sprintf(sidHint, "AC"))
	c.AuthToken = r.secret("sms.twilio.auth_token", "twilio_auth_token", need(active))
	if c.AuthToken != "" && !alphanumeric.MatchString(c.AuthToken.Reveal()) {
		r.fail("sms.twilio.auth_token", "the auth token must be only letters and digits: check it was copied whole")
	}
	optionalKey(r, "sms.twilio.from", &c.From, func(s string) (string, error) { return parsePhone(s, country) })
	r.optionalPattern("sms.twilio.messaging_service_sid", &c.MessagingServiceSID, serviceSIDPattern, fmt.Sprintf(sidHint, "MG"))
	if c.From != "" && c.MessagingServiceSID != "" {
		r.fail("sms.twilio.messaging_service_sid", "set either from or messaging_service_sid, not both")
	}
	if parseKey(r, "sms.twilio.api_base_url", &c.APIBaseURL, parseBaseURL) {
		r.checkPlainHTTP("sms.twilio.api_base_url", c.APIBaseURL)
	}
	if !active {
		return
	}
	if !r.has("sms.twilio.account_sid") {
		r.missing("sms.twilio.account_sid", fmt.Sprintf(sidHint, "AC"))
	}
	if r.blank("sms.twilio.from") && r.blank("sms.twilio.messaging_service_sid") {
		r.missing("sms.twilio.from", `your Twilio number, like from = "+13125550100" (or set messaging_service_sid)`)
	}
}

// checkPlainHTTP refuses http:// to another machine for URLs that carry
// credentials.
func (r *reader) checkPlainHTTP(key, raw string) {
	if u, err := url.Parse(raw); err == nil && u.Scheme == "http" && !isLoopback(u.Hostname()) {
		r.fail(key, "must start with https:// (plain http:// is only allowed to this machine): the auth token is sent with every request")
	}
}

func (r *reader) pattern(key string, dst *string, re *regexp.Regexp, hint string) {
	parseKey(r, key, dst, matcher(re, hint))
}

func (r *reader) optionalPattern(key string, dst *string, re *regexp.Regexp, hint string) {
	optionalKey(r, key, dst, matcher(re, hint))
}

func matcher(re *regexp.Regexp, hint string) func(string) (string, error) {
	return func(s string) (string, error) {
		if !re.MatchString(s) {
			return "", fmt.Errorf("%q does not look right: %s", s, hint)
		}
		return s, nil
	}
}

func (r *reader) readHTTP(c *HTTP) {
	parseKey(r, "http.listen", &c.Listen, parseListen)
	c.PublicURL = publicURLFor(c.Listen)
	parseKey(r, "http.public_url", &c.PublicURL, parseBaseURL)
	c.Secret = r.secret("http.secret", "http_secret", secretOptional)
	if c.Secret != "" && len(c.Secret) < 16 {
		r.fail("http.secret", "is too short: use at least 32 random characters (for example from `openssl rand -hex 32`)")
	}
	r.list("http.trusted_proxies", func(s string) error {
		p, err := parseProxy(s)
		if err == nil {
			c.TrustedProxies = append(c.TrustedProxies, p)
		}
		return err
	})
	parseKey(r, "http.session_idle", &c.SessionIdle, parseIdle)
}

func (r *reader) readIMAP(c *IMAP) {
	r.str("imap.host", &c.Host)
	active := c.Enabled()
	r.tlsMode("imap.tls", &c.TLS)
	c.Port = defaultPort(c.TLS, 993, 143, 143)
	r.integer("imap.port", &c.Port, 1, 65535)
	if !r.str("imap.username", &c.Username) && active {
		r.missing("imap.username", `the login for the mailbox replies arrive in, like username = "amy@example.com"`)
	}
	c.Password = r.secret("imap.password", "imap_password", need(active))
	if r.str("imap.mailbox", &c.Mailbox) && c.Mailbox == "" {
		r.fail("imap.mailbox", `is empty: most mail servers call it "INBOX"`)
	}
	r.duration("imap.interval", &c.Interval)
	if active && c.TLS == TLSNone && !isLoopback(c.Host) {
		r.fail("imap.tls", `"none" would send your password unencrypted to %s: use "tls" (port 993) or "starttls" (port 143); `+
			`"none" is only for a server on this machine`, c.Host)
	}
}

func (r *reader) readNotify(c *Notify, rep Rep) {
	c.Email = rep.Email
	parseKey(r, "notify.email", &c.Email, parseEmail)
	optionalKey(r, "notify.sms", &c.SMS, func(s string) (string, error) { return parsePhone(s, rep.Country) })
	parseKey(r, "notify.digest_at", &c.DigestAt, schedule.ParseTimeOfDay)
	c.RemindAt = c.DigestAt
	parseKey(r, "notify.remind_at", &c.RemindAt, schedule.ParseTimeOfDay)
}

func (r *reader) readPolicy(c *Policy) {
	r.readTerms("policy", c)
	r.list("policy.problem_words", func(w string) error {
		if w == "" {
			return fmt.Errorf("is empty")
		}
		c.ProblemWords = append(c.ProblemWords, strings.ToLower(w))
		return nil
	})
}

// readTerms reads the deadlines of the policy in table into c.
func (r *reader) readTerms(table string, c *Policy) {
	parseKey(r, table+".report_damage_within", &c.ReportDamageWithin, schedule.ParseDelay)
	parseKey(r, table+".money_back_guarantee", &c.MoneyBackGuarantee, schedule.ParseDelay)
	parseKey(r, table+".return_authorization_valid", &c.ReturnAuthorizationValid, schedule.ParseDelay)
	parseKey(r, table+".chase_after", &c.ChaseAfter, schedule.ParseDelay)
	parseKey(r, table+".update_every", &c.UpdateEvery, schedule.ParseDelay)
	parseKey(r, table+".delivery_within", &c.DeliveryWithin, schedule.ParseDelay)
}

// readNamedPolicies reads each [policy.NAME] table: a company's terms, a
// key it leaves out taken from [policy]. Its unknown keys are reported as
// any others are, since only the keys read here become known.
func (r *reader) readNamedPolicies(c *Policy) {
	top, _ := r.tree["policy"].(map[string]any)
	for _, name := range sortedKeys(top) {
		if _, isTable := top[name].(map[string]any); !isTable {
			continue
		}
		named := *c
		named.Named, named.ProblemWords = nil, nil
		r.readTerms("policy."+name, &named)
		if c.Named == nil {
			c.Named = map[string]Policy{}
		}
		c.Named[name] = named
	}
}

var logLevels = map[string]slog.Level{
	"debug": slog.LevelDebug, "info": slog.LevelInfo, "warn": slog.LevelWarn, "error": slog.LevelError,
}

func (r *reader) readLog(c *Log) {
	r.choice("log.format", &c.Format, LogText, LogJSON)
	var level string
	if r.choice("log.level", &level, "debug", "info", "warn", "error") {
		c.Level = logLevels[level]
	}
}
