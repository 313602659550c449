package dashboard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/rapportapp/rapport/internal/cases"
	"github.com/rapportapp/rapport/internal/schedule"
	"github.com/rapportapp/rapport/internal/store"
)

// routeCases adds the Cases pages: open cases by nearest deadline, one
// case with its forms, and "Open a case" from a flagged reply.
func (d *Dashboard) routeCases(mux *http.ServeMux) {
	mux.HandleFunc("GET /dashboard/cases", d.private(d.casesList))
	mux.HandleFunc("GET /dashboard/cases/{id}", d.private(d.casePage))
	mux.HandleFunc("POST /dashboard/cases/{id}/update", d.private(d.caseUpdate))
	mux.HandleFunc("POST /dashboard/cases/{id}/close", d.private(d.caseClose))
	mux.HandleFunc("POST /dashboard/replies/{id}/case", d.private(d.caseOpen))
}

// flagViews names a reply's stored flags in words, problems marked.
func flagViews(stored []string) []flagView {
	var out []flagView
	for _, f := range stored {
		out = append(out, flagView{Text: cases.FlagText(f), Problem: problemFlags[cases.FlagKind(f)]})
	}
	return out
}

// rules are the case rules of the moment; without the campaigns' content
// (a bare dashboard) the deadlines count plain days in the rep's zone.
func (d *Dashboard) rules() cases.Rules {
	if d.cfg.Content != nil {
		if c := d.cfg.Content(); c != nil {
			return c.CaseRules()
		}
	}
	return cases.Rules{Zone: d.cfg.RepZone}
}

// sayDeadlines writes a reply's stored deadlines as seen today.
func (d *Dashboard) sayDeadlines(lines []string) []string {
	r := d.rules()
	return cases.SayDeadlines(lines, cases.Today(d.cfg.Clock(), r.Zone), r.Calendar)
}

// kindOption is one choice of the "Open a case" form.
type kindOption struct {
	Value, Label string
	Selected     bool
}

// kindOptions are the kinds, the one a reply's flags suggest chosen.
func kindOptions(stored []string) []kindOption {
	var kinds []string
	for _, f := range stored {
		kinds = append(kinds, cases.FlagKind(f))
	}
	pick := cases.KindOfFlags(kinds)
	var out []kindOption
	for _, k := range cases.Kinds {
		out = append(out, kindOption{Value: k, Label: cases.KindWords(k), Selected: k == pick})
	}
	return out
}

type deadlineView struct {
	What, When string
	Expired    bool
}

type eventView struct{ When, State, Note string }

type caseView struct {
	*store.Case
	KindText  string
	Opened    string
	Receipt   string // the receipt day said, with where it came from
	Open      bool
	Deadlines []deadlineView
	Missing   []string
	Next      string
	History   []eventView
	nearest   schedule.Date // the first deadline; zero when none runs
}

func (d *Dashboard) caseView(ctx context.Context, k *store.Case, r cases.Rules) (caseView, error) {
	today := cases.Today(d.cfg.Clock(), r.Zone)
	ds := r.Deadlines(k)
	v := caseView{Case: k, KindText: cases.KindWords(k.Kind), Opened: d.repTime(k.OpenedAt), Open: cases.IsOpen(k),
		Missing: cases.Missing(k), Next: cases.Next(k, ds)}
	fix := ""
	if v.Open {
		fix = "correct it under Update the case"
	}
	v.Receipt = cases.ReceivedText(k, today, fix)
	for i, dl := range ds {
		if i == 0 {
			v.nearest = dl.Due
		}
		v.Deadlines = append(v.Deadlines, deadlineView{What: dl.What, When: cases.When(dl.Due, today, dl.Business, r.Calendar),
			Expired: cases.Expired(dl.Due, today)})
	}
	evs, err := d.cfg.Store.CaseEvents(ctx, k.ID)
	if err != nil {
		return caseView{}, fmt.Errorf("history of case %d: %w", k.ID, err)
	}
	for _, e := range evs {
		v.History = append(v.History, eventView{When: d.repTime(e.At), State: e.State, Note: e.Note})
	}
	return v, nil
}

