package schedule

import (
	"testing"
	"time"
)

func TestUnderCap(t *testing.T) {
	now := mustTime(t, "2026-06-10T12:00:00Z")
	ago := func(d time.Duration) time.Time { return now.Add(-d) }
	h := time.Hour
	tests := []struct {
		name  string
		sent  []time.Time
		limit int
		want  time.Time
	}{
		{"nothing sent", nil, 3, now},
		{"one sent", []time.Time{ago(h)}, 3, now},
		{"two sent", []time.Time{ago(5 * h), ago(h)}, 3, now},
		{"three sent: wait for the oldest to leave", []time.Time{ago(23 * h), ago(5 * h), ago(h)}, 3, now.Add(h)},
		{"four sent, unsorted: wait for two to leave", []time.Time{ago(h), ago(20 * h), ago(5 * h), ago(23 * h)}, 3, now.Add(4 * h)},
		{"exactly 24h ago no longer counts", []time.Time{ago(24 * h), ago(2 * h), ago(h)}, 3, now},
		{"one sent right now counts", []time.Time{ago(10 * h), ago(5 * h), now}, 3, now.Add(14 * h)},
		{"old sends do not count", []time.Time{ago(30 * h), ago(25 * h), ago(48 * h), ago(h)}, 3, now},
		{"a later send does not count yet", []time.Time{ago(23 * h), ago(2 * h), now.Add(30 * time.Minute)}, 3, now},
		{"limit one", []time.Time{ago(3 * h)}, 1, now.Add(21 * h)},
		{"no limit", []time.Time{ago(3 * h), ago(2 * h)}, 0, now},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := UnderCap(now, tt.sent, tt.limit, 24*h)
			if !got.Equal(tt.want) {
				t.Errorf("got %s, want %s", got.Format(time.RFC3339), tt.want.Format(time.RFC3339))
			}
		})
	}
}
