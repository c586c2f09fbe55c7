package sqldb

import (
	"fmt"
	"strings"
	"testing"

	"aftermath"
)

func TestIntegrityCheckFindsOrphans(t *testing.T) {
	ctx := t.Context()
	db, err := Open(ctx, t.TempDir()+"/o.db")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	if msg, err := db.IntegrityCheck(ctx); err != nil || msg != "ok" {
		t.Fatalf("new database: %s %v", msg, err)
	}
	// Foreign keys off for this one statement's sake, as if a writer had
	// skipped them: the check must still see the dangling link.
	if _, err := db.write.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.write.ExecContext(ctx, `INSERT INTO event_actors (event_id, actor_id, role, inter) VALUES (99, 98, 'side_a', '')`); err != nil {
		t.Fatal(err)
	}
	if msg, err := db.IntegrityCheck(ctx); err != nil || msg == "ok" {
		t.Errorf("orphan link not found: %s %v", msg, err)
	}
}

func TestIntegrityCheckRecountsAggregates(t *testing.T) {
	ctx := t.Context()
	db, err := Open(ctx, t.TempDir()+"/a.db")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	im, err := db.BeginImport(ctx, "ucdp", "1", "f.csv", "x", nil)
	if err != nil {
		t.Fatal(err)
	}
	e := &aftermath.Event{NativeID: "1", Year: 2020, DateStart: "2020-02-03", DateEnd: "2020-02-03", ViolenceType: "state-based",
		Country: "Mali", CountryGW: 432, DeathsBest: 4, Actors: []aftermath.EventActor{{Role: "side_a", Name: "Government of Mali"}}}
	if err := im.Add([]*aftermath.Event{e}); err != nil {
		t.Fatal(err)
	}
	if _, err := im.Commit(); err != nil {
		t.Fatal(err)
	}
	for _, table := range []string{"monthly_aggregates", "actor_monthly_aggregates"} {
		if msg, err := db.IntegrityCheck(ctx); err != nil || msg != "ok" {
			t.Fatalf("before tampering with %s: %s %v", table, msg, err)
		}
		if _, err := db.write.ExecContext(ctx, `UPDATE `+table+` SET deaths_best = deaths_best + 1`); err != nil {
			t.Fatal(err)
		}
		if msg, _ := db.IntegrityCheck(ctx); !strings.Contains(msg, table) {
			t.Errorf("a wrong %s passed the check: %q", table, msg)
		}
		db.write.ExecContext(ctx, `UPDATE `+table+` SET deaths_best = deaths_best - 1`)
	}
}

func TestAggregatesFlushedMidImport(t *testing.T) {
	defer func(n int) { maxPendingAggs = n }(maxPendingAggs)
	maxPendingAggs = 1 // write the aggregate changes after every batch
	ctx := t.Context()
	db, err := Open(ctx, t.TempDir()+"/a.db")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	mk := func(id, date, adm1 string, best int) *aftermath.Event {
		return &aftermath.Event{NativeID: id, Year: 2020, DateStart: date, DateEnd: date, ViolenceType: "one-sided",
			Country: "Mali", CountryGW: 432, Admin1: adm1, DeathsBest: best, DeathsCivilians: best,
			Actors: []aftermath.EventActor{{Role: "side_a", Name: "JNIM"}, {Role: "side_b", Name: "Civilians"}}}
	}
	for i, batches := range [][][]*aftermath.Event{
		{{mk("1", "2020-01-02", "Mopti", 3), mk("2", "2020-02-02", "Gao", 4)}, {mk("3", "2020-02-09", "Gao", 1)}},
		// Version 2 moves event 2 to March and to Kidal, and drops its deaths.
		{{mk("2", "2020-03-02", "Kidal", 0)}, {mk("4", "2020-03-05", "Kidal", 2)}},
	} {
		v := fmt.Sprint(i + 1)
		im, err := db.BeginImport(ctx, "ucdp", v, "f"+v+".csv", v, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range batches {
			if err := im.Add(b); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := im.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	if msg, err := db.IntegrityCheck(ctx); err != nil || msg != "ok" {
		t.Errorf("aggregates written in pieces: %s %v", msg, err)
	}
	var feb int
	db.read.QueryRowContext(ctx, `SELECT events FROM monthly_aggregates WHERE month = '2020-02' AND admin1 = 'Gao'`).Scan(&feb)
	if feb != 1 {
		t.Errorf("Gao February holds %d events after event 2 moved, want 1", feb)
	}
}
