package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"text/template"
	"time"
)

// areaCodes are real US area codes; with the fictional 555-0100..0199
// exchange each gives 100 numbers that libphonenumber accepts.
var areaCodes = []int{
	201, 202, 203, 205, 206, 207, 208, 209, 210, 212, 213, 214, 215, 216, 217, 218, 219, 224, 225, 228,
	229, 231, 234, 239, 240, 248, 251, 252, 253, 254, 256, 260, 262, 267, 269, 270, 272, 276, 281, 301,
}

// maxTexts is how many distinct phone numbers areaCodes give.
var maxTexts = len(areaCodes) * 100

// recipient is one contact the harness expects exactly one message for.
type recipient struct {
	Last    string // unique, also in the message so bodies differ
	Email   string // set for email contacts
	Phone   string // E.164, set for text contacts
	Channel string // "email" or "sms"
}

// recipients lays out emails+texts contacts, interleaving the channels
// evenly so every stretch of the queue (and so every kill) mixes both.
func recipients(emails, texts int) []recipient {
	total := emails + texts
	out := make([]recipient, 0, total)
	e, t := 0, 0
	for i := range total {
		if (i+1)*texts/total > i*texts/total {
			out = append(out, recipient{
				Last:    fmt.Sprintf("T%05d", t),
				Phone:   fmt.Sprintf("+1%d55501%02d", areaCodes[t/100], t%100),
				Channel: "sms",
			})
			t++
			continue
		}
		out = append(out, recipient{
			Last:    fmt.Sprintf("E%05d", e),
			Email:   fmt.Sprintf("e%05d@example.net", e),
			Channel: "email",
		})
		e++
	}
	return out
}

// writeCSV writes the contacts file `rapport import` reads. Text contacts
// have a mobile number and recorded consent but no email, email contacts
// only an email, so the one step reaches each by exactly one channel.
func writeCSV(path string, rs []recipient) error {
	var buf bytes.Buffer
	w := csv.NewWriter(&buf)
	w.Write([]string{"First Name", "Last Name", "Email", "Mobile Phone", "SMS Consent", "Consent Date", "Consent Source"})
	for _, r := range rs {
		consent, date, source := "", "", ""
		if r.Phone != "" {
			consent, date, source = "yes", "2026-01-01", "crash harness"
		}
		w.Write([]string{"Crash", r.Last, r.Email, r.Phone, consent, date, source})
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}

// settings fill config.toml.
type settings struct {
	TimeZone  string
	SMTPPort  int
	EmailRate float64 // per minute
	TwilioURL string
	SID       string
	Token     string
	TextRate  float64 // per second
	Listen    string
}

var configTemplate = template.Must(template.New("config").Parse(`# Written by the crash harness (bench/crash).
[rep]
name = "Crash Harness"
email = "rep@example.org"
postal_address = "1 Test Way, Springfield, IL 62701"
country = "US"
timezone = "{{.TimeZone}}"

[database]
path = "rapport.db"

[sending]
allowed_hours = "08:00-21:00"

[email]
transport = "smtp"

[email.smtp]
host = "127.0.0.1"
port = {{.SMTPPort}}
tls = "none"
rate = {{.EmailRate}}
timeout = "10s"

[sms]
transport = "twilio"
rate = {{.TextRate}}

[sms.twilio]
account_sid = "{{.SID}}"
auth_token = "{{.Token}}"
from = "+13125550100"
api_base_url = "{{.TwilioURL}}"

[http]
listen = "{{.Listen}}"
`))

// campaignFile gives each new contact one message, due as soon as they
// are imported: a text when they can take texts, else an email.
const campaignFile = `name = "Crash harness"
trigger = "contact"
pause_on_reply = false

[[step]]
id = "hello"
after = "0d"
at = "00:00"
channel = "sms"
fallback = "email"
template = "crash-hello"
`

const emailTemplate = `+++
subject = "Hello {{.Contact.FirstName}} {{.Contact.LastName}}"
+++

Hi {{.Contact.FirstName}} {{.Contact.LastName}}, one email from the crash harness.
`

const textTemplate = "Hi {{.Contact.FirstName}} {{.Contact.LastName}}, one text from the crash harness.\n"

// writeWorkspace replaces what `rapport init` laid out in dir with the
// harness's config, its one campaign and its two templates.
func writeWorkspace(dir string, s settings) error {
	var cfg bytes.Buffer
	if err := configTemplate.Execute(&cfg, s); err != nil {
		return err
	}
	for _, sub := range []string{"campaigns", "templates"} {
		if err := os.RemoveAll(filepath.Join(dir, sub)); err != nil {
			return err
		}
		if err := os.Mkdir(filepath.Join(dir, sub), 0o755); err != nil {
			return err
		}
	}
	files := map[string]string{
		"config.toml":                    cfg.String(),
		"campaigns/crash.toml":           campaignFile,
		"templates/crash-hello.email.md": emailTemplate,
		"templates/crash-hello.sms.txt":  textTemplate,
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			return fmt.Errorf("write workspace: %w", err)
		}
	}
	return nil
}

// middayZone names a fixed-offset zone where it is now about noon, so the
// whole run sits inside the texting hours (08:00-21:00) whatever the time
// of day on this machine, without faking the clock: Twilio's answers carry
// real times and the daemon compares them with its own.
func middayZone(now time.Time) string {
	east := 12 - now.UTC().Hour() // hours east of UTC
	if east > 14 {
		east -= 24
	}
	if east < -12 {
		east += 24
	}
	switch {
	case east > 0:
		return fmt.Sprintf("Etc/GMT-%d", east) // POSIX sign: GMT-5 is UTC+5
	case east < 0:
		return fmt.Sprintf("Etc/GMT+%d", -east)
	}
	return "Etc/GMT"
}
