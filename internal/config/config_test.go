package config

import (
	"github.com/rapportapp/rapport/internal/mailauth"

	"errors"
	"flag"
	"fmt"
	"net/mail"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/schedule"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// repSection is the least a config needs. Cases put it last, so their own
// lines start at line 1 and positions in expectations are easy to read.
const repSection = `
[rep]
name = "Amy Kline"
email = "amy@example.com"
postal_address = "123 Main St, Springfield, IL 62701"
timezone = "America/Chicago"
`

// parse parses src as dir/config.toml with the given environment and
// returns the problems with dir cut from their paths.
func parse(t *testing.T, dir, src string, env map[string]string) (*Config, []string) {
	t.Helper()
	c, err := Parse(filepath.Join(dir, "config.toml"), []byte(src), func(k string) string { return env[k] })
	if err == nil {
		return c, nil
	}
	var cerr *Error
	if !errors.As(err, &cerr) {
		t.Fatalf("Parse returned %T (%v), want *config.Error values", err, err)
	}
	return nil, strings.Split(strings.ReplaceAll(err.Error(), dir+string(filepath.Separator), ""), "\n")
}

func mustParse(t *testing.T, dir, src string, env map[string]string) *Config {
	t.Helper()
	c, problems := parse(t, dir, src, env)
	if problems != nil {
		t.Fatalf("unexpected problems:\n%s", strings.Join(problems, "\n"))
	}
	return c
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestDefaults(t *testing.T) {
	dir := t.TempDir()
	got := mustParse(t, dir, repSection, nil)

	want := Default(dir)
	chicago, _ := time.LoadLocation("America/Chicago")
	want.Rep = Rep{
		Name: "Amy Kline", Email: "amy@example.com", PostalAddress: "123 Main St, Springfield, IL 62701",
		Country: "US", TimeZone: "America/Chicago", Location: chicago,
	}
	want.Email.From = mail.Address{Name: "Amy Kline", Address: "amy@example.com"}
	want.Notify.Email = "amy@example.com"
	if !reflect.DeepEqual(got, want) {
		t.Errorf("defaults differ:\n got %+v\nwant %+v", got, want)
	}
	if got.Database.Path != filepath.Join(dir, "rapport.db") || got.Outbox.Dir != filepath.Join(dir, "outbox") {
		t.Errorf("paths not resolved against the config folder: %q, %q", got.Database.Path, got.Outbox.Dir)
	}
	if got.IMAP.Enabled() {
		t.Error("IMAP enabled without [imap] host")
	}
}

func TestValues(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name  string
		src   string
		check func(*Config) any // returns what was read
		want  any
	}{
		{"phone normalised", "[rep]\nphone = \"(312) 555-0100\"", func(c *Config) any { return c.Rep.Phone }, "+13125550100"},
		{"phone of another country", "[rep]\ncountry = \"gb\"\nphone = \"020 7946 0018\"", func(c *Config) any { return c.Rep.Phone }, "+442079460018"},
		{"empty phone is none", "[rep]\nphone = \"\"", func(c *Config) any { return c.Rep.Phone }, ""},
		{"holidays", "[sending]\nholidays = [\"2026-12-25\"]", func(c *Config) any { return c.Sending.Holidays },
			[]schedule.Date{{Year: 2026, Month: 12, Day: 25}}},
		{"smtp port follows tls", "[email.smtp]\ntls = \"tls\"", func(c *Config) any { return c.Email.SMTP.Port }, 465},
		{"smtp port for none", "[email.smtp]\ntls = \"NONE\"", func(c *Config) any { return c.Email.SMTP.Port }, 25},
		{"explicit port wins", "[email.smtp]\ntls = \"tls\"\nport = 2465", func(c *Config) any { return c.Email.SMTP.Port }, 2465},
		{"imap starttls port", "[imap]\ntls = \"starttls\"", func(c *Config) any { return c.IMAP.Port }, 143},
		{"from with name", "[email]\nfrom = \"Amy at Home <amy@home.example>\"", func(c *Config) any { return c.Email.From.String() },
			`"Amy at Home" <amy@home.example>`},
		{"reply_to", "[email]\nreply_to = \"replies@example.com\"", func(c *Config) any { return c.Email.ReplyTo.Address }, "replies@example.com"},
		{"public url from wildcard listen", "[http]\nlisten = \"0.0.0.0:9000\"", func(c *Config) any { return c.HTTP.PublicURL }, "http://localhost:9000"},
		{"public url trimmed", "[http]\npublic_url = \"https://r.example.com/\"", func(c *Config) any { return c.HTTP.PublicURL }, "https://r.example.com"},
		{"trusted proxies", "[http]\ntrusted_proxies = [\"127.0.0.1\", \" 10.1.2.3/8 \", \"::1\", \"::ffff:192.0.2.7\", \"2001:db8::/32\"]",
			func(c *Config) any { return fmt.Sprint(c.HTTP.TrustedProxies) },
			"[127.0.0.1/32 10.0.0.0/8 ::1/128 192.0.2.7/32 2001:db8::/32]"},
		{"session idle in days", "[http]\nsession_idle = \"3d\"", func(c *Config) any { return c.HTTP.SessionIdle }, 72 * time.Hour},
		{"session idle in weeks", "[http]\nsession_idle = \"2w\"", func(c *Config) any { return c.HTTP.SessionIdle }, 14 * 24 * time.Hour},
		{"session idle in hours", "[http]\nsession_idle = \"12h\"", func(c *Config) any { return c.HTTP.SessionIdle }, 12 * time.Hour},
		{"sms rate as integer", "[sms]\nrate = 2", func(c *Config) any { return c.SMS.Rate }, 2.0},
		{"sms daily cap by default", "", func(c *Config) any { return c.SMS.MaxPerDay }, 1000},
		{"sms daily cap", "[sms]\nmax_per_day = 6000", func(c *Config) any { return c.SMS.MaxPerDay }, 6000},
		{"problem words lower-cased", "[policy]\nproblem_words = [\" Cracked \"]", func(c *Config) any { return c.Policy.ProblemWords }, []string{"cracked"}},
		{"delivery_within by default", "", func(c *Config) any { return c.Policy.DeliveryWithin.String() }, "7bd"},
		{"delivery_within, named policy inherits", "[policy]\ndelivery_within = \"5d\"\n[policy.acme]\nchase_after = \"1bd\"",
			func(c *Config) any {
				return c.Policy.DeliveryWithin.String() + " " + c.Policy.Named["acme"].DeliveryWithin.String()
			}, "5d 5d"},
		{"policy delay", "[policy]\nreport_damage_within = \"10bd\"", func(c *Config) any { return c.Policy.ReportDamageWithin.String() }, "10bd"},
		{"log level", "[log]\nlevel = \"DEBUG\"\nformat = \"json\"", func(c *Config) any { return c.Log.Level.String() + " " + c.Log.Format }, "DEBUG json"},
		{"remind_at defaults to the digest's time", "[notify]\ndigest_at = \"06:15\"", func(c *Config) any { return c.Notify.RemindAt.String() }, "06:15"},
		{"remind_at", "[notify]\ndigest_at = \"06:15\"\nremind_at = \"17:30\"", func(c *Config) any { return c.Notify.RemindAt.String() }, "17:30"},
		{"notify sms", "[notify]\nsms = \"312-555-0100\"", func(c *Config) any { return c.Notify.SMS }, "+13125550100"},
		{"plain smtp to this machine", "[email.smtp]\nhost = \"127.0.0.1\"\ntls = \"none\"\nusername = \"u\"", func(c *Config) any { return c.Email.SMTP.TLS }, TLSNone},
		{"dotted keys", "sending.at = \"09:15\"", func(c *Config) any { return c.Sending.At.String() }, "09:15"},
		{"imap enabled", "[imap]\nhost = \"imap.example.com\"\nusername = \"amy\"\npassword = \"pw\"",
			func(c *Config) any { return c.IMAP.Enabled() }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The case's [rep] keys merge into repSection's table.
			src := tt.src + "\n" + repSection
			if strings.HasPrefix(tt.src, "[rep]") {
				src = repSection + strings.TrimPrefix(tt.src, "[rep]")
			}
			c := mustParse(t, dir, src, nil)
			if got := tt.check(c); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v, want %#v", got, tt.want)
			}
		})
	}
}

