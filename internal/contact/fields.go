package contact

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// field is something a column can hold.
type field int

const (
	fFirstName field = iota
	fLastName
	fName
	fEmail
	fPhone
	fTimezone
	fConsent
	fConsentAt
	fConsentSource
	fOrderDate
	fInvoice
	fItems
	fEmailMarketing
	fEmailMarketingAt
	fAnyConsentAt     // the date of whichever consent the row states
	fAnyConsentSource // how it was given, for either consent
	fEmailStatus
	fUnsubscribedAt // Mailchimp's unsubscribed export: the address unsubscribed
	fCleanedAt      // Mailchimp's cleaned export: the address bounced
	fState          // the address's state or province
	fCompany        // the company the order was bought from: its [policy.NAME]
	numFields
)

var fieldNames = [numFields]string{
	"first_name", "last_name", "name", "email", "phone", "timezone",
	"sms_consent", "sms_consent_at", "sms_consent_source",
	"order_date", "invoice", "items",
	"email_marketing", "email_marketing_at", "consent_date", "consent_source",
	"email_status", "email_unsubscribed_at", "email_bounced_at", "state", "company",
}

func (f field) String() string { return fieldNames[f] }

// Ignore, as the field of a --map entry, makes the reader ignore a column it
// would otherwise use.
const Ignore = "-"

// lookupField finds a field by name, forgiving case and punctuation
// ("First Name" is first_name).
func lookupField(name string) (field, bool) {
	key := normalize(name)
	for f, n := range fieldNames {
		if normalize(n) == key {
			return field(f), true
		}
	}
	return 0, false
}

// headerName is a group of column names recognised for a field.
type headerName struct {
	field  field
	rank   int  // lower is preferred when a file has several columns for the field
	mobile bool // a phone column that holds mobile numbers
	names  []string
}

