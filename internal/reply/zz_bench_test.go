package reply_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/reply"
)

func TestBig(t *testing.T) {
	inputs := map[string]string{
		"noleak":  strings.Repeat("no leak ", 130000),
		"attrib":  strings.Repeat("On Mon wrote:\n", 70000) + strings.Repeat("\n", 100000),
		"attrib2": strings.Repeat("On Mon x\n", 100000),
		"from":    strings.Repeat("From: x\n", 100000),
		"quote":   strings.Repeat("> x\n", 200000),
	}
	f := reply.NewFlagger([]string{"rash"})
	for name, in := range inputs {
		start := time.Now()
		reply.Trim(in)
		f.Scan(in)
		reply.LikelyOptOut(in)
		t.Logf("%s: %v", name, time.Since(start))
		raw := "From: a@b.c\r\nContent-Type: text/html\r\n\r\n" + strings.Repeat("<blockquote>", 50000) + in
		start = time.Now()
		reply.ParseMail([]byte(raw))
		t.Logf("%s parse html: %v", name, time.Since(start))
	}
}
