package web_test

import (
	"compress/gzip"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"aftermath"
	"aftermath/internal/auth"
	"aftermath/internal/importer"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
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
	srv, err := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv.SetCacheTTL(0) // the page must change right after the import
	h := srv.Handler()
	res, body := get(t, h, "/")
	if res.StatusCode != 200 || !strings.Contains(body, "No data imported yet") {
		t.Fatalf("empty home: %d %s", res.StatusCode, body)
	}
	if _, err := importer.Import(context.Background(), db, "../importer/testdata/GEDEvent_v23_1.csv", importer.Options{Dataset: aftermath.DatasetUCDP}); err != nil {
		t.Fatal(err)
	}
	res, body = get(t, h, "/")
	for _, want := range []string{"UCDP Georeferenced Event Dataset", "GEDEvent_v23_1.csv", "23.1", "5 events stored", "CC BY 4.0"} {
		if !strings.Contains(body, want) {
			t.Errorf("home page lacks %q", want)
		}
	}
	_, body = get(t, h, "/events")
	for _, want := range []string{"1005", "2023-03-01", "<td>20</td><td>22</td><td>30</td>"} {
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
	_, body = get(t, h, "/events?country=Somalia")
	if !strings.Contains(body, "1004") || strings.Contains(body, ">1001</a></td>") {
		t.Errorf("country filter did not filter: %s", body)
	}
	// Text from the data is escaped, never interpreted.
	_, body = get(t, h, "/events?country=%3Cscript%3E")
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

func TestPagesInThreeLanguages(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	if _, err := importer.Import(context.Background(), db, "../importer/testdata/GEDEvent_v23_1.csv", importer.Options{Dataset: aftermath.DatasetUCDP}); err != nil {
		t.Fatal(err)
	}
	srv, _ := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	h := srv.Handler()
	for _, tc := range []struct {
		lang, accept, html, word string
	}{
		{"", "", `<html lang="en" dir="ltr">`, "Datasets"},
		{"fr", "", `<html lang="fr" dir="ltr">`, "Jeux de données"},
		{"ar", "", `<html lang="ar" dir="rtl">`, "مجموعات البيانات"},
		{"", "ar-EG,ar;q=0.9,en;q=0.5", `<html lang="ar" dir="rtl">`, "مجموعات البيانات"},
		{"", "fr-CA, en;q=0.5", `<html lang="fr" dir="ltr">`, "Jeux de données"},
	} {
		for _, path := range []string{"/", "/login", "/events", "/events?map=points", "/interventions", "/actors", "/places", "/places/MLI", "/sources"} {
			url := path
			if tc.lang != "" {
				url += map[bool]string{true: "&", false: "?"}[strings.Contains(url, "?")] + "lang=" + tc.lang
			}
			req := httptest.NewRequest("GET", url, nil)
			if tc.accept != "" {
				req.Header.Set("Accept-Language", tc.accept)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			body := rec.Body.String()
			if rec.Code != 200 || !strings.Contains(body, tc.html) {
				t.Errorf("%s lang=%q accept=%q: %d, no %s", path, tc.lang, tc.accept, rec.Code, tc.html)
			}
			if path == "/" && !strings.Contains(body, tc.word) {
				t.Errorf("%s lang=%q accept=%q: no %q", path, tc.lang, tc.accept, tc.word)
			}
			if tc.lang != "" && !strings.Contains(rec.Header().Get("Set-Cookie")+strings.Join(rec.Header().Values("Set-Cookie"), ";"), "lang="+tc.lang) {
				t.Errorf("?lang=%s was not remembered in a cookie", tc.lang)
			}
		}
	}
}

// TestTemplatesHaveNoLiteralText fails when a template shows words that do
// not come from the message catalog.
func TestTemplatesHaveNoLiteralText(t *testing.T) {
	files, err := filepath.Glob("templates/*.html")
	if err != nil || len(files) == 0 {
		t.Fatal("no templates", err)
	}
	actions := regexp.MustCompile(`(?s)\{\{.*?\}\}`)
	tags := regexp.MustCompile(`(?s)<[^>]*>`)
	words := regexp.MustCompile(`\p{L}{2,}`)
	for _, f := range files {
		b, _ := os.ReadFile(f)
		text := tags.ReplaceAllString(actions.ReplaceAllString(string(b), " "), " ")
		if w := words.FindAllString(text, -1); len(w) > 0 {
			t.Errorf("%s shows literal words %q; put them in internal/i18n/messages", f, w)
		}
	}
}

func TestPublicPagesAreCachedForAnonymousVisitors(t *testing.T) {
	h, db := fixtureServer(t)
	hash, _ := auth.HashPassword("a long enough password")
	u, _ := db.CreateUser(context.Background(), sqldb.NewUser{Email: "a@example.org", Name: "A", PasswordHash: hash, OrgSlug: "o", Role: "viewer"})
	sess, _ := auth.NewToken(auth.SessionPrefix)
	db.CreateSession(context.Background(), u.ID, auth.HashToken(sess), db.Now().Add(time.Hour))
	do := func(accept string, signedIn bool) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/interventions/test-mission", nil)
		req.Header.Set("Accept-Language", accept)
		if signedIn {
			req.AddCookie(&http.Cookie{Name: "aftermath_session", Value: sess})
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	first, second := do("en", false), do("en", false)
	if first.Header().Get("X-Cache") != "" || second.Header().Get("X-Cache") != "hit" || first.Body.String() != second.Body.String() {
		t.Errorf("second anonymous request: X-Cache %q", second.Header().Get("X-Cache"))
	}
	if second.Header().Get("Content-Security-Policy") == "" || len(second.Header().Values("Set-Cookie")) != 0 {
		t.Errorf("cached answer headers: %v", second.Header())
	}
	if fr := do("fr", false); fr.Header().Get("X-Cache") == "hit" || !strings.Contains(fr.Body.String(), `lang="fr"`) {
		t.Error("the French page came from the English cache entry")
	}
	if me := do("en", true); me.Header().Get("X-Cache") == "hit" || !strings.Contains(me.Body.String(), "A") {
		t.Error("a signed-in user got a cached page")
	}
}

func TestStaticAssetsAreHashedAndCachedForever(t *testing.T) {
	h, _ := fixtureServer(t)
	_, _, page := fetch(t, h, "/")
	m := regexp.MustCompile(`href="(/static/site\.[0-9a-f]{8}\.css)"`).FindStringSubmatch(page)
	if m == nil {
		t.Fatal("the page does not link a hashed stylesheet")
	}
	code, hd, css := fetch(t, h, m[1])
	if code != 200 || !strings.Contains(hd.Get("Cache-Control"), "immutable") || !strings.Contains(css, "font") || hd.Get("Content-Type") != "text/css; charset=utf-8" {
		t.Errorf("hashed asset: %d %q %q", code, hd.Get("Cache-Control"), hd.Get("Content-Type"))
	}
	if code, hd, _ := fetch(t, h, "/static/site.css"); code != 200 || hd.Get("Cache-Control") != "no-cache" {
		t.Errorf("plain name: %d %q", code, hd.Get("Cache-Control"))
	}
	if code, _, _ := fetch(t, h, "/static/site.00000000.css"); code != 404 {
		t.Errorf("unknown hash: %d", code)
	}
}

// TestStalePagesAreServedWhileOneRenders: a page past its time is served
// once more, marked stale, while a fresh one renders in the background;
// a page older than two lifetimes is rendered again before answering.
func TestStalePagesAreServedWhileOneRenders(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	srv, _ := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	const ttl = time.Second // wide enough for a slow CI machine to land in each window
	srv.SetCacheTTL(ttl)
	h := srv.Handler()
	state := func() string {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/sources", nil))
		if rec.Code != 200 {
			t.Fatalf("status %d", rec.Code)
		}
		return rec.Header().Get("X-Cache")
	}
	if s := state(); s != "" {
		t.Fatalf("first request: %q, want a rendering", s)
	}
	if s := state(); s != "hit" {
		t.Errorf("second request: %q, want hit", s)
	}
	time.Sleep(ttl + 100*time.Millisecond)
	if s := state(); s != "stale" {
		t.Errorf("after its time: %q, want stale", s)
	}
	deadline := time.Now().Add(5 * time.Second)
	for state() != "hit" { // the background rendering replaces it
		if time.Now().After(deadline) {
			t.Fatal("the stale page was never rendered afresh")
		}
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(2*ttl + 100*time.Millisecond)
	if s := state(); s != "" {
		t.Errorf("after two lifetimes: %q, want a rendering", s)
	}
}

// TestCachedPagesAreGzipped: anonymous pages from the cache go out
// compressed to browsers that take gzip, and decompress to the same page.
func TestCachedPagesAreGzipped(t *testing.T) {
	h, _ := fixtureServer(t)
	get := func(enc string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("GET", "/events", nil)
		if enc != "" {
			req.Header.Set("Accept-Encoding", enc)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	plain := get("").Body.String()
	zipped := get("gzip, deflate, br")
	if zipped.Header().Get("Content-Encoding") != "gzip" || !strings.Contains(zipped.Header().Get("Vary"), "Accept-Encoding") {
		t.Fatalf("cached page: encoding %q, vary %q", zipped.Header().Get("Content-Encoding"), zipped.Header().Get("Vary"))
	}
	size := zipped.Body.Len()
	zr, err := gzip.NewReader(zipped.Body)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(zr)
	if string(body) != plain {
		t.Error("the gzipped page differs from the plain one")
	}
	t.Logf("/events: %d bytes, %d gzipped", len(plain), size)
	if get("gzip;q=0").Header().Get("Content-Encoding") != "" {
		t.Error("gzip;q=0 got gzip")
	}
}
