package contact

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// Key is how a rep names one contact: exactly one of its fields is set.
type Key struct {
	Email string // lower-cased
	Phone string // E.164
	ID    int64
}

// ParseKey reads what a rep types to name a contact: an email, a phone
// number in any way people write one ("(773) 555-0139", "773 555 0139",
// "+1 773 555 0139"; without a country code, one of region), or a contact
// id. A number that is a valid phone is a phone: ids never grow that long.
func ParseKey(s, region string) (Key, error) {
	v := strings.TrimSpace(s)
	if strings.Contains(v, "@") {
		email, err := NormalizeEmail(v)
		if err != nil {
			return Key{}, err
		}
		return Key{Email: email}, nil
	}
	if phone, err := NormalizePhone(v, region); err == nil {
		return Key{Phone: phone}, nil
	}
	if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
		return Key{ID: id}, nil
	}
	return Key{}, fmt.Errorf("%q is not an email, a phone number or a contact id", v)
}

// SearchPrefixes is what to look for at the start of contacts' names,
// emails and phones (E.164) when a rep searches for query: a whole phone
// number finds that number; the digits of part of one ("773 555") find
// the numbers that start with them, with or without the country code of
// region (+1773555, +773555), and the names and emails that start with
// them; anything else is the start of a name or an email.
func SearchPrefixes(query, region string) (text string, phones []string) {
	v := strings.TrimSpace(query)
	if phone, err := NormalizePhone(v, region); err == nil {
		return "", []string{phone}
	}
	digits, ok := phoneDigits(v)
	if !ok {
		return v, nil
	}
	if cc := phonenumbers.GetCountryCodeForRegion(region); cc != 0 {
		phones = append(phones, "+"+strconv.Itoa(cc)+digits)
	}
	return digits, append(phones, "+"+digits)
}

// phoneDigits returns the digits of s when s is written like part of a
// phone number (digits, spaces, + ( ) - .) with at least three digits.
func phoneDigits(s string) (string, bool) {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case strings.ContainsRune(" +()-.", r):
		default:
			return "", false
		}
	}
	return b.String(), b.Len() >= 3
}
