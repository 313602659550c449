package schedule

import (
	_ "embed"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/BurntSushi/toml"
)

//go:embed quiet-hours.toml
var quietHoursFile []byte

// NoTexts, as a day's hours in quiet-hours.toml, is a day the law allows
// no texts at all (Rhode Island's and Mississippi's Sundays).
const NoTexts = "none"

// QuietRule is when texts may go out under one law.
type QuietRule struct {
	State    string // two-letter code; "" for the federal rule
	Name     string // "Texas", or "federal law"
	Hours    Window
	Saturday *Window // nil: Hours; empty (Closed): no texts that day
	Sunday   *Window // nil: Hours; empty (Closed): no texts that day
	Source   string  // the statute
}

// On returns the rule's hours on a day of the week.
func (r QuietRule) On(day time.Weekday) Window {
	switch {
	case day == time.Saturday && r.Saturday != nil:
		return *r.Saturday
	case day == time.Sunday && r.Sunday != nil:
		return *r.Sunday
	}
	return r.Hours
}

// QuietHours is the table of quiet-hours.toml: the federal rule and the
// states whose law is stricter.
type QuietHours struct {
	Federal QuietRule
	States  map[string]QuietRule // by two-letter code
}

var loadQuietHours = sync.OnceValues(func() (*QuietHours, error) { return ParseQuietHours(quietHoursFile) })

// StateQuietHours returns the table built into rapport.
func StateQuietHours() (*QuietHours, error) { return loadQuietHours() }

type rawRule struct {
	Name, Hours, Saturday, Sunday, Source string
}

// ParseQuietHours reads a quiet-hours table.
func ParseQuietHours(data []byte) (*QuietHours, error) {
	var raw struct {
		Federal rawRule
		State   map[string]rawRule
	}
	md, err := toml.Decode(string(data), &raw)
	if err != nil {
		return nil, fmt.Errorf("quiet hours: %w", err)
	}
	if un := md.Undecoded(); len(un) > 0 {
		return nil, fmt.Errorf("quiet hours: unknown key %q", un[0].String())
	}
	q := &QuietHours{States: map[string]QuietRule{}}
	var errs []error
	if q.Federal, err = raw.Federal.rule(""); err != nil {
		errs = append(errs, err)
	}
	for code, r := range raw.State {
		rule, err := r.rule(code)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		q.States[code] = rule
	}
	if err := errors.Join(errs...); err != nil {
		return nil, fmt.Errorf("quiet hours: %w", err)
	}
	return q, nil
}

func (r rawRule) rule(code string) (QuietRule, error) {
	out := QuietRule{State: code, Name: r.Name, Source: r.Source}
	label := "[federal]"
	if code != "" {
		label = "[state." + code + "]"
	}
	if r.Name == "" || r.Source == "" {
		return out, fmt.Errorf("%s needs a name and a source", label)
	}
	var err error
	if out.Hours, err = ParseWindow(r.Hours); err != nil {
		return out, fmt.Errorf("%s hours: %w", label, err)
	}
	for _, d := range []struct {
		text string
		dst  **Window
	}{{r.Saturday, &out.Saturday}, {r.Sunday, &out.Sunday}} {
		if d.text == "" {
			continue
		}
		if d.text == NoTexts {
			*d.dst = &Window{}
			continue
		}
		w, err := ParseWindow(d.text)
		if err != nil {
			return out, fmt.Errorf("%s: %w", label, err)
		}
		*d.dst = &w
	}
	return out, nil
}

// Rule returns the rule for a place: a two-letter code ("TX"), a state's
// name ("Texas"), or a city with its state ("Houston, TX"), as phone
// number lookups write them. An unknown place gets the federal rule.
func (q *QuietHours) Rule(place string) QuietRule {
	place = strings.TrimSpace(place)
	if _, code, ok := strings.Cut(place, ", "); ok {
		place = code
	}
	if r, ok := q.States[strings.ToUpper(place)]; ok {
		return r
	}
	for _, code := range q.codes() {
		if r := q.States[code]; strings.EqualFold(r.Name, place) {
			return r
		}
	}
	return q.Federal
}

func (q *QuietHours) codes() []string {
	out := make([]string, 0, len(q.States))
	for c := range q.States {
		out = append(out, c)
	}
	sort.Strings(out)
	return out
}

// NextText returns t if a text may go out at t under both allowed (the
// rep's [sending] allowed_hours) and rule, the federal one included, in the
// customer's zone loc; otherwise the first instant after t when it may,
// and "" or, when the law (not allowed) moved it, the rule that did.
func (q *QuietHours) NextText(t time.Time, allowed Window, rule QuietRule, loc *time.Location) (time.Time, *QuietRule) {
	plain := NextAllowed(t, allowed, loc)
	got := nextInDaily(t, loc, func(d Date) (Window, bool) {
		w := intersect(allowed, rule.On(d.Weekday()))
		if rule.State != "" {
			w = intersect(w, q.Federal.On(d.Weekday()))
		}
		return w, w.End.Minutes() > w.Start.Minutes()
	})
	if got.Equal(plain) {
		return got, nil
	}
	return got, &rule
}

// nextInDaily returns t if it is inside that day's window, else the
// opening of the first window after t. Days without a window are passed
// over (a week at most).
func nextInDaily(t time.Time, loc *time.Location, window func(Date) (Window, bool)) time.Time {
	today := DateOf(t.In(loc))
	if w, ok := window(today); ok {
		if r := NextAllowed(t, w, loc); DateOf(r.In(loc)) == today {
			return r
		}
	}
	for i := 1; i <= 8; i++ {
		d := today.AddDays(i)
		if w, ok := window(d); ok {
			return NextAllowed(At(d, TimeOfDay{}, loc), w, loc)
		}
	}
	return t // unreachable with a table whose rules each open some day
}

// intersect is the hours inside both a and b; empty when End <= Start.
func intersect(a, b Window) Window {
	w := a
	if b.Start.Minutes() > w.Start.Minutes() {
		w.Start = b.Start
	}
	if b.End.Minutes() < w.End.Minutes() {
		w.End = b.End
	}
	return w
}

// HoursOf names the rule's hours on a day with their source, for a text
// it holds: "Texas's Sunday hours, Tex. Bus. & Com. Code § 301.051 (texts
// 12:00-21:00)".
func (r QuietRule) HoursOf(day time.Weekday) string {
	which := "hours"
	if (day == time.Saturday && r.Saturday != nil) || (day == time.Sunday && r.Sunday != nil) {
		which = day.String() + " hours"
	}
	return fmt.Sprintf("%s's %s, %s (%s)", r.Name, which, r.Source, textsIn(r.On(day)))
}

// textsIn says a day's hours in words: "texts 09:00-18:00", "no texts".
func textsIn(w Window) string {
	if w.Closed() {
		return "no texts"
	}
	return "texts " + w.String()
}

// Describe says a rule's hours in words, for notes and previews:
// "Texas law (Tex. Bus. & Com. Code § 301.051): texts 09:00-21:00, Sundays 12:00-21:00".
func (r QuietRule) Describe() string {
	s := fmt.Sprintf("%s law (%s): texts %s", r.Name, r.Source, r.Hours)
	if r.State == "" {
		s = fmt.Sprintf("%s (%s): texts %s", r.Name, r.Source, r.Hours)
	}
	if r.Saturday != nil {
		s += ", Saturdays " + strings.TrimPrefix(textsIn(*r.Saturday), "texts ")
	}
	if r.Sunday != nil {
		s += ", Sundays " + strings.TrimPrefix(textsIn(*r.Sunday), "texts ")
	}
	return s
}
