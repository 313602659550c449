package dashboard

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/workspace"
)

// The rep's hand on one customer, on their page: edit, forget, pause,
// skip a step, unsubscribe, notes; and an "Add customer" form. The work
// is internal/workspace's; every change is a POST with the form token
// that answers with a redirect, so a reload never repeats it.

// workView is what the contact page shows and offers beyond the contact
// itself.
type workView struct {
	CSRF    string
	Paused  string // when the rep paused the customer, in the rep's zone; "" when not
	Orders  []orderView
	Today   string // the rep's date, for the new order's date
	History []historyView
	Consent string // the consent source, for the edit form
}

type orderView struct {
	ID                   int64
	Date, Invoice, Items string
	State                string
}

type historyView struct {
	When, Who, Text string
	Note            bool
}

// routeCustomers adds the customer routes to mux.
func (d *Dashboard) routeCustomers(mux *http.ServeMux) {
	mux.HandleFunc("GET /dashboard/contacts/new", d.private(d.newContactPage))
	mux.HandleFunc("POST /dashboard/contacts/new", d.private(d.addContact))
	mux.HandleFunc("POST /dashboard/contacts/{id}/edit", d.private(d.editContact))
	mux.HandleFunc("GET /dashboard/contacts/{id}/remove", d.private(d.removePage))
	mux.HandleFunc("POST /dashboard/contacts/{id}/remove", d.private(d.removeContact))
	mux.HandleFunc("POST /dashboard/contacts/{id}/pause", d.private(d.pauseContact))
	mux.HandleFunc("POST /dashboard/contacts/{id}/resume", d.private(d.pauseContact))
	mux.HandleFunc("POST /dashboard/contacts/{id}/notes", d.private(d.addNote))
	mux.HandleFunc("POST /dashboard/contacts/{id}/subscription", d.private(d.setSubscription))
	mux.HandleFunc("POST /dashboard/contacts/{id}/messages/{mid}/skip", d.private(d.skipMessage))
	mux.HandleFunc("POST /dashboard/contacts/{id}/orders", d.private(d.addOrder))
	mux.HandleFunc("POST /dashboard/contacts/{id}/orders/{oid}/date", d.private(d.orderDate))
	mux.HandleFunc("POST /dashboard/contacts/{id}/orders/{oid}/cancel", d.private(d.cancelOrder))
}

// workspace is the rep's workspace with the campaigns of the moment, or
// an error page when the daemon gave none.
func (d *Dashboard) workspace() (*workspace.Workspace, error) {
	if d.cfg.Content == nil {
		return nil, &statusError{http.StatusServiceUnavailable, "Changing customers is not available here."}
	}
	return &workspace.Workspace{Store: d.cfg.Store, Content: d.cfg.Content(), Region: d.cfg.Country, Who: workspace.ByDashboard}, nil
}

// pathContact is the contact the path's {id} names.
func (d *Dashboard) pathContact(r *http.Request) (*store.Contact, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return nil, &statusError{http.StatusNotFound, "There is no such customer."}
	}
	c, err := d.cfg.Store.Contact(r.Context(), id)
	if store.IsNotFound(err) {
		return nil, &statusError{http.StatusNotFound, "There is no such customer."}
	}
	if err != nil {
		return nil, fmt.Errorf("read contact %d: %w", id, err)
	}
	return c, nil
}

// pathID reads a number from the path, or answers 404.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil {
		return 0, &statusError{http.StatusNotFound, "There is no such page."}
	}
	return id, nil
}

