package contact

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// Shopify's customer export, with its real header row: consent to email
// and to texts in "Accepts Email Marketing" and "Accepts SMS Marketing",
// numbers written '+1... so that Excel keeps the +, the rest of the
// address and the totals ignored.
func TestShopifyCustomersExport(t *testing.T) {
	r, got := readFixture(t, "shopify-customers.csv", Options{Region: "US"})
	checkRows(t, got, []string{
		`2: "Ana" "Diaz" <ana.diaz@example.com> +13125550142 tz= sms=true email_marketing=true at= src=""`,
		`3: "Bo" "Kim" <bo.kim@example.com>  tz= sms=false email_marketing=false at= src=""`,
		// No "Phone": the default address's one serves.
		`4: "Cy" "Ng" <cy.ng@example.com> +17755550133 tz= sms=- email_marketing=false at= src=""`,
		`5: "Di Anne" "Lo" <di.lo@example.com> +13125550144 tz= sms=false email_marketing=true at= src=""`,
		`line 6: invalid email marketing "maybe": write yes or no, or leave it blank if you don't know`,
	})
	used, ignored := r.Columns()
	for field, col := range map[string]string{
		"email_marketing": "Accepts Email Marketing", "sms_consent": "Accepts SMS Marketing",
		"phone": "Phone, Default Address Phone", "state": "Default Address Province Code",
	} {
		if used[field] != col {
			t.Errorf("%s from %q, want %q", field, used[field], col)
		}
	}
	wantIgnored := []string{"Customer ID", "Default Address Company", "Default Address Address1", "Default Address Address2",
		"Default Address City", "Default Address Country Code", "Default Address Zip",
		"Total Spent", "Total Orders", "Note", "Tax Exempt", "Tags"}
	if !reflect.DeepEqual(ignored, wantIgnored) {
		t.Errorf("ignored %q\nwant %q", ignored, wantIgnored)
	}
}

