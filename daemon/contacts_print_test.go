package main

import (
	"bytes"
	"testing"
)

// `rapport contacts --json` prints its contacts one by one, as they are
// read a page at a time; the output is the array printJSON prints.
func TestContactsPrinterPrintsWhatPrintJSONWould(t *testing.T) {
	t.Parallel()
	all := []contactJSON{
		{ID: 1, FirstName: "Emily", Email: "emily@example.com", Journeys: []string{"post-order 2026-03-02"}},
		{ID: 2, FirstName: "Daniel", Phone: "+17735550139", Journeys: []string{}},
		{ID: 3, LastName: "Hall", SMSConsent: true, ConsentAt: "2026-01-02", Journeys: []string{}},
	}
	for n := range len(all) + 1 {
		var want, got bytes.Buffer
		if err := printJSON(&want, append([]contactJSON{}, all[:n]...)); err != nil {
			t.Fatal(err)
		}
		p := newContactsPrinter(&got, true)
		for _, c := range all[:n] {
			if err := p.print(c); err != nil {
				t.Fatal(err)
			}
		}
		if err := p.end(); err != nil {
			t.Fatal(err)
		}
		if got.String() != want.String() {
			t.Errorf("%d contacts printed\n%s\nwant\n%s", n, got.String(), want.String())
		}
	}
}