// changed redirects to the contact's page after a change, or shows what the
// rep got wrong with a way back.
func (d *Dashboard) changed(w http.ResponseWriter, r *http.Request, s *session, c *store.Contact, err error) error {
	if errors.Is(err, workspace.ErrInvalid) {
		d.render(w, http.StatusBadRequest, "message", s, messagePage{Title: "Not saved", Text: err.Error(),
			Link: fmt.Sprintf("/dashboard/contacts/%d", c.ID), LinkText: "Back to " + c.Label()})
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/dashboard/contacts/%d", c.ID), http.StatusSeeOther)
	return nil
}

// work gathers the contact page's orders, history and forms.
func (d *Dashboard) work(ctx context.Context, c *store.Contact, s *session) (*workView, error) {
	v := &workView{CSRF: s.CSRF, Today: d.cfg.Clock().In(d.cfg.RepZone).Format(time.DateOnly), Consent: c.SMSConsentSource}
	if c.PausedAt != 0 {
		v.Paused = d.repTime(c.PausedAt)
	}
	os, err := d.cfg.Store.OrdersOf(ctx, c.ID)
	if err != nil {
		return nil, fmt.Errorf("orders of contact %d: %w", c.ID, err)
	}
	for _, o := range os {
		state := workspace.OrderActive
		if o.CancelledAt != 0 {
			state = workspace.OrderCancelled
		}
		v.Orders = append(v.Orders, orderView{ID: o.ID, Date: o.Date, Invoice: o.Invoice, Items: o.Items, State: state})
	}
	h, err := d.cfg.Store.History(ctx, c.ID)
	if err != nil {
		return nil, fmt.Errorf("history of contact %d: %w", c.ID, err)
	}
	for _, e := range h {
		v.History = append(v.History, historyView{When: d.repTime(e.CreatedAt), Who: e.Who, Text: e.Text, Note: e.Kind == store.HistoryNote})
	}
	return v, nil
}

// formFields are the customer fields of a form: each one the form has is
// set, an empty consent leaves it as it is.
func formFields(r *http.Request) workspace.Fields {
	var f workspace.Fields
	field := func(name string) *string {
		if _, ok := r.PostForm[name]; !ok {
			return nil
		}
		return workspace.Str(r.PostFormValue(name))
	}
	f.FirstName, f.LastName = field("first_name"), field("last_name")
	f.Email, f.Phone, f.Timezone = field("email"), field("phone"), field("timezone")
	if v := strings.TrimSpace(r.PostFormValue("sms_consent")); v != "" {
		f.SMSConsent = &v
	}
	f.Note = r.PostFormValue("note")
	return f
}

type newContactPage struct {
	CSRF  string
	Error string
}

func (d *Dashboard) newContactPage(w http.ResponseWriter, r *http.Request, s *session) error {
	d.render(w, http.StatusOK, "contact-new", s, newContactPage{CSRF: s.CSRF})
	return nil
}

func (d *Dashboard) addContact(w http.ResponseWriter, r *http.Request, s *session) error {
	ws, err := d.workspace()
	if err != nil {
		return err
	}
	res, err := ws.Add(r.Context(), formFields(r), d.cfg.Clock())
	if errors.Is(err, workspace.ErrInvalid) {
		d.render(w, http.StatusBadRequest, "contact-new", s, newContactPage{CSRF: s.CSRF, Error: err.Error()})
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/dashboard/contacts/%d", res.Contact.ID), http.StatusSeeOther)
	return nil
}

func (d *Dashboard) editContact(w http.ResponseWriter, r *http.Request, s *session) error {
	ws, c, err := d.workspaceAndContact(r)
	if err != nil {
		return err
	}
	_, _, err = ws.Edit(r.Context(), c, formFields(r), d.cfg.Clock())
	return d.changed(w, r, s, c, err)
}

// workspaceAndContact starts a change to the path's contact.
func (d *Dashboard) workspaceAndContact(r *http.Request) (*workspace.Workspace, *store.Contact, error) {
	ws, err := d.workspace()
	if err != nil {
		return nil, nil, err
	}
	c, err := d.pathContact(r)
	if err != nil {
		return nil, nil, err
	}
	return ws, c, nil
}

type removePage struct {
	CSRF    string
	Contact *store.Contact
	Who     string // the customer and what goes with them
}

func (d *Dashboard) removePage(w http.ResponseWriter, r *http.Request, s *session) error {
	ws, c, err := d.workspaceAndContact(r)
	if err != nil {
		return err
	}
	who, err := ws.RemovalSummary(r.Context(), c)
	if err != nil {
		return err
	}
	d.render(w, http.StatusOK, "contact-remove", s, removePage{CSRF: s.CSRF, Contact: c, Who: who})
	return nil
}

func (d *Dashboard) removeContact(w http.ResponseWriter, r *http.Request, s *session) error {
	ws, c, err := d.workspaceAndContact(r)
	if err != nil {
		return err
	}
	if err := ws.Remove(r.Context(), c); err != nil {
		return err
	}
	http.Redirect(w, r, "/dashboard/contacts", http.StatusSeeOther)
	return nil
}

func (d *Dashboard) pauseContact(w http.ResponseWriter, r *http.Request, s *session) error {
	ws, c, err := d.workspaceAndContact(r)
	if err != nil {
		return err
	}
	if strings.HasSuffix(r.URL.Path, "/pause") {
		_, err = ws.Pause(r.Context(), c, d.cfg.Clock())
	} else {
		_, err = ws.Resume(r.Context(), c, d.cfg.Clock())
	}
	return d.changed(w, r, s, c, err)
}

func (d *Dashboard) addNote(w http.ResponseWriter, r *http.Request, s *session) error {
	ws, c, err := d.workspaceAndContact(r)
	if err != nil {
		return err
	}
	return d.changed(w, r, s, c, ws.Note(r.Context(), c, r.PostFormValue("note"), d.cfg.Clock()))
}

// setSubscription stops or restarts email or texts: channel is email or
// sms, on is 1 to restart.
func (d *Dashboard) setSubscription(w http.ResponseWriter, r *http.Request, s *session) error {
	ws, c, err := d.workspaceAndContact(r)
	if err != nil {
		return err
	}
	on := r.PostFormValue("on") == "1"
	return d.changed(w, r, s, c, ws.SetSubscription(r.Context(), c, r.PostFormValue("channel"), on, d.cfg.Clock()))
}

func (d *Dashboard) skipMessage(w http.ResponseWriter, r *http.Request, s *session) error {
	ws, c, err := d.workspaceAndContact(r)
	if err != nil {
		return err
	}
	mid, err := pathID(r, "mid")
	if err != nil {
		return err
	}
	_, err = ws.Skip(r.Context(), c, mid, d.cfg.Clock())
	return d.changed(w, r, s, c, err)
}
