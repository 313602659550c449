package contact

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"
)

// row renders a record or a problem on one line, so a failing test shows
// exactly which field differs.
func row(rec Record) string {
	c := rec.Contact
	consent := "-"
	if c.SMSConsent != nil {
		consent = fmt.Sprint(*c.SMSConsent)
	}
	s := fmt.Sprintf("%d: %q %q <%s> %s tz=%s sms=%s", rec.Line, c.FirstName, c.LastName, c.Email, c.Phone, c.Timezone, consent)
	if c.SMSConsentAt != "" || c.SMSConsentSource != "" {
		s += fmt.Sprintf(" at=%s src=%q", c.SMSConsentAt, c.SMSConsentSource)
	}
	if c.EmailMarketing != nil {
		s += fmt.Sprintf(" email_marketing=%v at=%s src=%q", *c.EmailMarketing, c.EmailMarketingAt, c.EmailMarketingSource)
	}
	if c.EmailStatus != "" {
		s += " email=" + c.EmailStatus
	}
	if o := rec.Order; o != nil {
		s += fmt.Sprintf(" order=%s %q %q", o.Date, o.Invoice, o.Items)
	}
	return s
}

// readAll reads every row, rendering records and problems in file order.
func readAll(t *testing.T, in io.Reader, opts Options) (*Reader, []string) {
	t.Helper()
	r, err := NewReader(in, opts)
	if err != nil {
		t.Fatalf("NewReader: %v", err)
	}
	var got []string
	for {
		rec, err := r.Next()
		var p *Problem
		switch {
		case err == io.EOF:
			return r, got
		case errors.As(err, &p):
			got = append(got, p.Error())
		case err != nil:
			t.Fatalf("Next: %v", err)
		default:
			got = append(got, row(rec))
		}
	}
}

func readFixture(t *testing.T, name string, opts Options) (*Reader, []string) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	return readAll(t, f, opts)
}

func checkRows(t *testing.T, got, want []string) {
	t.Helper()
	for i := 0; i < max(len(got), len(want)); i++ {
		var g, w string
		if i < len(got) {
			g = got[i]
		}
		if i < len(want) {
			w = want[i]
		}
		if g != w {
			t.Errorf("row %d:\n got: %s\nwant: %s", i, g, w)
		}
	}
}

func TestGoogleExport(t *testing.T) {
	r, got := readFixture(t, "google.csv", Options{Region: "US"})
	checkRows(t, got, []string{
		// The formatted address in this row spans lines 2-4.
		`2: "Maria" "Lopez" <maria.lopez@example.com> +13125550111 tz= sms=-`,
		`5: "Tom" "Becker" <tom.becker@example.com> +13125550120 tz= sms=-`,
		`6: "Priya" "Natarajan" <> +17735550133 tz= sms=-`,
		`8: "Lee" "Wong" <lee.wong@example.com> +17735550144 tz= sms=-`,
		`line 9: no email or phone`,
		`line 10: invalid email "dana.kim@example": the domain "example" has no dot (like example.com)`,
	})
	used, ignored := r.Columns()
	wantUsed := map[string]string{
		"first_name": "Given Name",
		"last_name":  "Family Name",
		"name":       "Name",
		"email":      "E-mail 1 - Value, E-mail 2 - Value",
		"phone":      "Phone 1 - Value, Phone 2 - Value, Phone 3 - Value",
		"state":      "Address 1 - Region",
	}
	if !reflect.DeepEqual(used, wantUsed) {
		t.Errorf("used = %v, want %v", used, wantUsed)
	}
	for _, h := range []string{"E-mail 1 - Type", "Address 1 - Formatted", "Website 1 - Value", "Group Membership"} {
		if !slices.Contains(ignored, h) {
			t.Errorf("ignored = %q, missing %q", ignored, h)
		}
	}
	if slices.Contains(ignored, "Phone 1 - Type") {
		t.Errorf("Phone 1 - Type is used to prefer mobiles, but listed as ignored")
	}
}

