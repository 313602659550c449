package config

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// starterWith returns config.toml.example with every commented-out line
// turned on (its smtp, twilio and imap sections) and the transports set.
func starterWith(t *testing.T, emailTransport, smsTransport string) string {
	t.Helper()
	data, err := os.ReadFile("../../config.toml.example")
	if err != nil {
		t.Fatal(err)
	}
	skip := regexp.MustCompile(`^# (messaging_service_sid|secret_file|reply_to|domain|selector|private_key_file) `) // [email.dkim] needs a key file: see TestExampleCommentedSectionsLoad
	var lines []string
	for line := range strings.Lines(string(data)) {
		line = strings.TrimRight(line, "\n")
		if commentedKey.MatchString(line) && !skip.MatchString(line) {
			line = strings.TrimPrefix(line, "# ")
		}
		lines = append(lines, line)
	}
	src := strings.Join(lines, "\n")
	// The first transport line is [email]'s, the second [sms]'s.
	parts := strings.SplitN(src, `transport = "outbox"`, 3)
	if len(parts) != 3 {
		t.Fatal("config.toml.example has no two transport lines")
	}
	return parts[0] + fmt.Sprintf("transport = %q", emailTransport) + parts[1] + fmt.Sprintf("transport = %q", smsTransport) + parts[2]
}

var liveEnv = map[string]string{"SMTP_PASSWORD": "pw", "TWILIO_AUTH_TOKEN": "0123456789abcdef", "IMAP_PASSWORD": "pw"}

// lineOf is the 1-based line where "key = " is first written in src,
// inside [section].
func lineOf(t *testing.T, src, section, key string) int {
	t.Helper()
	in := false
	for i, l := range strings.Split(src, "\n") {
		l = strings.TrimSpace(l)
		if strings.HasPrefix(l, "[") {
			in = l == "["+section+"]"
		}
		if in && strings.HasPrefix(l, key+" = ") {
			return i + 1
		}
	}
	t.Fatalf("[%s] %s not in the file", section, key)
	return 0
}

// The starter's example values are fine while nothing leaves the machine,
// and each is an error at its own line once a transport sends for real.
func TestSendingProblemsStarterPlaceholders(t *testing.T) {
	keys := []struct{ section, key string }{
		{"rep", "email"}, {"rep", "phone"}, {"rep", "postal_address"}, {"email", "from"},
		{"email.smtp", "host"}, {"email.smtp", "username"}, {"http", "public_url"},
		{"imap", "host"}, {"notify", "email"}, {"notify", "sms"},
	}
	for _, tc := range []struct {
		name, email, sms string
		want             bool
	}{
		{"outbox", "outbox", "outbox", false},
		{"smtp", "smtp", "outbox", true},
		{"twilio", "outbox", "twilio", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			src := starterWith(t, tc.email, tc.sms)
			c := mustParse(t, dir, src, liveEnv)
			err := c.SendingProblems()
			if !tc.want {
				if err != nil {
					t.Fatalf("problems with nothing sent for real:\n%v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("no problems, want the starter's examples refused")
			}
			got := err.Error()
			for _, k := range keys {
				want := fmt.Sprintf("%s:%d:1: %s.%s: ", filepath.Join(dir, "config.toml"), lineOf(t, src, k.section, k.key), k.section, k.key)
				if !strings.Contains(got, want) {
					t.Errorf("no problem starting %q in:\n%s", want, got)
				}
			}
			if n := strings.Count(got, "\n") + 1; n != len(keys) {
				t.Errorf("%d problems, want %d:\n%s", n, len(keys), got)
			}
		})
	}
}

// ownSettings is a config a rep has filled in, sending for real.
const ownSettings = `
[rep]
name = "Amy Kline"
email = "amy@klineessentials.com"
phone = "+13125551234"
postal_address = "PO Box 12, Springfield, IL 62701"
timezone = "America/Chicago"
[email]
transport = "smtp"
[email.smtp]
host = "smtp.fastmail.com"
username = "amy@klineessentials.com"
password = "pw"
[sms]
transport = "twilio"
[sms.twilio]
account_sid = "AC0123456789abcdef0123456789abcdef"
auth_token = "abc123"
from = "+13125551234"
[http]
public_url = "https://rapport.klineessentials.com"
`

func TestSendingProblems(t *testing.T) {
	for _, tc := range []struct {
		name      string
		old, new  string
		want      string // "" for none
		transport []string
	}{
		{name: "filled in", transport: []string{`email.transport = "smtp" (smtp.fastmail.com)`, `sms.transport = "twilio"`}},
		{name: "public_url not https",
			old: `public_url = "https://rapport.klineessentials.com"`, new: `public_url = "http://rapport.klineessentials.com"`,
			want: `config.toml:21:1: http.public_url: "http://rapport.klineessentials.com" is not https, and email.transport = "smtp" (smtp.fastmail.com) and sms.transport = "twilio" send for real`},
		{name: "public_url left out",
			old: `public_url = "https://rapport.klineessentials.com"`, new: ``,
			want: `config.toml:20:2: http.public_url: "http://127.0.0.1:8080" is not https`},
		{name: "texts to a Twilio here, email to a server here",
			old: "[http]\npublic_url = \"https://rapport.klineessentials.com\"", new: "[sms.twilio.x]",
		},
		{name: "example reply_to",
			old: "[email.smtp]", new: "reply_to = \"amy@example.org\"\n[email.smtp]",
			want: `config.toml:10:1: email.reply_to: "amy@example.org" is the starter's example`},
		{name: "fictional notify number",
			old: "[http]", new: "[notify]\nsms = \"+1 312 555 0199\"\n[http]",
			want: `config.toml:21:1: notify.sms: "+13125550199" is the starter's example (555-01xx numbers are fictional)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(ownSettings, tc.old, tc.new, 1)
			if tc.name == "texts to a Twilio here, email to a server here" {
				src = strings.Replace(src, `host = "smtp.fastmail.com"`, `host = "127.0.0.1"`, 1)
				src = strings.Replace(src, `from = "+13125551234"`, "from = \"+13125551234\"\napi_base_url = \"http://127.0.0.1:8089\"", 1)
				src = strings.Replace(src, "[sms.twilio.x]", "", 1)
			}
			dir := t.TempDir()
			c := mustParse(t, dir, src, nil)
			if tc.transport != nil && strings.Join(c.RealTransports(), "|") != strings.Join(tc.transport, "|") {
				t.Errorf("RealTransports() = %q, want %q", c.RealTransports(), tc.transport)
			}
			err := c.SendingProblems()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("unexpected problems:\n%v", err)
			case tc.want == "":
			case err == nil:
				t.Errorf("no problem, want %q", tc.want)
			case !strings.HasPrefix(strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), ""), tc.want):
				t.Errorf("problem:\n%v\nwant it to start:\n%s", err, tc.want)
			}
		})
	}
}
