package main

import (
	"strings"
	"testing"
	"time"
)

// The checks must catch every way the guarantee can break, or a passing
// run proves nothing.
func TestCheck(t *testing.T) {
	rs := []recipient{
		{Last: "E00000", Email: "e00000@example.net", Channel: "email"},
		{Last: "T00000", Phone: "+12015550100", Channel: "sms"},
	}
	rows := []row{
		{MessageID: "m1@x", Channel: "email", State: "sent", SentTo: "e00000@example.net", ProviderID: "m1@x"},
		{MessageID: "m2@x", Channel: "sms", State: "sent", SentTo: "+12015550100", ProviderID: "SM1"},
	}
	email := delivered{To: "e00000@example.net", ID: "m1@x"}
	text := delivered{To: "+12015550100", ID: "SM1", Body: "Hi Crash T00000, one text"}
	tests := []struct {
		name     string
		emails   []delivered
		texts    []delivered
		inFlight map[string]bool
		rows     []row
		want     string // a problem's words; "" for a pass
	}{
		{"all once", []delivered{email}, []delivered{text}, nil, rows, ""},
		{"email twice, caught mid-send", []delivered{email, email}, []delivered{text}, map[string]bool{"m1@x": true}, rows, ""},
		{"email twice, never in flight", []delivered{email, email}, []delivered{text}, nil, rows, "no kill caught it"},
		{"email twice, new Message-ID", []delivered{email, {To: email.To, ID: "m9@x"}}, []delivered{text},
			map[string]bool{"m1@x": true}, rows, `Message-ID "m9@x"`},
		{"email lost", nil, []delivered{text}, nil, rows, "1 emails lost"},
		{"text twice", []delivered{email}, []delivered{text, text}, map[string]bool{"m2@x": true}, rows, "arrived 2 times"},
		{"text lost", []delivered{email}, nil, nil, rows, "1 texts lost"},
		{"text to a stranger", []delivered{email}, []delivered{text, {To: "+12025550100", ID: "SM2"}}, nil, rows, "not a contact"},
		{"row left pending", []delivered{email}, []delivered{text}, nil,
			[]row{rows[0], {MessageID: "m2@x", State: "pending"}}, "want all 2 rows sent"},
		{"other SID recorded", []delivered{email}, []delivered{{To: text.To, ID: "SM7", Body: text.Body}}, nil, rows, "recorded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Report{}
			r.check(outcome{recipients: rs, rows: tt.rows, inFlight: tt.inFlight, emails: tt.emails, texts: tt.texts})
			r.finish()
			got := strings.Join(r.Problems, "\n")
			if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
				t.Errorf("problems:\n%s\nwant one saying %q", got, tt.want)
			}
		})
	}
}

func TestMiddayZone(t *testing.T) {
	tests := []struct {
		utcHour int
		want    string
	}{
		{0, "Etc/GMT-12"}, {3, "Etc/GMT-9"}, {12, "Etc/GMT"}, {15, "Etc/GMT+3"}, {23, "Etc/GMT+11"},
	}
	for _, tt := range tests {
		now := time.Date(2026, 11, 26, tt.utcHour, 30, 0, 0, time.UTC)
		got := middayZone(now)
		if got != tt.want {
			t.Errorf("middayZone(%02d:30 UTC) = %q, want %q", tt.utcHour, got, tt.want)
			continue
		}
		loc, err := time.LoadLocation(got)
		if err != nil {
			t.Fatal(err)
		}
		if h := now.In(loc).Hour(); h != 12 {
			t.Errorf("%s: local hour %d, want 12", got, h)
		}
	}
}

func TestRecipients(t *testing.T) {
	rs := recipients(300, 150)
	seen := map[string]bool{}
	n := map[string]int{}
	for i, r := range rs {
		key := r.Email + r.Phone
		if seen[key] || seen[r.Last] {
			t.Fatalf("recipient %d repeats %q", i, key)
		}
		seen[key], seen[r.Last] = true, true
		n[r.Channel]++
	}
	if n["email"] != 300 || n["sms"] != 150 {
		t.Errorf("channels %v, want 300 email and 150 sms", n)
	}
	// Interleaved: every third is a text, so kills hit both channels.
	for i := 0; i < 30; i++ {
		if got := rs[i].Channel == "sms"; got != (i%3 == 2) {
			t.Fatalf("recipient %d is %s: channels not interleaved", i, rs[i].Channel)
		}
	}
}
