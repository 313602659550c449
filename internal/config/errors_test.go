package config

import (
	"slices"
	"strings"
	"testing"
)

// TestProblems pins, for each kind of mistake, the exact line a rep sees.
// Each case's text comes first in the file, so its positions are the case's
// own line numbers; repSection follows unless the case is standalone.
func TestProblems(t *testing.T) {
	tests := []struct {
		name       string
		src        string
		standalone bool // no repSection appended
		env        map[string]string
		want       string
	}{
		// Unknown keys and sections.
		{name: "misspelt section", src: "[sendng]\nat = \"10:00\"",
			want: `config.toml:1:2: unknown section [sendng]; did you mean [sending]?`},
		{name: "misspelt key", src: "[sending]\nalowed_hours = \"08:00-20:00\"",
			want: `config.toml:2:1: unknown key "alowed_hours" in [sending]; did you mean "allowed_hours"?`},
		{name: "misspelt sub-section", src: "[email.smtpp]\nhost = \"x\"",
			want: `config.toml:1:8: unknown section [email.smtpp]; did you mean [email.smtp]?`},
		{name: "key in the wrong section", src: "[email]\n  host = \"smtp.example.com\"",
			want: `config.toml:2:3: unknown key "host" in [email]; host belongs under [email.smtp] or [imap]`},
		{name: "key outside any section", src: "debug = true",
			want: `config.toml:1:1: unknown key "debug" at the top of the file (settings go under a [section]); the sections are [database], [email], [http], [imap], [log], [notify], [outbox], [policy], [rep], [sending], [sms]`},
		{name: "unknown key, no near miss", src: "[log]\ncolour = \"blue\"",
			want: `config.toml:2:1: unknown key "colour" in [log]; the keys here are format, level`},
		{name: "misspelt dotted key", src: "sending.alowed_hours = \"08:00-20:00\"",
			want: `config.toml:1:9: unknown key "alowed_hours" in [sending]; did you mean "allowed_hours"?`},
		{name: "unknown key in an inline table", src: "email = { transprt = \"smtp\" }",
			want: `config.toml:1:1: unknown key "transprt" in [email]; did you mean "transport"?`},
		{name: "section written as a value", src: "sending = \"10:00\"",
			want: `config.toml:1:1: sending: must be a section [sending] with keys under it, not text in quotes`},

		// TOML itself.
		{name: "syntax error", src: "[sending]\nat = 10:00:00x", standalone: true,
			want: `config.toml:2:14: not valid TOML: expected a top-level item to end with a newline, comment, or EOF, but got 'x' instead`},
		{name: "duplicate key", src: "[sending]\nat = \"10:00\"\nat = \"11:00\"", standalone: true,
			want: `config.toml:3:1: not valid TOML: Key 'sending.at' has already been defined.`},

		// Types.
		{name: "number in quotes", src: "[sending]\nmax_texts_per_day = \"3\"",
			want: `config.toml:2:1: sending.max_texts_per_day: must be a whole number without quotes, like 3, not text in quotes`},
		{name: "decimal for whole", src: "[sending]\nmax_attempts = 2.5",
			want: `config.toml:2:1: sending.max_attempts: must be a whole number without quotes, like 8, not a decimal number`},
		{name: "number for text", src: "[sending]\nat = 10",
			want: `config.toml:2:1: sending.at: must be text in double quotes, not a whole number`},
		{name: "text for a list", src: "[sending]\nholidays = \"2026-12-25\"",
			want: `config.toml:2:1: sending.holidays: must be a list in square brackets, like ["one", "two"], not text in quotes`},
		{name: "bad list item", src: "[sending]\nholidays = [\"2026-12-25\", \"2026-13-01\"]",
			want: `config.toml:2:1: sending.holidays[1]: invalid date "2026-13-01": want YYYY-MM-DD, like "2026-12-25"`},
		{name: "rate in quotes", src: "[sms]\nrate = \"1\"",
			want: `config.toml:2:1: sms.rate: must be a number without quotes, like 1, not text in quotes`},

		// Values.
		{name: "bad time", src: "[sending]\nat = \"25:00\"",
			want: `config.toml:2:1: sending.at: invalid time of day "25:00": want 24-hour HH:MM, like "10:00" or "18:30"`},
		{name: "bad remind_at", src: "[notify]\nremind_at = \"5pm\"",
			want: `config.toml:2:1: notify.remind_at: invalid time of day "5pm": want 24-hour HH:MM, like "10:00" or "18:30"`},
		{name: "misspelt remind_at", src: "[notify]\nremind_on = \"17:00\"",
			want: `config.toml:2:1: unknown key "remind_on" in [notify]; did you mean "remind_at"?`},
		{name: "empty value", src: "[sending]\nat = \"\"",
			want: `config.toml:2:1: sending.at: is empty: give a value, or delete the line to use the default`},
		{name: "window backwards", src: "[sending]\nallowed_hours = \"20:00-08:00\"",
			want: `config.toml:2:1: sending.allowed_hours: invalid hours "20:00-08:00": the end must be later in the day than the start`},
		{name: "window beyond TCPA", src: "[sending]\nallowed_hours = \"07:00-20:00\"",
			want: `config.toml:2:1: sending.allowed_hours: "07:00-20:00" reaches outside 08:00-21:00: US law (TCPA) forbids texting people earlier or later`},
		{name: "too many texts", src: "[sending]\nmax_texts_per_day = 5",
			want: `config.toml:2:1: sending.max_texts_per_day: must be between 1 and 3, not 5`},
		{name: "bad duration", src: "[sending]\nretry_base = \"5x\"",
			want: `config.toml:2:1: sending.retry_base: invalid duration "5x": want a number and a unit, like "30s", "5m" or "6h"`},
		{name: "retry max below base", src: "[sending]\nretry_base = \"2h\"\nretry_max = \"1h\"",
			want: `config.toml:3:1: sending.retry_max: 1h0m0s is shorter than retry_base (2h0m0s)`},
		{name: "bad zone", src: "[rep]\ntimezone = \"America/Chicgo\"\nname = \"Amy\"\nemail = \"amy@example.com\"\npostal_address = \"1 Main St\"", standalone: true,
			want: `config.toml:2:1: rep.timezone: unknown time zone "America/Chicgo": did you mean "America/Chicago"?`},
		{name: "bad phone", src: "[rep]\nphone = \"+1 312 555 01\"\ntimezone = \"UTC\"\nname = \"Amy\"\nemail = \"amy@example.com\"\npostal_address = \"1 Main St\"", standalone: true,
			want: `config.toml:2:1: rep.phone: "+1 312 555 01" is not a valid phone number: write it with the country code, like "+13125550100"`},
		{name: "bad country", src: "[rep]\ncountry = \"USA\"\ntimezone = \"UTC\"\nname = \"Amy\"\nemail = \"amy@example.com\"\npostal_address = \"1 Main St\"", standalone: true,
			want: `config.toml:2:1: rep.country: "USA" is not a two-letter country code, like "US", "CA" or "GB"`},
		{name: "email without domain ending", src: "[rep]\nemail = \"amy@gmail\"\ntimezone = \"UTC\"\nname = \"Amy\"\npostal_address = \"1 Main St\"", standalone: true,
			want: `config.toml:2:1: rep.email: "amy@gmail" is not an email address like "amy@example.com"`},
		{name: "missing rep", src: "", standalone: true,
			want: `config.toml: rep.timezone is missing: your time zone, like timezone = "America/Chicago"; customers without one get it`},
		{name: "missing rep key", src: "[rep]\nname = \"Amy\"\nemail = \"amy@example.com\"\ntimezone = \"UTC\"", standalone: true,
			want: `config.toml:1:2: rep.postal_address is missing: the law (CAN-SPAM) requires a postal address in every marketing email, like postal_address = "123 Main St, Springfield, IL 62701"`},
		{name: "bad transport", src: "[email]\ntransport = \"sendmail\"",
			want: `config.toml:2:1: email.transport: "sendmail" is not one of the choices: "outbox" or "smtp"`},
		{name: "tls ssl", src: "[email.smtp]\ntls = \"ssl\"",
			want: `config.toml:2:1: email.smtp.tls: "ssl" is called "tls" here (encrypted from the start, usually port 465 or 993); or use "starttls"`},
		{name: "tls unknown", src: "[imap]\ntls = \"yes\"",
			want: `config.toml:2:1: imap.tls: "yes" is not one of the choices: "starttls", "tls" or "none"`},
		{name: "plain smtp with a password", src: "[email.smtp]\nhost = \"smtp.example.com\"\ntls = \"none\"\nusername = \"amy\"",
			want: `config.toml:3:1: email.smtp.tls: "none" would send your password unencrypted to smtp.example.com: use "starttls" (port 587) or "tls" (port 465); "none" is only for a server on this machine`},
		{name: "smtp host missing", src: "[email]\ntransport = \"smtp\"\n[email.smtp]\nport = 587",
			want: `config.toml:3:8: email.smtp.host is missing: the name of your mail provider's SMTP server, like host = "smtp.gmail.com"`},
		{name: "port out of range", src: "[email.smtp]\nport = 70000",
			want: `config.toml:2:1: email.smtp.port: must be between 1 and 65535, not 70000`},
		{name: "bad from", src: "[email]\nfrom = \"Amy Kline\"",
			want: `config.toml:2:1: email.from: "Amy Kline" is not an email address like "Amy Kline <amy@example.com>" or "amy@example.com"`},
		{name: "account sid", src: "[sms.twilio]\naccount_sid = \"AC123\"",
			want: `config.toml:2:1: sms.twilio.account_sid: "AC123" does not look right: it starts with "AC" followed by 32 letters and digits; copy it from your Twilio console`},
		{name: "service sid", src: "[sms.twilio]\nmessaging_service_sid = \"MGxyz\"",
			want: `config.toml:2:1: sms.twilio.messaging_service_sid: "MGxyz" does not look right: it starts with "MG" followed by 32 letters and digits; copy it from your Twilio console`},
		{name: "from and service", src: "[sms.twilio]\nfrom = \"+13125550100\"\nmessaging_service_sid = \"MG0123456789abcdef0123456789abcdef\"",
			want: `config.toml:3:1: sms.twilio.messaging_service_sid: set either from or messaging_service_sid, not both`},
		{name: "twilio without a sender", src: "[sms]\ntransport = \"twilio\"\n[sms.twilio]\naccount_sid = \"AC0123456789abcdef0123456789abcdef\"\nauth_token = \"abc123\"",
			want: `config.toml:3:6: sms.twilio.from is missing: your Twilio number, like from = "+13125550100" (or set messaging_service_sid)`},
		{name: "twilio api over plain http", src: "[sms.twilio]\napi_base_url = \"http://api.example.com\"",
			want: `config.toml:2:1: sms.twilio.api_base_url: must start with https:// (plain http:// is only allowed to this machine): the auth token is sent with every request`},
		{name: "bad listen", src: "[http]\nlisten = \"8080\"",
			want: `config.toml:2:1: http.listen: "8080" is not an address to listen on: want host:port, like "127.0.0.1:8080"`},
		{name: "bad public url", src: "[http]\npublic_url = \"rapport.example.com\"",
			want: `config.toml:2:1: http.public_url: "rapport.example.com" is not a web address like "https://rapport.example.com"`},
		{name: "short http secret", src: "[http]\nsecret = \"abc\"",
			want: "config.toml:2:1: http.secret: is too short: use at least 32 random characters (for example from `openssl rand -hex 32`)"},
		{name: "bad trusted proxy", src: "[http]\ntrusted_proxies = [\"127.0.0.1\", \"proxy.local\"]",
			want: `config.toml:2:1: http.trusted_proxies[1]: "proxy.local" is not an IP address or network, like "127.0.0.1" or "10.0.0.0/8"`},
		{name: "trusted proxies not a list", src: "[http]\ntrusted_proxies = \"127.0.0.1\"",
			want: `config.toml:2:1: http.trusted_proxies: must be a list in square brackets, like ["one", "two"], not text in quotes`},
		{name: "bad session idle", src: "[http]\nsession_idle = \"two weeks\"",
			want: `config.toml:2:1: http.session_idle: invalid duration "two weeks": want a number and a unit, like "14d", "2w" or "12h"`},
		{name: "session idle too long", src: "[http]\nsession_idle = \"400d\"",
			want: `config.toml:2:1: http.session_idle: "400d" is too long: at most "365d"`},
		{name: "session idle too short", src: "[http]\n\nsession_idle = \"0d\"",
			want: `config.toml:3:1: http.session_idle: "0d" is too short: at least "1m"`},
		{name: "imap without username", src: "[imap]\nhost = \"imap.example.com\"\npassword = \"pw\"",
			want: `config.toml:1:2: imap.username is missing: the login for the mailbox replies arrive in, like username = "amy@example.com"`},
		{name: "bad delay", src: "[policy]\nmoney_back_guarantee = \"15 days\"",
			want: `config.toml:2:1: policy.money_back_guarantee: invalid delay "15 days": unknown unit "days" (use m, h, d, w, mo or bd)`},
		{name: "bad log level", src: "[log]\nlevel = \"verbose\"",
			want: `config.toml:2:1: log.level: "verbose" is not one of the choices: "debug", "info", "warn" or "error"`},

		// Secrets.
		{name: "two forms of a secret", src: "[email.smtp]\npassword = \"x\"\npassword_file = \"pw\"",
			want: `config.toml:3:1: email.smtp.password_file: set only one of "password", "password_file" or "password_env"`},
		{name: "env variable unset", src: "[imap]\nhost = \"imap.example.com\"\nusername = \"amy\"\npassword_env = \"IMAP_PASSWORD\"",
			want: `config.toml:4:1: imap.password_env: the environment variable IMAP_PASSWORD is not set (or is empty): set it where rapport starts, or use password_file instead`},
		{name: "env name invalid", src: "[imap]\nhost = \"imap.example.com\"\nusername = \"amy\"\npassword_env = \"$IMAP\"",
			want: `config.toml:4:1: imap.password_env: "$IMAP" is not an environment variable name (letters, digits and _, like "SMTP_PASSWORD")`},
		{name: "secret file missing", src: "[imap]\nhost = \"imap.example.com\"\nusername = \"amy\"\npassword_file = \"/nonexistent/imap\"",
			want: `config.toml:4:1: imap.password_file: cannot read /nonexistent/imap: no such file or directory`},
		{name: "password missing", src: "[email]\ntransport = \"smtp\"\n[email.smtp]\nhost = \"smtp.example.com\"\nusername = \"amy\"",
			want: `config.toml:3:8: email.smtp.password is missing: set password_file = "/path/to/file" (safest), password_env = "VARIABLE", or password = "..."; under systemd, LoadCredential=smtp_password:/path/to/file also works`},
		{name: "password without username", src: "[email]\ntransport = \"smtp\"\n[email.smtp]\nhost = \"smtp.example.com\"\npassword = \"pw\"",
			want: `config.toml:3:8: email.smtp.username is missing: a password is set, so the username to log in with is needed too`},
		{name: "token with odd characters", src: "[sms]\ntransport = \"twilio\"\n[sms.twilio]\naccount_sid = \"AC0123456789abcdef0123456789abcdef\"\nauth_token = \"abc-123\"\nfrom = \"+13125550100\"",
			want: `config.toml:5:1: sms.twilio.auth_token: the auth token must be only letters and digits: check it was copied whole`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := tt.src
			if !tt.standalone {
				src += "\n" + repSection
			}
			dir := t.TempDir()
			_, problems := parse(t, dir, src, tt.env)
			if !slices.Contains(problems, tt.want) {
				t.Errorf("want the problem\n  %s\ngot\n  %s", tt.want, strings.Join(problems, "\n  "))
			}
		})
	}
}
