// Package mailauth holds what makes a rep's email pass the receiving
// server's checks: the DKIM key (made, stored, read back, and the DNS TXT
// record that publishes it) and the DNS report of `rapport check --dns`
// (SPF, DKIM, DMARC, MX, reverse DNS) in words a rep can act on.
package mailauth

import (
	"crypto"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
)

// Key types, as written in `rapport dkim keygen --type`.
const (
	KeyRSA     = "rsa"     // RSA-2048: every receiver verifies it
	KeyEd25519 = "ed25519" // RFC 8463: short, but not every receiver verifies it yet
)

// rsaBits is the size of generated RSA keys, and the least a read key may
// have: receivers ignore (Gmail) or refuse shorter ones.
const rsaBits = 2048

// GenerateKey makes a new private key of the given type.
func GenerateKey(kind string) (crypto.Signer, error) {
	switch kind {
	case KeyRSA:
		k, err := rsa.GenerateKey(rand.Reader, rsaBits)
		if err != nil {
			return nil, fmt.Errorf("generate RSA key: %w", err)
		}
		return k, nil
	case KeyEd25519:
		_, k, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			return nil, fmt.Errorf("generate Ed25519 key: %w", err)
		}
		return k, nil
	}
	return nil, fmt.Errorf("key type %q: use %q or %q", kind, KeyRSA, KeyEd25519)
}

// WriteKey stores k as a PKCS #8 PEM file readable by its owner only. It
// refuses to replace an existing file: the published record belongs to the
// key in it, and a new key would break every signature until DNS changes.
func WriteKey(path string, k crypto.Signer) error {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		return fmt.Errorf("encode key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		if errors.Is(err, os.ErrExist) {
			return fmt.Errorf("%s already exists: Rapport never replaces a DKIM key (its record is in DNS); choose another file or selector", path)
		}
		return fmt.Errorf("write key: %w", err)
	}
	if err := pem.Encode(f, &pem.Block{Type: "PRIVATE KEY", Bytes: der}); err != nil {
		_ = f.Close()
		return fmt.Errorf("write key %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write key %s: %w", path, err)
	}
	return nil
}

// LoadKey reads a PEM private key (PKCS #8, or PKCS #1 for RSA).
func LoadKey(path string) (crypto.Signer, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read DKIM key: %w", err)
	}
	k, err := ParseKey(data)
	if err != nil {
		return nil, fmt.Errorf("DKIM key %s: %w", path, err)
	}
	return k, nil
}

// ParseKey decodes a PEM private key and checks it is one DKIM can use.
func ParseKey(data []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("no PEM key in it (make one with `rapport dkim keygen`)")
	}
	var k any
	var err error
	if block.Type == "RSA PRIVATE KEY" {
		k, err = x509.ParsePKCS1PrivateKey(block.Bytes)
	} else {
		k, err = x509.ParsePKCS8PrivateKey(block.Bytes)
	}
	if err != nil {
		return nil, fmt.Errorf("not a readable private key: %w", err)
	}
	switch k := k.(type) {
	case ed25519.PrivateKey:
		return k, nil
	case *rsa.PrivateKey:
		if n := k.N.BitLen(); n < rsaBits {
			return nil, fmt.Errorf("a %d-bit RSA key is too short: receivers want %d bits or more", n, rsaBits)
		}
		return k, nil
	}
	return nil, fmt.Errorf("a %T cannot sign DKIM: use an RSA or Ed25519 key", k)
}

// RecordName is where a selector's key is published.
func RecordName(selector, domain string) string { return selector + "._domainkey." + domain }

// RecordValue is the TXT record that publishes k's public half.
func RecordValue(k crypto.Signer) (string, error) {
	kind, p, err := publicKey(k.Public())
	if err != nil {
		return "", err
	}
	return "v=DKIM1; k=" + kind + "; p=" + p, nil
}

// publicKey is the k= and p= of a record: for Ed25519 the raw 32 bytes
// (RFC 8463), for RSA the SubjectPublicKeyInfo (RFC 6376).
func publicKey(pub crypto.PublicKey) (kind, p string, err error) {
	switch pub := pub.(type) {
	case ed25519.PublicKey:
		return KeyEd25519, base64.StdEncoding.EncodeToString(pub), nil
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			return "", "", fmt.Errorf("encode public key: %w", err)
		}
		return KeyRSA, base64.StdEncoding.EncodeToString(der), nil
	}
	return "", "", fmt.Errorf("a %T cannot sign DKIM", pub)
}

// TXTStrings splits a record value into the strings of one TXT record: DNS
// holds at most 255 bytes per string, and an RSA-2048 record is longer.
// Receivers join the strings back without spaces.
func TXTStrings(value string) []string {
	var out []string
	for len(value) > 255 {
		out = append(out, value[:255])
		value = value[255:]
	}
	return append(out, value)
}

// ZoneLine is the record as a zone-file line, strings quoted.
func ZoneLine(selector, domain, value string) string {
	line := RecordName(selector, domain) + ". IN TXT ("
	for _, s := range TXTStrings(value) {
		line += " \"" + s + "\""
	}
	return line + " )"
}
