package twiliosandbox_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/twilio/twilio-go"
	"github.com/twilio/twilio-go/client"
	api "github.com/twilio/twilio-go/rest/api/v2010"

	"github.com/rapportapp/rapport/internal/clock"
	"github.com/rapportapp/rapport/internal/twiliosandbox"
)

const (
	rep      = "+13125550100"
	customer = "+13125550123"
)

// apiFacts are facts copied from Twilio's OpenAPI definition.
type apiFacts struct {
	MessageProperties []string `json:"message_properties"`
	ListProperties    []string `json:"list_properties"`
	SIDPattern        string   `json:"sid_pattern"`
	AccountSIDPattern string   `json:"account_sid_pattern"`
	StatusEnum        []string `json:"status_enum"`
	DirectionEnum     []string `json:"direction_enum"`
	RFC2822Fields     []string `json:"rfc2822_fields"`
	StringFields      []string `json:"string_fields"`
}

func loadFacts(t *testing.T) apiFacts {
	t.Helper()
	data, err := os.ReadFile("testdata/messages-api-facts.json")
	if err != nil {
		t.Fatal(err)
	}
	var f apiFacts
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatalf("testdata/messages-api-facts.json: %v", err)
	}
	return f
}

// call sends a raw request the way any HTTP client would and decodes the
// JSON answer.
func call(t *testing.T, method, target string, form url.Values, user, pass string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, target, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if user != "" {
		req.SetBasicAuth(user, pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var body map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		t.Fatalf("%s %s: answer is not JSON: %v", method, target, err)
	}
	return resp.StatusCode, body
}

// start starts a sandbox on loopback for one test, with a random account.
func start(t *testing.T) *twiliosandbox.Server {
	t.Helper()
	s := twiliosandbox.New(twiliosandbox.NewAccountSID(), twiliosandbox.NewAuthToken())
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func messagesURL(s *twiliosandbox.Server, account string) string {
	return s.URL + "/2010-04-01/Accounts/" + account + "/Messages.json"
}

func textForm() url.Values {
	return url.Values{"To": {customer}, "From": {rep}, "Body": {"Hi Jane, did your order arrive?"}}
}

// restClient is the real twilio-go client pointed at s.
func restClient(s *twiliosandbox.Server) *api.ApiService {
	c := &client.Client{Credentials: client.NewCredentials(s.AccountSID, s.AuthToken), HTTPClient: s.Client()}
	c.SetAccountSid(s.AccountSID)
	return twilio.NewRestClientWithParams(twilio.ClientParams{Client: c}).Api
}

func keys(m map[string]any) []string {
	var k []string
	for key := range m {
		k = append(k, key)
	}
	slices.Sort(k)
	return k
}

func TestCreateAnswersLikeTheDefinition(t *testing.T) {
	facts := loadFacts(t)
	s := start(t)
	status, body := call(t, "POST", messagesURL(s, s.AccountSID), textForm(), s.AccountSID, s.AuthToken)
	if status != http.StatusCreated {
		t.Fatalf("status = %d, want 201; body %v", status, body)
	}
	if got := keys(body); !slices.Equal(got, facts.MessageProperties) {
		t.Errorf("properties = %v\nwant %v", got, facts.MessageProperties)
	}
	checkPattern(t, "sid", body["sid"], facts.SIDPattern)
	checkPattern(t, "account_sid", body["account_sid"], facts.AccountSIDPattern)
	if !slices.Contains(facts.StatusEnum, body["status"].(string)) || body["status"] != "queued" {
		t.Errorf("status = %v, want queued", body["status"])
	}
	if !slices.Contains(facts.DirectionEnum, body["direction"].(string)) || body["direction"] != "outbound-api" {
		t.Errorf("direction = %v, want outbound-api", body["direction"])
	}
	for _, f := range facts.RFC2822Fields {
		if _, err := time.Parse(time.RFC1123Z, body[f].(string)); err != nil {
			t.Errorf("%s = %v, not RFC 2822: %v", f, body[f], err)
		}
	}
	for _, f := range facts.StringFields {
		if _, ok := body[f].(string); !ok && body[f] != nil {
			t.Errorf("%s = %#v, want a string or null", f, body[f])
		}
	}
	want := map[string]any{"to": customer, "from": rep, "body": "Hi Jane, did your order arrive?", "num_segments": "1", "messaging_service_sid": nil}
	for k, v := range want {
		if body[k] != v {
			t.Errorf("%s = %#v, want %#v", k, body[k], v)
		}
	}
	if uri := body["uri"].(string); uri != "/2010-04-01/Accounts/"+s.AccountSID+"/Messages/"+body["sid"].(string)+".json" {
		t.Errorf("uri = %s", uri)
	}
}

func checkPattern(t *testing.T, name string, v any, pattern string) {
	t.Helper()
	s, _ := v.(string)
	if !regexp.MustCompile(pattern).MatchString(s) {
		t.Errorf("%s = %#v, does not match %s", name, v, pattern)
	}
}

func TestCreateRejectsLikeTwilio(t *testing.T) {
	s := start(t)
	other := twiliosandbox.NewAccountSID()
	without := func(key string) url.Values { f := textForm(); f.Del(key); return f }
	with := func(key, value string) url.Values { f := textForm(); f.Set(key, value); return f }
	tests := []struct {
		name          string
		account, user string
		pass          string
		form          url.Values
		status, code  int
	}{
		{"no credentials", s.AccountSID, "", "", textForm(), 401, 20003},
		{"wrong token", s.AccountSID, s.AccountSID, "nope", textForm(), 401, 20003},
		{"wrong user", s.AccountSID, other, s.AuthToken, textForm(), 401, 20003},
		{"empty account in path", "", s.AccountSID, s.AuthToken, textForm(), 404, 20404},
		{"another account in path", other, s.AccountSID, s.AuthToken, textForm(), 401, 20003},
		{"no To", s.AccountSID, s.AccountSID, s.AuthToken, without("To"), 400, 21604},
		{"no From", s.AccountSID, s.AccountSID, s.AuthToken, without("From"), 400, 21603},
		{"no Body", s.AccountSID, s.AccountSID, s.AuthToken, without("Body"), 400, 21602},
		{"To not E.164", s.AccountSID, s.AccountSID, s.AuthToken, with("To", "312-555-0123"), 400, 21211},
		{"body too long", s.AccountSID, s.AccountSID, s.AuthToken, with("Body", strings.Repeat("a", 1601)), 400, 21617},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := call(t, "POST", messagesURL(s, tt.account), tt.form, tt.user, tt.pass)
			if status != tt.status {
				t.Errorf("HTTP status = %d, want %d", status, tt.status)
			}
			for _, k := range []string{"code", "message", "more_info", "status"} {
				if _, ok := body[k]; !ok {
					t.Errorf("error body has no %q: %v", k, body)
				}
			}
			if body["code"] != float64(tt.code) || body["status"] != float64(tt.status) {
				t.Errorf("code, status = %v, %v; want %d, %d", body["code"], body["status"], tt.code, tt.status)
			}
		})
	}
	if n := len(s.Sent()); n != 0 {
		t.Errorf("%d messages recorded from rejected requests", n)
	}
}

