package dashboard

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/workspace"
)

// The rep's day: the tasks due (call Jane), the replies waiting, the
// sends that failed and the steps skipped today because their moment had
// passed. The daily digest links here.

// dayLimit bounds each list of the rep's day: past it the page says how
// to see the rest rather than grow without end.
const dayLimit = 200

// failedWithin is how far back Today lists failed sends.
const failedWithin = 7 * 24 * time.Hour

type taskView struct {
	ID                 int64
	ContactID          int64
	Who, Phone, Title  string
	Due                string
	Overdue, HandedOut bool
	TelLink, SMSLink   template.URL // html/template refuses tel: and sms: in a string
}

type failedView struct {
	ID          int64
	ContactID   int64
	Who, What   string
	Reason, Due string
	Retried     bool
}

type staleView struct {
	ContactID  int64
	When, Text string
}

type todayPage struct {
	CSRF    string
	Date    string
	Tasks   []taskView
	Replies int
	Failed  []failedView
	Stale   []staleView
}

func (d *Dashboard) routeToday(mux *http.ServeMux) {
	mux.HandleFunc("GET /dashboard/today", d.private(d.today))
	mux.HandleFunc("POST /dashboard/today/tasks/{mid}/done", d.private(d.rowAction))
	mux.HandleFunc("POST /dashboard/today/tasks/{mid}/tomorrow", d.private(d.rowAction))
	mux.HandleFunc("POST /dashboard/today/failed/{mid}/retry", d.private(d.rowAction))
}

// dayStart is the start of the rep's day holding now.
func (d *Dashboard) dayStart(now time.Time) time.Time {
	y, m, day := now.In(d.cfg.RepZone).Date()
	return time.Date(y, m, day, 0, 0, 0, 0, d.cfg.RepZone)
}

func (d *Dashboard) today(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx := r.Context()
	now := d.cfg.Clock()
	start := d.dayStart(now)
	p := todayPage{CSRF: s.CSRF, Date: start.Format("Monday 2 January")}
	tasks, err := d.cfg.Store.OpenTasks(ctx, start.AddDate(0, 0, 1).Unix(), dayLimit)
	if err != nil {
		return fmt.Errorf("today's tasks: %w", err)
	}
	for _, t := range tasks {
		p.Tasks = append(p.Tasks, d.taskView(t, start))
	}
	if p.Replies, err = d.cfg.Store.OpenReplies(ctx); err != nil {
		return fmt.Errorf("count replies waiting: %w", err)
	}
	failed, err := d.cfg.Store.FailedSince(ctx, now.Add(-failedWithin).Unix(), dayLimit)
	if err != nil {
		return fmt.Errorf("failed sends: %w", err)
	}
	for _, f := range failed {
		p.Failed = append(p.Failed, failedView{ID: f.ID, ContactID: f.ContactID, Who: orUnnamed(f.ContactName),
			What: f.Campaign + "/" + f.Step + " (" + f.Channel + ")", Reason: orNone(f.Error, f.Note),
			Due: d.repTime(f.DueAt), Retried: f.RetriedAt != 0})
	}
	stale, err := d.cfg.Store.NoticesSince(ctx, []string{store.NoticeStale, store.NoticeSeriesEnded}, start.Unix(), dayLimit)
	if err != nil {
		return fmt.Errorf("steps skipped today: %w", err)
	}
	for _, n := range stale {
		p.Stale = append(p.Stale, staleView{ContactID: n.ContactID, When: d.repTime(n.CreatedAt), Text: n.Text})
	}
	d.render(w, http.StatusOK, "today", s, p)
	return nil
}

func (d *Dashboard) taskView(t store.DayRow, start time.Time) taskView {
	title := t.Subject
	if title == "" {
		title = t.Campaign + "/" + t.Step
	}
	v := taskView{ID: t.ID, ContactID: t.ContactID, Who: orUnnamed(t.ContactName), Phone: t.ContactPhone,
		Title: title, Due: d.repTime(t.DueAt), Overdue: t.DueAt < start.Unix(), HandedOut: t.State == store.Sent}
	if t.ContactPhone != "" {
		// Escaped: a stored phone is E.164, but the link must not become
		// anything else if one were not.
		p := url.PathEscape(t.ContactPhone)
		v.TelLink, v.SMSLink = template.URL("tel:"+p), template.URL("sms:"+p)
	}
	return v
}

func orUnnamed(name string) string {
	if name == "" {
		return "(no name)"
	}
	return name
}

func orNone(a, b string) string {
	if a != "" {
		return a
	}
	if b != "" {
		return b
	}
	return "no reason recorded"
}

// rowAction does what the path says to a queue row: a task done or moved
// to tomorrow, a failed send tried again, a step skipped; then back to the
// page the rep was on.
func (d *Dashboard) rowAction(w http.ResponseWriter, r *http.Request, s *session) error {
	ws, err := d.workspace()
	if err != nil {
		return err
	}
	mid, err := pathID(r, "mid")
	if err != nil {
		return err
	}
	back := "/dashboard/today"
	ctx, now := r.Context(), d.cfg.Clock()
	switch lastPart(r.URL.Path) {
	case "done":
		_, err = ws.TaskDone(ctx, mid, now)
	case "tomorrow":
		_, err = ws.TaskTomorrow(ctx, mid, now)
	case "retry":
		_, err = ws.Retry(ctx, mid, now)
	case "skip":
		back = "/dashboard/upcoming"
		err = d.skipRow(r, ws, mid)
	default:
		return &statusError{http.StatusNotFound, "There is no such page."}
	}
	if errors.Is(err, workspace.ErrInvalid) {
		d.render(w, http.StatusConflict, "message", s, messagePage{Title: "Nothing changed", Text: err.Error(), Link: back, LinkText: "Back"})
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
	return nil
}

func lastPart(path string) string { return path[strings.LastIndexByte(path, '/')+1:] }
