package web

import (
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
// user proves, with a code, that the app holds it.
func (s *Server) totpStart(w http.ResponseWriter, r *http.Request) {
	secret, err := auth.NewTOTPSecret()
	if err != nil {
		s.fail(r.Context(), w, err)
		return
	}
	s.renderTOTP(w, r, secret, "")
}

func (s *Server) renderTOTP(w http.ResponseWriter, r *http.Request, secret, msgKey string) {
	p := accountPage{page: s.newPage(w, r, "account.title"), Secret: secret}
	if msgKey != "" {
		p.Message = p.L.T(msgKey)
	}
	svg, err := qrSVG(auth.TOTPURI("Aftermath", p.User.Email, secret))
	if err != nil {
		s.fail(r.Context(), w, err)
		return
	}
	p.QR = svg
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "account.html", p)
}

func (s *Server) totpConfirm(w http.ResponseWriter, r *http.Request) {
	u := userOf(r.Context())
	secret := strings.TrimSpace(r.PostFormValue("secret"))
	if !auth.VerifyTOTP(secret, strings.TrimSpace(r.PostFormValue("code")), s.db.Now()) {
		s.renderTOTP(w, r, secret, "account.totp.wrong_code")
		return
	}
	codes, err := auth.NewRecoveryCodes(10)
	if err != nil {
		s.fail(r.Context(), w, err)
		return
	}
	hashes := make([]string, len(codes))
	for i, c := range codes {
		hashes[i] = auth.HashToken(c)
	}
	if err := s.db.SetTOTP(r.Context(), u.ID, secret, hashes); err != nil {
		s.fail(r.Context(), w, err)
		return
	}
	p := accountPage{page: s.newPage(w, r, "account.title"), RecoveryCodes: codes}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "account.html", p)
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
