// Package termsafe makes text that customers wrote (names, notes, replies,
// invoice fields) safe to print on the rep's terminal.
//
// A reply can carry escape sequences that retitle the window, clear the
// screen, hide a link behind other text (OSC 8) or reorder what is shown
// (bidi overrides). Printed raw, the rep would see something other than
// what was sent. Every such character is shown as a visible escape
// instead, so nothing is lost and nothing is interpreted. JSON output does
// not go through here: it stays exact.
package termsafe

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// Text returns s with every character a terminal would act on written as
// a visible escape (\x1b, \u202e); line breaks and tabs stay, for
// multi-line text such as a reply.
func Text(s string) string { return escape(s, true) }

// Line is Text for one line of output (a name, a table cell): line
// breaks are escaped too, so they cannot break the layout.
func Line(s string) string { return escape(s, false) }

func escape(s string, keepBreaks bool) string {
	if !needsEscape(s, keepBreaks) {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 16)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			fmt.Fprintf(&b, `\x%02x`, s[i])
		case unsafe(r, keepBreaks) && r < 0x80:
			fmt.Fprintf(&b, `\x%02x`, r)
		case unsafe(r, keepBreaks):
			fmt.Fprintf(&b, `\u%04x`, r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

func needsEscape(s string, keepBreaks bool) bool {
	if !utf8.ValidString(s) {
		return true
	}
	return strings.ContainsFunc(s, func(r rune) bool { return unsafe(r, keepBreaks) })
}

// unsafe reports a character a terminal acts on instead of showing: C0
// controls (ESC starts every escape sequence, CR overwrites the line), DEL,
// C1 controls (0x9b is a one-byte CSI), and the invisible marks that
// reorder text (bidi embeddings, overrides, isolates).
func unsafe(r rune, keepBreaks bool) bool {
	switch {
	case r == '\n' || r == '\t':
		return !keepBreaks
	case r < 0x20, r == 0x7f, r >= 0x80 && r <= 0x9f:
		return true
	case r == 0x061c, r == 0x200e, r == 0x200f, r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}
