package sqldb

import (
	"context"
	"database/sql"
)

// Ready reports whether the database answers a query (serve's /readyz);
// the caller bounds it with ctx's deadline.
func (db *DB) Ready(ctx context.Context) error {
	var one int
	return db.read.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}

// PoolStats returns the connection pools' statistics (serve's /metrics):
// "write", on SQLite where readers have a pool of their own "read", and
// "replica" with serve --db-replica.
func (db *DB) PoolStats() map[string]sql.DBStats {
	stats := map[string]sql.DBStats{"write": db.write.Stats()}
	if db.read != db.write {
		stats["read"] = db.read.Stats()
	}
	if db.replica != nil {
		stats["replica"] = db.replica.Stats()
	}
	return stats
}
