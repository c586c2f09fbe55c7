package web_test

import (
	"log/slog"

	"aftermath/internal/web"
	"aftermath/internal/web/api"
)

// newServer is web.New with the JSON API registered, as serve wires it:
// the pages' tests reach the API too, and the route × role test sees
// every route.
func newServer(db web.Store, log *slog.Logger) (*web.Server, error) {
	srv, err := web.New(db, log)
	if err == nil {
		api.Register(srv.Server)
	}
	return srv, err
}
