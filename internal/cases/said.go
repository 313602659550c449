package cases

import (
	"regexp"
	"strings"

	"github.com/rapportapp/rapport/internal/schedule"
)

// A reply's flags are stored comma-separated as their kinds ("leaking");
// one of the rep's own words keeps the word the customer wrote after the
// kind ("custom:cracked"), so it can be named. Rows stored before the
// word was kept say "custom" alone.
const flagWordSep = ":"

// StoredFlag is how one flag is stored on a reply: its kind, and for the
// rep's own words the word itself (commas and colons, the separators,
// taken out).
func StoredFlag(kind, match string) string {
	if kind != "custom" {
		return kind
	}
	w := strings.Join(strings.Fields(strings.NewReplacer(",", " ", flagWordSep, " ").Replace(strings.ToLower(match))), " ")
	if w == "" {
		return kind
	}
	return kind + flagWordSep + w
}

// FlagKind is the kind of a stored flag ("custom" for "custom:cracked").
func FlagKind(stored string) string {
	kind, _, _ := strings.Cut(stored, flagWordSep)
	return kind
}

// FlagText names a stored flag for people: "leak", "your word
// 'cracked'", "one of your words" for an old row without the word.
func FlagText(stored string) string {
	kind, word, _ := strings.Cut(stored, flagWordSep)
	if kind == "custom" && word == "" {
		return "one of your words"
	}
	return FlagWords(kind, word)
}

// FlagTexts is FlagText over a list.
func FlagTexts(stored []string) []string {
	out := make([]string, 0, len(stored))
	for _, f := range stored {
		out = append(out, FlagText(f))
	}
	return out
}

// A reply's deadline is stored as a sentence with its dates as marks,
// "report it to the company {due:2026-03-17:b}, ...", so how far off it
// is can be said on the day it is read, not the day the reply came. A
// line without marks (stored before) is shown as it is.
var markRE = regexp.MustCompile(`\{(due|day):(\d{4}-\d{2}-\d{2})(?::([bd]))?\}`)

// DueMark marks a deadline's date in a stored sentence; business says it
// is counted in business days.
func DueMark(d schedule.Date, business bool) string {
	unit := "d"
	if business {
		unit = "b"
	}
	return "{due:" + d.String() + ":" + unit + "}"
}

// DayMark marks a plain date ("Tue 1 Dec", with the year when it is not
// the reader's year).
func DayMark(d schedule.Date) string { return "{day:" + d.String() + "}" }

// SayDeadline writes a stored deadline sentence as seen from today:
// "in 3 business days (Wed 9 Dec)", "today", "expired 2 Feb 2026".
func SayDeadline(line string, today schedule.Date, cal schedule.Calendar) string {
	return markRE.ReplaceAllStringFunc(line, func(m string) string {
		sub := markRE.FindStringSubmatch(m)
		d, ok := Date(sub[2])
		if !ok {
			return sub[2]
		}
		if sub[1] == "day" {
			return Day(d, today)
		}
		return When(d, today, sub[3] == "b", cal)
	})
}

// SayDeadlines is SayDeadline over a list.
func SayDeadlines(lines []string, today schedule.Date, cal schedule.Calendar) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		out = append(out, SayDeadline(l, today, cal))
	}
	return out
}
