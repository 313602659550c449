package schedule

import (
	"testing"
	"time"
)

func orderOn(t testing.TB, date string) Trigger {
	t.Helper()
	d := mustDate(t, date)
	// A date-only trigger ignores its location: pick a far one on purpose.
	return Trigger{At: time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, mustLoc(t, "Pacific/Kiritimati")), DateOnly: true}
}

func contactAt(t testing.TB, instant string) Trigger {
	t.Helper()
	return Trigger{At: mustTime(t, instant)}
}

func TestTriggerDateIn(t *testing.T) {
	sydney := mustLoc(t, "Australia/Sydney")
	tests := []struct {
		name string
		tr   Trigger
		want string
	}{
		{"date only keeps its own date", orderOn(t, "2026-03-08"), "2026-03-08"},
		{"an instant takes the contact's date", contactAt(t, "2026-03-08T20:00:00-05:00"), "2026-03-09"},
		{"an instant on the same day", contactAt(t, "2026-03-08T08:00:00+11:00"), "2026-03-08"},
	}
	for _, tt := range tests {
		if got := tt.tr.DateIn(sydney).String(); got != tt.want {
			t.Errorf("%s: DateIn = %s, want %s", tt.name, got, tt.want)
		}
	}
}

func TestOccurrence(t *testing.T) {
	cal, err := NewCalendar([]string{"2026-12-25", "2027-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	ny := "America/New_York"
	tests := []struct {
		name         string
		tr           Trigger
		after, every string
		k            int
		at, zone     string
		want         string
	}{
		{"order, same day", orderOn(t, "2026-03-07"), "0d", "", 0, "10:00", ny, "2026-03-07T10:00:00-05:00"},
		{"order, 5 days over spring forward", orderOn(t, "2026-03-05"), "5d", "", 0, "10:00", ny, "2026-03-10T10:00:00-04:00"},
		{"order, 4 weeks", orderOn(t, "2026-03-05"), "4w", "", 0, "10:00", ny, "2026-04-02T10:00:00-04:00"},
		{"order, at in the gap", orderOn(t, "2026-03-01"), "1w", "", 0, "02:30", ny, "2026-03-08T03:30:00-04:00"},
		{"order, at in the overlap", orderOn(t, "2026-10-25"), "1w", "", 0, "01:30", ny, "2026-11-01T01:30:00-04:00"},
		{"order date in Kolkata", orderOn(t, "2026-03-08"), "1d", "", 0, "10:00", "Asia/Kolkata", "2026-03-09T10:00:00+05:30"},
		{"order, business days over Christmas", orderOn(t, "2026-12-24"), "2bd", "", 0, "10:00", ny, "2026-12-29T10:00:00-05:00"},
		{"order, business-day repeats skip New Year", orderOn(t, "2026-12-24"), "2bd", "1bd", 3, "10:00", ny, "2027-01-04T10:00:00-05:00"},
		{"order, every two weeks", orderOn(t, "2026-03-01"), "0d", "2w", 3, "09:00", ny, "2026-04-12T09:00:00-04:00"},
		{"contact, local date is the contact's", contactAt(t, "2026-03-08T02:00:00Z"), "1d", "", 0, "10:00", "Australia/Sydney", "2026-03-09T10:00:00+11:00"},
		{"contact, 0d later in the day is held to the trigger", contactAt(t, "2026-06-10T15:00:00-04:00"), "0d", "", 0, "10:00", ny, "2026-06-10T15:00:00-04:00"},
		{"contact, 0d earlier in the day", contactAt(t, "2026-06-10T07:00:00-04:00"), "0d", "", 0, "10:00", ny, "2026-06-10T10:00:00-04:00"},
		{"contact, repeats after a held first", contactAt(t, "2026-06-10T15:00:00-04:00"), "0d", "1d", 1, "10:00", ny, "2026-06-11T10:00:00-04:00"},
		{"contact, hours are exact over DST", contactAt(t, "2026-03-07T22:00:00-05:00"), "6h", "", 0, "10:00", ny, "2026-03-08T05:00:00-04:00"},
		{"contact, minutes", contactAt(t, "2026-06-10T15:00:00-04:00"), "90m", "", 0, "10:00", ny, "2026-06-10T16:30:00-04:00"},
		{"order, hours count from at", orderOn(t, "2026-03-07"), "90m", "", 0, "10:00", ny, "2026-03-07T11:30:00-05:00"},
		{"hours after, hours every", contactAt(t, "2026-03-07T22:00:00-05:00"), "1h", "12h", 2, "10:00", ny, "2026-03-09T00:00:00-04:00"},
		{"hours after, daily every keeps the clock time", contactAt(t, "2026-03-07T09:15:30-05:00"), "1h", "1d", 1, "10:00", ny, "2026-03-08T10:15:30-04:00"},
		{"hours after, monthly every", contactAt(t, "2028-01-31T09:00:00-05:00"), "1h", "1mo", 1, "10:00", ny, "2028-02-29T10:00:00-05:00"},
		{"days after, hours every is exact", orderOn(t, "2026-03-07"), "0d", "12h", 1, "20:00", ny, "2026-03-08T09:00:00-04:00"},
		{"days after, hours every k=2", orderOn(t, "2026-03-07"), "0d", "12h", 2, "20:00", ny, "2026-03-08T21:00:00-04:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := mustLoc(t, tt.zone)
			got := Occurrence(tt.tr, mustDelay(t, tt.after), delayPtr(t, tt.every), tt.k, mustTOD(t, tt.at), loc, cal)
			checkInstant(t, got, tt.want, loc)
		})
	}
}

// TestOccurrenceMonthly follows a monthly step for 14 occurrences: it keeps
// the 31st whenever the month has one, through a leap February, and its
// local time stays 10:00 on both sides of daylight saving.
func TestOccurrenceMonthly(t *testing.T) {
	loc := mustLoc(t, "America/New_York")
	tr := orderOn(t, "2027-12-27") // + 5 weeks = Mon 31 Jan 2028
	after, every := mustDelay(t, "5w"), delayPtr(t, "1mo")
	want := []string{
		"2028-01-31T10:00:00-05:00",
		"2028-02-29T10:00:00-05:00",
		"2028-03-31T10:00:00-04:00",
		"2028-04-30T10:00:00-04:00",
		"2028-05-31T10:00:00-04:00",
		"2028-06-30T10:00:00-04:00",
		"2028-07-31T10:00:00-04:00",
		"2028-08-31T10:00:00-04:00",
		"2028-09-30T10:00:00-04:00",
		"2028-10-31T10:00:00-04:00",
		"2028-11-30T10:00:00-05:00",
		"2028-12-31T10:00:00-05:00",
		"2029-01-31T10:00:00-05:00",
		"2029-02-28T10:00:00-05:00",
	}
	for k, w := range want {
		got := Occurrence(tr, after, every, k, TimeOfDay{10, 0}, loc, Calendar{})
		if !got.Equal(mustTime(t, w)) {
			t.Errorf("k=%d: got %s, want %s", k, got.Format(time.RFC3339), w)
		}
	}
}

func TestOccurrenceMonthlyFromAug31(t *testing.T) {
	loc := mustLoc(t, "Europe/London")
	tr := orderOn(t, "2026-08-31")
	want := []string{"2026-08-31", "2026-09-30", "2026-10-31", "2026-11-30", "2026-12-31", "2027-01-31", "2027-02-28", "2027-03-31"}
	for k, w := range want {
		got := Occurrence(tr, mustDelay(t, "0d"), delayPtr(t, "1mo"), k, TimeOfDay{10, 0}, loc, Calendar{})
		if d := DateOf(got.In(loc)).String(); d != w || got.In(loc).Hour() != 10 {
			t.Errorf("k=%d: got %s, want %s 10:00", k, got.In(loc).Format(time.RFC3339), w)
		}
	}
}

func TestOccurrencePanicsWithoutRepeat(t *testing.T) {
	for _, k := range []int{1, -1} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("k=%d of a step that does not repeat: want a panic", k)
				}
			}()
			Occurrence(orderOn(t, "2026-03-07"), mustDelay(t, "1d"), nil, k, TimeOfDay{10, 0}, time.UTC, Calendar{})
		}()
	}
}

