package sqldb

import "context"

// ReadsFromReplica reports whether a read that may lag, in ctx, goes to
// the replica.
func (db *DB) ReadsFromReplica(ctx context.Context) bool { return db.lagged(ctx) == db.replica }

// BumpAudienceGeneration moves the audience generation, as a change of who
// may see a record does.
func (db *DB) BumpAudienceGeneration(ctx context.Context) error {
	return bumpAudienceGeneration(ctx, db.write)
}
