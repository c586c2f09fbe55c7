// Package sqldbtest opens fresh, migrated databases for tests: a SQLite file
// in t.TempDir() and, when AFTERMATH_TEST_PG names a server, a PostgreSQL
// schema of its own that is dropped afterwards. CI sets AFTERMATH_TEST_PG,
// so a missing PostgreSQL fails there instead of being skipped.
package sqldbtest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"aftermath/internal/shareddata"
	"aftermath/internal/sqldb"
)

var schemaSeq atomic.Int64

// Each runs fn once per database: SQLite always, PostgreSQL when configured.
func Each(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			fn(t, Open(t, driver))
		})
	}
}

// DSN returns a data source name for a fresh database of the driver.
func DSN(t testing.TB, driver string) string {
	t.Helper()
	if driver == sqldb.SQLite {
		return filepath.Join(t.TempDir(), "test.db")
	}
	base := os.Getenv("AFTERMATH_TEST_PG")
	if base == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("AFTERMATH_TEST_PG is not set; CI must test PostgreSQL")
		}
		t.Skip("AFTERMATH_TEST_PG is not set; skipping PostgreSQL")
	}
	schema := fmt.Sprintf("t_%d_%d_%d", os.Getpid(), time.Now().UnixNano()%1e9, schemaSeq.Add(1))
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ctx := context.Background()
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("PostgreSQL at AFTERMATH_TEST_PG: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("pgx", base)
		if err == nil {
			admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			admin.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Open returns a migrated database of the driver, closed when t ends.
func Open(t testing.TB, driver string) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), DSN(t, driver))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Whatever a test did, it must leave no dangling references (runs
	// before the Close above: cleanups run last-in first-out).
	t.Cleanup(func() {
		msg, err := db.IntegrityCheck(context.Background())
		if err != nil || msg != "ok" {
			t.Errorf("integrity check after the test: %s %v", msg, err)
		}
	})
	return db
}

// Reopen opens dsn again as another process would, with a pool of its
// own, migrated and closed when t ends.
func Reopen(t testing.TB, dsn string) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db
}

// SharedData returns the path of a file under ../shared/data; see
// shareddata.Path.
func SharedData(t testing.TB, rel string) string {
	t.Helper()
	return shareddata.Path(t, rel)
}

// Snapshot returns every row of the tables, sorted, as text, so tests can
// check an operation left the database exactly as it was.
func Snapshot(t testing.TB, db *sqldb.DB) string {
	t.Helper()
	s, err := db.Dump(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(s, "\n")
}
