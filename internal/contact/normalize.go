package contact

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"

	"github.com/nyaruka/phonenumbers"
)

// NormalizeEmail trims and lower-cases an e-mail address and checks that
// it can receive mail. "Bob <Bob@Example.com>" gives "bob@example.com".
func NormalizeEmail(s string) (string, error) {
	addr, err := checkEmail(s)
	if err != nil {
		return "", fmt.Errorf("invalid email %q: %w", s, err)
	}
	return addr, nil
}

func checkEmail(s string) (string, error) {
	v := strings.TrimSpace(s)
	if len(v) >= 7 && strings.EqualFold(v[:7], "mailto:") {
		v = v[7:]
	}
	if v == "" {
		return "", errors.New("empty")
	}
	if !strings.Contains(v, "@") {
		return "", errors.New("missing @")
	}
	a, err := mail.ParseAddress(v)
	if err != nil {
		return "", explainEmail(v)
	}
	addr := strings.ToLower(a.Address)
	domain := addr[strings.LastIndexByte(addr, '@')+1:]
	switch {
	case strings.HasPrefix(domain, "["):
		return "", errors.New("the domain is an IP address")
	case !strings.Contains(domain, "."):
		return "", fmt.Errorf("the domain %q has no dot (like example.com)", domain)
	}
	return addr, nil
}

// explainEmail says in plain words why net/mail refused an address.
func explainEmail(v string) error {
	switch {
	case strings.HasSuffix(v, "@"):
		return errors.New("missing domain")
	case strings.HasPrefix(v, "@"):
		return errors.New("missing the name before @")
	case strings.Count(v, "@") > 1:
		return errors.New("more than one @")
	case strings.ContainsAny(v, " \t"):
		return errors.New("contains a space")
	case strings.Contains(v, ".."):
		return errors.New("two dots in a row")
	case strings.HasSuffix(v, "."):
		return errors.New("ends with a dot")
	}
	return errors.New("not a valid address")
}

// NormalizePhone returns a phone number in E.164 form (+13125550142).
// region is the two-letter country (US, GB, AU) of numbers written without
// a country code. An extension is dropped: texts go to the main number.
func NormalizePhone(s, region string) (string, error) {
	s = phoneInvisibles.Replace(s)
	e164, err := checkPhone(s, regionCode(region))
	if err != nil {
		return "", fmt.Errorf("invalid phone %q: %w", s, err)
	}
	return e164, nil
}

// phoneInvisibles are the characters phone apps put in numbers that
// libphonenumber does not read: the direction marks an iPhone wraps a
// number in (U+202A…U+202C, U+200E, U+200F), zero-width characters, and
// non-breaking hyphens and spaces.
var phoneInvisibles = strings.NewReplacer(
	"\u202a", "", "\u202b", "", "\u202c", "", "\u202d", "", "\u202e", "",
	"\u2066", "", "\u2067", "", "\u2068", "", "\u2069", "",
	"\u200e", "", "\u200f", "", "\u200b", "", "\u200c", "", "\u200d", "", "\u2060", "", "\ufeff", "",
	"\u2010", "-", "\u2011", "-", "\u00a0", " ", "\u202f", " ", "\u2007", " ",
)

// regionCode is a country code as phonenumbers spells it.
func regionCode(region string) string {
	region = strings.ToUpper(strings.TrimSpace(region))
	if region == "UK" {
		return "GB"
	}
	return region
}

