package reply_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/reply"
)

// mustParse parses a fixture from testdata.
func mustParse(t *testing.T, name string) *reply.Mail {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	m, err := reply.ParseMail(raw)
	if err != nil {
		t.Fatalf("ParseMail(%s): %v", name, err)
	}
	return m
}

func TestParseMailReplies(t *testing.T) {
	tests := []struct {
		file        string
		from, name  string
		messageID   string
		inReplyTo   string
		subject     string
		date        string
		text        string
		attachments []string
	}{
		{
			file: "gmail-reply.eml", from: "jane.doe@gmail.com", name: "Jane Doe",
			messageID: "CAJx9Fq2n3Yk1v0r+gTzq8aJ5cJ2xkVh=5o3WQw@mail.gmail.com",
			inReplyTo: "q42.arrival-check@rapport.amyoils.example",
			subject:   "Re: Did your order arrive?", date: "2026-12-08T18:42:00Z",
			text: "Hi Amy,\n\nIt arrived yesterday but the lavender bottle was leaking all over the box.\n" +
				"The rest is fine and I’m loving the peppermint!\n\nJane",
		},
		{
			file: "outlook-reply.eml", from: "bob.smith@contoso.example", name: "Bob Smith",
			messageID: "AM0PR08MB5347C9D1E2F3A4B5C6D7E8F9A0B1C2D3E@AM0PR08MB5347.eurprd08.prod.outlook.com",
			inReplyTo: "q43.arrival-check@rapport.amyoils.example",
			subject:   "RE: Did your order arrive?", date: "2026-12-09T09:15:31Z",
			text: "Hi Amy,\n\nWrong scent - I ordered Wild Orange and got Peppermint. " +
				"Can I send it back or do you need the invoice number first?\n\nThanks,\nBob",
		},
		{
			file: "apple-iphone-reply.eml", from: "carol.lee@icloud.com", name: "Carol Lee",
			messageID: "5F0C8E1A-2B3D-4C5E-9F60-718293A4B5C6@icloud.com",
			inReplyTo: "q44.arrival-check@rapport.amyoils.example",
			subject:   "Re: Did your order arrive?", date: "2026-12-08T21:03:44Z",
			text: "Got it, thanks! Nothing was broken this time. Love the diffuser 😍",
		},
		{
			file: "latin1-qp-reply.eml", from: "juergen.mueller@web.example", name: "Jürgen Müller",
			messageID: "8b1f2c3d-4e5f-6071-8293-a4b5c6d7e8f9@web.example",
			inReplyTo: "q45.arrival-check@rapport.amyoils.example",
			subject:   "Re: Did your order arrive?", date: "2026-12-10T07:12:01Z",
			text: "Hallo Amy,\n\nthe roller bottle arrived smashed, the oil ran into the box. I would " +
				"like my money back please, or a replacement - whatever is easier.\n\nGrüße aus München,\nJürgen",
		},
		{
			file: "html-only-photo-reply.eml", from: "frank.o@outlook.example", name: "Frank O'Neill",
			messageID: "DU0P192MB1700B1C2D3E4F5A6B7C8D9E0F1A2B3C4@DU0P192MB1700.EURP192.PROD.OUTLOOK.COM",
			inReplyTo: "q50.arrival-check@rapport.amyoils.example",
			subject:   "Re: Did your order arrive?", date: "2026-12-11T19:20:40Z",
			text: "Hi Amy,\n\nThe box came crushed and the tea tree bottle is cracked. " +
				"Photo attached – do you need anything else from me?\n\nFrank",
			attachments: []string{"IMG_2041.jpg"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			m := mustParse(t, tt.file)
			check(t, "From", m.From, tt.from)
			check(t, "FromName", m.FromName, tt.name)
			check(t, "ReturnPath", m.ReturnPath, tt.from)
			check(t, "MessageID", m.MessageID, tt.messageID)
			check(t, "InReplyTo", strings.Join(m.InReplyTo, " "), tt.inReplyTo)
			check(t, "References", strings.Join(m.References, " "), tt.inReplyTo)
			check(t, "Subject", m.Subject, tt.subject)
			check(t, "Date", m.Date.UTC().Format(time.RFC3339), tt.date)
			check(t, "Text", m.Text, tt.text)
			check(t, "Auto", m.Auto, "")
			if m.Bounce != nil {
				t.Errorf("Bounce = %+v, want nil", m.Bounce)
			}
			if !reflect.DeepEqual(m.Attachments, tt.attachments) {
				t.Errorf("Attachments = %q, want %q", m.Attachments, tt.attachments)
			}
			if !strings.Contains(m.FullText, m.Text) && m.Text != "" {
				t.Errorf("FullText does not contain Text:\n%s", m.FullText)
			}
		})
	}
}