// headerNames are the column names recognised without --map, including
// the ones Google Contacts and Outlook write, and the common ones in
// Spanish, French, German and Portuguese spreadsheets. Matching ignores
// case, accents, spaces and punctuation: "E-mail Address" also matches
// "email_address" and "EMAIL ADDRESS". Google's numbered columns
// ("E-mail 1 - Value", "Phone 2 - Type") are matched by numberedColumn.
var headerNames = []headerName{
	{fFirstName, 0, false, []string{"First Name", "Given Name", "First", "FName", "Forename", "Prénom", "Nombre", "Vorname", "Primeiro Nome"}},
	{fLastName, 0, false, []string{"Last Name", "Family Name", "Surname", "Last", "LName", "Nom", "Nom de famille", "Apellido", "Apellidos", "Nachname", "Sobrenome"}},
	{fName, 0, false, []string{"Name", "Full Name", "Contact Name", "Customer Name", "Customer", "Client", "Display Name", "Nombre Completo", "Nom complet", "Nome"}},
	{fEmail, 0, false, []string{"Email", "E-mail", "Email Address", "E-mail Address", "Mail", "Primary Email", "Correo", "Correo Electrónico", "Courriel", "Adresse e-mail", "E-Mail-Adresse"}},
	{fEmail, 1, false, []string{"E-mail 2 Address", "Secondary Email", "Personal Email", "Home Email", "Work Email", "Other Email"}},
	{fEmail, 2, false, []string{"E-mail 3 Address", "Email : home", "Email : work", "Email : other"}},
	{fPhone, 0, true, []string{"Mobile", "Mobile Phone", "Mobile Number", "Cell", "Cell Phone", "Cellphone", "Cell Number", "Mobile Phone Number", "Cell Phone Number", "Móvil", "Teléfono Móvil", "Celular", "Portable", "Téléphone portable", "Handy", "Mobiltelefon"}},
	// An iPhone contacts export app writes "Phone : mobile" and, for the
	// number the iPhone itself labels, "Phone : iPhone".
	{fPhone, 0, true, []string{"Phone : mobile", "Phone : iPhone", "Phone : cell"}},
	{fPhone, 1, false, []string{"Phone", "Phone Number", "Telephone", "Tel", "Primary Phone", "Teléfono", "Téléphone", "Telefon", "Telefone"}},
	{fPhone, 2, false, []string{"Home Phone", "Home Phone 2", "Phone : home", "Default Address Phone"}},
	{fPhone, 3, false, []string{"Business Phone", "Work Phone", "Business Phone 2", "Company Main Phone", "Phone : work", "Phone : main"}},
	{fPhone, 4, false, []string{"Other Phone", "Car Phone"}},
	{fTimezone, 0, false, []string{"Time Zone", "Timezone", "TZ", "Zona Horaria", "Fuseau Horaire", "Zeitzone"}},
	// The address's state, as Shopify's customer export, Google Contacts
	// ("Address 1 - Region") and Outlook ("Home State") write it: it
	// decides the state law on texting hours.
	{fState, 0, false, []string{"State", "Province", "State/Province", "State Code", "Province Code", "Region Code",
		"Default Address Province Code", "Default Address Province", "Address 1 - Region", "Home State", "Estado", "Provincia"}},
	{fState, 1, false, []string{"Address 2 - Region", "Business State", "Shipping Province Code", "Billing Province Code", "Shipping Province", "Billing Province"}},
	{fState, 2, false, []string{"Address 3 - Region", "Other State"}},
	// Consent and opt-outs, as Rapport's own files, Shopify's customer
	// export, Klaviyo's profile export and Mailchimp's audience exports
	// (one file each for subscribed, unsubscribed and cleaned members)
	// write them.
	{fConsent, 0, false, []string{"SMS Consent", "SMS Opt In", "SMS Opt-In", "SMS OK", "Text Consent", "Texting Consent", "Text OK", "OK to Text", "Consent", "Opt In", "Opted In", "SMS Permission",
		"Accepts SMS Marketing", "SMS Marketing Consent", "SMS Marketing", "SMS Consent Status", "SMS Subscription Status"}},
	{fConsentAt, 0, false, []string{"SMS Consent At", "SMS Consent Date", "SMS Opt In Date", "SMS Consent Timestamp",
		"SMS Marketing Consent Updated At", "SMS Marketing Consent Timestamp", "SMS Marketing Consent Date"}},
	{fConsentSource, 0, false, []string{"SMS Consent Source", "SMS Opt In Source", "SMS Consent Method"}},
	{fEmailMarketing, 0, false, []string{"Email Marketing", "Accepts Email Marketing", "Accepts Marketing", "Email Marketing Consent",
		"Email Marketing Status", "Email Consent", "Email Opt In", "Email OK", "Marketing Email"}},
	{fEmailMarketingAt, 0, false, []string{"Email Marketing At", "Email Marketing Date", "Email Marketing Consent Updated At",
		"Email Marketing Consent Timestamp", "Email Marketing Consent Date", "Email Consent Date", "Email Opt In Date", "CONFIRM_TIME"}},
	{fEmailMarketingAt, 1, false, []string{"OPTIN_TIME"}},
	{fAnyConsentAt, 0, false, []string{"Consent Date", "Consent At", "Consented At", "Consented On", "Consent Time", "Opt In Date", "Consent Timestamp"}},
	{fAnyConsentSource, 0, false, []string{"Consent Source", "Consent Method", "Opt In Source", "Opt In Method"}},
	{fEmailStatus, 0, false, []string{"Email Status", "Email Subscription Status", "Subscription Status", "Member Status"}},
	{fUnsubscribedAt, 0, false, []string{"UNSUB_TIME", "Unsubscribed At", "Unsubscribe Date", "Email Unsubscribed At"}},
	{fCleanedAt, 0, false, []string{"CLEAN_TIME", "Cleaned At", "Bounced At", "Email Bounced At"}},
	{fOrderDate, 0, false, []string{"Order Date", "Date Ordered", "Ordered", "Ordered On", "Purchase Date", "Date Purchased", "Order Placed", "Date", "Fecha", "Fecha de Pedido", "Date de commande", "Bestelldatum"}},
	{fInvoice, 0, false, []string{"Invoice", "Invoice Number", "Invoice No", "Invoice #", "Invoice ID", "Order", "Order Number", "Order No", "Order #", "Order ID", "Factura", "Pedido", "Facture", "Rechnung"}},
	// The company (brand) an order was bought from, for a rep who sells
	// two: it picks the order's [policy.NAME].
	{fCompany, 0, false, []string{"Company", "Brand", "Company Name", "Brand Name"}},
	{fItems, 0, false, []string{"Items", "Item", "Products", "Product", "Product Names", "Order Items", "Items Ordered", "Products Ordered", "Productos", "Artículos", "Produits", "Artikel"}},
}