func checkPhone(s, region string) (string, error) {
	v := strings.TrimSpace(s)
	if v == "" {
		return "", errors.New("empty")
	}
	// phonenumbers.Parse accepts almost anything digit-like ("12"); only
	// IsValidNumber checks the number against the country's numbering plan.
	n, err := phonenumbers.Parse(v, region)
	if err != nil {
		return "", explainPhoneParse(err, region)
	}
	if !validNumber(n, region) {
		return "", explainInvalidPhone(n)
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// validNumber is phonenumbers.IsValidNumber(n), at about half its cost
// for a number of the rep's own country. IsValidNumber first finds the
// number's region, trying the regions that share its country code in
// the library's order, each against its whole numbering plan, and then
// checks the number against that region's plan again. When region is the
// first to be tried for the code (the US for +1, GB for +44), a number
// valid there is the one IsValidNumber finds valid there: one check says
// it. Anything else goes the whole way. The phone checks are most of an
// import's CPU.
func validNumber(n *phonenumbers.PhoneNumber, region string) bool {
	regions := phonenumbers.GetRegionCodesForCountryCode(int(n.GetCountryCode()))
	if len(regions) > 0 && regions[0] == region && phonenumbers.IsValidNumberForRegion(n, region) {
		return true
	}
	return phonenumbers.IsValidNumber(n)
}

func explainPhoneParse(err error, region string) error {
	switch {
	case errors.Is(err, phonenumbers.ErrNotANumber):
		return errors.New("not a phone number")
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode) && region == "":
		return errors.New("no country code: write it with + and the country code, like +1 312 555 0142")
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
		return errors.New("unknown country code after +")
	case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
		return errors.New("too short")
	case errors.Is(err, phonenumbers.ErrNumTooLong):
		return errors.New("too long")
	}
	return errors.New("not a phone number")
}

func explainInvalidPhone(n *phonenumbers.PhoneNumber) error {
	switch phonenumbers.IsPossibleNumberWithReason(n) {
	case phonenumbers.TOO_SHORT:
		return errors.New("too short")
	case phonenumbers.TOO_LONG:
		return errors.New("too long")
	case phonenumbers.IS_POSSIBLE_LOCAL_ONLY:
		return errors.New("missing the area code")
	case phonenumbers.INVALID_COUNTRY_CODE:
		return errors.New("unknown country code")
	}
	region := phonenumbers.GetRegionCodeForCountryCode(int(n.GetCountryCode()))
	return fmt.Errorf("not a valid %s number", region)
}

// ParseDate reads a date as reps' files write it and returns it as
// YYYY-MM-DD. Accepted: 2026-03-15; 3/15/2026 with the month first in
// the US, Canada and the Philippines, 15/03/2026 with the day first
// elsewhere (also with dots or dashes, and two-digit years, taken as
// 20YY); "Mar 15, 2026", "15 March 2026", "15-Mar-26"; RFC 3339. A time
// after the date is ignored. An empty region means US.
func ParseDate(s, region string) (string, error) {
	d, err := parseDate(s, monthFirst(region))
	if err != nil {
		return "", fmt.Errorf("invalid date %q: %w", s, err)
	}
	return d, nil
}

// parseDate is ParseDate with the order of day and month given: true
// reads 3/4/2026 as March 4.
func parseDate(s string, monthFirst bool) (string, error) {
	t, err := parseDay(s, monthFirst)
	if err != nil {
		return "", err
	}
	return t.Format(time.DateOnly), nil
}

// parseTimestamp reads an RFC 3339 time, kept as such, or a date.
func parseTimestamp(s string, monthFirst bool) (string, error) {
	if t, err := parseRFC3339(strings.TrimSpace(s)); err == nil {
		return t.Format(time.RFC3339), checkYear(t.Year())
	}
	return parseDate(s, monthFirst)
}

// errNoTime says a value has no time of day, so it is no RFC 3339 time.
var errNoTime = errors.New("no time of day")

// parseRFC3339 reads an RFC 3339 time. A value without the T before the
// time of day is not one: most dates of a file are not, and time.Parse
// made an error of each (an import's every row paid for it).
func parseRFC3339(v string) (time.Time, error) {
	if !strings.ContainsAny(v, "Tt") {
		return time.Time{}, errNoTime
	}
	return time.Parse(time.RFC3339, v)
}

var namedDateLayouts = []string{
	"Jan 2, 2006", "January 2, 2006", "Jan. 2, 2006", "Jan 2 2006", "January 2 2006",
	"Mon, Jan 2, 2006", "Monday, January 2, 2006",
	"2 Jan 2006", "2 January 2006", "2-Jan-2006", "2-Jan-06", "2006-Jan-02",
}

func parseDay(s string, first bool) (time.Time, error) {
	v := strings.TrimSpace(s)
	if v == "" {
		return time.Time{}, errors.New("empty")
	}
	if t, err := parseRFC3339(v); err == nil {
		return t, checkYear(t.Year())
	}
	if t, ok, err := numericDate(v, first); ok {
		return t, err
	}
	for _, layout := range namedDateLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return t, checkYear(t.Year())
		}
	}
	example := "15/03/2026"
	if first {
		example = "3/15/2026"
	}
	return time.Time{}, fmt.Errorf("not a date; write it like 2026-03-15, %s or Mar 15, 2026", example)
}

