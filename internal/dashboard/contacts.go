package dashboard

import (
	"context"
	"fmt"
	"html"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rapportapp/rapport/internal/contact"
	"github.com/rapportapp/rapport/internal/store"
)

type contactsPage struct {
	Query    string
	Contacts []store.Contact
	Rows     template.HTML // the table's rows (contactRows)
	First    string        // the first page's link, when this is a later one
	Next     string        // the next page's link; "" on the last
}

// contacts lists contacts by name, a page at a time; q searches the start
// of names, emails and phone numbers (contact.SearchPrefixes).
func (d *Dashboard) contacts(w http.ResponseWriter, r *http.Request, s *session) error {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	after, err := contactCursor(r.URL.Query().Get("after"))
	if err != nil {
		return err
	}
	text, phones := contact.SearchPrefixes(q, d.cfg.Region)
	cs, next, err := d.cfg.Store.ContactsPage(r.Context(), store.ContactSearch{Text: text, Phones: phones}, after, contactsPerPage)
	if err != nil {
		return fmt.Errorf("list contacts: %w", err)
	}
	p := contactsPage{Query: q, Contacts: cs, Rows: contactRows(cs)}
	if after != (store.ContactCursor{}) {
		p.First = contactsLink(q, nil)
	}
	if next != nil {
		p.Next = contactsLink(q, next)
	}
	d.render(w, http.StatusOK, "contacts", s, p)
	return nil
}

// contactRows renders the contacts table's rows. html/template escapes
// every field through a reflected call, a thousand of them for a page of
// a hundred contacts: that was half the CPU of the busiest list the rep
// has. The fields are escaped here instead (each one in element text or a
// quoted attribute, where html.EscapeString is enough), and the template
// writes the rows as they are.
func contactRows(cs []store.Contact) template.HTML {
	var b strings.Builder
	b.Grow(len(cs) * 320)
	esc := html.EscapeString
	for i := range cs {
		c := &cs[i]
		b.WriteString(`<tr><td><a href="/dashboard/contacts/`)
		b.WriteString(strconv.FormatInt(c.ID, 10))
		for _, f := range []string{`">`, esc(c.Label()), `</a></td><td>`, esc(c.Email), `</td><td>`, esc(c.Phone),
			`</td><td>`, esc(c.Timezone), `</td><td>`, statusCell(c.EmailStatus), `</td><td>`, statusCell(c.SMSStatus), "</td></tr>\n"} {
			b.WriteString(f)
		}
	}
	return template.HTML(b.String())
}

// statusCell is a contact's email or text status, styled by its name.
func statusCell(status string) string {
	s := html.EscapeString(status)
	return `<span class="state ` + s + `">` + s + `</span>`
}

type timelineRow struct {
	ID       int64  // the queue row; 0 for a step never queued
	Due      string // or when it went, in the contact's zone
	Campaign string
	Step     string
	Channel  string
	State    string
	Subject  string
	Note     string
}

type contactPage struct {
	Contact *store.Contact
	Name    string
	Zone    string // the contact's, or "America/Chicago (yours)"
	Consent string
	// EmailMarketing is the answer on tips and news by email, with when
	// and how it was given.
	EmailMarketing string
	Timeline       []timelineRow
	Replies        []replyView
	Work           *workView // orders, history and the forms that change them
}

func (d *Dashboard) contact(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx := r.Context()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return &statusError{http.StatusNotFound, "There is no such contact."}
	}
	c, err := d.cfg.Store.Contact(ctx, id)
	if store.IsNotFound(err) {
		return &statusError{http.StatusNotFound, "There is no such contact."}
	}
	if err != nil {
		return fmt.Errorf("read contact %d: %w", id, err)
	}
	p := contactPage{Contact: c, Name: c.Label(), Consent: consent(c), EmailMarketing: emailMarketing(c)}
	loc := d.zone(c)
	p.Zone = loc.String()
	if c.Timezone == "" {
		p.Zone += " (yours)"
	}
	if p.Timeline, err = d.timeline(ctx, c, loc); err != nil {
		return err
	}
	if p.Replies, err = d.repliesOf(ctx, c.ID, s); err != nil {
		return err
	}
	if p.Work, err = d.work(ctx, c, s); err != nil {
		return err
	}
	d.render(w, http.StatusOK, "contact", s, p)
	return nil
}

// timeline lists the contact's queue rows like `rapport preview` does,
// the paused ones (store.Due.Paused) shown as such.
func (d *Dashboard) timeline(ctx context.Context, c *store.Contact, loc *time.Location) ([]timelineRow, error) {
	rows, err := d.cfg.Timeline(ctx, c)
	if err != nil {
		return nil, fmt.Errorf("timeline of contact %d: %w", c.ID, err)
	}
	var out []timelineRow
	for _, m := range rows {
		at := m.DueAt
		if m.SentAt != 0 {
			at = m.SentAt
		}
		row := timelineRow{ID: m.ID, Due: time.Unix(at, 0).In(loc).Format(timeFormat), Campaign: m.Campaign, Step: m.Step,
			Channel: channelName(m.Channel), State: m.State, Subject: m.Subject, Note: strings.TrimSpace(m.Note + " " + m.Error)}
		if m.HeldBy != "" { // engine.Content.Timeline predicts it
			row.Note = strings.TrimSpace(row.Note + " " + m.HeldBy)
		}
		if m.Paused {
			row.State = "paused"
			row.Note = "waiting for you to handle this customer's reply"
			if m.Contact.PausedAt != 0 {
				row.Note = "you paused this customer"
			}
		}
		out = append(out, row)
	}
	return out, nil
}

// repliesOf is the contact's replies, waiting ones first, read by the
// contact's index: the contact page must not read every reply there is.
func (d *Dashboard) repliesOf(ctx context.Context, contactID int64, s *session) ([]replyView, error) {
	rs, err := d.cfg.Store.ContactReplies(ctx, contactID)
	if err != nil {
		return nil, fmt.Errorf("replies of contact %d: %w", contactID, err)
	}
	out := make([]replyView, 0, len(rs))
	for _, r := range rs {
		v := d.replyView(r, s)
		v.WithContact = false
		out = append(out, v)
	}
	return out, nil
}

// zone is the contact's time zone, else the rep's.
func (d *Dashboard) zone(c *store.Contact) *time.Location {
	if c.Timezone != "" {
		if loc, err := time.LoadLocation(c.Timezone); err == nil {
			return loc
		}
	}
	return d.cfg.RepZone
}

func consent(c *store.Contact) string {
	return answer(c.SMSConsent, c.SMSConsentAt, c.SMSConsentSource)
}

// emailMarketing says whether tips and news may go by email: never having
// said counts as yes (store.Contact.MarketingEmailDeclined).
func emailMarketing(c *store.Contact) string {
	if !c.EmailMarketing.Valid {
		return "yes, never asked (unsubscribing stops them)"
	}
	return answer(c.EmailMarketing.Bool, c.EmailMarketingAt, c.EmailMarketingSource)
}

// answer is "yes, 2026-03-01, order form", leaving out what is not on
// record.
func answer(yes bool, at, source string) string {
	parts := []string{"no"}
	if yes {
		parts[0] = "yes"
	}
	for _, s := range []string{at, source} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, ", ")
}