func TestMessagingServiceWithoutFrom(t *testing.T) {
	s := start(t)
	form := textForm()
	form.Del("From")
	form.Set("MessagingServiceSid", "MG"+strings.Repeat("0a", 16))
	status, body := call(t, "POST", messagesURL(s, s.AccountSID), form, s.AccountSID, s.AuthToken)
	if status != 201 || body["from"] != nil || body["messaging_service_sid"] != form.Get("MessagingServiceSid") {
		t.Errorf("status %d, from %v, messaging_service_sid %v", status, body["from"], body["messaging_service_sid"])
	}
}

func TestTwilioGoReadsErrors(t *testing.T) {
	s := start(t)
	_, err := restClient(s).CreateMessage((&api.CreateMessageParams{}).SetTo("12").SetFrom(rep).SetBody("x"))
	var rest *client.TwilioRestError
	if !errors.As(err, &rest) || rest.Code != 21211 || rest.Status != 400 {
		t.Fatalf("err = %v, want TwilioRestError 21211 with status 400", err)
	}
}

// listFixture holds 5 texts to customer late on 2 March 2026 (UTC), 2 to
// another number, then 3 more to customer on 3 March.
func listFixture(t *testing.T) (*twiliosandbox.Server, *api.ApiService) {
	t.Helper()
	s := twiliosandbox.New(twiliosandbox.NewAccountSID(), twiliosandbox.NewAuthToken())
	clk := clock.NewManual(time.Date(2026, 3, 2, 23, 30, 0, 0, time.UTC))
	s.Clock = clk
	if err := s.Start("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	rc := restClient(s)
	send := func(to string, n int) {
		for range n {
			clk.Advance(time.Minute)
			if _, err := rc.CreateMessage((&api.CreateMessageParams{}).SetTo(to).SetFrom(rep).SetBody("hi")); err != nil {
				t.Fatal(err)
			}
		}
	}
	send(customer, 5)
	send("+13125550199", 2)
	clk.Advance(12 * time.Hour)
	send(customer, 3)
	return s, rc
}

func TestListFiltersAndPages(t *testing.T) {
	s, rc := listFixture(t)
	day1 := time.Date(2026, 3, 2, 23, 30, 0, 0, time.UTC)
	day2 := time.Date(2026, 3, 3, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name   string
		params *api.ListMessageParams
		want   int
	}{
		{"to, paged by 2", (&api.ListMessageParams{}).SetTo(customer).SetPageSize(2), 8},
		{"from", (&api.ListMessageParams{}).SetFrom(rep), 10},
		{"on or after day 2 (time of day ignored)", (&api.ListMessageParams{}).SetTo(customer).SetDateSentAfter(day2.Add(20 * time.Hour)), 3},
		{"on day 1", (&api.ListMessageParams{}).SetTo(customer).SetDateSent(day1), 5},
		{"on or before day 1", (&api.ListMessageParams{}).SetDateSentBefore(day1), 7},
		{"limit", (&api.ListMessageParams{}).SetPageSize(3).SetLimit(4), 4},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := rc.ListMessage(tt.params)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != tt.want {
				t.Errorf("got %d messages, want %d", len(got), tt.want)
			}
			if !slices.IsSortedFunc(got, func(a, b api.ApiV2010Message) int {
				return -strings.Compare(createdKey(t, a), createdKey(t, b))
			}) {
				t.Error("not newest first")
			}
		})
	}
	var pages int
	for _, r := range s.Requests() {
		if r.Method == "GET" && r.Query.Get("To") == customer && r.Query.Get("PageSize") == "2" {
			pages++
		}
	}
	if pages != 4 {
		t.Errorf("paged list took %d requests, want 4 (8 messages, 2 a page)", pages)
	}
}

