package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"
	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/schedule"
	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/tmpl"
)

// data is what templates see for a queue row.
func (e *Engine) data(c *Content, d *store.Due) tmpl.Data {
	return TemplateData(c, e.unsubscribeURL(c, &d.Contact), &d.Contact, &d.Order, d.Step)
}

func (e *Engine) unsubscribeURL(c *Content, ct *store.Contact) string {
	if e.signer == nil {
		return ""
	}
	return e.signer.URL(c.PublicURL, ct.UID)
}

// TemplateData builds template data for a contact and (possibly empty) order.
func TemplateData(c *Content, unsubURL string, ct *store.Contact, o *store.Order, step string) tmpl.Data {
	d := tmpl.Data{
		Contact: tmpl.Contact{
			FirstName: ct.FirstName, LastName: ct.LastName, Name: ct.Name(),
			Email: ct.Email, Phone: DisplayPhone(ct.Phone),
		},
		Rep:            c.Rep,
		Step:           step,
		UnsubscribeURL: unsubURL,
	}
	if o != nil && o.Date != "" {
		d.Order = tmpl.Order{Date: o.Date, Invoice: o.Invoice, Items: o.Items}
		if date, err := schedule.ParseDate(o.Date); err == nil {
			d.Order.Date = time.Date(date.Year, date.Month, date.Day, 12, 0, 0, 0, time.UTC).Format(tmpl.DateLayout)
		}
	}
	return d
}

// DisplayPhone writes an E.164 number as people in its country write it.
func DisplayPhone(e164 string) string {
	n, err := phonenumbers.Parse(e164, "")
	if err != nil {
		return e164
	}
	if n.GetCountryCode() == 1 {
		return phonenumbers.Format(n, phonenumbers.NATIONAL)
	}
	return phonenumbers.Format(n, phonenumbers.INTERNATIONAL)
}

// render builds the message for a row on channel ch, choosing the next
// entry of a template series for this contact.
func (e *Engine) render(ctx context.Context, c *Content, j *job, ch string) (*channel.Message, error) {
	m := &j.d.Message
	m.Channel, m.Template, m.SeriesIndex = ch, j.step.Template, -1
	if c.Templates.SeriesLen(j.step.Template, ch) > 0 {
		n, err := e.store.SeriesNext(ctx, j.d.ContactID, j.step.Template)
		if err != nil {
			return nil, err
		}
		m.SeriesIndex = n
	}
	return e.build(ctx, c, j.d, ch)
}

// build renders a row whose channel and series entry are settled.
func (e *Engine) build(ctx context.Context, c *Content, d *store.Due, ch string) (*channel.Message, error) {
	m := &d.Message
	r, err := c.Templates.Render(m.Template, ch, m.SeriesIndex, e.data(c, d))
	if err != nil {
		return nil, err
	}
	msg := &channel.Message{
		ID: m.ID, Channel: ch, ContactID: d.ContactID, Campaign: d.Campaign, Step: d.Step,
		ToName: d.Contact.Name(), Subject: r.Subject, Text: r.Text, HTML: r.HTML,
		Attachments: r.Attachments, MessageID: m.MessageID, Date: e.clock.Now(),
	}
	if ch == channel.Email {
		msg.To, msg.UnsubscribeURL = d.Contact.Email, e.unsubscribeURL(c, &d.Contact)
		msg.ReplyTo = c.ReplyAddress(e.signer, m.ID)
	} else {
		msg.To = d.Contact.Phone
		if first, err := e.firstText(ctx, d); err != nil {
			return nil, err
		} else if first {
			msg.Text = tmpl.WithStopNotice(msg.Text)
		}
	}
	m.SentTo, m.Subject = msg.To, summary(msg)
	return msg, nil
}

// firstText reports whether this is the first text the contact gets (it
// carries "Reply STOP to opt out").
func (e *Engine) firstText(ctx context.Context, d *store.Due) (bool, error) {
	n, err := e.store.TextsEver(ctx, d.ContactID)
	return n == 0, err
}

