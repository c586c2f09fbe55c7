package server

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"net/http"
	"strings"
	"time"

	"aftermath/internal/metrics"
)

// Metrics is the access class of GET /metrics: only a scraper sending
// the token of serve --metrics-token. Counts of requests, imports and
// jobs say what the site is doing, which no anonymous visitor should
// learn, and a reverse proxy makes every visitor look local, so neither
// the network address nor a user's role is the key.
const Metrics = "metrics"

// SetMetricsToken sets the bearer token GET /metrics wants; "" (the
// default) leaves /metrics unserved (404).
func (s *Server) SetMetricsToken(token string) { s.metricsToken = token }

// Metrics is this server's collectors, which the job runner feeds too.
func (s *Server) Metrics() *metrics.Metrics { return s.metrics }

// newMetrics has the collectors read the database pools when the store
// has them (sqldb.DB).
func newMetrics(db Store) *metrics.Metrics {
	if p, ok := db.(interface{ PoolStats() map[string]sql.DBStats }); ok {
		return metrics.New(p.PoolStats)
	}
	return metrics.New(nil)
}

// routesOps registers the routes for operators: readiness and metrics.
func (s *Server) routesOps(handle Handle) {
	handle("GET /readyz", Public, s.readyz)
	prom := s.metrics.Handler()
	handle("GET /metrics", Metrics, func(w http.ResponseWriter, r *http.Request) {
		if s.metricsToken == "" {
			s.errorPage(w, r, http.StatusNotFound, "")
			return
		}
		tok, bearer := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		// Hashed first, so the comparison takes as long whatever the
		// token's length.
		got, want := sha256.Sum256([]byte(strings.TrimSpace(tok))), sha256.Sum256([]byte(s.metricsToken))
		if !bearer || subtle.ConstantTimeCompare(got[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "send Authorization: Bearer METRICS_TOKEN (serve --metrics-token)", http.StatusUnauthorized)
			return
		}
		prom.ServeHTTP(w, r)
	})
}

// readyTimeout bounds the database check of /readyz: a load balancer
// would rather move on than wait.
const readyTimeout = 2 * time.Second

// readyz answers 200 while the database answers, 503 otherwise, so that
// a load balancer sends no visitor to a process that cannot serve them
// (GET /healthz says only that the process runs).
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", noStore)
	ready, ok := s.db.(interface{ Ready(context.Context) error })
	if !ok {
		w.Write([]byte("ready\n"))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	if err := ready.Ready(ctx); err != nil {
		s.log.WarnContext(r.Context(), "not ready: the database does not answer", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("not ready\n"))
		return
	}
	w.Write([]byte("ready\n"))
}
