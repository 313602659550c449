package engine

import (
	"fmt"
	"time"

	"github.com/nyaruka/phonenumbers"

	"github.com/rapportapp/rapport/internal/schedule"
	"github.com/rapportapp/rapport/internal/store"
)

// customerPlace is where a customer's number belongs ("Texas", "Chicago,
// IL"), which decides the state law on texts; "" when unknown. A contact
// has no postal address, so the number's area code is the best we know.
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
	next, rule := q.NextText(t, c.Rules.AllowedHours, q.Rule(customerPlace(ct.Phone)), loc)
	if rule != nil {
		return next, rule.Describe(), nil
	}
	return next, fmt.Sprintf("texts only go out %s in the customer's time", c.Rules.AllowedHours), nil
}
