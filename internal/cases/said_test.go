package cases_test

import (
	"slices"
	"testing"

	"github.com/rapportapp/rapport/internal/cases"
	"github.com/rapportapp/rapport/internal/reply"
	"github.com/rapportapp/rapport/internal/schedule"
)

// SayDeadline says a stored deadline as seen from the day it is read:
// the same line reads differently as the days go by, business days skip
// weekends and holidays (rules: Labor Day, Mon 7 Sep 2026, and 1 Jan
// 2027), and the year shows only when it is not the reader's.
func TestSayDeadline(t *testing.T) {
	cal := rules(t).Calendar
	mark := func(s string, business bool) string { return cases.DueMark(day(t, s), business) }
	tests := []struct {
		name, line, today, want string
	}{
		{"today", "report it " + mark("2026-12-09", true), "2026-12-09", "report it today"},
		{"tomorrow", "report it " + mark("2026-12-10", true), "2026-12-09", "report it tomorrow (Thu 10 Dec)"},
		{"business days over a weekend", "report it " + mark("2026-12-09", true), "2026-12-04", "report it in 3 business days (Wed 9 Dec)"},
		{"over a weekend and Labor Day", "report it " + mark("2026-09-09", true), "2026-09-04", "report it in 2 business days (Wed 9 Sep)"},
		{"over New Year, with the year", "report it " + mark("2027-01-05", true), "2026-12-30", "report it in 3 business days (Tue 5 Jan 2027)"},
		{"calendar days", "money back " + mark("2026-12-21", false), "2026-12-09", "money back in 12 days (Mon 21 Dec)"},
		{"expired this year", "report it " + mark("2026-02-02", true), "2026-12-09", "report it expired 2 Feb"},
		{"expired last year", "report it " + mark("2026-02-02", true), "2027-01-04", "report it expired 2 Feb 2026"},
		{"two marks", "report it " + mark("2026-12-10", true) + ", money back " + mark("2026-12-07", false), "2026-12-09",
			"report it tomorrow (Thu 10 Dec), money back expired 7 Dec"},
		{"a plain day", "ordered " + cases.DayMark(day(t, "2026-11-30")), "2026-12-09", "ordered Mon 30 Nov"},
		{"a plain day last year", "ordered " + cases.DayMark(day(t, "2025-11-28")), "2026-01-04", "ordered Fri 28 Nov 2025"},
		{"an old line without marks", "report the damage by Mon 9 Feb", "2026-12-09", "report the damage by Mon 9 Feb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cases.SayDeadline(tt.line, day(t, tt.today), cal); got != tt.want {
				t.Errorf("SayDeadline(%q, %s) = %q, want %q", tt.line, tt.today, got, tt.want)
			}
		})
	}
}

// SayDeadlines words each stored deadline line for today.
func TestSayDeadlines(t *testing.T) {
	due := "report it " + cases.DueMark(day(t, "2026-12-09"), true)
	got := cases.SayDeadlines([]string{due, due}, day(t, "2026-12-08"), schedule.Calendar{})
	if want := []string{"report it tomorrow (Wed 9 Dec)", "report it tomorrow (Wed 9 Dec)"}; !slices.Equal(got, want) {
		t.Errorf("SayDeadlines = %q, want %q", got, want)
	}
}

// A rep's own problem word ([policy] problem_words) is stored with the
// word the customer wrote and named "your word 'cracked'"; the built-in
// kinds are named in words; an old row without the word says so.
func TestFlagWordsOfRepsOwnWord(t *testing.T) {
	f := reply.NewFlagger([]string{"cracked"})
	var stored []string
	for _, fl := range f.Scan("The lid arrived Cracked and the bottle is leaking") {
		stored = append(stored, cases.StoredFlag(fl.Kind, fl.Match))
	}
	slices.Sort(stored)
	// "cracked" is also a built-in word for a broken product.
	if want := []string{"broken", "custom:cracked", "leaking"}; !slices.Equal(stored, want) {
		t.Fatalf("stored flags %q, want %q", stored, want)
	}
	if got, want := cases.FlagTexts(stored), []string{"broken or faulty", "your word 'cracked'", "leak"}; !slices.Equal(got, want) {
		t.Errorf("FlagTexts = %q, want %q", got, want)
	}
	if got := cases.FlagText("custom"); got != "one of your words" {
		t.Errorf("an old custom flag reads %q", got)
	}
	if got := cases.FlagKind("custom:cracked"); got != "custom" {
		t.Errorf("FlagKind = %q, want custom", got)
	}
	if got := cases.StoredFlag("custom", "Hairline, crack: here"); got != "custom:hairline crack here" {
		t.Errorf("separators kept in %q", got)
	}
}
