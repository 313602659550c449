package tmpl_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/tmpl"
)

// starterDir is the starter set `rapport init` writes and the binary embeds.
var starterDir = filepath.Join("..", "..", "templates")

func TestStarterTemplatesCheckClean(t *testing.T) {
	s := mustLoad(t, starterDir)
	problems, warnings := s.Check(tmpl.SampleData())
	for _, p := range problems {
		t.Errorf("problem: %v", p)
	}
	for _, w := range warnings {
		t.Errorf("warning: %s", w)
	}
}

func TestStarterTemplatesCampaignNames(t *testing.T) {
	s := mustLoad(t, starterDir)
	for _, tt := range []struct{ name, channel string }{
		{"policy-sheet", channel.Email},
		{"arrival-check", channel.SMS},
		{"arrival-check", channel.Email},
		{"first-week-call", channel.Task},
		{"four-week-checkin", channel.Email},
		{"welcome", channel.Email},
	} {
		if !s.Has(tt.name, tt.channel) {
			t.Errorf("starter set has no %s template %q", tt.channel, tt.name)
		}
	}
	if n := s.SeriesLen("tips", channel.Email); n < 6 {
		t.Errorf("tips series has %d entries, want at least 6", n)
	}
}

func TestStarterArrivalCheckIsOneSegment(t *testing.T) {
	s := mustLoad(t, starterDir)
	d := tmpl.SampleData()
	r := mustRender(t, s, "arrival-check", channel.SMS, 0, d)
	if n, enc := tmpl.Segments(r.Text); n != 1 || enc != tmpl.EncodingGSM7 {
		t.Errorf("arrival-check.sms.txt is %d %s segments, want 1 GSM-7:\n%s", n, enc, r.Text)
	}
	if n, _ := tmpl.Segments(tmpl.WithStopNotice(r.Text)); n != 1 {
		t.Errorf("arrival-check.sms.txt with the opt-out notice is %d segments, want 1", n)
	}
	if !strings.Contains(r.Text, d.Rep.FirstName()) {
		t.Errorf("arrival-check.sms.txt does not name the rep:\n%s", r.Text)
	}
}

// Every customer email should say who to contact and how, in the rep's
// own words, before the footer repeats it.
func TestStarterEmailsGiveRepContact(t *testing.T) {
	s := mustLoad(t, starterDir)
	d := tmpl.SampleData()
	check := func(name string, r *tmpl.Rendered) {
		body, _, _ := strings.Cut(r.Text, "\n-- \n")
		if !strings.Contains(body, "contact for anything") || !strings.Contains(body, d.Rep.Phone) {
			t.Errorf("%s: the message does not give the rep as the contact for anything, with their phone", name)
		}
	}
	for _, name := range []string{"policy-sheet", "arrival-check", "four-week-checkin", "welcome"} {
		check(name, mustRender(t, s, name, channel.Email, 0, d))
	}
	for i := range s.SeriesLen("tips", channel.Email) {
		check("tips", mustRender(t, s, "tips", channel.Email, i, d))
	}
}
