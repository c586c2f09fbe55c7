package sqldb_test

import (
	"context"
	"database/sql"
	"maps"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// TestExtraColumnsReadAsWritten imports events whose extra columns differ
// in names and contents (escapes, invalid UTF-8, empty cells) and reads
// each back as it was given, and reads an event stored in the object form
// that databases migrated from before 0024 hold the same way.
func TestExtraColumnsReadAsWritten(t *testing.T) {
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			dsn := sqldbtest.DSN(t, driver)
			db, err := sqldb.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			extras := map[string]map[string]string{
				"1": {"source_headline": "Quote \"here\"\nand\\there\ttab\r", "z": "\x01\x1f", "é": "Arabic: العربية"},
				"2": {"a": "plain"}, // a name the first layout lacks, and most names empty
				"3": nil,
				"4": {"source_headline": "Soldiers caught in Konna firefight", "a": "x"},
			}
			im, err := db.BeginImport(ctx, aftermath.DatasetUCDP, "1.0", "f.csv", "abc", nil)
			if err != nil {
				t.Fatal(err)
			}
			var batch []*aftermath.Event
			for _, id := range []string{"1", "2", "3", "4"} {
				e := ev(id, "Mali", 432, "Mopti")
				e.Extra = extras[id]
				batch = append(batch, e)
			}
			if err := im.Add(batch); err != nil {
				im.Rollback()
				t.Fatal(err)
			}
			if _, err := im.Commit(); err != nil {
				t.Fatal(err)
			}
			raw, err := sql.Open(map[string]string{sqldb.SQLite: "sqlite", sqldb.Postgres: "pgx"}[driver], dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer raw.Close()
			read := func(native string) map[string]string {
				t.Helper()
				var id int64
				if err := raw.QueryRowContext(ctx, `SELECT id FROM events WHERE native_id = '`+native+`'`).Scan(&id); err != nil {
					t.Fatal(err)
				}
				e, err := db.EventByID(ctx, aftermath.Anonymous, id)
				if err != nil {
					t.Fatal(err)
				}
				return e.Extra
			}
			for id, want := range extras {
				if got := read(id); !maps.Equal(got, want) {
					t.Errorf("event %s: extra %q, want %q", id, got, want)
				}
			}
			var stored string
			raw.QueryRowContext(ctx, `SELECT extra FROM events WHERE native_id = '2'`).Scan(&stored)
			if strings.Contains(stored, `"a"`) {
				t.Errorf("event 2 stores the column names: %s", stored)
			}
			if _, err := raw.ExecContext(ctx, `UPDATE events SET extra = '{"active_year":"1","source_headline":"Old form"}' WHERE native_id = '2'`); err != nil {
				t.Fatal(err)
			}
			if got := read("2"); !maps.Equal(got, map[string]string{"active_year": "1", "source_headline": "Old form"}) {
				t.Errorf("event in the object form: extra %q", got)
			}
		})
	}
}
