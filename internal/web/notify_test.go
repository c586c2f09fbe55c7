package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"aftermath/internal/jobs"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// Two servers on one PostgreSQL, as two serve processes: an import run by
// the first (its job runner, as serve wires it) empties the second's
// cached pages through LISTEN/NOTIFY, long before their lifetime ends. An
// import moves no audience generation, so nothing else would.
func TestImportOnOneServerEmptiesTheOthersCache(t *testing.T) {
	dsn := sqldbtest.DSN(t, sqldb.Postgres)
	dbA, dbB := sqldbtest.Reopen(t, dsn), sqldbtest.Reopen(t, dsn)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	srvA, err := newServer(dbA, log)
	if err != nil {
		t.Fatal(err)
	}
	srvB, err := newServer(dbB, log)
	if err != nil {
		t.Fatal(err)
	}
	srvB.SetCacheTTL(time.Hour)
	hB := srvB.Handler()
	ctx, stop := context.WithCancel(context.Background())
	listening := make(chan struct{})
	go func() { dbB.ListenChanges(ctx, log, srvB.DropCachedPages); close(listening) }()
	defer func() { stop(); <-listening }()

	// The listener is up once a notification empties B's cache.
	cached := func(path string) *http.Response {
		getAs(hB, path, "")
		rec := getAs(hB, path, "")
		return rec.Result()
	}
	for ready := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		if cached("/sources").Header.Get("X-Cache") != "hit" {
			t.Fatal("B does not cache its pages")
		}
		if err := dbA.NotifyChanged(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(20 * time.Millisecond)
		if getAs(hB, "/sources", "").Header().Get("X-Cache") != "hit" {
			break
		}
		if time.Now().After(ready) {
			t.Fatal("B's listener heard no notification within 10 s")
		}
	}

	before := getAs(hB, "/events", "")
	if again := getAs(hB, "/events", ""); again.Header().Get("X-Cache") != "hit" || again.Body.String() != before.Body.String() {
		t.Fatalf("B does not keep /events: X-Cache %q", again.Header().Get("X-Cache"))
	}
	j := &sqldb.Job{Dataset: "ucdp", FilePath: "../importer/testdata/GEDEvent_v23_1.csv", FileName: "GEDEvent_v23_1.csv"}
	if err := dbA.CreateJob(ctx, j); err != nil {
		t.Fatal(err)
	}
	r := &jobs.Runner{DB: dbA, Log: log, Changed: srvA.ClearCache}
	if ran, err := r.RunOnce(ctx); !ran || err != nil {
		t.Fatalf("import: %v %v", ran, err)
	}
	if j, err := dbA.Job(ctx, j.ID); err != nil || j.State != "done" {
		t.Fatalf("import: %+v %v", j, err)
	}
	for changed := time.Now().Add(10 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		after := getAs(hB, "/events", "")
		if after.Body.String() != before.Body.String() {
			break
		}
		if time.Now().After(changed) {
			t.Fatalf("10 s after the import B still serves the /events page it kept (X-Cache %q)", after.Header().Get("X-Cache"))
		}
	}
}
