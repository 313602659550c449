package cases

import (
	"context"
	"fmt"
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
	DeliveryWithin           schedule.Delay // an order is expected this long after it was placed
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

// Where an assumed receipt day came from (store.Case.ReceivedFrom).
const (
	FromArrivalCheck = "arrival-check" // the day the customer answered the arrival check
	FromDelivery     = "delivery"      // the order's expected delivery day
	FromReply        = "reply"         // the day the customer wrote about the problem
	FromOpened       = "opened"        // the day the rep opened the case by hand
)

// ArrivalCheckStep is the id of the step that asks a customer whether
// their order arrived (the starter campaign's): their answer to it is the
// best guess of the day they received it.
const ArrivalCheckStep = "arrival-check"

var fromWords = map[string]string{
	FromArrivalCheck: "the day they answered the arrival check",
	FromDelivery:     "expected delivery day",
	FromReply:        "the day they wrote",
	FromOpened:       "the day the case was opened",
}

// ReceivedDefault is the receipt day a case opened from a reply that came
// at replyAt assumes until the rep corrects it, and where it came from:
// the day the customer answered the order's arrival check, if they did by
// then; else the order's expected delivery day (the order's date plus
// delivery_within) when that is not after the reply; else the reply's day.
func (r Rules) ReceivedDefault(ctx context.Context, st *store.Store, o *store.Order, replyAt int64) (day, from string, err error) {
	replied := dayOf(replyAt, r.Zone)
	if o == nil {
		return replied.String(), FromReply, nil
	}
	answered, err := st.StepAnsweredAt(ctx, o.ID, ArrivalCheckStep, replyAt)
	if err != nil {
		return "", "", fmt.Errorf("when %s's arrival check was answered: %w", o.Invoice, err)
	}
	if answered != 0 {
		return dayOf(answered, r.Zone).String(), FromArrivalCheck, nil
	}
	if ordered, ok := Date(o.Date); ok {
		expected := schedule.AddDelay(ordered, r.Policy(o.Company).DeliveryWithin, r.Calendar)
		if !replied.Before(expected) {
			return expected.String(), FromDelivery, nil
		}
	}
	return replied.String(), FromReply, nil
}

// ReceivedText says a case's receipt day as seen from today, with where
// Rapport took it from when the rep has not given it and, when fix is not
// "", how to correct it: "Tue 8 Dec (expected delivery day; correct with
// --received)". The CLI and the dashboard each say their own fix.
func ReceivedText(k *store.Case, today schedule.Date, fix string) string {
	d, ok := Date(k.Received)
	if !ok {
		return k.Received
	}
	w, ok := fromWords[k.ReceivedFrom]
	switch {
	case !ok:
		return Day(d, today)
	case fix == "":
		return fmt.Sprintf("%s (%s)", Day(d, today), w)
	}
	return fmt.Sprintf("%s (%s; %s)", Day(d, today), w, fix)
}
