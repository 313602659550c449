package contact

import (
	"fmt"
	"github.com/nyaruka/phonenumbers"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		in, region, want, err string
	}{
		{"(312) 555-0100", "US", "+13125550100", ""},
		{"312-555-0100", "US", "+13125550100", ""},
		{"312.555.0100", "us", "+13125550100", ""},
		{"+1 312 555 0142", "US", "+13125550142", ""},
		{"+1 (312) 555-0142", "GB", "+13125550142", ""},
		{"1-312-555-0100", "US", "+13125550100", ""},
		{"001 312 555 0100", "GB", "+13125550100", ""},
		{" 312 555 0100 ", "US", "+13125550100", ""},
		{"(312) 555-0100 ext. 12", "US", "+13125550100", ""},
		{"312-555-0100 x204", "US", "+13125550100", ""},
		{"+1 201 555 0123", "", "+12015550123", ""},
		{"020 7946 0958", "GB", "+442079460958", ""},
		{"+44 20 7946 0958", "US", "+442079460958", ""},
		{"07400 123456", "GB", "+447400123456", ""},
		{"0491 570 156", "AU", "+61491570156", ""},
		{"0491 570 156", "au", "+61491570156", ""},
		{"020 7946 0958", "UK", "+442079460958", ""},
		{"(02) 9876 5432", "AU", "+61298765432", ""},
		// As iPhone exports write them: direction marks around the number,
		// non-breaking hyphens and spaces, zero-width characters.
		{"\u202a+1 (312) 555\u20110142\u202c", "US", "+13125550142", ""},
		{"\u200e(312)\u00a0555\u2011\u200b0100\u200f", "US", "+13125550100", ""},
		{"+44\u202f20\u202f7946\u202f0958", "US", "+442079460958", ""},
		{"\u202a12\u202c", "US", "", `invalid phone "12": too short`},
		{"12", "US", "", `invalid phone "12": too short`},
		{"555-0100", "US", "", `invalid phone "555-0100": missing the area code`},
		{"31255501000000", "US", "", `invalid phone "31255501000000": too long`},
		{"abc", "US", "", `invalid phone "abc": not a phone number`},
		{"", "US", "", `invalid phone "": empty`},
		{"+999 1234 5678", "US", "", `invalid phone "+999 1234 5678": unknown country code after +`},
		{"201 555 0123", "", "", `invalid phone "201 555 0123": no country code: write it with + and the country code, like +1 312 555 0142`},
		{"07700 900123", "GB", "", `invalid phone "07700 900123": not a valid GB number`},
		{"(312) 055-0100", "US", "", `invalid phone "(312) 055-0100": not a valid US number`},
	}
	for _, tt := range tests {
		got, err := NormalizePhone(tt.in, tt.region)
		if got != tt.want || errString(err) != tt.err {
			t.Errorf("NormalizePhone(%q, %q) = %q, %v; want %q, %s", tt.in, tt.region, got, err, tt.want, tt.err)
		}
	}
}

