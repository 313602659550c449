// Package tomlerr words the TOML parser's errors for the files reps edit.
package tomlerr

import (
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"
)

// Message is the parser's message on one line: it can quote the text it
// choked on, newlines and control characters included, and each problem
// Rapport prints is one "file:line:col: message" line.
// Control characters are written the way a Go string literal would.
func Message(pe toml.ParseError) string {
	var b strings.Builder
	for _, r := range pe.Message {
		if r < 0x20 || r == 0x7f {
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