func TestParseMailAutomatic(t *testing.T) {
	tests := []struct {
		file, auto string
	}{
		{"exchange-out-of-office.eml", "Auto-Submitted: auto-generated"},
		{"gmail-vacation.eml", "Auto-Submitted: auto-replied"},
		{"newsletter.eml", "List-Unsubscribe"},
		{"postfix-bounce-hard.eml", "delivery status report"},
		{"postfix-delay-soft.eml", "delivery status report"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			check(t, "Auto", mustParse(t, tt.file).Auto, tt.auto)
		})
	}
}

func TestParseMailBounces(t *testing.T) {
	tests := []struct {
		file string
		want reply.Bounce
	}{
		{"postfix-bounce-hard.eml", reply.Bounce{
			Recipient: "old.customer@example.net", Status: "5.1.1", Hard: true,
			Diagnostic:        "550 5.1.1 <old.customer@example.net>: Recipient address rejected: User unknown in virtual mailbox table",
			OriginalMessageID: "q46.arrival-check@rapport.amyoils.example",
		}},
		{"postfix-delay-soft.eml", reply.Bounce{
			Recipient: "dana.full@example.org", Status: "4.2.2", Hard: false,
			Diagnostic:        "452 4.2.2 <dana.full@example.org>: Mailbox full",
			OriginalMessageID: "q47.four-weeks@rapport.amyoils.example",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			m := mustParse(t, tt.file)
			if m.Bounce == nil {
				t.Fatal("Bounce = nil")
			}
			if *m.Bounce != tt.want {
				t.Errorf("Bounce =\n%+v, want\n%+v", *m.Bounce, tt.want)
			}
			check(t, "ReturnPath", m.ReturnPath, reply.NullReturnPath)
			check(t, "From", m.From, "mailer-daemon@mx.amyoils.example")
			if strings.Contains(m.Text, "Did your order arrive") || strings.Contains(m.Text, "How are you enjoying") {
				t.Errorf("Text includes the returned message:\n%s", m.Text)
			}
		})
	}
}

// TestParseMailCRLF checks that the line ends mail really travels with give
// the same result as the LF fixtures.
func TestParseMailCRLF(t *testing.T) {
	for _, name := range []string{"gmail-reply.eml", "postfix-bounce-hard.eml", "latin1-qp-reply.eml"} {
		raw, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		crlf := bytes.ReplaceAll(raw, []byte("\n"), []byte("\r\n"))
		got, err := reply.ParseMail(crlf)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := mustParse(t, name)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s with CRLF:\n%+v\nwith LF:\n%+v", name, got, want)
		}
	}
}

// message builds a small raw mail from header lines and a body.
func message(body string, headers ...string) []byte {
	h := append([]string{
		"From: Jane Doe <jane@example.com>",
		"To: amy@amyoils.example",
		"Message-ID: <m1@example.com>",
	}, headers...)
	return []byte(strings.Join(h, "\r\n") + "\r\n\r\n" + body)
}

func TestParseMailAutoHeaders(t *testing.T) {
	tests := []struct {
		name    string
		headers []string
		want    string
	}{
		{"person", []string{"Subject: Re: Did your order arrive?"}, ""},
		{"null return path", []string{"Return-Path: <>", "Subject: hello"}, "empty return path"},
		{"reply-to and sender", []string{"Sender: jane@example.com", "Subject: order", "Reply-To: a@example.com"}, ""},
		{"Auto-Submitted no", []string{"Auto-Submitted: no"}, ""},
		{"Auto-Submitted auto-replied", []string{"Auto-Submitted: auto-replied (vacation)"}, "Auto-Submitted: auto-replied"},
		{"Auto-Submitted auto-notified", []string{"Auto-Submitted: Auto-Notified; owner-email=x@y"}, "Auto-Submitted: auto-notified"},
		{"X-Autoreply", []string{"X-Autoreply: yes"}, "X-Autoreply"},
		{"X-Autorespond", []string{"X-Autorespond: 1"}, "X-Autorespond"},
		{"Outlook suppress header alone", []string{"X-Auto-Response-Suppress: All", "Subject: RE: order"}, ""},
		{"Precedence bulk", []string{"Precedence: bulk"}, "Precedence: bulk"},
		{"Precedence list", []string{"Precedence: list"}, "Precedence: list"},
		{"Precedence junk", []string{"Precedence: junk"}, "Precedence: junk"},
		{"Precedence auto_reply", []string{"Precedence: auto_reply"}, "Precedence: auto_reply"},
		{"Precedence first-class", []string{"Precedence: first-class"}, ""},
		{"List-Id", []string{"List-Id: Oil Lovers <oils.lists.example.org>"}, "List-Id"},
		{"out of office", []string{"Subject: Out of Office: Did your order arrive?"}, "out-of-office subject"},
		{"automatic reply", []string{"Subject: Automatic reply: Did your order arrive?"}, "out-of-office subject"},
		{"autoreply", []string{"Subject: AutoReply: thanks"}, "out-of-office subject"},
		{"german", []string{"Subject: Abwesenheitsnotiz: Did your order arrive?"}, "out-of-office subject"},
		{"french", []string{"Subject: =?UTF-8?Q?R=C3=A9ponse_automatique_:_Did_your_order_arrive=3F?="}, "out-of-office subject"},
		{"sentence", []string{"Subject: I am out of the office until Monday"}, "out-of-office subject"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := reply.ParseMail(message("Thanks!\r\n", tt.headers...))
			if err != nil {
				t.Fatal(err)
			}
			check(t, "Auto", m.Auto, tt.want)
		})
	}
}

