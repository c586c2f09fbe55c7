package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"aftermath"
	"aftermath/internal/importer"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
	"aftermath/internal/vault"
)

func fixtureServer(t *testing.T) (http.Handler, *sqldb.DB) {
	t.Helper()
	db := sqldbtest.Open(t, sqldb.SQLite)
	ctx := context.Background()
	for _, f := range []string{"GEDEvent_v23_1.csv", "GEDEvent_v24_1.csv"} {
		if _, err := importer.Import(ctx, db, "../importer/testdata/"+f, importer.Options{Dataset: aftermath.DatasetUCDP}); err != nil {
			t.Fatal(err)
		}
	}
	src := &aftermath.Source{Identifier: "S/RES/2100 (2013)", Title: "Resolution 2100 (2013)", URL: "https://undocs.org/S/RES/2100(2013)"}
	if err := db.CreateSource(ctx, src); err != nil {
		t.Fatal(err)
	}
	iv := &aftermath.Intervention{Audience: aftermath.AudiencePublic, Slug: "test-mission", Name: "Test mission <b>", Backers: []aftermath.InterventionActor{{Name: "United Nations"}},
		PartnerForces: []aftermath.InterventionActor{{Name: "Malian forces", Aliases: aftermath.DatedAliases{{Dataset: "ucdp", Name: "Government of Mali"}}}},
		Instruments:   []string{"troops"}, Area: []aftermath.AreaRef{{Country: "MLI"}},
		Phases:    []aftermath.Phase{{Name: "Mandate", Start: "2023-02-01"}},
		Citations: []aftermath.Citation{{Field: "name", SourceID: src.ID, Page: "para. 7", Confidence: "high"}}}
	if err := db.CreateIntervention(ctx, aftermath.System, iv); err != nil {
		t.Fatal(err)
	}
	srv, err := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	// A key, so testimony and consultation results can be read; tests that
	// store testimony directly open the store with fixtureKEK(db).
	kek, err := vault.GenerateKEK()
	if err != nil {
		t.Fatal(err)
	}
	fixtureKEKs.Store(db, kek)
	srv.SetVoices(db.Voices(kek))
	return srv.Handler(), db
}

// fixtureKEKs holds the key of each fixture server's database.
var fixtureKEKs sync.Map

// fixtureKEK is the key fixtureServer gave db's server.
func fixtureKEK(db *sqldb.DB) *vault.KEK {
	k, _ := fixtureKEKs.Load(db)
	return k.(*vault.KEK)
}

func fetch(t *testing.T, h http.Handler, url string) (int, http.Header, string) {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
	return rec.Code, rec.Header(), rec.Body.String()
}

func TestEventsExplorerAndDownloads(t *testing.T) {
	h, _ := fixtureServer(t)
	code, _, body := fetch(t, h, "/events?country=Mali&violence_type=one-sided")
	if code != 200 || !strings.Contains(body, ">1002</a></td>") || strings.Contains(body, ">1001</a></td>") || !strings.Contains(body, "1 matching events") {
		t.Errorf("filtered explorer: %d", code)
	}
	if !strings.Contains(body, "<svg") {
		t.Error("no map on the explorer")
	}
	code, _, body = fetch(t, h, "/events?actor=JNIM&deaths_min=10")
	if code != 200 || !strings.Contains(body, ">1002</a></td>") || !strings.Contains(body, ">1003</a></td>") || strings.Contains(body, ">1001</a></td>") {
		t.Errorf("actor and deaths filters: %d", code)
	}
	if code, _, _ := fetch(t, h, "/events?from=yesterday"); code != 400 {
		t.Errorf("bad date: %d", code)
	}
	code, hd, body := fetch(t, h, "/events.csv?country=Somalia")
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if code != 200 || err != nil || len(recs) != 4 || recs[0][2] != "event_id" || !strings.Contains(hd.Get("Content-Disposition"), "attachment") {
		t.Fatalf("CSV: %d %v %q", code, err, recs)
	}
	_, _, body = fetch(t, h, "/events.hxl.csv?country=Somalia")
	recs, _ = csv.NewReader(strings.NewReader(body)).ReadAll()
	if len(recs) != 5 || recs[1][3] != "#date+start" || recs[1][9] != "#geo+lat" || recs[1][13] != "#affected+killed" {
		t.Errorf("HXL: %q", recs[:2])
	}
	_, _, body = fetch(t, h, "/events.geojson?country=Mali")
	var fc struct {
		Type     string
		Features []struct {
			Geometry   struct{ Coordinates []float64 }
			Properties map[string]string
		}
	}
	// Newest first; GeoJSON puts longitude before latitude.
	if err := json.Unmarshal([]byte(body), &fc); err != nil || fc.Type != "FeatureCollection" || len(fc.Features) != 3 ||
		fc.Features[2].Properties["event_id"] != "1001" || fc.Features[2].Geometry.Coordinates[0] != -1.8667 ||
		fc.Features[2].Geometry.Coordinates[1] != 15.0167 || fc.Features[2].Properties["country"] != "Mali" {
		t.Errorf("GeoJSON: %v %s", err, body)
	}
}

