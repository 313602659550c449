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
		if got := Distance(c.a, c.b); got != c.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