// checkYear catches typos such as 0226 or 20266.
func checkYear(y int) error {
	if y < 1900 || y > 2200 {
		return fmt.Errorf("the year %d is out of range", y)
	}
	return nil
}

// monthFirst tells whether a country writes 3/15/2026 rather than 15/3/2026.
func monthFirst(region string) bool {
	switch regionCode(region) {
	case "", "US", "CA", "PH", "PR", "GU", "VI", "AS", "MP", "UM":
		return true
	}
	return false
}

// numericDate reads dates made of three numbers. ok is false when s is not
// such a date; err says why one is impossible.
func numericDate(s string, monthFirst bool) (t time.Time, ok bool, err error) {
	p, yearFirst, ok := dateNumbers(s)
	switch {
	case !ok:
		return time.Time{}, false, nil
	case yearFirst:
		return checkDate(p[0], p[1], p[2], "year-month-day")
	}
	y := p[2]
	if y < 100 {
		y += 2000
	}
	if monthFirst {
		return checkDate(y, p[0], p[1], "month/day/year")
	}
	return checkDate(y, p[1], p[0], "day/month/year")
}

// dateNumbers splits a date made of three numbers, with or without a time
// of day after it (ignored).
func dateNumbers(s string) (p [3]int, yearFirst, ok bool) {
	date := s
	if i := strings.IndexAny(s, " T"); i >= 0 {
		if !strings.Contains(s[i:], ":") {
			return p, false, false
		}
		date = s[:i]
	}
	return threeNumbers(date)
}

// threeNumbers splits "2026-03-15", "3/15/2026" or "15.03.26".
func threeNumbers(s string) (p [3]int, yearFirst, ok bool) {
	i := strings.IndexAny(s, "/-.")
	if i < 0 {
		return p, false, false
	}
	parts := strings.Split(s, s[i:i+1])
	if len(parts) != 3 {
		return p, false, false
	}
	yearFirst = len(parts[0]) == 4
	for k, part := range parts {
		isYear := (k == 0 && yearFirst) || (k == 2 && !yearFirst)
		if !digitsOnly(part) || !validLen(len(part), isYear) {
			return p, false, false
		}
		for _, c := range part {
			p[k] = p[k]*10 + int(c-'0')
		}
	}
	return p, yearFirst, true
}

func validLen(n int, year bool) bool {
	if year {
		return n == 2 || n == 4
	}
	return n == 1 || n == 2
}

