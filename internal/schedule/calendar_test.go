package schedule

import (
	"strings"
	"testing"
)

func TestNewCalendarErrors(t *testing.T) {
	_, err := NewCalendar([]string{"2026-12-25", "2026-13-01", "xmas"})
	if err == nil {
		t.Fatal("want an error for bad holidays")
	}
	for _, want := range []string{`holiday 2: invalid date "2026-13-01"`, `holiday 3: invalid date "xmas"`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not contain %q", err, want)
		}
	}
	if strings.Contains(err.Error(), "holiday 1") {
		t.Errorf("error %q blames the good entry", err)
	}
}

func TestIsBusinessDay(t *testing.T) {
	cal, err := NewCalendar([]string{"2026-12-25"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		date string
		want bool
	}{
		{"2026-12-21", true},  // Monday
		{"2026-12-24", true},  // Thursday
		{"2026-12-25", false}, // Friday, holiday
		{"2026-12-26", false}, // Saturday
		{"2026-12-27", false}, // Sunday
		{"2026-12-28", true},  // Monday
	}
	for _, tt := range tests {
		if got := cal.IsBusinessDay(mustDate(t, tt.date)); got != tt.want {
			t.Errorf("IsBusinessDay(%s) = %v, want %v", tt.date, got, tt.want)
		}
	}
	if !cal.IsHoliday(mustDate(t, "2026-12-25")) || cal.IsHoliday(mustDate(t, "2026-12-26")) {
		t.Error("IsHoliday disagrees with the holiday list")
	}
	var none Calendar
	if !none.IsBusinessDay(mustDate(t, "2026-12-25")) {
		t.Error("the zero Calendar has holidays")
	}
}

func TestAddBusinessDays(t *testing.T) {
	cal, err := NewCalendar([]string{"2026-12-25", "2027-01-01"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		from string
		n    int
		want string
	}{
		{"zero on a business day stays", "2026-01-05", 0, "2026-01-05"},
		{"zero on Saturday moves to Monday", "2026-01-10", 0, "2026-01-12"},
		{"zero on Sunday moves to Monday", "2026-01-11", 0, "2026-01-12"},
		{"zero on a holiday moves past the weekend", "2026-12-25", 0, "2026-12-28"},
		{"negative counts as zero", "2026-01-10", -3, "2026-01-12"},
		{"Friday plus one is Monday", "2026-01-09", 1, "2026-01-12"},
		{"Saturday plus one is Monday", "2026-01-10", 1, "2026-01-12"},
		{"Sunday plus one is Monday", "2026-01-11", 1, "2026-01-12"},
		{"Monday plus five is next Monday", "2026-01-05", 5, "2026-01-12"},
		{"Wednesday plus seven", "2026-01-07", 7, "2026-01-16"},
		{"over Christmas", "2026-12-24", 1, "2026-12-28"},
		{"over Christmas and New Year", "2026-12-24", 5, "2027-01-04"},
		{"from the holiday itself", "2026-12-25", 1, "2026-12-28"},
		{"ten over both holidays", "2026-12-23", 10, "2027-01-08"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := cal.AddBusinessDays(mustDate(t, tt.from), tt.n)
			if got.String() != tt.want {
				t.Errorf("AddBusinessDays(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
			}
		})
	}
}

func TestAddDelay(t *testing.T) {
	cal, err := NewCalendar([]string{"2026-12-25"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		from, delay, want string
	}{
		{"2026-01-31", "0d", "2026-01-31"},
		{"2026-01-31", "1d", "2026-02-01"},
		{"2026-12-31", "1d", "2027-01-01"},
		{"2028-02-28", "1d", "2028-02-29"}, // leap day
		{"2026-01-05", "2w", "2026-01-19"},
		{"2026-12-22", "5w", "2027-01-26"},
		{"2026-01-31", "1mo", "2026-02-28"},
		{"2028-01-31", "1mo", "2028-02-29"},
		{"2028-02-29", "1mo", "2028-03-29"}, // one step keeps the 29th; series keep the 31st (see Occurrence)
		{"2026-08-31", "1mo", "2026-09-30"},
		{"2026-03-31", "1mo", "2026-04-30"},
		{"2026-12-31", "2mo", "2027-02-28"},
		{"2026-11-15", "3mo", "2027-02-15"},
		{"2026-01-31", "12mo", "2027-01-31"},
		{"2028-02-29", "12mo", "2029-02-28"},
		{"2026-12-24", "1bd", "2026-12-28"},
		{"2026-12-26", "0bd", "2026-12-28"},
		{"2026-12-21", "7bd", "2026-12-31"},
		{"2026-03-07", "48h", "2026-03-09"}, // m/h: whole days only
		{"2026-03-07", "47h", "2026-03-08"},
		{"2026-03-07", "90m", "2026-03-07"},
		{"2026-03-07", "1440m", "2026-03-08"},
	}
	for _, tt := range tests {
		got := AddDelay(mustDate(t, tt.from), mustDelay(t, tt.delay), cal)
		if got.String() != tt.want {
			t.Errorf("AddDelay(%s, %s) = %s, want %s", tt.from, tt.delay, got, tt.want)
		}
	}
}

func TestAddBusinessDaysFrom(t *testing.T) {
	cal, err := NewCalendar([]string{"2026-12-25"})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		received, within, want string
	}{
		{"2026-12-01", "7bd", "2026-12-10"}, // Tue → Thu next week
		{"2026-12-19", "7bd", "2026-12-30"}, // Saturday, Christmas in between
		{"2026-12-01", "15d", "2026-12-16"},
		{"2026-12-01", "14d", "2026-12-15"},
	}
	for _, tt := range tests {
		got := AddBusinessDaysFrom(mustDate(t, tt.received), mustDelay(t, tt.within), cal)
		if got.String() != tt.want {
			t.Errorf("AddBusinessDaysFrom(%s, %s) = %s, want %s", tt.received, tt.within, got, tt.want)
		}
	}
}

func TestAddMonthsNegative(t *testing.T) {
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-03-31", -1, "2026-02-28"},
		{"2026-01-15", -1, "2025-12-15"},
		{"2026-01-15", -13, "2024-12-15"},
		{"2026-01-15", 0, "2026-01-15"},
	}
	for _, tt := range tests {
		if got := addMonths(mustDate(t, tt.from), tt.n); got.String() != tt.want {
			t.Errorf("addMonths(%s, %d) = %s, want %s", tt.from, tt.n, got, tt.want)
		}
	}
}
