package contact

import (
	"slices"
	"testing"
)

func TestParseKey(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, region string
		want       Key
		bad        bool
	}{
		{in: "Daniel@Example.com", region: "US", want: Key{Email: "daniel@example.com"}},
		{in: "  mailto:bob@example.com ", region: "US", want: Key{Email: "bob@example.com"}},
		{in: "(773) 555-0139", region: "US", want: Key{Phone: "+17735550139"}},
		{in: "773 555 0139", region: "US", want: Key{Phone: "+17735550139"}},
		{in: "+1 773 555 0139", region: "US", want: Key{Phone: "+17735550139"}},
		{in: "+17735550139", region: "GB", want: Key{Phone: "+17735550139"}},
		{in: "020 7946 0018", region: "GB", want: Key{Phone: "+442079460018"}},
		{in: "7735550139", region: "US", want: Key{Phone: "+17735550139"}},
		{in: "42", region: "US", want: Key{ID: 42}},
		{in: " 7 ", region: "US", want: Key{ID: 7}},
		{in: "0", region: "US", bad: true},
		{in: "-3", region: "US", bad: true},
		{in: "", region: "US", bad: true},
		{in: "Daniel", region: "US", bad: true},
		{in: "bob@", region: "US", bad: true},
	}
	for _, tt := range tests {
		got, err := ParseKey(tt.in, tt.region)
		if tt.bad {
			if err == nil {
				t.Errorf("ParseKey(%q) = %+v, want an error", tt.in, got)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("ParseKey(%q, %s) = %+v, %v; want %+v", tt.in, tt.region, got, err, tt.want)
		}
	}
}

func TestSearchPrefixes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, text string
		phones   []string
	}{
		{"(773) 555-0139", "", []string{"+17735550139"}},
		{"773 555", "773555", []string{"+1773555", "+773555"}},
		{"+44 20", "4420", []string{"+14420", "+4420"}},
		{" Carter ", "Carter", nil},
		{"jo@ex", "jo@ex", nil},
		{"12", "12", nil},
	}
	for _, tt := range tests {
		text, phones := SearchPrefixes(tt.in, "US")
		if text != tt.text || !slices.Equal(phones, tt.phones) {
			t.Errorf("SearchPrefixes(%q) = %q, %q, want %q, %q", tt.in, text, phones, tt.text, tt.phones)
		}
	}
}
