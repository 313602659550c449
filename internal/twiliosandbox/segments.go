package twiliosandbox

import (
	"strings"
	"unicode/utf16"
)

// gsm7 holds the GSM 03.38 basic character set; gsm7Ext the characters
// that take an escape plus one more septet.
const (
	gsm7 = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
		"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	gsm7Ext = "^{}\\[~]|€\f"
)

// Segments returns how many SMS segments body takes, as Twilio counts them
// for num_segments: 160 GSM-7 septets in one segment or 153 per part when
// split; 70 UCS-2 code units or 67 per part once anything is outside GSM-7.
func Segments(body string) int {
	if body == "" {
		return 1
	}
	if n, ok := septets(body); ok {
		return parts(n, 160, 153)
	}
	return parts(len(utf16.Encode([]rune(body))), 70, 67)
}

// septets counts body's GSM-7 septets, or reports that it needs UCS-2.
func septets(body string) (int, bool) {
	n := 0
	for _, r := range body {
		switch {
		case strings.ContainsRune(gsm7, r):
			n++
		case strings.ContainsRune(gsm7Ext, r):
			n += 2
		default:
			return 0, false
		}
	}
	return n, true
}

func parts(n, single, multi int) int {
	if n <= single {
		return 1
	}
	return (n + multi - 1) / multi
}
