package web_test

// Tests for the issue "One shape for every capability": what an attacker
// found by trying the software (the cache after an audience is narrowed,
// bodies read before a CSRF refusal, cacheable internal pages, invitation
// links from the Host header, the codebook page for admins).

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"aftermath"
	"aftermath/internal/auth"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
	"aftermath/internal/web"
)

// signIn creates a user of org "org" with a role and a session for them.
func signIn(t *testing.T, db *sqldb.DB, email, role string) (string, *aftermath.User) {
	t.Helper()
	hash, _ := auth.HashPassword("a long enough password")
	u, err := db.CreateUser(context.Background(), sqldb.NewUser{Email: email, Name: email, PasswordHash: hash, OrgSlug: "org", Role: role})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := auth.NewToken(auth.SessionPrefix)
	if err := db.CreateSession(context.Background(), u.ID, auth.HashToken(tok), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	return tok, u
}

// getAs fetches a page with a session cookie (none when session is "").
func getAs(h http.Handler, path, session string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	if session != "" {
		req.AddCookie(&http.Cookie{Name: "aftermath_session", Value: session})
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// The codebook page renders whole for an admin, with a form per theme.
func TestThemesPageRendersForAdmins(t *testing.T) {
	h, db := fixtureServer(t)
	ctx := context.Background()
	sess, admin := signIn(t, db, "admin-themes@example.org", aftermath.RoleAdmin)
	v, err := db.Viewer(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	th := &aftermath.Theme{Slug: "water-access", NameEN: "Access to water", NameFR: "Accès à l’eau", Description: "wells, pumps"}
	if err := db.CreateTheme(ctx, v, th); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "fr", "ar"} {
		rec := getAs(h, "/voices/themes?lang="+lang, sess)
		body := rec.Body.String()
		if rec.Code != http.StatusOK {
			t.Fatalf("/voices/themes as admin (%s): %d", lang, rec.Code)
		}
		for _, want := range []string{`name="id" value="` + jsonNum(th.ID) + `"`, `formaction="/voices/themes/` + jsonNum(th.ID) + `/delete"`,
			`name="description" value="wells, pumps"`, `name="slug" dir="ltr" pattern=`, "</html>"} {
			if !strings.Contains(body, want) {
				t.Errorf("/voices/themes as admin (%s) lacks %q", lang, want)
			}
		}
	}
	// A reader sees the table and no forms.
	sess2, _ := signIn(t, db, "reader-themes@example.org", aftermath.RoleViewer)
	rec := getAs(h, "/voices/themes", sess2)
	if body := rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(body, "water-access") || strings.Contains(body, `formaction=`) || !strings.Contains(body, "</html>") {
		t.Errorf("/voices/themes as reader: %d", rec.Code)
	}
}

// countingBody is a request body of a few megabytes, made as it is read,
// that counts how much of it the server read.
type countingBody struct {
	r    io.Reader
	read int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += int64(n)
	return n, err
}

const bigBody = 5 << 20

// multipartBig is a multipart form whose first field is csrf (when not
// "") followed by a file of bigBody bytes.
func multipartBig(csrf string) (*countingBody, string) {
	const boundary = "xXxBOUNDARYxXx"
	head := ""
	if csrf != "" {
		head += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + csrf + "\r\n"
	}
	head += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"dataset\"\r\n\r\nucdp\r\n"
	head += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\nContent-Type: text/csv\r\n\r\n"
	body := io.MultiReader(strings.NewReader(head), io.LimitReader(zeros{}, bigBody), strings.NewReader("\r\n--"+boundary+"--\r\n"))
	return &countingBody{r: body}, "multipart/form-data; boundary=" + boundary
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

// A form post without a valid token, from someone who may not post, or
// from another site, is refused before its body is read; one that may be
// read is capped.
func TestCSRFRefusesBeforeReadingTheBody(t *testing.T) {
	h, db := fixtureServer(t)
	admin, _ := signIn(t, db, "admin-csrf@example.org", aftermath.RoleAdmin)
	const forged = "0123456789abcdef0123456789abcdef0123"
	cases := []struct {
		name, path, session, cookie, field string
		header                             map[string]string
		maxRead                            int64
	}{
		{name: "anonymous upload without a cookie", path: "/datasets/upload"},
		{name: "anonymous upload with a forged cookie and token", path: "/datasets/upload", cookie: forged, field: forged},
		{name: "anonymous theme with a forged cookie and token", path: "/voices/themes", cookie: forged, field: forged},
		{name: "anonymous testimony with a forged cookie and token", path: "/testimonies", cookie: forged, field: forged},
		{name: "signed-in upload without a cookie", path: "/datasets/upload", session: admin, field: forged},
		{name: "signed-in upload from another site", path: "/datasets/upload", session: admin, cookie: forged, field: forged,
			header: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}},
		{name: "signed-in upload from another origin (older browser)", path: "/datasets/upload", session: admin, cookie: forged, field: forged,
			header: map[string]string{"Origin": "https://evil.example"}},
		{name: "signed-in upload with a header token that does not match", path: "/datasets/upload", session: admin, cookie: forged,
			header: map[string]string{"X-CSRF-Token": "ffffffffffffffffffffffffffffffffffff"}},
		{name: "sign-in without a cookie", path: "/login"},
		{name: "a participant's answers posted from another site", path: "/c/some-token", cookie: forged, field: forged,
			header: map[string]string{"Sec-Fetch-Site": "cross-site"}},
		// Sign-in is open to anonymous visitors: its body is read, but
		// capped well below what was sent.
		{name: "sign-in with a cookie and a wrong token", path: "/login", cookie: forged, field: "wrong", maxRead: 1<<20 + 64<<10},
		// A signed-in form without its own cap gets the default one.
		{name: "signed-in theme with a wrong token", path: "/voices/themes", session: admin, cookie: forged, field: "wrong", maxRead: 1<<20 + 64<<10},
	}
	for _, c := range cases {
		body, ctype := multipartBig(c.field)
		req := httptest.NewRequest("POST", c.path, body)
		req.Header.Set("Content-Type", ctype)
		if c.session != "" {
			req.AddCookie(&http.Cookie{Name: "aftermath_session", Value: c.session})
		}
		if c.cookie != "" {
			req.AddCookie(&http.Cookie{Name: "aftermath_csrf", Value: c.cookie})
		}
		for k, v := range c.header {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden && rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("%s: %d, want 403", c.name, rec.Code)
		}
		if body.read > c.maxRead {
			t.Errorf("%s: the server read %d bytes of the body before refusing it (at most %d)", c.name, body.read, c.maxRead)
		}
	}
	// What is allowed still works: a signed-in admin's form with the
	// token, in the body or in the X-CSRF-Token header.
	for i, inHeader := range []bool{false, true} {
		form := url.Values{"slug": {"csrf-ok-" + jsonNum(int64(i))}, "name_en": {"Allowed"}}
		if !inHeader {
			form.Set("csrf", forged)
		}
		req := httptest.NewRequest("POST", "/voices/themes", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if inHeader {
			req.Header.Set("X-CSRF-Token", forged)
		}
		req.AddCookie(&http.Cookie{Name: "aftermath_session", Value: admin})
		req.AddCookie(&http.Cookie{Name: "aftermath_csrf", Value: forged})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther {
			t.Errorf("a same-origin theme form with the token (header %v): %d %s", inHeader, rec.Code, rec.Body.String())
		}
	}
}

// TestSignedInAnswersAreNotStored walks every route as each role, signed
// in with a session and with an API token: every answer but the static
// files must say Cache-Control: no-store, private, so that no shared
// cache (a proxy, a library's computer) keeps an internal page, an export
// or an API answer. Anonymous visitors' public pages keep their caching;
// the sign-in form and a participant's link are never stored.
func TestSignedInAnswersAreNotStored(t *testing.T) {
	_, db := fixtureServer(t)
	srv, err := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	ctx := context.Background()
	iv, err := db.FindIntervention(ctx, aftermath.System, "test-mission")
	if err != nil {
		t.Fatal(err)
	}
	testimonyID := publishedTestimony(t, srv, db)
	ledgerIDs := ledgerRouteIDs(t, db)
	actor, err := db.ActorByAlias(ctx, "ucdp", "Government of Mali")
	if err != nil {
		t.Fatal(err)
	}
	job := &sqldb.Job{Dataset: "ucdp", FilePath: "/nonexistent/f.csv", FileName: "f.csv"}
	if err := db.CreateJob(ctx, job); err != nil {
		t.Fatal(err)
	}
	type principal struct{ name, session, token string }
	var people []principal
	for _, role := range aftermath.Roles {
		sess, _ := signIn(t, db, "nostore-"+role+"@example.org", role)
		people = append(people, principal{name: role + " (session)", session: sess},
			principal{name: role + " (token)", token: apiToken(t, db, "nostore-token-"+role+"@example.org", role)})
	}
	consultID, inviteID, inviteToken := consultRouteFixture(t, db)
	isPrivate := func(hd http.Header) bool {
		cc := hd.Get("Cache-Control")
		return strings.Contains(cc, "no-store") && strings.Contains(cc, "private")
	}
	checked, cachedPages := 0, 0
	for _, rt := range srv.Routes() {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		if method != "GET" || strings.HasPrefix(path, "/static/") || path == "/healthz" {
			continue // the same for everyone, and long cached (static.go)
		}
		id := jsonNum(iv.ID)
		switch {
		case strings.HasPrefix(path, "/jobs/"):
			id = jsonNum(job.ID)
		case strings.HasPrefix(path, "/actors/"):
			id = jsonNum(actor.ID)
		case strings.HasPrefix(path, "/sources/"):
			id = jsonNum(iv.Citations[0].SourceID)
		case strings.HasPrefix(path, "/testimonies/"):
			id = jsonNum(testimonyID)
			path = strings.Replace(path, "{att}", "1", 1)
		case strings.HasPrefix(path, "/consultations/") || strings.HasPrefix(path, "/c/"):
			id = jsonNum(consultID)
			path = strings.NewReplacer("{inv}", jsonNum(inviteID), "{token}", inviteToken).Replace(path)
		}
		for prefix, n := range ledgerIDs {
			if strings.HasPrefix(path, prefix) {
				id = jsonNum(n)
			}
		}
		path = strings.NewReplacer("{$}", "", "{slug}", "test-mission", "{id}", id, "{iso3}", "MLI").Replace(path)
		for _, p := range people {
			if p.token != "" && !strings.HasPrefix(path, "/api/") {
				continue
			}
			req := httptest.NewRequest(method, path, nil)
			if p.session != "" {
				req.AddCookie(&http.Cookie{Name: "aftermath_session", Value: p.session})
			}
			if p.token != "" {
				req.Header.Set("Authorization", "Bearer "+p.token)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			checked++
			if !isPrivate(rec.Header()) {
				t.Errorf("%s as %s: %d with Cache-Control %q, want no-store, private", path, p.name, rec.Code, rec.Header().Get("Cache-Control"))
			}
		}
		// Anonymous visitors: the sign-in form and a participant's link
		// are private; public pages are not marked so.
		rec := getAs(h, path, "")
		switch {
		case path == "/login" || strings.HasPrefix(path, "/c/"):
			if !isPrivate(rec.Header()) {
				t.Errorf("%s as anonymous: Cache-Control %q, want no-store, private", path, rec.Header().Get("Cache-Control"))
			}
		case rt.Access == web.Public && rec.Code == http.StatusOK:
			// A page the page cache serves stays cacheable.
			if again := getAs(h, path, ""); again.Header().Get("X-Cache") != "" {
				cachedPages++
				if strings.Contains(again.Header().Get("Cache-Control"), "no-store") || strings.Contains(rec.Header().Get("Cache-Control"), "no-store") {
					t.Errorf("%s as anonymous: a cached public page marked %q", path, again.Header().Get("Cache-Control"))
				}
			}
		}
	}
	// Refusals and form answers of signed-in users are private too.
	sess, _ := signIn(t, db, "nostore-post@example.org", aftermath.RoleAdmin)
	req := httptest.NewRequest("POST", "/voices/themes", strings.NewReader("slug=x"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "aftermath_session", Value: sess})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden || !isPrivate(rec.Header()) {
		t.Errorf("a refused form of a signed-in user: %d, Cache-Control %q", rec.Code, rec.Header().Get("Cache-Control"))
	}
	if checked < 50 || cachedPages < 8 {
		t.Errorf("only %d signed-in answers and %d cached public pages checked", checked, cachedPages)
	}
}

// twoServers opens one fresh database twice, as two serve processes behind
// a load balancer do, each with its own connections and web server; the
// servers share nothing but the database.
func twoServers(t *testing.T, driver string) (db1, db2 *sqldb.DB, servers []http.Handler) {
	t.Helper()
	ctx := context.Background()
	dsn := sqldbtest.DSN(t, driver)
	open := func() *sqldb.DB {
		db, err := sqldb.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	db1 = open()
	if _, err := db1.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	db2 = open()
	for _, db := range []*sqldb.DB{db1, db2} {
		srv, err := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
		if err != nil {
			t.Fatal(err)
		}
		servers = append(servers, srv.Handler())
	}
	return db1, db2, servers
}

// TestNarrowedAudienceLeavesEveryCache runs two servers on one database,
// as two serve processes behind a load balancer: once a record's audience
// is narrowed through the store, neither serves it from its page cache to
// an anonymous visitor.
func TestNarrowedAudienceLeavesEveryCache(t *testing.T) {
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			ctx := context.Background()
			db1, db2, servers := twoServers(t, driver)
			iv := &aftermath.Intervention{Audience: aftermath.AudiencePublic, Slug: "narrowed-mission", Name: "Narrowed mission",
				Backers: []aftermath.InterventionActor{{Name: "United Nations"}}, Instruments: []string{"troops"},
				Area: []aftermath.AreaRef{{Country: "MLI"}}, Phases: []aftermath.Phase{{Name: "Mandate", Start: "2023-02-01"}}}
			if err := db1.CreateIntervention(ctx, aftermath.System, iv); err != nil {
				t.Fatal(err)
			}
			page, list := "/interventions/narrowed-mission", "/interventions"
			for i, h := range servers {
				for range 2 {
					getAs(h, page, "")
					getAs(h, list, "")
				}
				if rec := getAs(h, page, ""); rec.Code != http.StatusOK || rec.Header().Get("X-Cache") != "hit" {
					t.Fatalf("server %d before: %d, X-Cache %q", i+1, rec.Code, rec.Header().Get("X-Cache"))
				}
				if rec := getAs(h, list, ""); !strings.Contains(rec.Body.String(), "Narrowed mission") || rec.Header().Get("X-Cache") != "hit" {
					t.Fatalf("server %d's list before: X-Cache %q", i+1, rec.Header().Get("X-Cache"))
				}
			}
			if err := db1.SetAudience(ctx, "intervention", iv.ID, sqldb.Placement{Audience: aftermath.AudienceInternal}); err != nil {
				t.Fatal(err)
			}
			for i, h := range servers {
				if rec := getAs(h, page, ""); rec.Code != http.StatusNotFound {
					t.Errorf("server %d after the audience was narrowed: %d (X-Cache %q), want 404", i+1, rec.Code, rec.Header().Get("X-Cache"))
				}
				if rec := getAs(h, list, ""); strings.Contains(rec.Body.String(), "Narrowed mission") {
					t.Errorf("server %d's list still names the narrowed record (X-Cache %q)", i+1, rec.Header().Get("X-Cache"))
				}
			}
			// Widened again, it comes back on both (and the pages are
			// cached again).
			if err := db2.SetAudience(ctx, "intervention", iv.ID, sqldb.Placement{Audience: aftermath.AudiencePublic}); err != nil {
				t.Fatal(err)
			}
			for i, h := range servers {
				getAs(h, page, "")
				if rec := getAs(h, page, ""); rec.Code != http.StatusOK || rec.Header().Get("X-Cache") != "hit" {
					t.Errorf("server %d after widening: %d, X-Cache %q", i+1, rec.Code, rec.Header().Get("X-Cache"))
				}
			}
		})
	}
}

// inviteWithHost makes an invitation link as an editor, sending a forged
// Host header, and returns the page.
func inviteWithHost(t *testing.T, baseURL string) string {
	t.Helper()
	db := sqldbtest.Open(t, sqldb.SQLite)
	sess, _ := signIn(t, db, "editor-link@example.org", aftermath.RoleEditor)
	id, _, _ := consultRouteFixture(t, db)
	srv, err := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if baseURL != "" {
		if err := srv.SetBaseURL(baseURL); err != nil {
			t.Fatal(err)
		}
	}
	h := srv.Handler()
	const csrf = "0123456789abcdef0123456789abcdef0123"
	form := url.Values{"org_name": {"Collectif de Gao"}, "csrf": {csrf}}
	req := httptest.NewRequest("POST", "/consultations/"+jsonNum(id)+"/invitations", strings.NewReader(form.Encode()))
	req.Host = "evil.example"
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "aftermath_session", Value: sess})
	req.AddCookie(&http.Cookie{Name: "aftermath_csrf", Value: csrf})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("invite: %d %s", rec.Code, rec.Body.String())
	}
	return rec.Body.String()
}

