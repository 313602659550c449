package engine

import (
	"context"
	"slices"
	"time"

	"github.com/rapportapp/rapport/internal/campaign"
	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/schedule"
	"github.com/rapportapp/rapport/internal/store"
)

// Reach is the one owner of "which channel does this step reach this
// customer by": the step's own channel, else its fallback, else none, with
// why (starting "not sent: "). The dispatcher sends by it; preview and the
// dashboard show it.
func Reach(s *campaign.Step, c *store.Contact) (ch, why string) {
	for _, try := range []string{s.Channel, s.Fallback} {
		if try == "" {
			continue
		}
		reason := unusable(try, s, c)
		if reason == "" {
			return try, ""
		}
		if why == "" {
			why = reason
		} else {
			why += "; " + reason
		}
	}
	return "", "not sent: " + why
}

// unusable says why a channel cannot carry step s to the contact ("" if
// it can). Service steps need only that the channel is open; marketing
// ones also that the customer has not declined it, and for texts that
// their consent is recorded as written.
func unusable(ch string, s *campaign.Step, c *store.Contact) string {
	switch ch {
	case channel.Email:
		switch {
		case c.Email == "":
			return "no email address"
		case c.EmailStatus != store.Subscribed:
			return "email " + c.EmailStatus
		case !s.Service() && c.MarketingEmailDeclined():
			return "declined tips and news by email"
		}
	case channel.SMS:
		switch {
		case c.Phone == "":
			return "no mobile number"
		case c.SMSStatus == store.OptedOut:
			return "opted out of texts"
		case c.SMSStatus != store.Subscribed:
			return "mobile number cannot take texts"
		case !c.SMSConsent:
			return "no recorded consent to texts"
		case !s.Service() && !c.WrittenTextConsent():
			return "no written consent to marketing texts (when and how they agreed)"
		}
	}
	return ""
}

// service reports whether a queue row's step is a service step; a step
// no longer in the files counts as marketing.
func (c *Content) service(campaignID, stepID string) bool {
	if cp := c.Campaign(campaignID); cp != nil {
		if s, ok := cp.Step(stepID); ok {
			return s.Service()
		}
	}
	return false
}

// busyDay applies the one-message-a-day rule to a row: it says why the row
// waits for tomorrow, or "". A service message waits only for another
// service message already gone today (the tip that went this morning must
// not hold back the policy sheet of the order taken at noon); a marketing
// one waits for anything gone today, and for a service message still due
// today, which has the day.
func (e *Engine) busyDay(ctx context.Context, c *Content, j *job) (string, error) {
	start, end := dayOf(j.now, j.loc)
	msgs, ok := j.days.take(j.d.ContactID, start, end)
	if !ok {
		read, err := e.store.DayMessages(ctx, []int64{j.d.ContactID}, start, end)
		if err != nil {
			return "", err
		}
		msgs = read[j.d.ContactID]
	}
	service := j.step.Service()
	for _, m := range msgs {
		if m.ID == j.d.ID || !ofDay(m, start, end) {
			continue
		}
		other := c.service(m.Campaign, m.Step)
		gone := m.State != store.Pending
		switch {
		case gone && (other || !service):
			return "already heard from you today", nil
		case !gone && other && !service:
			return "a message about their order goes today; tips and news wait", nil
		}
	}
	return "", nil
}

// dayOf is the span of t's day in loc, midnight to midnight.
func dayOf(t time.Time, loc *time.Location) (start, end int64) {
	day := schedule.DateOf(t.In(loc))
	return schedule.At(day, schedule.TimeOfDay{}, loc).Unix(), schedule.At(day.AddDays(1), schedule.TimeOfDay{}, loc).Unix()
}

// ofDay reports whether m belongs to the day [start, end): sent in it, or
// still to go and due by its end.
func ofDay(m store.DayMessage, start, end int64) bool {
	if m.State == store.Sent {
		return m.SentAt >= start && m.SentAt < end
	}
	return m.DueAt < end
}

// dayBook is the one-message-a-day rule's reading of a batch's contacts:
// the messages of their day, read for the whole batch in one query (read
// for each row on its own, it was a fifteenth of the daemon's CPU per email
// sent). It answers for a contact's first row of the batch only: once that
// row is dispatched (sent, skipped, moved, whatever became of it), the
// contact's next rows read again (done). A contact with a message on the
// wire when the book was read is read again too: how that message goes
// may change the answer.
type dayBook struct {
	from, to int64
	msgs     map[int64][]store.DayMessage
	open     map[int64]bool // contacts the book may still answer for
}

// readDays reads the day, in each contact's own zone, of the contacts of a
// batch due at now.
func (e *Engine) readDays(ctx context.Context, c *Content, due []store.Due, now time.Time) (*dayBook, error) {
	b := &dayBook{open: map[int64]bool{}}
	var ids []int64
	for i := range due {
		d := &due[i]
		if b.open[d.ContactID] {
			continue
		}
		b.open[d.ContactID] = true
		ids = append(ids, d.ContactID)
		start, end := dayOf(now, c.Zone(&d.Contact))
		if len(ids) == 1 || start < b.from {
			b.from = start
		}
		b.to = max(b.to, end)
	}
	msgs, err := e.store.DayMessages(ctx, ids, b.from, b.to)
	if err != nil {
		return nil, err
	}
	b.msgs = msgs
	for id, ms := range msgs {
		if slices.ContainsFunc(ms, func(m store.DayMessage) bool { return m.State == store.Sending }) {
			delete(b.open, id)
		}
	}
	return b, nil
}

// take returns the contact's messages of the day [start, end) if the book
// may answer for them.
func (b *dayBook) take(contactID, start, end int64) ([]store.DayMessage, bool) {
	if b == nil || !b.open[contactID] {
		return nil, false
	}
	if start < b.from || end > b.to { // the row's day is not the one read (midnight passed)
		return nil, false
	}
	return b.msgs[contactID], true
}

// done closes the book on a contact whose row was dispatched.
func (b *dayBook) done(contactID int64) { delete(b.open, contactID) }