// normalize reduces a column or field name to lower-case letters and
// digits, without accents.
func normalize(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// column is how a header column is used.
type column struct {
	field  field
	rank   int
	mobile bool
	// kindOf is set on Google's "Phone N - Type" / "Phone N - Label"
	// columns: the number of the phone column whose kind (Mobile, Home,
	// Work) they give.
	kindOf int
	number int // N in Google's "Phone N - Value"
}

// aliases indexes headerNames by normalised name. The first field to
// claim a name keeps it.
type aliases map[string]column

func newAliases() aliases {
	a := aliases{}
	for _, h := range headerNames {
		for _, n := range h.names {
			key := normalize(n)
			if _, dup := a[key]; !dup {
				a[key] = column{field: h.field, rank: h.rank, mobile: h.mobile}
			}
		}
	}
	return a
}

// recognise tells what a header column holds.
func (a aliases) recognise(header string) (column, bool) {
	key := normalize(header)
	if c, ok := numberedColumn(key); ok {
		return c, true
	}
	c, ok := a[key]
	return c, ok
}

// numberedColumn matches Google Contacts' "E-mail 1 - Value",
// "Phone 2 - Value" and "Phone 2 - Type" (older exports) or
// "Phone 2 - Label" (newer ones), and the plain "Phone 2" or "Email 2".
func numberedColumn(key string) (column, bool) {
	var f field
	switch {
	case strings.HasPrefix(key, "email"):
		f, key = fEmail, key[len("email"):]
	case strings.HasPrefix(key, "phone"):
		f, key = fPhone, key[len("phone"):]
	default:
		return column{}, false
	}
	i := strings.IndexFunc(key, func(r rune) bool { return r < '0' || r > '9' })
	if i < 0 {
		i = len(key)
	}
	if i == 0 {
		return column{}, false
	}
	n, err := strconv.Atoi(key[:i])
	if err != nil || n > 99 {
		return column{}, false
	}
	switch key[i:] {
	case "value", "":
		return column{field: f, rank: 1, number: n}, true
	case "type", "label":
		if f == fPhone {
			return column{field: fPhone, kindOf: n}, true
		}
	}
	return column{}, false
}

// Mapped is one --map entry: the CSV column Column supplies Field (one of
// fieldNames, or Ignore).
type Mapped struct {
	Column, Field string
}

// Mapping overrides column recognition, in the order the entries were
// given. Headers match like automatic recognition, ignoring case, spaces
// and punctuation. A field given columns here takes its value from the
// mapped columns only: the first of them, in this order, that is not blank
// in a row.
type Mapping []Mapped

// ParseMapping parses --map arguments of the form "CSV column=field", such
// as "Cell=phone" or "Notes=-". Several columns may name one field
// ("Phone : mobile=phone", "Phone : iPhone=phone"): the first wins.
func ParseMapping(args []string) (Mapping, error) {
	var m Mapping
	seen := map[string]string{}
	var errs []error
	for _, a := range args {
		i := strings.LastIndexByte(a, '=')
		if i < 0 || strings.TrimSpace(a[:i]) == "" {
			errs = append(errs, fmt.Errorf("--map %q: want COLUMN=field, like \"Cell=phone\"", a))
			continue
		}
		col, name := strings.TrimSpace(a[:i]), strings.TrimSpace(a[i+1:])
		canon, err := canonicalField(name)
		if err != nil {
			errs = append(errs, fmt.Errorf("--map %q: %w", a, err))
			continue
		}
		if prev, dup := seen[normalize(col)]; dup {
			errs = append(errs, fmt.Errorf("--map %q: column %q is already mapped by %q", a, col, prev))
			continue
		}
		seen[normalize(col)] = a
		m = append(m, Mapped{Column: col, Field: canon})
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return m, nil
}

// canonicalField returns the field's name as fieldNames spells it.
func canonicalField(name string) (string, error) {
	if name == Ignore || strings.EqualFold(name, "ignore") {
		return Ignore, nil
	}
	if f, ok := lookupField(name); ok {
		return f.String(), nil
	}
	return "", fmt.Errorf("unknown field %q; valid fields are %s, or %q to ignore the column",
		name, strings.Join(fieldNames[:], ", "), Ignore)
}

// knownHeaders lists a few recognised column names per field, for error
// messages.
func knownHeaders() string {
	var parts []string
	for f := range numFields {
		var names []string
		for _, h := range headerNames {
			if h.field == f && len(names) < 3 {
				names = append(names, h.names[:min(3-len(names), len(h.names))]...)
			}
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", f, strings.Join(names, ", ")))
	}
	return strings.Join(parts, "; ")
}
