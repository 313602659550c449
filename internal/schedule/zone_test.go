package schedule

import (
	"testing"
	"time"
)

// DST changes used below (2026):
//   - America/New_York: 02:00 → 03:00 on Sun 8 Mar; 02:00 → 01:00 on Sun 1 Nov.
//   - Europe/London: 01:00 → 02:00 on Sun 29 Mar; 02:00 → 01:00 on Sun 25 Oct.
//   - Australia/Sydney: 03:00 → 02:00 on Sun 5 Apr; 02:00 → 03:00 on Sun 4 Oct.
//   - Australia/Lord_Howe: half-hour changes, 02:00 → 02:30 on Sun 4 Oct.
//   - America/Santiago: 24:00 → 01:00 on Sun 6 Sep (midnight does not exist).
func TestAt(t *testing.T) {
	tests := []struct {
		name string
		zone string
		date string
		tod  string
		want string
	}{
		{"NY before spring forward", "America/New_York", "2026-03-07", "10:00", "2026-03-07T10:00:00-05:00"},
		{"NY spring forward day", "America/New_York", "2026-03-08", "10:00", "2026-03-08T10:00:00-04:00"},
		{"NY after spring forward", "America/New_York", "2026-03-09", "10:00", "2026-03-09T10:00:00-04:00"},
		{"NY gap moves forward", "America/New_York", "2026-03-08", "02:30", "2026-03-08T03:30:00-04:00"},
		{"NY gap start", "America/New_York", "2026-03-08", "02:00", "2026-03-08T03:00:00-04:00"},
		{"NY just before gap", "America/New_York", "2026-03-08", "01:59", "2026-03-08T01:59:00-05:00"},
		{"NY gap end exists", "America/New_York", "2026-03-08", "03:00", "2026-03-08T03:00:00-04:00"},
		{"NY before fall back", "America/New_York", "2026-10-31", "10:00", "2026-10-31T10:00:00-04:00"},
		{"NY after fall back", "America/New_York", "2026-11-02", "10:00", "2026-11-02T10:00:00-05:00"},
		{"NY ambiguous takes first", "America/New_York", "2026-11-01", "01:30", "2026-11-01T01:30:00-04:00"},
		{"NY ambiguous start", "America/New_York", "2026-11-01", "01:00", "2026-11-01T01:00:00-04:00"},
		{"NY after overlap", "America/New_York", "2026-11-01", "02:00", "2026-11-01T02:00:00-05:00"},
		{"London before", "Europe/London", "2026-03-28", "10:00", "2026-03-28T10:00:00Z"},
		{"London after", "Europe/London", "2026-03-30", "10:00", "2026-03-30T10:00:00+01:00"},
		{"London gap", "Europe/London", "2026-03-29", "01:30", "2026-03-29T02:30:00+01:00"},
		{"London 02:30 exists", "Europe/London", "2026-03-29", "02:30", "2026-03-29T02:30:00+01:00"},
		{"London ambiguous", "Europe/London", "2026-10-25", "01:30", "2026-10-25T01:30:00+01:00"},
		{"London after fall back", "Europe/London", "2026-10-26", "10:00", "2026-10-26T10:00:00Z"},
		{"Sydney before autumn change", "Australia/Sydney", "2026-04-04", "10:00", "2026-04-04T10:00:00+11:00"},
		{"Sydney after autumn change", "Australia/Sydney", "2026-04-06", "10:00", "2026-04-06T10:00:00+10:00"},
		{"Sydney ambiguous", "Australia/Sydney", "2026-04-05", "02:30", "2026-04-05T02:30:00+11:00"},
		{"Sydney before spring change", "Australia/Sydney", "2026-10-03", "10:00", "2026-10-03T10:00:00+10:00"},
		{"Sydney after spring change", "Australia/Sydney", "2026-10-05", "10:00", "2026-10-05T10:00:00+11:00"},
		{"Sydney gap", "Australia/Sydney", "2026-10-04", "02:30", "2026-10-04T03:30:00+11:00"},
		{"Lord Howe half-hour gap", "Australia/Lord_Howe", "2026-10-04", "02:15", "2026-10-04T02:45:00+11:00"},
		{"Lord Howe half-hour overlap", "Australia/Lord_Howe", "2026-04-05", "01:45", "2026-04-05T01:45:00+11:00"},
		{"Kolkata half-hour offset", "Asia/Kolkata", "2026-03-08", "10:00", "2026-03-08T04:30:00Z"},
		{"Kolkata midnight", "Asia/Kolkata", "2026-03-08", "00:00", "2026-03-07T18:30:00Z"},
		{"Kathmandu quarter-hour offset", "Asia/Kathmandu", "2026-03-08", "10:00", "2026-03-08T04:15:00Z"},
		{"Santiago missing midnight", "America/Santiago", "2026-09-06", "00:00", "2026-09-06T01:00:00-03:00"},
		{"UTC", "UTC", "2026-03-08", "23:59", "2026-03-08T23:59:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := mustLoc(t, tt.zone)
			got := At(mustDate(t, tt.date), mustTOD(t, tt.tod), loc)
			checkInstant(t, got, tt.want, loc)
			if got.Location() != loc {
				t.Errorf("location %v, want %v", got.Location(), loc)
			}
		})
	}
}