func createdKey(t *testing.T, m api.ApiV2010Message) string {
	t.Helper()
	c, err := time.Parse(time.RFC1123Z, *m.DateCreated)
	if err != nil {
		t.Fatal(err)
	}
	return c.UTC().Format(time.RFC3339)
}

func TestListRejectsBadPageSize(t *testing.T) {
	s := start(t)
	status, body := call(t, "GET", messagesURL(s, s.AccountSID)+"?PageSize=0", nil, s.AccountSID, s.AuthToken)
	if status != 400 || body["status"] != float64(400) {
		t.Errorf("status %d, body %v", status, body)
	}
}

func TestFetch(t *testing.T) {
	s := start(t)
	rc := restClient(s)
	created, err := rc.CreateMessage((&api.CreateMessageParams{}).SetTo(customer).SetFrom(rep).SetBody("hi"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := rc.FetchMessage(*created.Sid, nil)
	if err != nil || *got.Sid != *created.Sid || *got.Body != "hi" {
		t.Fatalf("fetch = %v, %v", got, err)
	}
	_, err = rc.FetchMessage("SM"+strings.Repeat("0", 32), nil)
	var rest *client.TwilioRestError
	if !errors.As(err, &rest) || rest.Code != 20404 || rest.Status != 404 {
		t.Errorf("fetch of unknown SID: err = %v, want 20404", err)
	}
}
