package reply_test

import (
	"testing"

	"github.com/rapportapp/rapport/internal/reply"
)

func TestSMSKeyword(t *testing.T) {
	tests := []struct {
		body string
		want reply.Keyword
	}{
		{"STOP", reply.Stop},
		{"stop", reply.Stop},
		{"  Stop  ", reply.Stop},
		{"Stop.", reply.Stop},
		{"STOP!!", reply.Stop},
		{"\"stop\"", reply.Stop},
		{"Stop 🛑", reply.Stop},
		{"STOPALL", reply.Stop},
		{"stop all", reply.Stop},
		{"Unsubscribe", reply.Stop},
		{"cancel", reply.Stop},
		{"End", reply.Stop},
		{"quit", reply.Stop},
		{"REVOKE", reply.Stop},
		{"opt out", reply.Stop},
		{"OPTOUT", reply.Stop},
		{"ＳＴＯＰ", reply.Stop}, // full-width
		{"START", reply.Start},
		{"yes", reply.Start},
		{"Yes!", reply.Start},
		{"unstop", reply.Start},
		{"HELP", reply.Help},
		{"help?", reply.Help},
		{"info", reply.Help},
		{"", reply.None},
		{"   ", reply.None},
		{"stop texting me", reply.None},
		{"Please stop", reply.None},
		{"yes please", reply.None},
		{"STOPP", reply.None},
		{"st op", reply.Stop}, // spaces do not matter, by design
		{"s.t.o.p", reply.None},
		{"I need help with my order", reply.None},
		{"The leak won't stop", reply.None},
	}
	for _, tt := range tests {
		if got := reply.SMSKeyword(tt.body); got != tt.want {
			t.Errorf("SMSKeyword(%q) = %v, want %v", tt.body, got, tt.want)
		}
	}
}

func TestLikelyOptOut(t *testing.T) {
	tests := []struct {
		body string
		want bool
	}{
		{"please stop texting me", true},
		{"Please STOP", true},
		{"stop please", true},
		{"take me off your list", true},
		{"Can you remove my number from your list?", true},
		{"unsubscribe me", true},
		{"I want to opt out", true},
		{"don't text me again", true},
		{"Don’t text me", true}, // typographic apostrophe
		{"do not contact me", true},
		{"No more texts please", true},
		{"Wrong number", true},
		{"leave me alone", true},
		{"STOP", false}, // a keyword, handled as such
		{"Unsubscribe", false},
		{"Thanks, it arrived!", false},
		{"the leak won't stop", false},
		{"I can't stop using the peppermint", false},
		{"remove measurements from the label?", false},
		{"Yes please send more info", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := reply.LikelyOptOut(tt.body); got != tt.want {
			t.Errorf("LikelyOptOut(%q) = %v, want %v", tt.body, got, tt.want)
		}
	}
}
