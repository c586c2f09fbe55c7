package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"aftermath"
	"aftermath/internal/auth"
	"aftermath/internal/importer"
	"aftermath/internal/jobs"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// TestUploadsStayInTheirOrganisation: with two organisations, an editor
// imports only into their own organisation's datasets (or unowned ones),
// the import refuses the rest even when queued behind the form's back,
// and a job page shows only to its uploader and their organisation's
// admins.
func TestUploadsStayInTheirOrganisation(t *testing.T) {
	ctx := context.Background()
	db := sqldbtest.Open(t, sqldb.SQLite)
	logs := slog.New(slog.NewTextHandler(io.Discard, nil))
	srv, _ := newServer(db, logs)
	srv.SetUploadDir(t.TempDir())
	h := srv.Handler()
	runner := &jobs.Runner{DB: db, Log: logs}
	sessions, users := map[string]string{}, map[string]*aftermath.User{}
	for _, p := range []struct{ name, org, role string }{
		{"alpha-editor", "alpha", aftermath.RoleEditor}, {"alpha-editor2", "alpha", aftermath.RoleEditor},
		{"alpha-admin", "alpha", aftermath.RoleAdmin}, {"alpha-researcher", "alpha", aftermath.RoleResearcher},
		{"beta-editor", "beta", aftermath.RoleEditor}, {"beta-admin", "beta", aftermath.RoleAdmin},
	} {
		hash, _ := auth.HashPassword("a long enough password")
		u, err := db.CreateUser(ctx, sqldb.NewUser{Email: p.name + "@example.org", Name: p.name, PasswordHash: hash, OrgSlug: p.org, Role: p.role})
		if err != nil {
			t.Fatal(err)
		}
		tok, _ := auth.NewToken(auth.SessionPrefix)
		db.CreateSession(ctx, u.ID, auth.HashToken(tok), time.Now().Add(time.Hour))
		sessions[p.name], users[p.name] = tok, u
	}
	alpha, _ := db.Organisation(ctx, "alpha")
	// Alpha owns both datasets: UCDP public (everyone sees it), ACLED
	// internal (only alpha sees it).
	for _, f := range []struct {
		dataset, file string
		place         sqldb.Placement
	}{
		{aftermath.DatasetUCDP, "../importer/testdata/GEDEvent_v23_1.csv", sqldb.Placement{Audience: aftermath.AudiencePublic, OwnerOrg: alpha.ID}},
		{aftermath.DatasetACLED, "../ingest/acled/testdata/hdx_2024-06-30.csv", sqldb.Placement{Audience: aftermath.AudienceInternal, OwnerOrg: alpha.ID}},
	} {
		if _, err := importer.Import(ctx, db, f.file, importer.Options{Dataset: f.dataset, Place: &f.place}); err != nil {
			t.Fatal(err)
		}
	}
	events := func() int64 {
		n, _, _ := db.CountEvents(ctx, sqldb.EventFilter{}, 0)
		return n
	}
	before := events()

	const csrf = "0123456789abcdef0123456789abcdef0123"
	post := func(who, dataset, file string) *httptest.ResponseRecorder {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("csrf", csrf)
		mw.WriteField("dataset", dataset)
		fw, _ := mw.CreateFormFile("file", file[strings.LastIndex(file, "/")+1:])
		data, _ := os.ReadFile(file)
		fw.Write(data)
		mw.Close()
		req := httptest.NewRequest("POST", "/datasets/upload", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.AddCookie(&http.Cookie{Name: "aftermath_csrf", Value: csrf})
		req.AddCookie(&http.Cookie{Name: "aftermath_session", Value: sessions[who]})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	get := func(who, path string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", path, nil)
		req.AddCookie(&http.Cookie{Name: "aftermath_session", Value: sessions[who]})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	const ged24, acled = "../importer/testdata/GEDEvent_v24_1.csv", "../ingest/acled/testdata/hdx_2024-06-30.csv"
	// Beta's editor sees alpha's UCDP but may not change it; alpha's ACLED
	// is hidden from them, so it is not found.
	if rec := post("beta-editor", aftermath.DatasetUCDP, ged24); rec.Code != http.StatusForbidden {
		t.Errorf("beta's upload into alpha's public dataset: %d", rec.Code)
	}
	if rec := post("beta-editor", aftermath.DatasetACLED, acled); rec.Code != http.StatusNotFound {
		t.Errorf("beta's upload into alpha's internal dataset: %d", rec.Code)
	}
	if ran, _ := runner.RunOnce(ctx); ran {
		t.Error("a refused upload was queued")
	}
	// Queued behind the form's back, the import itself refuses.
	// (In a directory of its own, as uploads are: the runner removes it.)
	copyPath := filepath.Join(t.TempDir(), "job-x", "hdx_2024-06-30.csv")
	os.MkdirAll(filepath.Dir(copyPath), 0o700)
	if data, err := os.ReadFile(acled); err != nil || os.WriteFile(copyPath, data, 0o600) != nil {
		t.Fatal(err)
	}
	sneaked := &sqldb.Job{Dataset: aftermath.DatasetACLED, FilePath: copyPath, FileName: "hdx_2024-06-30.csv", CreatedBy: users["beta-editor"].ID}
	if err := db.CreateJob(ctx, sneaked); err != nil {
		t.Fatal(err)
	}
	if ran, err := runner.RunOnce(ctx); !ran || err != nil {
		t.Fatal(ran, err)
	}
	if j, _ := db.Job(ctx, sneaked.ID); j.State != "failed" || j.Error != "no dataset acled" {
		t.Errorf("beta's job into alpha's dataset: %q %q", j.State, j.Error)
	}
	if n := events(); n != before {
		t.Errorf("events changed by refused imports: %d, were %d", n, before)
	}
	// Alpha's editor imports into alpha's dataset.
	rec := post("alpha-editor", aftermath.DatasetUCDP, ged24)
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/jobs/") {
		t.Fatalf("alpha's upload: %d", rec.Code)
	}
	jobURL := rec.Header().Get("Location")
	if ran, err := runner.RunOnce(ctx); !ran || err != nil {
		t.Fatal(ran, err)
	}
	if n := events(); n == before {
		t.Error("alpha's upload imported nothing")
	}
	// The job page: its uploader and alpha's admin; nobody else, as if
	// there were no such job.
	for who, want := range map[string]int{"alpha-editor": 200, "alpha-admin": 200, "alpha-editor2": 404, "alpha-researcher": 404,
		"beta-admin": 404, "beta-editor": 404} {
		rec := get(who, jobURL)
		if rec.Code != want {
			t.Errorf("%s reads alpha's job: %d, want %d", who, rec.Code, want)
		}
		if want == 404 && strings.Contains(rec.Body.String(), "GEDEvent_v24_1") {
			t.Errorf("%s sees the file name of alpha's job", who)
		}
	}
	if rec := get("alpha-admin", "/jobs/"+strconv.FormatInt(sneaked.ID, 10)); rec.Code != 404 || strings.Contains(rec.Body.String(), "hdx_2024-06-30") {
		t.Errorf("alpha's admin reads beta's job: %d", rec.Code)
	}
	if rec := get("beta-admin", "/jobs/"+strconv.FormatInt(sneaked.ID, 10)); rec.Code != 200 || !strings.Contains(rec.Body.String(), "hdx_2024-06-30") {
		t.Errorf("beta's admin reads beta's job: %d", rec.Code)
	}
}
