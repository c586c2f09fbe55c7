// Package web serves Aftermath's pages. For now a plain page lists the
// imported datasets and their events; the full application grows here.
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
	"strconv"
	"strings"

	"fmt"

	"golang.org/x/sync/singleflight"

	"aftermath"
	"aftermath/internal/auth"
	"aftermath/internal/i18n"
)

//go:embed templates static
var assets embed.FS

// Server holds what handlers need; there is no global state.
type Server struct {
	db      Store
	pages   *template.Template
	log     *slog.Logger
	limiter *rateLimiter
	secure  bool
	bundle  *i18n.Bundle
	routes  []Route
	cache   *pageCache
	// baseURL is this site's address (serve --base-url), without a final
	// slash; "" when none is configured. Links mailed out are built from
	// it, never from a request's Host header.
	baseURL string
	// crossOrigin refuses browsers' cross-origin posts (checkCSRF).
	crossOrigin *http.CrossOriginProtection
	flight      singleflight.Group
	static      *staticFiles
	// voices is the testimony store with its key; nil when no key is
	// configured.
	voices Voices
	// uploadDir holds uploaded files until their import job has run.
	uploadDir string
	// JobsWake, when set, is signalled when a job is queued.
	JobsWake chan struct{}
	// JobProgress, when set, tells how far a job running in this process is.
	JobProgress func(id int64) (done, total int64, ok bool)
	// extraRoutes add the routes of other packages (AddRoutes).
	extraRoutes []func(Handle)
}

// SetUploadDir sets where uploads wait for their import.
func (s *Server) SetUploadDir(dir string) { s.uploadDir = dir }

// SecureCookies marks cookies Secure; set it when a TLS proxy sits in
// front (the server sets it by itself when it speaks TLS).
func (s *Server) SecureCookies(on bool) { s.secure = on }

// SetBaseURL sets the address this site is reached at (serve --base-url),
// from which the links mailed out are built (consultation invitations):
// https, a host, perhaps a port and a path, nothing else. http is taken
// only for this machine (localhost, 127.0.0.1, [::1]), for trying it out.
// Browsers' posts from that origin are accepted by the cross-origin check
// even when a proxy rewrites the Host header.
func (s *Server) SetBaseURL(raw string) error {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return fmt.Errorf("base URL %q: %w", raw, err)
	}
	loopback := u.Hostname() == "localhost" || u.Hostname() == "127.0.0.1" || u.Hostname() == "::1"
	switch {
	case u.Scheme != "https" && !(u.Scheme == "http" && loopback):
		return fmt.Errorf("base URL %q: give an https:// address (http only for localhost)", raw)
	case u.Host == "" || u.Hostname() == "" || u.Opaque != "":
		return fmt.Errorf("base URL %q: no host name", raw)
	case u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.Contains(raw, "#"):
		return fmt.Errorf("base URL %q: give scheme, host, port and path only (no user, query or fragment)", raw)
	case strings.ContainsFunc(u.Path, func(c rune) bool { return c <= ' ' || c == '"' || c == '<' || c == '>' || c == '\\' || c == 0x7f }):
		return fmt.Errorf("base URL %q: the path has characters a link cannot carry", raw)
	}
	origin := u.Scheme + "://" + u.Host
	if err := s.crossOrigin.AddTrustedOrigin(origin); err != nil {
		return fmt.Errorf("base URL %q: %w", raw, err)
	}
	s.baseURL = origin + strings.TrimRight(u.EscapedPath(), "/")
	return nil
}

// New parses the embedded templates, failing at start if one is broken.
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
	return &Server{db: db, pages: t, log: log, static: st, limiter: newRateLimiter(10), bundle: i18n.Default(),
		cache: newPageCache(2000, cacheTTL), crossOrigin: http.NewCrossOriginProtection(), uploadDir: filepath.Join(os.TempDir(), "aftermath-uploads")}, nil
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
}

