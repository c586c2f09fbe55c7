package web

// The ledger's CSV exports (/ledger/….csv), under the audience rules of
// the store: a reader gets what they may see, and every export is
// audit-logged. (The ledger's JSON API is internal/web/api.)

import (
	"bytes"
	"context"
	"io"
	"net/http"

	"aftermath"
)

// ledgerTables are the CSV exports, one per table.
var ledgerTables = []struct {
	name  string
	write func(aftermath.LedgerViews, context.Context, aftermath.Viewer, io.Writer) error
}{
	{"decisions", aftermath.LedgerViews.WriteDecisionsCSV},
	{"inquiries", aftermath.LedgerViews.WriteInquiriesCSV},
	{"findings", aftermath.LedgerViews.WriteFindingsCSV},
	{"recommendations", aftermath.LedgerViews.WriteRecommendationsCSV},
	{"recommendation-status", aftermath.LedgerViews.WriteRecommendationStatusCSV},
	{"claims", aftermath.LedgerViews.WriteClaimsCSV},
}

// ledgerCSV downloads one ledger table as CSV, with what the reader may
// see.
func (s *Server) ledgerCSV(name string, write func(aftermath.LedgerViews, context.Context, aftermath.Viewer, io.Writer) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var buf bytes.Buffer // whole, so that a failure is an error, not a cut file
		if err := write(s.db, r.Context(), viewerOf(r.Context()), &buf); err != nil {
			s.PageError(w, r, err)
			return
		}
		if err := s.db.AuditExport(r.Context(), viewerOf(r.Context()), "ledger", 0, "exported "+name+".csv"); err != nil {
			s.PageError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="aftermath-`+name+`.csv"`)
		w.Header().Set("Vary", "Cookie")
		w.Write(buf.Bytes())
	}
}