func TestRelativePaths(t *testing.T) {
	dir := t.TempDir()
	c := mustParse(t, dir, "[database]\npath = \"data/r.db\"\n[outbox]\ndir = \"/var/spool/rapport\"\n"+repSection, nil)
	if want := filepath.Join(dir, "data", "r.db"); c.Database.Path != want {
		t.Errorf("database.path = %q, want %q", c.Database.Path, want)
	}
	if c.Outbox.Dir != "/var/spool/rapport" {
		t.Errorf("outbox.dir = %q, want the absolute path kept", c.Outbox.Dir)
	}
	if c.Path != filepath.Join(dir, "config.toml") || c.Dir() != dir {
		t.Errorf("Path = %q, Dir = %q", c.Path, c.Dir())
	}
}

func TestExampleLoads(t *testing.T) {
	data, err := os.ReadFile("../../config.toml.example")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Parse("../../config.toml.example", data, nil)
	if err != nil {
		t.Fatalf("config.toml.example: %v", err)
	}
	root, _ := filepath.Abs("../..")
	if c.Email.Transport != TransportOutbox || c.SMS.Transport != TransportOutbox {
		t.Errorf("transports = %q, %q; the example must work with no accounts", c.Email.Transport, c.SMS.Transport)
	}
	if c.Database.Path != filepath.Join(root, "rapport.db") {
		t.Errorf("database.path = %q", c.Database.Path)
	}
}

