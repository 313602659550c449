package channel

import (
	"strings"
	"unicode"
)

// HeaderText makes text safe for a mail header value (a subject, a display
// name, an attachment's name): control characters, CR and LF above all,
// which would start a new header, become spaces, and runs of spaces
// collapse to one. Templates clean a subject with it when they render, and
// the email transport again when it builds, because a Message can come
// from elsewhere.
func HeaderText(s string) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	return strings.Join(strings.Fields(s), " ")
}
