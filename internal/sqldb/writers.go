package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"aftermath"
)

// writer is what the store knows of who changes a record: the system (the
// command line, seeding), or a user with the organisations in which their
// role lets them write this kind of record, and whether they are an admin
// of one (admins may change records that have no owner).
type writer struct {
	system bool
	orgs   []int64
	admin  bool
}

func (w writer) writes(org int64) bool { return w.system || slices.Contains(w.orgs, org) }

// writerOf reads v's memberships with one of the roles among v.Orgs. A
// viewer whose Orgs are empty (anonymous, disabled, contributor only)
// writes nothing.
func (db *DB) writerOf(ctx context.Context, tx *sql.Tx, v aftermath.Viewer, roles ...string) (writer, error) {
	if v.All {
		return writer{system: true}, nil
	}
	var w writer
	if v.UserID == 0 || len(v.Orgs) == 0 {
		return w, nil
	}
	args := []any{v.UserID}
	for _, r := range roles {
		args = append(args, r)
	}
	err := eachRow(ctx, tx, db.rebind(`SELECT org_id, role FROM memberships WHERE user_id = ? AND role IN (`+placeholders(len(roles))+
		`) AND org_id IN (`+ints(v.Orgs)+`) ORDER BY org_id`), args, func(r *sql.Rows) error {
		var org int64
		var role string
		err := r.Scan(&org, &role)
		if !slices.Contains(w.orgs, org) {
			w.orgs = append(w.orgs, org)
		}
		w.admin = w.admin || role == aftermath.RoleAdmin
		return err
	})
	if err != nil {
		return w, fmt.Errorf("writer: %w", err)
	}
	return w, nil
}
