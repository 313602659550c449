package dashboard

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/store"
)

// TestStatusCountsAreReused: a reload within countsEvery shows the counts
// already taken (and when), a later one counts again.
func TestStatusCountsAreReused(t *testing.T) {
	f := newFixture(t)
	f.setPassword(t, password)
	c := f.login(t)
	onePending := `<span class="n">1</span> <span class="state pending">pending</span>`
	twoPending := `<span class="n">2</span> <span class="state pending">pending</span>`

	page := f.get(t, "/dashboard/status", c)
	if !strings.Contains(page, onePending) || !strings.Contains(page, "As of 12:00:00;") {
		t.Fatalf("first status page:\n%s", page)
	}
	f.queueOneMore(t)
	f.clock.Advance(countsEvery - time.Second)
	if page := f.get(t, "/dashboard/status", c); !strings.Contains(page, onePending) || !strings.Contains(page, "As of 12:00:00;") {
		t.Errorf("within %s the page counted again:\n%s", countsEvery, page)
	}
	f.clock.Advance(time.Second)
	if page := f.get(t, "/dashboard/status", c); !strings.Contains(page, twoPending) || !strings.Contains(page, "As of 12:00:15;") {
		t.Errorf("after %s the page kept the old counts:\n%s", countsEvery, page)
	}
}

// queueOneMore adds a pending text for Jane.
func (f *fixture) queueOneMore(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	now := f.clock.Now().Unix()
	err := f.st.Tx(ctx, func(tx *store.Tx) error {
		j := &store.Journey{Campaign: "check-in", ContactID: f.jane, TriggerAt: now, CreatedAt: now}
		if _, err := tx.AddJourney(ctx, j); err != nil {
			return err
		}
		_, err := tx.AddMessages(ctx, []store.Message{{JourneyID: j.ID, ContactID: f.jane, Campaign: "check-in",
			Step: "hello", Channel: "sms", DueAt: now + 86400, MessageID: "3@x", CreatedAt: now}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}
