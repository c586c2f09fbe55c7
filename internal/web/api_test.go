package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/auth"
	"aftermath/internal/importer"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// apiToken creates a user with a role and returns a personal API token.
func apiToken(t *testing.T, db *sqldb.DB, email, role string) string {
	t.Helper()
	hash, _ := auth.HashPassword("a long enough password")
	u, err := db.CreateUser(context.Background(), sqldb.NewUser{Email: email, Name: email, PasswordHash: hash, OrgSlug: "org", Role: role})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := auth.NewToken(auth.APITokenPrefix)
	if err := db.CreateAPIToken(context.Background(), u.ID, "test", auth.HashToken(tok)); err != nil {
		t.Fatal(err)
	}
	return tok
}

func call(t *testing.T, h http.Handler, method, url, auth, body string) (int, string) {
	t.Helper()
	req := httptest.NewRequest(method, url, strings.NewReader(body))
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	b, _ := io.ReadAll(rec.Result().Body)
	return rec.Code, string(b)
}

func TestInterventionAPI(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		src := &aftermath.Source{Identifier: "S/RES/2100 (2013)", Title: "Resolution 2100 (2013)"}
		if err := db.CreateSource(context.Background(), src); err != nil {
			t.Fatal(err)
		}
		srv, err := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		h := srv.Handler()
		token := apiToken(t, db, "editor@example.org", aftermath.RoleEditor)
		viewer := apiToken(t, db, "viewer@example.org", aftermath.RoleViewer)
		body := `{"slug":"minusma","name":"MINUSMA","backers":[{"name":"United Nations"}],"partner_forces":[],
			"instruments":["troops"],"area":[{"country":"MLI"}],"phases":[{"start":"2013-07-01","end":"2023-12-31"}],
			"objectives":[],"citations":[{"field":"name","source_id":` + jsonNum(src.ID) + `,"confidence":"high"}]}`

		if code, out := call(t, h, "POST", "/api/v1/interventions", "", body); code != 401 || !strings.Contains(out, `"unauthorized"`) {
			t.Errorf("POST without token: %d %s", code, out)
		}
		if code, _ := call(t, h, "POST", "/api/v1/interventions", "aft_wrongtoken", body); code != 401 {
			t.Errorf("POST with a wrong token: %d", code)
		}
		if code, out := call(t, h, "POST", "/api/v1/interventions", viewer, body); code != 403 || !strings.Contains(out, `"forbidden"`) {
			t.Errorf("POST as a viewer: %d %s", code, out)
		}
		code, out := call(t, h, "POST", "/api/v1/interventions", token, body)
		if code != 201 {
			t.Fatalf("POST: %d %s", code, out)
		}
		var iv aftermath.Intervention
		if err := json.Unmarshal([]byte(out), &iv); err != nil || iv.ID == 0 || iv.Slug != "minusma" || len(iv.Citations) != 1 {
			t.Fatalf("created: %v %s", err, out)
		}
		id := jsonNum(iv.ID)
		if iv.Audience != aftermath.AudienceInternal {
			t.Errorf("a new intervention is %q, want internal until published", iv.Audience)
		}
		if code, out := call(t, h, "GET", "/api/v1/interventions", viewer, ""); code != 200 || !strings.Contains(out, `"slug": "minusma"`) {
			t.Errorf("GET list as a viewer: %d %s", code, out)
		}
		if code, out := call(t, h, "GET", "/api/v1/interventions", "", ""); code != 200 || strings.Contains(out, "minusma") {
			t.Errorf("GET list anonymously shows an internal record: %d %s", code, out)
		}
		if code, out := call(t, h, "GET", "/api/v1/interventions/"+id, "", ""); code != 404 || strings.Contains(out, "MINUSMA") {
			t.Errorf("GET an internal record anonymously: %d %s", code, out)
		}
		if code, out := call(t, h, "POST", "/api/v1/interventions", token, body); code != 409 || !strings.Contains(out, `"conflict"`) {
			t.Errorf("POST duplicate: %d %s", code, out)
		}
		if code, out := call(t, h, "POST", "/api/v1/interventions", token, `{"slug":"x","colour":"red"}`); code != 400 || !strings.Contains(out, "colour") {
			t.Errorf("POST unknown field: %d %s", code, out)
		}
		upd := strings.Replace(body, `"name":"MINUSMA"`, `"name":"MINUSMA (UN)"`, 1)
		if code, out := call(t, h, "PUT", "/api/v1/interventions/"+id, token, upd); code != 200 || !strings.Contains(out, "MINUSMA (UN)") {
			t.Errorf("PUT: %d %s", code, out)
		}
		if code, _ := call(t, h, "PUT", "/api/v1/interventions/"+id, "", upd); code != 401 {
			t.Errorf("PUT without token: %d", code)
		}
		if code, _ := call(t, h, "DELETE", "/api/v1/interventions/"+id, viewer, ""); code != 403 {
			t.Errorf("DELETE as a viewer: %d", code)
		}
		if code, out := call(t, h, "GET", "/api/v1/interventions/"+id, viewer, ""); code != 200 || !strings.Contains(out, "MINUSMA (UN)") {
			t.Errorf("GET one: %d %s", code, out)
		}
		pub := strings.Replace(upd, `"slug":"minusma"`, `"slug":"minusma","audience":"public"`, 1)
		if code, out := call(t, h, "PUT", "/api/v1/interventions/"+id, token, pub); code != 200 || !strings.Contains(out, `"audience": "public"`) {
			t.Errorf("PUT to publish: %d %s", code, out)
		}
		if code, out := call(t, h, "GET", "/api/v1/interventions/"+id, "", ""); code != 200 || !strings.Contains(out, "MINUSMA (UN)") {
			t.Errorf("GET a published record anonymously: %d %s", code, out)
		}
		if code, _ := call(t, h, "DELETE", "/api/v1/interventions/"+id, token, ""); code != 204 {
			t.Errorf("DELETE: %d", code)
		}
		if code, out := call(t, h, "GET", "/api/v1/interventions/"+id, "", ""); code != 404 || !strings.Contains(out, `"not_found"`) {
			t.Errorf("GET deleted: %d %s", code, out)
		}
		if code, _ := call(t, h, "GET", "/api/v1/interventions/abc", "", ""); code != 404 {
			t.Errorf("GET bad id: %d", code)
		}
	})
}

