package tmpl

import (
	"reflect"
	"strings"
)

// DateLayout is how Order.Date should be written (time.Time.Format layout):
// friendly and unambiguous in any English-speaking country.
const DateLayout = "January 2, 2006"

// Data is what a template can use. Field names are part of the contract:
// reps write them in their templates.
type Data struct {
	Contact        Contact
	Order          Order
	Rep            Rep
	Step           string // the campaign step's id
	UnsubscribeURL string // one-click unsubscribe link for this contact
}

// Contact is the customer a message goes to.
type Contact struct {
	FirstName string
	LastName  string
	Name      string // full name
	Email     string
	Phone     string // as a person would write it
}

// Order is the order that started the journey; empty for campaigns
// triggered by a new contact.
type Order struct {
	Date    string // formatted with DateLayout
	Invoice string
	Items   string // free text, as imported
}

// Rep is the sales rep the customer hears from (config.toml [rep]).
type Rep struct {
	Name          string
	Email         string
	Phone         string // as a person would write it
	PostalAddress string
}

// FirstName is the first word of the rep's name, so a text can say
// "it's Amy" without a separate setting: {{.Rep.FirstName}}.
func (r Rep) FirstName() string {
	first, _, _ := strings.Cut(strings.TrimSpace(r.Name), " ")
	return first
}

// SampleData is a believable customer, order and rep, used by
// `rapport check` and for previews.
func SampleData() Data {
	return Data{
		Contact: Contact{
			FirstName: "Jane",
			LastName:  "Rivera",
			Name:      "Jane Rivera",
			Email:     "jane.rivera@example.com",
			Phone:     "(312) 555-0147",
		},
		Order: Order{
			Date:    "March 2, 2026",
			Invoice: "100482",
			Items:   "Lavender 15 mL, Peppermint 15 mL, Fractionated Coconut Oil",
		},
		Rep: Rep{
			Name:          "Amy Kline",
			Email:         "amy@example.com",
			Phone:         "(312) 555-0100",
			PostalAddress: "123 Main St, Springfield, IL 62701",
		},
		Step:           "sample-step",
		UnsubscribeURL: "https://rapport.example.com/u/sample",
	}
}

// escapeCustomerData returns d with every value that came from a customer
// or an import (Contact, Order) escaped for Markdown, so that a name like
// "*Al*" shows as typed in the HTML part instead of in italics. The rep's
// own values stay as they are: reps use them inside link syntax.
func escapeCustomerData(d Data) Data {
	escapeStrings(reflect.ValueOf(&d.Contact).Elem())
	escapeStrings(reflect.ValueOf(&d.Order).Elem())
	return d
}

// escapeStrings escapes every string field of the struct v in place.
// Reflection keeps this right when a field is added to Contact or Order.
func escapeStrings(v reflect.Value) {
	for i := range v.NumField() {
		if f := v.Field(i); f.Kind() == reflect.String {
			f.SetString(markdownEscape(f.String()))
		}
	}
}

// markdownEscape backslash-escapes every ASCII punctuation character,
// which CommonMark guarantees to turn back into that literal character.
func markdownEscape(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		if r < 0x80 && isASCIIPunct(byte(r)) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

func isASCIIPunct(c byte) bool {
	return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') ||
		(c >= '[' && c <= '`') || (c >= '{' && c <= '~')
}
