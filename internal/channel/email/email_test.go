package email_test

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/channel/email"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/")

func TestBuildHeaders(t *testing.T) {
	m := testMessage(t, 42)
	msg := parse(t, rendered(t, m))

	want := map[string]string{
		"From":                  `"Amy Kline" <amy@example.com>`,
		"Reply-To":              `"Amy Kline" <amy.replies@example.com>`,
		"To":                    `"Jane Doe" <jane@example.net>`,
		"Subject":               "Your order is on its way",
		"Date":                  "Mon, 02 Mar 2026 10:00:00 -0600",
		"Message-Id":            "<q42.post-order.policy-sheet@rapport.example.com>",
		"Auto-Submitted":        "auto-generated",
		"List-Unsubscribe":      "<https://rapport.example.com/u/Zm9vYmFy>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"X-Rapport-Queue-Id":    "42",
		"Mime-Version":          "1.0",
	}
	for key, v := range want {
		if got := decodedHeader(t, msg.Header, key); got != v {
			t.Errorf("%s = %q, want %q", key, got, v)
		}
	}
	for _, key := range []string{"User-Agent", "X-Mailer", "Bcc"} {
		if v := msg.Header.Get(key); v != "" {
			t.Errorf("unexpected %s: %q", key, v)
		}
	}
}

func TestBuildParts(t *testing.T) {
	m := testMessage(t, 1)
	parts := leafParts(t, rendered(t, m))
	if len(parts) != 3 {
		t.Fatalf("got %d parts, want text, html, attachment: %+v", len(parts), parts)
	}
	if parts[0].ContentType != "text/plain" || parts[0].Body != m.Text {
		t.Errorf("part 1 = %s %q, want text/plain %q", parts[0].ContentType, parts[0].Body, m.Text)
	}
	if parts[1].ContentType != "text/html" || parts[1].Body != m.HTML {
		t.Errorf("part 2 = %s %q, want text/html %q", parts[1].ContentType, parts[1].Body, m.HTML)
	}
	pdf, err := os.ReadFile(m.Attachments[0])
	if err != nil {
		t.Fatal(err)
	}
	if parts[2].FileName != "shipping-policy.pdf" || parts[2].Body != string(pdf) {
		t.Errorf("attachment = %q (%d bytes), want shipping-policy.pdf (%d bytes)", parts[2].FileName, len(parts[2].Body), len(pdf))
	}
}

