package contact

import (
	"reflect"
	"strings"
	"testing"
)

func TestCleanText(t *testing.T) {
	long := strings.Repeat("é", 3000)
	tests := []struct {
		name      string
		in        string
		limit     int
		multiline bool
		want      string
		wantNote  string
	}{
		{"plain", "  Jane  ", 100, false, "Jane", ""},
		{"double space is no change", "Mary  Ann", 100, false, "Mary Ann", ""},
		{"NUL", "A\x00B", 100, false, "AB", "control characters or line breaks removed"},
		{"newline in a name", "Jane\nDoe", 100, false, "Jane Doe", "control characters or line breaks removed"},
		{"CRLF in a name", "Jane\r\nDoe", 100, false, "Jane Doe", "control characters or line breaks removed"},
		{"escape and tab", "Ja\x1b[31mne\tDoe", 100, false, "Ja[31mne Doe", "control characters or line breaks removed"},
		{"direction override", "Jane\u202eeoD", 100, false, "JaneeoD", "control characters or line breaks removed"},
		{"too long", long, 100, false, strings.Repeat("é", 100), "cut to 100 characters (it had 3000)"},
		{"items keep lines", "Lavender 15ml\r\nPeppermint 5ml", 2000, true, "Lavender 15ml\nPeppermint 5ml", ""},
		{"items lose NUL", "Lavender\x00 15ml\nRose", 2000, true, "Lavender 15ml\nRose", "control characters or line breaks removed"},
		{"invalid UTF-8", "Jos\xe9", 100, false, "Jos\uFFFD", ""},
		{"both", "A\x00" + long, 10, false, "A" + strings.Repeat("é", 9),
			"control characters or line breaks removed, cut to 10 characters (it had 3001)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, note := CleanText(tt.in, tt.limit, tt.multiline)
			if got != tt.want || note != tt.wantNote {
				t.Errorf("CleanText(%q) = %q, %q; want %q, %q", tt.in, got, note, tt.want, tt.wantNote)
			}
		})
	}
}

// TestReaderCleansText: names, invoices and items come out of an import
// without control characters and within their limits, and the row says
// what was changed; a clean row has no warnings.
func TestReaderCleansText(t *testing.T) {
	longName := strings.Repeat("x", 3000)
	csv := "First Name,Last Name,Email,Order Date,Invoice,Items\n" +
		"\"Jane\nMarie\",Doe,jane@example.com,2026-03-02,INV\x00-1,\"Lavender\x00 15ml\nRose 5ml\"\n" +
		longName + ",Roe,bob@example.com,2026-03-02,\"INV\n2\",Rose\n" +
		"Cara,Cole,cara@example.com,2026-03-02,INV-3,\"Mint\nSage\"\n"
	r, err := NewReader(strings.NewReader(csv), Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		first, invoice, items string
		warnings              []string
	}{
		{"Jane Marie", "INV-1", "Lavender 15ml\nRose 5ml", []string{
			"first name: control characters or line breaks removed",
			"invoice: control characters or line breaks removed",
			"items: control characters or line breaks removed"}},
		{strings.Repeat("x", MaxNameLen), "INV 2", "Rose", []string{
			"first name: cut to 100 characters (it had 3000)",
			"invoice: control characters or line breaks removed"}},
		{"Cara", "INV-3", "Mint\nSage", nil},
	}
	for i, w := range want {
		rec, err := r.Next()
		if err != nil {
			t.Fatalf("row %d: %v", i+1, err)
		}
		c, o := rec.Contact, rec.Order
		if c.FirstName != w.first || o.Invoice != w.invoice || o.Items != w.items {
			t.Errorf("line %d: %q / %q / %q, want %q / %q / %q", rec.Line, c.FirstName, o.Invoice, o.Items, w.first, w.invoice, w.items)
		}
		if !reflect.DeepEqual(rec.Warnings, w.warnings) {
			t.Errorf("line %d: warnings %q, want %q", rec.Line, rec.Warnings, w.warnings)
		}
	}
}
