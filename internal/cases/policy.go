package cases

import (
	"time"

	"github.com/rapportapp/rapport/internal/schedule"
	"github.com/rapportapp/rapport/internal/store"
)

// Policy is one company's terms for problems with an order.
type Policy struct {
	ReportDamageWithin       schedule.Delay // from receipt
	MoneyBackGuarantee       schedule.Delay // from the order
	ReturnAuthorizationValid schedule.Delay // from issue
	ChaseAfter               schedule.Delay // no update from support for this long: chase
	UpdateEvery              schedule.Delay // the customer heard nothing for this long: update them
}

// Rules are the policies and calendar the deadlines are counted with.
type Rules struct {
	Default  Policy
	Named    map[string]Policy // [policy.NAME], by NAME
	Calendar schedule.Calendar // [sending] holidays
	Zone     *time.Location    // the rep's
}

// Policy returns the policy of a company; "" or an unknown name is the
// default one.
func (r Rules) Policy(company string) Policy {
	if p, ok := r.Named[company]; ok {
		return p
	}
	return r.Default
}

// Deadline is one date a case must meet.
type Deadline struct {
	What     string
	Due      schedule.Date
	Business bool // counted in business days: said so
}

// Deadlines lists the deadlines that run for k, earliest first: the report
// to the company (while not reported yet), the money-back guarantee of a
// customer's choice return, and the parcel's return under its RAN.
func (r Rules) Deadlines(k *store.Case) []Deadline {
	p := r.Policy(k.Company)
	var out []Deadline
	if received, ok := Date(k.Received); ok && MustReport(k.Kind) && k.State == Open {
		out = append(out, Deadline{What: "report it to the company",
			Due:      schedule.AddDelay(received, p.ReportDamageWithin, r.Calendar),
			Business: p.ReportDamageWithin.Unit == schedule.BusinessDay})
	}
	if ordered, ok := Date(k.OrderDate); ok && k.Kind == Return && k.State == Open {
		out = append(out, Deadline{What: "money-back guarantee",
			Due:      schedule.AddDelay(ordered, p.MoneyBackGuarantee, r.Calendar),
			Business: p.MoneyBackGuarantee.Unit == schedule.BusinessDay})
	}
	if issued, ok := Date(k.RANIssued); ok && k.RAN != "" && IsOpen(k) {
		out = append(out, Deadline{What: "send the parcel back under " + k.RAN,
			Due:      schedule.AddDelay(issued, p.ReturnAuthorizationValid, r.Calendar),
			Business: p.ReturnAuthorizationValid.Unit == schedule.BusinessDay})
	}
	if len(out) == 2 && out[1].Due.Before(out[0].Due) {
		out[0], out[1] = out[1], out[0]
	}
	return out
}

// ReceivedDefault is the receipt day a new case assumes until the rep
// corrects it: the day the customer wrote about it, as a problem reply
// comes when the parcel is opened.
func ReceivedDefault(replyAt int64, zone *time.Location) string {
	return dayOf(replyAt, zone).String()
}
