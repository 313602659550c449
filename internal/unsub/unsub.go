// Package unsub makes and checks the tokens in unsubscribe links. A token
// is a contact's random id and an HMAC of it, so links carry no sequential
// ids, cannot be forged or altered, and never expire (RFC 8058 wants them
// to keep working; the law wants at least 30 days, we promise 60+).
package unsub

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strings"
)

// Signer makes and checks tokens with a secret key.
type Signer struct {
	key []byte
}

// New returns a Signer keyed by secret.
func New(secret []byte) *Signer { return &Signer{key: secret} }

func (s *Signer) mac(uid string) string {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte("unsubscribe:" + uid))
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18])
}

// Token returns the token for a contact's uid.
func (s *Signer) Token(uid string) string { return uid + "." + s.mac(uid) }

// UID returns the contact uid a token was made for, or false if the token
// was not made with this key.
func (s *Signer) UID(token string) (string, bool) {
	uid, sig, ok := strings.Cut(token, ".")
	if !ok || uid == "" || !hmac.Equal([]byte(sig), []byte(s.mac(uid))) {
		return "", false
	}
	return uid, true
}

// URL returns the unsubscribe link for uid under publicURL.
func (s *Signer) URL(publicURL, uid string) string {
	return strings.TrimRight(publicURL, "/") + "/unsubscribe/" + url.PathEscape(s.Token(uid))
}
