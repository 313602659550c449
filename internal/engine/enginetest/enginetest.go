// Package enginetest builds the engine.Content that the tests of the
// engine's users run on: the starter campaigns (or others) under the
// sending rules a new config.toml has. Only tests import it; nothing of
// it is linked into rapport.
package enginetest

import (
	"io/fs"
	"path"
	"testing"
	"time"

	"github.com/rapportapp/rapport"
	"github.com/rapportapp/rapport/internal/campaign"
	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/schedule"
)

// Starter returns the starter campaigns, as `rapport init` lays them out.
func Starter(tb testing.TB) []*campaign.Campaign {
	tb.Helper()
	files, err := fs.Glob(rapport.Starter, "campaigns/*.toml")
	if err != nil {
		tb.Fatal(err)
	}
	var cps []*campaign.Campaign
	for _, f := range files {
		cps = append(cps, Parse(tb, path.Base(f), string(mustRead(tb, f))))
	}
	return cps
}

// Parse reads one campaign from its TOML text, file being its file name
// (which names the campaign).
func Parse(tb testing.TB, file, text string) *campaign.Campaign {
	tb.Helper()
	cp, err := campaign.Parse(file, []byte(text))
	if err != nil {
		tb.Fatal(err)
	}
	return cp
}

// Content returns cps under the rules of a new config.toml: sends at
// 10:00 between 08:00 and 20:00, at most 3 texts a customer a day, no
// holidays, 4 tries a minute to an hour apart, the digest at 07:30, the
// rep in repZone.
func Content(tb testing.TB, repZone *time.Location, cps ...*campaign.Campaign) *engine.Content {
	tb.Helper()
	cal, err := schedule.NewCalendar(nil)
	if err != nil {
		tb.Fatal(err)
	}
	hours, err := schedule.ParseWindow("08:00-20:00")
	if err != nil {
		tb.Fatal(err)
	}
	return &engine.Content{Campaigns: cps, Rules: engine.Rules{DefaultAt: TimeOfDay(tb, "10:00"), AllowedHours: hours,
		MaxTextsPerDay: 3, Calendar: cal, RepZone: repZone, MaxAttempts: 4, RetryBase: time.Minute,
		RetryMax: time.Hour, DigestAt: TimeOfDay(tb, "07:30")}}
}

// TimeOfDay reads "15:04".
func TimeOfDay(tb testing.TB, s string) schedule.TimeOfDay {
	tb.Helper()
	v, err := schedule.ParseTimeOfDay(s)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func mustRead(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := fs.ReadFile(rapport.Starter, name)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}