// commentedKey matches an example line such as "# host = ..." or
// "# [imap]": the commented-out settings a rep is invited to turn on.
var commentedKey = regexp.MustCompile(`^# (\[[a-z.]+\]|[a-z_]+ = .*)$`)

// TestExampleCommentedSectionsLoad turns on every commented-out setting of
// the example, with real transports, and checks the result is valid too.
func TestExampleCommentedSectionsLoad(t *testing.T) {
	data, err := os.ReadFile("../../config.toml.example")
	if err != nil {
		t.Fatal(err)
	}
	skip := regexp.MustCompile(`^# (messaging_service_sid|secret_file) `) // alternatives to lines kept
	var lines []string
	for line := range strings.Lines(string(data)) {
		line = strings.TrimRight(line, "\n")
		if commentedKey.MatchString(line) && !skip.MatchString(line) {
			line = strings.TrimPrefix(line, "# ")
		}
		lines = append(lines, line)
	}
	src := strings.Join(lines, "\n")
	src = strings.Replace(src, `transport = "outbox"`, `transport = "smtp"`, 1)
	src = strings.Replace(src, `transport = "outbox"`, `transport = "twilio"`, 1)

	env := map[string]string{"SMTP_PASSWORD": "smtp-pw", "TWILIO_AUTH_TOKEN": "0123456789abcdef", "IMAP_PASSWORD": "imap-pw"}
	dir := t.TempDir()
	key, err := mailauth.GenerateKey(mailauth.KeyEd25519)
	if err != nil {
		t.Fatal(err)
	}
	if err := mailauth.WriteKey(filepath.Join(dir, "dkim-s1.pem"), key); err != nil {
		t.Fatal(err)
	}
	c := mustParse(t, dir, src, env)
	if c.Email.DKIM == nil || c.Email.MaxPerDay != 500 {
		t.Errorf("[email.dkim] or max_per_day not read: %+v", c.Email)
	}
	if c.Email.SMTP.Password.Reveal() != "smtp-pw" || c.SMS.Twilio.AuthToken.Reveal() != "0123456789abcdef" ||
		c.IMAP.Password.Reveal() != "imap-pw" {
		t.Error("secrets not read from the environment")
	}
	if !c.IMAP.Enabled() || c.SMS.Twilio.From != "+13125550100" || c.Email.SMTP.Host != "smtp.example.com" {
		t.Errorf("commented sections not read: %+v", c)
	}
}

func TestFind(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	etc := filepath.Join(dir, "etc", "config.toml")
	candidates := []string{"config.toml", etc}

	if _, err := find("", candidates); err == nil || !strings.Contains(err.Error(), "config.toml and "+etc) {
		t.Errorf("nothing to find: error %v, want one listing both places", err)
	}
	writeFile(t, etc, repSection)
	if got, err := find("", candidates); err != nil || got != etc {
		t.Errorf("find = %q, %v; want %q", got, err, etc)
	}
	writeFile(t, "config.toml", repSection)
	if got, err := find("", candidates); err != nil || got != "config.toml" {
		t.Errorf("find = %q, %v; want the local config.toml first", got, err)
	}
	if got, err := find(etc, candidates); err != nil || got != etc {
		t.Errorf("explicit: %q, %v", got, err)
	}
	if _, err := find("missing.toml", candidates); err == nil || !strings.Contains(err.Error(), "missing.toml does not exist") {
		t.Errorf("explicit missing file: error %v", err)
	}
	if got, err := Find("config.toml"); err != nil || got != "config.toml" {
		t.Errorf("Find = %q, %v", got, err)
	}
}

// TestAllProblemsAtOnce checks a file full of mistakes against the exact
// report a rep would see (go test -update rewrites it).
func TestAllProblemsAtOnce(t *testing.T) {
	src, err := os.ReadFile("testdata/many-problems.toml")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Parse("testdata/many-problems.toml", src, func(string) string { return "" })
	if err == nil {
		t.Fatal("no problems reported")
	}
	got := err.Error() + "\n"
	golden := "testdata/many-problems.errors"
	if *update {
		writeFile(t, golden, got)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if got != string(want) {
		t.Errorf("report differs from %s:\n--- got\n%s--- want\n%s", golden, got, want)
	}
	var prev [2]int
	for l := range strings.Lines(got) {
		m := problemPos.FindStringSubmatch(l)
		if m == nil {
			t.Fatalf("problem without a position: %q", l)
		}
		line, _ := strconv.Atoi(m[1])
		col, _ := strconv.Atoi(m[2])
		if line < prev[0] || line == prev[0] && col < prev[1] {
			t.Errorf("problems out of file order at %q", l)
		}
		prev = [2]int{line, col}
	}
}

var problemPos = regexp.MustCompile(`^[^:]+:(\d+):(\d+): `)
