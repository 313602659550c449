package dashboard

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/rapportapp/rapport/internal/engine"
	"github.com/rapportapp/rapport/internal/engine/enginetest"
	"github.com/rapportapp/rapport/internal/store"
)

// withContent gives the fixture's dashboard the starter campaigns, which
// the customer and order forms enrol customers in, and the rep's country.
func (f *fixture) withContent(t *testing.T) {
	t.Helper()
	c := enginetest.Content(t, f.dash.cfg.RepZone, enginetest.Starter(t)...)
	f.dash.cfg.Content = func() *engine.Content { return c }
	f.dash.cfg.Country = "US"
}

// post sends a form with the session's token and returns the response
// and its body.
func (f *fixture) post(t *testing.T, path string, form url.Values, c *http.Cookie, token string) (*http.Response, string) {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if token != "" {
		form.Set("csrf", token)
	}
	res := f.do(t, "POST", path, form, c)
	return res, readBody(t, res)
}

// changes posts a form that must answer with a redirect to to.
func (f *fixture) changes(t *testing.T, path string, form url.Values, c *http.Cookie, token, to string) {
	t.Helper()
	res, body := f.post(t, path, form, c, token)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != to {
		t.Fatalf("POST %s: status %d to %q, want 303 to %s\n%s", path, res.StatusCode, res.Header.Get("Location"), to, body)
	}
}

func (f *fixture) contactRow(t *testing.T, id int64) *store.Contact {
	t.Helper()
	c, err := f.st.Contact(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// The contact page changes the customer: every form is a POST with the
// token that redirects back, and each change shows in their history.
func TestContactPageChangesTheCustomer(t *testing.T) {
	f := newFixture(t)
	f.withContent(t)
	f.setPassword(t, password)
	c := f.login(t)
	page := "/dashboard/contacts/" + itoa(f.jane)
	token := csrfOf(t, f.get(t, page, c))

	t.Run("without the token nothing changes", func(t *testing.T) {
		res, _ := f.post(t, page+"/edit", url.Values{"last_name": {"Evil"}}, c, "")
		if res.StatusCode != http.StatusForbidden || f.contactRow(t, f.jane).LastName != "Doe" {
			t.Errorf("status %d, last name %q: want 403 and Doe", res.StatusCode, f.contactRow(t, f.jane).LastName)
		}
	})
	t.Run("edit", func(t *testing.T) {
		f.changes(t, page+"/edit", url.Values{"first_name": {"Jane"}, "last_name": {"Smith"}, "email": {"jane@example.com"},
			"phone": {"(312) 555-0199"}, "timezone": {"America/New_York"}, "sms_consent": {""}}, c, token, page)
		got := f.contactRow(t, f.jane)
		if got.LastName != "Smith" || got.Phone != "+13125550199" || !got.SMSConsent || got.SMSConsentSource != "order form" {
			t.Errorf("after edit: %+v", got)
		}
		if body := f.get(t, page, c); !strings.Contains(body, "rep (dashboard)") || !strings.Contains(body, "last name Doe → Smith") {
			t.Errorf("the page does not show the change in the history:\n%s", body)
		}
		res, body := f.post(t, page+"/edit", url.Values{"email": {"not an email"}}, c, token)
		if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "invalid email") {
			t.Errorf("bad email: status %d\n%s", res.StatusCode, body)
		}
	})
	t.Run("note", func(t *testing.T) {
		f.changes(t, page+"/notes", url.Values{"note": {"prefers <texts>"}}, c, token, page)
		if body := f.get(t, page, c); !strings.Contains(body, "prefers &lt;texts&gt;") {
			t.Errorf("the note is not on the page:\n%s", body)
		}
	})
	t.Run("pause and resume", func(t *testing.T) {
		f.changes(t, page+"/pause", nil, c, token, page)
		body := f.get(t, page, c)
		if f.contactRow(t, f.jane).PausedAt == 0 || !strings.Contains(body, "paused</span> by you") || !strings.Contains(body, "you paused this customer") {
			t.Errorf("after pause:\n%s", body)
		}
		f.changes(t, page+"/resume", nil, c, token, page)
		if f.contactRow(t, f.jane).PausedAt != 0 {
			t.Error("still paused")
		}
	})
	t.Run("skip a step", func(t *testing.T) {
		m := regexp.MustCompile(`action="(/dashboard/contacts/\d+/messages/(\d+)/skip)"`).FindStringSubmatch(f.get(t, page, c))
		if m == nil {
			t.Fatal("no Skip button for the pending arrival check")
		}
		f.changes(t, m[1], nil, c, token, page)
		rows, err := f.st.ContactTimeline(context.Background(), f.jane, store.Holds{})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			if itoa(r.ID) == m[2] && r.State != store.Skipped {
				t.Errorf("%s is %s after Skip", r.Step, r.State)
			}
		}
	})
	t.Run("unsubscribe from texts", func(t *testing.T) {
		f.changes(t, page+"/subscription", url.Values{"channel": {"sms"}}, c, token, page)
		if got := f.contactRow(t, f.jane).SMSStatus; got != store.OptedOut {
			t.Errorf("sms status %q", got)
		}
		f.changes(t, page+"/subscription", url.Values{"channel": {"sms"}, "on": {"1"}}, c, token, page)
		if got := f.contactRow(t, f.jane).SMSStatus; got != store.Subscribed {
			t.Errorf("sms status %q after subscribing again", got)
		}
	})
}

