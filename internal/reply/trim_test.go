package reply_test

import (
	"testing"

	"github.com/rapportapp/rapport/internal/reply"
)

func TestTrim(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Thanks, it arrived!", "Thanks, it arrived!"},
		{"gmail top-post",
			"Yes, all good.\n\nOn Mon, Dec 7, 2026 at 10:00 AM Amy Rep <amy@amyoils.example> wrote:\n\n> Did it arrive?\n> Amy\n",
			"Yes, all good."},
		{"attribution wrapped over two lines",
			"Yes.\n\nOn Mon, Dec 7, 2026 at 10:00 AM Amy Rep <\namy@amyoils.example> wrote:\n> Did it arrive?",
			"Yes."},
		{"bottom-post keeps the answer",
			"On Mon, Dec 7, 2026, Amy Rep wrote:\n> Did it arrive?\n\nIt did, thank you!",
			"It did, thank you!"},
		{"inline answers",
			"> Did it arrive?\nYes, Tuesday.\n> Have you tried the lavender?\nNot yet.",
			"Yes, Tuesday.\nNot yet."},
		{"attribution without quote marks cuts the rest",
			"Fine thanks\n\nOn Mon, 7 Dec 2026, Amy Rep wrote:\nDid it arrive?",
			"Fine thanks"},
		{"german thunderbird",
			"Alles gut.\n\nAm 07.12.2026 um 10:00 schrieb Amy Rep <amy@amyoils.example>:\n> Did it arrive?",
			"Alles gut."},
		{"french",
			"Merci !\n\nLe lun. 7 déc. 2026 à 10:00, Amy Rep <amy@amyoils.example> a écrit :\n> Did it arrive?",
			"Merci !"},
		{"outlook original message",
			"Got it.\n\n-----Original Message-----\nFrom: Amy Rep\nSent: Monday\nDid it arrive?",
			"Got it."},
		{"outlook underscores",
			"Got it.\n\n________________________________\nFrom: Amy Rep <amy@amyoils.example>\nSent: Monday, December 7, 2026 10:00 AM",
			"Got it."},
		{"outlook header block",
			"Got it.\n\nFrom: Amy Rep <amy@amyoils.example>\nSent: Monday, December 7, 2026 10:00 AM\nTo: Bob\nSubject: Did your order arrive?\n\nDid it arrive?",
			"Got it."},
		{"outlook bold header block",
			"Got it.\n\n*From:* Amy Rep <amy@amyoils.example>\n*Sent:* Monday, December 7, 2026 10:00 AM\n*To:* Bob",
			"Got it."},
		{"outlook date variant",
			"Got it.\n\nFrom: Amy Rep <amy@amyoils.example>\nDate: Monday, December 7, 2026 at 10:00 AM\nTo: Bob",
			"Got it."},
		{"a From: line alone stays",
			"From: my sister's account, sorry!\nIt arrived fine.",
			"From: my sister's account, sorry!\nIt arrived fine."},
		{"signature delimiter",
			"All good!\n\n-- \nJane Doe\n555-0101",
			"All good!"},
		{"signature delimiter without space",
			"All good!\n--\nJane",
			"All good!"},
		{"sent from my iPhone",
			"Love it\n\nSent from my iPhone\n\n> On Dec 7, 2026, at 10:00 AM, Amy Rep <amy@amyoils.example> wrote:\n>\n> Did it arrive?",
			"Love it"},
		{"outlook mobile", "Yes thanks\n\nGet Outlook for iOS\n________________________________\nFrom: Amy", "Yes thanks"},
		{"german iPhone", "Danke!\n\nVon meinem iPhone gesendet", "Danke!"},
		{"forwarded", "See below\n\nBegin forwarded message:\n\nFrom: Shop", "See below"},
		{"a sentence starting with On stays",
			"On Monday it arrived and the box was wet.\nAll else fine.",
			"On Monday it arrived and the box was wet.\nAll else fine."},
		{"everything quoted", "> Did it arrive?\n> Amy", ""},
		{"CRLF and blank-line runs",
			"Hi Amy,\r\n\r\n\r\n\r\nIt came.   \r\nJane\r\n\r\nOn Mon, Amy wrote:\r\n> x",
			"Hi Amy,\n\nIt came.\nJane"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := reply.Trim(tt.in); got != tt.want {
				t.Errorf("Trim(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}
