package web

import (
	"net/http"

	"aftermath/internal/web/server"
)

// The shared server's names the page handlers use (internal/web/server).

// Store and Voices are the services the server works on.
type (
	Store  = server.Store
	Voices = server.Voices
	Route  = server.Route
)

// Access classes of routes (server.Public and the others).
const (
	Public   = server.Public
	Form     = server.Form
	SignedIn = server.SignedIn
	Metrics  = server.Metrics
)

var (
	userOf        = server.UserOf
	viewerOf      = server.ViewerOf
	byToken       = server.ByToken
	pathID        = server.PathID
	pathInt       = server.PathInt
	queryID       = server.QueryID
	queryFlag     = server.QueryFlag
	submitOrg     = server.SubmitOrg
	refusalStatus = server.RefusalStatus
)

type errorPage struct {
	page
	Message string // in the reader's language
	Reason  string // the service's, in English
}

// errorTexts are the heading and the message of an error page by
// status; a status without its own says error.title and no message.
var errorTexts = map[int][2]string{
	http.StatusBadRequest:          {"error.title", "error.invalid_request"},
	http.StatusForbidden:           {"error.forbidden.title", "error.forbidden"},
	http.StatusNotFound:            {"error.not_found.title", "error.not_found"},
	http.StatusMethodNotAllowed:    {"error.title", "error.method_not_allowed"},
	http.StatusConflict:            {"error.conflict.title", ""},
	http.StatusInternalServerError: {"error.title", "error.internal"},
}

// errorPage renders a failure the shared error responder has mapped to a
// status (server.Server.ErrorPage) in the site's layout: the service's
// reason for 401, 403 and 409, what went wrong in the reader's language
// otherwise.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, reason string) {
	texts, ok := errorTexts[status]
	if !ok {
		texts[0] = "error.title"
	}
	p := errorPage{page: s.newPage(w, r, texts[0]), Reason: reason}
	if texts[1] != "" {
		p.Message = p.L.T(texts[1])
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "error.html", p)
}

// notFound answers 404 with a page in the reader's language.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.errorPage(w, r, http.StatusNotFound, "")
}