func TestGoogleExportUTF16(t *testing.T) {
	// Older Google exports were UTF-16 with a byte-order mark.
	data, err := os.ReadFile("testdata/google.csv")
	if err != nil {
		t.Fatal(err)
	}
	enc := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder()
	utf16, err := enc.Bytes(data)
	if err != nil {
		t.Fatal(err)
	}
	_, want := readFixture(t, "google.csv", Options{})
	_, got := readAll(t, bytes.NewReader(utf16), Options{})
	checkRows(t, got, want)
}

func TestGoogleLabelsExport(t *testing.T) {
	_, got := readFixture(t, "google-labels.csv", Options{Region: "US"})
	checkRows(t, got, []string{
		`2: "Grace" "Hopper" <grace@harboryoga.example.com> +14155550191 tz= sms=-`,
		`3: "Ana" "" <> +14155550192 tz= sms=-`,
	})
}

func TestOutlookExport(t *testing.T) {
	r, got := readFixture(t, "outlook.csv", Options{Region: "US"})
	checkRows(t, got, []string{
		`2: "Jane" "Doe" <jane.doe@example.com> +13125550152 tz= sms=-`,
		`4: "Zoë" "Adams" <zoe.adams@example.com> +13125550160 tz= sms=-`,
		`5: "Robert" "Smith" <bob.smith@example.com> +14155550170 tz= sms=-`,
		`line 6: invalid phone "555-0180": missing the area code`,
	})
	used, ignored := r.Columns()
	if want := "Mobile Phone, Primary Phone, Home Phone, Home Phone 2, Business Phone, Business Phone 2, Company Main Phone, Car Phone, Other Phone"; used["phone"] != want {
		t.Errorf("phone columns = %q, want %q", used["phone"], want)
	}
	if want := "E-mail Address, E-mail 2 Address, E-mail 3 Address"; used["email"] != want {
		t.Errorf("email columns = %q, want %q", used["email"], want)
	}
	if want := "Home State, Business State, Other State"; used["state"] != want {
		t.Errorf("state columns = %q, want %q", used["state"], want)
	}
	if len(used) != 5 || len(ignored) != 92-17 {
		t.Errorf("used %d fields, ignored %d columns; want 5 fields from 17 columns, 75 ignored", len(used), len(ignored))
	}
}

var messyWant = []string{
	`2: "José" "García" <jose.garcia@example.com> +13125550142 tz=America/Chicago sms=true order=2026-03-15 "INV-1001" "Lavender 15ml\nPeppermint 15ml"`,
	`4: "Ann" "Lee" <ann@example.com>  tz= sms=-`,
	`line 6: invalid email "bob@": missing domain`,
	`line 7: invalid phone "12": too short`,
	`line 8: no email or phone`,
	`line 9: invalid order date "2026-02-30": February 2026 has 28 days (read as year-month-day)`,
	`10: "Zoë" "O’Neil" <zoe@example.com> +13125550177 tz= sms=-`,
	`11: "Frank \"Bud\"" "Hale" <frank@example.com> +13125550188 tz=America/New_York sms=true order=2026-01-02 "" ""`,
	`line 12: column 3 ("E-mail"): text after the closing quote; a quoted value must end with a quote followed by a semicolon (write a quote inside a value as "")`,
	`line 13: unknown time zone "Mars/Olympus": use a name like America/New_York, America/Chicago, America/Denver, America/Los_Angeles or Europe/London; ` +
		`invalid SMS consent "maybe": write yes or no, or leave it blank if you don't know`,
	`14: "Ivy" "Park" <ivy@example.com> +13125550199 tz=America/Los_Angeles sms=false`,
	`line 15: column 9 ("Items"): the quote (") that opens this value is never closed; add the closing quote`,
	`16: "Kim" "Lo" <kim@example.com>  tz= sms=-`,
}

