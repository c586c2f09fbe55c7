package web

import (
	"aftermath"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"rsc.io/qr"

	"aftermath/internal/auth"
)

type accountPage struct {
	page
	Message       string
	Secret        string
	QR            template.HTML
	RecoveryCodes []string
}

// signedIn guards a page for signed-in users: others go to the sign-in
// page and come back.
func (s *Server) signedIn(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if userOf(r.Context()) == nil {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.Path), http.StatusSeeOther)
			return
		}
		h(w, r)
	}
}

func (s *Server) account(w http.ResponseWriter, r *http.Request) {
	p := accountPage{page: s.newPage(w, r, "account.title")}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "account.html", p)
}

// totpStart shows a new secret as a QR code; nothing is stored until the
// user proves, with a code, that the app holds it, and proves with the
// password (and, to replace a factor, a current code) that the session
// is theirs. Without a key-encryption key nothing can be enrolled.
func (s *Server) totpStart(w http.ResponseWriter, r *http.Request) {
	if !s.accounts().CanSeal() {
		s.renderAccount(w, r, http.StatusServiceUnavailable, accountPage{}, "account.totp.needs_key")
		return
	}
	secret, err := auth.NewTOTPSecret()
	if err != nil {
		s.Fail(r.Context(), w, err)
		return
	}
	s.renderTOTP(w, r, http.StatusOK, secret, "")
}

func (s *Server) renderAccount(w http.ResponseWriter, r *http.Request, status int, p accountPage, msgKey string, args ...any) {
	p.page = s.newPage(w, r, "account.title")
	if msgKey != "" {
		p.Message = p.L.T(msgKey, args...)
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "account.html", p)
}

func (s *Server) renderTOTP(w http.ResponseWriter, r *http.Request, status int, secret, msgKey string, args ...any) {
	svg, err := qrSVG(auth.TOTPURI("Aftermath", userOf(r.Context()).Email, secret))
	if err != nil {
		s.Fail(r.Context(), w, err)
		return
	}
	s.renderAccount(w, r, status, accountPage{Secret: secret, QR: svg}, msgKey, args...)
}

func (s *Server) totpConfirm(w http.ResponseWriter, r *http.Request) {
	u := userOf(r.Context())
	secret := strings.TrimSpace(r.PostFormValue("secret"))
	codes, err := s.authService().EnrolTOTP(r.Context(), u.ID, r.PostFormValue("password"),
		strings.TrimSpace(r.PostFormValue("current_code")), secret, strings.TrimSpace(r.PostFormValue("code")))
	var locked *auth.LockedError
	switch {
	case err == nil:
	case tooBusy(w, err):
		s.renderTOTP(w, r, http.StatusTooManyRequests, secret, "auth.busy")
		return
	case errors.Is(err, aftermath.ErrTOTPNeedsKey):
		s.renderAccount(w, r, http.StatusServiceUnavailable, accountPage{}, "account.totp.needs_key")
		return
	case errors.Is(err, auth.ErrWrongNewCode):
		s.renderTOTP(w, r, http.StatusUnprocessableEntity, secret, "account.totp.wrong_code")
		return
	case errors.Is(err, auth.ErrSecondFactor):
		s.renderTOTP(w, r, http.StatusUnauthorized, secret, "account.totp.current_needed")
		return
	case errors.As(err, &locked):
		s.renderTOTP(w, r, http.StatusUnauthorized, secret, "auth.locked", "time", locked.Until.UTC().Format("2006-01-02 15:04"))
		return
	case errors.Is(err, auth.ErrBadCredentials):
		s.renderTOTP(w, r, http.StatusUnauthorized, secret, "account.totp.reauth_failed")
		return
	default:
		s.Fail(r.Context(), w, err)
		return
	}
	s.renderAccount(w, r, http.StatusOK, accountPage{RecoveryCodes: codes}, "")
}

// qrSVG draws a QR code as SVG squares: no image files, no script, fine
// under the page's content security policy.
func qrSVG(text string) (template.HTML, error) {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return "", err
	}
	n := code.Size
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="-4 -4 %d %d" width="220" height="220" role="img" aria-label="QR"><rect x="-4" y="-4" width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n+8, n+8, n+8, n+8)
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			if code.Black(x, y) {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x, y)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return template.HTML(b.String()), nil
}
