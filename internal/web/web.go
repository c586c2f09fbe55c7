// Package web serves Aftermath's pages, registered on the shared server
// (internal/web/server) beside the JSON API (internal/web/api).
package web

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"fmt"

	"aftermath"
	"aftermath/internal/auth"
	"aftermath/internal/i18n"
	"aftermath/internal/impact"
	"aftermath/internal/web/server"
)

//go:embed templates static
var assets embed.FS

// Server is the pages on the shared server (internal/web/server), whose
// sessions, CSRF checks, cache and error responder they use.
type Server struct {
	*server.Server
	// db, log and bundle are the shared server's, under the names the
	// page handlers use.
	db      Store
	log     *slog.Logger
	bundle  *i18n.Bundle
	pages   *template.Template
	limiter *rateLimiter
	static  *staticFiles
	// uploadDir holds uploaded files until their import job has run.
	uploadDir string
	// JobsWake, when set, is signalled when a job is queued.
	JobsWake chan struct{}
	// JobProgress, when set, tells how far a job running in this process is.
	JobProgress func(id int64) (done, total int64, ok bool)
}

// SetUploadDir sets where uploads wait for their import.
func (s *Server) SetUploadDir(dir string) { s.uploadDir = dir }

// New parses the embedded templates, failing at start if one is broken,
// and registers the pages on a new shared server.
func New(db Store, log *slog.Logger) (*Server, error) {
	staticFS, err := fs.Sub(assets, "static")
	if err != nil {
		return nil, err
	}
	st, err := newStaticFiles(staticFS)
	if err != nil {
		return nil, err
	}
	t, err := template.New("").Funcs(funcs).Funcs(voicesFuncs).Funcs(template.FuncMap{"asset": st.url}).ParseFS(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	srv := server.New(db, log)
	s := &Server{Server: srv, db: newKeptStore(db), log: log, bundle: srv.Bundle(), pages: t, static: st, limiter: newRateLimiter(10),
		uploadDir: filepath.Join(os.TempDir(), "aftermath-uploads")}
	srv.ErrorPage = s.errorPage
	srv.AddRoutes(s.routesPages)
	return s, nil
}

// funcs are the template helpers; they take the page's locale so that
// numbers and labels follow the reader's language.
var funcs = template.FuncMap{
	"num": func(l *i18n.Locale, v any) string {
		switch n := v.(type) {
		case int:
			return l.Number(float64(n), 0)
		case int64:
			return l.Number(float64(n), 0)
		case float64:
			return l.Number(n, 2)
		}
		return fmt.Sprint(v)
	},
	// label translates a stored code ("violence." + "one-sided"); a value
	// the catalog does not know (ACLED's event types) shows as stored.
	"label": func(l *i18n.Locale, prefix, value string) string {
		if t := l.T(prefix + value); t != prefix+value {
			return t
		}
		return value
	},
	// audience says, for a record that is not public, who sees it: a
	// reminder before anything is copied out of it.
	"audience": func(l *i18n.Locale, a aftermath.Audience) template.HTML {
		if a == "" || a == aftermath.AudiencePublic {
			return ""
		}
		return template.HTML(`<p class="audience"><strong>` + template.HTMLEscapeString(l.T("audience.label")) + `</strong> ` +
			template.HTMLEscapeString(l.T("audience."+string(a))) + `</p>`)
	},
	// isolate keeps a left-to-right value (a date like 2013-07) whole
	// inside right-to-left text, with Unicode directional isolates.
	"isolate": func(v string) string { return "\u2066" + v + "\u2069" },
	"langURL": func(u *url.URL, tag string) string {
		q := u.Query()
		q.Set("lang", tag)
		return u.Path + "?" + q.Encode()
	},
}

// page is what every page's template needs.
type page struct {
	L     *i18n.Locale
	Langs []*i18n.Locale
	User  *aftermath.User
	CSRF  string
	URL   *url.URL
	Title string
	// Site is the organisation's name and logo for the header.
	Site *aftermath.SiteSettings
	// Participant is a consultation participant on their link (/c/…),
	// who is shown their consultation and the language switch only.
	Participant bool
}

// newPage negotiates the language (remembering a ?lang= choice in a
// cookie) and fills what the layout needs.
func (s *Server) newPage(w http.ResponseWriter, r *http.Request, titleKey string) page {
	if tag := r.URL.Query().Get("lang"); tag != "" {
		if l, ok := s.bundle.Lookup(tag); ok {
			s.SetCookie(w, r, i18n.CookieName, l.Tag(), 365*24*3600)
		}
	}
	p := page{L: s.bundle.Negotiate(r), User: userOf(r.Context()), URL: r.URL}
	for _, tag := range s.bundle.Languages() {
		p.Langs = append(p.Langs, s.bundle.Locale(tag))
	}
	p.Title = p.L.T(titleKey)
	p.Participant = strings.HasPrefix(r.URL.Path, "/c/")
	p.Site = s.siteSettings(r)
	if p.User != nil { // the sign-out form; anonymous pages set no cookie and can be cached
		p.CSRF = s.CSRFToken(w, r)
	}
	return p
}

// render writes a page with the headers every HTML answer needs. The
// page is rendered whole before anything is sent, so a template that
// fails half-way answers 500 rather than a cut-off page with 200 (which
// once hid a broken codebook page from every test).
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, data any) {
	var b bytes.Buffer
	if err := s.pages.ExecuteTemplate(&b, name, data); err != nil {
		s.Fail(r.Context(), w, fmt.Errorf("render %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Vary", "Cookie, Accept-Language")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// router registers the pages' routes on the shared server.
type router struct{ handle server.Handle }

// routesPages registers every page, download and form.
func (s *Server) routesPages(handle server.Handle) {
	r := &router{handle: func(pattern, access string, h http.HandlerFunc) { handle(pattern, access, withGeneration(h)) }}
	r.handle("GET /static/", Public, s.static.serve)
	r.handle("GET /healthz", Public, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	r.handle("GET /{$}", Public, s.Cached(s.home))
	r.handle("GET /events", Public, s.Cached(s.events))
	r.handle("GET /events.csv", Public, s.eventsDownload("csv"))
	r.handle("GET /events.hxl.csv", Public, s.eventsDownload("hxl"))
	r.handle("GET /events.geojson", Public, s.eventsDownload("geojson"))
	r.handle("GET /events/{id}", Public, s.Cached(s.event))
	r.handle("GET /interventions", Public, s.Cached(s.interventions))
	r.handle("GET /interventions/{slug}", Public, s.Cached(s.intervention))
	// The data of each chart, as drawn (figures.go).
	r.handle("GET /interventions/{slug}/monthly.csv", Public, s.interventionCSV("monthly"))
	r.handle("GET /interventions/{slug}/yearly.csv", Public, s.interventionCSV("yearly"))
	r.handle("GET /interventions/{slug}/harm.csv", Public, s.interventionCSV("harm"))
	r.handle("GET /interventions/{slug}/eventstudy.csv", Public, s.interventionCSV("eventstudy"))
	r.handle("GET /actors", Public, s.Cached(s.actors))
	r.handle("GET /actors/{id}", Public, s.Cached(s.actor))
	r.handle("POST /actors/{id}/merge", Form, s.CheckCSRF(s.signedIn(s.actorMerge)))
	r.handle("GET /places", Public, s.Cached(s.places))
	r.handle("GET /places/{iso3}", Public, s.Cached(s.place))
	r.handle("GET /places/{iso3}/monthly.csv", Public, s.placeCSV)
	r.handle("GET /sources", Public, s.Cached(s.sources))
	r.handle("GET /sources/{id}", Public, s.Cached(s.source))
	r.handle("GET /login", Public, s.loginForm)
	r.handle("POST /login", Form, s.CheckCSRFOpen(s.login))
	r.handle("POST /logout", Form, s.CheckCSRFOpen(s.logout))
	r.handle("GET /account", SignedIn, s.signedIn(s.account))
	r.handle("POST /datasets/upload", Form, limitBody(maxUpload, s.CheckCSRF(s.signedIn(s.upload))))
	r.handle("GET /jobs/{id}", SignedIn, s.signedIn(s.job))
	r.handle("POST /account/totp/start", Form, s.CheckCSRF(s.signedIn(s.totpStart)))
	r.handle("POST /account/totp/confirm", Form, s.CheckCSRF(s.signedIn(s.totpConfirm)))
	s.routesLedger(r) // the accountability ledger: ledger.go
	s.routesVoices(r)
	s.routesAudit(r)
	s.routesThemes(r)
	s.routesConsult(r) // consultations: consult.go
	s.routesBriefs(r)  // briefs: briefs.go
	s.routesEmbeds(r)  // charts for other sites: embeds.go
	s.routesFlows(r)   // money and arms: flows.go
	s.routesSearch(r)  // search: search.go

	s.routesSetup(r)    // the first run: setup.go
	s.routesSettings(r) // the organisation's name and logo: settings.go
}

const pageSize = 100

// homeInterventions is how many interventions the home page shows with
// their figures; the rest are a link away. Each costs one analysis, and
// the page is cached.
const homeInterventions = 6

type homePage struct {
	page
	Datasets      []aftermath.Dataset
	Interventions []homeIntervention
	// MoreInterventions is how many more the interventions page lists.
	MoreInterventions int
	Events            []aftermath.Event
	Briefs            []aftermath.Brief
	Ledger            []aftermath.TimelineItem
	CanImport         bool
	// Empty: no event data is stored yet; the page says how to begin.
	Empty bool
}

// homeIntervention is an intervention with its headline measure: deaths
// (best estimate, with the range) before, during and after, as on its
// own page; Summary is nil when no imported data covers it.
type homeIntervention struct {
	aftermath.Intervention
	Dataset string
	Summary []impact.Period
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := viewerOf(ctx)
	p := homePage{page: s.newPage(w, r, "home.title")}
	p.CanImport = auth.Can(p.User, auth.ActionImport)
	hr, err := s.homeRecords(ctx, v)
	if err == nil {
		p.Datasets, err = s.db.Datasets(ctx, v)
	}
	if err == nil {
		p.Events, err = s.db.Events(ctx, aftermath.EventFilter{Viewer: v, Limit: 5})
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	p.Briefs, p.Ledger, p.MoreInterventions = hr.Briefs, hr.Ledger, hr.More
	for i := range hr.Interventions {
		iv := &hr.Interventions[i]
		hi := homeIntervention{Intervention: *iv}
		rep, err := s.analyze(ctx, iv, impact.Options{Viewer: v, Outcome: "deaths_best", Method: "summary"})
		switch {
		case err == nil:
			hi.Summary, hi.Dataset = rep.Summary, rep.Dataset
		case aftermath.ErrorCode(err) != aftermath.EINVALID: // EINVALID: no data covers it, which the page says
			s.PageError(w, r, err)
			return
		}
		p.Interventions = append(p.Interventions, hi)
	}
	p.Empty = len(p.Datasets) == 0
	s.render(w, r, http.StatusOK, "home.html", p)
}

// idOr404 reads a page's {id}, answering 404 when it names no record.
func (s *Server) idOr404(w http.ResponseWriter, r *http.Request) (int64, bool) {
	id, err := pathID(r)
	if err != nil {
		s.notFound(w, r)
		return 0, false
	}
	return id, true
}
