package web_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/sqldb"
)

// A public chart is served as a standalone SVG with its data credit and
// as a page other sites may frame; every other page still refuses to be
// framed, and an intervention the public may not see has no embed.
func TestChartsForOtherSites(t *testing.T) {
	h, db := fixtureServer(t)
	get := func(path string) *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		return rec
	}
	for _, kind := range []string{"monthly", "yearly"} {
		rec := get("/interventions/test-mission/" + kind + ".svg")
		body := rec.Body.String()
		if rec.Code != 200 || rec.Header().Get("Content-Type") != "image/svg+xml; charset=utf-8" ||
			!strings.HasPrefix(body, `<?xml version="1.0" encoding="UTF-8"?>`+"\n"+`<svg xmlns="http://www.w3.org/2000/svg"`) || !strings.Contains(body, "Uppsala Conflict Data Program") {
			t.Errorf("%s SVG: %d %q %.200s", kind, rec.Code, rec.Header().Get("Content-Type"), body)
		}
		rec = get("/embed/interventions/test-mission/" + kind + "?lang=ar")
		body = rec.Body.String()
		if rec.Code != 200 || !strings.Contains(body, `dir="rtl"`) || !strings.Contains(body, "<svg") || !strings.Contains(body, `href="/interventions/test-mission" target="_top"`) {
			t.Errorf("%s embed page: %d %.300s", kind, rec.Code, body)
		}
		if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "frame-ancestors *") || !strings.Contains(csp, "script-src 'none'") || rec.Header().Get("X-Frame-Options") != "" {
			t.Errorf("%s embed page may not be framed: %q %q", kind, csp, rec.Header().Get("X-Frame-Options"))
		}
		if strings.Contains(body, "<form") || strings.Contains(body, "<script") {
			t.Errorf("%s embed page carries a form or script", kind)
		}
	}
	if rec := get("/interventions/test-mission"); rec.Header().Get("X-Frame-Options") != "DENY" || !strings.Contains(rec.Header().Get("Content-Security-Policy"), "frame-ancestors 'none'") {
		t.Errorf("the intervention page may be framed: %v", rec.Header())
	}
	iv, err := db.FindIntervention(context.Background(), aftermath.System, "test-mission")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetAudience(context.Background(), "intervention", iv.ID, sqldb.Placement{Audience: aftermath.AudienceInternal}); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/interventions/test-mission/monthly.svg", "/embed/interventions/test-mission/yearly"} {
		if rec := get(path + "?fresh=1"); rec.Code != 404 {
			t.Errorf("%s of an internal intervention: %d", path, rec.Code)
		}
	}
}