func TestMessyFile(t *testing.T) {
	for _, name := range []string{"messy.csv", "messy-bom.csv"} {
		t.Run(name, func(t *testing.T) {
			r, got := readFixture(t, name, Options{Region: "us"})
			checkRows(t, got, messyWant)
			if _, ignored := r.Columns(); !reflect.DeepEqual(ignored, []string{"Notes"}) {
				t.Errorf("ignored = %q, want [Notes]", ignored)
			}
			fi, err := os.Stat(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			if r.BytesRead() != fi.Size() {
				t.Errorf("BytesRead = %d, want %d", r.BytesRead(), fi.Size())
			}
		})
	}
}

func TestExampleCSV(t *testing.T) {
	f, err := os.Open("../../contacts.example.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewReader(f, Options{Region: "US"})
	if err != nil {
		t.Fatal(err)
	}
	var n, phones, consents int
	zones := map[string]bool{}
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("problem in the example: %v", err)
		}
		n++
		if rec.Order == nil || rec.Contact.FirstName == "" {
			t.Errorf("line %d: want a named contact with an order, got %+v", rec.Line, rec)
		}
		if rec.Contact.Phone != "" {
			phones++
		}
		if c := rec.Contact.SMSConsent; c != nil && *c {
			consents++
		}
		zones[rec.Contact.Timezone] = true
	}
	if n != 8 || phones == n || consents == n || len(zones) < 4 {
		t.Errorf("%d contacts, %d with a phone, %d consenting, zones %v; want 8, a mix, 4 zones", n, phones, consents, zones)
	}
	if _, ignored := r.Columns(); len(ignored) > 0 {
		t.Errorf("example columns not recognised: %q", ignored)
	}
}

func TestReaderRows(t *testing.T) {
	tests := []struct {
		name string
		in   string
		opts Options
		want []string
	}{
		{
			name: "full name split when first and last are absent",
			in:   "Name,Email\nJane Q. Smith,j@example.com\n\"Smith, John\",s@example.com\nDr. Ann Lee,a@example.com\nCher,c@example.com\n",
			want: []string{
				`2: "Jane" "Q. Smith" <j@example.com>  tz= sms=-`,
				`3: "John" "Smith" <s@example.com>  tz= sms=-`,
				`4: "Ann" "Lee" <a@example.com>  tz= sms=-`,
				`5: "Cher" "" <c@example.com>  tz= sms=-`,
			},
		},
		{
			name: "day-first dates outside North America",
			in:   "email,phone,order date,sms consent at\nb@example.com,07400 123456,03/04/2026,2026-03-01T09:30:00+01:00\n",
			opts: Options{Region: "GB"},
			want: []string{`2: "" "" <b@example.com> +447400123456 tz= sms=- at=2026-03-01T09:30:00+01:00 src="" order=2026-04-03 "" ""`},
		},
		{
			name: "consent columns",
			in:   "Email,SMS Opt-In,Consent Date,Consent Source\na@example.com,X,1/5/2026,paper form\nb@example.com,,,\n",
			want: []string{
				`2: "" "" <a@example.com>  tz= sms=true at=2026-01-05 src="paper form"`,
				`3: "" "" <b@example.com>  tz= sms=-`,
			},
		},
		{
			name: "order needs a date",
			in:   "email,invoice,items\na@example.com,INV-1,Oil\n",
			want: []string{`line 2: the order has no date: fill in the order date, or clear the invoice and items`},
		},
		{
			name: "several problems in one row are reported together",
			in:   "email,phone\nbob@,12\n",
			want: []string{`line 2: invalid email "bob@": missing domain; invalid phone "12": too short`},
		},
		{
			name: "tab separated, with Excel's =\"...\" and ragged rows",
			in:   "Email\tPhone\tTime Zone\na@example.com\t=\"3125550100\"\n\n \t \t \nb@example.com\t\tPacific\textra\n",
			want: []string{
				`2: "" "" <a@example.com> +13125550100 tz= sms=-`,
				`5: "" "" <b@example.com>  tz=America/Los_Angeles sms=-`,
			},
		},
		{
			name: "Excel sep= line",
			in:   "sep=;\r\nEmail;Notes, if any, here\r\na@example.com;x, y\r\n",
			want: []string{`3: "" "" <a@example.com>  tz= sms=-`},
		},
		{
			name: "classic Mac line endings",
			in:   "Email,Phone\ra@example.com,\rb@example.com,\r",
			want: []string{`2: "" "" <a@example.com>  tz= sms=-`, `3: "" "" <b@example.com>  tz= sms=-`},
		},
		{
			name: "several e-mails in one cell",
			in:   "Email\n\"bad@, b@example.com; c@example.com\"\n",
			want: []string{`2: "" "" <b@example.com>  tz= sms=-`},
		},
		{
			name: "numbered columns",
			in:   "Name,Email 1,Email 2,Phone 1,Phone 2\nAnn,,a@example.com,,312 555 0100\n",
			want: []string{`2: "Ann" "" <a@example.com> +13125550100 tz= sms=-`},
		},
		{
			name: "mapping",
			in:   "Customer,Digits,Reach,Date\nAnn Lee,312 555 0100,a@example.com,yesterday\n",
			opts: Options{Mapping: Mapping{{"digits", "phone"}, {"REACH", "email"}, {"Date", Ignore}}},
			want: []string{`2: "Ann" "Lee" <a@example.com> +13125550100 tz= sms=-`},
		},
		{
			name: "a mapped field takes nothing else",
			in:   "Mobile,Office,Email\n312 555 0100,312 555 0101,a@example.com\n",
			opts: Options{Mapping: Mapping{{"Office", "phone"}}},
			want: []string{`2: "" "" <a@example.com> +13125550101 tz= sms=-`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := readAll(t, strings.NewReader(tt.in), tt.opts)
			checkRows(t, got, tt.want)
		})
	}
}

