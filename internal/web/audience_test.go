package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/auth"
	"aftermath/internal/importer"
	"aftermath/internal/sqldb"
)

// hiddenWords are in the names, places and texts of the non-public
// fixture records; none may reach someone who may not see them. A probe
// whose own URL holds a word (a filter the page repeats back) is checked
// for the others.
var hiddenWords = []string{"zqxconsult" /* consultations */, "zqxledger" /* ledger */, "zqxforce", "zqxarmed", "zqxregion", "zqxdistrict", "zqxvillage", "zqxsource", "zqxnote", "zqxquote",
	"zqxphase", "zqx-internal", "zqx-partners", "zqx-confidential", "zqx mission"}

// leak returns the first hidden word in body that the URL does not hold,
// with some context, or "".
func leak(u, body string) string {
	lu, lb := strings.ToLower(u), strings.ToLower(body)
	for _, w := range hiddenWords {
		if strings.Contains(lu, w) {
			continue
		}
		if i := strings.Index(lb, w); i >= 0 {
			return w + ": …" + body[max(0, i-80):min(len(body), i+80)] + "…"
		}
	}
	return ""
}

// audienceFixture adds to the public fixture: an internal ACLED dataset
// whose actors, places and notes say "Zqx…", an internal intervention
// owned by org "owner" citing an internal source, a partners intervention
// shared with org "partner", a confidential one readable by one named
// user, and a public intervention that cites the internal source.
type audienceFixture struct {
	h                                http.Handler
	db                               *sqldb.DB
	internal, partners, confidential *aftermath.Intervention
	public                           *aftermath.Intervention
	source                           *aftermath.Source
	actorID                          int64
	sessions                         map[string]string // person → session token
	tokens                           map[string]string // person → API token
}

func newAudienceFixture(t *testing.T) *audienceFixture {
	h, db := fixtureServer(t)
	ctx := context.Background()
	f := &audienceFixture{h: h, db: db, sessions: map[string]string{}, tokens: map[string]string{}}
	// People: an owner-org researcher and contributor, a partner-org viewer,
	// an unrelated org's admin, and the confidential record's reader (in
	// the unrelated org, so only the naming lets them in).
	people := []struct{ name, org, role string }{
		{"owner-researcher", "owner", aftermath.RoleResearcher},
		{"owner-contributor", "owner", aftermath.RoleContributor},
		{"partner-viewer", "partner", aftermath.RoleViewer},
		{"other-admin", "other", aftermath.RoleAdmin},
		{"named-reader", "other2", aftermath.RoleViewer},
	}
	ids := map[string]int64{}
	for _, p := range people {
		hash, _ := auth.HashPassword("a long enough password")
		u, err := db.CreateUser(ctx, sqldb.NewUser{Email: p.name + "@example.org", Name: p.name, PasswordHash: hash, OrgSlug: p.org, Role: p.role})
		if err != nil {
			t.Fatal(err)
		}
		ids[p.name] = u.ID
		sess, _ := auth.NewToken(auth.SessionPrefix)
		if err := db.CreateSession(ctx, u.ID, auth.HashToken(sess), db.Now().Add(3600e9)); err != nil {
			t.Fatal(err)
		}
		tok, _ := auth.NewToken(auth.APITokenPrefix)
		if err := db.CreateAPIToken(ctx, u.ID, "t", auth.HashToken(tok)); err != nil {
			t.Fatal(err)
		}
		f.sessions[p.name], f.tokens[p.name] = sess, tok
	}
	owner, err := db.Organisation(ctx, "owner")
	if err != nil {
		t.Fatal(err)
	}
	partner, _ := db.Organisation(ctx, "partner")
	if err := db.SharePartners(ctx, owner.ID, partner.ID); err != nil {
		t.Fatal(err)
	}
	place := &sqldb.Placement{Audience: aftermath.AudienceInternal, OwnerOrg: owner.ID}
	if _, err := importer.Import(ctx, db, "testdata/acled_sentinel_2024-06-30.csv", importer.Options{Dataset: aftermath.DatasetACLED, Place: place}); err != nil {
		t.Fatal(err)
	}
	a, err := db.ActorByAlias(ctx, aftermath.DatasetACLED, "Zqxforce Brigade")
	if err != nil {
		t.Fatal(err)
	}
	f.actorID = a.ID
	f.source = &aftermath.Source{Title: "Zqxsource internal memo", Audience: aftermath.AudienceInternal}
	if err := db.CreateSource(ctx, f.source); err != nil {
		t.Fatal(err)
	}
	if err := db.SetAudience(ctx, "source", f.source.ID, sqldb.Placement{Audience: aftermath.AudienceInternal, OwnerOrg: owner.ID}); err != nil {
		t.Fatal(err)
	}
	mk := func(slug string, a aftermath.Audience, org string) *aftermath.Intervention {
		iv := &aftermath.Intervention{Slug: slug, Name: "Zqx mission " + slug, Audience: a, Owner: org, Area: []aftermath.AreaRef{{Country: "MLI", Admin1: "Zqxregion"}},
			PartnerForces: []aftermath.InterventionActor{{Name: "Zqxforce", Aliases: aftermath.DatedAliases{{Dataset: "acled", Name: "Zqxforce Brigade"}}}},
			Phases:        []aftermath.Phase{{Name: "Zqxphase", Start: "2024-01-01"}},
			Citations:     []aftermath.Citation{{Field: "name", SourceID: f.source.ID, Quote: "Zqxquote", Confidence: "high"}}}
		if a == aftermath.AudienceConfidential {
			iv.Audience = aftermath.AudienceInternal
		}
		if err := db.CreateIntervention(ctx, aftermath.System, iv); err != nil {
			t.Fatal(err)
		}
		return iv
	}
	f.internal = mk("zqx-internal", aftermath.AudienceInternal, "owner")
	f.partners = mk("zqx-partners", aftermath.AudiencePartners, "owner")
	f.confidential = mk("zqx-confidential", aftermath.AudienceConfidential, "owner")
	if err := db.SetAudience(ctx, "intervention", f.confidential.ID, sqldb.Placement{Audience: aftermath.AudienceConfidential,
		OwnerOrg: owner.ID, Readers: []int64{ids["named-reader"]}}); err != nil {
		t.Fatal(err)
	}
	// A public record citing the internal source: the record shows, the
	// citation does not.
	f.public = &aftermath.Intervention{Slug: "open-mission", Name: "Open mission", Audience: aftermath.AudiencePublic,
		Area: []aftermath.AreaRef{{Country: "MLI"}}, Phases: []aftermath.Phase{{Start: "2023-01-01"}},
		Citations: []aftermath.Citation{{Field: "name", SourceID: f.source.ID, Quote: "Zqxquote", Confidence: "low"}}}
	if err := db.CreateIntervention(ctx, aftermath.System, f.public); err != nil {
		t.Fatal(err)
	}
	addHiddenLedger(t, f) // --- ledger: records saying "Zqxledger" (ledger_test.go)
	// --- consultations: an internal one saying "Zqxconsult" (consult_test.go)
	addHiddenConsultation(t, f)
	return f
}

