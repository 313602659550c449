package inbox

import (
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/schedule"
	"github.com/rapportapp/rapport/internal/store"
)

// A return asked for in January about an order from last December: the
// guarantee is said to have expired, with its year, never "runs to".
func TestGuaranteeFromLastYearSaysExpired(t *testing.T) {
	c := &engine.Content{
		Policy: engine.Policy{MoneyBackGuarantee: schedule.Delay{N: 15, Unit: schedule.Day}},
		Rules:  engine.Rules{RepZone: time.UTC},
	}
	stored := policyDeadlines(c, map[string]bool{"return": true}, time.Date(2027, 1, 20, 9, 0, 0, 0, time.UTC), &store.Order{Date: "2026-12-01"})
	got := c.SayDeadlines(stored, time.Date(2027, 1, 20, 9, 0, 0, 0, time.UTC))
	if len(got) == 0 || !strings.Contains(got[0], "expired 16 Dec 2026") || !strings.Contains(got[0], "Tue 1 Dec 2026") {
		t.Errorf("deadlines %q, want the guarantee expired 16 Dec 2026", got)
	}
}
