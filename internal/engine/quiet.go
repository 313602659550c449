package engine

import (
	"fmt"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/rapportapp/rapport/internal/schedule"
	"github.com/rapportapp/rapport/internal/store"
)

// customerRule is the state law on texts to ct: their address's state
// when the rep knows it, else the state of their number's area code (a
// number keeps its area code when its owner moves; an address is where
// they are).
func customerRule(q *schedule.QuietHours, ct *store.Contact) schedule.QuietRule {
	if ct.State != "" {
		return q.Rule(ct.State)
	}
	return q.Rule(customerPlace(ct.Phone))
}

// customerPlace is where a customer's number belongs ("Texas", "Chicago,
// IL"); "" when unknown.
func customerPlace(phone string) string {
	n, err := phonenumbers.Parse(phone, "")
	if err != nil || n.GetCountryCode() != 1 {
		return ""
	}
	place, err := phonenumbers.GetGeocodingForNumber(n, "en")
	if err != nil {
		return ""
	}
	return place
}

// textHours returns t if a text to ct may go at t, else when it may, and
// which rule moved it: the customer's state law or the rep's allowed hours.
func textHours(c *Content, t time.Time, ct *store.Contact, loc *time.Location) (time.Time, string, error) {
	q, err := schedule.StateQuietHours()
	if err != nil {
		return time.Time{}, "", err
	}
	next, rule := q.NextText(t, c.Rules.AllowedHours, customerRule(q, ct), loc)
	if rule != nil {
		return next, rule.Describe(), nil
	}
	return next, fmt.Sprintf("texts only go out %s in the customer's time", c.Rules.AllowedHours), nil
}

// TextGoes predicts when a text to ct due at due really goes under the
// rep's allowed hours and the customer's state law, in their zone loc
// (not under the caps, which depend on the day's other texts). When that
// is later than due, held says which rule holds it and to when: "held to
// 12:00 by Texas's Sunday hours, Tex. Bus. & Com. Code § 301.051".
func (c *Content) TextGoes(ct *store.Contact, due time.Time, loc *time.Location) (goes time.Time, held string, err error) {
	q, err := schedule.StateQuietHours()
	if err != nil {
		return time.Time{}, "", err
	}
	goes, rule := q.NextText(due, c.Rules.AllowedHours, customerRule(q, ct), loc)
	if !goes.After(due) {
		return goes, "", nil
	}
	to := goes.In(loc).Format("15:04")
	if schedule.DateOf(goes.In(loc)) != schedule.DateOf(due.In(loc)) {
		to = goes.In(loc).Format("Mon 15:04")
	}
	if rule == nil {
		return goes, fmt.Sprintf("held to %s by your allowed hours ([sending] allowed_hours = %s, the customer's time)", to, c.Rules.AllowedHours), nil
	}
	day := goes.In(loc).Weekday()
	if d := due.In(loc).Weekday(); rule.On(d).Closed() {
		day = d // a day without texts holds it, not the hours of the day it goes
	}
	return goes, fmt.Sprintf("held to %s by %s", to, rule.HoursOf(day)), nil
}
