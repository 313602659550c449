package contact

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on free text, in characters. A name or invoice number longer than
// this is a pasted paragraph, not a name: it would make greetings no one
// reads and texts Twilio refuses. Items may list a whole order.
const (
	MaxNameLen    = 100
	MaxInvoiceLen = 100
	MaxItemsLen   = 2000
)

// CleanText makes one free-text field safe to store and to put in a
// message: control characters (NUL, escape, tabs...) and invisible
// direction overrides are removed, line breaks are kept only when
// multiline (else they become spaces, so a name never prints as two
// lines), runs of spaces in a one-line field become one, and the text is
// cut to limit characters. The note says what was changed, for the rep,
// or is "" when the value only lost surrounding spaces.
func CleanText(s string, limit int, multiline bool) (v, note string) {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	v, stripped := stripControls(s, multiline)
	if !multiline {
		v = strings.Join(strings.Fields(v), " ")
	}
	v = strings.TrimSpace(v)
	var notes []string
	if stripped {
		notes = append(notes, "control characters or line breaks removed")
	}
	if n := utf8.RuneCountInString(v); n > limit {
		v = strings.TrimSpace(string([]rune(v)[:limit]))
		notes = append(notes, fmt.Sprintf("cut to %d characters (it had %d)", limit, n))
	}
	return v, strings.Join(notes, ", ")
}

// stripControls drops control and direction-override characters; line
// ends become "\n" when multiline, else a space; a tab becomes a space.
// It reports whether anything but a line end in a multiline field went.
func stripControls(s string, multiline bool) (string, bool) {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	var b strings.Builder
	stripped := false
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\u2028' || r == '\u2029':
			if multiline {
				b.WriteByte('\n')
				continue
			}
			b.WriteByte(' ')
			stripped = true
		case r == '\t':
			b.WriteByte(' ')
			stripped = true
		case unicode.IsControl(r) || isDirectionOverride(r):
			stripped = true
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), stripped
}

// isDirectionOverride reports the bidirectional embedding, override and
// isolate controls: invisible, they make a name display as other text.
func isDirectionOverride(r rune) bool {
	return (r >= '\u202a' && r <= '\u202e') || (r >= '\u2066' && r <= '\u2069')
}

// Clean cleans the contact's free text (names, consent sources) in place and
// returns what it changed, one note per field ("first name: cut to 100
// characters (it had 3000)"). Import calls it on every row; a form that
// edits a customer calls it too.
func (c *Contact) Clean() []string {
	var notes []string
	clean := func(what string, p *string, limit int) {
		var note string
		if *p, note = CleanText(*p, limit, false); note != "" {
			notes = append(notes, what+": "+note)
		}
	}
	clean("first name", &c.FirstName, MaxNameLen)
	clean("last name", &c.LastName, MaxNameLen)
	clean("state", &c.State, MaxNameLen)
	clean("SMS consent source", &c.SMSConsentSource, MaxNameLen)
	clean("email marketing source", &c.EmailMarketingSource, MaxNameLen)
	return notes
}

// Clean cleans the order's invoice and company (one line each) and items
// (may be several lines) in place and returns what it changed, as Contact.Clean does.
func (o *Order) Clean() []string {
	var notes []string
	var note string
	if o.Invoice, note = CleanText(o.Invoice, MaxInvoiceLen, false); note != "" {
		notes = append(notes, "invoice: "+note)
	}
	if o.Items, note = CleanText(o.Items, MaxItemsLen, true); note != "" {
		notes = append(notes, "items: "+note)
	}
	if o.Company, note = CleanText(o.Company, MaxNameLen, false); note != "" {
		notes = append(notes, "company: "+note)
	}
	return notes
}
