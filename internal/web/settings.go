package web

// The instance's settings page (admins set the organisation's name and
// logo) and the logo itself. Who may change them is decided by the
// store (SiteSettingsToEdit, UpdateSiteSettings).

import (
	"bytes"
	"errors"
	"image"
	_ "image/jpeg" // the logo formats DecodeConfig checks
	_ "image/png"
	"io"
	"net/http"
	"strings"

	"aftermath"
)

func (s *Server) routesSettings(r *router) {
	r.handle("GET /admin/settings", SignedIn, s.signedIn(s.settingsForm))
	// The form is a few fields and a logo: bounded well below maxUpload.
	r.handle("POST /admin/settings", Form, limitBody(aftermath.MaxLogoBytes+64<<10, s.CheckCSRF(s.signedIn(s.saveSettings))))
	r.handle("GET /logo", Public, s.logo)
}

// siteSettings reads the header's name and logo. A failure is logged and
// the header falls back to the application's name: a page is not lost
// for its header.
func (s *Server) siteSettings(r *http.Request) *aftermath.SiteSettings {
	st, err := s.db.SiteSettings(r.Context())
	if err != nil {
		s.log.ErrorContext(r.Context(), "site settings", "err", err)
		return &aftermath.SiteSettings{}
	}
	return st
}

type settingsPage struct {
	page
	OrgName string
	Saved   bool
	Welcome bool   // just after the first run's set-up
	Problem string // a message for the form, "" when none
	MaxKiB  int
	Formats string
}

func (s *Server) settingsForm(w http.ResponseWriter, r *http.Request) {
	st, err := s.db.SiteSettingsToEdit(r.Context(), viewerOf(r.Context()))
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	p := settingsPage{page: s.newPage(w, r, "settings.title"), OrgName: st.OrgName, Saved: r.URL.Query().Has("saved"), Welcome: r.URL.Query().Has("welcome"), MaxKiB: aftermath.MaxLogoBytes >> 10, Formats: logoFormats}
	s.render(w, r, http.StatusOK, "settings.html", p)
}

// logoTypes are the formats accepted, by what the file's bytes are.
// SVG is refused rather than sanitised: a logo with script in it would
// run with this site's privileges when opened on its own.
var logoTypes = map[string]bool{"image/png": true, "image/jpeg": true}

// logoFormats names them for the form, the same in every language.
const logoFormats = "PNG/JPEG"

func (s *Server) saveSettings(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	c := aftermath.SettingsChange{OrgName: r.PostFormValue("org_name"), RemoveLogo: r.PostFormValue("remove_logo") == "1"}
	problem := ""
	f, _, err := r.FormFile("logo")
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		problem = "settings.logo.too_big"
	case errors.Is(err, http.ErrMissingFile):
	case err != nil:
		s.PageError(w, r, aftermath.Errorf(aftermath.EINVALID, "the form could not be read: %v", err))
		return
	default:
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, aftermath.MaxLogoBytes+1))
		if err != nil {
			s.PageError(w, r, err)
			return
		}
		problem = logoProblem(data)
		if problem == "" && len(data) > 0 {
			c.Logo = &aftermath.Logo{Type: http.DetectContentType(data), Data: data}
		}
	}
	if problem == "" {
		err = s.db.UpdateSiteSettings(ctx, viewerOf(ctx), c)
		if aftermath.ErrorCode(err) == aftermath.EINVALID {
			problem = "settings.invalid"
		} else if err != nil {
			s.PageError(w, r, err)
			return
		}
	}
	if problem != "" {
		p := settingsPage{page: s.newPage(w, r, "settings.title"), OrgName: c.OrgName, MaxKiB: aftermath.MaxLogoBytes >> 10, Formats: logoFormats}
		p.Problem = p.L.T(problem, "max", p.MaxKiB, "formats", logoFormats)
		s.render(w, r, http.StatusUnprocessableEntity, "settings.html", p)
		return
	}
	http.Redirect(w, r, "/admin/settings?saved=1", http.StatusSeeOther)
}

// logoProblem checks an uploaded logo: a PNG or JPEG by its bytes (not by
// its name or declared type), that decodes, within the size limit.
func logoProblem(data []byte) string {
	switch {
	case len(data) == 0:
		return ""
	case len(data) > aftermath.MaxLogoBytes:
		return "settings.logo.too_big"
	case !logoTypes[http.DetectContentType(data)]:
		return "settings.logo.type"
	}
	if _, _, err := image.DecodeConfig(bytes.NewReader(data)); err != nil {
		return "settings.logo.type"
	}
	return ""
}

// logo serves the organisation's logo. Its address carries its hash
// (?v=), so a browser may keep it for good: a new logo is a new address.
func (s *Server) logo(w http.ResponseWriter, r *http.Request) {
	l, err := s.db.Logo(r.Context())
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", l.Type)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if v := r.URL.Query().Get("v"); v != "" && strings.HasPrefix(l.SHA256, v) {
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		w.Header().Set("Cache-Control", "public, max-age=300")
	}
	w.Header().Set("ETag", `"`+l.SHA256+`"`)
	if r.Header.Get("If-None-Match") == `"`+l.SHA256+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	w.Write(l.Data)
}

// OrgName is the organisation's name set by an admin, "" when none is.
func (p page) OrgName() string {
	if p.Site == nil {
		return ""
	}
	return p.Site.OrgName
}

// SiteName heads the pages: the organisation's name, else the
// application's.
func (p page) SiteName() string {
	if n := p.OrgName(); n != "" {
		return n
	}
	return p.L.T("app.name")
}

// LogoURL is the logo's address, with its hash so that a new logo is
// fetched at once; "" when there is none.
func (p page) LogoURL() string {
	if p.Site == nil || p.Site.LogoType == "" || len(p.Site.LogoSHA256) < 16 {
		return ""
	}
	return "/logo?v=" + p.Site.LogoSHA256[:16]
}
