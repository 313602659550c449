package unsub

import (
	"strings"
	"testing"
)

func TestTokenRoundTripAndForgery(t *testing.T) {
	s := New([]byte("secret"))
	tok := s.Token("abc123")
	if uid, ok := s.UID(tok); !ok || uid != "abc123" {
		t.Fatalf("UID(%q) = %q, %v", tok, uid, ok)
	}
	forged := []string{
		"", "abc123", "abc123.", ".x", "abc124." + tok[len("abc123."):],
		tok + "x", New([]byte("other")).Token("abc123"),
	}
	for _, f := range forged {
		if uid, ok := s.UID(f); ok {
			t.Errorf("UID(%q) accepted as %q", f, uid)
		}
	}
	if got := s.URL("https://r.example.com/", "abc123"); got != "https://r.example.com/unsubscribe/"+tok {
		t.Errorf("URL = %q", got)
	}
}

// TestReplyToken: a reply token gives back its queue row, in any case (some
// servers lower-case addresses); an altered id or signature, another key's
// token or a malformed one gives nothing.
func TestReplyToken(t *testing.T) {
	s, other := New([]byte("key one")), New([]byte("key two"))
	tok := s.ReplyToken(4217)
	if tok != strings.ToLower(tok) || strings.ContainsAny(tok, "+@ ") {
		t.Errorf("token %q is not a lower-case local-part piece", tok)
	}
	if id, ok := s.ReplyID(strings.ToUpper(tok)); !ok || id != 4217 {
		t.Errorf("ReplyID(%q) = %d, %v; want 4217", tok, id, ok)
	}
	for _, bad := range []string{"4218" + tok[4:], tok[:len(tok)-1] + "a", other.ReplyToken(4217), "4217", "-" + tok, "", "0-" + tok[5:]} {
		if bad == tok {
			continue
		}
		if id, ok := s.ReplyID(bad); ok {
			t.Errorf("ReplyID(%q) = %d, accepted", bad, id)
		}
	}
}
