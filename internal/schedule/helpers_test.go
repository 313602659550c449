package schedule

import (
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the machine's zoneinfo
)

func mustLoc(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatalf("load zone %s: %v", name, err)
	}
	return loc
}

func mustDate(t testing.TB, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// mustTime parses RFC 3339 with fractional seconds.
func mustTime(t testing.TB, s string) time.Time {
	t.Helper()
	tm, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		t.Fatal(err)
	}
	return tm
}

func mustTOD(t testing.TB, s string) TimeOfDay {
	t.Helper()
	tod, err := ParseTimeOfDay(s)
	if err != nil {
		t.Fatal(err)
	}
	return tod
}

func mustDelay(t testing.TB, s string) Delay {
	t.Helper()
	d, err := ParseDelay(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// delayPtr parses s into a *Delay; "" is nil.
func delayPtr(t testing.TB, s string) *Delay {
	t.Helper()
	if s == "" {
		return nil
	}
	d := mustDelay(t, s)
	return &d
}

// checkInstant fails unless got is the instant want (RFC 3339) and prints
// both in the zone being tested.
func checkInstant(t *testing.T, got time.Time, want string, loc *time.Location) {
	t.Helper()
	w := mustTime(t, want)
	if !got.Equal(w) {
		t.Errorf("got %s, want %s", got.In(loc).Format(time.RFC3339Nano), w.In(loc).Format(time.RFC3339Nano))
	}
}
