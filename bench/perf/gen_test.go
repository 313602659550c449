package perf

import (
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// TestPhonesAreValidAndDistinct checks the generator against the library
// the import uses, so the benchmark's bad rows are only the planted ones.
func TestPhonesAreValidAndDistinct(t *testing.T) {
	seen := map[string]int{}
	for i := range 20000 {
		n, err := phonenumbers.Parse(Phone(i), "US")
		if err != nil || !phonenumbers.IsValidNumber(n) {
			t.Fatalf("Phone(%d) = %q: not a valid US number (%v)", i, Phone(i), err)
		}
		e164 := phonenumbers.Format(n, phonenumbers.E164)
		if j, ok := seen[e164]; ok {
			t.Fatalf("Phone(%d) and Phone(%d) are both %s", j, i, e164)
		}
		seen[e164] = i
	}
}
