package tomlerr

import (
	"strings"
	"testing"

	"github.com/BurntSushi/toml"
)

func TestMessageIsOneLine(t *testing.T) {
	var v map[string]any
	_, err := toml.Decode("name = \"a\\\n\"\nx = \"\x1f\"\n", &v)
	pe, ok := err.(toml.ParseError)
	if !ok {
		t.Fatalf("Decode = %v, want a ParseError", err)
	}
	msg := Message(pe)
	if strings.ContainsAny(msg, "\n\r\x1f") || !strings.Contains(msg, `\n`) {
		t.Errorf("Message = %q; want one line with the newline written as \\n", msg)
	}
}
