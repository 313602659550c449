package inbox_test

import (
	"context"
	"strings"
	"testing"

	"github.com/rapportapp/rapport/internal/store"
)

// "Stop tips and news" declines marketing email and nothing else: the
// address stays subscribed for service email, the rep hears of it once,
// and an unknown link id changes nothing.
func TestStopMarketing(t *testing.T) {
	s := newShop(t)
	ctx := context.Background()
	for range 2 {
		if ok, err := s.inbox.StopMarketing(ctx, s.jane.UID); err != nil || !ok {
			t.Fatalf("StopMarketing: %v, %v", ok, err)
		}
	}
	ct, err := s.st.Contact(ctx, s.jane.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !ct.MarketingEmailDeclined() || ct.EmailStatus != store.Subscribed {
		t.Errorf("contact after stopping tips: marketing %+v, email %s; want declined, still subscribed", ct.EmailMarketing, ct.EmailStatus)
	}
	ns, err := s.st.RecentNotices(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, x := range ns {
		if strings.Contains(x.Text, "stopped your tips and news") {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d notices of it, want 1: %+v", n, ns)
	}
	if ok, err := s.inbox.StopMarketing(ctx, "nobody"); ok || err != nil {
		t.Errorf("unknown link id: %v, %v", ok, err)
	}
}
