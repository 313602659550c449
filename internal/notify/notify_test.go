package notify

import (
	"strings"
	"testing"
	"time"
)

func TestForwardTellsTheRepWhatToDo(t *testing.T) {
	r := Reply{
		ID: 7, Channel: "sms", From: "+13125550142", Name: "Emily Carter", Phone: "(312) 555-0142",
		Order: "invoice 1042 of 2026-11-20: Lavender", Answers: "post-order / arrival-check",
		Body: "the bottle arrived leaking\nwhat now?", Flags: []string{"leaking"},
		Deadlines: []string{"report it to the company by Thu 3 Dec"},
		Received:  time.Date(2026, 11, 25, 16, 4, 0, 0, time.UTC),
		Notes:     []string{"2026-11-02: prefers texts\nafter 5"},
	}
	subject, body := Forward(r)
	if subject != "⚠ leaking — Reply from Emily Carter" {
		t.Errorf("subject = %q", subject)
	}
	for _, want := range []string{
		"> the bottle arrived leaking\n> what now?", "Phone:     (312) 555-0142", "Order:     invoice 1042",
		"Answering: post-order / arrival-check", "Deadline:  report it to the company by Thu 3 Dec",
		"rapport replies done 7", "Your note: 2026-11-02: prefers texts\n           after 5",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("forward lacks %q:\n%s", want, body)
		}
	}
	if sms := SMSForward(r); !strings.Contains(sms, "[leaking]") || !strings.Contains(sms, "done 7") || len(sms) > 200 {
		t.Errorf("SMS forward = %q", sms)
	}
}

func TestForwardFromAStranger(t *testing.T) {
	subject, _ := Forward(Reply{ID: 1, Channel: "sms", From: "+15555550100", Body: "hi"})
	if subject != "Reply from +15555550100 (from someone not in your customers)" {
		t.Errorf("subject = %q", subject)
	}
}

func TestDigest(t *testing.T) {
	if !(Digest{}).Empty() {
		t.Fatal("an empty digest is not Empty")
	}
	d := Digest{
		Date:    time.Date(2026, 12, 2, 7, 30, 0, 0, time.UTC),
		Replies: []Reply{{ID: 3, Name: "Jane", Channel: "email", Body: "where is it?"}},
		Tasks:   []string{"Call Jane"},
		Stale:   []string{"Bob — arrival-check skipped"},
	}
	subject, body := d.Compose()
	if subject != "Rapport — your day, Wed 2 Dec: 1 reply waiting, 1 task" {
		t.Errorf("subject = %q", subject)
	}
	for _, want := range []string{"REPLIES WAITING", "#3 Jane", "TO DO TODAY\n- Call Jane", "MOMENT HAD PASSED\n- Bob"} {
		if !strings.Contains(body, want) {
			t.Errorf("digest lacks %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "COULD NOT BE SENT") {
		t.Errorf("digest shows an empty section:\n%s", body)
	}
	if strings.Contains(body, "dashboard") {
		t.Errorf("digest without a link mentions the dashboard:\n%s", body)
	}
	d.Link = "https://rapport.example.com/dashboard/today"
	if _, body := d.Compose(); !strings.HasPrefix(body, "Your day on the dashboard: https://rapport.example.com/dashboard/today\n") {
		t.Errorf("digest does not open with the Today link:\n%s", body)
	}
}

// A digest that lists some of the waiting replies counts them all and
// says where the rest are.
func TestDigestCountsTheRepliesLeftOut(t *testing.T) {
	d := Digest{Date: time.Date(2026, 12, 2, 7, 30, 0, 0, time.UTC), Waiting: 3,
		Replies: []Reply{{ID: 3, Name: "Jane", Channel: "email", Body: "where is it?"}}}
	subject, body := d.Compose()
	if subject != "Rapport — your day, Wed 2 Dec: 3 replies waiting" {
		t.Errorf("subject = %q", subject)
	}
	if !strings.Contains(body, "#3 Jane") || !strings.Contains(body, "... and 2 more: rapport replies\n") {
		t.Errorf("digest without a link:\n%s", body)
	}
	d.RepliesLink = "https://rapport.example.com/dashboard/replies"
	if _, body := d.Compose(); !strings.Contains(body, "... and 2 more: "+d.RepliesLink+"\n") {
		t.Errorf("digest with a link:\n%s", body)
	}
	d.Waiting = 1
	if _, body := d.Compose(); strings.Contains(body, "more:") {
		t.Errorf("digest listing every reply says there are more:\n%s", body)
	}
}

func TestSummary(t *testing.T) {
	s := Summary{New: 10001, Flagged: 2, Link: "https://rapport.example.com/dashboard/", Shown: []Reply{
		{ID: 9, Name: "Emily Carter", Channel: "sms", Body: "the bottle arrived leaking", Flags: []string{"leaking"}},
		{ID: 4, From: "+15555550100", Channel: "sms", Body: "thanks"},
	}}
	subject, body := s.Compose()
	if subject != "⚠ 10001 new replies, 2 flagged: Emily Carter (leaking)" {
		t.Errorf("subject = %q", subject)
	}
	for _, want := range []string{"#9 Emily Carter", "> the bottle arrived leaking", "#4 +15555550100", "and 9999 more", s.Link} {
		if !strings.Contains(body, want) {
			t.Errorf("summary lacks %q:\n%s", want, body)
		}
	}
	text := s.Text()
	if text != `Rapport: 10001 new replies, 2 flagged: Emily Carter [leaking] "the bottle arrived leaking" — `+s.Link {
		t.Errorf("text = %q", text)
	}
	if subject, _ := (Summary{New: 2, Shown: s.Shown[1:]}).Compose(); subject != "2 new replies" {
		t.Errorf("unflagged subject = %q", subject)
	}
}
