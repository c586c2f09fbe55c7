package sqldb_test

import (
	"context"
	"testing"

	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// Reads marked as tolerating lag go to the replica only while it has
// caught up with the primary's audience generation, and to the primary
// when it is behind or down; unmarked reads never go there. A second
// database stands in for the replica (internal/cli's cluster test runs a
// real one).
func TestReplicaTakesLaggedReadsOnlyWhenCaughtUp(t *testing.T) {
	ctx := context.Background()
	primary := sqldbtest.Open(t, sqldb.Postgres)
	replicaDSN := sqldbtest.DSN(t, sqldb.Postgres)
	replica := sqldbtest.Reopen(t, replicaDSN)
	if err := primary.OpenReplica(ctx, replicaDSN); err != nil {
		t.Fatal(err)
	}
	if primary.ReadsFromReplica(ctx) {
		t.Error("an unmarked read went to the replica")
	}
	if !primary.ReadsFromReplica(primary.ReadsMayLag(ctx)) {
		t.Error("a read that may lag went to the primary while the replica is level with it")
	}
	if err := primary.BumpAudienceGeneration(ctx); err != nil {
		t.Fatal(err)
	}
	if primary.ReadsFromReplica(primary.ReadsMayLag(ctx)) {
		t.Error("a read went to a replica behind the primary's audience generation")
	}
	if err := replica.BumpAudienceGeneration(ctx); err != nil { // the replica replays the change
		t.Fatal(err)
	}
	if !primary.ReadsFromReplica(primary.ReadsMayLag(ctx)) {
		t.Error("a read that may lag went to the primary after the replica caught up")
	}
	if got := primary.ReplicaReads(); got != 2 {
		t.Errorf("%d requests read from the replica, want 2", got)
	}

	down := sqldbtest.Reopen(t, sqldbtest.DSN(t, sqldb.Postgres))
	if err := down.OpenReplica(ctx, "postgres://postgres@127.0.0.1:1/none?sslmode=disable"); err != nil {
		t.Fatal(err)
	}
	for range 2 { // the second is not even tried: the replica is left alone a while
		if down.ReadsFromReplica(down.ReadsMayLag(ctx)) {
			t.Error("a read went to a replica that is down")
		}
	}
	if _, _, err := down.CountEvents(down.ReadsMayLag(ctx), sqldb.EventFilter{}, 10); err != nil {
		t.Errorf("a read that may lag, with the replica down: %v", err)
	}
	sqlite := sqldbtest.Open(t, sqldb.SQLite)
	if err := sqlite.OpenReplica(ctx, replicaDSN); err == nil {
		t.Error("a SQLite database took a replica")
	}
}
