package dashboard

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/rapportapp/rapport/internal/store"
	"github.com/rapportapp/rapport/internal/web/remote"
	"golang.org/x/crypto/bcrypt"
)

// MinPasswordLen is the shortest password `rapport passwd` accepts, in
// characters. The dashboard is on the internet (wherever public_url is).
const MinPasswordLen = 10

// maxPasswordBytes is bcrypt's limit: it ignores (and x/crypto refuses)
// anything past 72 bytes.
const maxPasswordBytes = 72

// CheckPassword says what is wrong with a new password, if anything.
func CheckPassword(pw string) error {
	switch {
	case pw == "":
		return errors.New("no password given")
	case utf8.RuneCountInString(pw) < MinPasswordLen:
		return fmt.Errorf("password too short: use at least %d characters (a few unrelated words make a good one)", MinPasswordLen)
	case len(pw) > maxPasswordBytes:
		return fmt.Errorf("password too long: at most %d bytes (letters outside English count as 2 or more)", maxPasswordBytes)
	}
	return nil
}

// hashCost is bcrypt's work factor for a new password hash. Sign-in
// checks use the cost stored in the hash, so the package's tests lower
// this one (each hash and check at the default costs ~70 ms on a small
// machine, and the tests sign in hundreds of times).
var hashCost = bcrypt.DefaultCost

// HashPassword returns what to store under PasswordSetting.
func HashPassword(pw string) (string, error) {
	if err := CheckPassword(pw); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), hashCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

type loginView struct {
	Wrong bool
}

func (d *Dashboard) loginPage(w http.ResponseWriter, r *http.Request, sg signer) error {
	if _, err := d.session(r, sg, d.cfg.Clock()); err == nil {
		http.Redirect(w, r, "/dashboard/", http.StatusSeeOther)
		return nil
	} else if !errors.Is(err, errNoSession) {
		return err
	}
	d.render(w, http.StatusOK, "login", nil, loginView{})
	return nil
}

// login checks the password. Tries are taken before bcrypt runs and given
// back when the password is right: only wrong ones count.
func (d *Dashboard) login(w http.ResponseWriter, r *http.Request, sg signer) error {
	now := d.cfg.Clock()
	addr := d.cfg.Proxies.Addr(r)
	tk, wait := d.logins.take(remote.Source(addr), now)
	if wait > 0 {
		d.cfg.Rejections.Reject(now, "dashboard: sign-in throttled", addr)
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		d.render(w, http.StatusTooManyRequests, "message", nil, messagePage{
			Title: "Too many tries",
			Text:  "There have been too many wrong passwords. Wait a minute, then try again.",
			Link:  "/dashboard/login", LinkText: "Back to sign in",
		})
		return nil
	}
	pw := r.PostFormValue("password")
	if bcrypt.CompareHashAndPassword([]byte(sg.pwHash), []byte(pw)) != nil {
		d.cfg.Log.Warn("dashboard: wrong password", "remote", addr.String())
		d.render(w, http.StatusUnauthorized, "login", nil, loginView{Wrong: true})
		return nil
	}
	tk.refund(now)
	if err := d.startSession(r.Context(), w, sg, now); err != nil {
		return err
	}
	http.Redirect(w, r, "/dashboard/", http.StatusSeeOther)
	return nil
}

// logout ends this session: the cookie stops working even if a copy of
// it is kept.
func (d *Dashboard) logout(w http.ResponseWriter, r *http.Request, s *session) error {
	ctx := r.Context()
	if err := d.cfg.Store.Tx(ctx, func(tx *store.Tx) error { return tx.EndDashboardSession(ctx, s.id) }); err != nil {
		return fmt.Errorf("sign out: %w", err)
	}
	d.clearCookie(w)
	http.Redirect(w, r, "/dashboard/login", http.StatusSeeOther)
	return nil
}

// logoutEverywhere ends every session, this one included: for a lost
// phone or a shared computer the rep forgot to sign out of.
func (d *Dashboard) logoutEverywhere(w http.ResponseWriter, r *http.Request, _ *session) error {
	ctx := r.Context()
	if err := d.cfg.Store.Tx(ctx, func(tx *store.Tx) error { return tx.EndDashboardSessions(ctx) }); err != nil {
		return fmt.Errorf("sign out everywhere: %w", err)
	}
	d.cfg.Log.Info("dashboard: every session signed out", "remote", d.cfg.Proxies.Addr(r).String())
	d.clearCookie(w)
	http.Redirect(w, r, "/dashboard/login", http.StatusSeeOther)
	return nil
}