func TestStaleAt(t *testing.T) {
	cal, err := NewCalendar([]string{"2026-12-25"})
	if err != nil {
		t.Fatal(err)
	}
	ny := "America/New_York"
	tests := []struct {
		name         string
		tr           Trigger
		until, every string
		k            int
		at, zone     string
		want         string
	}{
		{"end of the 7th day", orderOn(t, "2026-03-01"), "7d", "", 0, "10:00", ny, "2026-03-08T23:59:59.999999999-04:00"},
		{"end of day in London, fall back", orderOn(t, "2026-10-18"), "1w", "", 0, "10:00", "Europe/London", "2026-10-25T23:59:59.999999999Z"},
		{"end of day in Sydney", orderOn(t, "2026-10-01"), "3d", "", 0, "10:00", "Australia/Sydney", "2026-10-04T23:59:59.999999999+11:00"},
		{"end of day in Kolkata", orderOn(t, "2026-10-01"), "0d", "", 0, "10:00", "Asia/Kolkata", "2026-10-01T23:59:59.999999999+05:30"},
		{"business days", orderOn(t, "2026-12-24"), "1bd", "", 0, "10:00", ny, "2026-12-28T23:59:59.999999999-05:00"},
		{"contact trigger uses the contact's date", contactAt(t, "2026-06-10T23:30:00Z"), "0d", "", 0, "10:00", "Asia/Kolkata", "2026-06-11T23:59:59.999999999+05:30"},
		{"hours are exact", contactAt(t, "2026-03-07T22:00:00-05:00"), "36h", "", 0, "10:00", ny, "2026-03-09T11:00:00-04:00"},
		{"hours from an order count from at", orderOn(t, "2026-03-07"), "2h", "", 0, "10:00", ny, "2026-03-07T12:00:00-05:00"},
		{"monthly, each occurrence goes stale", orderOn(t, "2027-12-20"), "6w", "1mo", 2, "10:00", ny, "2028-03-31T23:59:59.999999999-04:00"},
		{"days until, hours every", orderOn(t, "2026-03-07"), "1d", "12h", 1, "20:00", ny, "2026-03-09T23:59:59.999999999-04:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := mustLoc(t, tt.zone)
			got := StaleAt(tt.tr, mustDelay(t, tt.until), delayPtr(t, tt.every), tt.k, mustTOD(t, tt.at), loc, cal)
			checkInstant(t, got, tt.want, loc)
		})
	}
}

