package engine_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rapportapp/rapport/internal/notify"
	"github.com/rapportapp/rapport/internal/store"
)

// After a burst of replies the digest lists the first DigestReplies,
// flagged ones first, and counts the rest with a link to them.
func TestDigestCapsTheRepliesItLists(t *testing.T) {
	h := newHarness(t, morningText)
	ct := h.customer("Emily", "emily@example.com", "+13125550142")
	const n = notify.DigestReplies + 15
	err := h.st.Tx(h.ctx, func(tx *store.Tx) error {
		for i := range n {
			r := &store.Reply{ContactID: ct.ID, Channel: "sms", ExternalID: fmt.Sprintf("SM%03d", i), From: ct.Phone,
				Body: fmt.Sprintf("reply %03d", i), ReceivedAt: local(t, "2026-03-03 09:00").Unix() + int64(i)}
			if i == n-1 { // the newest, flagged: listed first all the same
				r.Flags = "leaking"
			}
			if _, err := tx.AddReply(h.ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	body := digestAt(t, h, local(t, "2026-03-04 07:30"))
	if got := strings.Count(body, "\n> reply "); got != notify.DigestReplies {
		t.Errorf("digest lists %d replies, want %d:\n%s", got, notify.DigestReplies, body)
	}
	first := strings.Index(body, fmt.Sprintf("> reply %03d", n-1))
	if first < 0 || first > strings.Index(body, "> reply 000") {
		t.Errorf("the flagged reply does not come first:\n%s", body)
	}
	if want := "... and 15 more: https://rapport.example.com/dashboard/replies\n"; !strings.Contains(body, want) {
		t.Errorf("digest lacks %q:\n%s", want, body)
	}
	if strings.Contains(body, fmt.Sprintf("> reply %03d", notify.DigestReplies-1)) {
		t.Errorf("digest lists a reply past the first %d:\n%s", notify.DigestReplies, body)
	}
	ms, err := h.st.DueRepMessages(h.ctx, local(t, "2026-03-04 07:30").Unix(), 10)
	if err != nil || len(ms) != 1 || !strings.Contains(ms[0].Subject, fmt.Sprintf("%d replies waiting", n)) {
		t.Errorf("digest subject %+v, %v: want %d replies waiting", ms, err, n)
	}
}
