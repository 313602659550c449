package config

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestFullFixture(t *testing.T) {
	creds := t.TempDir()
	writeFile(t, filepath.Join(creds, "imap_password"), "imap from systemd\n")
	env := map[string]string{"TWILIO_AUTH_TOKEN": "abcdef0123456789", "CREDENTIALS_DIRECTORY": creds}
	src, err := os.ReadFile("testdata/full.toml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse("testdata/full.toml", src, func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	testdata, _ := filepath.Abs("testdata")
	checks := []struct {
		name      string
		got, want any
	}{
		{"database.path", c.Database.Path, filepath.Join(testdata, "state", "rapport.db")},
		{"sending.at", c.Sending.At.String(), "09:30"},
		{"sending.allowed_hours", c.Sending.AllowedHours.String(), "09:00-19:00"},
		{"sending.max_texts_per_day", c.Sending.MaxTextsPerDay, 2},
		{"sending.holidays", words(c.Sending.Holidays), "[2026-12-25 2027-01-01]"},
		{"sending.retry", words(c.Sending.MaxAttempts, c.Sending.RetryBase, c.Sending.RetryMax), "5 30s 2h0m0s"},
		{"email.from", c.Email.From.String(), `"Amy at Home" <amy@example.com>`},
		{"email.reply_to", c.Email.ReplyTo.Address, "replies@example.com"},
		{"email.smtp", words(c.Email.SMTP.Host, c.Email.SMTP.Port, c.Email.SMTP.TLS, c.Email.SMTP.Rate, c.Email.SMTP.Timeout),
			"smtp.example.com 2587 starttls 30 10s"},
		{"email.smtp.password_file", c.Email.SMTP.Password.Reveal(), "s3cret smtp"},
		{"sms.rate", c.SMS.Rate, 0.5},
		{"sms.twilio.auth_token_env", c.SMS.Twilio.AuthToken.Reveal(), "abcdef0123456789"},
		{"sms.twilio.messaging_service_sid", c.SMS.Twilio.MessagingServiceSID, "MG0123456789abcdef0123456789abcdef"},
		{"sms.twilio.api_base_url", c.SMS.Twilio.APIBaseURL, "http://127.0.0.1:9999"},
		{"outbox.dir", c.Outbox.Dir, "/var/spool/rapport"},
		{"http", words(c.HTTP.Listen, c.HTTP.PublicURL), "127.0.0.1:8081 https://rapport.example.com"},
		{"http.secret", c.HTTP.Secret.Reveal(), "0123456789abcdef0123456789abcdef"},
		{"imap", words(c.IMAP.Host, c.IMAP.Port, c.IMAP.TLS, c.IMAP.Mailbox, c.IMAP.Interval), "imap.example.com 1993 tls Replies 5m0s"},
		{"imap.password credential", c.IMAP.Password.Reveal(), "imap from systemd"},
		{"notify", words(c.Notify.Email, c.Notify.SMS, c.Notify.DigestAt), "amy.alerts@example.com +13125550199 06:45"},
		{"policy", words(c.Policy.ReportDamageWithin, c.Policy.MoneyBackGuarantee, c.Policy.ReturnAuthorizationValid, c.Policy.ProblemWords),
			"5bd 30d 2w [cracked missing]"},
		{"log", words(c.Log.Format, c.Log.Level), "json WARN"},
	}
	for _, ch := range checks {
		if fmt.Sprint(ch.got) != fmt.Sprint(ch.want) {
			t.Errorf("%s = %v, want %v", ch.name, ch.got, ch.want)
		}
	}
}

// words prints values separated by spaces.
func words(values ...any) string { return strings.TrimSuffix(fmt.Sprintln(values...), "\n") }

// TestSecretSources covers where a secret may come from, and in which order:
// the config's own key (inline, _file or _env) first, then systemd's
// credentials directory.
func TestSecretSources(t *testing.T) {
	const imap = "[imap]\nhost = \"imap.example.com\"\nusername = \"amy\"\n"
	tests := []struct {
		name  string
		src   string
		files map[string]string // relative to the config folder
		env   map[string]string // "CREDS" stands for a credentials folder
		want  string
	}{
		{"inline", imap + `password = "inline pw"`, nil, nil, "inline pw"},
		{"file, relative, newline trimmed", imap + `password_file = "secrets/imap"`,
			map[string]string{"secrets/imap": "from file\r\n"}, nil, "from file"},
		{"file keeps inner spaces", imap + `password_file = "pw"`, map[string]string{"pw": " a b \n"}, nil, " a b "},
		{"env", imap + `password_env = "IMAP_PW"`, nil, map[string]string{"IMAP_PW": "from env"}, "from env"},
		{"credentials directory", imap, map[string]string{"creds/imap_password": "from systemd\n"},
			map[string]string{"CREDENTIALS_DIRECTORY": "CREDS"}, "from systemd"},
		{"config beats credentials", imap + `password_env = "IMAP_PW"`, map[string]string{"creds/imap_password": "from systemd"},
			map[string]string{"CREDENTIALS_DIRECTORY": "CREDS", "IMAP_PW": "from env"}, "from env"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, content := range tt.files {
				writeFile(t, filepath.Join(dir, name), content)
			}
			env := map[string]string{}
			for k, v := range tt.env {
				env[k] = strings.ReplaceAll(v, "CREDS", filepath.Join(dir, "creds"))
			}
			c := mustParse(t, dir, tt.src+"\n"+repSection, env)
			if got := c.IMAP.Password.Reveal(); got != tt.want {
				t.Errorf("password = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestSecretsOfUnusedSectionsAreNotRead(t *testing.T) {
	// Kept for later: SMTP is configured but the outbox is in use, so an
	// unset variable and a missing file must not stop Rapport.
	src := "[email.smtp]\nhost = \"smtp.example.com\"\nusername = \"amy\"\npassword_env = \"UNSET\"\n" +
		"[sms.twilio]\nauth_token_file = \"/nonexistent\"\n" + repSection
	c := mustParse(t, t.TempDir(), src, nil)
	if c.Email.SMTP.Password != "" || c.SMS.Twilio.AuthToken != "" {
		t.Error("secrets of unused transports were read")
	}
}

func TestSecretFileEmpty(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "pw"), "\n")
	_, problems := parse(t, dir, "[imap]\nhost = \"imap.example.com\"\nusername = \"amy\"\npassword_file = \"pw\"\n"+repSection, nil)
	want := "config.toml:4:1: imap.password_file: the file pw is empty" // parse cuts dir from messages
	if len(problems) != 1 || problems[0] != want {
		t.Errorf("got %q, want %q", problems, want)
	}
}

// TestSecretsNeverShown prints a config every way the daemon might and
// checks no secret comes out; errors must not quote them either.
func TestSecretsNeverShown(t *testing.T) {
	const token = "tok3nS3cr3tValue"
	src := "[http]\nsecret = \"" + token + "-long-enough\"\n" +
		"[imap]\nhost = \"imap.example.com\"\nusername = \"amy\"\npassword = \"" + token + "\"\n" + repSection
	c := mustParse(t, t.TempDir(), src, nil)

	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("config", "imap_password", c.IMAP.Password, "http", c.HTTP)
	asJSON, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{
		fmt.Sprintf("%v %+v %#v %s %q %x", c, c, c, c.IMAP.Password, c.IMAP.Password, c.IMAP.Password),
		fmt.Sprint(*c), logged.String(), string(asJSON),
	} {
		if strings.Contains(out, token) {
			t.Errorf("secret leaked in %q", out)
		}
	}
	if !strings.Contains(logged.String(), `"imap_password":"[hidden]"`) {
		t.Errorf("secret not shown as hidden in logs: %s", logged.String())
	}

	// A rejected token must not be echoed back.
	bad := "[sms]\ntransport = \"twilio\"\n[sms.twilio]\naccount_sid = \"AC0123456789abcdef0123456789abcdef\"\n" +
		"auth_token = \"" + token + "!\"\nfrom = \"+13125550100\"\n" + repSection
	_, problems := parse(t, t.TempDir(), bad, nil)
	if len(problems) == 0 || strings.Contains(strings.Join(problems, "\n"), token) {
		t.Errorf("problems %q: want one, not quoting the token", problems)
	}
}

func TestDefaultIsUsable(t *testing.T) {
	c := Default("/srv/rapport")
	if c.Database.Path != "/srv/rapport/rapport.db" || c.Outbox.Dir != "/srv/rapport/outbox" {
		t.Errorf("paths = %q, %q", c.Database.Path, c.Outbox.Dir)
	}
	if c.Rep.Location != time.UTC || c.Sending.MaxTextsPerDay != 3 || c.Email.SMTP.Timeout != 30*time.Second {
		t.Errorf("unexpected defaults: %+v", c)
	}
}
