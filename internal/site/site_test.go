package site

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestFileFor(t *testing.T) {
	for _, tc := range []struct{ path, query, want string }{
		{"/", "", "index.html"},
		{"/interventions/minusma", "", "interventions/minusma/index.html"},
		{"/interventions/minusma/", "", "interventions/minusma/index.html"},
		{"/ledger/claims.csv", "", "ledger/claims.csv"},
		{"/static/site.30c19898.css", "", "static/site.30c19898.css"},
		{"/briefs/x/brief.pdf", "", "briefs/x/brief.pdf"},
		{"/sources/12", "", "sources/12/index.html"},
		{"/interventions/minusma/monthly.csv", "outcome=deaths_best", "interventions/minusma/monthly.q-outcome-deaths_best-"},
		{"/interventions/minusma", "outcome=events", "interventions/minusma/index.q-outcome-events-"},
	} {
		got, err := FileFor(tc.path, tc.query)
		if err != nil || !strings.HasPrefix(got, tc.want) {
			t.Errorf("FileFor(%q, %q) = %q, %v; want %q…", tc.path, tc.query, got, err, tc.want)
		}
	}
	a, _ := FileFor("/x.csv", "a=1&b=2")
	b, _ := FileFor("/x.csv", "a=1&b=3")
	if a == b || !strings.HasSuffix(a, ".csv") {
		t.Errorf("two queries, one file: %q %q", a, b)
	}
	if canonicalQuery("b=2&a=1&lang=fr") != "a=1&b=2" {
		t.Errorf("canonical query: %q", canonicalQuery("b=2&a=1&lang=fr"))
	}
	for _, bad := range []string{"/../etc/passwd", "/.git/config", "relative"} {
		if f, err := FileFor(bad, ""); err == nil {
			t.Errorf("FileFor(%q) = %q, want an error", bad, f)
		}
	}
}

func TestRel(t *testing.T) {
	for _, tc := range []struct{ from, to, want string }{
		{"en/index.html", "en/interventions/index.html", "interventions/index.html"},
		{"en/interventions/minusma/index.html", "en/index.html", "../../index.html"},
		{"en/interventions/minusma/index.html", "ar/interventions/minusma/index.html", "../../../ar/interventions/minusma/index.html"},
		{"en/interventions/minusma/index.html", "en/interventions/minusma/monthly.csv", "monthly.csv"},
		{"en/a/index.html", "en/a b/c%d.csv", "../a%20b/c%25d.csv"},
		{"en/index.html", "en/a:b/index.html", "./a:b/index.html"},
	} {
		if got := Rel(tc.from, tc.to); got != tc.want {
			t.Errorf("Rel(%q, %q) = %q, want %q", tc.from, tc.to, got, tc.want)
		}
	}
}

// A small site: links become relative, dead ones lose their <a>, forms,
// scripts and CSRF tokens go, the head gets the feed and og:url.
func TestBuildRewrites(t *testing.T) {
	mux := http.NewServeMux()
	page := func(title, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			c, _ := r.Cookie("lang")
			w.Write([]byte(`<!doctype html><html lang="` + c.Value + `"><head><title>` + title + `</title></head><body>` + body + `</body></html>`))
		}
	}
	mux.HandleFunc("GET /{$}", page("Home", `<a href="/things">Things</a> <a href="/login">Sign in</a> <a href="/?lang=fr">fr</a> <a href="/gone">gone</a>
<form method="post" action="/logout"><input type="hidden" name="csrf" value="RANDOM"><button>out</button></form><script>alert(1)</script>
<a href="https://example.org/">elsewhere</a> <a href="#top">top</a>`))
	mux.HandleFunc("GET /things", page("Things", `<a href="things/1.csv">csv</a> <a href="/things?sort=name">by name</a> <img src="/nothing.svg">`))
	mux.HandleFunc("GET /things/1.csv", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/csv")
		w.Write([]byte("# a comment\nmonth,events,note\n2023-01,4,a\n2023-02,,b\n"))
	})
	out := filepath.Join(t.TempDir(), "site")
	rep, err := Build(context.Background(), mux, Options{Out: out, BaseURL: "https://example.org/site", Langs: []string{"en", "fr"},
		Feed: []FeedEntry{{ID: "tag:x,2000:a", Title: "A brief", Path: "/things"}}})
	if err != nil {
		t.Fatal(err)
	}
	home, _ := os.ReadFile(filepath.Join(out, "en", "index.html"))
	for _, want := range []string{`href="things/index.html"`, `Sign in`, `href="../fr/index.html"`, `gone`, `href="https://example.org/"`, `href="#top"`,
		`<link rel="alternate" type="application/atom+xml" title="Aftermath" href="feed.atom"/>`, `<meta property="og:url" content="https://example.org/site/en/"/>`,
		`<meta property="og:title" content="Home"/>`, `og:locale`} {
		if !bytes.Contains(home, []byte(want)) {
			t.Errorf("home lacks %s:\n%s", want, home)
		}
	}
	for _, gone := range []string{"/login", "RANDOM", "<form", "<script", `href="/gone"`} {
		if bytes.Contains(home, []byte(gone)) {
			t.Errorf("home keeps %s:\n%s", gone, home)
		}
	}
	things, _ := os.ReadFile(filepath.Join(out, "en", "things", "index.html"))
	if !bytes.Contains(things, []byte(`href="1.csv"`)) || !bytes.Contains(things, []byte(`href="index.q-sort-name-`)) || bytes.Contains(things, []byte("<img")) {
		t.Errorf("things:\n%s", things)
	}
	pkg, _ := os.ReadFile(filepath.Join(out, "fr", "datapackage.json"))
	if !bytes.Contains(pkg, []byte(`"commentChar": "#"`)) || !bytes.Contains(pkg, []byte(`"type": "yearmonth"`)) || !bytes.Contains(pkg, []byte(`"type": "integer"`)) {
		t.Errorf("datapackage.json:\n%s", pkg)
	}
	feed, _ := os.ReadFile(filepath.Join(out, "en", "feed.atom"))
	if !bytes.Contains(feed, []byte(`<link rel="alternate" type="text/html" href="https://example.org/site/en/things/"></link>`)) ||
		!bytes.Contains(feed, []byte(`xml:lang="en"`)) {
		t.Errorf("feed:\n%s", feed)
	}
	chooser, _ := os.ReadFile(filepath.Join(out, "index.html"))
	if !bytes.Contains(chooser, []byte(`href="fr/index.html"`)) {
		t.Errorf("chooser:\n%s", chooser)
	}
	if rep.Pages != 6 || rep.Files != 14 || len(rep.Skipped) != 4 {
		t.Errorf("report: %+v", rep)
	}
	// A second run replaces the site; a directory that is not a site is refused.
	if _, err := Build(context.Background(), mux, Options{Out: out, Langs: []string{"en"}}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, "fr")); err == nil {
		t.Errorf("the previous site was not replaced")
	}
	other := t.TempDir()
	os.WriteFile(filepath.Join(other, "notes.txt"), []byte("mine"), 0o644)
	if _, err := Build(context.Background(), mux, Options{Out: other}); err == nil || !strings.Contains(err.Error(), "not a site") {
		t.Errorf("a directory with other files: %v", err)
	}
}
