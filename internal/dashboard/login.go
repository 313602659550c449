package dashboard

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"unicode/utf8"

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

// HashPassword returns what to store under PasswordSetting.
func HashPassword(pw string) (string, error) {
	if err := CheckPassword(pw); err != nil {
		return "", err
	}
	h, err := bcrypt.GenerateFromPassword([]byte(pw), bcrypt.DefaultCost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

type loginView struct {
	Wrong bool
}

func (d *Dashboard) loginPage(w http.ResponseWriter, r *http.Request, sg signer) error {
	if c, err := r.Cookie(cookieName); err == nil && sg.valid(c.Value, d.cfg.Clock()) {
		http.Redirect(w, r, "/dashboard/", http.StatusSeeOther)
		return nil
	}
	d.render(w, http.StatusOK, "login", nil, loginView{})
	return nil
}

// login checks the password. A token is taken from the shared limiter
// before bcrypt runs (so parallel guesses can't all slip through) and given
// back when the password is right: only failures count.
func (d *Dashboard) login(w http.ResponseWriter, r *http.Request, sg signer) error {
	now := d.cfg.Clock()
	res := d.logins.ReserveN(now, 1)
	if wait := res.DelayFrom(now); !res.OK() || wait > 0 {
		res.CancelAt(now)
		d.cfg.Log.Warn("dashboard: sign-in throttled", "remote", r.RemoteAddr)
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
		d.cfg.Log.Warn("dashboard: wrong password", "remote", r.RemoteAddr)
		d.render(w, http.StatusUnauthorized, "login", nil, loginView{Wrong: true})
		return nil
	}
	res.CancelAt(now) // timeToAct is now: CancelAt a later time would restore nothing
	d.setCookie(w, sg.cookieValue(now.Add(sessionTTL)))
	http.Redirect(w, r, "/dashboard/", http.StatusSeeOther)
	return nil
}

func (d *Dashboard) logout(w http.ResponseWriter, r *http.Request, _ *session) error {
	d.clearCookie(w)
	http.Redirect(w, r, "/dashboard/login", http.StatusSeeOther)
	return nil
}
