package email

import (
	"bytes"
	"crypto"
	"errors"
	"fmt"
	"strings"

	"github.com/emersion/go-msgauth/dkim"
	"github.com/wneessen/go-mail"
)

// DKIM is the rep's signing key ([email.dkim]). A message built with it
// carries a DKIM-Signature over its final bytes, for SMTP and the outbox
// alike, so the outbox shows exactly what would go.
type DKIM struct {
	Domain   string // d=, the domain DMARC aligns with the From address
	Selector string // s=, the key's record is at Selector._domainkey.Domain
	Key      crypto.Signer
}

// signedHeaders are the headers the signature covers. Gmail honours
// one-click unsubscribe only when List-Unsubscribe and
// List-Unsubscribe-Post are signed. A header named here but missing from
// a message is signed as absent, so nobody on the way can add it.
var signedHeaders = []string{
	"From", "Reply-To", "To", "Subject", "Date", "Message-ID",
	"MIME-Version", "Content-Type", "Content-Transfer-Encoding",
	"List-Unsubscribe", "List-Unsubscribe-Post", "Auto-Submitted",
}

const headerDKIM = "DKIM-Signature"

// sign adds a DKIM-Signature to msg, computed with go-msgauth over the
// bytes go-mail writes. It renders msg (which fixes its MIME boundaries),
// signs those bytes, adds the signature as a header, and renders once more
// to make sure the message is still exactly what was signed: the SMTP
// transaction and the outbox render it again, and a message that changed
// would fail every receiver's check.
func (d *DKIM) sign(msg *mail.Msg) error {
	var before bytes.Buffer
	if _, err := msg.WriteTo(&before); err != nil {
		return fmt.Errorf("dkim: render message: %w", err)
	}
	sig, err := d.signature(before.Bytes())
	if err != nil {
		return err
	}
	msg.SetGenHeaderPreformatted(headerDKIM, sig)
	var after bytes.Buffer
	if _, err := msg.WriteTo(&after); err != nil {
		return fmt.Errorf("dkim: render message: %w", err)
	}
	if !bytes.Equal(withoutHeader(after.Bytes(), headerDKIM), before.Bytes()) {
		return errors.New("dkim: the message changed between signing and writing")
	}
	return nil
}

// signature returns the value of the DKIM-Signature header for raw.
func (d *DKIM) signature(raw []byte) (string, error) {
	s, err := dkim.NewSigner(&dkim.SignOptions{
		Domain: d.Domain, Selector: d.Selector, Signer: d.Key,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed,
		BodyCanonicalization:   dkim.CanonicalizationRelaxed,
		HeaderKeys:             signedHeaders,
	})
	if err != nil {
		return "", fmt.Errorf("dkim: %w", err)
	}
	if _, err := s.Write(raw); err != nil {
		_ = s.Close()
		return "", fmt.Errorf("dkim: sign: %w", err)
	}
	if err := s.Close(); err != nil {
		return "", fmt.Errorf("dkim: sign: %w", err)
	}
	h := strings.TrimSuffix(s.Signature(), "\r\n")
	return strings.TrimPrefix(h, headerDKIM+": "), nil
}

// withoutHeader removes the header field name (with its folded lines)
// from the header block of raw.
func withoutHeader(raw []byte, name string) []byte {
	end := bytes.Index(raw, []byte("\r\n\r\n"))
	if end < 0 {
		return raw
	}
	var out bytes.Buffer
	skipping := false
	for _, line := range strings.SplitAfter(string(raw[:end+2]), "\r\n") {
		if line == "" {
			continue
		}
		folded := line[0] == ' ' || line[0] == '\t'
		if !folded {
			key, _, _ := strings.Cut(line, ":")
			skipping = strings.EqualFold(key, name)
		}
		if !skipping {
			out.WriteString(line)
		}
	}
	out.Write(raw[end+2:])
	return out.Bytes()
}
