package tmpl

import (
	"regexp"
	"slices"
	"strings"
	"unicode/utf16"
)

// Text encodings, as Segments reports them.
const (
	EncodingGSM7 = "GSM-7"
	EncodingUCS2 = "UCS-2"
)

// StopNotice is added to a contact's first text.
const StopNotice = "Reply STOP to opt out."

// The GSM 03.38 default alphabet (without the escape code) and the
// characters of its extension table, which are sent as escape + char and
// so take two of a segment's septets.
const (
	gsmBasic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
		"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsmExtension = "\f^{}\\[~]|€"
)

// Segments returns how many SMS segments text is sent as, and in which
// encoding. GSM-7 fits 160 septets in one segment or 153 per segment when
// split; anything outside GSM-7 sends the whole text as UCS-2, 70 UTF-16
// code units in one segment or 67 per segment. A character is never split
// across segments (an extension character's escape pair, or a surrogate
// pair), so a split text can need one more segment than a plain division.
func Segments(text string) (n int, encoding string) {
	if widths, ok := gsmWidths(text); ok {
		return pack(widths, 160, 153), EncodingGSM7
	}
	widths := make([]int, 0, len(text))
	for _, r := range text {
		widths = append(widths, max(utf16.RuneLen(r), 1))
	}
	return pack(widths, 70, 67), EncodingUCS2
}

// gsmWidths returns each character's size in septets, or false when a
// character has no GSM-7 form.
func gsmWidths(text string) ([]int, bool) {
	widths := make([]int, 0, len(text))
	for _, r := range text {
		switch {
		case strings.ContainsRune(gsmBasic, r):
			widths = append(widths, 1)
		case strings.ContainsRune(gsmExtension, r):
			widths = append(widths, 2)
		default:
			return nil, false
		}
	}
	return widths, true
}

// pack counts segments: one if everything fits in single, otherwise
// segments of at most multi units without splitting a character.
func pack(widths []int, single, multi int) int {
	total := 0
	for _, w := range widths {
		total += w
	}
	switch {
	case total == 0:
		return 0
	case total <= single:
		return 1
	}
	n, used := 1, 0
	for _, w := range widths {
		if used+w > multi {
			n, used = n+1, 0
		}
		used += w
	}
	return n
}

// nonGSM returns the distinct characters of text that force UCS-2, for a
// warning that tells the rep what to change.
func nonGSM(text string) []string {
	var out []string
	for _, r := range text {
		c := string(r)
		if !strings.ContainsRune(gsmBasic+gsmExtension, r) && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

var stopMention = regexp.MustCompile(`(?i)\b(reply|text|send)\s+"?stop\b`)

// WithStopNotice returns body with "Reply STOP to opt out." on a line of
// its own, unless the body already tells the reader how to stop.
func WithStopNotice(body string) string {
	if stopMention.MatchString(body) {
		return body
	}
	return strings.TrimRight(body, " \n") + "\n" + StopNotice
}
