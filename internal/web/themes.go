package web

import (
	"net/http"
	"strconv"
	"strings"

	"aftermath"
)

// The codebook of themes: everyone signed in reads it, admins edit it
// (the store refuses anyone else).

func (s *Server) routesThemes(r *router) {
	r.handle("GET /voices/themes", SignedIn, s.signedIn(s.themes))
	r.handle("POST /voices/themes", Form, s.CheckCSRF(s.signedIn(s.saveTheme)))
	r.handle("POST /voices/themes/{id}/delete", Form, s.CheckCSRF(s.signedIn(s.deleteTheme)))
}

type themesPage struct {
	page
	Themes  []aftermath.Theme
	IsAdmin bool
	Error   string
}

func (s *Server) themes(w http.ResponseWriter, r *http.Request) {
	s.showThemes(w, r, http.StatusOK, "")
}

func (s *Server) showThemes(w http.ResponseWriter, r *http.Request, status int, problem string) {
	p := themesPage{page: s.newPage(w, r, "voices.codebook"), Error: problem}
	p.IsAdmin = p.User.HasRole(aftermath.RoleAdmin)
	var err error
	if p.Themes, err = s.db.Themes(r.Context()); err != nil {
		s.PageError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "themes.html", p)
}

// saveTheme adds a theme, or changes the one whose id the form gives.
func (s *Server) saveTheme(w http.ResponseWriter, r *http.Request) {
	get := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	t := &aftermath.Theme{Slug: get("slug"), NameEN: get("name_en"), NameFR: get("name_fr"), NameAR: get("name_ar"), Description: get("description")}
	var err error
	if id, perr := strconv.ParseInt(get("id"), 10, 64); perr == nil && id > 0 {
		t.ID = id
		err = s.db.UpdateTheme(r.Context(), viewerOf(r.Context()), t)
	} else {
		err = s.db.CreateTheme(r.Context(), viewerOf(r.Context()), t)
	}
	s.afterTheme(w, r, err)
}

func (s *Server) deleteTheme(w http.ResponseWriter, r *http.Request) {
	id, ok := s.idOr404(w, r)
	if !ok {
		return
	}
	s.afterTheme(w, r, s.db.DeleteTheme(r.Context(), viewerOf(r.Context()), id))
}

func (s *Server) afterTheme(w http.ResponseWriter, r *http.Request, err error) {
	switch aftermath.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/voices/themes", http.StatusSeeOther)
	case aftermath.EINVALID, aftermath.ECONFLICT, aftermath.ENOTFOUND, aftermath.EFORBIDDEN:
		s.showThemes(w, r, refusalStatus(err, http.StatusUnprocessableEntity), err.Error())
	default:
		s.PageError(w, r, err)
	}
}
