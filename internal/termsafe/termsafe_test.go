package termsafe

import "testing"

func TestEscapes(t *testing.T) {
	tests := []struct{ name, in, text, line string }{
		{"plain", "Jane Rivera — 😊 ça va", "Jane Rivera — 😊 ça va", "Jane Rivera — 😊 ça va"},
		{"window title", "\x1b]0;pwned\x07hi", `\x1b]0;pwned\x07hi`, `\x1b]0;pwned\x07hi`},
		{"clear screen", "\x1b[2Jgone", `\x1b[2Jgone`, `\x1b[2Jgone`},
		{"osc 8 link", "\x1b]8;;https://evil.example\x1b\\click\x1b]8;;\x1b\\",
			`\x1b]8;;https://evil.example\x1b\click\x1b]8;;\x1b\`, `\x1b]8;;https://evil.example\x1b\click\x1b]8;;\x1b\`},
		{"c1 csi", "a\u009b2Jb\u0085", `a\u009b2Jb\u0085`, `a\u009b2Jb\u0085`},
		{"bidi override", "invoice \u202e4321\u202c and \u2066x\u2069", `invoice \u202e4321\u202c and \u2066x\u2069`, `invoice \u202e4321\u202c and \u2066x\u2069`},
		{"carriage return", "ok\rfake", `ok\x0dfake`, `ok\x0dfake`},
		{"line breaks", "one\n\ttwo", "one\n\ttwo", `one\x0a\x09two`},
		{"invalid utf-8", "a\xffb", `a\xffb`, `a\xffb`},
		{"delete", "a\x7fb", `a\x7fb`, `a\x7fb`},
	}
	for _, tt := range tests {
		if got := Text(tt.in); got != tt.text {
			t.Errorf("%s: Text(%q) = %q, want %q", tt.name, tt.in, got, tt.text)
		}
		if got := Line(tt.in); got != tt.line {
			t.Errorf("%s: Line(%q) = %q, want %q", tt.name, tt.in, got, tt.line)
		}
	}
}
