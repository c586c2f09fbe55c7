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
	"sync"
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
	return openChecked(t, DSN(t, driver))
}

// openChecked opens and migrates dsn, closing it when t ends after
// checking it holds no dangling references.
func openChecked(t testing.TB, dsn string) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), dsn)
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

// filled is a SQLite database built once per test binary: the bytes of
// its files after the build, or why the build failed.
type filled struct {
	once  sync.Once
	files map[string][]byte // "" for the main file, "-wal" for its log
	err   string
}

var (
	filledMu sync.Mutex
	filledBy = map[string]*filled{}
)

// FilledSQLite returns a migrated SQLite database of its own holding what
// fill put into one, fill running once per test binary for each name and
// later callers getting a copy of its files. Tests that read the same
// real releases pay for importing them once (under the race detector an
// import of two UCDP releases takes half a minute). fill must give the
// same content whoever calls it first; a fill that failed fails every
// caller of the name.
func FilledSQLite(t testing.TB, name string, fill func(t testing.TB, db *sqldb.DB)) *sqldb.DB {
	t.Helper()
	filledMu.Lock()
	f := filledBy[name]
	if f == nil {
		f = &filled{err: "the fill stopped before it ended"}
		filledBy[name] = f
	}
	filledMu.Unlock()
	f.once.Do(func() {
		path := filepath.Join(t.TempDir(), "fill.db")
		db, err := sqldb.Open(context.Background(), path)
		if err != nil {
			f.err = err.Error()
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Migrate(context.Background()); err != nil {
			f.err = err.Error()
			t.Fatal(err)
		}
		fill(t, db)
		if t.Failed() {
			f.err = "the fill failed in an earlier test"
			return
		}
		// Closing the last connection checkpoints the log; whatever is
		// left of it is copied too.
		if err := db.Close(); err != nil {
			f.err = err.Error()
			t.Fatal(err)
		}
		files := map[string][]byte{}
		for _, suffix := range []string{"", "-wal"} {
			b, err := os.ReadFile(path + suffix)
			if suffix != "" && os.IsNotExist(err) {
				continue
			}
			if err != nil {
				f.err = err.Error()
				t.Fatal(err)
			}
			files[suffix] = b
		}
		f.files, f.err = files, ""
	})
	if f.err != "" {
		t.Fatalf("filled database %s: %s", name, f.err)
	}
	path := filepath.Join(t.TempDir(), "test.db")
	for suffix, b := range f.files {
		if err := os.WriteFile(path+suffix, b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return openChecked(t, path)
}

// EachFilled is Each on databases filled first: on SQLite a copy of the
// one FilledSQLite keeps under name, on PostgreSQL filled afresh.
func EachFilled(t *testing.T, name string, fill func(t testing.TB, db *sqldb.DB), fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	t.Run(sqldb.SQLite, func(t *testing.T) { fn(t, FilledSQLite(t, name, fill)) })
	t.Run(sqldb.Postgres, func(t *testing.T) {
		db := Open(t, sqldb.Postgres)
		fill(t, db)
		fn(t, db)
	})
}
