package main

import (
	"fmt"
	"io"
	"time"

	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/termsafe"
)

type statusJSON struct {
	Version       string          `json:"version"`
	Queue         map[string]int  `json:"queue"`
	NextDue       string          `json:"next_due"`
	Failures      []store.Failure `json:"recent_failures"`
	Notices       []noticeJSON    `json:"recent_notices"`
	RepliesOpen   int             `json:"replies_waiting"`
	LastReplyPoll string          `json:"last_reply_poll"`
	EmailVia      string          `json:"email_transport"`
	SMSVia        string          `json:"sms_transport"`
}

type noticeJSON struct {
	Kind string `json:"kind"`
	Text string `json:"text"`
	At   string `json:"at"`
}

func cmdStatus(e *env, args []string) error {
	fs := newFlags(e, "status", "[--json]")
	asJSON := fs.Bool("json", false, "print as JSON")
	if _, err := flags(fs, args); err != nil {
		return err
	}
	cfg, st, err := e.openDB()
	if err != nil {
		return err
	}
	defer st.Close()
	s, err := collectStatus(e, st)
	if err != nil {
		return err
	}
	s.EmailVia, s.SMSVia = cfg.Email.Transport, cfg.SMS.Transport
	if *asJSON {
		return printJSON(e.io.out, s)
	}
	printStatus(e.io.out, s, cfg.Rep.Location)
	return nil
}

func collectStatus(e *env, st *store.Store) (*statusJSON, error) {
	counts, err := st.QueueCounts(e.ctx)
	if err != nil {
		return nil, err
	}
	s := &statusJSON{Version: fullVersion(), Queue: counts, Failures: []store.Failure{}, Notices: []noticeJSON{}}
	if next, err := st.NextDue(e.ctx); err != nil {
		return nil, err
	} else if next != 0 {
		s.NextDue = time.Unix(next, 0).UTC().Format(time.RFC3339)
	}
	if s.Failures, err = st.RecentFailures(e.ctx, 10); err != nil {
		return nil, err
	}
	notices, err := st.RecentNotices(e.ctx, 10)
	if err != nil {
		return nil, err
	}
	for _, n := range notices {
		s.Notices = append(s.Notices, noticeJSON{Kind: n.Kind, Text: n.Text, At: time.Unix(n.CreatedAt, 0).UTC().Format(time.RFC3339)})
	}
	replies, err := st.Replies(e.ctx, false)
	if err != nil {
		return nil, err
	}
	s.RepliesOpen = len(replies)
	s.LastReplyPoll, _ = st.Setting(e.ctx, "imap:last_poll")
	return s, nil
}

func printStatus(w io.Writer, s *statusJSON, loc *time.Location) {
	q := s.Queue
	fmt.Fprintf(w, "rapport %s\n", s.Version)
	fmt.Fprintf(w, "queue: %d pending, %d sending, %d sent, %d skipped, %d failed, %d cancelled\n",
		q[store.Pending], q[store.Sending], q[store.Sent], q[store.Skipped], q[store.Failed], q[store.Cancelled])
	if s.NextDue != "" {
		t, _ := time.Parse(time.RFC3339, s.NextDue)
		fmt.Fprintf(w, "next send: %s\n", t.In(loc).Format("Mon 2 Jan 2006 15:04 MST"))
	}
	fmt.Fprintf(w, "email via %s, texts via %s\n", s.EmailVia, s.SMSVia)
	fmt.Fprintf(w, "replies waiting for you: %d", s.RepliesOpen)
	if s.RepliesOpen > 0 {
		fmt.Fprint(w, " (rapport replies)")
	}
	fmt.Fprintln(w)
	if s.LastReplyPoll != "" {
		fmt.Fprintf(w, "last reply poll: %s\n", termsafe.Line(s.LastReplyPoll))
	}
	if len(s.Failures) > 0 {
		fmt.Fprintln(w, "\nfailed or retrying:")
		for _, f := range s.Failures {
			fmt.Fprintf(w, "  #%d %s %s/%s (%s, %d %s): %s\n", f.ID, termsafe.Line(f.ContactName), f.Campaign, f.Step, f.Channel,
				f.Attempts, plural(f.Attempts, "attempt", "attempts"), termsafe.Line(f.Error))
		}
	}
	if len(s.Notices) > 0 {
		fmt.Fprintln(w, "\nrecent notices:")
		for _, n := range s.Notices {
			fmt.Fprintf(w, "  [%s] %s\n", n.Kind, termsafe.Text(n.Text))
		}
	}
}
