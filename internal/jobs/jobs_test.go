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