func TestNewReaderErrors(t *testing.T) {
	tests := []struct {
		name string
		in   string
		opts Options
		want []string // substrings of the error
	}{
		{"empty", "", Options{}, []string{"the file is empty"}},
		{"blank lines only", "\n \r\n\n", Options{}, []string{"the file is empty"}},
		{"no usable column", "Company,City\nAcme,Chicago\n", Options{},
			[]string{`line 1: no e-mail or phone column found among "Company", "City"`, "email (Email, E-mail, Email Address)", `--map "COLUMN=email"`}},
		{"no header", "Jane,jane@example.com,312 555 0100\n", Options{}, []string{"looks like a customer, not column names"}},
		{"excel workbook", "PK\x03\x04\x14\x00", Options{}, []string{"spreadsheet workbook", "save it as CSV"}},
		{"broken header", "Email,\"Phone\n", Options{}, []string{"line 1: the header row has broken quotes in column 2"}},
		{"unknown region", "Email\n", Options{Region: "XX"}, []string{`unknown country "XX"`}},
		{"mapped column missing", "Email,Phone\n", Options{Mapping: Mapping{{"Cell", "phone"}}},
			[]string{`--map "Cell=phone": the file has no column "Cell"; its columns are "Email", "Phone"`}},
		{"mapped field unknown", "Email,Cell\n", Options{Mapping: Mapping{{"Cell", "mobile"}}},
			[]string{`--map "Cell=mobile": unknown field "mobile"; valid fields are first_name, last_name, name, email, phone`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewReader(strings.NewReader(tt.in), tt.opts)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q\ndoes not contain %q", err, w)
				}
			}
		})
	}
}