// Invitation links are built from the configured address, never from the
// Host header a request came with; without one the page says so.
func TestInvitationLinksUseTheConfiguredBaseURL(t *testing.T) {
	body := inviteWithHost(t, "https://consult.example.org/")
	if m := linkRE.FindStringSubmatch(body); m == nil || !strings.Contains(body, "https://consult.example.org/c/"+m[1]) {
		t.Errorf("no link on the configured address")
	}
	if strings.Contains(body, "evil.example") {
		t.Error("the forged Host header is in the page")
	}
	body = inviteWithHost(t, "")
	if strings.Contains(body, "evil.example") || strings.Contains(body, "localhost") {
		t.Error("without a base URL, the link was guessed from the request")
	}
	if m := linkRE.FindStringSubmatch(body); m == nil || !strings.Contains(body, "--base-url") {
		t.Error("without a base URL the page shows no link, or does not say how to configure the address")
	}
	srv, err := newServer(sqldbtest.Open(t, sqldb.SQLite), slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"http://consult.example.org", "consult.example.org", "https://", "https://user:pw@consult.example.org",
		"https://consult.example.org/?x=1", "https://consult.example.org/#f", "javascript:alert(1)", "https://consult.example.org/a b"} {
		if err := srv.SetBaseURL(bad); err == nil {
			t.Errorf("base URL %q accepted", bad)
		}
	}
	for _, good := range []string{"https://consult.example.org", "https://consult.example.org:8443/aftermath/", "http://localhost:8080"} {
		if err := srv.SetBaseURL(good); err != nil {
			t.Errorf("base URL %q refused: %v", good, err)
		}
	}
}
