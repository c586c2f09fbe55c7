package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/auth"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
	"aftermath/internal/web"
)

// TestEveryRouteForEveryRole walks every registered route as an anonymous
// visitor and as a member of each role, with a session and an API token,
// and checks the answer against the route's access class. A new route
// without a known class fails here.
func TestEveryRouteForEveryRole(t *testing.T) {
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
	// --- voices: a key, and a published testimony for /testimonies/{id}.
	testimonyID := publishedTestimony(t, srv, db)
	// --- end voices
	// --- ledger: public records for the ledger's /{kind}/{id} routes (ledger_test.go).
	ledgerIDs := ledgerRouteIDs(t, db)
	// --- end ledger
	publicBrief(t, db, "test-mission") // for /briefs/{slug} (briefs_test.go)
	siteLogo(t, db)                    // for /logo (settings_test.go)
	type principal struct {
		name, token, session string
		user                 *aftermath.User
	}
	people := []principal{{name: "anonymous"}}
	for _, role := range aftermath.Roles {
		tok := apiToken(t, db, role+"@example.org", role)
		u, _ := db.UserByEmail(ctx, role+"@example.org")
		sess, _ := auth.NewToken(auth.SessionPrefix)
		if err := db.CreateSession(ctx, u.ID, auth.HashToken(sess), db.Now().Add(3600e9)); err != nil {
			t.Fatal(err)
		}
		people = append(people, principal{name: role, token: tok, session: sess, user: u})
	}
	// The fixture's public mission belongs to the people's organisation, so
	// that its admin and editor may change it (a record without an owner
	// is changed by admins only).
	org, err := db.Organisation(ctx, "org")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.SetAudience(ctx, "intervention", iv.ID, sqldb.Placement{Audience: aftermath.AudiencePublic, OwnerOrg: org.ID}); err != nil {
		t.Fatal(err)
	}
	apiWritesFromAnotherOrganisation(t, h, db, srv.Routes(), iv)
	// Reads first, deletes last, so that writes do not remove what later
	// requests read.
	routes := srv.Routes()
	rank := map[string]int{"GET": 0, "POST": 1, "PUT": 2, "DELETE": 3}
	sort.SliceStable(routes, func(i, j int) bool {
		return rank[strings.Fields(routes[i].Pattern)[0]] < rank[strings.Fields(routes[j].Pattern)[0]]
	})
	if len(routes) < 15 {
		t.Fatalf("only %d routes registered", len(routes))
	}
	// --- consultations: an open public consultation owned by the people's
	// organisation, and a working link (consult_test.go).
	consultID, inviteID, inviteToken := consultRouteFixture(t, db)
	// --- end consultations
	// A job is seen by its uploader (the editor) and their organisation's admins only.
	uploader, _ := db.UserByEmail(ctx, "editor@example.org")
	job := &sqldb.Job{Dataset: "ucdp", FilePath: "/nonexistent/f.csv", FileName: "f.csv", CreatedBy: uploader.ID}
	if err := db.CreateJob(ctx, job); err != nil {
		t.Fatal(err)
	}
	body := `{"slug":"x-` + "%s" + `","name":"X","area":[{"country":"MLI"}],"phases":[{"start":"2020-01-01"}],"instruments":[],"objectives":[],"backers":[],"partner_forces":[],"citations":[]}`
	for _, rt := range routes {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		id := jsonNum(iv.ID)
		if strings.HasPrefix(path, "/jobs/") {
			id = jsonNum(job.ID)
		}
		if strings.HasPrefix(path, "/actors/") {
			a, err := db.ActorByAlias(ctx, "ucdp", "Government of Mali")
			if err != nil {
				t.Fatal(err)
			}
			id = jsonNum(a.ID)
		}
		if strings.HasPrefix(path, "/events/") || strings.HasPrefix(path, "/api/v1/events/") { // --- events explorer
			e, err := db.Event(ctx, aftermath.System, "ucdp", "1001")
			if err != nil {
				t.Fatal(err)
			}
			id = jsonNum(e.ID)
		}
		if strings.HasPrefix(path, "/sources/") {
			id = jsonNum(iv.Citations[0].SourceID)
		}
		if strings.HasPrefix(path, "/testimonies/") {
			id = jsonNum(testimonyID)
			path = strings.Replace(path, "{att}", "1", 1)
		}
		for prefix, n := range ledgerIDs { // --- ledger
			if strings.HasPrefix(path, prefix) {
				id = jsonNum(n)
			}
		}
		if strings.HasPrefix(path, "/consultations/") || strings.HasPrefix(path, "/c/") { // --- consultations
			id = jsonNum(consultID)
			path = strings.NewReplacer("{inv}", jsonNum(inviteID), "{token}", inviteToken).Replace(path)
		} // --- end consultations
		path = strings.NewReplacer("{$}", "", "{slug}", "test-mission", "{id}", id, "{iso3}", "MLI").Replace(path)
		if strings.HasSuffix(path, "/static/") {
			path += "site.css"
		}
		switch path { // --- money and arms: each needs its kind or country
		case "/api/v1/flows":
			path += "?kind=arms&by=supplier"
		case "/api/v1/funding":
			path += "?recipient=MLI"
		case "/search", "/api/v1/search": // --- search: words the fixture holds
			path += "?q=Mali"
		}
		for _, p := range people {
			var rb io.Reader
			if method == "POST" || method == "PUT" {
				rb = strings.NewReader(strings.Replace(body, "%s", p.name, 1))
			}
			req := httptest.NewRequest(method, path, rb)
			if p.token != "" {
				req.Header.Set("Authorization", "Bearer "+p.token)
				req.AddCookie(&http.Cookie{Name: "aftermath_session", Value: p.session})
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			code := rec.Code
			switch rt.Access {
			case web.Public:
				if strings.HasSuffix(path, "/eventstudy.csv") {
					// Without ?compare= there is no event study to give, whoever asks.
					if code != http.StatusBadRequest {
						t.Errorf("%s as %s without a comparison area: %d, want 400", rt.Pattern, p.name, code)
					}
					continue
				}
				if path == "/setup" {
					// Users exist, and there is no token: refused, whoever asks (internal/cli/setup_test.go).
					if code != http.StatusForbidden {
						t.Errorf("%s as %s once users exist: %d, want 403", rt.Pattern, p.name, code)
					}
					continue
				}
				if code != http.StatusOK {
					t.Errorf("%s as %s: %d, want 200", rt.Pattern, p.name, code)
				}
			case web.SignedIn:
				want := http.StatusOK
				switch {
				case p.user == nil:
					want = http.StatusSeeOther
				case strings.HasPrefix(path, "/jobs/") && !auth.Can(p.user, auth.ActionImport):
					want = http.StatusNotFound // another's job is not shown
				case path == "/audit" && !p.user.HasRole(aftermath.RoleAdmin):
					want = http.StatusForbidden // the audit log is for admins
				case path == "/admin/settings" && !p.user.HasRole(aftermath.RoleAdmin):
					want = http.StatusForbidden // and so are the site's settings
				case strings.Contains(path, "/attachments/"):
					want = http.StatusNotFound // only those who read the testimony's original, none of these people
				case path == "/consultations/new" && !auth.Can(p.user, auth.ActionConsult): // --- consultations
					want = http.StatusForbidden // only admins and editors start one
				}
				if code != want {
					t.Errorf("%s as %s: %d, want %d", rt.Pattern, p.name, code, want)
				}
			case web.Metrics:
				// The fixture sets no metrics token: not served, whoever asks
				// (internal/web/server/metrics_test.go tests the token).
				if code != http.StatusNotFound {
					t.Errorf("%s as %s without a metrics token configured: %d, want 404", rt.Pattern, p.name, code)
				}
			case web.Form:
				// No CSRF token in these requests: refused, whoever asks.
				if code != http.StatusForbidden {
					t.Errorf("%s as %s without CSRF token: %d, want 403", rt.Pattern, p.name, code)
				}
			default:
				want := http.StatusForbidden
				switch {
				case p.user == nil:
					want = http.StatusUnauthorized
				case auth.Can(p.user, rt.Access):
					want = 0 // allowed: any answer but 401/403
				}
				if want != 0 && code != want {
					t.Errorf("%s as %s: %d, want %d", rt.Pattern, p.name, code, want)
				}
				if want == 0 && (code == http.StatusUnauthorized || code == http.StatusForbidden || code >= 500) {
					t.Errorf("%s as %s (allowed): %d", rt.Pattern, p.name, code)
				}
			}
			if rt.Access != web.Public && rt.Access != web.Form && rt.Access != web.SignedIn && rt.Access != web.Metrics && !slicesContains(auth.Actions(), rt.Access) {
				t.Errorf("%s has access %q, which is no class and no action", rt.Pattern, rt.Access)
			}
		}
	}
}

func slicesContains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// apiWritesFromAnotherOrganisation aims every write endpoint of the API
// at the records of organisation "org" as the editor of another
// organisation, who passes the role check: an intervention they may see
// (the public one) answers 403, one they may not see (internal) 404, as
// if it did not exist, and neither changes — interventions (PUT, DELETE)
// and the ledger's recommendations (a status change) alike; what they
// create is their own organisation's, and they may not create a record
// for "org". A new API write endpoint fails here until it has
// an expectation.
func apiWritesFromAnotherOrganisation(t *testing.T, h http.Handler, db *sqldb.DB, routes []web.Route, public *aftermath.Intervention) {
	ctx := context.Background()
	outsider, _ := tokenIn(t, db, "editor@other.example", "other", aftermath.RoleEditor)
	hidden := &aftermath.Intervention{Slug: "org-internal", Name: "Org internal", Owner: "org", Audience: aftermath.AudienceInternal,
		Area: []aftermath.AreaRef{{Country: "MLI"}}, Phases: []aftermath.Phase{{Start: "2020-01-01"}}}
	if err := db.CreateIntervention(ctx, aftermath.System, hidden); err != nil {
		t.Fatal(err)
	}
	// The ledger records of "org": a public inquiry with a public and an
	// internal recommendation.
	inquiry := &aftermath.Inquiry{Body: aftermath.ActorRef{Name: "Org review board", Kind: aftermath.KindOrganisation}, Type: "un-panel",
		Title: "Org review", Date: "2016-07-06", Audience: aftermath.AudiencePublic, Owner: "org"}
	if err := db.CreateInquiry(ctx, aftermath.System, inquiry); err != nil {
		t.Fatal(err)
	}
	recs := map[aftermath.Audience]*aftermath.Recommendation{}
	for _, a := range []aftermath.Audience{aftermath.AudiencePublic, aftermath.AudienceInternal} {
		recs[a] = &aftermath.Recommendation{InquiryID: inquiry.ID, Number: "R " + string(a), Addressee: aftermath.ActorRef{Name: "Org ministry"},
			Text: "Org " + string(a) + " recommendation", Audience: a, Owner: "org"}
		if err := db.CreateRecommendation(ctx, aftermath.System, recs[a]); err != nil {
			t.Fatal(err)
		}
	}
	// The writer's own inquiry: a recommendation goes under an inquiry
	// only by that inquiry's own writers.
	ownInquiry := &aftermath.Inquiry{Body: aftermath.ActorRef{Name: "Other review board", Kind: aftermath.KindOrganisation}, Type: "un-panel",
		Title: "Other review", Date: "2016-07-06", Audience: aftermath.AudienceInternal, Owner: "other"}
	if err := db.CreateInquiry(ctx, aftermath.System, ownInquiry); err != nil {
		t.Fatal(err)
	}
	// Valid ledger records to create, without an owner.
	ledgerBodies := map[string]string{
		"POST /api/v1/decisions":       `{"maker":{"name":"Other ministry","kind":"state"},"date":"2013","kind":"funding","summary":"S"`,
		"POST /api/v1/inquiries":       `{"body":{"name":"Other board","kind":"organisation"},"type":"un-panel","title":"T","date":"2016"`,
		"POST /api/v1/recommendations": `{"inquiry_id":` + jsonNum(ownInquiry.ID) + `,"number":"R9","addressee":{"name":"Other ministry"},"text":"T"`,
		"POST /api/v1/claims":          `{"author":{"name":"Other minister","kind":"person"},"date":"2014","text":"T"`,
	}
	send := func(method, path, body string) (int, string) {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+outsider)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code, rec.Body.String()
	}
	// Creating records of one's own is not what is tested here: the
	// ledger's and testimony's own tests do; the answer must not be a
	// fault, nor a refusal of the role.
	creates := map[string]bool{"POST /api/v1/testimonies": true}
	n := 0
	for _, rt := range routes {
		method, path, _ := strings.Cut(rt.Pattern, " ")
		if method == "GET" || !strings.HasPrefix(path, "/api/") {
			continue
		}
		n++
		switch rt.Pattern {
		case "PUT /api/v1/interventions/{id}", "DELETE /api/v1/interventions/{id}":
			for _, c := range []struct {
				iv   *aftermath.Intervention
				want int
			}{{public, http.StatusForbidden}, {hidden, http.StatusNotFound}} {
				before := sqldbtest.Snapshot(t, db)
				code, out := send(method, strings.Replace(path, "{id}", jsonNum(c.iv.ID), 1), ivBody(c.iv.Slug, "Taken over", `"owner":"other"`))
				if code != c.want {
					t.Errorf("%s on %s by another organisation's editor: %d %s, want %d", rt.Pattern, c.iv.Slug, code, out, c.want)
				}
				if sqldbtest.Snapshot(t, db) != before {
					t.Errorf("%s on %s by another organisation's editor changed the database", rt.Pattern, c.iv.Slug)
				}
			}
		case "POST /api/v1/interventions":
			if code, out := send(method, path, ivBody("other-for-org", "For org", `"owner":"org"`)); code != http.StatusForbidden {
				t.Errorf("%s owned by another organisation: %d %s, want 403", rt.Pattern, code, out)
			}
			code, out := send(method, path, ivBody("other-own", "Other own", ""))
			if code != http.StatusCreated || !strings.Contains(out, `"owner": "other"`) {
				t.Errorf("%s of one's own: %d %s, want 201 owned by other", rt.Pattern, code, out)
			}
		case "POST /api/v1/recommendations/{id}/status":
			for _, c := range []struct {
				rec  *aftermath.Recommendation
				want int
			}{{recs[aftermath.AudiencePublic], http.StatusForbidden}, {recs[aftermath.AudienceInternal], http.StatusNotFound}} {
				before := sqldbtest.Snapshot(t, db)
				code, out := send(method, strings.Replace(path, "{id}", jsonNum(c.rec.ID), 1), `{"status":"open","date":"2020-01-01","citations":[]}`)
				if code != c.want {
					t.Errorf("%s on org's %s recommendation by another organisation's editor: %d %s, want %d", rt.Pattern, c.rec.Audience, code, out, c.want)
				}
				if strings.Contains(out, "Org internal recommendation") {
					t.Errorf("%s answers with the hidden recommendation: %s", rt.Pattern, out)
				}
				if sqldbtest.Snapshot(t, db) != before {
					t.Errorf("%s on org's %s recommendation by another organisation's editor changed the database", rt.Pattern, c.rec.Audience)
				}
			}
		case "POST /api/v1/decisions", "POST /api/v1/inquiries", "POST /api/v1/recommendations", "POST /api/v1/claims":
			body := ledgerBodies[rt.Pattern]
			if code, out := send(method, path, body+`,"owner":"org"}`); code != http.StatusForbidden {
				t.Errorf("%s owned by another organisation: %d %s, want 403", rt.Pattern, code, out)
			}
			if code, out := send(method, path, body+`}`); code != http.StatusCreated || !strings.Contains(out, `"owner": "other"`) {
				t.Errorf("%s of one's own: %d %s, want 201 owned by other", rt.Pattern, code, out)
			}
			if rt.Pattern == "POST /api/v1/recommendations" {
				before := sqldbtest.Snapshot(t, db)
				underOrg := `{"inquiry_id":` + jsonNum(inquiry.ID) + `,"number":"R10","addressee":{"name":"Other ministry"},"text":"T"}`
				if code, out := send(method, path, underOrg); code != http.StatusForbidden {
					t.Errorf("%s under org's public inquiry: %d %s, want 403", rt.Pattern, code, out)
				}
				if sqldbtest.Snapshot(t, db) != before {
					t.Errorf("%s under org's public inquiry changed the database", rt.Pattern)
				}
			}
		default:
			if !creates[rt.Pattern] {
				t.Errorf("%s: no expectation for a writer from another organisation", rt.Pattern)
				continue
			}
			code, out := send(method, strings.Replace(path, "{id}", "1", 1), `{}`)
			if code == http.StatusUnauthorized || code >= 500 {
				t.Errorf("%s by another organisation's editor: %d %s", rt.Pattern, code, out)
			}
		}
	}
	if n < 4 {
		t.Errorf("only %d API write endpoints found", n)
	}
}