func TestBuildBodyVariants(t *testing.T) {
	tests := []struct {
		name, text, html string
		want             []string
	}{
		{"text only", "Hi", "", []string{"text/plain"}},
		{"html only", "", "<p>Hi</p>", []string{"text/html"}},
		{"both, text first", "Hi", "<p>Hi</p>", []string{"text/plain", "text/html"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testMessage(t, 1)
			m.Text, m.HTML, m.Attachments = tt.text, tt.html, nil
			var got []string
			for _, p := range leafParts(t, rendered(t, m)) {
				got = append(got, p.ContentType)
			}
			if strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Errorf("parts = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestBuildUnsubscribe(t *testing.T) {
	tests := []struct {
		url, wantList, wantPost string
	}{
		{"https://r.example.com/u/1", "<https://r.example.com/u/1>", "List-Unsubscribe=One-Click"},
		// RFC 8058 one-click needs https; plain http still gets the link.
		{"http://127.0.0.1:8080/u/1", "<http://127.0.0.1:8080/u/1>", ""},
		{"", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			m := testMessage(t, 1)
			m.UnsubscribeURL = tt.url
			h := parse(t, rendered(t, m)).Header
			if got := h.Get("List-Unsubscribe"); got != tt.wantList {
				t.Errorf("List-Unsubscribe = %q, want %q", got, tt.wantList)
			}
			if got := h.Get("List-Unsubscribe-Post"); got != tt.wantPost {
				t.Errorf("List-Unsubscribe-Post = %q, want %q", got, tt.wantPost)
			}
		})
	}
}

// A line break in data that reaches a header would let a customer's name
// or a subject add headers (Bcc!) to the message. It must become a space.
func TestBuildHeaderInjection(t *testing.T) {
	tests := []struct {
		name            string
		toName, subject string
		wantName        string
		wantSubject     string
	}{
		{"CRLF in name", "Jane\r\nBcc: evil@example.org", "Hello", "Jane Bcc: evil@example.org", "Hello"},
		{"LF in subject", "Jane", "Hello\nBcc: evil@example.org", "Jane", "Hello Bcc: evil@example.org"},
		{"CR and body break in subject", "Jane", "Hello\r\n\r\nX-Evil: 1", "Jane", "Hello X-Evil: 1"},
		{"folded continuation", "Jane", "Hello\r\n X-Evil: 1", "Jane", "Hello X-Evil: 1"},
		{"quotes in name", `Jane "JJ" Doe`, "Hello", `Jane "JJ" Doe`, "Hello"},
		{"non-ASCII kept", "Zoë Ñúñez", "Merci beaucoup, Zoë", "Zoë Ñúñez", "Merci beaucoup, Zoë"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testMessage(t, 1)
			m.ToName, m.Subject = tt.toName, tt.subject
			raw := rendered(t, m)
			h := parse(t, raw).Header
			for _, key := range []string{"Bcc", "X-Evil"} {
				if v, ok := h[key]; ok {
					t.Errorf("injected header %s: %q", key, v)
				}
			}
			if bytes.Contains(raw, []byte("\nBcc:")) || bytes.Contains(raw, []byte("\nX-Evil:")) {
				t.Errorf("raw message has an injected header line:\n%s", raw)
			}
			to, err := h.AddressList("To")
			if err != nil || len(to) != 1 {
				t.Fatalf("To %q: %v", h.Get("To"), err)
			}
			if to[0].Name != tt.wantName || to[0].Address != m.To {
				t.Errorf("To = %q <%s>, want %q <%s>", to[0].Name, to[0].Address, tt.wantName, m.To)
			}
			if got := decodedHeader(t, h, "Subject"); got != tt.wantSubject {
				t.Errorf("Subject = %q, want %q", got, tt.wantSubject)
			}
		})
	}
}

func TestBuildRefuses(t *testing.T) {
	tests := []struct {
		name   string
		change func(m *channel.Message)
		id     email.Identity
		want   string
	}{
		{"address with CRLF", func(m *channel.Message) { m.To = "jane@example.net\r\nBcc: evil@example.org" }, testIdentity, "not a valid email address"},
		{"address with name", func(m *channel.Message) { m.To = "Jane <jane@example.net>" }, testIdentity, "not a valid email address"},
		{"bad address", func(m *channel.Message) { m.To = "jane@" }, testIdentity, "not a valid email address"},
		{"message id with CRLF", func(m *channel.Message) { m.MessageID = "a@b\r\nBcc: x@y" }, testIdentity, "message id"},
		{"empty message id", func(m *channel.Message) { m.MessageID = "" }, testIdentity, "message id"},
		{"no date", func(m *channel.Message) { m.Date = time.Time{} }, testIdentity, "no date"},
		{"no body", func(m *channel.Message) { m.Text, m.HTML = "", "" }, testIdentity, "no text and no HTML"},
		{"missing attachment", func(m *channel.Message) { m.Attachments = []string{"/nonexistent/care.pdf"} }, testIdentity, "care.pdf"},
		{"unsubscribe not http", func(m *channel.Message) { m.UnsubscribeURL = "ftp://example.com/u" }, testIdentity, "unsubscribe URL"},
		{"unsubscribe with CRLF", func(m *channel.Message) { m.UnsubscribeURL = "https://e.com/u\r\nBcc: x@y" }, testIdentity, "unsubscribe URL"},
		{"bad from", func(*channel.Message) {}, email.Identity{From: "Amy Kline <amy@"}, "email.from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testMessage(t, 1)
			tt.change(m)
			_, err := email.Build(m, tt.id)
			if err == nil {
				t.Fatal("Build succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

var boundary = regexp.MustCompile(`[0-9a-f]{60}`)

// TestBuildGolden pins the whole message (boundaries aside): run with
// -update after an intended change and review the diff.
func TestBuildGolden(t *testing.T) {
	got := boundary.ReplaceAll(rendered(t, testMessage(t, 42)), []byte("BOUNDARY"))
	golden := filepath.Join("testdata", "policy-sheet.golden.eml")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("message differs from %s (run go test -update to accept):\n%s", golden, got)
	}
}

// The rep's own answer joins the customer's thread and says a person
// wrote it; a bad In-Reply-To is refused, never sent broken.
func TestBuildPersonalAnswer(t *testing.T) {
	m := testMessage(t, 7)
	m.Personal, m.InReplyTo, m.UnsubscribeURL, m.HTML = true, "<CAF1x=abc@mail.example.net>", "", ""
	msg := parse(t, rendered(t, m))
	for key, want := range map[string]string{
		"In-Reply-To": "<CAF1x=abc@mail.example.net>",
		"References":  "<CAF1x=abc@mail.example.net>",
	} {
		if got := decodedHeader(t, msg.Header, key); got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	for _, key := range []string{"Auto-Submitted", "List-Unsubscribe", "List-Unsubscribe-Post"} {
		if v := msg.Header.Get(key); v != "" {
			t.Errorf("a personal answer carries %s: %q", key, v)
		}
	}
	m.InReplyTo = "not an id\r\nBcc: x@evil.example"
	if _, err := email.Build(m, email.Identity{From: "Amy <amy@example.com>"}); err == nil {
		t.Error("Build took an In-Reply-To with a line break")
	}
}
