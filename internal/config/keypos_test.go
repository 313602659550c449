package config

import (
	"testing"

	"github.com/BurntSushi/toml"
)

const keyPosDoc = `# at = "08:00" in a comment is not a key
top = 1
[sending]
  at = "10:00"   # trailing comment with key = "x"
note = """
fake = "inside a multi-line string"
[not-a-table]
"""
holidays = [
  "2026-12-25", # a ] and a # inside
  "2027-01-01",
]
literal = '''
x = 1 '''
after = true
"quoted key" = 2
smtp.host = "dotted"

[email . smtp]
host = "h"
inline = { port = 25 }

[[step]]
id = "first"
[[step]]
id = "second"
[step.when]
days = 3
[[step]]
channel = "sms"
`

func TestKeyPos(t *testing.T) {
	var tree map[string]any
	if _, err := toml.Decode(keyPosDoc, &tree); err != nil {
		t.Fatalf("the test document must be valid TOML: %v", err) // indexKeys assumes it
	}
	tests := []struct {
		table, key string
		line, col  int
	}{
		{"", "top", 2, 1},
		{"", "sending", 3, 2},
		{"sending", "at", 4, 3},
		{"sending", "fake", 0, 0}, // inside a string
		{"", "not-a-table", 0, 0},
		{"sending", "holidays", 9, 1},
		{"sending", "literal", 13, 1},
		{"sending", "x", 0, 0},
		{"sending", "after", 15, 1},
		{"sending", "quoted key", 16, 1},
		{"sending", "smtp", 17, 1},
		{"sending", "smtp.host", 17, 6},
		{"sending.smtp", "host", 17, 6},
		{"email", "", 19, 2},
		{"email.smtp", "", 19, 10},
		{"email.smtp", "host", 20, 1},
		{"email.smtp", "inline", 21, 1},
		{"email.smtp.inline", "port", 0, 0}, // inline tables are not indexed
		{"", "step", 23, 3},
		{"step[0]", "id", 24, 1},
		{"step[1]", "id", 26, 1},
		{"step[1].when", "days", 28, 1},
		{"step[1]", "when", 27, 7},
		{"step[2]", "channel", 30, 1},
		{"step[3]", "id", 0, 0},
		{"nowhere", "at", 0, 0},
	}
	pos := indexKeys([]byte(keyPosDoc))
	for _, tt := range tests {
		path := tt.table
		if tt.key != "" {
			path = join(tt.table, tt.key)
		}
		if p := pos[path]; p.Line != tt.line || p.Col != tt.col {
			t.Errorf("%q is at %d:%d, want %d:%d", path, p.Line, p.Col, tt.line, tt.col)
		}
	}
}

func TestKeyPosCRLF(t *testing.T) {
	src := []byte("[rep]\r\nname = \"Amy\"\r\n\r\n[sending]\r\nat = \"10:00\"\r\n")
	if p := indexKeys(src)["sending.at"]; p.Line != 5 || p.Col != 1 {
		t.Errorf("sending.at is at %d:%d, want 5:1", p.Line, p.Col)
	}
}
