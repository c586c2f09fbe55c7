// Package api serves Aftermath's JSON API under /api/v1: interventions
// and their figures, the accountability ledger, testimony submission and
// the themes matrix. Its routes are registered on the shared server
// (Register), behind the same sessions, bearer tokens, security headers
// and cache rules as the pages, and its errors are the one responder's
// JSON: {"error":{"code","message"}}.
package api

import (
	"net/http"

	"aftermath/internal/auth"
	"aftermath/internal/web/server"
)

// handlers are the API's handlers, with what they need of the shared server.
type handlers struct {
	srv *server.Server
	db  server.Store
}

// Register adds the API's routes to srv; call it before srv.Handler.
func Register(srv *server.Server) {
	s := &handlers{srv: srv, db: srv.Store()}
	srv.AddRoutes(func(handle server.Handle) {
		s.routesAPI(handle)
		s.routesLedgerAPI(handle)
		s.routesFlowsAPI(handle)
		s.routesSearchAPI(handle)
		s.routesEventsAPI(handle)
		handle("POST /api/v1/testimonies", auth.ActionSubmit, s.may(auth.ActionSubmit, s.apiCreateTestimony))
		handle("GET /api/v1/themes/matrix", server.Public, s.apiThemeMatrix)
	})
}

// The shared server's request helpers, under the names the handlers use.
var (
	viewerOf  = server.ViewerOf
	userOf    = server.UserOf
	byToken   = server.ByToken
	pathID    = server.PathID
	queryID   = server.QueryID
	queryFlag = server.QueryFlag
	submitOrg = server.SubmitOrg
	writeJSON = server.WriteJSON
)

func (s *handlers) apiError(w http.ResponseWriter, r *http.Request, err error) {
	s.srv.APIError(w, r, err)
}