// TestStaleAfterDue checks the pairing the campaign files rely on: with
// until later than after, every occurrence goes stale after it is due.
func TestStaleAfterDue(t *testing.T) {
	loc := mustLoc(t, "Australia/Sydney")
	after, until, every := mustDelay(t, "4w"), mustDelay(t, "6w"), delayPtr(t, "1mo")
	for d := (Date{2026, time.January, 1}); d.Year == 2026; d = d.AddDays(1) {
		tr := Trigger{At: time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC), DateOnly: true}
		for k := range 13 {
			due := Occurrence(tr, after, every, k, TimeOfDay{10, 0}, loc, Calendar{})
			stale := StaleAt(tr, until, every, k, TimeOfDay{10, 0}, loc, Calendar{})
			if !stale.After(due) {
				t.Fatalf("order %s k=%d: stale %s not after due %s", d, k, stale, due)
			}
		}
	}
}

func TestOccurrenceMonthAfterKeepsOrderDay(t *testing.T) {
	loc := mustLoc(t, "America/Chicago")
	tr := Trigger{At: time.Date(2026, 1, 31, 0, 0, 0, 0, time.UTC), DateOnly: true}
	month := Delay{N: 1, Unit: Month}
	want := []string{"2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31"}
	for k, w := range want {
		got := Occurrence(tr, month, &month, k, TimeOfDay{Hour: 10}, loc, Calendar{})
		if d := DateOf(got.In(loc)).String(); d != w {
			t.Errorf("occurrence %d = %s, want %s", k, d, w)
		}
	}
}
