package web_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/jobs"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// scrape reads GET /metrics into series → value, a series named as the
// text format writes it: name{label="value",…}.
func scrape(t *testing.T, h http.Handler, token string) map[string]float64 {
	t.Helper()
	req := httptest.NewRequest("GET", "/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+token)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") {
		t.Fatalf("GET /metrics with the token: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store, private" {
		t.Errorf("GET /metrics Cache-Control %q", cc)
	}
	series := map[string]float64{}
	sc := bufio.NewScanner(rec.Body)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("metrics line %q: %v", line, err)
		}
		series[line[:i]] = v
	}
	return series
}

// TestMetrics: /metrics answers only the configured token, and counts
// requests by route pattern (never the raw path), the page cache, the
// imports the job runner ran, the database pools and the Go runtime.
func TestMetrics(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		logs := slog.New(slog.NewTextHandler(io.Discard, nil))
		srv, err := newServer(db, logs)
		if err != nil {
			t.Fatal(err)
		}
		const token = "metrics-token-for-the-test"
		srv.SetMetricsToken(token)
		h := srv.Handler()
		get := func(path, authz string) *httptest.ResponseRecorder {
			req := httptest.NewRequest("GET", path, nil)
			if authz != "" {
				req.Header.Set("Authorization", authz)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			return rec
		}
		for _, authz := range []string{"", "Bearer wrong", "Bearer " + token + "x", token} {
			if rec := get("/metrics", authz); rec.Code != http.StatusUnauthorized || strings.Contains(rec.Body.String(), "aftermath_") {
				t.Errorf("GET /metrics with Authorization %q: %d, want 401 and no metrics", authz, rec.Code)
			}
		}

		// Two anonymous visits of one page: rendered once, then cached; a
		// missing page is rendered (and not kept) each time.
		for range 2 {
			if rec := get("/interventions/no-such-mission", ""); rec.Code != http.StatusNotFound {
				t.Fatalf("missing intervention: %d", rec.Code)
			}
			if rec := get("/events", ""); rec.Code != http.StatusOK {
				t.Fatalf("events: %d", rec.Code)
			}
		}
		// One import that succeeds and one that fails, run as the job
		// runner runs them.
		var counts aftermath.ImportCounts
		runner := &jobs.Runner{DB: db, Log: logs, Ended: func(dataset string, c aftermath.ImportCounts, err error) {
			if err == nil {
				counts = c
			}
			srv.Metrics().ImportDone(dataset, c, err)
		}}
		for _, file := range []string{"GEDEvent_v23_1.csv", "GEDEvent_v23_1_bad.csv"} {
			j := &sqldb.Job{Dataset: aftermath.DatasetUCDP, FilePath: "../importer/testdata/" + file, FileName: file}
			if err := db.CreateJob(ctx, j); err != nil {
				t.Fatal(err)
			}
			if ran, err := runner.RunOnce(ctx); !ran || err != nil {
				t.Fatalf("job %s: %v %v", file, ran, err)
			}
		}
		if counts.Read == 0 || counts.Inserted == 0 {
			t.Fatalf("the good import counted %+v", counts)
		}

		m := scrape(t, h, token)
		for series, want := range map[string]float64{
			`aftermath_http_request_duration_seconds_count{code="4xx",route="GET /interventions/{slug}"}`: 2,
			`aftermath_http_request_duration_seconds_count{code="2xx",route="GET /events"}`:               2,
			`aftermath_page_cache_requests_total{result="miss"}`:                                          3,
			`aftermath_page_cache_requests_total{result="hit"}`:                                           1,
			`aftermath_imports_total{dataset="ucdp",outcome="done"}`:                                      1,
			`aftermath_imports_total{dataset="ucdp",outcome="failed"}`:                                    1,
			`aftermath_jobs_total{state="done"}`:                                                          1,
			`aftermath_jobs_total{state="failed"}`:                                                        1,
			`aftermath_import_rows_total{dataset="ucdp",rows="read"}`:                                     float64(counts.Read),
			`aftermath_import_rows_total{dataset="ucdp",rows="inserted"}`:                                 float64(counts.Inserted),
			// The scrape itself is in flight.
			`aftermath_http_requests_in_flight`: 1,
		} {
			if got, ok := m[series]; !ok || got != want {
				t.Errorf("%s = %v (present %v), want %v", series, got, ok, want)
			}
		}
		for series := range m {
			if strings.Contains(series, "no-such-mission") {
				t.Errorf("a raw path is a label: %s", series)
			}
		}
		pools := []string{"write"}
		if db.Driver == sqldb.SQLite {
			pools = append(pools, "read") // readers have a pool of their own
		}
		for _, p := range pools {
			if n, ok := m[`aftermath_db_open_connections{pool="`+p+`"}`]; !ok || n < 1 {
				t.Errorf("pool %s: %v open connections (present %v)", p, n, ok)
			}
		}
		for _, series := range []string{"go_goroutines", "process_cpu_seconds_total"} {
			if _, ok := m[series]; !ok {
				t.Errorf("no %s", series)
			}
		}
	})
}

// TestReadyz: ready while the database answers, 503 once it does not.
// The database is its own, not sqldbtest.Open's, whose checks after the
// test need it open.
func TestReadyz(t *testing.T) {
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) { testReadyz(t, driver) })
	}
}

func testReadyz(t *testing.T, driver string) {
	db, err := sqldb.Open(context.Background(), sqldbtest.DSN(t, driver))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	srv, err := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	get := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/readyz", nil))
		return rec
	}
	if rec := get(); rec.Code != http.StatusOK || rec.Body.String() != "ready\n" {
		t.Errorf("open database: %d %q", rec.Code, rec.Body.String())
	}
	db.Close()
	if rec := get(); rec.Code != http.StatusServiceUnavailable || rec.Body.String() != "not ready\n" {
		t.Errorf("closed database: %d %q", rec.Code, rec.Body.String())
	}
	if rec := get(); rec.Header().Get("Cache-Control") != "no-store, private" {
		t.Errorf("Cache-Control %q", rec.Header().Get("Cache-Control"))
	}
}
