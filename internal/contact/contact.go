// Package contact reads the contacts (and their orders) that a rep exports
// from a spreadsheet, Google Contacts or Outlook as CSV, and normalises them:
// e-mail addresses lower-cased and checked, phone numbers in E.164, time
// zones as IANA names, dates as YYYY-MM-DD.
//
// Files are taken as spreadsheets write them: UTF-8 with or without a
// byte-order mark, UTF-16 with one, or Windows-1252; comma, semicolon or
// tab separated; LF, CRLF or CR line ends. Columns are found by name
// (see headerNames), or by a Mapping.
//
// A Reader streams one Record per row in constant memory. A row that cannot
// be imported as it stands (an invalid e-mail, phone, date, time zone or
// consent value, a broken quote, or neither an e-mail nor a phone) is
// returned as a *Problem naming its line and what to fix, and the row is
// skipped as a whole: a row is never half-imported, because the rep fixes
// the file and imports it again.
//
// Nothing here touches a database.
package contact

import (
	"cmp"
	"fmt"
	"strings"
)

// Contact is one customer as read from a row.
type Contact struct {
	FirstName string
	LastName  string
	Email     string // lower-cased, or ""
	Phone     string // E.164 (+13125550142), or ""
	Timezone  string // IANA name (America/Chicago), or "" for the rep's default
	// State is the address's state or province: a US state's two-letter
	// code ("TX"), or "" when the row has none (see NormalizeState).
	State string

	// SMSConsent is nil when the file does not say (no column, or blank).
	SMSConsent       *bool
	SMSConsentAt     string // YYYY-MM-DD, RFC 3339, or ""
	SMSConsentSource string

	// EmailMarketing is whether tips and news may go by email; nil when the
	// file does not say. A "no" is a refusal; a blank is never a yes.
	EmailMarketing       *bool
	EmailMarketingAt     string // YYYY-MM-DD, RFC 3339, or ""
	EmailMarketingSource string
	// EmailStatus is EmailUnsubscribed or EmailBounced when the file says
	// the address unsubscribed or bounced (Mailchimp's unsubscribed and
	// cleaned exports), else "".
	EmailStatus string
}

// What a file can say about an email address, in Contact.EmailStatus.
const (
	EmailUnsubscribed = "unsubscribed"
	EmailBounced      = "bounced"
)

// DefaultConsent gives each consent the row states (yes or no) a date and
// a source where the file had none: day (YYYY-MM-DD) and source, such as
// "import of customers.csv, 2026-12-04". A consent on record always says
// when and how it was given.
func (c *Contact) DefaultConsent(source, day string) {
	if c.SMSConsent != nil {
		c.SMSConsentAt = cmp.Or(c.SMSConsentAt, day)
		c.SMSConsentSource = cmp.Or(c.SMSConsentSource, source)
	}
	if c.EmailMarketing != nil {
		c.EmailMarketingAt = cmp.Or(c.EmailMarketingAt, day)
		c.EmailMarketingSource = cmp.Or(c.EmailMarketingSource, source)
	}
}

// Name is the contact's full name, "" when the row had none.
func (c Contact) Name() string {
	return strings.TrimSpace(c.FirstName + " " + c.LastName)
}

// Order is an order read from the order columns of a row.
type Order struct {
	Date    string // YYYY-MM-DD
	Invoice string
	Items   string
	Company string // the [policy.NAME] it was bought under, "" for the default
}

// Record is one imported row.
type Record struct {
	Line    int // physical line in the file where the row starts; the header is line 1
	Contact Contact
	Order   *Order // nil when the file has no order columns or they are blank in this row
	// Warnings say what was cleaned or cut to import the row ("first
	// name: cut to 100 characters (it had 3000)"), for the import summary
	// to show with Line. The row is imported as cleaned.
	Warnings []string
}

// Problem is a row that was skipped, and why. Next returns it as an error.
type Problem struct {
	Line   int
	Reason string
}

func (p *Problem) Error() string {
	return fmt.Sprintf("line %d: %s", p.Line, p.Reason)
}
