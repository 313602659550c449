// Package unsub makes and checks the tokens in unsubscribe links. A token
// is a contact's random id and an HMAC of it, so links carry no sequential
// ids, cannot be forged or altered, and never expire (RFC 8058 wants them
// to keep working; the law wants at least 30 days, we promise 60+).
package unsub

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"net/url"
	"strconv"
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

// ReplyToken returns the token of a per-message reply address
// (amy+TOKEN@example.com) for queue row id: the id and a short HMAC of it,
// lower case, since some mail servers lower-case addresses. 60 bits of
// MAC are plenty: a forger gets one guess per email.
func (s *Signer) ReplyToken(id int64) string {
	sid := strconv.FormatInt(id, 10)
	return sid + "-" + s.replyMAC(sid)
}

// ReplyID returns the queue row id a reply token was made for, or false
// if the token was not made with this key.
func (s *Signer) ReplyID(token string) (int64, bool) {
	sid, sig, ok := strings.Cut(strings.ToLower(token), "-")
	id, err := strconv.ParseInt(sid, 10, 64)
	if !ok || err != nil || id <= 0 || !hmac.Equal([]byte(sig), []byte(s.replyMAC(sid))) {
		return 0, false
	}
	return id, true
}

func (s *Signer) replyMAC(sid string) string {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte("reply:" + sid))
	return strings.ToLower(base32.StdEncoding.EncodeToString(h.Sum(nil)[:10]))[:12]
}

// URL returns the unsubscribe link for uid under publicURL.
func (s *Signer) URL(publicURL, uid string) string {
	return strings.TrimRight(publicURL, "/") + "/unsubscribe/" + url.PathEscape(s.Token(uid))
}
