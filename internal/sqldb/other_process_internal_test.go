package sqldb

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"aftermath"
)

// A command started while another process holds SQLite's writer (a
// server catching its search index up, an import) migrates without
// waiting for it when there is nothing to migrate: every command starts
// by migrating, and each migration's check was a write transaction,
// which failed with "database is locked" after the busy timeout.
func TestMigrateNeedsNoWriterWhenNothingIsPending(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/m.db"
	db := openMigrated(t, path)
	tx, err := db.write.BeginTx(ctx, nil) // BEGIN IMMEDIATE: the writer is taken
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO actors (name) VALUES ('Wagner Group')`); err != nil {
		t.Fatal(err)
	}
	other, err := Open(ctx, path) // another process
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	applied, err := other.Migrate(ctx)
	if err != nil || len(applied) != 0 {
		t.Fatalf("migrating a migrated database while another process writes: %v %v", applied, err)
	}
}

// A catch-up of the search index in the background leaves the writer
// free between its transactions, so that another process's write gets in
// while it runs rather than after the whole catch-up (or never: a
// command's write failed after the busy timeout behind 3 million events).
func TestBackgroundCatchUpLetsOtherProcessesWrite(t *testing.T) {
	ctx := context.Background()
	path := t.TempDir() + "/y.db"
	db := openMigrated(t, path)
	loadEvents(t, db, "1", 4*searchChunk, func(i int) string { return fmt.Sprintf("market attack number%d", i) })
	other, err := Open(ctx, path) // another process
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	var finished atomic.Bool
	done := make(chan error, 1)
	go func() {
		err := db.CatchUpSearch(ctx)
		finished.Store(true)
		done <- err
	}()
	// Once the first range of events is indexed, the other process writes.
	for {
		var cursor int64
		if err := other.read.QueryRowContext(ctx, `SELECT events_cursor FROM search_state WHERE id = 1`).Scan(&cursor); err != nil {
			t.Fatal(err)
		}
		if cursor > 0 || finished.Load() {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if finished.Load() {
		t.Fatal("the catch-up ended before the test could write beside it; give it more events")
	}
	if _, err := other.CreateUser(ctx, NewUser{Email: "w@example.org", Name: "W", PasswordHash: "$argon2id$test", OrgSlug: "hub", Role: aftermath.RoleViewer}); err != nil {
		t.Fatalf("another process's write during the catch-up: %v", err)
	}
	if finished.Load() {
		t.Error("another process's write waited for the whole catch-up to end")
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
