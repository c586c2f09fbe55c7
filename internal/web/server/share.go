package server

import (
	"context"
	"crypto/subtle"
	"net/http"

	"aftermath"
	"aftermath/internal/i18n"
)

// What the pages (internal/web) and the JSON API (internal/web/api) use
// of the server. Both register their routes on it, so that they sit
// behind the same session, security headers and caching rules and answer
// errors through the one responder (errors.go).

// Handle registers a route with its access class (Public, Form, SignedIn
// or an auth action), as the role × route test reads them.
type Handle func(pattern, access string, h http.HandlerFunc)

// AddRoutes has Handler serve more routes: add is called with the
// registering function when the handler is built, in the order AddRoutes
// was called, so call AddRoutes before Handler.
func (s *Server) AddRoutes(add func(Handle)) { s.addRoutes = append(s.addRoutes, add) }

// Store is the services the server works on.
func (s *Server) Store() Store { return s.db }

// SetVoices gives the server the testimony store, which holds the
// key-encryption key. Without it the testimony pages say that no key is
// configured; the themes matrix, which decrypts nothing, still works.
func (s *Server) SetVoices(vs Voices) { s.voices = vs }

// Voices is the testimony store with its key, nil when none is
// configured (it may be set after the routes are added).
func (s *Server) Voices() Voices { return s.voices }

// Bundle is the catalog of the languages pages and refusals are in.
func (s *Server) Bundle() *i18n.Bundle { return s.bundle }

// APIError answers a failure as the API's JSON error.
func (s *Server) APIError(w http.ResponseWriter, r *http.Request, err error) { s.apiError(w, r, err) }

// PageError answers a page's failure (errors.go).
func (s *Server) PageError(w http.ResponseWriter, r *http.Request, err error) { s.pageError(w, r, err) }

// Fail logs the cause of a failure and answers 500 revealing nothing.
func (s *Server) Fail(ctx context.Context, w http.ResponseWriter, err error) { s.fail(ctx, w, err) }

// RefusalStatus is the status of a page that shows a service's refusal
// on its form (errors.go).
func RefusalStatus(err error, otherwise int) int { return refusalStatus(err, otherwise) }

// WriteJSON answers v as indented JSON with status.
func WriteJSON(w http.ResponseWriter, status int, v any) { writeJSON(w, status, v) }

// EUnauthorized is the code of a request without a valid API token (401).
const EUnauthorized = eunauthorized

// UserOf is the request's signed-in user, nil for none.
func UserOf(ctx context.Context) *aftermath.User { return userOf(ctx) }

// ViewerOf is who is reading, for the services' audience rules.
func ViewerOf(ctx context.Context) aftermath.Viewer { return viewerOf(ctx) }

// ByToken reports whether the user came from an API token rather than a
// browser session (whose writes need a CSRF token).
func ByToken(ctx context.Context) bool { return byToken(ctx) }

// CSRFToken is the request's CSRF token for a form (session.go).
func (s *Server) CSRFToken(w http.ResponseWriter, r *http.Request) string { return s.csrfToken(w, r) }

// CheckCSRF guards a form only signed-in users may post (session.go).
func (s *Server) CheckCSRF(h http.HandlerFunc) http.HandlerFunc { return s.checkCSRF(h) }

// CheckCSRFOpen guards a form anonymous visitors may post (session.go).
func (s *Server) CheckCSRFOpen(h http.HandlerFunc) http.HandlerFunc { return s.checkCSRFOpen(h) }

// CrossOrigin refuses a browser's cross-origin request, for a form that
// checks its token itself (a participant's answers, kept when refused).
func (s *Server) CrossOrigin(r *http.Request) error { return s.crossOrigin.Check(r) }

// FormTokenMatches reports whether a posted form's CSRF field equals the
// request's CSRF cookie.
func (s *Server) FormTokenMatches(r *http.Request) bool {
	c, err := r.Cookie(csrfCookie)
	return err == nil && len(c.Value) >= 32 && subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue(csrfField))) == 1
}

// SetCookie sets one of this site's cookies (session.go).
func (s *Server) SetCookie(w http.ResponseWriter, r *http.Request, name, value string, maxAge int) {
	s.setCookie(w, r, name, value, maxAge)
}

// StartSession signs the user in on this browser.
func (s *Server) StartSession(w http.ResponseWriter, r *http.Request, u *aftermath.User) error {
	return s.startSession(w, r, u)
}

// EndSession signs out.
func (s *Server) EndSession(w http.ResponseWriter, r *http.Request) error { return s.endSession(w, r) }

// Cached serves a public page from the cache to anonymous visitors
// (cache.go).
func (s *Server) Cached(h http.HandlerFunc) http.HandlerFunc { return s.cached(h) }

// ClearCache drops every cached page, here and in every server sharing
// the database: after a change that must not linger in public (a
// testimony withdrawn from its audience, say).
func (s *Server) ClearCache() { s.changed(context.Background()) }

// DropCachedPages drops this server's cached pages only: when another
// server said it changed something (sqldb.DB.ListenChanges).
func (s *Server) DropCachedPages() { s.cache.clear() }
