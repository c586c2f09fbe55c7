package sqldb

import (
	"context"
	"database/sql"
	"slices"

	"aftermath"
)

// TestimonyReviewers lists org's admins and editors whose accounts are
// not disabled, by name. Names are shown to the organisation's own
// members only, in any role: who works for a partner is itself sensitive.
func (db *DB) TestimonyReviewers(ctx context.Context, v aftermath.Viewer, org int64) ([]aftermath.Reviewer, error) {
	if !v.All && !slices.Contains(v.Orgs, org) {
		// Contributors read no internal records (v.Orgs) but submit
		// testimony for their organisation, so they name its readers.
		var n int
		if err := db.read.QueryRowContext(ctx, db.rebind(`SELECT count(*) FROM memberships WHERE user_id = ? AND org_id = ?`), v.UserID, org).Scan(&n); err != nil {
			return nil, err
		}
		if v.UserID == 0 || n == 0 {
			return nil, aftermath.Errorf(aftermath.EFORBIDDEN, "only the organisation's members see who reviews its testimonies")
		}
	}
	var out []aftermath.Reviewer
	err := db.each(ctx, `SELECT u.id, u.name, m.role FROM memberships m JOIN users u ON u.id = m.user_id
		WHERE m.org_id = ? AND m.role IN (?, ?) AND NOT u.disabled ORDER BY u.name, u.id`,
		[]any{org, aftermath.RoleAdmin, aftermath.RoleEditor},
		func(r *sql.Rows) error {
			var rv aftermath.Reviewer
			err := r.Scan(&rv.ID, &rv.Name, &rv.Role)
			out = append(out, rv)
			return err
		})
	return out, err
}
