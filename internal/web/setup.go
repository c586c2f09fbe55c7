package web

// The first run: an instance without users is set up in the browser
// through the one-time link `aftermath serve` prints (internal/cli). The
// store decides whether a link still works (SetupTokenValid) and spends
// it with the first admin's creation (CreateFirstAdmin).

import (
	"net/http"
	"strings"

	"aftermath"
	"aftermath/internal/auth"
)

func (s *Server) routesSetup(r *router) {
	r.handle("GET /setup", Public, s.setupForm)
	r.handle("POST /setup", Form, limitBody(64<<10, s.CheckCSRFOpen(s.setup)))
}

type setupPage struct {
	page
	Token                         string
	Name, Email, OrgName, OrgSlug string
	Problem                       string
	MinPassword                   int
}

// setupToken is the link's token as the store keeps it: hashed.
func setupToken(r *http.Request) (raw, hash string) {
	raw = r.FormValue("token")
	if raw == "" {
		return "", ""
	}
	return raw, auth.HashToken(raw)
}

// setupRefused is the one answer to a link that does not work, whatever
// the reason (no token, a wrong one, spent, expired, users exist).
func (s *Server) setupRefused(w http.ResponseWriter, r *http.Request) {
	p := consultMessagePage{page: s.newPage(w, r, "setup.refused.title")}
	p.Heading, p.Text = p.L.T("setup.refused.title"), p.L.T("setup.refused")
	s.render(w, r, http.StatusForbidden, "consult_message.html", p)
}

func (s *Server) setupForm(w http.ResponseWriter, r *http.Request) {
	// The token is in the address: no cache keeps this answer.
	w.Header().Set("Cache-Control", "no-store")
	raw, hash := setupToken(r)
	ok := false
	if hash != "" {
		var err error
		if ok, err = s.db.SetupTokenValid(r.Context(), hash); err != nil {
			s.PageError(w, r, err)
			return
		}
	}
	if !ok {
		s.setupRefused(w, r)
		return
	}
	s.renderSetup(w, r, http.StatusOK, setupPage{Token: raw}, "")
}

func (s *Server) renderSetup(w http.ResponseWriter, r *http.Request, status int, p setupPage, problem string) {
	p.page = s.newPage(w, r, "setup.title")
	p.CSRF = s.CSRFToken(w, r)
	p.MinPassword = auth.MinPasswordLength
	if problem != "" {
		p.Problem = p.L.T(problem, "min", auth.MinPasswordLength)
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "setup.html", p)
}

func (s *Server) setup(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	raw, hash := setupToken(r)
	p := setupPage{Token: raw, Name: strings.TrimSpace(r.PostFormValue("name")), Email: strings.TrimSpace(r.PostFormValue("email")),
		OrgName: strings.TrimSpace(r.PostFormValue("org_name")), OrgSlug: strings.TrimSpace(r.PostFormValue("org_slug"))}
	password := r.PostFormValue("password")
	if password != r.PostFormValue("password2") {
		s.renderSetup(w, r, http.StatusUnprocessableEntity, p, "setup.password_mismatch")
		return
	}
	pwHash, err := auth.HashPassword(password)
	if err != nil {
		s.renderSetup(w, r, http.StatusUnprocessableEntity, p, "setup.password_short")
		return
	}
	u, err := s.db.CreateFirstAdmin(r.Context(), hash, aftermath.FirstAdmin{Email: p.Email, Name: p.Name, PasswordHash: pwHash, OrgSlug: p.OrgSlug, OrgName: p.OrgName})
	switch aftermath.ErrorCode(err) {
	case "":
	case aftermath.EFORBIDDEN:
		s.setupRefused(w, r)
		return
	case aftermath.EINVALID, aftermath.ECONFLICT:
		s.renderSetup(w, r, http.StatusUnprocessableEntity, p, "setup.invalid")
		return
	default:
		s.PageError(w, r, err)
		return
	}
	if err := s.StartSession(w, r, u); err != nil {
		s.PageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/settings?welcome=1", http.StatusSeeOther)
}