// summary is the subject of an email, or the first line of a text.
func summary(m *channel.Message) string {
	if m.Subject != "" {
		return m.Subject
	}
	line, _, _ := strings.Cut(m.Text, "\n")
	if len(line) > 80 {
		line = line[:77] + "..."
	}
	return line
}

// nextDay is tomorrow at the step's time of day, in the contact's zone.
func nextDay(c *Content, j *job) time.Time {
	return schedule.NextDay(j.now, c.stepAt(j.step), j.loc)
}

// textWindow returns a later time when a text may not go now: outside the
// allowed hours or the customer's state's hours in their time, past the
// cap of texts a day to one person, or past the day's cap for everyone.
func (e *Engine) textWindow(ctx context.Context, c *Content, j *job) (time.Time, string, error) {
	if t, why, err := textHours(c, j.now, &j.d.Contact, j.loc); err != nil || t.After(j.now) {
		return t, why, err
	}
	const day = 24 * time.Hour
	sent, err := e.store.TextsSince(ctx, j.d.ContactID, j.now.Add(-day).Unix())
	if err != nil {
		return time.Time{}, "", err
	}
	times := make([]time.Time, len(sent))
	for i, s := range sent {
		times[i] = time.Unix(s, 0)
	}
	if t := schedule.UnderCap(j.now, times, c.Rules.MaxTextsPerDay, day); t.After(j.now) {
		t, _, err = textHours(c, t, &j.d.Contact, j.loc)
		return t, fmt.Sprintf("at most %d texts a day to one person", c.Rules.MaxTextsPerDay), err
	}
	return e.dailyCap(ctx, c, j, channel.SMS)
}

// Preview renders a queue row as it would go now (for `rapport preview`):
// the channel it would use, the series entry it would take. Rows already
// sent are rendered as they were. Problems come back as the text.
func (e *Engine) Preview(ctx context.Context, d *store.Due) (subject, text string) {
	return e.Previewer(ctx).Preview(d)
}

// Previewer renders the rows of a timeline as Preview does. It reads the
// next entry of a template series once per contact and template, not once
// per row: a preview writes nothing, so the entry cannot move while it
// renders, and reading it looks through all the contact's rows (a
// customer with thousands of orders made that quadratic).
type Previewer struct {
	e      *Engine
	ctx    context.Context
	series map[seriesKey]int
}

type seriesKey struct {
	contactID int64
	template  string
}

// Previewer returns a Previewer for one timeline.
func (e *Engine) Previewer(ctx context.Context) *Previewer {
	return &Previewer{e: e, ctx: ctx, series: map[seriesKey]int{}}
}

// Preview renders d as Engine.Preview does.
func (p *Previewer) Preview(d *store.Due) (subject, text string) {
	c := p.e.Content()
	cp := c.Campaign(d.Campaign)
	if cp == nil {
		return "", ""
	}
	s, ok := cp.Step(d.Step)
	if !ok {
		return "", ""
	}
	ch := d.Channel
	if d.State == store.Pending {
		if ch, _ = Reach(s, &d.Contact); ch == "" {
			return "", ""
		}
	}
	if d.SeriesIndex < 0 && c.Templates.SeriesLen(s.Template, ch) > 0 {
		n, err := p.seriesNext(d.ContactID, s.Template)
		if err != nil {
			return "", err.Error()
		}
		d.SeriesIndex = n
	}
	d.Template = s.Template
	r, err := c.Templates.Render(s.Template, ch, d.SeriesIndex, p.e.data(c, d))
	if err != nil {
		return "", "(" + err.Error() + ")"
	}
	return r.Subject, r.Text
}

func (p *Previewer) seriesNext(contactID int64, template string) (int, error) {
	k := seriesKey{contactID, template}
	if n, ok := p.series[k]; ok {
		return n, nil
	}
	n, err := p.e.store.SeriesNext(p.ctx, contactID, template)
	if err != nil {
		return 0, err
	}
	p.series[k] = n
	return n, nil
}
