package dashboard

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rapportapp/rapport/internal/store"
)

// Settings keys (the settings table of the database).
const (
	PasswordSetting   = "dashboard_password"    // bcrypt hash, written by `rapport passwd`
	sessionKeySetting = "dashboard_session_key" // random, made on first use
)

const (
	cookieName = "rapport_session"
	cookiePath = "/dashboard/"
	sessionTTL = 30 * 24 * time.Hour
	csrfField  = "csrf"
)

// session is a signed-in rep's request: the cookie it came with, and the
// form token its POSTs must carry.
type session struct {
	cookie string
	CSRF   string
}

// signer signs and checks session cookies. The signed data includes a
// digest of the password hash, so setting a new password with `rapport
// passwd` signs every earlier session out; nothing is stored per session.
type signer struct {
	key    []byte
	pwHash string
}

func (s signer) mac(parts ...string) string {
	m := hmac.New(sha256.New, s.key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0}) // separator: parts can't run into each other
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (s signer) pwDigest() string {
	sum := sha256.Sum256([]byte(s.pwHash))
	return hex.EncodeToString(sum[:])
}

// cookieValue is "EXPIRY.MAC", EXPIRY in unix seconds.
func (s signer) cookieValue(expires time.Time) string {
	exp := strconv.FormatInt(expires.Unix(), 10)
	return exp + "." + s.mac("session", exp, s.pwDigest())
}

// valid reports whether v is a cookie this signer made that has not expired.
func (s signer) valid(v string, now time.Time) bool {
	exp, sig, ok := strings.Cut(v, ".")
	if !ok {
		return false
	}
	unix, err := strconv.ParseInt(exp, 10, 64)
	if err != nil || now.Unix() >= unix {
		return false
	}
	want := s.mac("session", exp, s.pwDigest())
	return hmac.Equal([]byte(sig), []byte(want))
}

// csrf is the form token for a session: another site can make the browser
// send the cookie, but cannot read the page to learn this.
func (s signer) csrf(cookie string) string { return s.mac("csrf", cookie) }

// errNoPassword means `rapport passwd` has not been run.
var errNoPassword = errors.New("no dashboard password set")

// signer loads the password hash (every request, so a new password takes
// effect at once) and the session key (once, made on first use).
func (d *Dashboard) signer(ctx context.Context) (signer, error) {
	hash, err := d.cfg.Store.Setting(ctx, PasswordSetting)
	if store.IsNotFound(err) || (err == nil && hash == "") {
		return signer{}, errNoPassword
	}
	if err != nil {
		return signer{}, fmt.Errorf("read dashboard password: %w", err)
	}
	key, err := d.sessionKey(ctx)
	if err != nil {
		return signer{}, err
	}
	return signer{key: key, pwHash: hash}, nil
}

func (d *Dashboard) sessionKey(ctx context.Context) ([]byte, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.key != nil {
		return d.key, nil
	}
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	// If-absent: the key survives restarts (and sessions with it), and a
	// second process racing to make one ends up with the same key.
	v, err := d.cfg.Store.SetSettingIfAbsent(ctx, sessionKeySetting, hex.EncodeToString(b))
	if err != nil {
		return nil, fmt.Errorf("dashboard session key: %w", err)
	}
	d.key = []byte(v)
	return d.key, nil
}

// setCookie starts a session.
func (d *Dashboard) setCookie(w http.ResponseWriter, value string) {
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: value, Path: cookiePath,
		// MaxAge, not Expires: the browser counts from its own clock,
		// which need not agree with the daemon's (--now).
		MaxAge: int(sessionTTL / time.Second), HttpOnly: true,
		Secure: d.cfg.Secure, SameSite: http.SameSiteStrictMode,
	})
}

func (d *Dashboard) clearCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: "", Path: cookiePath, MaxAge: -1, HttpOnly: true,
		Secure: d.cfg.Secure, SameSite: http.SameSiteStrictMode,
	})
}

// public wraps the sign-in pages: they too show only the setup page until
// a password is set.
func (d *Dashboard) public(h func(http.ResponseWriter, *http.Request, signer) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sg, err := d.signer(r.Context())
		if err == nil {
			err = h(w, r, sg)
		}
		d.answerErr(w, r, nil, err)
	}
}

// private wraps a page that needs a signed-in rep: without a session, to
// the sign-in page; a POST must also carry the session's form token.
func (d *Dashboard) private(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sg, err := d.signer(r.Context())
		if err != nil {
			d.answerErr(w, r, nil, err)
			return
		}
		c, err := r.Cookie(cookieName)
		if err != nil || !sg.valid(c.Value, d.cfg.Clock()) {
			http.Redirect(w, r, "/dashboard/login", http.StatusSeeOther)
			return
		}
		s := &session{cookie: c.Value, CSRF: sg.csrf(c.Value)}
		if r.Method != http.MethodGet && r.Method != http.MethodHead &&
			!hmac.Equal([]byte(r.PostFormValue(csrfField)), []byte(s.CSRF)) {
			d.cfg.Log.Warn("dashboard: refused a form without a valid token", "path", r.URL.Path, "remote", r.RemoteAddr)
			d.fail(w, r, s, &statusError{http.StatusForbidden, "This form has expired. Go back, reload the page and try again."})
			return
		}
		d.answerErr(w, r, s, h(w, r, s))
	}
}

// answerErr shows what went wrong, if anything: the setup page when no
// password is set (and nothing else, no data), an error page otherwise.
func (d *Dashboard) answerErr(w http.ResponseWriter, r *http.Request, s *session, err error) {
	switch {
	case err == nil:
	case errors.Is(err, errNoPassword):
		code := http.StatusOK
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			code = http.StatusForbidden
		}
		d.render(w, code, "setup", nil, nil)
	default:
		d.fail(w, r, s, err)
	}
}