func TestParseMailDaemonSenders(t *testing.T) {
	for _, from := range []string{"MAILER-DAEMON@mx.example.net", "postmaster@example.net", "Mail Delivery Subsystem <mailer-daemon@googlemail.com>"} {
		raw := []byte("From: " + from + "\r\nSubject: Delivery Status Notification (Failure)\r\n\r\nfailed\r\n")
		m, err := reply.ParseMail(raw)
		if err != nil {
			t.Fatal(err)
		}
		check(t, "Auto for "+from, m.Auto, "mailer-daemon sender")
	}
}

// TestParseMailDSNRecipients checks that, of several recipients in one
// report, the failed one is reported, and that a report without a Status
// field falls back to the diagnostic code.
func TestParseMailDSNRecipients(t *testing.T) {
	raw := []byte(`From: MAILER-DAEMON@mx.example.net
Return-Path: <>
Subject: Delivery Status Notification
MIME-Version: 1.0
Content-Type: multipart/report; report-type="delivery-status"; boundary="b"

--b
Content-Type: text/plain

Some recipients failed.
--b
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; ok@example.org
Action: delivered
Status: 2.0.0

Final-Recipient: RFC822; <Gone@Example.org>
Action: failed
Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach
 does not exist.
--b--
`)
	m, err := reply.ParseMail(raw)
	if err != nil {
		t.Fatal(err)
	}
	want := reply.Bounce{
		Recipient: "gone@example.org", Status: "5.1.1", Hard: true,
		Diagnostic: "550-5.1.1 The email account that you tried to reach does not exist.",
	}
	if m.Bounce == nil || *m.Bounce != want {
		t.Errorf("Bounce = %+v, want %+v", m.Bounce, want)
	}
}

func TestParseMailLenient(t *testing.T) {
	tests := []struct {
		name, raw, text, from string
	}{
		{"no closing boundary",
			"From: a@example.com\r\nContent-Type: multipart/alternative; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\nIt leaked.\r\n",
			"It leaked.", "a@example.com"},
		{"unknown charset",
			"From: a@example.com\r\nContent-Type: text/plain; charset=x-unknown-42\r\n\r\nHello there\r\n",
			"Hello there", "a@example.com"},
		{"no Content-Type", "From: a@example.com\r\nSubject: hi\r\n\r\nPlain old mail\r\n", "Plain old mail", "a@example.com"},
		{"bad Content-Type", "From: a@example.com\r\nContent-Type: text/\r\n\r\nStill text\r\n", "Still text", "a@example.com"},
		{"bad Content-Type parameter", "From: a@example.com\r\nContent-Type: text/html; charset\r\n\r\n<p>Still HTML</p>\r\n", "Still HTML", "a@example.com"},
		{"bad From",
			"From: \"Jane <jane@example.com>\r\nSubject: hi\r\n\r\nhi\r\n",
			"hi", "jane@example.com"},
		{"empty plain part, HTML alternative",
			"From: a@example.com\r\nContent-Type: multipart/alternative; boundary=x\r\n\r\n--x\r\nContent-Type: text/plain\r\n\r\n \r\n--x\r\nContent-Type: text/html\r\n\r\n<p>From the HTML</p>\r\n--x--\r\n",
			"From the HTML", "a@example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := reply.ParseMail([]byte(tt.raw))
			if err != nil {
				t.Fatal(err)
			}
			check(t, "Text", m.Text, tt.text)
			check(t, "From", m.From, tt.from)
		})
	}
}

func TestParseMailBadHeader(t *testing.T) {
	if _, err := reply.ParseMail([]byte(" starts with a space\r\n\r\nbody")); err == nil {
		t.Error("ParseMail accepted a header starting with a continuation line")
	}
}

func check(t *testing.T, field, got, want string) {
	t.Helper()
	if got != want {
		t.Errorf("%s = %q, want %q", field, got, want)
	}
}
