package tmpl_test

import (
	"strings"
	"testing"

	"github.com/rapportapp/rapport/internal/tmpl"
)

func TestSegments(t *testing.T) {
	const gsm, ucs = tmpl.EncodingGSM7, tmpl.EncodingUCS2
	a := func(n int) string { return strings.Repeat("a", n) }
	tests := []struct {
		name string
		text string
		n    int
		enc  string
	}{
		{"empty", "", 0, gsm},
		{"short", "Hi Jane, it's Amy.", 1, gsm},
		{"160 plain", a(160), 1, gsm},
		{"161 plain", a(161), 2, gsm},
		{"306 plain", a(306), 2, gsm},
		{"307 plain", a(307), 3, gsm},
		{"GSM accents count one", strings.Repeat("é", 160), 1, gsm},
		{"euro counts two", a(158) + "€", 1, gsm},
		{"euro over the edge", a(159) + "€", 2, gsm},
		{"brace counts two", a(159) + "{", 2, gsm},
		{"80 extension chars", strings.Repeat("{", 80), 1, gsm},
		{"extension pair not split", a(152) + "€" + a(100), 2, gsm},
		{"extension pair pushed over", a(152) + "€" + a(152), 3, gsm},
		{"newline is GSM", "a\nb\r\n", 1, gsm},
		{"curly quote forces UCS-2", "I’m here", 1, ucs},
		{"70 UCS-2", strings.Repeat("ж", 70), 1, ucs},
		{"71 UCS-2", strings.Repeat("ж", 71), 2, ucs},
		{"134 UCS-2", strings.Repeat("ж", 134), 2, ucs},
		{"135 UCS-2", strings.Repeat("ж", 135), 3, ucs},
		{"emoji is two code units", strings.Repeat("😊", 35), 1, ucs},
		{"36 emoji", strings.Repeat("😊", 36), 2, ucs},
		{"surrogate pair not split", a(66) + "😊" + a(60), 2, ucs},
		{"surrogate pair pushed over", a(66) + "😊" + a(66), 3, ucs},
		{"one emoji in a GSM text", a(69) + "😊", 2, ucs},
	}
	for _, tt := range tests {
		n, enc := tmpl.Segments(tt.text)
		if n != tt.n || enc != tt.enc {
			t.Errorf("%s: Segments = %d, %s; want %d, %s", tt.name, n, enc, tt.n, tt.enc)
		}
	}
}

func TestWithStopNotice(t *testing.T) {
	tests := []struct{ body, want string }{
		{"Hi Jane, it's Amy.", "Hi Jane, it's Amy.\nReply STOP to opt out."},
		{"Hi Jane.\n\n", "Hi Jane.\nReply STOP to opt out."},
		{"Hi. Reply STOP to end these.", "Hi. Reply STOP to end these."},
		{"Hi. Text stop anytime.", "Hi. Text stop anytime."},
		{"I'll stop by Friday.", "I'll stop by Friday.\nReply STOP to opt out."},
	}
	for _, tt := range tests {
		if got := tmpl.WithStopNotice(tt.body); got != tt.want {
			t.Errorf("WithStopNotice(%q) = %q, want %q", tt.body, got, tt.want)
		}
	}
}
