// Package cases holds the rules of a customer's problem followed through
// to its end: the kinds and states of a case, the company deadlines that
// run (business days from the policy, holidays left out), what support
// will still ask for, the reminders the rep gets, and how a deadline is
// said in words. Its functions are pure; the store keeps the cases.
package cases

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/rapportapp/rapport/internal/schedule"
	"github.com/rapportapp/rapport/internal/store"
)

// Kinds of case, as stored and typed after --kind.
const (
	Damaged     = "damaged"
	Leaking     = "leaking"
	WrongItem   = "wrong_item"
	Faulty      = "faulty"
	MissingItem = "missing_item"
	Return      = "return"
	Other       = "other"
)

// Kinds lists the kinds in the order the rep sees them.
var Kinds = []string{Damaged, Leaking, WrongItem, Faulty, MissingItem, Return, Other}

var kindWords = map[string]string{
	Damaged: "damaged in transit", Leaking: "leak", WrongItem: "wrong item sent", Faulty: "faulty",
	MissingItem: "missing item", Return: "customer's choice return", Other: "other problem",
}

// KindWords names a kind for people ("leak", "damaged in transit").
func KindWords(kind string) string {
	if w, ok := kindWords[kind]; ok {
		return w
	}
	return kind
}

// States of a case. A case is open until resolved or closed.
const (
	Open     = "open"
	Reported = "reported"
	Waiting  = "waiting"
	Resolved = "resolved"
	Closed   = "closed"
)

// States lists what `cases update --state` takes.
var States = []string{Reported, Waiting, Resolved}

// Outcomes lists what `cases close --outcome` takes.
var Outcomes = []string{"replaced", "refunded", "credited", "no-action"}

// reportKinds must be reported within the policy's report_damage_within
// of receipt.
var reportKinds = []string{Damaged, Leaking, WrongItem, Faulty, MissingItem}

// MustReport reports whether the company must be told within
// report_damage_within business days of receipt.
func MustReport(kind string) bool { return slices.Contains(reportKinds, kind) }

// flagKinds maps reply.Flagger kinds to case kinds, the most telling
// first: "cracked and leaking" is a leak to report, not a faulty product.
var flagKinds = []struct{ flag, kind string }{
	{"leaking", Leaking}, {"damaged", Damaged}, {"wrong_item", WrongItem}, {"missing_item", MissingItem},
	{"broken", Faulty}, {"return", Return}, {"refund", Return}, {"cancel", Return},
}

// KindOfFlags picks a case kind from a reply's flags.
func KindOfFlags(flags []string) string {
	for _, fk := range flagKinds {
		if slices.Contains(flags, fk.flag) {
			return fk.kind
		}
	}
	return Other
}

// IsOpen reports whether k still runs.
func IsOpen(k *store.Case) bool { return k.ClosedAt == 0 }

// Missing is the checklist of what support will ask for that the case
// does not hold yet, in words.
func Missing(k *store.Case) []string {
	out := []string{}
	add := func(have string, what string) {
		if strings.TrimSpace(have) == "" {
			out = append(out, what)
		}
	}
	add(k.Invoice, "invoice number")
	add(k.Product, "product name")
	add(k.Code, "product code")
	add(k.Expiry, "expiry date")
	add(k.Description, "description")
	if MustReport(k.Kind) {
		add(k.Received, "day the customer received it")
	}
	if k.RAN != "" && k.RANIssued == "" {
		out = append(out, "day the return authorisation was issued")
	}
	return out
}

// Next says what the rep should do next on a case.
func Next(k *store.Case, ds []Deadline) string {
	switch {
	case !IsOpen(k):
		return "nothing: the case is " + k.State
	case k.State == Open && len(Missing(k)) > 0:
		return "ask " + firstName(k.ContactName) + " for the " + strings.Join(Missing(k), ", ") + ", then report it to the company"
	case k.State == Open:
		return "report it to the company"
	case k.RAN != "":
		return "make sure the parcel goes back with " + k.RAN + " on the outside, proof of purchase inside"
	default:
		return "keep after support until it is fixed, and keep " + firstName(k.ContactName) + " posted"
	}
}

func firstName(name string) string {
	if f := strings.Fields(name); len(f) > 0 {
		return f[0]
	}
	return "the customer"
}

// Date is a stored YYYY-MM-DD day; ok is false when blank or unreadable.
func Date(s string) (schedule.Date, bool) {
	d, err := schedule.ParseDate(strings.TrimSpace(s))
	return d, err == nil
}

// Today is the day now falls on in zone.
func Today(now time.Time, zone *time.Location) schedule.Date {
	return schedule.DateOf(now.In(zone))
}

func dayOf(unix int64, zone *time.Location) schedule.Date {
	return schedule.DateOf(time.Unix(unix, 0).In(zone))
}

// Label is "Jane's leak" for reminders.
func Label(k *store.Case) string {
	return fmt.Sprintf("%s's %s (case %d)", firstName(k.ContactName), KindWords(k.Kind), k.ID)
}

// UpdateTemplate names the update the customer is offered when a case
// changes: a file in templates/cases/ ("reported" for reported.sms.txt).
func UpdateTemplate(state, outcome string) string {
	switch outcome {
	case "replaced":
		return "replacement-sent"
	case "refunded":
		return "refund-issued"
	case "credited":
		return "credit-issued"
	case "no-action":
		return "resolved"
	}
	return state
}