// casesList shows the open cases, the nearest deadline first; cases with
// no deadline running come after, oldest first.
func (d *Dashboard) casesList(w http.ResponseWriter, r *http.Request, s *session) error {
	ks, err := d.cfg.Store.Cases(r.Context(), false)
	if err != nil {
		return fmt.Errorf("list cases: %w", err)
	}
	rules := d.rules()
	var vs []caseView
	for i := range ks {
		v, err := d.caseView(r.Context(), &ks[i], rules)
		if err != nil {
			return err
		}
		vs = append(vs, v)
	}
	slices.SortStableFunc(vs, func(a, b caseView) int {
		za, zb := a.nearest == schedule.Date{}, b.nearest == schedule.Date{}
		switch {
		case za != zb:
			if za {
				return 1
			}
			return -1
		case a.nearest.Before(b.nearest):
			return -1
		case b.nearest.Before(a.nearest):
			return 1
		}
		return int(a.OpenedAt - b.OpenedAt)
	})
	d.render(w, http.StatusOK, "cases", s, struct{ Cases []caseView }{vs})
	return nil
}

type stateOption struct {
	Value    string
	Selected bool
}

// offerView is the customer's update offered after a state change, sent
// by the conversation's reply form.
type offerView struct {
	ContactID     int64
	Source        string
	Channel, Name string
	Text          string
	Seq           int
}

type casePageData struct {
	caseView
	CSRF     string
	States   []stateOption
	Outcomes []string
	Saved    bool
	Error    string
	Offer    *offerView
	NoOffer  bool // a state changed but no update is written for it
}

func (d *Dashboard) pathCase(r *http.Request) (*store.Case, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, &statusError{http.StatusNotFound, "There is no such case."}
	}
	k, err := d.cfg.Store.Case(r.Context(), id)
	if store.IsNotFound(err) {
		return nil, &statusError{http.StatusNotFound, "There is no such case."}
	}
	if err != nil {
		return nil, fmt.Errorf("read case %d: %w", id, err)
	}
	return k, nil
}

func (d *Dashboard) casePage(w http.ResponseWriter, r *http.Request, s *session) error {
	k, err := d.pathCase(r)
	if err != nil {
		return err
	}
	p, err := d.casePageData(r.Context(), k, s)
	if err != nil {
		return err
	}
	p.Saved = r.URL.Query().Get("saved") != ""
	if r.URL.Query().Get("offer") != "" {
		if p.Offer, err = d.offer(r.Context(), k); err != nil {
			return err
		}
		p.NoOffer = p.Offer == nil
	}
	d.render(w, http.StatusOK, "case", s, p)
	return nil
}

func (d *Dashboard) casePageData(ctx context.Context, k *store.Case, s *session) (*casePageData, error) {
	v, err := d.caseView(ctx, k, d.rules())
	if err != nil {
		return nil, err
	}
	p := &casePageData{caseView: v, CSRF: s.CSRF, Outcomes: cases.Outcomes}
	p.States = append(p.States, stateOption{Value: ""})
	for _, st := range cases.States {
		p.States = append(p.States, stateOption{Value: st})
	}
	return p, nil
}

// offer renders the update matching the case's state for its customer;
// nil when none is written or there is no engine to send it.
func (d *Dashboard) offer(ctx context.Context, k *store.Case) (*offerView, error) {
	if d.cfg.Talk == nil || d.cfg.CaseUpdates == "" {
		return nil, nil
	}
	up, err := d.cfg.Talk.CaseUpdate(ctx, d.cfg.CaseUpdates, k)
	if err != nil || up == nil {
		return nil, err
	}
	seq, err := d.cfg.Store.NextAnswerSeq(ctx, k.ContactID)
	if err != nil {
		return nil, fmt.Errorf("number of the next message to %s: %w", up.Contact.Label(), err)
	}
	return &offerView{ContactID: k.ContactID, Source: up.Source, Channel: up.Channel, Name: channelName(up.Channel),
		Text: up.Text, Seq: seq}, nil
}