// The tab in Di's first name is cleaned, and the record says so.
func TestShopifyCustomersExportWarnings(t *testing.T) {
	f, err := os.Open(filepath.Join("testdata", "shopify-customers.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := NewReader(f, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var warned []string
	for range 4 {
		rec, err := r.Next()
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range rec.Warnings {
			warned = append(warned, fmt.Sprintf("%d: %s", rec.Line, w))
		}
	}
	want := []string{"5: first name: control characters or line breaks removed"}
	if !reflect.DeepEqual(warned, want) {
		t.Errorf("warnings %q, want %q", warned, want)
	}
}

// An iPhone contacts export app writes "Phone : mobile" and "Phone :
// iPhone" columns, and wraps numbers in direction marks with
// non-breaking hyphens.
func TestIPhoneContactsExport(t *testing.T) {
	_, got := readFixture(t, "iphone-contacts.csv", Options{Region: "US"})
	checkRows(t, got, []string{
		`2: "Ann" "Ford" <ann@example.com> +13125550150 tz= sms=-`,
		`3: "Ben" "Gray" <ben.gray@example.com> +17735550160 tz= sms=-`,
		`4: "Cat" "Hill" <cat.hill@example.com> +13125550170 tz= sms=-`,
		`5: "Dee" "Ives" <> +13125550180 tz= sms=-`,
	})
}

// Several --map entries for one field: the first, in --map order, that is
// not blank in a row wins; the columns not mapped give nothing.
func TestMappingSeveralColumnsForOneField(t *testing.T) {
	m, err := ParseMapping([]string{"Phone : iPhone=phone", "Phone : mobile=phone"})
	if err != nil {
		t.Fatal(err)
	}
	_, got := readFixture(t, "iphone-contacts.csv", Options{Region: "US", Mapping: m})
	checkRows(t, got, []string{
		`2: "Ann" "Ford" <ann@example.com> +13125550151 tz= sms=-`,
		`3: "Ben" "Gray" <ben.gray@example.com> +17735550160 tz= sms=-`,
		`4: "Cat" "Hill" <cat.hill@example.com> +13125550170 tz= sms=-`,
		`line 5: no email or phone`,
	})
}

func TestConsentColumns(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{
			name: "Rapport's own columns: one date and source for both consents",
			in: "email,phone,sms_consent,email_marketing,consent_date,consent_source\n" +
				"a@example.com,312 555 0100,yes,no,2026-03-01,signup sheet\n" +
				"b@example.com,,,yes,,\n" +
				"c@example.com,,,,2026-03-02,fair\n",
			want: []string{
				`2: "" "" <a@example.com> +13125550100 tz= sms=true at=2026-03-01 src="signup sheet" email_marketing=false at=2026-03-01 src="signup sheet"`,
				`3: "" "" <b@example.com>  tz= sms=- email_marketing=true at= src=""`,
				`4: "" "" <c@example.com>  tz= sms=- at=2026-03-02 src="fair"`,
			},
		},
		{
			name: "Shopify's consent dates, when the export has them",
			in: "Email,Accepts Email Marketing,Email Marketing Consent Updated At,Phone,Accepts SMS Marketing,SMS Marketing Consent Updated At\n" +
				"a@example.com,no,2026-02-03T10:00:00-05:00,312 555 0100,yes,2026-01-05\n",
			want: []string{
				`2: "" "" <a@example.com> +13125550100 tz= sms=true at=2026-01-05 src="" email_marketing=false at=2026-02-03T10:00:00-05:00 src=""`,
			},
		},
		{
			name: "Klaviyo's consent states",
			in: "Email,Phone Number,Email Marketing Consent,Email Marketing Consent Timestamp,SMS Marketing Consent\n" +
				"a@example.com,,SUBSCRIBED,2024-01-01T00:00:00Z,\n" +
				"b@example.com,,UNSUBSCRIBED,,UNSUBSCRIBED\n" +
				"c@example.com,,NEVER_SUBSCRIBED,,NEVER_SUBSCRIBED\n",
			want: []string{
				`2: "" "" <a@example.com>  tz= sms=- email_marketing=true at=2024-01-01T00:00:00Z src=""`,
				`3: "" "" <b@example.com>  tz= sms=false email_marketing=false at= src=""`,
				`4: "" "" <c@example.com>  tz= sms=-`,
			},
		},
		{
			name: "Mailchimp's unsubscribed export",
			in: "Email Address,First Name,OPTIN_TIME,CONFIRM_TIME,UNSUB_TIME,UNSUB_REASON\n" +
				"a@example.com,Ann,2023-05-01 10:00:00,2023-05-01 10:05:00,2025-01-02 08:00:00,No longer interested\n",
			want: []string{`2: "Ann" "" <a@example.com>  tz= sms=- email=unsubscribed`},
		},
		{
			name: "Mailchimp's cleaned export",
			in: "Email Address,First Name,OPTIN_TIME,CLEAN_TIME,CLEAN_CAMPAIGN_TITLE\n" +
				"a@example.com,Ann,2023-05-01 10:00:00,2025-01-02 08:00:00,Spring news\n" +
				"b@example.com,Bo,2023-05-01 10:00:00,,\n",
			want: []string{
				`2: "Ann" "" <a@example.com>  tz= sms=- email=bounced`,
				`3: "Bo" "" <b@example.com>  tz= sms=-`,
			},
		},
		{
			name: "a status column",
			in:   "Email,Email Status\na@example.com,unsubscribed\nb@example.com,cleaned\nc@example.com,subscribed\nd@example.com,lead\n",
			want: []string{
				`2: "" "" <a@example.com>  tz= sms=- email=unsubscribed`,
				`3: "" "" <b@example.com>  tz= sms=- email=bounced`,
				`4: "" "" <c@example.com>  tz= sms=-`,
				`line 5: invalid email status "lead": write subscribed, unsubscribed or cleaned (bounced), or leave it blank`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, got := readAll(t, strings.NewReader(tt.in), Options{Region: "US"})
			checkRows(t, got, tt.want)
		})
	}
}

func TestDefaultConsent(t *testing.T) {
	yes, no := true, false
	c := Contact{SMSConsent: &yes, SMSConsentAt: "2026-01-05", EmailMarketing: &no}
	c.DefaultConsent("import of shopify-customers.csv, 2026-12-04", "2026-12-04")
	if c.SMSConsentAt != "2026-01-05" || c.SMSConsentSource != "import of shopify-customers.csv, 2026-12-04" ||
		c.EmailMarketingAt != "2026-12-04" || c.EmailMarketingSource != "import of shopify-customers.csv, 2026-12-04" {
		t.Errorf("after DefaultConsent: %+v", c)
	}
	// No consent stated: nothing to date.
	var blank Contact
	blank.DefaultConsent("import of x.csv, 2026-12-04", "2026-12-04")
	if blank != (Contact{}) {
		t.Errorf("a contact without consent got %+v", blank)
	}
}
