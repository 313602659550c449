package engine

import (
	"context"
	"time"

	"github.com/rapportapp/rapport/internal/campaign"
	"github.com/rapportapp/rapport/internal/channel"
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
	day := j.now.In(j.loc)
	start := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, j.loc)
	end := start.AddDate(0, 0, 1)
	msgs, err := e.store.DayMessages(ctx, j.d.ContactID, j.d.ID, start.Unix(), end.Unix())
	if err != nil {
		return "", err
	}
	service := j.step.Service()
	for _, m := range msgs {
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
