package contact

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestNormalizeState(t *testing.T) {
	for in, want := range map[string]string{
		"TX": "TX", "tx": "TX", " Texas ": "TX", "TEXAS": "TX", "Tex.": "TX", "r.i.": "RI",
		"Rhode Island": "RI", "rhode  island": "RI", "New Jersey": "NJ", "District of Columbia": "DC",
		"ON": "ON", "Bavaria": "Bavaria", "": "",
	} {
		if got := NormalizeState(in); got != want {
			t.Errorf("NormalizeState(%q) = %q, want %q", in, got, want)
		}
	}
}

// readStates reads a fixture and returns each row's state by line.
func readStates(t *testing.T, name string, opts Options) map[int]string {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewReader(f, opts)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int]string{}
	for {
		rec, err := r.Next()
		if err != nil {
			if _, ok := err.(*Problem); ok {
				continue
			}
			break
		}
		out[rec.Line] = rec.Contact.State
	}
	return out
}

// The address state comes from Shopify's, Google's and Outlook's own
// columns, and from any column --map names state.
func TestAddressStateColumns(t *testing.T) {
	for _, tc := range []struct {
		file string
		opts Options
		want map[int]string
	}{
		{"shopify-customers.csv", Options{}, map[int]string{2: "IL", 3: "IL", 4: "NV", 5: ""}},
		{"google.csv", Options{}, map[int]string{2: "IL", 5: ""}},
		{"outlook.csv", Options{Region: "US"}, map[int]string{2: "IL", 4: ""}},
	} {
		got := readStates(t, tc.file, tc.opts)
		for line, want := range tc.want {
			if got[line] != want {
				t.Errorf("%s line %d: state %q, want %q", tc.file, line, got[line], want)
			}
		}
	}
	m, err := ParseMapping([]string{"Where=state"})
	if err != nil {
		t.Fatal(err)
	}
	csv := "Name,Email,Where\nAnn Lee,ann@example.com,rhode island\n"
	r, err := NewReader(strings.NewReader(csv), Options{Mapping: m})
	if err != nil {
		t.Fatal(err)
	}
	rec, err := r.Next()
	if err != nil || rec.Contact.State != "RI" {
		t.Fatalf("--map Where=state: %+v, %v; want state RI", rec.Contact, err)
	}
}
