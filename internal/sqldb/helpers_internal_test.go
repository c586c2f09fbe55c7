package sqldb

import (
	"context"
	"fmt"
	"testing"

	"aftermath"
)

// openMigrated opens and migrates a SQLite file, closed when t ends.
func openMigrated(t *testing.T, path string) *DB {
	t.Helper()
	db, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// loadEvents imports n one-sided events in Mali as UCDP version, each
// with the source text text(i), a thousand a batch.
func loadEvents(t *testing.T, db *DB, version string, n int, text func(i int) string) {
	t.Helper()
	im, err := db.BeginImport(context.Background(), "ucdp", version, version+".csv", version, nil)
	if err != nil {
		t.Fatal(err)
	}
	var batch []*aftermath.Event
	for i := range n {
		batch = append(batch, &aftermath.Event{NativeID: fmt.Sprint(i), Year: 2020, DateStart: "2020-01-02", DateEnd: "2020-01-02",
			ViolenceType: aftermath.ViolenceOneSided, Country: "Mali", CountryGW: 432, SourceText: text(i),
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
}
