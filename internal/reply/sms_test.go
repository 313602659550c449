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

// TestAsksToStopTexts: what clearly asks for no more texts, as people
// write it, and what only looks like it.
func TestAsksToStopTexts(t *testing.T) {
	tests := []struct {
		body string
		want bool
	}{
		// keywords
		{"STOP", true},
		{"Revoke", true},
		{"opt out", true},
		{"END", true},
		// plain words
		{"Please stop texting me", true},
		{"please stop texting me.", true},
		{"no more texts please", true},
		{"No more messages thanks", true},
		{"Stop texting me!!", true},
		{"stop messaging me", true},
		{"Can you stop sending me these texts", true},
		{"pls stop sending me messages", true},
		{"quit texting me", true},
		{"STOP CONTACTING ME", true},
		{"Stop the texts", true},
		{"please stop", true},
		{"Stop it", true},
		{"stop please", true},
		{"Stop now!", true},
		{"Okay stop", true},
		{"Don't text me", true},
		{"dont text me again", true},
		{"Do not contact me", true},
		{"Please don't message me", true},
		{"Never text me again", true},
		{"Remove me", true},
		{"remove me from your list", true},
		{"Take me off your list", true},
		{"take my number off your list please", true},
		{"Delete my number", true},
		{"lose my number", true},
		{"unsubscribe me", true},
		{"How do I unsubscribe?", true},
		{"Leave me alone", true},
		{"I don't want these texts", true},
		{"I do not want any more text messages", true},
		{"Who is this? Stop texting me", true},
		{"Stop spamming me", true},
		{"please stop texting this number", true},
		{"Don’t text me", true}, // typographic apostrophe
		// not a request to stop texts
		{"don't stop, it's great", false},
		{"Don't stop texting me, I love the tips", false},
		{"I'll stop by the shop tomorrow", false},
		{"can't stop using it", false},
		{"I can't stop texting my sister about this oil", false},
		{"The leak won't stop", false},
		{"Can you stop the order? I ordered twice", false},
		{"Please stop sending me the wrong item", false},
		{"yes it arrived", false},
		{"Yes", false},
		{"Thanks! Text me when the new scents are in", false},
		{"I don't want to unsubscribe, just change my number", false},
		{"It stopped working", false},
		{"stop", true},
		{"Where do I stop in to pick it up?", false},
		{"This oil helps me stop stressing", false},
		{"Please text me the tracking number", false},
		{"Message me when it ships", false},
		{"I think you have the wrong number for my husband", false},
		{"", false},
	}
	for _, tt := range tests {
		if got := reply.AsksToStopTexts(tt.body); (got != "") != tt.want {
			t.Errorf("AsksToStopTexts(%q) = %q, want a request: %v", tt.body, got, tt.want)
		}
	}
}