// TestAtEveryHalfHour checks At against the definition for every half hour
// of 2026 in zones with one-hour and half-hour changes: the clock reads the
// asked time (or, in a gap, later by at most the gap), and no earlier
// instant read it.
func TestAtEveryHalfHour(t *testing.T) {
	for _, zone := range []string{"America/New_York", "Europe/London", "Australia/Sydney", "Australia/Lord_Howe", "Asia/Kolkata"} {
		loc := mustLoc(t, zone)
		for d := (Date{2026, time.January, 1}); d.Year == 2026; d = d.AddDays(1) {
			for m := 0; m < 24*60; m += 30 {
				tod := TimeOfDay{Hour: m / 60, Minute: m % 60}
				got := At(d, tod, loc)
				want := time.Date(d.Year, d.Month, d.Day, tod.Hour, tod.Minute, 0, 0, time.UTC)
				face := wallOf(got, loc)
				if face.Before(want) || face.Sub(want) > time.Hour {
					t.Fatalf("%s At(%s, %s) = %s: clock reads %s", zone, d, tod, got, face)
				}
				for _, back := range []time.Duration{30 * time.Minute, time.Hour} {
					if wallOf(got.Add(-back), loc).Equal(want) {
						t.Fatalf("%s At(%s, %s) = %s: not the first instant reading %s", zone, d, tod, got, tod)
					}
				}
			}
		}
	}
}