func digitsOnly(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func checkDate(y, m, d int, order string) (time.Time, bool, error) {
	if m < 1 || m > 12 {
		return time.Time{}, true, fmt.Errorf("there is no month %d (read as %s)", m, order)
	}
	if err := checkYear(y); err != nil {
		return time.Time{}, true, err
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if d < 1 || t.Day() != d {
		last := time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
		return time.Time{}, true, fmt.Errorf("%s %d has %d days (read as %s)", time.Month(m), y, last, order)
	}
	return t, true, nil
}

// NormalizeZone returns the IANA name of a time zone as an import reads
// it (Eastern, PST, america/chicago...), or an error that says what to
// write; a form that edits a customer checks its zone with it.
func NormalizeZone(s string) (string, error) { return normalizeZone(s) }

// normalizeZone returns the IANA name of a time zone, accepting the US
// names people write (Eastern, PST, US/Central) and IANA names in any case.
func normalizeZone(s string) (string, error) {
	if z := zoneAlias(normalize(s)); z != "" {
		return z, nil
	}
	if s != "Local" && !strings.EqualFold(s, "local") {
		if _, err := time.LoadLocation(s); err == nil {
			return s, nil
		}
		if z := titleZone(s); z != s {
			if _, err := time.LoadLocation(z); err == nil {
				return z, nil
			}
		}
	}
	return "", fmt.Errorf("unknown time zone %q: use a name like America/New_York, America/Chicago, America/Denver, America/Los_Angeles or Europe/London", s)
}

func zoneAlias(key string) string {
	switch key {
	case "eastern", "easterntime", "et", "est", "edt", "useastern", "easternstandardtime":
		return "America/New_York"
	case "central", "centraltime", "ct", "cst", "cdt", "uscentral", "centralstandardtime":
		return "America/Chicago"
	case "mountain", "mountaintime", "mt", "mst", "mdt", "usmountain", "mountainstandardtime":
		return "America/Denver"
	case "arizona", "usarizona":
		return "America/Phoenix"
	case "pacific", "pacifictime", "pt", "pst", "pdt", "uspacific", "pacificstandardtime":
		return "America/Los_Angeles"
	case "alaska", "akst", "akdt", "usalaska":
		return "America/Anchorage"
	case "hawaii", "hst", "ushawaii":
		return "Pacific/Honolulu"
	case "utc":
		return "UTC"
	}
	return ""
}

// titleZone capitalises each word of a zone name: america/new_york
// becomes America/New_York.
func titleZone(s string) string {
	b := []byte(strings.ToLower(s))
	for i := range b {
		if (i == 0 || b[i-1] == '/' || b[i-1] == '_' || b[i-1] == '-') && b[i] >= 'a' && b[i] <= 'z' {
			b[i] -= 'a' - 'A'
		}
	}
	return string(b)
}

// parseConsent reads a yes/no answer, or a subscription state as Klaviyo
// and Shopify write them (SUBSCRIBED, UNSUBSCRIBED, NEVER_SUBSCRIBED).
// known is false for a blank and for states that say neither yes nor no
// (never subscribed, pending). what names the column in the error.
func parseConsent(what, s string) (value, known bool, err error) {
	switch answerWord(s) {
	case "", "never subscribed", "not subscribed", "pending", "redacted", "invalid", "unknown":
		return false, false, nil
	case "yes", "y", "true", "t", "1", "x", "✓", "✔", "on", "opted in", "si", "sí", "oui", "ja",
		"subscribed", "subscribe", "confirmed":
		return true, true, nil
	case "no", "n", "false", "f", "0", "off", "opted out", "non", "nein",
		"unsubscribed", "unsubscribe", "declined":
		return false, true, nil
	}
	return false, false, fmt.Errorf("invalid %s %q: write yes or no, or leave it blank if you don't know", what, s)
}

// parseEmailStatus reads an email list's status column (Mailchimp's
// subscribed, unsubscribed, cleaned): EmailUnsubscribed, EmailBounced, or
// "" when the address may still get mail.
func parseEmailStatus(s string) (string, error) {
	switch answerWord(s) {
	case "", "subscribed", "active", "pending", "transactional", "never subscribed", "not subscribed", "non subscribed":
		return "", nil
	case "unsubscribed", "unsubscribe", "opted out":
		return EmailUnsubscribed, nil
	case "cleaned", "bounced", "hard bounce", "hard bounced":
		return EmailBounced, nil
	}
	return "", fmt.Errorf("invalid email status %q: write subscribed, unsubscribed or cleaned (bounced), or leave it blank", s)
}

// answerWord lower-cases an answer and reads _ and - as spaces:
// NEVER_SUBSCRIBED is "never subscribed".
func answerWord(s string) string {
	return strings.Join(strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return r == '_' || r == '-' || unicode.IsSpace(r)
	}), " ")
}

// splitName splits a full name into first and last: "Jane Q. Smith" gives
// "Jane" and "Q. Smith", "Smith, Jane" gives "Jane" and "Smith". The first
// word is taken as the first name, as that is what a greeting uses; a
// leading "Mrs." or "Dr." is dropped.
func splitName(full string) (first, last string) {
	full = strings.Join(strings.Fields(full), " ")
	if before, after, ok := strings.Cut(full, ","); ok && !isNameSuffix(after) {
		return strings.TrimSpace(after), strings.TrimSpace(before)
	} else if ok {
		full = before
	}
	first, last, _ = strings.Cut(full, " ")
	if isHonorific(first) && last != "" {
		first, last, _ = strings.Cut(last, " ")
	}
	return first, last
}

func isNameSuffix(s string) bool {
	switch strings.ToLower(strings.Trim(s, " .")) {
	case "jr", "sr", "ii", "iii", "iv", "md", "phd", "dds", "esq":
		return true
	}
	return false
}

func isHonorific(s string) bool {
	switch strings.ToLower(strings.TrimSuffix(s, ".")) {
	case "mr", "mrs", "ms", "miss", "mx", "dr", "prof":
		return true
	}
	return false
}
