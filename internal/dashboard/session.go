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
	sessionTTL = 30 * 24 * time.Hour // however busy, a session ends after this
	csrfField  = "csrf"
	// touchEvery: a session's last use is written at most this often, not
	// on every page.
	touchEvery = time.Minute
)

// session is a signed-in rep's request: the session's id (a digest of
// the cookie's token), and the form token its POSTs must carry.
type session struct {
	id   string
	CSRF string
}

// signer makes the tokens of a session. Sessions are rows of the
// database, each tied to a digest of the password hash, so setting a new
// password with `rapport passwd` signs every earlier session out.
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

// csrf is the form token for a session: another site can make the browser
// send the cookie, but cannot read the page to learn this.
func (s signer) csrf(token string) string { return s.mac("csrf", token) }

// newToken is a cookie's value: 256 random bits.
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("session token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// tokenID is what the database keeps of a token: reading the database
// (a backup) must not give anyone a cookie that works.
func tokenID(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

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

// errNoSession means the request is not signed in.
var errNoSession = errors.New("not signed in")

// startSession records a new session and sets its cookie. Sessions that
// have ended go at the same time, so the table holds only live ones.
func (d *Dashboard) startSession(ctx context.Context, w http.ResponseWriter, sg signer, now time.Time) error {
	token, err := newToken()
	if err != nil {
		return err
	}
	err = d.cfg.Store.Tx(ctx, func(tx *store.Tx) error {
		err := tx.EndExpiredDashboardSessions(ctx, now.Add(-d.cfg.SessionIdle).Unix(), now.Add(-sessionTTL).Unix(), sg.pwDigest())
		if err != nil {
			return err
		}
		return tx.AddDashboardSession(ctx, store.DashboardSession{
			ID: tokenID(token), Password: sg.pwDigest(), CreatedAt: now.Unix(), SeenAt: now.Unix(),
		})
	})
	if err != nil {
		return fmt.Errorf("start dashboard session: %w", err)
	}
	d.setCookie(w, token)
	return nil
}

// session returns the live session r's cookie names, or errNoSession.
// Using a session keeps it alive for another SessionIdle.
func (d *Dashboard) session(r *http.Request, sg signer, now time.Time) (*session, error) {
	c, err := r.Cookie(cookieName)
	if err != nil || c.Value == "" {
		return nil, errNoSession
	}
	ctx := r.Context()
	row, err := d.cfg.Store.DashboardSession(ctx, tokenID(c.Value))
	if store.IsNotFound(err) {
		return nil, errNoSession
	}
	if err != nil {
		return nil, fmt.Errorf("read dashboard session: %w", err)
	}
	t := now.Unix()
	if row.Password != sg.pwDigest() || t-row.SeenAt >= int64(d.cfg.SessionIdle/time.Second) ||
		t-row.CreatedAt >= int64(sessionTTL/time.Second) {
		return nil, errNoSession
	}
	if t-row.SeenAt >= int64(touchEvery/time.Second) {
		err := d.cfg.Store.Tx(ctx, func(tx *store.Tx) error { return tx.TouchDashboardSession(ctx, row.ID, t) })
		if err != nil {
			return nil, fmt.Errorf("dashboard session: %w", err)
		}
	}
	return &session{id: row.ID, CSRF: sg.csrf(c.Value)}, nil
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
		s, err := d.session(r, sg, d.cfg.Clock())
		if errors.Is(err, errNoSession) {
			http.Redirect(w, r, "/dashboard/login", http.StatusSeeOther)
			return
		}
		if err != nil {
			d.answerErr(w, r, nil, err)
			return
		}
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
