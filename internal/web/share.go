package web

import (
	"context"
	"net/http"
	"net/url"

	"aftermath"
)

// What the JSON API (internal/web/api) shares with the pages. The API is
// a package of its own that registers its routes on this server, so that
// both sit behind the same session, security headers and caching rules
// and answer errors through the one responder (errors.go).

// Handle registers a route with its access class (Public, Form, SignedIn
// or an auth action), as the role × route test reads them.
type Handle func(pattern, access string, h http.HandlerFunc)

// AddRoutes has Handler serve more routes beside the pages: add is called
// with the registering function when the handler is built, so call
// AddRoutes before Handler.
func (s *Server) AddRoutes(add func(Handle)) { s.extraRoutes = append(s.extraRoutes, add) }

// Store is the services the server works on.
func (s *Server) Store() Store { return s.db }

// Voices is the testimony store with its key, nil when none is
// configured (it may be set after the routes are added).
func (s *Server) Voices() Voices { return s.voices }

// SiteURL is this instance's base URL as the request reached it.
func (s *Server) SiteURL(r *http.Request) string { return s.siteURL(r) }

// APIError answers a failure as the API's JSON error.
func (s *Server) APIError(w http.ResponseWriter, r *http.Request, err error) { s.apiError(w, r, err) }

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

// PathID reads the record id of a path ({id}); ENOTFOUND when it names
// no record.
func PathID(r *http.Request) (int64, error) { return pathID(r) }

// QueryID reads a record id from a query filter; "" is 0.
func QueryID(q url.Values, key string) (int64, error) { return queryID(q, key) }

// QueryFlag reads a yes/no query filter.
func QueryFlag(q url.Values, key string) bool { return queryFlag(q, key) }

// SubmitOrg is the organisation a testimony goes to when the submitter
// did not say.
func SubmitOrg(u *aftermath.User) int64 { return submitOrg(u) }