func jsonNum(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestImpactAPI(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	ctx := context.Background()
	if _, err := importer.Import(ctx, db, "../importer/testdata/GEDEvent_v23_1.csv", importer.Options{Dataset: aftermath.DatasetUCDP}); err != nil {
		t.Fatal(err)
	}
	iv := &aftermath.Intervention{Audience: aftermath.AudiencePublic, Slug: "x", Name: "X", Area: []aftermath.AreaRef{{Country: "MLI"}},
		Phases: []aftermath.Phase{{Start: "2023-02-01"}}}
	if err := db.CreateIntervention(ctx, aftermath.System, iv); err != nil {
		t.Fatal(err)
	}
	srv, _ := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	h := srv.Handler()
	code, out := call(t, h, "GET", "/api/v1/interventions/"+jsonNum(iv.ID)+"/impact?method=summary&outcome=deaths_best", "", "")
	if code != 200 {
		t.Fatalf("impact: %d %s", code, out)
	}
	var rep struct {
		Window [2]string
		Series []struct {
			Month string
			Total int64
		}
		Summary []struct {
			Name  string
			Total int64
		}
		Method string
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	// Mali: 7 + 12 best deaths in January, 10 in February, none from March
	// on: release 23.1 covers the whole of 2023, so those months are
	// covered and really without deaths.
	if rep.Window != [2]string{"2023-01", "2023-12"} || len(rep.Series) != 12 || rep.Series[0].Total != 19 || rep.Series[1].Total != 10 ||
		rep.Series[2].Total != 0 || rep.Method == "" || len(rep.Summary) != 2 || rep.Summary[0].Total != 19 {
		t.Errorf("report: %+v", rep)
	}
	if code, out := call(t, h, "GET", "/api/v1/interventions/"+jsonNum(iv.ID)+"/impact?method=magic", "", ""); code != 400 || !strings.Contains(out, "magic") {
		t.Errorf("bad method: %d %s", code, out)
	}
	if code, _ := call(t, h, "GET", "/api/v1/interventions/999/impact", "", ""); code != 404 {
		t.Errorf("missing intervention: %d", code)
	}
}
