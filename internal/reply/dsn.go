package reply

import (
	"bufio"
	"bytes"
	"regexp"
	"strings"

	gomail "github.com/emersion/go-message/mail"
	"github.com/emersion/go-message/textproto"
)

// statusCode matches an RFC 3463 enhanced status code: class.subject.detail.
var statusCode = regexp.MustCompile(`\b([245])\.(\d{1,3})\.(\d{1,3})\b`)

// bounce reads the delivery-status part (RFC 3464): one block of
// per-message fields, then one block per recipient. It reports the first
// recipient that failed, else the first that was delayed, else the first.
func (b *body) bounce() *Bounce {
	out := &Bounce{OriginalMessageID: returnedMessageID(b.returned)}
	blocks := fieldBlocks(b.status)
	var chosen map[string]string
	for _, want := range []string{"failed", "delayed", ""} {
		if chosen = pickRecipient(blocks, want); chosen != nil {
			break
		}
	}
	if chosen == nil {
		// No machine-readable part: the human-readable text may still
		// carry a status code ("550 5.1.1 User unknown").
		out.Status = statusCode.FindString(b.plain)
		out.Hard = strings.HasPrefix(out.Status, "5")
		return out
	}
	out.Recipient = recipient(chosen)
	out.Diagnostic = afterType(chosen["diagnostic-code"])
	out.Status = statusCode.FindString(chosen["status"])
	if out.Status == "" {
		out.Status = statusCode.FindString(out.Diagnostic)
	}
	action := strings.ToLower(strings.TrimSpace(chosen["action"]))
	out.Hard = action != "delayed" &&
		(strings.HasPrefix(out.Status, "5") || (out.Status == "" && action == "failed"))
	return out
}

// pickRecipient returns the first per-recipient block whose Action is want
// ("" = any block that names a recipient).
func pickRecipient(blocks []map[string]string, want string) map[string]string {
	for _, f := range blocks {
		if f["final-recipient"] == "" && f["original-recipient"] == "" {
			continue // the per-message block
		}
		if want == "" || strings.EqualFold(strings.TrimSpace(f["action"]), want) {
			return f
		}
	}
	return nil
}

// recipient prefers Original-Recipient, the address as we sent it, over
// Final-Recipient, which may be where an alias forwarded it.
func recipient(f map[string]string) string {
	for _, key := range []string{"original-recipient", "final-recipient"} {
		addr := strings.Trim(afterType(f[key]), "<> ")
		if strings.Contains(addr, "@") {
			return strings.ToLower(addr)
		}
	}
	return ""
}

// afterType drops the "rfc822;" / "smtp;" type prefix of a DSN field.
func afterType(v string) string {
	if _, rest, ok := strings.Cut(v, ";"); ok {
		v = rest
	}
	return clean(strings.Join(strings.Fields(v), " "))
}

// fieldBlocks splits a delivery-status body into blocks of header-style
// fields, keyed by lower-cased name. Folded lines are joined.
func fieldBlocks(p []byte) []map[string]string {
	var blocks []map[string]string
	cur := map[string]string{}
	last := ""
	sc := bufio.NewScanner(bytes.NewReader(p))
	sc.Buffer(make([]byte, 0, 4096), maxReportBytes)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		switch {
		case strings.TrimSpace(line) == "":
			if len(cur) > 0 {
				blocks = append(blocks, cur)
				cur, last = map[string]string{}, ""
			}
		case (line[0] == ' ' || line[0] == '\t') && last != "":
			cur[last] += " " + strings.TrimSpace(line)
		default:
			name, value, ok := strings.Cut(line, ":")
			if !ok {
				continue
			}
			last = strings.ToLower(strings.TrimSpace(name))
			if _, seen := cur[last]; !seen {
				cur[last] = strings.TrimSpace(value)
			}
		}
	}
	if len(cur) > 0 {
		blocks = append(blocks, cur)
	}
	return blocks
}

// returnedMessageID reads the Message-ID from the bounced message's header,
// which is how a bounce is tied to the queue row that caused it.
func returnedMessageID(p []byte) string {
	if len(p) == 0 {
		return ""
	}
	th, err := textproto.ReadHeader(bufio.NewReader(bytes.NewReader(p)))
	if err != nil && th.Len() == 0 {
		return ""
	}
	h := gomail.Header{}
	h.Header.Header = th
	if id, err := h.MessageID(); err == nil && id != "" {
		return id
	}
	return strings.Trim(strings.TrimSpace(th.Get("Message-Id")), "<>")
}
