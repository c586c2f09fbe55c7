package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"aftermath/internal/jobs"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// claims records which jobs a runner's store handed out.
type claims struct {
	*sqldb.DB
	mu  *sync.Mutex
	got map[int64]int
}

func (c claims) ClaimJob(ctx context.Context) (*sqldb.Job, error) {
	j, err := c.DB.ClaimJob(ctx)
	if j != nil {
		c.mu.Lock()
		c.got[j.ID]++
		c.mu.Unlock()
	}
	return j, err
}

// Two servers on one PostgreSQL database, each with its own pool, share
// the queue: every job runs exactly once.
func TestTwoRunnersShareTheQueue(t *testing.T) {
	dsn := sqldbtest.DSN(t, sqldb.Postgres)
	ctx := context.Background()
	var dbs [2]*sqldb.DB
	for i := range dbs {
		dbs[i] = sqldbtest.Reopen(t, dsn)
	}
	// Files that are not there: each import fails at once, and a failed
	// job is final, so a second run would show as a second claim.
	const n = 40
	var ids []int64
	for i := range n {
		j := &sqldb.Job{Dataset: "ucdp", FilePath: filepath.Join(t.TempDir(), "missing.csv"), FileName: "missing.csv"}
		if err := dbs[i%2].CreateJob(ctx, j); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, j.ID)
	}
	var mu sync.Mutex
	got := map[int64]int{}
	var wg sync.WaitGroup
	for _, db := range dbs {
		r := &jobs.Runner{DB: claims{db, &mu, got}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		wg.Go(func() {
			for {
				ran, err := r.RunOnce(ctx)
				if err != nil {
					t.Error(err)
				}
				if !ran {
					return
				}
			}
		})
	}
	wg.Wait()
	for _, id := range ids {
		if got[id] != 1 {
			t.Errorf("job %d claimed %d times", id, got[id])
		}
		if j, err := dbs[0].Job(ctx, id); err != nil || j.State != "failed" {
			t.Errorf("job %d: %+v %v", id, j, err)
		}
	}
}

// A job whose server died (its heartbeat long past) is queued again and
// taken by another server; a job that beats is left to its server.
func TestStaleJobIsTakenAgain(t *testing.T) {
	dsn := sqldbtest.DSN(t, sqldb.Postgres)
	ctx := context.Background()
	dead, err := sqldb.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer dead.Close()
	if _, err := dead.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	live, err := sqldb.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	stale := &sqldb.Job{Dataset: "ucdp", FilePath: filepath.Join(t.TempDir(), "missing.csv"), FileName: "missing.csv"}
	beating := &sqldb.Job{Dataset: "ucdp", FilePath: filepath.Join(t.TempDir(), "missing.csv"), FileName: "missing.csv"}
	for _, j := range []*sqldb.Job{stale, beating} {
		if err := dead.CreateJob(ctx, j); err != nil {
			t.Fatal(err)
		}
	}
	// The dead server claimed the first job an hour ago and then beat no
	// more; another claimed the second just now.
	dead.Now = func() time.Time { return time.Now().UTC().Add(-time.Hour) }
	if j, err := dead.ClaimJob(ctx); err != nil || j.ID != stale.ID {
		t.Fatalf("claim: %+v %v", j, err)
	}
	if j, err := live.ClaimJob(ctx); err != nil || j.ID != beating.ID {
		t.Fatalf("claim: %+v %v", j, err)
	}
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	r := &jobs.Runner{DB: finishing{live, stop}, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	r.Run(runCtx) // returns once it finished a job
	if j, _ := live.Job(ctx, stale.ID); j.State != "failed" || j.Error == "" {
		t.Errorf("stale job after another server's run: %+v", j)
	}
	if j, _ := live.Job(ctx, beating.ID); j.State != "running" {
		t.Errorf("beating job: %+v", j)
	}
}

// finishing stops its runner once a job finished.
type finishing struct {
	*sqldb.DB
	stop func()
}

func (f finishing) FinishJob(ctx context.Context, id int64, summary string, err error) error {
	defer f.stop()
	return f.DB.FinishJob(ctx, id, summary, err)
}
