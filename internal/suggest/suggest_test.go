package suggest

import "testing"

func TestDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"name", "name", 0}, {"nmae", "name", 1}, {"chanel", "channel", 1},
		{"sendng", "sending", 1}, {"Frist", "First", 1}, {"", "abc", 3}, {"kitten", "sitting", 3},
		{"héllo", "hello", 1},
	} {
		if got := distance([]rune(c.a), []rune(c.b)); got != c.want {
			t.Errorf("distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestClosest(t *testing.T) {
	steps := []string{"id", "after", "until", "every", "at", "channel", "fallback", "template"}
	fields := []string{"FirstName", "LastName", "Name", "Email", "Phone"}
	for _, c := range []struct {
		word       string
		candidates []string
		want       string
	}{
		{"chanel", steps, "channel"},
		{"Channel", steps, "channel"}, // case does not count
		{"tempalte", steps, "template"},
		{"afer", steps, "after"},
		{"ids", steps, "id"},
		{"colour", steps, ""}, // too far from everything
		{"x", steps, ""},      // one letter is two edits from "id" and "at"
		{"", steps, ""},
		{"smtp-port", []string{"smtp_port"}, "smtp_port"}, // '-' is '_'
		{"America/Chicgo", []string{"America/New_York", "America/Chicago"}, "America/Chicago"},
		{"Frist", fields, "FirstName"},                    // a slip at the start of a longer name
		{"nam", fields, "Name"},                           // a whole-word slip ...
		{"Emial", []string{"Emailing", "Email"}, "Email"}, // ... beats the same slip at the start of a longer name
		{"Nope", fields, ""},
		{"héllo", []string{"hello"}, "hello"}, // runes, not bytes
	} {
		if got := Closest(c.word, c.candidates); got != c.want {
			t.Errorf("Closest(%q, %q) = %q, want %q", c.word, c.candidates, got, c.want)
		}
	}
}
