package channel

import "testing"

func TestHeaderText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Hello", "Hello"},
		{"Hi\r\nBcc: all@example.com", "Hi Bcc: all@example.com"},
		{"  two   spaces\tand a tab ", "two spaces and a tab"},
		{"bell\x07and\x00nul", "bell and nul"},
		{"Café — ½ off", "Café — ½ off"},
		{"\n\n", ""},
	} {
		if got := HeaderText(c.in); got != c.want {
			t.Errorf("HeaderText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
