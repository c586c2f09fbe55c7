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

// BenchmarkReplicaCheck prices the replica's freshness check, made once
// per anonymous request: a count of events read from the primary alone
// (the yardstick), then as an anonymous page reads it with a replica (the
// check, then the count from the replica).
func BenchmarkReplicaCheck(b *testing.B) {
	ctx := context.Background()
	primary := sqldbtest.Open(b, sqldb.Postgres)
	replicaDSN := sqldbtest.DSN(b, sqldb.Postgres)
	sqldbtest.Reopen(b, replicaDSN)
	count := func(b *testing.B, ctx func() context.Context) {
		for b.Loop() {
			if _, _, err := primary.CountEvents(ctx(), sqldb.EventFilter{}, 0); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("primary", func(b *testing.B) { count(b, func() context.Context { return ctx }) })
	if err := primary.OpenReplica(ctx, replicaDSN); err != nil {
		b.Fatal(err)
	}
	b.Run("replica-checked", func(b *testing.B) { count(b, func() context.Context { return primary.ReadsMayLag(ctx) }) })
}
