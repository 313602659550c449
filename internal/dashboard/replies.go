package dashboard

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/store"
)

// timeFormat is how every page shows a moment, in some zone.
const timeFormat = "Mon 2 Jan 2006, 15:04 MST"

// problemFlags start a policy deadline or need the rep to act; they get
// the warning colour. Others (opted_out, help, a rep's own word) do not.
var problemFlags = map[string]bool{
	"damaged": true, "leaking": true, "broken": true, "wrong_item": true, "missing_item": true,
	"return": true, "refund": true, "cancel": true,
}

type flagView struct {
	Text    string
	Problem bool
}

type replyView struct {
	ID          int64
	ContactID   int64 // 0: unknown sender
	Who, From   string
	Channel     string
	Received    string
	Flags       []flagView
	Deadlines   []string
	Subject     string
	Body        string
	Handled     string // when, in the rep's zone; "" while waiting
	WithContact bool   // show the sender (not on the contact's own page)
	CSRF        string // for the "Mark handled" form
	OpenCase    *openCaseForm
}

type repliesPage struct {
	All     bool
	Done    string // confirmation after "Mark handled"
	Replies []replyView
	First   string // the first page's link, when this is a later one
	Next    string // the next page's link; "" on the last
}

func (d *Dashboard) replyView(r store.Reply, s *session) replyView {
	v := replyView{CSRF: s.CSRF, ID: r.ID, ContactID: r.ContactID, Who: r.ContactName, From: r.From, Channel: channelName(r.Channel),
		Received: d.repTime(r.ReceivedAt), Deadlines: d.sayDeadlines(r.DeadlineList()),
		Subject: r.Subject, Body: strings.TrimSpace(r.Body), WithContact: true}
	if v.Who == "" {
		v.Who = r.From
	}
	v.Flags = flagViews(r.FlagList())
	v.OpenCase = openCase(r.ID, r.ContactID, r.FlagList(), s.CSRF)
	if r.HandledAt != 0 {
		v.Handled = d.repTime(r.HandledAt)
	}
	return v
}

// replies lists the replies that wait for the rep, problems first, a
// page at a time.
func (d *Dashboard) replies(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx := r.Context()
	p := repliesPage{All: r.URL.Query().Get("all") == "1"}
	after, err := replyCursor(r.URL.Query().Get("after"))
	if err != nil {
		return err
	}
	rs, next, err := d.cfg.Store.RepliesPage(ctx, p.All, after, repliesPerPage)
	if err != nil {
		return fmt.Errorf("list replies: %w", err)
	}
	if after != (store.ReplyCursor{}) {
		p.First = repliesLink(p.All, nil)
	}
	if next != nil {
		p.Next = repliesLink(p.All, next)
	}
	for _, rep := range rs {
		p.Replies = append(p.Replies, d.replyView(rep, s))
	}
	if id, err := strconv.ParseInt(r.URL.Query().Get("done"), 10, 64); err == nil {
		if p.Done, err = d.doneText(r, id); err != nil {
			return err
		}
	}
	d.render(w, http.StatusOK, "replies", s, p)
	return nil
}

// doneText confirms a handled reply, and says whether that customer's
// messages resume or still wait for another of their replies.
func (d *Dashboard) doneText(r *http.Request, id int64) (string, error) {
	rep, err := d.cfg.Store.Reply(r.Context(), id)
	if store.IsNotFound(err) || (err == nil && rep.HandledAt == 0) {
		return "", nil // a stale or hand-made link: say nothing rather than something false
	}
	if err != nil {
		return "", fmt.Errorf("read reply %d: %w", id, err)
	}
	if rep.ContactID == 0 {
		return "Marked handled.", nil
	}
	open, err := d.cfg.Store.OpenReplyCount(r.Context(), rep.ContactID)
	if err != nil {
		return "", fmt.Errorf("count open replies: %w", err)
	}
	who := rep.ContactName
	if who == "" {
		who = "that customer"
	}
	if open > 0 {
		return fmt.Sprintf("Marked handled. %d more from %s still waiting; their follow-up stays paused until those are handled too.", open, who), nil
	}
	return fmt.Sprintf("Marked handled: %s's follow-up resumes.", who), nil
}

// done marks a reply handled and goes back to the list (POST-redirect-GET,
// so reloading the page does not post again).
func (d *Dashboard) done(w http.ResponseWriter, r *http.Request, _ *session) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return &statusError{http.StatusNotFound, "There is no such reply."}
	}
	if _, err := d.cfg.Store.Reply(r.Context(), id); store.IsNotFound(err) {
		return &statusError{http.StatusNotFound, "There is no such reply."}
	} else if err != nil {
		return fmt.Errorf("read reply %d: %w", id, err)
	}
	now := d.cfg.Clock().Unix()
	err = d.cfg.Store.Tx(r.Context(), func(tx *store.Tx) error {
		_, err := tx.HandleReply(r.Context(), id, now) // already handled is fine: same outcome
		return err
	})
	if err != nil {
		return fmt.Errorf("mark reply %d handled: %w", id, err)
	}
	d.cfg.Log.Info("reply marked handled from the dashboard", "reply", id)
	http.Redirect(w, r, "/dashboard/replies?done="+strconv.FormatInt(id, 10), http.StatusSeeOther)
	return nil
}

// channelName says "text" for SMS, as reps and customers do.
func channelName(ch string) string {
	switch ch {
	case channel.SMS:
		return "text"
	case channel.Task:
		return "task for you"
	}
	return ch
}

func (d *Dashboard) repTime(unix int64) string {
	return time.Unix(unix, 0).In(d.cfg.RepZone).Format(timeFormat)
}
