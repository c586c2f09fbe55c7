package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/importer"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
	"aftermath/internal/web"
)

func get(t *testing.T, h http.Handler, url string) (*http.Response, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
	res := rec.Result()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

func TestHomeListsDatasetsAndEvents(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	srv, err := web.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	res, body := get(t, h, "/")
	if res.StatusCode != 200 || !strings.Contains(body, "No data imported yet") {
		t.Fatalf("empty home: %d %s", res.StatusCode, body)
	}
	if _, err := importer.Import(context.Background(), db, "../importer/testdata/GEDEvent_v23_1.csv", importer.Options{Dataset: aftermath.DatasetUCDP}); err != nil {
		t.Fatal(err)
	}
	res, body = get(t, h, "/")
	for _, want := range []string{"UCDP Georeferenced Event Dataset", "GEDEvent_v23_1.csv", "23.1", "5 events stored", "1005", "2023-03-01", "20 / 22 / 30", "CC BY 4.0"} {
		if !strings.Contains(body, want) {
			t.Errorf("home page lacks %q", want)
		}
	}
	for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"} {
		if res.Header.Get(h) == "" {
			t.Errorf("no %s header", h)
		}
	}
	if !strings.Contains(res.Header.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("CSP = %s", res.Header.Get("Content-Security-Policy"))
	}
	_, body = get(t, h, "/?country=Somalia")
	if !strings.Contains(body, "1004") || strings.Contains(body, "<td>1001</td>") {
		t.Errorf("country filter did not filter: %s", body)
	}
	// Text from the data is escaped, never interpreted.
	_, body = get(t, h, "/?country=%3Cscript%3E")
	if strings.Contains(body, "<script>") {
		t.Error("filter value was not escaped")
	}
	if res, _ := get(t, h, "/healthz"); res.StatusCode != 200 {
		t.Errorf("healthz: %d", res.StatusCode)
	}
	if res, _ := get(t, h, "/nothing-here"); res.StatusCode != 404 {
		t.Errorf("unknown path: %d", res.StatusCode)
	}
}
