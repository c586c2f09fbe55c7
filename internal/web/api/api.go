// Package api serves Aftermath's JSON API under /api/v1: interventions
// and their figures, the accountability ledger, testimony submission and
// the themes matrix. Its routes are registered on the web server
// (Register), behind the same sessions, bearer tokens, security headers
// and cache rules as the pages, and its errors are the one responder's
// JSON: {"error":{"code","message"}}.
package api

import (
	"net/http"

	"aftermath/internal/auth"
	"aftermath/internal/web"
)

// server is what the API's handlers need of the web server.
type server struct {
	web *web.Server
	db  web.Store
}

// Register adds the API's routes to srv; call it before srv.Handler.
func Register(srv *web.Server) {
	s := &server{web: srv, db: srv.Store()}
	srv.AddRoutes(func(handle web.Handle) {
		s.routesAPI(handle)
		s.routesLedgerAPI(handle)
		handle("POST /api/v1/testimonies", auth.ActionSubmit, s.may(auth.ActionSubmit, s.apiCreateTestimony))
		handle("GET /api/v1/themes/matrix", web.Public, s.apiThemeMatrix)
	})
}

// The web server's request helpers, under the names the handlers use.
var (
	viewerOf  = web.ViewerOf
	userOf    = web.UserOf
	byToken   = web.ByToken
	pathID    = web.PathID
	queryID   = web.QueryID
	queryFlag = web.QueryFlag
	submitOrg = web.SubmitOrg
	writeJSON = web.WriteJSON
)

func (s *server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	s.web.APIError(w, r, err)
}
