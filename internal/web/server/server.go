// Package server is the HTTP server that Aftermath's pages (internal/web)
// and its JSON API (internal/web/api) both sit on: the router with each
// route's access class, security headers and cache rules, sessions and
// API tokens, the CSRF checks, the page cache, and the one error
// responder. Pages and API register their routes on it (AddRoutes) and
// know nothing of each other.
package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"golang.org/x/sync/singleflight"

	"aftermath/internal/i18n"
	"aftermath/internal/metrics"
)

// Server holds what the shared handlers need; there is no global state.
type Server struct {
	db     Store
	log    *slog.Logger
	secure bool
	bundle *i18n.Bundle
	routes []Route
	cache  *pageCache
	// baseURL is this site's address (serve --base-url), without a final
	// slash; "" when none is configured. Links mailed out are built from
	// it, never from a request's Host header.
	baseURL string
	// crossOrigin refuses browsers' cross-origin posts (checkCSRF).
	crossOrigin *http.CrossOriginProtection
	flight      singleflight.Group
	// voices is the testimony store with its key; nil when no key is
	// configured.
	voices Voices
	// addRoutes add the routes of the pages and the API (AddRoutes).
	addRoutes []func(Handle)
	// metrics are this server's collectors (GET /metrics), served to
	// metricsToken only.
	metrics      *metrics.Metrics
	metricsToken string
	// ErrorPage answers a page's failure in the pages' layout, which this
	// package has no templates for: 401, 403 and 409 with the service's
	// reason, 400, 404, 405 and 500 with message "" (the page says it in
	// the reader's language). The pages set it; without it the status
	// text is answered.
	ErrorPage func(w http.ResponseWriter, r *http.Request, status int, message string)
}

// New returns a server on the services db, with no routes yet.
func New(db Store, log *slog.Logger) *Server {
	return &Server{db: db, log: log, bundle: i18n.Default(), cache: newPageCache(2000, cacheTTL), crossOrigin: http.NewCrossOriginProtection(),
		metrics: newMetrics(db)}
}

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

// BaseURL is the address set by SetBaseURL, "" when none is.
func (s *Server) BaseURL() string { return s.baseURL }

var hostRE = regexp.MustCompile(`^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?$`)

// SiteURL is the public base URL of this instance as the request reached
// it: https when the server speaks TLS or sits behind a TLS proxy
// (serve --secure-cookies).
func (s *Server) SiteURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil || s.secure {
		scheme = "https"
	}
	host := r.Host
	if !hostRE.MatchString(host) {
		host = "localhost"
	}
	return scheme + "://" + host
}

// Handler returns the routes with security headers on every response.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	r := &router{mux: mux, metrics: s.metrics, mayLag: s.db.ReadsMayLag, changed: s.changed}
	s.routesOps(r.handle)
	for _, add := range s.addRoutes {
		add(r.handle)
	}
	s.routes = r.routes
	return secure(s.withSession(s.unmatched(mux)))
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
	mux     *http.ServeMux
	routes  []Route
	metrics *metrics.Metrics
	// mayLag marks a request's reads as tolerating a replica's lag.
	mayLag func(context.Context) context.Context
	// changed drops the cached pages here and in the other servers.
	changed func(context.Context)
}

func (r *router) handle(pattern, access string, h http.HandlerFunc) {
	if publicRoute(pattern, access) {
		h = readsMayLag(r.mayLag, h)
	}
	if method, _, _ := strings.Cut(pattern, " "); method != "GET" && method != "HEAD" {
		h = dropsCacheAfterWrite(r.changed, h)
	}
	r.mux.HandleFunc(pattern, r.metrics.Instrument(pattern, notStored(pattern, access, h)))
	r.routes = append(r.routes, Route{pattern, access})
}

// readsMayLag lets an anonymous visitor's public page read from a
// streaming replica (serve --db-replica); a signed-in user or a token
// reads the primary, and sees their own writes.
func readsMayLag(mark func(context.Context) context.Context, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if userOf(r.Context()) == nil && !byToken(r.Context()) {
			// Without a replica the context is the same: no copy of r.
			if ctx := mark(r.Context()); ctx != r.Context() {
				r = r.WithContext(ctx)
			}
		}
		h(w, r)
	}
}

// publicRoute reports whether a route's answer is a public page, the same
// for every anonymous visitor.
func publicRoute(pattern, access string) bool {
	method, _, _ := strings.Cut(pattern, " ")
	return access == Public && (method == "GET" || method == "HEAD") && !privateAnonymous[pattern]
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
	public := publicRoute(pattern, access)
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
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("Referrer-Policy", "same-origin")
		if strings.HasPrefix(r.URL.Path, "/embed/") {
			// Charts made to be framed by other sites: public, read-only,
			// without forms or script, so framing them risks no click.
			hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; frame-ancestors *; base-uri 'none'; form-action 'none'")
		} else {
			hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
			hd.Set("X-Frame-Options", "DENY")
		}
		if r.TLS != nil {
			hd.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
		}
		h.ServeHTTP(w, r)
	})
}
