package engine_test

import (
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/store"
)

// timingCampaign is edited by replacing its lines.
const timingCampaign = `
name = "Test"
trigger = "order"
[[step]]
id = "hello"
after = "0d"
channel = "email"
template = "note"
[[step]]
id = "check"
after = "5d"
until = "7d"
channel = "email"
template = "note"
[[step]]
id = "tips"
after = "2w"
every = "1w"
channel = "email"
template = "note"
`

func edited(pairs ...string) string {
	return strings.NewReplacer(pairs...).Replace(timingCampaign)
}

// reload swaps in a campaign, as SIGHUP does, and returns what it said
// would move just before.
func (h *harness) reload(t *testing.T, campaignTOML string) []string {
	t.Helper()
	h.content = testContent(t, campaignTOML)
	changes, err := h.content.Retimings(h.ctx, h.st, h.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	var said []string
	for _, c := range changes {
		said = append(said, c.String())
	}
	if err := h.eng.Swap(h.ctx, h.content, h.senders); err != nil {
		t.Fatal(err)
	}
	return said
}

func dueLocal(d store.Due) string {
	return time.Unix(d.DueAt, 0).In(chicago).Format("2006-01-02 15:04")
}

// Changing a step's timing re-plans its pending messages on reload; sent
// ones stay, and the change is counted before it is made.
func TestTimingChangeReplansPendingMessages(t *testing.T) {
	h := newHarness(t, timingCampaign)
	jane := h.customer("Jane", "jane@example.com", "")
	h.order(jane, "2026-01-01")
	h.tickAt(local(t, "2026-01-01 10:00"))
	hello := h.only(jane, "hello", store.Sent)

	// A one-off step, earlier and at another hour.
	h.clock.Set(local(t, "2026-01-02 09:00"))
	said := h.reload(t, edited("after = \"5d\"", "after = \"3d\"\nat = \"09:00\""))
	if strings.Join(said, "|") != "test/check: timing changed, 1 pending message will move" {
		t.Errorf("said %q", said)
	}
	check := h.only(jane, "check", store.Pending)
	if got := dueLocal(check); got != "2026-01-04 09:00" || check.Note != "re-planned: the step's timing changed" {
		t.Errorf("check re-planned to %s (%q), want 2026-01-04 09:00", got, check.Note)
	}
	if got := h.only(jane, "hello", store.Sent); got.DueAt != hello.DueAt || got.SentAt != hello.SentAt {
		t.Errorf("a sent message moved: %+v, was %+v", got, hello)
	}
	h.tickAt(local(t, "2026-01-04 09:00"))
	h.only(jane, "check", store.Sent)

	// A repeating step, repeating less often after two have gone.
	h.tickAt(local(t, "2026-01-15 10:00"))
	h.tickAt(local(t, "2026-01-22 10:00"))
	h.clock.Set(local(t, "2026-01-23 09:00"))
	threeWeeks := edited("after = \"5d\"", "after = \"3d\"\nat = \"09:00\"", `every = "1w"`, `every = "3w"`)
	said = h.reload(t, threeWeeks)
	if strings.Join(said, "|") != "test/tips: timing changed, 1 pending message will move" {
		t.Errorf("said %q", said)
	}
	if got := dueLocal(h.only(jane, "tips", store.Pending)); got != "2026-02-05 10:00" {
		t.Errorf("next tip at %s, want 2026-02-05 10:00 (three weeks after the first)", got)
	}
	h.tickAt(local(t, "2026-01-29 10:00")) // the old timing's moment: nothing
	h.tickAt(local(t, "2026-02-05 10:00"))
	if n := h.count(jane, "tips", store.Sent); n != 3 {
		t.Errorf("%d tips sent, want 3: %+v", n, h.rows(jane))
	}
	if got := dueLocal(h.only(jane, "tips", store.Pending)); got != "2026-02-26 10:00" {
		t.Errorf("tip after the re-planned one at %s, want 2026-02-26 10:00", got)
	}

	// Unchanged timing: nothing moves, on reload or restart.
	if said := h.reload(t, threeWeeks); said != nil {
		t.Errorf("unchanged campaign: said %q", said)
	}
	h.eng = h.newEngine(h.senders)
	if err := h.eng.Reconcile(h.ctx); err != nil {
		t.Fatal(err)
	}
	if got := dueLocal(h.only(jane, "tips", store.Pending)); got != "2026-02-26 10:00" {
		t.Errorf("restart moved the next tip to %s", got)
	}
}

// A step whose new until has passed is not sent late: it is skipped when
// its moment comes, as any stale step.
func TestTimingChangePastUntilSkips(t *testing.T) {
	h := newHarness(t, timingCampaign)
	jane := h.customer("Jane", "jane@example.com", "")
	h.order(jane, "2026-01-01")
	h.tickAt(local(t, "2026-01-04 10:00"))
	h.reload(t, edited("after = \"5d\"\nuntil = \"7d\"", "after = \"1d\"\nuntil = \"2d\""))
	h.tickAt(local(t, "2026-01-04 10:01"))
	if n := h.count(jane, "check", store.Skipped); n != 1 {
		t.Errorf("check skipped %d times, want 1: %+v", n, h.rows(jane))
	}
}

// Replan is a pure function of the step, the journey and the moment.
func TestReplan(t *testing.T) {
	j := &store.Journey{TriggerAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix(), DateOnly: true}
	for _, tc := range []struct {
		name, campaign string
		k              int
		now, want      string
		wantK          int
		stale          string
	}{
		{"one-off later", edited(`after = "5d"`, `after = "6d"`), 0, "2026-01-02 09:00", "2026-01-07 10:00", 0, "2026-01-08 23:59"},
		{"one-off already due", edited(`after = "5d"`, `after = "1d"`), 0, "2026-01-04 09:00", "2026-01-02 10:00", 0, "2026-01-08 23:59"},
		{"repeat more often", edited(`every = "1w"`, `every = "3d"`), 2, "2026-01-30 12:00", "2026-02-02 10:00", 6, ""},
		{"repeat less often", edited(`every = "1w"`, `every = "4w"`), 5, "2026-02-20 12:00", "2026-03-12 10:00", 2, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := testContent(t, tc.campaign)
			steps := c.Campaigns[0].Steps
			s := &steps[1]
			if strings.HasPrefix(tc.name, "repeat") {
				s = &steps[2]
			}
			k, due, stale := c.Replan(s, j, chicago, tc.k, local(t, tc.now))
			got := time.Unix(due, 0).In(chicago).Format("2006-01-02 15:04")
			gotStale := ""
			if stale != 0 {
				gotStale = time.Unix(stale, 0).In(chicago).Format("2006-01-02 15:04")
			}
			if k != tc.wantK || got != tc.want || gotStale != tc.stale {
				t.Errorf("Replan = %d, %s, stale %q; want %d, %s, stale %q", k, got, gotStale, tc.wantK, tc.want, tc.stale)
			}
		})
	}
}