// newPage negotiates the language (remembering a ?lang= choice in a
// cookie) and fills what the layout needs.
func (s *Server) newPage(w http.ResponseWriter, r *http.Request, titleKey string) page {
	if tag := r.URL.Query().Get("lang"); tag != "" {
		if l, ok := s.bundle.Lookup(tag); ok {
			http.SetCookie(w, &http.Cookie{Name: i18n.CookieName, Value: l.Tag(), Path: "/", MaxAge: 365 * 24 * 3600,
				HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: s.secure || r.TLS != nil})
		}
	}
	p := page{L: s.bundle.Negotiate(r), User: userOf(r.Context()), URL: r.URL}
	for _, tag := range s.bundle.Languages() {
		p.Langs = append(p.Langs, s.bundle.Locale(tag))
	}
	p.Title = p.L.T(titleKey)
	if p.User != nil { // the sign-out form; anonymous pages set no cookie and can be cached
		p.CSRF = s.csrfToken(w, r)
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
		s.fail(r.Context(), w, fmt.Errorf("render %s: %w", name, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Vary", "Cookie, Accept-Language")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// Handler returns the routes with security headers on every response.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	r := &router{mux: mux}
	r.handle("GET /static/", Public, s.static.serve)
	r.handle("GET /healthz", Public, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte("ok\n"))
	})
	r.handle("GET /{$}", Public, s.cached(s.home))
	r.handle("GET /events", Public, s.cached(s.events))
	r.handle("GET /events.csv", Public, s.eventsDownload("csv"))
	r.handle("GET /events.hxl.csv", Public, s.eventsDownload("hxl"))
	r.handle("GET /events.geojson", Public, s.eventsDownload("geojson"))
	r.handle("GET /interventions", Public, s.cached(s.interventions))
	r.handle("GET /interventions/{slug}", Public, s.cached(s.intervention))
	// The data of each chart, as drawn (figures.go).
	r.handle("GET /interventions/{slug}/monthly.csv", Public, s.interventionCSV("monthly"))
	r.handle("GET /interventions/{slug}/yearly.csv", Public, s.interventionCSV("yearly"))
	r.handle("GET /interventions/{slug}/harm.csv", Public, s.interventionCSV("harm"))
	r.handle("GET /interventions/{slug}/eventstudy.csv", Public, s.interventionCSV("eventstudy"))
	r.handle("GET /actors", Public, s.cached(s.actors))
	r.handle("GET /actors/{id}", Public, s.cached(s.actor))
	r.handle("GET /places", Public, s.cached(s.places))
	r.handle("GET /places/{iso3}", Public, s.cached(s.place))
	r.handle("GET /places/{iso3}/monthly.csv", Public, s.placeCSV)
	r.handle("GET /sources", Public, s.cached(s.sources))
	r.handle("GET /sources/{id}", Public, s.cached(s.source))
	r.handle("GET /login", Public, s.loginForm)
	r.handle("POST /login", Form, s.checkCSRFOpen(s.login))
	r.handle("POST /logout", Form, s.checkCSRFOpen(s.logout))
	r.handle("GET /account", SignedIn, s.signedIn(s.account))
	r.handle("POST /datasets/upload", Form, limitBody(maxUpload, s.checkCSRF(s.signedIn(s.upload))))
	r.handle("GET /jobs/{id}", SignedIn, s.signedIn(s.job))
	r.handle("POST /account/totp/start", Form, s.checkCSRF(s.signedIn(s.totpStart)))
	r.handle("POST /account/totp/confirm", Form, s.checkCSRF(s.signedIn(s.totpConfirm)))
	s.routesLedger(r) // the accountability ledger: ledger.go
	s.routesVoices(r)
	s.routesAudit(r)
	s.routesThemes(r)
	s.routesConsult(r) // consultations: consult.go
	// Other packages' routes: the JSON API (internal/web/api).
	for _, add := range s.extraRoutes {
		add(r.handle)
	}
	s.routes = r.routes
	return secure(s.withSession(mux))
}

// Access classes of routes, for the role × route test.
const (
	Public   = "public"    // anyone; shows public records only
	Form     = "form"      // a browser form: needs the CSRF token
	SignedIn = "signed-in" // any signed-in user; others are sent to sign in
)

// Route is a registered route and who may use it: Public, Form, or an
// auth action that a bearer token's user must be allowed.
type Route struct{ Pattern, Access string }

// Routes lists every route the handler serves (after Handler is called).
func (s *Server) Routes() []Route { return s.routes }

type router struct {
	mux    *http.ServeMux
	routes []Route
}

func (r *router) handle(pattern, access string, h http.HandlerFunc) {
	r.mux.HandleFunc(pattern, notStored(pattern, access, h))
	r.routes = append(r.routes, Route{pattern, access})
}

// privateAnonymous are public routes whose answers are still no one
// else's: the sign-in form (its CSRF cookie) and a participant's link
// (the token is in the address).
var privateAnonymous = map[string]bool{"GET /login": true, "GET /c/{token}": true}

// notStored marks an answer Cache-Control: no-store, private unless it is
// a public page for an anonymous visitor (which the page cache and any
// shared cache may keep) or a static file (the same for everyone). So
// every page, export and API answer of a signed-in user or a token, every
// form's answer and every refusal of one, is kept by no cache, whatever
// its handler set.
func notStored(pattern, access string, h http.HandlerFunc) http.HandlerFunc {
	if pattern == "GET /static/" || pattern == "GET /healthz" {
		return h
	}
	method, _, _ := strings.Cut(pattern, " ")
	public := access == Public && (method == "GET" || method == "HEAD") && !privateAnonymous[pattern]
	return func(w http.ResponseWriter, r *http.Request) {
		if public && userOf(r.Context()) == nil && !byToken(r.Context()) {
			h(w, r)
			return
		}
		w.Header().Set("Cache-Control", noStore)
		h(&privateWriter{ResponseWriter: w}, r)
	}
}

const noStore = "no-store, private"

// privateWriter sets Cache-Control: no-store, private as the answer's
// header is sent, over whatever a handler set (several set "no-store").
type privateWriter struct {
	http.ResponseWriter
	sent bool
}

func (p *privateWriter) WriteHeader(code int) {
	if !p.sent {
		p.sent = true
		p.Header().Set("Cache-Control", noStore)
	}
	p.ResponseWriter.WriteHeader(code)
}

func (p *privateWriter) Write(b []byte) (int, error) {
	if !p.sent {
		p.WriteHeader(http.StatusOK)
	}
	return p.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the connection (flushing,
// deadlines).
func (p *privateWriter) Unwrap() http.ResponseWriter { return p.ResponseWriter }

func secure(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("X-Frame-Options", "DENY")
		if r.TLS != nil {
			hd.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		h.ServeHTTP(w, r)
	})
}

const pageSize = 100

type homePage struct {
	page
	Datasets      []aftermath.Dataset
	Interventions []aftermath.Intervention
	CanImport     bool
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	p := homePage{page: s.newPage(w, r, "datasets.title")}
	p.CanImport = auth.Can(p.User, auth.ActionImport)
	var err error
	if p.Datasets, err = s.db.Datasets(r.Context(), viewerOf(r.Context())); err == nil {
		p.Interventions, err = s.db.Interventions(r.Context(), viewerOf(r.Context()))
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "home.html", p)
}

// pathID reads the record id of a path ({id}); a value that is not a
// positive integer names no record (ENOTFOUND, like a missing one).
func pathID(r *http.Request) (int64, error) {
	return pathInt(r, "id")
}

// pathInt reads a positive integer path value.
func pathInt(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, aftermath.Errorf(aftermath.ENOTFOUND, "no record %q", r.PathValue(name))
	}
	return id, nil
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
