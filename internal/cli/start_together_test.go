package cli_test

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// Processes started together on a new database (several servers behind one
// proxy, or seed run beside serve) all succeed, and the database ends as
// one process alone leaves it: migrated once, seeded once.
func TestSeedTogetherOnANewDatabase(t *testing.T) {
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			alone := sqldbtest.DSN(t, driver)
			if _, _, err := run(t, "seed", "--db", alone); err != nil {
				t.Fatal(err)
			}
			want := seededCounts(t, driver, alone)

			dsn := sqldbtest.DSN(t, driver)
			const n = 4
			errs := make([]error, n)
			outs := make([]string, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					// Real processes: each has its own pool and sessions, as
					// separate servers do.
					cmd := exec.Command(os.Args[0])
					cmd.Env = append(os.Environ(), "AFTERMATH_CLI_CHILD="+strings.Join([]string{"seed", "--db", dsn}, "\x1f"), "AFTERMATH_DB=")
					b, err := cmd.CombinedOutput()
					outs[i], errs[i] = string(b), err
				})
			}
			wg.Wait()
			added := 0
			for i, err := range errs {
				if err != nil {
					t.Errorf("process %d: %v\n%s", i, err, outs[i])
				}
				if strings.HasPrefix(outs[i], "catalog: 12 interventions added") {
					added++
				}
			}
			if added != 1 {
				t.Errorf("%d processes loaded the catalog, want exactly 1:\n%s", added, strings.Join(outs, "\n"))
			}
			if got := seededCounts(t, driver, dsn); got != want {
				t.Errorf("rows after %d processes together:\n%s\nafter one alone:\n%s", n, got, want)
			}
		})
	}
}

// seededCounts lists the row counts of the tables migrating and seeding
// fill, with the distinct migration versions.
func seededCounts(t *testing.T, driver, dsn string) string {
	t.Helper()
	name, src := "pgx", dsn
	if driver == sqldb.SQLite {
		name, src = "sqlite", "file:"+dsn+"?mode=ro"
	}
	db, err := sql.Open(name, src)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var b strings.Builder
	for _, q := range []string{
		"SELECT count(*) FROM schema_migrations",
		"SELECT count(DISTINCT version) FROM schema_migrations",
		"SELECT count(*) FROM interventions",
		"SELECT count(*) FROM sources",
		"SELECT count(*) FROM citations",
		"SELECT count(*) FROM decisions",
		"SELECT count(*) FROM inquiry_findings",
	} {
		var c int
		if err := db.QueryRowContext(context.Background(), q).Scan(&c); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		fmt.Fprintf(&b, "%s: %d\n", q, c)
	}
	return b.String()
}