func TestNormalizeEmail(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{"bob@example.com", "bob@example.com", ""},
		{"  Bob.Smith@Example.COM ", "bob.smith@example.com", ""},
		{"Bob Smith <Bob@Example.com>", "bob@example.com", ""},
		{"mailto:bob@example.com", "bob@example.com", ""},
		{"o'neil+oils@mail.example.co.uk", "o'neil+oils@mail.example.co.uk", ""},
		{"josé@example.com", "josé@example.com", ""},
		{"", "", `invalid email "": empty`},
		{"bob", "", `invalid email "bob": missing @`},
		{"bob@", "", `invalid email "bob@": missing domain`},
		{"@example.com", "", `invalid email "@example.com": missing the name before @`},
		{"bob@@example.com", "", `invalid email "bob@@example.com": more than one @`},
		{"bob smith@example.com", "", `invalid email "bob smith@example.com": contains a space`},
		{"bob@localhost", "", `invalid email "bob@localhost": the domain "localhost" has no dot (like example.com)`},
		{"bob@example..com", "", `invalid email "bob@example..com": two dots in a row`},
		{"bob@example.com.", "", `invalid email "bob@example.com.": ends with a dot`},
		{"bob@exa(mple.com", "", `invalid email "bob@exa(mple.com": not a valid address`},
		{"bob@[127.0.0.1]", "", `invalid email "bob@[127.0.0.1]": the domain is an IP address`},
	}
	for _, tt := range tests {
		got, err := NormalizeEmail(tt.in)
		if got != tt.want || errString(err) != tt.err {
			t.Errorf("NormalizeEmail(%q) = %q, %v; want %q, %s", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in, region, want, err string
	}{
		{"2026-03-15", "US", "2026-03-15", ""},
		{"2026-3-5", "GB", "2026-03-05", ""},
		{"2026/03/15", "US", "2026-03-15", ""},
		{"3/15/2026", "US", "2026-03-15", ""},
		{"3/4/2026", "US", "2026-03-04", ""},
		{"3/4/2026", "CA", "2026-03-04", ""},
		{"3/4/2026", "PH", "2026-03-04", ""},
		{"3/4/2026", "", "2026-03-04", ""},
		{"3/4/2026", "GB", "2026-04-03", ""},
		{"15/03/2026", "AU", "2026-03-15", ""},
		{"15.03.2026", "DE", "2026-03-15", ""},
		{"15-03-26", "GB", "2026-03-15", ""},
		{"3/15/26", "US", "2026-03-15", ""},
		{"3/15/2026 2:30 PM", "US", "2026-03-15", ""},
		{"2026-03-15 14:30:00", "US", "2026-03-15", ""},
		{"2026-03-15T14:30:00", "US", "2026-03-15", ""},
		{"2026-03-15T23:30:00-05:00", "US", "2026-03-15", ""},
		{"2026-03-15T04:30:00Z", "US", "2026-03-15", ""},
		{"Jan 2, 2026", "US", "2026-01-02", ""},
		{"January 2, 2026", "GB", "2026-01-02", ""},
		{"jan 2 2026", "US", "2026-01-02", ""},
		{"Fri, Jan 2, 2026", "US", "2026-01-02", ""},
		{"2 January 2026", "GB", "2026-01-02", ""},
		{"2-Jan-26", "US", "2026-01-02", ""},
		{"2024-02-29", "US", "2024-02-29", ""},
		{"", "US", "", `invalid date "": empty`},
		{"15/03/2026", "US", "", `invalid date "15/03/2026": there is no month 15 (read as month/day/year)`},
		{"3/15/2026", "GB", "", `invalid date "3/15/2026": there is no month 15 (read as day/month/year)`},
		{"2026-02-30", "US", "", `invalid date "2026-02-30": February 2026 has 28 days (read as year-month-day)`},
		{"4/31/2026", "US", "", `invalid date "4/31/2026": April 2026 has 30 days (read as month/day/year)`},
		{"0/0/00", "US", "", `invalid date "0/0/00": there is no month 0 (read as month/day/year)`},
		{"1/1/1850", "US", "", `invalid date "1/1/1850": the year 1850 is out of range`},
		{"Jan 2, 0226", "US", "", `invalid date "Jan 2, 0226": the year 226 is out of range`},
		{"0226-01-02T10:00:00Z", "US", "", `invalid date "0226-01-02T10:00:00Z": the year 226 is out of range`},
		{"yesterday", "US", "", `invalid date "yesterday": not a date; write it like 2026-03-15, 3/15/2026 or Mar 15, 2026`},
		{"2026-13", "GB", "", `invalid date "2026-13": not a date; write it like 2026-03-15, 15/03/2026 or Mar 15, 2026`},
		{"3/15/202", "US", "", `invalid date "3/15/202": not a date; write it like 2026-03-15, 3/15/2026 or Mar 15, 2026`},
	}
	for _, tt := range tests {
		got, err := ParseDate(tt.in, tt.region)
		if got != tt.want || errString(err) != tt.err {
			t.Errorf("ParseDate(%q, %q) = %q, %v; want %q, %s", tt.in, tt.region, got, err, tt.want, tt.err)
		}
	}
}

func TestNormalizeZone(t *testing.T) {
	tests := []struct{ in, want string }{
		{"America/Chicago", "America/Chicago"},
		{"Europe/London", "Europe/London"},
		{"america/los_angeles", "America/Los_Angeles"},
		{"EUROPE/LONDON", "Europe/London"},
		{"Eastern", "America/New_York"},
		{"EST", "America/New_York"},
		{"US/Central", "America/Chicago"},
		{"Pacific Time", "America/Los_Angeles"},
		{"MST", "America/Denver"},
		{"Arizona", "America/Phoenix"},
		{"utc", "UTC"},
		{"UTC", "UTC"},
		{"Local", ""},
		{"Mars/Olympus", ""},
		{"../../etc/passwd", ""},
	}
	for _, tt := range tests {
		got, err := normalizeZone(tt.in)
		if got != tt.want || (err != nil) != (tt.want == "") {
			t.Errorf("normalizeZone(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParseConsent(t *testing.T) {
	for _, in := range []string{"yes", "Y", "TRUE", "1", "x", "X", " yes ", "SUBSCRIBED", "Subscribe"} {
		if v, known, err := parseConsent("SMS consent", in); !v || !known || err != nil {
			t.Errorf("parseConsent(%q) = %v, %v, %v; want true", in, v, known, err)
		}
	}
	for _, in := range []string{"no", "N", "false", "0", "UNSUBSCRIBED", "opted_out"} {
		if v, known, err := parseConsent("SMS consent", in); v || !known || err != nil {
			t.Errorf("parseConsent(%q) = %v, %v, %v; want false", in, v, known, err)
		}
	}
	// Never having subscribed is not a refusal, nor a yes.
	for _, in := range []string{"  ", "NEVER_SUBSCRIBED", "not subscribed", "PENDING"} {
		if _, known, err := parseConsent("SMS consent", in); known || err != nil {
			t.Errorf("parseConsent(%q): known %v, %v; want unknown", in, known, err)
		}
	}
	if _, _, err := parseConsent("email marketing", "maybe"); err == nil || !strings.Contains(err.Error(), `invalid email marketing "maybe"`) {
		t.Errorf("parseConsent(maybe) = %v; want an error naming email marketing", err)
	}
}

func TestParseEmailStatus(t *testing.T) {
	tests := map[string]string{
		"": "", "subscribed": "", "Pending": "", "transactional": "",
		"unsubscribed": EmailUnsubscribed, "UNSUBSCRIBED": EmailUnsubscribed,
		"cleaned": EmailBounced, "Bounced": EmailBounced, "hard-bounce": EmailBounced,
	}
	for in, want := range tests {
		if got, err := parseEmailStatus(in); got != want || err != nil {
			t.Errorf("parseEmailStatus(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	if _, err := parseEmailStatus("lead"); err == nil {
		t.Error("parseEmailStatus(lead) accepted")
	}
}

func TestSplitName(t *testing.T) {
	tests := []struct{ in, first, last string }{
		{"Jane Smith", "Jane", "Smith"},
		{"  Jane   Q.  Smith ", "Jane", "Q. Smith"},
		{"Jan van der Berg", "Jan", "van der Berg"},
		{"Smith, Jane", "Jane", "Smith"},
		{"Jane Smith, Jr.", "Jane", "Smith"},
		{"Mrs. Jane Smith", "Jane", "Smith"},
		{"Dr Lee", "Lee", ""},
		{"Madonna", "Madonna", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		if first, last := splitName(tt.in); first != tt.first || last != tt.last {
			t.Errorf("splitName(%q) = %q, %q; want %q, %q", tt.in, first, last, tt.first, tt.last)
		}
	}
}

func TestContactName(t *testing.T) {
	for _, tt := range []struct {
		c    Contact
		want string
	}{
		{Contact{FirstName: "Jane", LastName: "Smith"}, "Jane Smith"},
		{Contact{FirstName: "Jane"}, "Jane"},
		{Contact{LastName: "Smith"}, "Smith"},
		{Contact{Email: "a@example.com"}, ""},
	} {
		if got := tt.c.Name(); got != tt.want {
			t.Errorf("%+v.Name() = %q, want %q", tt.c, got, tt.want)
		}
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// TestValidNumberIsIsValidNumber: the shortcut for the rep's own country
// gives phonenumbers.IsValidNumber's answer, for every area code of the
// +1 plan seen from the US, Canada and a Caribbean island, and for random
// numbers of countries whose code several regions share.
func TestValidNumberIsIsValidNumber(t *testing.T) {
	rnd := rand.New(rand.NewPCG(20261204, 1))
	check := func(s, region string) {
		n, err := phonenumbers.Parse(s, region)
		if err != nil {
			return
		}
		if got, want := validNumber(n, region), phonenumbers.IsValidNumber(n); got != want {
			t.Errorf("%s read in %s: validNumber %v, IsValidNumber %v", s, region, got, want)
		}
	}
	for area := 200; area <= 999; area++ {
		s := fmt.Sprintf("+1 %d %03d %04d", area, 200+rnd.IntN(800), rnd.IntN(10000))
		for _, region := range []string{"US", "CA", "JM"} {
			check(s, region)
		}
	}
	for _, c := range []struct {
		code    string
		regions []string
	}{
		{"44", []string{"GB", "JE", "GG", "IM"}},
		{"7", []string{"RU", "KZ"}},
		{"61", []string{"AU", "CX"}},
		{"262", []string{"RE", "YT"}},
		{"33", []string{"FR"}},
	} {
		for range 400 {
			s := fmt.Sprintf("+%s %d", c.code, 1_000_000_000+rnd.Int64N(9_000_000_000))
			for _, region := range c.regions {
				check(s, region)
			}
		}
	}
}
