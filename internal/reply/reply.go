// Package reply understands what an inbound message says: it parses a raw
// email into a Mail (who wrote, which message it answers, the customer's own
// words without quoted history or signatures), tells automatic mail
// (bounces, out-of-office replies, newsletters) from a person writing back,
// recognises SMS opt-out keywords, and flags problems a rep must act on
// (damage, leaks, wrong items, returns, refunds).
//
// Everything here is a pure function of its input: no I/O, no clock.
package reply

import (
	"bytes"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/emersion/go-message"
	_ "github.com/emersion/go-message/charset" // decodes ISO-8859-x, Windows-125x, Shift_JIS... bodies and headers
	gomail "github.com/emersion/go-message/mail"
)

// NullReturnPath is Mail.ReturnPath for "Return-Path: <>", the empty
// reverse-path that bounces and other automatic mail are sent with. It
// differs from "", which means the header is absent.
const NullReturnPath = "<>"

// Mail is a parsed inbound email.
type Mail struct {
	MessageID  string   // without <>
	InReplyTo  []string // Message-IDs, without <>
	References []string // Message-IDs, without <>, oldest first
	From       string   // lower-cased address
	Recipients []string // lower-cased: Delivered-To, X-Original-To, To, Cc
	FromName   string
	ReturnPath string // lower-cased address; "" if absent; NullReturnPath for <>
	Subject    string
	Date       time.Time // zero if missing or unreadable

	// Text is what the sender wrote: quoted history and signatures removed
	// (see Trim). It may be empty when the whole body was a quote.
	Text string
	// FullText is the decoded body before trimming: the text/plain part, or
	// the HTML part converted to text when there is no usable plain part.
	FullText string
	// Attachments lists the file names of attached parts (photos of a
	// broken bottle, say), so the rep knows to open the original.
	Attachments []string

	// Auto is non-empty for automatic mail and says why ("delivery status
	// report", "Auto-Submitted: auto-replied", "out-of-office subject"...).
	Auto string
	// Bounce is set when the message is a delivery status notification.
	Bounce *Bounce
}

// Bounce is what a delivery status notification (RFC 3464) reports about
// the recipient that failed.
type Bounce struct {
	Recipient         string // lower-cased, from Original-Recipient or Final-Recipient
	Status            string // enhanced status code, "5.1.1"
	Hard              bool   // permanent failure (5.x.x): stop mailing this address
	Diagnostic        string // the remote server's words, "550 5.1.1 User unknown"
	OriginalMessageID string // Message-ID of the bounced message, from the returned headers, without <>
}

// Limits on how much of a message is decoded: a reply's words fit in far
// less, and a hostile message must not make us allocate without bound.
const (
	maxTextBytes   = 1 << 20
	maxReportBytes = 64 << 10
)

// ParseMail parses a raw RFC 5322 message. It is lenient, as mail in the wild
// requires: unreadable optional headers are left empty, unknown charsets are
// passed through, and a broken MIME structure after the text was found is
// ignored. It fails only when the header itself cannot be read.
func ParseMail(raw []byte) (*Mail, error) {
	e, err := message.Read(bytes.NewReader(raw))
	if err != nil && !message.IsUnknownCharset(err) && !message.IsUnknownEncoding(err) {
		return nil, fmt.Errorf("parse mail: %w", err)
	}
	h := gomail.Header{Header: e.Header}
	m := parseHeader(h)

	b, err := readBody(e)
	if err != nil {
		return nil, fmt.Errorf("parse mail %q: %w", m.MessageID, err)
	}
	m.FullText = b.text()
	m.Text = Trim(m.FullText)
	m.Attachments = b.attachments
	if b.isReport {
		m.Bounce = b.bounce()
	}
	m.Auto = automatic(h, m, b.isReport)
	return m, nil
}

// parseHeader reads the envelope-like fields. Each one is optional: a
// malformed Date or References header must not lose the reply itself.
func parseHeader(h gomail.Header) *Mail {
	m := &Mail{}
	m.MessageID, _ = h.MessageID()
	if m.MessageID == "" {
		m.MessageID = strings.Trim(strings.TrimSpace(h.Get("Message-Id")), "<>")
	}
	m.InReplyTo, _ = h.MsgIDList("In-Reply-To")
	m.References, _ = h.MsgIDList("References")
	m.From, m.FromName = parseFrom(h)
	m.Recipients = parseRecipients(h)
	m.ReturnPath = parseReturnPath(h.Get("Return-Path"))
	m.Subject, _ = h.Subject()
	m.Subject = clean(m.Subject)
	m.Date, _ = h.Date()
	return m
}

// parseRecipients lists the addresses the message was delivered or
// written to, lower-cased; a per-message reply address shows up here.
func parseRecipients(h gomail.Header) []string {
	var out []string
	for _, k := range []string{"Delivered-To", "X-Original-To"} {
		for _, v := range h.Values(k) {
			if a := strings.ToLower(strings.Trim(strings.TrimSpace(v), "<>")); a != "" {
				out = append(out, a)
			}
		}
	}
	for _, k := range []string{"To", "Cc"} {
		list, _ := h.AddressList(k)
		for _, a := range list {
			out = append(out, strings.ToLower(a.Address))
		}
	}
	return out
}

// parseFrom returns the first From address, lower-cased, and its display
// name. A From header that does not parse still yields whatever looks like
// an address, because a reply from a sloppy client is still a reply.
func parseFrom(h gomail.Header) (addr, name string) {
	list, err := h.AddressList("From")
	if err == nil && len(list) > 0 {
		return strings.ToLower(list[0].Address), clean(list[0].Name)
	}
	raw := h.Get("From")
	if a, err := mail.ParseAddress(raw); err == nil {
		return strings.ToLower(a.Address), clean(a.Name)
	}
	if i, j := strings.LastIndexByte(raw, '<'), strings.LastIndexByte(raw, '>'); i >= 0 && j > i {
		return strings.ToLower(strings.TrimSpace(raw[i+1 : j])), clean(strings.Trim(raw[:i], " \""))
	}
	return strings.ToLower(strings.TrimSpace(raw)), ""
}

func parseReturnPath(v string) string {
	v = strings.TrimSpace(v)
	if v == "" {
		return ""
	}
	addr := strings.TrimSpace(strings.Trim(v, "<>"))
	if addr == "" {
		return NullReturnPath
	}
	return strings.ToLower(addr)
}

// clean makes decoded text safe to store and show: valid UTF-8, no NULs.
func clean(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.ReplaceAll(s, "\x00", "")
}
