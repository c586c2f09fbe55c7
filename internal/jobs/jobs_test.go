package jobs_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"aftermath/internal/jobs"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

func upload(t *testing.T, fixture string) (string, string) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "job-1")
	os.MkdirAll(dir, 0o700)
	b, err := os.ReadFile("../importer/testdata/" + fixture)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, fixture)
	os.WriteFile(p, b, 0o600)
	return p, dir
}

func TestImportJobs(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		r := &jobs.Runner{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
		if ran, err := r.RunOnce(ctx); ran || err != nil {
			t.Fatalf("empty queue: %v %v", ran, err)
		}
		good, goodDir := upload(t, "GEDEvent_v23_1.csv")
		bad, _ := upload(t, "GEDEvent_v23_1_bad.csv")
		j1 := &sqldb.Job{Dataset: "ucdp", FilePath: good, FileName: "GEDEvent_v23_1.csv"}
		j2 := &sqldb.Job{Dataset: "ucdp", FilePath: bad, FileName: "GEDEvent_v23_1_bad.csv"}
		for _, j := range []*sqldb.Job{j1, j2} {
			if err := db.CreateJob(ctx, j); err != nil {
				t.Fatal(err)
			}
		}
		for range 2 {
			if ran, err := r.RunOnce(ctx); !ran || err != nil {
				t.Fatalf("run: %v %v", ran, err)
			}
		}
		got1, _ := db.Job(ctx, j1.ID)
		got2, _ := db.Job(ctx, j2.ID)
		if got1.State != "done" || got1.Summary != "ucdp 23.1: read 5, inserted 5, updated 0, unchanged 0, rejected 0" {
			t.Errorf("good job: %+v", got1)
		}
		if got2.State != "failed" || got2.Error != `GEDEvent_v23_1_bad.csv:3: column "best": "abc" is not a number` {
			t.Errorf("bad job: %q %q", got2.State, got2.Error)
		}
		if _, err := os.Stat(goodDir); !os.IsNotExist(err) {
			t.Error("the upload was kept after its import")
		}
		// A job whose server stopped mid-run is queued again once stale.
		good2, _ := upload(t, "GEDEvent_v24_1.csv")
		j3 := &sqldb.Job{Dataset: "ucdp", FilePath: good2, FileName: "GEDEvent_v24_1.csv"}
		db.CreateJob(ctx, j3)
		if c, _ := db.ClaimJob(ctx); c == nil || c.ID != j3.ID {
			t.Fatal("claim")
		}
		if n, _ := db.RequeueStaleJobs(ctx, time.Minute); n != 0 {
			t.Error("a live job was requeued")
		}
		db.Now = func() time.Time { return time.Now().Add(10 * time.Minute) }
		if n, _ := db.RequeueStaleJobs(ctx, time.Minute); n != 1 {
			t.Errorf("stale job requeued: %d", n)
		}
		if ran, err := r.RunOnce(ctx); !ran || err != nil {
			t.Fatal(err)
		}
		if got, _ := db.Job(ctx, j3.ID); got.State != "done" || !strings.Contains(got.Summary, "inserted 1, updated 2") {
			t.Errorf("rerun job: %+v", got)
		}
	})
}

// TestFailedJobsAreFinal: a job that failed (a bad file) stays failed when
// the runner starts again, and a job whose server keeps dying under it is
// queued again only a few times, then failed with a message.
func TestFailedJobsAreFinal(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		logs := slog.New(slog.NewTextHandler(io.Discard, nil))
		bad, badDir := upload(t, "GEDEvent_v23_1_bad.csv")
		j := &sqldb.Job{Dataset: "ucdp", FilePath: bad, FileName: "GEDEvent_v23_1_bad.csv"}
		if err := db.CreateJob(ctx, j); err != nil {
			t.Fatal(err)
		}
		r := &jobs.Runner{DB: db, Log: logs}
		if ran, err := r.RunOnce(ctx); !ran || err != nil {
			t.Fatal(ran, err)
		}
		failed, _ := db.Job(ctx, j.ID)
		if failed.State != "failed" {
			t.Fatalf("bad file: %+v", failed)
		}
		if _, err := os.Stat(badDir); !os.IsNotExist(err) {
			t.Error("the upload of a failed job was kept")
		}
		// Restarts, as after a crash: the failed job is not run again.
		db.Now = func() time.Time { return time.Now().Add(time.Hour) }
		for range 3 {
			restart(t, db, logs)
		}
		if got, _ := db.Job(ctx, j.ID); got.State != "failed" || got.Error != failed.Error {
			t.Errorf("a failed job after restarts: %q %q", got.State, got.Error)
		}

		// A job whose server dies under it every time (as one reading a
		// file too big for it would): claimed, never finished.
		good, _ := upload(t, "GEDEvent_v23_1.csv")
		k := &sqldb.Job{Dataset: "ucdp", FilePath: good, FileName: "GEDEvent_v23_1.csv"}
		db.CreateJob(ctx, k)
		for i := 0; i <= sqldb.MaxJobRestarts; i++ {
			db.Now = time.Now
			if c, err := db.ClaimJob(ctx); err != nil || c == nil || c.ID != k.ID {
				t.Fatalf("claim %d: %v %v", i, c, err)
			}
			db.Now = func() time.Time { return time.Now().Add(time.Hour) }
			n, err := db.RequeueStaleJobs(ctx, time.Minute)
			got, _ := db.Job(ctx, k.ID)
			switch {
			case err != nil:
				t.Fatal(err)
			case i < sqldb.MaxJobRestarts && (n != 1 || got.State != "queued"):
				t.Fatalf("restart %d: requeued %d, %q", i+1, n, got.State)
			case i == sqldb.MaxJobRestarts && (n != 0 || got.State != "failed" ||
				got.Error != "the server stopped during this import 4 times; it is not tried again"):
				t.Fatalf("restart %d: requeued %d, %q %q", i+1, n, got.State, got.Error)
			}
		}
		if c, _ := db.ClaimJob(ctx); c != nil {
			t.Errorf("job %d claimed after it failed", c.ID)
		}
	})
}

// restart starts a runner as a server does and stops it once it is idle.
func restart(t *testing.T, db *sqldb.DB, logs *slog.Logger) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	(&jobs.Runner{DB: db, Log: logs, Poll: 20 * time.Millisecond}).Run(ctx)
}