// get fetches a URL as a person ("" anonymous): pages with the session
// cookie, the API with the person's token.
func (f *audienceFixture) get(t *testing.T, person, u string) (int, string) {
	t.Helper()
	req := httptest.NewRequest("GET", u, nil)
	if person != "" {
		if strings.HasPrefix(u, "/api/") {
			req.Header.Set("Authorization", "Bearer "+f.tokens[person])
		} else {
			req.AddCookie(&http.Cookie{Name: "aftermath_session", Value: f.sessions[person]})
		}
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

// probes are the URLs that could show the hidden records: every public
// GET route, pointed at the hidden records and filtered on their names.
func (f *audienceFixture) probes() []string {
	id := func(n int64) string { return jsonNum(n) }
	q := url.QueryEscape
	var out []string
	for _, p := range []string{"/", "/events", "/interventions", "/actors", "/sources", "/api/v1/interventions"} {
		out = append(out, p, p+"?lang=ar")
	}
	for _, iv := range []*aftermath.Intervention{f.internal, f.partners, f.confidential, f.public} {
		out = append(out, "/interventions/"+iv.Slug, "/interventions/"+iv.Slug+"?lang=fr",
			"/api/v1/interventions/"+id(iv.ID), "/api/v1/interventions/"+id(iv.ID)+"/impact?dataset=acled",
			"/api/v1/interventions/"+id(iv.ID)+"/impact?method=all", "/api/v1/interventions/"+id(iv.ID)+"/harm", "/api/v1/interventions/"+id(iv.ID)+"/series")
		for _, c := range []string{"monthly.csv", "yearly.csv", "harm.csv", "harm.csv?quality=clear", "monthly.csv?outcome=deaths_best", "eventstudy.csv?compare=SOM"} {
			sep := map[bool]string{true: "&", false: "?"}[strings.Contains(c, "?")]
			out = append(out, "/interventions/"+iv.Slug+"/"+c, "/interventions/"+iv.Slug+"/"+c+sep+"lang=ar")
		}
	}
	for _, ext := range []string{"", ".csv", ".hxl.csv", ".geojson"} {
		for _, filter := range []string{"", "dataset=acled", "actor=" + q("Zqxforce Brigade"), "admin1=Zqxregion", "country=Mali&from=2024-01-01&to=2024-12-31"} {
			out = append(out, "/events"+ext+"?"+filter)
		}
	}
	out = append(out, "/actors?q=zqx", "/actors?q=brigade", "/actors/"+id(f.actorID), "/sources/"+id(f.source.ID),
		"/interventions/no-such-slug", "/api/v1/interventions/999999")
	for _, s := range []string{"/places", "/places/MLI", "/places/MLI?lang=ar", "/places/MLI/monthly.csv", "/places/MLI/monthly.csv?dataset=acled"} {
		out = append(out, s)
	}
	out = append(out, f.ledgerProbes()...) // --- ledger (ledger_test.go)
	// --- consultations (consult_test.go)
	out = append(out, f.consultProbes()...)
	return out
}

// TestAnonymousNeverSeesNonPublicRecords walks every public route, aimed
// at and filtered on the hidden records, as an anonymous visitor (and as a
// member of an unrelated organisation, and as the owner's contributor)
// and finds none of their text anywhere: pages, downloads, API, search
// results, error answers.
func TestAnonymousNeverSeesNonPublicRecords(t *testing.T) {
	f := newAudienceFixture(t)
	for _, person := range []string{"", "other-admin", "owner-contributor"} {
		for _, u := range f.probes() {
			code, body := f.get(t, person, u)
			if l := leak(u, body); l != "" {
				t.Errorf("%q sees hidden text at %s (%d): %s", person, u, code, l)
			}
			if code >= 500 {
				t.Errorf("%q: %s: %d", person, u, code)
			}
		}
	}
	// The public record is there; only its hidden citation is not.
	if code, body := f.get(t, "", "/interventions/open-mission"); code != 200 || !strings.Contains(body, "Open mission") {
		t.Errorf("the public intervention: %d", code)
	}
	for _, u := range []string{"/interventions/zqx-internal", "/api/v1/interventions/" + jsonNum(f.internal.ID), "/sources/" + jsonNum(f.source.ID), "/actors/" + jsonNum(f.actorID)} {
		if code, _ := f.get(t, "", u); code != 404 {
			t.Errorf("anonymous %s: %d, want 404 as for a record that does not exist", u, code)
		}
	}
}

// TestWhoSeesWhat checks each audience against each kind of person.
func TestWhoSeesWhat(t *testing.T) {
	f := newAudienceFixture(t)
	cases := []struct {
		person string
		sees   map[string]bool // slug → visible
	}{
		{"", map[string]bool{"zqx-internal": false, "zqx-partners": false, "zqx-confidential": false}},
		{"owner-researcher", map[string]bool{"zqx-internal": true, "zqx-partners": true, "zqx-confidential": false}},
		{"owner-contributor", map[string]bool{"zqx-internal": false, "zqx-partners": false, "zqx-confidential": false}},
		{"partner-viewer", map[string]bool{"zqx-internal": false, "zqx-partners": true, "zqx-confidential": false}},
		{"other-admin", map[string]bool{"zqx-internal": false, "zqx-partners": false, "zqx-confidential": false}},
		{"named-reader", map[string]bool{"zqx-internal": false, "zqx-partners": false, "zqx-confidential": true}},
	}
	for _, c := range cases {
		for slug, want := range c.sees {
			code, body := f.get(t, c.person, "/interventions/"+slug)
			if got := code == 200 && strings.Contains(body, "Zqx mission "+slug); got != want {
				t.Errorf("%q on %s: %d, sees %v, want %v", c.person, slug, code, got, want)
			}
			_, list := f.get(t, c.person, "/api/v1/interventions")
			if got := strings.Contains(list, `"`+slug+`"`); got != want {
				t.Errorf("%q: API list shows %s: %v, want %v", c.person, slug, got, want)
			}
		}
	}
	// A record that is not public says so, on its page and the home page.
	for _, u := range []string{"/interventions/zqx-internal", "/sources/" + jsonNum(f.source.ID), "/"} {
		if _, body := f.get(t, "owner-researcher", u); !strings.Contains(body, `<p class="audience"><strong>Who sees this</strong> Internal`) &&
			!strings.Contains(body, "(Internal: the owning organisation)") {
			t.Errorf("%s does not say who sees it", u)
		}
		if _, body := f.get(t, "owner-researcher", u); !strings.Contains(body, "</html>") {
			t.Errorf("%s: the page was cut short (a template failed)", u)
		}
	}
	// The owner's researcher sees the internal dataset's events, actor,
	// source and the citation on the public record; the partner does not
	// (the dataset and source are internal, not partners), but sees the
	// actor that the partners intervention names.
	for _, c := range []struct {
		person, url string
		want        bool
	}{
		{"owner-researcher", "/events?dataset=acled", true}, {"partner-viewer", "/events?dataset=acled", false},
		{"owner-researcher", "/events.csv?dataset=acled", true}, {"partner-viewer", "/events.csv?dataset=acled", false},
		{"owner-researcher", "/sources/" + jsonNum(f.source.ID), true}, {"partner-viewer", "/sources/" + jsonNum(f.source.ID), false},
		{"owner-researcher", "/interventions/open-mission", true}, {"partner-viewer", "/interventions/open-mission", false},
		{"owner-researcher", "/actors/" + jsonNum(f.actorID), true}, {"partner-viewer", "/actors/" + jsonNum(f.actorID), true},
		{"other-admin", "/actors/" + jsonNum(f.actorID), false},
	} {
		_, body := f.get(t, c.person, c.url)
		if got := leak(c.url, body) != ""; got != c.want {
			t.Errorf("%q on %s: sees hidden text %v, want %v", c.person, c.url, got, c.want)
		}
	}
	// What the partner sees of the actor is its name, not the internal
	// dataset's events.
	if _, body := f.get(t, "partner-viewer", "/actors/"+jsonNum(f.actorID)); strings.Contains(strings.ToLower(body), "zqxvillage") {
		t.Error("the partner sees the internal dataset's events on the actor page")
	}
	// Publishing the dataset makes its events public.
	ds, _ := f.db.Datasets(context.Background(), aftermath.System)
	for _, d := range ds {
		if d.Name == aftermath.DatasetACLED {
			if err := f.db.SetAudience(context.Background(), "dataset", d.ID, sqldb.Placement{Audience: aftermath.AudiencePublic}); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, body := f.get(t, "", "/events.csv?dataset=acled"); !strings.Contains(body, "Zqxvillage") {
		t.Error("after publishing, the ACLED events are still hidden")
	}
}

// TestClaimEvidenceShowsOnlyWhatTheReaderMaySee: a public claim review
// citing an event of an internal dataset and a testimony under review
// names neither the event's place nor the testimony to anonymous readers.
func TestClaimEvidenceShowsOnlyWhatTheReaderMaySee(t *testing.T) {
	f := newAudienceFixture(t)
	ctx := context.Background()
	vs := f.db.Voices(fixtureKEK(f.db))
	owner, _ := f.db.Organisation(ctx, "owner")
	tid, err := vs.CreateTestimony(ctx, aftermath.System, &aftermath.TestimonyInput{Date: "2024", Country: "MLI", Admin1: "Zqxregion", OwnerOrgID: owner.ID,
		Language: "fr", Body: "Zqxvillage a brûlé.", Audience: aftermath.AudienceInternal, RetainUntil: "2040-01-01",
		Consent: &aftermath.Consent{Level: aftermath.ConsentInternal, Method: aftermath.ConsentOral, RecordedBy: "x", RecordedAt: "2024-01-01"}})
	if err != nil {
		t.Fatal(err)
	}
	c := &aftermath.Claim{Author: aftermath.ActorRef{Name: "Open Ministry"}, Date: "2024-05-01", Text: "No civilians were harmed.", Verdict: "false",
		Reasoning: "The records say otherwise.", ReviewedBy: "Test Org", PublishedDate: "2024-06-01", Published: true, Audience: aftermath.AudiencePublic,
		Evidence: []aftermath.EvidenceLink{{Kind: "event", Ref: "acled:MLI99001"}, {Kind: "testimony", Ref: jsonNum(tid)}}}
	if err := f.db.CreateClaim(ctx, aftermath.System, c); err != nil {
		t.Fatal(err)
	}
	u := "/claims/" + jsonNum(c.ID)
	code, body := f.get(t, "", u)
	if code != 200 || !strings.Contains(body, "No civilians were harmed.") {
		t.Fatalf("the public claim: %d", code)
	}
	if l := leak(u, body); l != "" || strings.Contains(body, "/testimonies/"+jsonNum(tid)) {
		t.Errorf("the claim page shows hidden evidence: %s", l)
	}
	if _, body := f.get(t, "owner-researcher", u); !strings.Contains(strings.ToLower(body), "zqxregion") {
		t.Error("the owner's researcher does not see the internal event's place")
	}
}
