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
	Message string
}

// errorPage renders a failure the shared error responder has mapped to a
// status (server.Server.ErrorPage): 404 as notFound, 401, 403 and 409
// with the service's reason.
func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, message string) {
	if status == http.StatusNotFound {
		s.notFound(w, r)
		return
	}
	title := map[int]string{http.StatusForbidden: "error.forbidden.title", http.StatusConflict: "error.conflict.title"}[status]
	if title == "" {
		title = "error.title"
	}
	p := errorPage{page: s.newPage(w, r, title), Message: message}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, status, "error.html", p)
}

// notFound answers 404 with a page in the reader's language.
func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	p := s.newPage(w, r, "error.not_found.title")
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusNotFound)
	w.Write([]byte(p.L.T("error.not_found") + "\n"))
}