func TestParseMapping(t *testing.T) {
	m, err := ParseMapping([]string{"Cell=phone", " E-mail Address = Email ", "Notes=-", "Tag=ignore", "When=Order Date"})
	if err != nil {
		t.Fatal(err)
	}
	want := Mapping{{"Cell", "phone"}, {"E-mail Address", "email"}, {"Notes", Ignore}, {"Tag", Ignore}, {"When", "order_date"}}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("got %v, want %v", m, want)
	}

	_, err = ParseMapping([]string{"Cell=mobile", "Cell", "=phone", "cell=phone", "CELL=email"})
	for _, w := range []string{
		`--map "Cell=mobile": unknown field "mobile"; valid fields are first_name, last_name, name, email, phone, timezone, sms_consent, sms_consent_at, sms_consent_source, order_date, invoice, items, email_marketing, email_marketing_at, consent_date, consent_source, email_status, email_unsubscribed_at, email_bounced_at, state, company, or "-" to ignore the column`,
		`--map "Cell": want COLUMN=field`,
		`--map "=phone": want COLUMN=field`,
		`--map "CELL=email": column "CELL" is already mapped by "cell=phone"`,
	} {
		if err == nil || !strings.Contains(err.Error(), w) {
			t.Errorf("error %v\ndoes not contain %q", err, w)
		}
	}
}

func TestHeaderNamesAreUnambiguous(t *testing.T) {
	seen := map[string]headerName{}
	for _, h := range headerNames {
		for _, n := range h.names {
			key := normalize(n)
			if prev, ok := seen[key]; ok && (prev.field != h.field || prev.rank != h.rank) {
				t.Errorf("%q is listed for %s (rank %d) and %s (rank %d)", n, prev.field, prev.rank, h.field, h.rank)
			}
			seen[key] = h
		}
	}
}

func TestReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	if _, err := NewReader(errReader{boom}, Options{}); !errors.Is(err, boom) {
		t.Errorf("NewReader = %v, want the read error", err)
	}

	// Fail past the first buffer, while reading rows.
	rows := strings.Repeat("a@example.com\n", 10_000)
	in := io.MultiReader(strings.NewReader("Email\n"+rows), errReader{boom})
	r, err := NewReader(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for n := 0; ; n++ {
		_, err := r.Next()
		if err == nil {
			continue
		}
		var p *Problem
		if !errors.Is(err, boom) || errors.As(err, &p) || n != 10_000 {
			t.Errorf("after %d rows, Next = %v; want the read error after 10000, not a Problem", n, err)
		}
		break
	}
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// TestCompanyColumn: "Company", "Brand" or a --map'ed column names an
// order's company; without order columns a Company column is the
// customer's employer (Outlook) and is ignored.
func TestCompanyColumn(t *testing.T) {
	tests := []struct {
		name, in string
		opts     Options
		want     []string // each record's order company
		ignored  string
	}{
		{"company", "Email,Order Date,Company\na@example.com,2026-03-01,Acme\nb@example.com,2026-03-02,\n", Options{}, []string{"Acme", ""}, ""},
		{"brand", "Email,Order Date,Brand\na@example.com,2026-03-01, Young Living \n", Options{}, []string{"Young Living"}, ""},
		{"mapped", "Email,Order Date,Seller\na@example.com,2026-03-01,doTERRA\n", Options{Mapping: Mapping{{"Seller", "company"}}}, []string{"doTERRA"}, ""},
		{"no orders", "Email,Company\na@example.com,Initech\n", Options{}, []string{"-"}, "Company"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := NewReader(strings.NewReader(tt.in), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for {
				rec, err := r.Next()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				if rec.Order == nil {
					got = append(got, "-")
					continue
				}
				got = append(got, rec.Order.Company)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("companies %q, want %q", got, tt.want)
			}
			if _, ignored := r.Columns(); strings.Join(ignored, ",") != tt.ignored {
				t.Errorf("ignored %q, want %q", ignored, tt.ignored)
			}
		})
	}
}