func TestInterventionPages(t *testing.T) {
	h, _ := fixtureServer(t)
	code, _, body := fetch(t, h, "/interventions")
	if code != 200 || !strings.Contains(body, `href="/interventions/test-mission"`) || !strings.Contains(body, "Test mission &lt;b&gt;") {
		t.Errorf("list: %d", code)
	}
	for _, lang := range []string{"en", "fr", "ar"} {
		code, _, body = fetch(t, h, "/interventions/test-mission?lang="+lang)
		if code != 200 || strings.Count(body, "<svg") != 2 || !strings.Contains(body, "S/RES/2100 (2013)") || !strings.Contains(body, "para. 7") {
			t.Errorf("%s detail: %d, %d charts", lang, code, strings.Count(body, "<svg"))
		}
		if lang == "ar" && !strings.Contains(body, `direction="rtl"`) {
			t.Error("Arabic charts are not right to left")
		}
		if strings.Contains(body, "<script") {
			t.Error("a page carries script")
		}
		if len(body) > 150_000 {
			t.Errorf("%s intervention page weighs %d bytes", lang, len(body))
		}
	}
	if code, _, _ := fetch(t, h, "/interventions/nothing"); code != 404 {
		t.Errorf("missing intervention: %d", code)
	}
}

func TestSourcePagesListWhatCitesThem(t *testing.T) {
	h, db := fixtureServer(t)
	iv, _ := db.FindIntervention(context.Background(), aftermath.System, "test-mission")
	src := iv.Citations[0].SourceID
	code, _, body := fetch(t, h, "/sources")
	if code != 200 || !strings.Contains(body, "S/RES/2100 (2013)") {
		t.Errorf("sources: %d", code)
	}
	code, _, body = fetch(t, h, "/sources/"+jsonNum(src)+"?lang=fr")
	if code != 200 || !strings.Contains(body, `href="/interventions/test-mission"`) || !strings.Contains(body, "para. 7") || !strings.Contains(body, "Cité par") {
		t.Errorf("source page: %d", code)
	}
	_, _, body = fetch(t, h, "/interventions/test-mission")
	if !strings.Contains(body, `href="/sources/`+jsonNum(src)+`"`) {
		t.Error("the intervention's citation does not link to its source page")
	}
	if code, _, _ := fetch(t, h, "/sources/99999"); code != 404 {
		t.Errorf("missing source: %d", code)
	}
}

func TestActorPages(t *testing.T) {
	h, db := fixtureServer(t)
	code, _, body := fetch(t, h, "/actors?q=mali")
	if code != 200 || !strings.Contains(body, "Government of Mali") || strings.Contains(body, "Al-Shabaab") {
		t.Errorf("actor search: %d", code)
	}
	a, _ := db.ActorByAlias(context.Background(), "ucdp", "JNIM")
	code, _, body = fetch(t, h, "/actors/"+jsonNum(a.ID)+"?lang=ar")
	if code != 200 || !strings.Contains(body, "<svg") || !strings.Contains(body, `href="/events?dataset=ucdp&amp;actor=JNIM"`) || !strings.Contains(body, "جماعة مسلحة") {
		t.Errorf("actor page: %d", code)
	}
	if code, _, _ := fetch(t, h, "/actors/999999"); code != 404 {
		t.Errorf("missing actor: %d", code)
	}
}

func TestPlacePages(t *testing.T) {
	h, _ := fixtureServer(t)
	code, _, body := fetch(t, h, "/places")
	if code != 200 || !strings.Contains(body, `href="/places/MLI"`) || !strings.Contains(body, "<svg") {
		t.Fatalf("places: %d", code)
	}
	for lang, name := range map[string]string{"en": "Mali", "fr": "Mali", "ar": "مالي"} {
		code, _, body := fetch(t, h, "/places/MLI?lang="+lang)
		if code != 200 || !strings.Contains(body, "<h1>"+name+"</h1>") {
			t.Errorf("%s: %d, want the heading %q", lang, code, name)
		}
		// Two charts: the hexagon map and the monthly series; the admin-1
		// rows link to the explorer; the intervention in Mali is listed.
		if n := strings.Count(body, "<svg"); n != 2 {
			t.Errorf("%s: %d charts, want 2", lang, n)
		}
		if !strings.Contains(body, `/events?dataset=ucdp&amp;country=Mali&amp;admin1=`) || !strings.Contains(body, `href="/interventions/test-mission"`) {
			t.Errorf("%s: links missing", lang)
		}
	}
	for _, u := range []string{"/places/ZZZ", "/places/mli1", "/places/FRA"} {
		if code, _, _ := fetch(t, h, u); code != 404 {
			t.Errorf("%s: %d, want 404", u, code)
		}
	}
}