// Orders on the contact page: one added (today by default) starts its
// journey, shown on the page; its date can be corrected; it can be
// cancelled.
func TestContactPageOrders(t *testing.T) {
	f := newFixture(t)
	f.withContent(t)
	f.setPassword(t, password)
	c := f.login(t)
	page := "/dashboard/contacts/" + itoa(f.jane)
	body := f.get(t, page, c)
	token := csrfOf(t, body)
	if !strings.Contains(body, `name="date" value="2026-03-05"`) {
		t.Errorf("the new order's date is not today in the rep's zone:\n%s", body)
	}
	f.changes(t, page+"/orders", url.Values{"date": {"2026-03-05"}, "invoice": {"A-7"}, "items": {"Lavender 15 mL"}}, c, token, page)
	body = f.get(t, page, c)
	if !strings.Contains(body, "A-7") || !strings.Contains(body, "Lavender 15 mL") || !strings.Contains(body, "four-week-checkin") {
		t.Errorf("the order and its journey are not on the page:\n%s", body)
	}
	os, err := f.st.OrdersOf(context.Background(), f.jane)
	if err != nil || len(os) != 1 {
		t.Fatalf("orders %+v %v", os, err)
	}
	orderPage := page + "/orders/" + itoa(os[0].ID)
	f.changes(t, orderPage+"/date", url.Values{"date": {"2026-03-03"}}, c, token, page)
	if o, _ := f.st.Order(context.Background(), os[0].ID); o.Date != "2026-03-03" {
		t.Errorf("date %s after correcting it", o.Date)
	}
	f.changes(t, orderPage+"/cancel", nil, c, token, page)
	if body := f.get(t, page, c); !strings.Contains(body, `<span class="state cancelled">cancelled</span>`) {
		t.Errorf("the order is not shown cancelled:\n%s", body)
	}
	res, _ := f.post(t, "/dashboard/contacts/999/orders/"+itoa(os[0].ID)+"/cancel", nil, c, token)
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("an order under another contact: status %d, want 404", res.StatusCode)
	}
}

// "Add customer" from the contacts page; removing one asks first, naming
// them, then forgets them.
func TestAddAndRemoveCustomer(t *testing.T) {
	f := newFixture(t)
	f.withContent(t)
	f.setPassword(t, password)
	c := f.login(t)
	if !strings.Contains(f.get(t, "/dashboard/contacts", c), `href="/dashboard/contacts/new"`) {
		t.Error("the contacts page has no Add customer link")
	}
	token := csrfOf(t, f.get(t, "/dashboard/contacts/new", c))
	res, body := f.post(t, "/dashboard/contacts/new", url.Values{"first_name": {"Bob"}, "email": {"JANE@example.com"}}, c, token)
	if res.StatusCode != http.StatusBadRequest || !strings.Contains(body, "belongs to Jane Doe") {
		t.Errorf("adding with Jane's email: status %d\n%s", res.StatusCode, body)
	}
	res, body = f.post(t, "/dashboard/contacts/new", url.Values{"first_name": {"Bob"}, "last_name": {"Lee"},
		"email": {"Bob@Example.com"}, "phone": {""}, "timezone": {""}, "sms_consent": {""}, "note": {"met at the fair"}}, c, token)
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("add: status %d\n%s", res.StatusCode, body)
	}
	bob, err := f.st.ContactByEmail(context.Background(), "bob@example.com")
	if err != nil {
		t.Fatal(err)
	}
	page := "/dashboard/contacts/" + itoa(bob.ID)
	if res.Header.Get("Location") != page || !strings.Contains(f.get(t, page, c), "met at the fair") {
		t.Errorf("after add: to %q", res.Header.Get("Location"))
	}
	if confirm := f.get(t, page+"/remove", c); !strings.Contains(confirm, "Remove Bob Lee?") || !strings.Contains(confirm, "bob@example.com") {
		t.Errorf("the confirmation does not name Bob:\n%s", confirm)
	}
	f.changes(t, page+"/remove", nil, c, token, "/dashboard/contacts")
	if _, err := f.st.Contact(context.Background(), bob.ID); !store.IsNotFound(err) {
		t.Errorf("Bob is still there: %v", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