// caseUpdate saves the update form (POST-redirect-GET); a state change
// goes on to offer the customer's update.
func (d *Dashboard) caseUpdate(w http.ResponseWriter, r *http.Request, s *session) error {
	k, err := d.pathCase(r)
	if err != nil {
		return err
	}
	f := r.PostFormValue
	ch := cases.Change{State: f("state"), Received: f("received"), Product: f("product"), Code: f("code"),
		Expiry: f("expiry"), RAN: f("ran"), RANIssued: f("ran_issued"), Note: f("note")}
	if ch == (cases.Change{}) {
		return d.caseAgain(w, r, s, k, "Nothing to save: fill in what changed.")
	}
	if _, err := cases.Update(r.Context(), d.cfg.Store, k.ID, ch, d.cfg.Clock()); err != nil {
		return d.caseFailed(w, r, s, k, err)
	}
	next := "saved=1"
	if ch.State != "" {
		next = "offer=1"
	}
	http.Redirect(w, r, fmt.Sprintf("/dashboard/cases/%d?%s#update", k.ID, next), http.StatusSeeOther)
	return nil
}

// caseClose ends a case with its outcome and offers the matching update.
func (d *Dashboard) caseClose(w http.ResponseWriter, r *http.Request, s *session) error {
	k, err := d.pathCase(r)
	if err != nil {
		return err
	}
	if _, err := cases.Close(r.Context(), d.cfg.Store, k.ID, r.PostFormValue("outcome"), r.PostFormValue("note"), d.cfg.Clock()); err != nil {
		return d.caseFailed(w, r, s, k, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/dashboard/cases/%d?offer=1#update", k.ID), http.StatusSeeOther)
	return nil
}

// caseFailed shows the case again with what the rep must correct; other
// errors are the wrapper's.
func (d *Dashboard) caseFailed(w http.ResponseWriter, r *http.Request, s *session, k *store.Case, err error) error {
	if !errors.Is(err, cases.ErrUsage) {
		return err
	}
	return d.caseAgain(w, r, s, k, usageText(err))
}

func (d *Dashboard) caseAgain(w http.ResponseWriter, r *http.Request, s *session, k *store.Case, msg string) error {
	p, err := d.casePageData(r.Context(), k, s)
	if err != nil {
		return err
	}
	p.Error = msg
	d.render(w, http.StatusUnprocessableEntity, "case", s, p)
	return nil
}

func usageText(err error) string {
	msg := err.Error()
	if p := cases.ErrUsage.Error() + ": "; len(msg) > len(p) && msg[:len(p)] == p {
		return msg[len(p):]
	}
	return msg
}

// caseOpen opens a case from a flagged reply, of the kind the rep chose.
func (d *Dashboard) caseOpen(w http.ResponseWriter, r *http.Request, _ *session) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return &statusError{http.StatusNotFound, "There is no such reply."}
	}
	k, err := cases.OpenFromReply(r.Context(), d.cfg.Store, id, r.PostFormValue("kind"), d.rules(), d.cfg.Clock())
	switch {
	case store.IsNotFound(err):
		return &statusError{http.StatusNotFound, "There is no such reply."}
	case errors.Is(err, cases.ErrUsage):
		return &statusError{http.StatusUnprocessableEntity, usageText(err)}
	case err != nil:
		return err
	}
	d.cfg.Log.Info("case opened from the dashboard", "case", k.ID, "reply", id)
	http.Redirect(w, r, fmt.Sprintf("/dashboard/cases/%d", k.ID), http.StatusSeeOther)
	return nil
}

// openCaseForm is the "Open a case" button of a flagged reply.
type openCaseForm struct {
	ID    int64 // the reply's
	CSRF  string
	Kinds []kindOption
}

// openCase offers the button on a customer's reply flagged with a
// problem; nil otherwise (no case for a stranger or a plain reply).
func openCase(replyID, contactID int64, flags []string, csrf string) *openCaseForm {
	problem := false
	for _, f := range flags {
		problem = problem || problemFlags[cases.FlagKind(f)]
	}
	if !problem || contactID == 0 || replyID == 0 {
		return nil
	}
	return &openCaseForm{ID: replyID, CSRF: csrf, Kinds: kindOptions(flags)}
}
