package sqldb

import (
	"context"
	"fmt"
)

// FiguresGeneration is the import generation (every import that changes
// events adds a row to imports; see importGeneration) with the audience
// generation, in one read of the primary: figures cached under it stay
// right while it stays the same.
func (db *DB) FiguresGeneration(ctx context.Context) (string, error) {
	var n, last, audience int64
	err := db.read.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM imports), (SELECT COALESCE(max(id), 0) FROM imports),
		(SELECT n FROM cache_generation WHERE id = 1)`).Scan(&n, &last, &audience)
	if err != nil {
		return "", fmt.Errorf("figures generation: %w", err)
	}
	return fmt.Sprint(n, "/", last, "/", audience), nil
}

// RecordsGeneration is a number the database raises itself, in the
// transaction of the change, whenever a record the pages list changes:
// interventions, sources, actors, the ledger, briefs, translations,
// organisations (migration 0025 names the tables). One primary-key read.
func (db *DB) RecordsGeneration(ctx context.Context) (int64, error) {
	var n int64
	if err := db.read.QueryRowContext(ctx, `SELECT n FROM records_generation WHERE id = 1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("records generation: %w", err)
	}
	return n, nil
}

// PageGeneration is the number the public page cache keeps its pages
// under (internal/web/server/cache.go): the audience generation plus the
// records generation, in one read. Both only grow, so the sum moves
// whenever either does: a change of who may see a record, or of a record
// the pages list, by whatever wrote it (the command line included, which
// tells no server).
func (db *DB) PageGeneration(ctx context.Context) (int64, error) {
	var n int64
	if err := db.read.QueryRowContext(ctx, `SELECT (SELECT n FROM cache_generation WHERE id = 1) + (SELECT n FROM records_generation WHERE id = 1)`).Scan(&n); err != nil {
		return 0, fmt.Errorf("page generation: %w", err)
	}
	return n, nil
}
