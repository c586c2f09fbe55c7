package sqldb

import (
	"context"
	"database/sql"
)

// RecordsTriggered lists the tables whose changes raise the records
// generation, as the database holds their triggers.
func (db *DB) RecordsTriggered(ctx context.Context) (map[string]bool, error) {
	q := `SELECT DISTINCT tbl_name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%records_generation%'`
	if db.Driver == Postgres {
		q = `SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid
			WHERE p.proname = 'records_changed' AND c.relnamespace = current_schema()::regnamespace`
	}
	out := map[string]bool{}
	err := db.each(ctx, q, nil, func(r *sql.Rows) error {
		var name string
		err := r.Scan(&name)
		out[name] = true
		return err
	})
	return out, err
}

// BeginWrite starts a transaction on the writer's pool, for a test that
// holds one open.
func (db *DB) BeginWrite(ctx context.Context) (*sql.Tx, error) { return db.write.BeginTx(ctx, nil) }
