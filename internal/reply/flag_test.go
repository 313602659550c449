package reply_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/rapportapp/rapport/internal/reply"
)

func TestFlaggerScan(t *testing.T) {
	f := reply.NewFlagger([]string{"rash", "allergic reaction", "  "})
	tests := []struct {
		text string
		want []reply.Flag
	}{
		{"Thanks, it arrived and I love it!", nil},
		{"The lavender leaked all over the box", []reply.Flag{{reply.Leaking, "leaked"}}},
		{"It's LEAKING", []reply.Flag{{reply.Leaking, "LEAKING"}}},
		{"the roller bottle arrived broken", []reply.Flag{{reply.Broken, "broken"}}},
		{"bottle was smashed", []reply.Flag{{reply.Broken, "smashed"}}},
		{"the cap is cracked", []reply.Flag{{reply.Broken, "cracked"}}},
		{"the diffuser doesn't work", []reply.Flag{{reply.Broken, "doesn't work"}}},
		{"the box was damaged", []reply.Flag{{reply.Damaged, "damaged"}}},
		{"the box was crushed", []reply.Flag{{reply.Damaged, "crushed"}}},
		{"Wrong scent, I ordered wild orange", []reply.Flag{{reply.WrongItem, "Wrong scent"}}},
		{"this is not what I ordered", []reply.Flag{{reply.WrongItem, "not what I ordered"}}},
		{"you sent the wrong one", []reply.Flag{{reply.WrongItem, "sent the wrong"}}},
		{"my order never arrived", []reply.Flag{{reply.MissingItem, "never arrived"}}},
		{"No it hasn't arrived yet", []reply.Flag{{reply.MissingItem, "hasn't arrived"}}},
		{"the peppermint is missing", []reply.Flag{{reply.MissingItem, "missing"}}},
		{"Can I send it back?", []reply.Flag{{reply.Return, "send it back"}}},
		{"I'd like to return it", []reply.Flag{{reply.Return, "return"}}},
		{"I want my money back", []reply.Flag{{reply.Refund, "money back"}}},
		{"Refund please", []reply.Flag{{reply.Refund, "Refund"}}},
		{"please cancel my order", []reply.Flag{{reply.Cancel, "cancel"}}},
		{"please stop emailing me", []reply.Flag{{reply.OptOut, "please stop"}}},
		{"Don’t email me again", []reply.Flag{{reply.OptOut, "Don’t email me"}}},
		{"the bottle doesnt work", []reply.Flag{{reply.Broken, "doesnt work"}}},
		{"Unsubscribe", []reply.Flag{{reply.OptOut, "Unsubscribe"}}},
		{"I got a rash from it", []reply.Flag{{reply.Custom, "rash"}}},
		{"rashes on my arm", []reply.Flag{{reply.Custom, "rashes"}}},
		{"an allergic\nreaction", []reply.Flag{{reply.Custom, "allergic\nreaction"}}},
		{"The box was crushed, the bottle leaking, and I want a refund.", []reply.Flag{
			{reply.Damaged, "crushed"}, {reply.Leaking, "leaking"}, {reply.Refund, "refund"}}},
		{"It leaked and then leaked again", []reply.Flag{{reply.Leaking, "leaked"}}},

		// Negations.
		{"nothing was broken", nil},
		{"no leaks at all", nil},
		{"it wasn't damaged", nil},
		{"wasnt damaged", nil},
		{"arrived without any damage", nil},
		{"nothing is missing", nil},
		{"No damage but the bottle is leaking", []reply.Flag{{reply.Leaking, "leaking"}}},
		{"No, it's broken", []reply.Flag{{reply.Broken, "broken"}}},
		{"I still haven't got a refund", []reply.Flag{{reply.Refund, "refund"}}},

		// Word boundaries.
		{"What a break! Thanks for the accident-free delivery", nil},
		{"breakfast was great", nil},
		{"my grass is crashing", nil},
		{"I'll cancelled... no wait", []reply.Flag{{reply.Cancel, "cancelled"}}},
	}
	for _, tt := range tests {
		got := f.Scan(tt.text)
		if len(got) == 0 && len(tt.want) == 0 {
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Scan(%q)\n got %+v\nwant %+v", tt.text, got, tt.want)
		}
	}
}

// TestFlaggerCustomWords checks that the rep's words are matched literally,
// not as regular expressions.
func TestFlaggerCustomWords(t *testing.T) {
	f := reply.NewFlagger([]string{"c++", "(urgent)"})
	if got := f.Scan("I need help with c++ and this is (urgent)"); len(got) != 2 {
		t.Errorf("Scan = %+v, want two custom flags", got)
	}
	if got := f.Scan("c and urgent"); len(got) != 0 {
		t.Errorf("Scan = %+v, want none", got)
	}
}

func TestFlaggerNoExtraWords(t *testing.T) {
	if got := reply.NewFlagger(nil).Scan("it is broken"); len(got) != 1 {
		t.Errorf("Scan = %+v", got)
	}
}

// TestFlaggerLongText checks that a huge body is scanned only at its head,
// which keeps Scan's cost bounded.
func TestFlaggerLongText(t *testing.T) {
	f := reply.NewFlagger(nil)
	filler := strings.Repeat("all good here, thanks. ", 1000) // past the 16 KiB read
	if got := f.Scan("It leaked. " + filler); len(got) != 1 || got[0].Kind != reply.Leaking {
		t.Errorf("Scan(head) = %+v, want leaking", got)
	}
	if got := f.Scan(filler + "It leaked."); len(got) != 0 {
		t.Errorf("Scan(tail past the limit) = %+v, want none", got)
	}
}
