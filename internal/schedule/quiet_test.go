package schedule

import (
	"strings"
	"testing"
)

// The table built into rapport reads, names its sources, and answers the
// places phone-number lookups give.
func TestStateQuietHoursTable(t *testing.T) {
	q, err := StateQuietHours()
	if err != nil {
		t.Fatal(err)
	}
	for _, code := range []string{"FL", "MD", "MS", "NJ", "OK", "CT", "TX", "RI"} {
		r, ok := q.States[code]
		if !ok || r.Source == "" || r.Name == "" {
			t.Errorf("state %s: %+v, want a rule with a name and a source", code, r)
		}
	}
	tests := []struct{ place, want string }{
		{"TX", "Texas"}, {"Texas", "Texas"}, {"texas", "Texas"}, {"Houston, TX", "Texas"},
		{"Rhode Island", "Rhode Island"}, {"Chicago, IL", "federal law"}, {"", "federal law"}, {"Ontario", "federal law"},
	}
	for _, tt := range tests {
		if got := q.Rule(tt.place).Name; got != tt.want {
			t.Errorf("Rule(%q) = %s, want %s", tt.place, got, tt.want)
		}
	}
	if w := q.Rule("TX").On(0); w.String() != "12:00-21:00" {
		t.Errorf("Texas on Sundays: %s", w)
	}
}

func TestParseQuietHoursRejects(t *testing.T) {
	for _, src := range []string{
		"[federal]\nname = \"f\"\nhours = \"08:00-21:00\"\n",                                  // no source
		"[federal]\nname = \"f\"\nhours = \"21:00-08:00\"\nsource = \"s\"\n",                  // backwards
		"[federal]\nname = \"f\"\nhours = \"08:00-21:00\"\nsource = \"s\"\nsundays = \"x\"\n", // unknown key
	} {
		if _, err := ParseQuietHours([]byte(src)); err == nil {
			t.Errorf("accepted:\n%s", src)
		}
	}
}

// NextText: the stricter of allowed hours and the customer's state, in
// the customer's local time, across DST changes and month ends.
func TestNextText(t *testing.T) {
	q, err := StateQuietHours()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, zone, place, allowed, at, want string
		rule                                 string // name of the rule that moved it; "" none
	}{
		{"Texas Sunday 11:00, spring forward", "America/Chicago", "Texas", "08:00-20:00", "2026-03-08T11:00:00-05:00", "2026-03-08T12:00:00-05:00", "Texas"},
		{"Texas Sunday 11:00, fall back", "America/Chicago", "Texas", "08:00-20:00", "2026-11-01T11:00:00-06:00", "2026-11-01T12:00:00-06:00", "Texas"},
		{"Texas Sunday 11:00, El Paso, spring forward", "America/Denver", "Houston, TX", "08:00-20:00", "2026-03-08T11:00:00-06:00", "2026-03-08T12:00:00-06:00", "Texas"},
		{"Texas Saturday night to Sunday noon, month end", "America/Chicago", "TX", "08:00-20:00", "2026-01-31T21:30:00-06:00", "2026-02-01T12:00:00-06:00", "Texas"},
		{"Texas Saturday morning goes", "America/Chicago", "TX", "08:00-20:00", "2026-01-31T10:00:00-06:00", "2026-01-31T10:00:00-06:00", ""},
		{"Texas weekday 08:30", "America/Chicago", "TX", "08:00-20:00", "2026-02-02T08:30:00-06:00", "2026-02-02T09:00:00-06:00", "Texas"},
		{"Rhode Island Saturday 17:30, fall back", "America/New_York", "Rhode Island", "08:00-20:00", "2026-10-31T17:30:00-04:00", "2026-11-02T09:00:00-05:00", "Rhode Island"}, // no texts on Sundays
		{"Rhode Island Saturday 17:30, spring forward", "America/New_York", "Rhode Island", "08:00-20:00", "2026-03-07T17:30:00-05:00", "2026-03-09T09:00:00-04:00", "Rhode Island"},
		{"Rhode Island Friday 18:30, month end", "America/New_York", "RI", "08:00-20:00", "2026-02-27T18:30:00-05:00", "2026-02-28T10:00:00-05:00", "Rhode Island"},
		{"Rhode Island customer living in Los Angeles", "America/Los_Angeles", "RI", "08:00-20:00", "2026-04-04T17:30:00-07:00", "2026-04-06T09:00:00-07:00", "Rhode Island"},
		{"Mississippi Sunday", "America/Chicago", "MS", "08:00-20:00", "2026-03-08T10:00:00-05:00", "2026-03-09T08:00:00-05:00", "Mississippi"},
		{"Connecticut 08:30", "America/New_York", "Connecticut", "08:00-20:00", "2026-06-30T08:30:00-04:00", "2026-06-30T09:00:00-04:00", "Connecticut"},
		{"Florida 20:15 with wider allowed hours", "America/New_York", "Florida", "08:00-21:00", "2026-12-31T20:15:00-05:00", "2027-01-01T08:00:00-05:00", "Florida"},
		{"Illinois 20:30: the rep's hours move it", "America/Chicago", "Chicago, IL", "08:00-20:00", "2026-03-31T20:30:00-05:00", "2026-04-01T08:00:00-05:00", ""},
		{"federal 21:30 when the rep allows to 22:00", "America/Chicago", "", "08:00-22:00", "2026-03-31T21:30:00-05:00", "2026-04-01T08:00:00-05:00", "federal law"},
		{"Texas Sunday 12:00 opens in Hawaii's zone", "Pacific/Honolulu", "TX", "08:00-20:00", "2026-03-08T07:00:00-10:00", "2026-03-08T12:00:00-10:00", "Texas"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := mustLoc(t, tt.zone)
			allowed, err := ParseWindow(tt.allowed)
			if err != nil {
				t.Fatal(err)
			}
			got, rule := q.NextText(mustTime(t, tt.at), allowed, q.Rule(tt.place), loc)
			checkInstant(t, got, tt.want, loc)
			switch {
			case tt.rule == "" && rule != nil:
				t.Errorf("moved by %s, want by the allowed hours", rule.Name)
			case tt.rule != "" && (rule == nil || rule.Name != tt.rule):
				t.Errorf("moved by %v, want %s", rule, tt.rule)
			case rule != nil && !strings.Contains(rule.Describe(), rule.Source):
				t.Errorf("description %q lacks the source", rule.Describe())
			}
		})
	}
}
