package sqldb_test

import (
	"context"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

func TestMigrateIsForwardOnlyAndIdempotent(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		applied, err := db.Migrate(ctx)
		if err != nil || len(applied) != 0 {
			t.Fatalf("second migrate applied %v, %v", applied, err)
		}
		pending, err := db.Pending(ctx)
		if err != nil || len(pending) != 0 {
			t.Fatalf("pending after migrate: %v, %v", pending, err)
		}
		counts, err := db.Counts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for table, n := range counts {
			if n != 0 {
				t.Errorf("new database has %d rows in %s", n, table)
			}
		}
	})
}

func TestBothDatabasesHaveTheSameMigrations(t *testing.T) {
	lite := sqldbtest.Open(t, sqldb.SQLite)
	ms, err := lite.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	pg := &sqldb.DB{Driver: sqldb.Postgres}
	pms, err := pg.Migrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != len(pms) {
		t.Fatalf("sqlite has %d migrations, postgres %d", len(ms), len(pms))
	}
	for i := range ms {
		if ms[i].Version != pms[i].Version {
			t.Errorf("migration %d: sqlite %s, postgres %s", i, ms[i].Version, pms[i].Version)
		}
	}
}

func TestSourcesCitationsAndActorRelations(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		src := &aftermath.Source{Title: "Resolution 2100 (2013)", Publisher: "UN Security Council", Date: "2013-04-25"}
		if err := db.CreateSource(ctx, src); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateSource(ctx, &aftermath.Source{}); aftermath.ErrorCode(err) != aftermath.EINVALID {
			t.Errorf("untitled source: %v", err)
		}
		c := &aftermath.Citation{RecordType: "event", RecordID: 42, Field: "deaths_best", SourceID: src.ID, Page: "§3", Confidence: aftermath.ConfidenceHigh}
		if err := db.AddCitation(ctx, c); err != nil {
			t.Fatal(err)
		}
		bad := *c
		bad.Confidence = "certain"
		if err := db.AddCitation(ctx, &bad); aftermath.ErrorCode(err) != aftermath.EINVALID || !strings.Contains(err.Error(), "certain") {
			t.Errorf("bad confidence: %v", err)
		}
		bad = *c
		bad.SourceID = src.ID + 1000
		if err := db.AddCitation(ctx, &bad); err == nil {
			t.Error("a citation of a missing source was stored")
		}
		got, err := db.Citations(ctx, aftermath.System, "event", 42)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0] != *c {
			t.Errorf("citations = %+v, want %+v", got, *c)
		}
		if _, err := db.Actor(ctx, aftermath.System, 999); aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
			t.Errorf("missing actor: %v", err)
		}
	})
}
