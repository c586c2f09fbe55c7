package sqldb

import (
	"context"
	"database/sql"
	"fmt"

	"aftermath"
)

// CitedRecord resolves a citation's record to the record that has a page:
// a finding to its inquiry, a status change to its recommendation; other
// records are their own. The caller then reads that record with its
// viewer, so what it may not see stays hidden.
func (db *DB) CitedRecord(ctx context.Context, recordType string, id int64) (string, int64, error) {
	q := map[string]struct{ parent, sql string }{
		"inquiry_finding":       {aftermath.RecordInquiry, `SELECT inquiry_id FROM inquiry_findings WHERE id = ?`},
		"recommendation_status": {aftermath.RecordRecommendation, `SELECT recommendation_id FROM recommendation_status WHERE id = ?`},
	}[recordType]
	if q.sql == "" {
		return recordType, id, nil
	}
	var parent int64
	err := db.read.QueryRowContext(ctx, db.rebind(q.sql), id).Scan(&parent)
	if err == sql.ErrNoRows {
		return "", 0, aftermath.Errorf(aftermath.ENOTFOUND, "no %s %d", recordType, id)
	}
	if err != nil {
		return "", 0, fmt.Errorf("cited record: %w", err)
	}
	return q.parent, parent, nil
}
