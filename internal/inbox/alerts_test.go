package inbox_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/quotedprintable"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/notify"
	"github.com/rapportapp/rapport/internal/store"
)

// flood leaves n texts from n strangers waiting for the rep, each recorded
// and its forward queued as the inbox does (see Inbox.record), a thousand
// to a commit: one commit a text would spend the test's time on the disk.
func flood(t *testing.T, s *shop, n int) {
	t.Helper()
	ctx, c, now := context.Background(), s.engine.Content(), s.clock.Now()
	for first := 0; first < n; first += 1000 {
		err := s.st.Tx(ctx, func(tx *store.Tx) error {
			for i := first; i < min(first+1000, n); i++ {
				r := &store.Reply{Channel: channel.SMS, ExternalID: fmt.Sprintf("SMflood%06d", i),
					From: fmt.Sprintf("+1415%07d", i), Body: "thanks, got it", ReceivedAt: now.Unix()}
				if _, err := tx.AddReply(ctx, r); err != nil {
					return err
				}
				note, err := s.engine.ReplyNote(ctx, c, r)
				if err != nil {
					return err
				}
				note.ID = r.ID
				subject, body := notify.Forward(note)
				if err := c.QueueToRep(ctx, tx, fmt.Sprintf("reply:%d", r.ID), r.ID, subject, body, notify.SMSForward(note), now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// toRep lists the alerts sent to the rep since the last reset (digests
// aside), by subject (or a text's first line).
func (s *shop) toRep() []string {
	var out []string
	for _, ev := range s.events {
		if ev.Kind == "to-rep" && !strings.HasPrefix(ev.Step, "digest:") {
			out = append(out, ev.Summary)
		}
	}
	return out
}

// TestProblemReplyIsNotBuriedByABacklog: after a burst of texts, a new
// problem reply reaches the rep within a minute, however many wait.
func TestProblemReplyIsNotBuriedByABacklog(t *testing.T) {
	s := newShop(t)
	start := local(3, 9, 0)
	s.clock.Set(start)
	flood(t, s, 10_000)
	if w, err := s.st.ForwardsWaiting(context.Background(), channel.Email, start.Unix()); err != nil || w.N < 10_000 {
		t.Fatalf("after the burst %+v forwards wait (err %v), want 10000", w, err)
	}
	s.tickAt(t, start)
	s.events = nil

	arrived := start.Add(5 * time.Second)
	s.clock.Set(arrived)
	s.text(t, "SMleak", janePhone, "the bottle arrived leaking")
	for at := arrived; !at.After(arrived.Add(time.Minute)); at = at.Add(15 * time.Second) {
		s.tickAt(t, at)
		for _, got := range s.toRep() {
			if strings.Contains(got, "Jane Doe") && strings.Contains(got, "leak") {
				return
			}
		}
	}
	t.Errorf("within a minute of the problem reply the rep got %d messages, none naming it: %.5q", len(s.toRep()), s.toRep())
}

// TestAlertsToTheRep: a reply in a quiet moment is forwarded whole at
// once; replies soon after wait for the gap, then go as one summary with
// the problem first and a link to the dashboard; a lone one after that
// waits its gap too, and goes whole.
func TestAlertsToTheRep(t *testing.T) {
	s := newShop(t)
	at := local(3, 9, 0)
	s.clock.Set(at)
	s.text(t, "SM1", strangerNo, "is the shop open on Sunday?")
	s.tickAt(t, at)
	if got := s.toRep(); len(got) != 1 || got[0] != "Reply from "+strangerNo+" (from someone not in your customers)" {
		t.Fatalf("a lone reply told the rep %q, want its forward at once", got)
	}

	s.events = nil
	s.clock.Set(at.Add(10 * time.Second))
	s.text(t, "SM2", "+14155550123", "thank you!")
	s.text(t, "SM3", janePhone, "the bottle arrived leaking")
	s.tickAt(t, at.Add(10*time.Second))
	if got := s.toRep(); len(got) != 0 {
		t.Fatalf("10 s after the last alert the rep got %q, want nothing yet", got)
	}
	s.tickAt(t, at.Add(45*time.Second)) // a flagged reply waits 45 s
	want := "⚠ 2 new replies, 1 flagged: Jane Doe (leak)"
	if got := s.toRep(); len(got) != 1 || got[0] != want {
		t.Fatalf("after the gap the rep got %q, want one summary %q", got, want)
	}
	body := lastOutboxEmail(t, s)
	for _, want := range []string{"> the bottle arrived leaking", "> thank you!", "https://rapport.example.com/dashboard/"} {
		if !strings.Contains(body, want) {
			t.Errorf("summary lacks %q:\n%s", want, body)
		}
	}
	if i, j := strings.Index(body, "leaking"), strings.Index(body, "thank you"); i > j {
		t.Errorf("the flagged reply is not first:\n%s", body)
	}
	if fw := s.forwards(t); len(fw) != 0 {
		t.Errorf("forwards still queued after the summary: %+v", fw)
	}

	s.events = nil
	s.clock.Set(at.Add(time.Minute))
	s.text(t, "SM4", strangerNo, "and on Monday?")
	s.tickAt(t, at.Add(time.Minute))
	s.tickAt(t, at.Add(2*time.Minute))
	if got := s.toRep(); len(got) != 0 {
		t.Fatalf("within 2 min of the summary the rep got %q for a plain reply", got)
	}
	s.tickAt(t, at.Add(45*time.Second+2*time.Minute))
	if got := s.toRep(); len(got) != 1 || got[0] != "Reply from "+strangerNo+" (from someone not in your customers)" {
		t.Errorf("once the gap passed the rep got %q, want the reply's own forward", got)
	}
}

// lastOutboxEmail is the text of the newest email to the rep in the
// shop's outbox (its file names start with the zero-padded queue id).
func lastOutboxEmail(t *testing.T, s *shop) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(filepath.Dir(s.path), "outbox", "*-to-rep.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no email to the rep in the outbox (%v)", err)
	}
	b, err := os.ReadFile(slices.Max(files))
	if err != nil {
		t.Fatal(err)
	}
	text, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(b)))
	if err != nil {
		t.Fatal(err)
	}
	return string(text)
}
