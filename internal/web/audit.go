package web

// The audit log's page. What an admin may read of the log, and who may
// walk the whole chain, is decided by the audit service.

import (
	"net/http"
	"strconv"

	"aftermath"
)

func (s *Server) routesAudit(r *router) {
	r.handle("GET /audit", SignedIn, s.signedIn(s.auditLog))
}

type auditPage struct {
	page
	Entries []aftermath.AuditEntry
	Older   string
	Report  *aftermath.AuditReport
}

// auditLog shows the audit log to admins, newest first, with the result
// of checking its chain.
func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	f := aftermath.AuditFilter{RecordType: q.Get("record_type"), Action: q.Get("action"), Limit: 100}
	f.RecordID, _ = strconv.ParseInt(q.Get("record_id"), 10, 64)
	f.ActorID, _ = strconv.ParseInt(q.Get("actor_id"), 10, 64)
	f.Before, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	entries, err := s.db.AuditEntries(ctx, viewerOf(ctx), f)
	var rep *aftermath.AuditReport
	if err == nil {
		rep, err = s.db.VerifyAudit(ctx, viewerOf(ctx))
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	p := auditPage{page: s.newPage(w, r, "audit.title"), Entries: entries, Report: rep}
	if len(entries) == f.Limit {
		q.Set("before", strconv.FormatInt(entries[len(entries)-1].ID, 10))
		p.Older = "/audit?" + q.Encode()
	}
	w.Header().Set("Cache-Control", "no-store")
	s.render(w, r, http.StatusOK, "audit.html", p)
}
