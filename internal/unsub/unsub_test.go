package unsub

import "testing"

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
