package email_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	netmail "net/mail"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rapportapp/rapport/internal/channel"
	"github.com/rapportapp/rapport/internal/channel/email"
)

var testIdentity = email.Identity{From: "Amy Kline <amy@example.com>", ReplyTo: "Amy Kline <amy.replies@example.com>"}

// testMessage is a typical policy-sheet email for queue row id.
func testMessage(tb testing.TB, id int64) *channel.Message {
	tb.Helper()
	pdf, err := filepath.Abs(filepath.Join("testdata", "shipping-policy.pdf"))
	if err != nil {
		tb.Fatal(err)
	}
	return &channel.Message{
		ID:             id,
		Channel:        channel.Email,
		ContactID:      7,
		Campaign:       "post-order",
		Step:           "policy-sheet",
		To:             "jane@example.net",
		ToName:         "Jane Doe",
		Subject:        "Your order is on its way",
		Text:           "Hi Jane,\n\nYour order ships today. Here is how returns work.\n",
		HTML:           "<p>Hi Jane,</p>\n<p>Your order ships today. Here is how returns work.</p>\n",
		Attachments:    []string{pdf},
		MessageID:      fmt.Sprintf("q%d.post-order.policy-sheet@rapport.example.com", id),
		UnsubscribeURL: "https://rapport.example.com/u/Zm9vYmFy",
		Date:           time.Date(2026, 3, 2, 10, 0, 0, 0, time.FixedZone("CST", -6*60*60)),
	}
}

// rendered builds m and returns the bytes go-mail would send.
func rendered(tb testing.TB, m *channel.Message) []byte {
	tb.Helper()
	msg, err := email.Build(m, testIdentity)
	if err != nil {
		tb.Fatalf("Build: %v", err)
	}
	var buf bytes.Buffer
	if _, err := msg.WriteTo(&buf); err != nil {
		tb.Fatalf("WriteTo: %v", err)
	}
	return buf.Bytes()
}

func parse(tb testing.TB, raw []byte) *netmail.Message {
	tb.Helper()
	msg, err := netmail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		tb.Fatalf("parse message: %v\n%s", err, raw)
	}
	return msg
}

// decodedHeader returns a header with RFC 2047 words decoded.
func decodedHeader(tb testing.TB, h netmail.Header, key string) string {
	tb.Helper()
	v, err := new(mime.WordDecoder).DecodeHeader(h.Get(key))
	if err != nil {
		tb.Fatalf("decode %s: %v", key, err)
	}
	return v
}

// part is one leaf MIME part, in message order.
type part struct {
	ContentType string
	FileName    string
	Body        string
}

// leafParts walks the MIME tree of a message depth first.
func leafParts(tb testing.TB, raw []byte) []part {
	tb.Helper()
	msg := parse(tb, raw)
	return walk(tb, msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), "", msg.Body)
}

func walk(tb testing.TB, contentType, cte, disposition string, body io.Reader) []part {
	tb.Helper()
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		tb.Fatalf("content type %q: %v", contentType, err)
	}
	if !strings.HasPrefix(mt, "multipart/") {
		_, dparams, _ := mime.ParseMediaType(disposition)
		return []part{{ContentType: mt, FileName: dparams["filename"], Body: decodeBody(tb, cte, body)}}
	}
	var parts []part
	r := multipart.NewReader(body, params["boundary"])
	for {
		p, err := r.NextRawPart()
		if err == io.EOF {
			return parts
		}
		if err != nil {
			tb.Fatalf("multipart: %v", err)
		}
		parts = append(parts, walk(tb, p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"),
			p.Header.Get("Content-Disposition"), p)...)
	}
}

func decodeBody(tb testing.TB, cte string, r io.Reader) string {
	tb.Helper()
	switch strings.ToLower(cte) {
	case "quoted-printable":
		r = quotedprintable.NewReader(r)
	case "base64":
		r = base64.NewDecoder(base64.StdEncoding, r)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		tb.Fatalf("decode %s body: %v", cte, err)
	}
	return strings.ReplaceAll(string(b), "\r\n", "\n")
}

// classified returns err as the *channel.Error every failed send must be.
func classified(t *testing.T, err error) *channel.Error {
	t.Helper()
	var ce *channel.Error
	if !errors.As(err, &ce) {
		t.Fatalf("err = %v (%T), want a *channel.Error", err, err)
	}
	return ce
}
