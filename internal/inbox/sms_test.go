package inbox_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/rapportapp/rapport/internal/store"
)

// sid is a distinct Twilio message id for the n-th text of a test.
func sid(n int) string { return fmt.Sprintf("SM%032d", n) }

// setSMS changes Jane's texts as the rep's commands do.
func (s *shop) setSMS(t *testing.T, status string) {
	t.Helper()
	ctx := context.Background()
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		return tx.SetSMSStatus(ctx, s.jane.ID, status, "set by the rep", s.clock.Now().Unix())
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestStartKeyword: START, UNSTOP and YES undo an opt-out made by text and
// nothing else. They never create consent, never override the rep, and
// the rep always sees them ("Yes" is also the answer to "did it arrive?").
func TestStartKeyword(t *testing.T) {
	tests := []struct {
		name       string
		setup      func(t *testing.T, s *shop)
		body       string
		wantStatus string
		wantAnswer bool
	}{
		{"STOP then START", func(t *testing.T, s *shop) { s.text(t, sid(1), janePhone, "STOP") },
			"START", store.Subscribed, true},
		{"opted out in words, then UNSTOP", func(t *testing.T, s *shop) { s.text(t, sid(1), janePhone, "please stop texting me") },
			"unstop", store.Subscribed, true},
		{"never opted out: Yes is an answer", nil, "Yes", store.Subscribed, false},
		{"no consent: Yes grants none", func(t *testing.T, s *shop) { s.withdrawConsent(t) },
			"Yes!", store.Subscribed, false},
		{"the rep stopped texts", func(t *testing.T, s *shop) { s.setSMS(t, store.OptedOut) },
			"START", store.OptedOut, false},
		{"STOP, START, then the rep stopped texts", func(t *testing.T, s *shop) {
			s.text(t, sid(1), janePhone, "STOP")
			s.text(t, sid(2), janePhone, "START")
			s.setSMS(t, store.OptedOut)
		}, "YES", store.OptedOut, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newShop(t)
			s.clock.Set(local(4, 12, 0))
			if tt.setup != nil {
				tt.setup(t, s)
			}
			before := s.contact(t)
			answer := s.text(t, sid(9), janePhone, tt.body)
			if got := strings.Contains(answer, "subscribed again"); got != tt.wantAnswer {
				t.Errorf("answer %q, want the re-subscribed answer: %v", answer, tt.wantAnswer)
			}
			after := s.contact(t)
			if after.SMSStatus != tt.wantStatus {
				t.Errorf("sms status %q, want %q", after.SMSStatus, tt.wantStatus)
			}
			if after.SMSConsent != before.SMSConsent || after.SMSConsentSource != before.SMSConsentSource {
				t.Errorf("consent %v (%q), was %v (%q): a keyword must not change it",
					after.SMSConsent, after.SMSConsentSource, before.SMSConsent, before.SMSConsentSource)
			}
			checkShownToRep(t, s, tt.body)
		})
	}
}

func (s *shop) withdrawConsent(t *testing.T) {
	t.Helper()
	ctx := context.Background()
	err := s.st.Tx(ctx, func(tx *store.Tx) error {
		return tx.SetSMSConsent(ctx, s.jane.ID, false, "", "import", "", s.clock.Now().Unix())
	})
	if err != nil {
		t.Fatal(err)
	}
}

// checkShownToRep: the latest reply has body, is open, and was forwarded.
func checkShownToRep(t *testing.T, s *shop, body string) {
	t.Helper()
	rs := s.replies(t)
	i := slices.IndexFunc(rs, func(r store.Reply) bool { return r.Body == body })
	if i < 0 || rs[i].HandledAt != 0 {
		t.Fatalf("replies %+v, want %q open for the rep", rs, body)
	}
	for _, fw := range s.forwards(t) {
		if strings.Contains(fw.Body, "> "+body) {
			return
		}
	}
	t.Errorf("%q was not forwarded to the rep", body)
}

// TestPlainWordsOptOut: a text that clearly asks to stop stops texts at
// once, tells the customer once, and shows the rep in words what happened
// and how to undo it; the rep's resubscribe then lets texts go again.
func TestPlainWordsOptOut(t *testing.T) {
	s := newShop(t)
	s.clock.Set(local(4, 12, 0))
	answer := s.text(t, sid(1), janePhone, "Please stop texting me")
	if !strings.Contains(answer, "no more texts") {
		t.Errorf("answer %q, want it to confirm no more texts", answer)
	}
	if got := s.contact(t).SMSStatus; got != store.OptedOut {
		t.Fatalf("sms status %q, want opted_out", got)
	}
	checkShownToRep(t, s, "Please stop texting me")
	if fw := s.forwards(t); len(fw) != 1 || !strings.Contains(fw[0].Body, "asked to stop texts") ||
		!strings.Contains(fw[0].Body, "rapport resubscribe "+janePhone+" --sms") {
		t.Errorf("forward %+v, want it to say she asked to stop texts and how to undo it", fw)
	}
	checkOptOutNotice(t, s)
	if again := s.text(t, sid(2), janePhone, "no more texts please"); again != "" {
		t.Errorf("second request answered %q, want the customer told only once", again)
	}
	handleAll(t, s)
	s.tickAt(t, local(7, 10, 30))
	if got := s.sent(); !slices.Equal(got, []string{"email arrival-check"}) {
		t.Errorf("after asking to stop texts sent %q, want the arrival check by email", got)
	}
}

// TestResubscribeAfterMisreadOptOut: the rep's resubscribe (what
// `rapport resubscribe CONTACT --sms` does) undoes a misread request.
func TestResubscribeAfterMisreadOptOut(t *testing.T) {
	s := newShop(t)
	s.clock.Set(local(4, 12, 0))
	s.text(t, sid(1), janePhone, "remove me from the list for the sample, I already got one")
	handleAll(t, s)
	s.setSMS(t, store.Subscribed)
	s.tickAt(t, local(7, 10, 30))
	if got := s.sent(); !slices.Equal(got, []string{"sms arrival-check"}) {
		t.Errorf("after the rep resubscribed sent %q, want the arrival check by text", got)
	}
}

func checkOptOutNotice(t *testing.T, s *shop) {
	t.Helper()
	ns, err := s.st.OpenNotices(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 1 || ns[0].Kind != store.NoticeOptedOut || ns[0].ContactID != s.jane.ID ||
		!strings.Contains(ns[0].Text, "asked to stop texts") {
		t.Errorf("notices %+v, want one saying Jane asked to stop texts", ns)
	}
}

func handleAll(t *testing.T, s *shop) {
	t.Helper()
	ctx := context.Background()
	for _, r := range s.replies(t) {
		err := s.st.Tx(ctx, func(tx *store.Tx) error {
			_, err := tx.HandleReply(ctx, r.ID, s.clock.Now().Unix())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
