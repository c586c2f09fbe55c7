package sqldb_test

import (
	"context"
	"sync"
	"testing"

	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// Claimers with pools of their own (as separate servers have) take jobs
// at once from one queue: every job is claimed, none twice, on each
// database.
func TestConcurrentClaimersTakeEachJobOnce(t *testing.T) {
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			dsn := sqldbtest.DSN(t, driver)
			const claimers, jobs = 4, 60
			dbs := make([]*sqldb.DB, claimers)
			for i := range dbs {
				dbs[i] = sqldbtest.Reopen(t, dsn)
			}
			for range jobs {
				if err := dbs[0].CreateJob(ctx, &sqldb.Job{Dataset: "ucdp", FilePath: "/nowhere/ged.csv", FileName: "ged.csv"}); err != nil {
					t.Fatal(err)
				}
			}
			var mu sync.Mutex
			claimed := map[int64]int{}
			var wg sync.WaitGroup
			for _, db := range dbs {
				wg.Go(func() {
					for {
						j, err := db.ClaimJob(ctx)
						if err != nil {
							t.Error(err)
							return
						}
						if j == nil {
							return
						}
						if j.State != "running" {
							t.Errorf("claimed job %d is %s", j.ID, j.State)
						}
						mu.Lock()
						claimed[j.ID]++
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if len(claimed) != jobs {
				t.Errorf("%d jobs claimed, want %d", len(claimed), jobs)
			}
			for id, n := range claimed {
				if n != 1 {
					t.Errorf("job %d claimed %d times", id, n)
				}
			}
		})
	}
}
