package reply

import (
	"io"
	"mime"
	"strings"

	"github.com/emersion/go-message"
)

// body collects the parts of a message that matter for a reply.
type body struct {
	plain, html string
	attachments []string

	isReport bool   // multipart/report; report-type=delivery-status, or a delivery-status part
	status   []byte // the message/delivery-status part
	returned []byte // headers of the bounced message (text/rfc822-headers or message/rfc822)
}

// readBody walks the MIME tree once. It keeps the first inline text/plain and
// text/html parts; it does not descend into attached messages
// (message/rfc822), so a forwarded mail's text never passes for the reply.
func readBody(e *message.Entity) (*body, error) {
	b := &body{}
	err := e.Walk(func(_ []int, part *message.Entity, _ error) error {
		// The error passed in reports an unknown charset or transfer
		// encoding; the part can still be read as-is, which beats losing it.
		b.add(part)
		return nil
	})
	if err != nil && b.plain == "" && b.html == "" {
		return nil, err
	}
	// A broken structure after the text was found (a missing closing
	// boundary, say) costs nothing we need.
	return b, nil
}

// add records one part. Read errors (bad quoted-printable, a truncated
// base64 tail) keep what was decoded before them.
func (b *body) add(part *message.Entity) {
	typ, params := contentType(part.Header)
	switch {
	case typ == "multipart/report" && strings.EqualFold(params["report-type"], "delivery-status"):
		b.isReport = true
	case typ == "message/delivery-status" || typ == "message/global-delivery-status":
		b.isReport = true
		b.status = readLimited(part.Body, maxReportBytes)
	case b.isReport && b.returned == nil && isReturnedMessage(typ):
		b.returned = readLimited(part.Body, maxReportBytes)
	case isAttachment(part, typ):
		b.attachments = append(b.attachments, attachmentName(part, params))
	case typ == "text/plain" && b.plain == "":
		b.plain = readText(part.Body, maxTextBytes)
	case typ == "text/html" && b.html == "":
		b.html = readText(part.Body, maxTextBytes)
	}
}

// contentType reads a part's media type, leniently: bad parameters keep the
// type, and a type that does not parse at all means text/plain (RFC 2045
// 5.2), as it does when the header is missing.
func contentType(h message.Header) (string, map[string]string) {
	typ, params, err := h.ContentType()
	if err == nil {
		return typ, params
	}
	if typ, _, _ := mime.ParseMediaType(h.Get("Content-Type")); typ != "" {
		return typ, nil
	}
	return "text/plain", nil
}

// isReturnedMessage reports the part of a bounce that carries the original
// message or its header.
func isReturnedMessage(typ string) bool {
	switch typ {
	case "text/rfc822-headers", "message/rfc822", "message/global", "message/global-headers":
		return true
	}
	return false
}

// isAttachment reports parts the rep would see as attached files rather
// than the text of the mail: anything marked as an attachment, and any
// non-text, non-container part with a name (an inline photo).
func isAttachment(part *message.Entity, typ string) bool {
	disp, dparams, _ := part.Header.ContentDisposition()
	if disp == "attachment" {
		return true
	}
	if strings.HasPrefix(typ, "multipart/") || strings.HasPrefix(typ, "text/") {
		return false
	}
	_, params := contentType(part.Header)
	return dparams["filename"] != "" || params["name"] != ""
}

// attachmentName finds a part's file name, as Content-Disposition's filename
// or, from older clients, Content-Type's name.
func attachmentName(part *message.Entity, params map[string]string) string {
	_, dparams, _ := part.Header.ContentDisposition()
	if n := dparams["filename"]; n != "" {
		return clean(n)
	}
	if n := params["name"]; n != "" {
		return clean(n)
	}
	return "(unnamed attachment)"
}

// text is the body as text: the plain part unless it is empty, which some
// clients send next to the real (HTML) content.
func (b *body) text() string {
	if strings.TrimSpace(b.plain) != "" {
		return normalize(b.plain)
	}
	if b.html != "" {
		return normalize(htmlToText(b.html))
	}
	return normalize(b.plain)
}

func readLimited(r io.Reader, limit int64) []byte {
	p, _ := io.ReadAll(io.LimitReader(r, limit)) // partial data beats none
	return p
}

func readText(r io.Reader, limit int64) string {
	return clean(string(readLimited(r, limit)))
}

// normalize gives every body the same shape: LF line ends, no-break spaces as
// spaces (HTML mail is full of them), no trailing blanks.
func normalize(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	s = strings.ReplaceAll(s, "\u00a0", " ")
	return strings.TrimSpace(s)
}
