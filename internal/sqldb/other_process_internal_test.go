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
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
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
	db, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	n := 4 * searchChunk
	im, err := db.BeginImport(ctx, "ucdp", "1", "1.csv", "1", nil)
	if err != nil {
		t.Fatal(err)
	}
	var batch []*aftermath.Event
	for i := range n {
		batch = append(batch, &aftermath.Event{NativeID: fmt.Sprint(i), Year: 2020, DateStart: "2020-01-02", DateEnd: "2020-01-02",
			ViolenceType: aftermath.ViolenceOneSided, Country: "Mali", CountryGW: 432, SourceText: fmt.Sprintf("market attack number%d", i),
			Actors: []aftermath.EventActor{{Role: aftermath.RoleSideA, Name: "JNIM"}, {Role: aftermath.RoleSideB, Name: "Civilians"}}})
		if len(batch) == 1000 || i == n-1 {
			if err := im.Add(batch); err != nil {
				t.Fatal(err)
			}
			batch = nil
		}
	}
	if _, err := im.Commit(); err != nil {
		t.Fatal(err)
	}
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