func TestNextAllowed(t *testing.T) {
	day := Window{Start: TimeOfDay{8, 0}, End: TimeOfDay{20, 0}}
	tests := []struct {
		name   string
		zone   string
		window Window
		t      string
		want   string
	}{
		{"07:59 waits for 08:00", "America/New_York", day, "2026-06-10T07:59:00-04:00", "2026-06-10T08:00:00-04:00"},
		{"08:00 is allowed", "America/New_York", day, "2026-06-10T08:00:00-04:00", "2026-06-10T08:00:00-04:00"},
		{"19:59 is allowed", "America/New_York", day, "2026-06-10T19:59:00-04:00", "2026-06-10T19:59:00-04:00"},
		{"19:59:59.9 is allowed", "America/New_York", day, "2026-06-10T19:59:59.9-04:00", "2026-06-10T19:59:59.9-04:00"},
		{"20:00 waits for tomorrow", "America/New_York", day, "2026-06-10T20:00:00-04:00", "2026-06-11T08:00:00-04:00"},
		{"23:00 waits for tomorrow", "America/New_York", day, "2026-06-10T23:00:00-04:00", "2026-06-11T08:00:00-04:00"},
		{"midnight waits for the morning", "America/New_York", day, "2026-06-11T00:00:00-04:00", "2026-06-11T08:00:00-04:00"},
		{"the instant is judged in the contact's zone", "America/New_York", day, "2026-06-10T23:30:00Z", "2026-06-10T23:30:00Z"},
		{"over spring forward", "America/New_York", day, "2026-03-07T21:00:00-05:00", "2026-03-08T08:00:00-04:00"},
		{"over fall back", "America/New_York", day, "2026-10-31T22:00:00-04:00", "2026-11-01T08:00:00-05:00"},
		{"London over spring forward", "Europe/London", day, "2026-03-29T00:30:00Z", "2026-03-29T08:00:00+01:00"},
		{"Sydney over spring forward", "Australia/Sydney", day, "2026-10-03T20:30:00+10:00", "2026-10-04T08:00:00+11:00"},
		{"Sydney over autumn change", "Australia/Sydney", day, "2026-04-04T21:00:00+11:00", "2026-04-05T08:00:00+10:00"},
		{"Kolkata 07:59", "Asia/Kolkata", day, "2026-06-10T07:59:00+05:30", "2026-06-10T08:00:00+05:30"},
		{"Kolkata 20:00", "Asia/Kolkata", day, "2026-06-10T20:00:00+05:30", "2026-06-11T08:00:00+05:30"},
		{"window start in the gap opens when the gap ends", "America/New_York", Window{TimeOfDay{2, 30}, TimeOfDay{20, 0}}, "2026-03-08T01:50:00-05:00", "2026-03-08T03:00:00-04:00"},
		{"window start in the overlap, first pass", "America/New_York", Window{TimeOfDay{1, 45}, TimeOfDay{20, 0}}, "2026-11-01T01:30:00-04:00", "2026-11-01T01:45:00-04:00"},
		{"window start in the overlap, second pass", "America/New_York", Window{TimeOfDay{1, 45}, TimeOfDay{20, 0}}, "2026-11-01T01:30:00-05:00", "2026-11-01T01:45:00-05:00"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := mustLoc(t, tt.zone)
			got := NextAllowed(mustTime(t, tt.t), tt.window, loc)
			checkInstant(t, got, tt.want, loc)
		})
	}
}

func TestNextDay(t *testing.T) {
	tests := []struct {
		zone, t, at, want string
	}{
		{"America/New_York", "2026-03-07T21:00:00-05:00", "10:00", "2026-03-08T10:00:00-04:00"},
		{"America/New_York", "2026-03-07T00:00:00-05:00", "10:00", "2026-03-08T10:00:00-04:00"},
		{"America/New_York", "2026-03-07T02:30:00-05:00", "02:30", "2026-03-08T03:30:00-04:00"},
		{"Asia/Kolkata", "2026-06-10T23:30:00Z", "10:00", "2026-06-12T10:00:00+05:30"}, // already the 11th in Kolkata
		{"Australia/Sydney", "2026-04-04T23:59:00+11:00", "09:00", "2026-04-05T09:00:00+10:00"},
	}
	for _, tt := range tests {
		loc := mustLoc(t, tt.zone)
		got := NextDay(mustTime(t, tt.t), mustTOD(t, tt.at), loc)
		checkInstant(t, got, tt.want, loc)
	}
}

func TestEndOfDay(t *testing.T) {
	tests := []struct {
		zone, date, want string
	}{
		{"America/New_York", "2026-03-07", "2026-03-07T23:59:59.999999999-05:00"},
		{"America/New_York", "2026-03-08", "2026-03-08T23:59:59.999999999-04:00"},
		{"Europe/London", "2026-10-24", "2026-10-24T23:59:59.999999999+01:00"},
		{"Europe/London", "2026-10-25", "2026-10-25T23:59:59.999999999Z"},
		{"Asia/Kolkata", "2026-03-08", "2026-03-08T23:59:59.999999999+05:30"},
		{"America/Santiago", "2026-09-05", "2026-09-06T00:59:59.999999999-03:00"}, // next day starts at 01:00
	}
	for _, tt := range tests {
		loc := mustLoc(t, tt.zone)
		checkInstant(t, endOfDay(mustDate(t, tt.date), loc), tt.want, loc)
	}
}
