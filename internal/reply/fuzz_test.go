package reply_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rapportapp/rapport/internal/reply"
)

// FuzzParseMail checks that no input makes ParseMail panic and that what it
// returns is safe to store and show.
func FuzzParseMail(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed fixtures: %v", err)
	}
	for _, name := range files {
		raw, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
	flagger := reply.NewFlagger([]string{"rash"})
	f.Fuzz(func(t *testing.T, raw []byte) {
		m, err := reply.ParseMail(raw)
		if err != nil {
			return
		}
		for field, s := range map[string]string{"Text": m.Text, "FullText": m.FullText, "Subject": m.Subject, "FromName": m.FromName} {
			if !utf8.ValidString(s) {
				t.Errorf("%s is not valid UTF-8: %q", field, s)
			}
		}
		if m.From != strings.ToLower(m.From) {
			t.Errorf("From %q is not lower-cased", m.From)
		}
		if len(m.Text) > len(m.FullText) {
			t.Errorf("Text (%d bytes) longer than FullText (%d bytes)", len(m.Text), len(m.FullText))
		}
		if m.Bounce != nil && m.Auto == "" {
			t.Error("a bounce is not marked automatic")
		}
		flagger.Scan(m.Text)
	})
}

// FuzzSMSKeyword checks that keywords ignore surrounding space and, for
// ASCII text, case.
func FuzzSMSKeyword(f *testing.F) {
	for _, s := range []string{"STOP", "stop.", " Stop all ", "yes", "HELP!", "please stop texting me", "ＳＴＯＰ", "🛑stop🛑", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		k := reply.SMSKeyword(body)
		if k < reply.None || k > reply.Help {
			t.Fatalf("SMSKeyword(%q) = %d", body, k)
		}
		if len(body) < 60 {
			if got := reply.SMSKeyword(" \t" + body + "\n "); got != k {
				t.Errorf("padding changed SMSKeyword(%q) from %v to %v", body, k, got)
			}
		}
		if isASCII(body) {
			if lo, up := reply.SMSKeyword(strings.ToLower(body)), reply.SMSKeyword(strings.ToUpper(body)); lo != k || up != k {
				t.Errorf("case changed SMSKeyword(%q): %v, lower %v, upper %v", body, k, lo, up)
			}
		}
		if k == reply.Stop && reply.LikelyOptOut(body) {
			t.Errorf("LikelyOptOut(%q) is true for a STOP keyword", body)
		}
	})
}

// FuzzTrim checks that trimming never grows the text or panics.
func FuzzTrim(f *testing.F) {
	f.Add("Yes!\n\nOn Mon, Amy wrote:\n> Did it arrive?")
	f.Add("> q\nanswer\n-- \nsig")
	f.Fuzz(func(t *testing.T, s string) {
		if got := reply.Trim(s); len(got) > len(s) {
			t.Errorf("Trim grew %q to %q", s, got)
		}
	})
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}
