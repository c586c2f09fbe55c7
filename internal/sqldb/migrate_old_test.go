package sqldb_test

// Temporary: proves the shared migrations build what the old per-dialect
// files built, before those files are deleted.

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

func oldMigrated(t *testing.T, driver string) (*sqldb.DB, *sql.DB) {
	t.Helper()
	dsn := sqldbtest.DSN(t, driver)
	name, src := "pgx", dsn
	if driver == sqldb.SQLite {
		name, src = "sqlite", "file:"+dsn+"?_pragma=foreign_keys(1)&_pragma=journal_mode(WAL)"
	}
	raw, err := sql.Open(name, src)
	if err != nil {
		t.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	t.Cleanup(func() { raw.Close() })
	ctx := context.Background()
	if _, err := raw.ExecContext(ctx, `CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join("migrations", driver, "*.sql"))
	sort.Strings(files)
	if len(files) != 14 {
		t.Fatalf("%d old files", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		tx, err := raw.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, string(b)); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		v := strings.TrimSuffix(filepath.Base(f), ".sql")
		if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations VALUES ('`+v+`', 'x')`); err != nil {
			t.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db, raw
}

var sqlComment = regexp.MustCompile(`--[^\n]*`)

// catalog lists what Schema does not: CHECKs, triggers, functions,
// sequences, identity details, SQLite's statement texts.
func catalogRows(t *testing.T, driver string, raw *sql.DB) (norm, exact []string) {
	t.Helper()
	ctx := context.Background()
	rows := func(q string) []string {
		r, err := raw.QueryContext(ctx, q)
		if err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		defer r.Close()
		cols, _ := r.Columns()
		var out []string
		for r.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := r.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var parts []string
			for _, v := range vals {
				parts = append(parts, fmt.Sprintf("%v:%s", v.Valid, v.String))
			}
			out = append(out, strings.Join(parts, " | "))
		}
		return out
	}
	if driver == sqldb.SQLite {
		exact = rows(`SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name`)
		for _, l := range exact {
			norm = append(norm, strings.Join(strings.Fields(sqlComment.ReplaceAllString(l, "")), " "))
		}
		for _, tb := range rows(`SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name`) {
			name := strings.TrimPrefix(tb, "true:")
			for _, l := range rows(`SELECT * FROM pragma_table_xinfo('` + name + `')`) {
				norm = append(norm, name+" col "+l)
			}
		}
		return norm, exact
	}
	var schema string
	raw.QueryRowContext(ctx, `SELECT current_schema()`).Scan(&schema)
	for _, q := range []string{
		`SELECT c.relname, c.relkind, c.relpersistence FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace ORDER BY 1`,
		`SELECT table_name, column_name, ordinal_position, data_type, column_default, is_nullable, is_identity, identity_generation,
			identity_start, identity_increment, character_maximum_length, numeric_precision, is_generated
			FROM information_schema.columns WHERE table_schema = current_schema() ORDER BY 1, 3`,
		`SELECT cl.relname, c.conname, c.contype, c.condeferrable, pg_get_constraintdef(c.oid) FROM pg_constraint c
			JOIN pg_class cl ON cl.oid = c.conrelid WHERE c.connamespace = current_schema()::regnamespace ORDER BY 1, 2`,
		`SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() ORDER BY 1, 2`,
		`SELECT c.relname, t.tgname, t.tgenabled, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
			WHERE c.relnamespace = current_schema()::regnamespace AND NOT t.tgisinternal ORDER BY 1, 2`,
		`SELECT p.proname, pg_get_functiondef(p.oid) FROM pg_proc p WHERE p.pronamespace = current_schema()::regnamespace ORDER BY 1`,
		`SELECT sequencename, data_type, start_value, increment_by, max_value FROM pg_sequences WHERE schemaname = current_schema() ORDER BY 1`,
	} {
		for _, l := range rows(q) {
			norm = append(norm, strings.ReplaceAll(l, schema+".", "S."))
		}
	}
	return norm, norm
}

func schemaDump(t *testing.T, raw *sql.DB) string {
	t.Helper()
	var schema string
	raw.QueryRowContext(context.Background(), `SELECT current_schema()`).Scan(&schema)
	base := os.Getenv("AFTERMATH_TEST_PG")
	out, err := exec.Command("pg_dump", "--schema-only", "--no-owner", "-n", schema, base).CombinedOutput()
	if err != nil {
		t.Fatalf("pg_dump: %v %s", err, out)
	}
	var keep []string
	for _, l := range strings.Split(strings.ReplaceAll(string(out), schema, "S"), "\n") {
		if strings.HasPrefix(l, "-- Dumped") || strings.HasPrefix(l, `\restrict`) || strings.HasPrefix(l, `\unrestrict`) {
			continue
		}
		keep = append(keep, l)
	}
	return strings.Join(keep, "\n")
}

func TestSharedMigrationsBuildWhatTheOldFilesBuilt(t *testing.T) {
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			oldDB, oldRaw := oldMigrated(t, driver)
			newDSN := sqldbtest.DSN(t, driver)
			newDB, err := sqldb.Open(ctx, newDSN)
			if err != nil {
				t.Fatal(err)
			}
			defer newDB.Close()
			if _, err := newDB.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			olds, err := oldDB.Schema(ctx)
			if err != nil {
				t.Fatal(err)
			}
			ns, err := newDB.Schema(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(olds, ns) {
				for name := range olds {
					if !reflect.DeepEqual(olds[name], ns[name]) {
						t.Errorf("table %s:\nold %+v\nnew %+v", name, olds[name], ns[name])
					}
				}
				t.Errorf("schemas differ: old %d tables, new %d", len(olds), len(ns))
			}
			t.Logf("Schema equal: %d tables", len(olds))
			pending, err := oldDB.Pending(ctx)
			if err != nil || len(pending) != 0 {
				t.Errorf("old-file database has pending %v %v", pending, err)
			}
			newRaw := rawOf(t, newDSN, driver)
			on, oe := catalogRows(t, driver, oldRaw)
			nn, ne := catalogRows(t, driver, newRaw)
			if !reflect.DeepEqual(on, nn) {
				t.Errorf("catalogs differ:\nold\n%s\nnew\n%s", strings.Join(on, "\n"), strings.Join(nn, "\n"))
			}
			t.Logf("catalog equal: %d entries", len(on))
			for i := range oe {
				if i < len(ne) && oe[i] != ne[i] {
					t.Logf("text differs (comments/white space only):\nold %q\nnew %q", oe[i], ne[i])
				}
			}
			if driver == sqldb.Postgres {
				if _, err := exec.LookPath("pg_dump"); err == nil {
					od, nd := schemaDump(t, oldRaw), schemaDump(t, newRaw)
					if od != nd {
						t.Errorf("pg_dump differs:\nold\n%s\nnew\n%s", od, nd)
					}
					t.Logf("pg_dump --schema-only equal: %d bytes", len(od))
				}
			}
		})
	}
}

// rawOf opens a plain connection to the database newDB uses.
func rawOf(t *testing.T, dsn, driver string) *sql.DB {
	t.Helper()
	name, src := "pgx", dsn
	if driver == sqldb.SQLite {
		name, src = "sqlite", "file:"+dsn+"?mode=ro"
	}
	raw, err := sql.Open(name, src)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	return raw
}
