package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"aftermath"
	"aftermath/internal/auth"
	"aftermath/internal/catalog"
	"aftermath/internal/impact"
	"aftermath/internal/ledger"
	"aftermath/internal/sqldb"
)

// ledgerFixture is the page fixture (two UCDP releases, "test-mission" in
// Mali) plus the starter catalog and the ledger's starter records, as
// `aftermath seed` loads them, and a few records of the test's own
// addressed to, made by and examining the United Nations.
type ledgerFixture struct {
	h        http.Handler
	db       *sqldb.DB
	source   *aftermath.Source // "S/RES/2100 (2013)"
	minusma  *aftermath.Intervention
	un       int64 // the actor "United Nations"
	unsc     int64 // "United Nations Security Council", maker of the starter decisions
	decision *aftermath.Decision
	inquiry  *aftermath.Inquiry
	overdue  *aftermath.Recommendation // deadline passed, open, with recurrence links
	done     *aftermath.Recommendation // implemented
	open     *aftermath.Recommendation // no judgement yet
	claim    *aftermath.Claim          // published, public, judged mostly false
	accurate *aftermath.Claim          // published, public, judged accurate
	draft    *aftermath.Claim          // public but not published
	internal *aftermath.Claim          // internal
}

// seedLedgerCatalog stores the starter catalog as `aftermath seed` does.
func seedLedgerCatalog(t testing.TB, db *sqldb.DB) {
	t.Helper()
	ctx := context.Background()
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]int64{}
	for _, s := range cat.Sources {
		stored, err := db.SourceByIdentifier(ctx, aftermath.System, s.Identifier)
		if aftermath.ErrorCode(err) == aftermath.ENOTFOUND {
			src := s.Source
			if err := db.CreateSource(ctx, &src); err != nil {
				t.Fatal(err)
			}
			stored = &src
		} else if err != nil {
			t.Fatal(err)
		}
		ids[s.Key] = stored.ID
	}
	for _, e := range cat.Interventions {
		iv := e.Intervention
		iv.Audience = aftermath.AudiencePublic
		for _, c := range e.Cited {
			iv.Citations = append(iv.Citations, aftermath.Citation{Field: c.Field, SourceID: ids[c.SourceKey], Page: c.Page, Quote: c.Quote, Confidence: c.Confidence})
		}
		if err := db.CreateIntervention(ctx, aftermath.System, &iv); err != nil {
			t.Fatal(err)
		}
	}
}

func newLedgerFixture(t *testing.T) *ledgerFixture {
	t.Helper()
	_, db := fixtureServer(t)
	ctx := context.Background()
	seedLedgerCatalog(t, db)
	st, err := ledger.LoadStarter()
	if err != nil {
		t.Fatal(err)
	}
	if res, err := ledger.Seed(ctx, db, st); err != nil || res.Added == 0 || len(res.MissingInterventions) > 0 {
		t.Fatalf("seed: %+v %v", res, err)
	}
	f := &ledgerFixture{db: db}
	if f.source, err = db.SourceByIdentifier(ctx, aftermath.System, "S/RES/2100 (2013)"); err != nil {
		t.Fatal(err)
	}
	if f.minusma, err = db.FindIntervention(ctx, aftermath.System, "minusma"); err != nil {
		t.Fatal(err)
	}
	ds, err := db.Decisions(ctx, aftermath.System, sqldb.DecisionFilter{Reference: "S/RES/2690 (2023)"})
	if err != nil || len(ds) != 1 {
		t.Fatalf("starter decision: %v %v", ds, err)
	}
	f.unsc = ds[0].Maker.ID
	cite := func(field, page string) []aftermath.Citation {
		return []aftermath.Citation{{Field: field, SourceID: f.source.ID, Page: page, Confidence: aftermath.ConfidenceHigh}}
	}
	un := aftermath.ActorRef{Name: "United Nations", Kind: aftermath.KindOrganisation}
	f.decision = &aftermath.Decision{Maker: un, Date: "2013-07-01", Kind: "deployment", Reference: "TEST-DEC-1",
		Summary: "Transferred authority to the mission.", InterventionIDs: []int64{f.minusma.ID}, Audience: aftermath.AudiencePublic,
		Citations: cite("summary", "para. 7")}
	if err := db.CreateDecision(ctx, aftermath.System, f.decision); err != nil {
		t.Fatal(err)
	}
	f.un = f.decision.Maker.ID
	f.inquiry = &aftermath.Inquiry{Body: aftermath.ActorRef{Name: "Test Review Board", Kind: aftermath.KindOrganisation}, Type: "un-panel",
		Title: "Review of the protection of civilians", Reference: "TEST-INQ-1", Date: "2018-05-01", Subjects: []aftermath.ActorRef{{ID: f.un}},
		InterventionIDs: []int64{f.minusma.ID}, Audience: aftermath.AudiencePublic, Citations: cite("title", ""),
		Findings: []aftermath.Finding{{Text: "Patrols did not reach the villages at risk.", Location: "p. 12", Citations: cite("text", "p. 12")}}}
	if err := db.CreateInquiry(ctx, aftermath.System, f.inquiry); err != nil {
		t.Fatal(err)
	}
	rec := func(n, text, deadline string, xs []aftermath.Recurrence) *aftermath.Recommendation {
		r := &aftermath.Recommendation{InquiryID: f.inquiry.ID, Number: n, Addressee: aftermath.ActorRef{ID: f.un}, Text: text, Deadline: deadline,
			Recurrences: xs, Audience: aftermath.AudiencePublic, Citations: cite("text", "p. 30")}
		if err := db.CreateRecommendation(ctx, aftermath.System, r); err != nil {
			t.Fatal(err)
		}
		return r
	}
	f.overdue = rec("Recommendation 1", "Publish a protection plan for each region.", "2019-01-01",
		[]aftermath.Recurrence{{Kind: "event", Dataset: "ucdp", NativeID: "1002", Note: "civilians killed in Mopti"}, {Kind: "decision", DecisionID: ds[0].ID}})
	f.done = rec("Recommendation 2", "Report civilian casualties every quarter.", "", nil)
	f.open = rec("Recommendation 3", "Train patrols in early warning.", "", nil)
	if err := db.AddRecommendationStatus(ctx, aftermath.System, f.done.ID, &aftermath.StatusChange{Status: aftermath.StatusImplemented,
		Date: "2020-03-01", JudgedBy: "Test Org", Criteria: "Four quarterly reports published in a year.", Citations: cite("status", "annex")}); err != nil {
		t.Fatal(err)
	}
	claim := func(text, verdict string, published bool, a aftermath.Audience) *aftermath.Claim {
		c := &aftermath.Claim{Author: aftermath.ActorRef{ID: f.un}, Date: "2023-02-01", Text: text, Verbatim: true, AppearanceURL: "https://example.org/statement",
			AppearanceTitle: "Press briefing", Verdict: verdict, Reasoning: "The event data say otherwise.", ReviewedBy: "Test Org",
			Evidence:  []aftermath.EvidenceLink{{Kind: "event", Ref: "ucdp:1002"}, {Kind: "source", Ref: strconv.FormatInt(f.source.ID, 10)}},
			Published: published, Audience: a, InterventionIDs: []int64{f.minusma.ID}, Citations: cite("text", "")}
		if published {
			c.PublishedDate = "2024-01-15"
		}
		if err := db.CreateClaim(ctx, aftermath.System, c); err != nil {
			t.Fatal(err)
		}
		return c
	}
	f.claim = claim("No civilians were harmed in Mopti </script><b>in January</b>.", "mostly-false", true, aftermath.AudiencePublic)
	f.accurate = claim("Patrols resumed in February.", "accurate", true, aftermath.AudiencePublic)
	f.draft = claim("The mission met all its goals.", "false", false, aftermath.AudiencePublic)
	f.internal = claim("Zqxledger internal statement.", "", false, aftermath.AudienceInternal)
	srv, err := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv.SetCacheTTL(0) // pages must show changes at once
	f.h = srv.Handler()
	return f
}

// session signs a new user of org "org" in with a role, returning the
// session token.
func (f *ledgerFixture) session(t *testing.T, email, role string) (string, *aftermath.User) {
	t.Helper()
	hash, _ := auth.HashPassword("a long enough password")
	u, err := f.db.CreateUser(context.Background(), sqldb.NewUser{Email: email, Name: email, PasswordHash: hash, OrgSlug: "org", Role: role})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := auth.NewToken(auth.SessionPrefix)
	if err := f.db.CreateSession(context.Background(), u.ID, auth.HashToken(tok), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	return tok, u
}

// ownedByOrg gives a public ledger record of the fixture (seeded by the
// system, so without an owner, which only admins change) to organisation
// "org", whose editors and researchers may then change it.
func (f *ledgerFixture) ownedByOrg(t *testing.T, recordType string, id int64) {
	t.Helper()
	org, err := f.db.Organisation(context.Background(), "org")
	if err != nil {
		t.Fatal(err)
	}
	if err := f.db.SetAudience(context.Background(), recordType, id, sqldb.Placement{Audience: aftermath.AudiencePublic, OwnerOrg: org.ID}); err != nil {
		t.Fatal(err)
	}
}

const ledgerCSRF = "0123456789abcdef0123456789abcdef0123"

// do sends a request, signed in with session when it is not "", and a
// form body with the CSRF token when form is not nil.
func (f *ledgerFixture) do(t *testing.T, method, path, session string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "aftermath_csrf", Value: ledgerCSRF})
	}
	if session != "" {
		req.AddCookie(&http.Cookie{Name: "aftermath_session", Value: session})
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

func (f *ledgerFixture) get(t *testing.T, path string) (int, string) {
	t.Helper()
	rec := f.do(t, "GET", path, "", nil)
	return rec.Code, rec.Body.String()
}

func lid(n int64) string { return strconv.FormatInt(n, 10) }

func TestLedgerPagesInThreeLanguages(t *testing.T) {
	f := newLedgerFixture(t)
	pages := []string{"/ledger", "/decisions", "/decisions/" + lid(f.decision.ID), "/inquiries", "/inquiries/" + lid(f.inquiry.ID),
		"/recommendations", "/recommendations?status=open&overdue=1", "/recommendations/" + lid(f.overdue.ID), "/claims", "/claims/" + lid(f.claim.ID),
		"/interventions/minusma/timeline", "/actors/" + lid(f.un) + "/timeline", "/actors/" + lid(f.un) + "/scorecard",
		"/actors/" + lid(f.unsc) + "/scorecard"}
	for _, lang := range []struct{ tag, html, word string }{
		{"en", `<html lang="en" dir="ltr">`, "Accountability ledger"},
		{"fr", `<html lang="fr" dir="ltr">`, "Registre de redevabilité"},
		{"ar", `<html lang="ar" dir="rtl">`, "سجل المساءلة"},
	} {
		for _, p := range pages {
			u := p + map[bool]string{true: "&", false: "?"}[strings.Contains(p, "?")] + "lang=" + lang.tag
			code, body := f.get(t, u)
			if code != 200 || !strings.Contains(body, lang.html) || !strings.Contains(body, "</html>") {
				t.Errorf("%s: %d, want 200 with %s, whole", u, code, lang.html)
			}
			if p == "/ledger" && !strings.Contains(body, lang.word) {
				t.Errorf("%s: no %q", u, lang.word)
			}
			for _, key := range []string{"ledger.", "analysis.", "{count}", "{name}"} {
				if strings.Contains(body, ">"+key) || strings.Contains(body, " "+key) {
					t.Errorf("%s shows a message key or placeholder %q", u, key)
				}
			}
		}
	}
	// Dates and statuses are written for the reader.
	_, body := f.get(t, "/recommendations/"+lid(f.done.ID)+"?lang=fr")
	if !strings.Contains(body, "1er mars 2020") || !strings.Contains(body, "Mise en œuvre") {
		t.Error("the French recommendation page does not write its date and status in French")
	}
	_, body = f.get(t, "/recommendations/"+lid(f.overdue.ID)+"?lang=ar")
	if !strings.Contains(body, "متأخرة") || !strings.Contains(body, "1 يناير 2019") {
		t.Error("the Arabic recommendation page lacks the overdue flag or the Arabic date")
	}
	for _, u := range []string{"/decisions/999999", "/inquiries/0", "/recommendations/x", "/claims/999999", "/actors/999999/scorecard",
		"/actors/999999/timeline", "/interventions/nothing/timeline"} {
		if code, _ := f.get(t, u); code != 404 {
			t.Errorf("%s: %d, want 404", u, code)
		}
	}
	if code, _ := f.get(t, "/recommendations?status=done"); code != 400 {
		t.Errorf("an unknown status filter: %d, want 400", code)
	}
}

func TestLedgerRecordPages(t *testing.T) {
	f := newLedgerFixture(t)
	_, body := f.get(t, "/decisions/"+lid(f.decision.ID))
	for _, want := range []string{"TEST-DEC-1", "Transferred authority to the mission.", `href="/sources/` + lid(f.source.ID) + `"`, "para. 7",
		`href="/interventions/minusma"`, `href="/actors/` + lid(f.un) + `/scorecard"`, "Not yet cited:"} {
		if !strings.Contains(body, want) {
			t.Errorf("decision page lacks %q", want)
		}
	}
	_, body = f.get(t, "/inquiries/"+lid(f.inquiry.ID))
	for _, want := range []string{"Review of the protection of civilians", "Patrols did not reach the villages at risk.", "At p. 12",
		`href="/sources/` + lid(f.source.ID) + `"`, `href="/recommendations/` + lid(f.overdue.ID) + `"`, "Overdue", "Implemented"} {
		if !strings.Contains(body, want) {
			t.Errorf("inquiry page lacks %q", want)
		}
	}
	_, body = f.get(t, "/recommendations/"+lid(f.overdue.ID))
	for _, want := range []string{"Publish a protection plan for each region.", "Overdue", "No judgement yet",
		`href="/events?country=Mali&amp;dataset=ucdp&amp;from=2023-01-20&amp;to=2023-01-20"`, "civilians killed in Mopti",
		`href="/decisions/`} {
		if !strings.Contains(body, want) {
			t.Errorf("recommendation page lacks %q", want)
		}
	}
	// The recurrence link leads to exactly the event.
	m := regexp.MustCompile(`href="(/events\?[^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no event link")
	}
	if _, ev := f.get(t, html.UnescapeString(m[1])); !strings.Contains(ev, ">1002</a></td>") || strings.Contains(ev, ">1001</a></td>") {
		t.Error("the recurrence link does not lead to event 1002 alone")
	}
	// Lists filter.
	_, body = f.get(t, "/recommendations?addressee="+lid(f.un)+"&status=implemented")
	if ids := ledgerLinkedIDs(body, "recommendations"); !slices.Equal(ids, []int64{f.done.ID}) {
		t.Errorf("implemented recommendations of the UN: %v", ids)
	}
	_, body = f.get(t, "/recommendations?overdue=1")
	if ids := ledgerLinkedIDs(body, "recommendations"); !slices.Equal(ids, []int64{f.overdue.ID}) {
		t.Errorf("overdue recommendations: %v", ids)
	}
	_, body = f.get(t, "/decisions?kind=deployment")
	if !strings.Contains(body, "TEST-DEC-1") || strings.Contains(body, "S/RES/1744 (2007)") {
		t.Error("the decision kind filter does not filter")
	}
	_, body = f.get(t, "/ledger")
	for _, want := range []string{`href="/ledger/decisions.csv"`, `href="/ledger/recommendation-status.csv"`, "S/RES/2767 (2024)", "Review of the protection of civilians"} {
		if !strings.Contains(body, want) {
			t.Errorf("overview lacks %q", want)
		}
	}
}

// ledgerLinkedIDs lists the distinct ids of /kind/ID links in a page, sorted.
func ledgerLinkedIDs(body, kind string) []int64 {
	var out []int64
	for _, m := range regexp.MustCompile(`href="/`+kind+`/(\d+)"`).FindAllStringSubmatch(body, -1) {
		n, _ := strconv.ParseInt(m[1], 10, 64)
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

var jsonLDRE = regexp.MustCompile(`(?s)<script type="application/ld\+json">(.*?)</script>`)

func TestClaimPagesCarryClaimReview(t *testing.T) {
	f := newLedgerFixture(t)
	code, body := f.get(t, "/claims/"+lid(f.claim.ID))
	if code != 200 {
		t.Fatalf("published claim: %d", code)
	}
	m := jsonLDRE.FindAllStringSubmatch(body, -1)
	if len(m) != 1 {
		t.Fatalf("published claim page has %d JSON-LD blocks, want 1", len(m))
	}
	doc := []byte(m[0][1])
	if !json.Valid(doc) {
		t.Fatalf("the JSON-LD does not parse: %s", doc)
	}
	if err := ledger.CheckClaimReview(doc); err != nil {
		t.Errorf("the embedded ClaimReview: %v", err)
	}
	var cr struct {
		URL           string `json:"url"`
		ClaimReviewed string `json:"claimReviewed"`
		ReviewRating  struct {
			RatingValue   int    `json:"ratingValue"`
			AlternateName string `json:"alternateName"`
		} `json:"reviewRating"`
	}
	json.Unmarshal(doc, &cr)
	if cr.URL != "http://example.com/claims/"+lid(f.claim.ID) || cr.ReviewRating.RatingValue != 2 || cr.ReviewRating.AlternateName != "Mostly false" ||
		cr.ClaimReviewed != f.claim.Text {
		t.Errorf("ClaimReview: %+v", cr)
	}
	// The statement's </script> cannot end the element early.
	if strings.Count(body, "</script>") != 1 {
		t.Error("the claim's text ended the script element")
	}
	for _, want := range []string{"Mostly false", "Some detail is accurate", "The event data say otherwise.", "Reviewed by Test Org.",
		`href="/events?country=Mali&amp;dataset=ucdp&amp;from=2023-01-20&amp;to=2023-01-20"`, `href="/sources/` + lid(f.source.ID) + `"`,
		`href="https://example.org/statement"`, "15 January 2024"} {
		if !strings.Contains(body, want) {
			t.Errorf("claim page lacks %q", want)
		}
	}
	// A review that is not published has none; an internal claim is not
	// there for an anonymous visitor.
	if code, body := f.get(t, "/claims/"+lid(f.draft.ID)); code != 200 || strings.Contains(body, "application/ld+json") {
		t.Errorf("draft claim: %d, JSON-LD %v", code, strings.Contains(body, "application/ld+json"))
	}
	if code, body := f.get(t, "/claims/"+lid(f.internal.ID)); code != 404 || strings.Contains(strings.ToLower(body), "zqxledger") {
		t.Errorf("internal claim for anonymous: %d", code)
	}
	if _, body := f.get(t, "/claims"); strings.Contains(strings.ToLower(body), "zqxledger") {
		t.Error("the claims list shows the internal claim")
	}
	// The API serves the same document.
	rec := f.do(t, "GET", "/api/v1/claims/"+lid(f.claim.ID)+"/claimreview", "", nil)
	if rec.Code != 200 || !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/ld+json") || ledger.CheckClaimReview(rec.Body.Bytes()) != nil {
		t.Errorf("API ClaimReview: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	if rec := f.do(t, "GET", "/api/v1/claims/"+lid(f.draft.ID)+"/claimreview", "", nil); rec.Code != 404 || !strings.Contains(rec.Body.String(), `"not_found"`) {
		t.Errorf("API ClaimReview of a draft: %d %s", rec.Code, rec.Body.String())
	}
}

func TestStatusChangeThroughTheForm(t *testing.T) {
	f := newLedgerFixture(t)
	researcher, u := f.session(t, "researcher@example.org", aftermath.RoleResearcher)
	viewer, _ := f.session(t, "viewer@example.org", aftermath.RoleViewer)
	path := "/recommendations/" + lid(f.open.ID) + "/status"
	f.ownedByOrg(t, aftermath.RecordRecommendation, f.open.ID)
	// The form: a writer gets it, a viewer is told their role does not
	// allow it; an anonymous visitor is sent to sign in.
	if rec := f.do(t, "GET", path, researcher, nil); rec.Code != 200 || !csrfRE.MatchString(rec.Body.String()) || !strings.Contains(rec.Body.String(), `name="criteria"`) {
		t.Fatalf("status form: %d", rec.Code)
	}
	if rec := f.do(t, "GET", path, viewer, nil); rec.Code != 200 || strings.Contains(rec.Body.String(), `name="criteria"`) ||
		!strings.Contains(rec.Body.String(), "Your role does not allow") {
		t.Errorf("status form for a viewer: %d", rec.Code)
	}
	if rec := f.do(t, "GET", path, "", nil); rec.Code != http.StatusSeeOther {
		t.Errorf("status form for anonymous: %d", rec.Code)
	}
	form := url.Values{"csrf": {ledgerCSRF}, "status": {"partly-implemented"}, "date": {"2021-06-30"}, "judged_by": {"Test Org monitoring team"},
		"criteria": {""}, "cite_field": {"status", "criteria", "status"}, "cite_source": {"S/RES/2100 (2013)", "", ""},
		"cite_page": {"para. 19", "", ""}, "cite_confidence": {"high", "medium", "medium"}}
	// Without criteria: back on the form, the field named.
	rec := f.do(t, "POST", path, researcher, form)
	if rec.Code != 400 || !strings.Contains(rec.Body.String(), "Criteria used: this is required.") || !strings.Contains(rec.Body.String(), `value="Test Org monitoring team"`) {
		t.Errorf("status without criteria: %d", rec.Code)
	}
	// An unknown source is named too.
	form.Set("criteria", "Training given in two of five regions, per the mission's report.")
	form["cite_source"] = []string{"NO SUCH SOURCE", "", ""}
	if rec := f.do(t, "POST", path, researcher, form); rec.Code != 400 || !strings.Contains(rec.Body.String(), "no source NO SUCH SOURCE") {
		t.Errorf("status with an unknown source: %d", rec.Code)
	}
	form["cite_source"] = []string{"S/RES/2100 (2013)", "", ""}
	// A date before the inquiry reported: the store refuses, the form says why.
	form.Set("date", "2010-01-01")
	if rec := f.do(t, "POST", path, researcher, form); rec.Code != 400 || !strings.Contains(rec.Body.String(), "before the inquiry reported") {
		t.Errorf("status dated before the inquiry: %d", rec.Code)
	}
	form.Set("date", "2021-06-30")
	// A viewer may not; nor anyone without the CSRF token.
	if rec := f.do(t, "POST", path, viewer, form); rec.Code != 403 {
		t.Errorf("status change by a viewer: %d", rec.Code)
	}
	noToken := url.Values{}
	for k, v := range form {
		noToken[k] = v
	}
	noToken.Del("csrf")
	if rec := f.do(t, "POST", path, researcher, noToken); rec.Code != 403 {
		t.Errorf("status change without CSRF token: %d", rec.Code)
	}
	rec = f.do(t, "POST", path, researcher, form)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/recommendations/"+lid(f.open.ID) {
		t.Fatalf("status change: %d %s %s", rec.Code, rec.Header().Get("Location"), rec.Body.String())
	}
	// It shows on the recommendation page, to anyone: status, date, who
	// judged, the criteria and the citation linked to its source.
	for _, lang := range []string{"en", "fr", "ar"} {
		_, body := f.get(t, "/recommendations/"+lid(f.open.ID)+"?lang="+lang)
		for _, want := range []string{"Test Org monitoring team", "Training given in two of five regions, per the mission&#39;s report.",
			`href="/sources/` + lid(f.source.ID) + `"`, "para. 19"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s: recommendation page after the change lacks %q", lang, want)
			}
		}
		if lang == "en" && (!strings.Contains(body, "30 June 2021") || !strings.Contains(body, "Partly implemented")) {
			t.Error("the change's date or status is missing")
		}
	}
	r, err := f.db.Recommendation(context.Background(), aftermath.Anonymous, f.open.ID)
	if err != nil || r.Status != aftermath.StatusPartlyImplemented || len(r.History) != 1 || len(r.History[0].Citations) != 1 ||
		r.History[0].Citations[0].Page != "para. 19" || r.History[0].JudgedBy != "Test Org monitoring team" {
		t.Fatalf("stored: %+v %v", r, err)
	}
	// The change is in the audit log, by the researcher.
	es, err := f.db.AuditEntries(context.Background(), aftermath.System, sqldb.AuditFilter{RecordType: aftermath.RecordRecommendation, RecordID: f.open.ID})
	if err != nil || !slices.ContainsFunc(es, func(e aftermath.AuditEntry) bool {
		return e.ActorID == u.ID && strings.Contains(e.Detail, "partly-implemented")
	}) {
		t.Errorf("audit log: %v %v", es, err)
	}
	// And in the status CSV.
	_, csvBody := f.get(t, "/ledger/recommendation-status.csv")
	if !strings.Contains(csvBody, "Test Org monitoring team") || !strings.Contains(csvBody, "Four quarterly reports") {
		t.Error("the status CSV lacks the changes")
	}
}

func TestLedgerFormsCreateRecordsAndGuardPublishing(t *testing.T) {
	f := newLedgerFixture(t)
	researcher, _ := f.session(t, "researcher@example.org", aftermath.RoleResearcher)
	editor, _ := f.session(t, "editor@example.org", aftermath.RoleEditor)
	for _, p := range []string{"/decisions/new", "/inquiries/new", "/recommendations/new?inquiry=" + lid(f.inquiry.ID), "/claims/new"} {
		for _, lang := range []string{"en", "ar"} {
			rec := f.do(t, "GET", p+map[bool]string{true: "&", false: "?"}[strings.Contains(p, "?")]+"lang="+lang, researcher, nil)
			if rec.Code != 200 || !csrfRE.MatchString(rec.Body.String()) || !strings.Contains(rec.Body.String(), `name="cite_source"`) {
				t.Errorf("%s (%s): %d", p, lang, rec.Code)
			}
		}
	}
	decision := url.Values{"csrf": {ledgerCSRF}, "maker": {"Ministry of Defence of Testland"}, "maker_kind": {"state"}, "date": {"2015-03"},
		"kind": {"arms-export-licence"}, "reference": {"TL-2015-7"}, "summary": {"Licensed the export of armoured vehicles."},
		"amount": {"1200000"}, "currency": {"eur"}, "interventions": {lid(f.minusma.ID)}, "audience": {"public"},
		"cite_field": {"summary"}, "cite_source": {"S/RES/2100 (2013)"}, "cite_page": {"p. 3"}, "cite_confidence": {"medium"}}
	// A researcher may not publish: refused before the store is asked.
	rec := f.do(t, "POST", "/decisions", researcher, decision)
	if rec.Code != 403 || !strings.Contains(rec.Body.String(), "only an editor or an administrator") {
		t.Errorf("public decision by a researcher: %d", rec.Code)
	}
	if ds, _ := f.db.Decisions(context.Background(), aftermath.System, sqldb.DecisionFilter{Reference: "TL-2015-7"}); len(ds) != 0 {
		t.Fatal("the refused decision was stored")
	}
	// Missing fields are named.
	bad := url.Values{"csrf": {ledgerCSRF}, "maker": {""}, "date": {"March 2015"}, "kind": {"deployment"}, "audience": {"internal"}}
	rec = f.do(t, "POST", "/decisions", researcher, bad)
	for _, want := range []string{"Decided by: this is required.", "When: write the date as YYYY-MM-DD", "Summary: this is required."} {
		if rec.Code != 400 || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("incomplete decision: %d, lacks %q", rec.Code, want)
		}
	}
	// Internal, by the researcher: stored, owned by their organisation,
	// hidden from anonymous visitors.
	decision.Set("audience", "internal")
	rec = f.do(t, "POST", "/decisions", researcher, decision)
	if rec.Code != 303 || !strings.HasPrefix(rec.Header().Get("Location"), "/decisions/") {
		t.Fatalf("internal decision by a researcher: %d %s", rec.Code, rec.Body.String())
	}
	loc := rec.Header().Get("Location")
	if code, _ := f.get(t, loc); code != 404 {
		t.Errorf("the internal decision is shown to anonymous visitors: %d", code)
	}
	if rec := f.do(t, "GET", loc, researcher, nil); rec.Code != 200 || !strings.Contains(rec.Body.String(), "TL-2015-7") || !strings.Contains(rec.Body.String(), "EUR") {
		t.Errorf("the researcher's own decision: %d", rec.Code)
	}
	// Public, by an editor.
	decision.Set("audience", "public")
	decision.Set("reference", "TL-2015-8")
	if rec := f.do(t, "POST", "/decisions", editor, decision); rec.Code != 303 {
		t.Fatalf("public decision by an editor: %d %s", rec.Code, rec.Body.String())
	} else if code, body := f.get(t, rec.Header().Get("Location")); code != 200 || !strings.Contains(body, "Ministry of Defence of Testland") {
		t.Errorf("the published decision: %d", code)
	}
	// An inquiry with findings one a line, each cited to the report.
	inquiry := url.Values{"csrf": {ledgerCSRF}, "body": {"Testland Audit Office"}, "body_kind": {"organisation"}, "type": {"inspector-general"},
		"title": {"Audit of export licences"}, "date": {"2019-11-02"}, "subjects": {"Ministry of Defence of Testland"},
		"findings":        {"Licences were granted without end-use checks. | para. 4\nNo licence was refused. | para. 9\n"},
		"findings_source": {"S/RES/2100 (2013)"}, "findings_confidence": {"high"}, "audience": {"internal"}}
	rec = f.do(t, "POST", "/inquiries", researcher, inquiry)
	if rec.Code != 303 {
		t.Fatalf("inquiry: %d %s", rec.Code, rec.Body.String())
	}
	qid, _ := strconv.ParseInt(strings.TrimPrefix(rec.Header().Get("Location"), "/inquiries/"), 10, 64)
	q, err := f.db.Inquiry(context.Background(), aftermath.System, qid)
	if err != nil || len(q.Findings) != 2 || q.Findings[1].Location != "para. 9" || len(q.Findings[1].Citations) != 1 || q.Findings[1].Citations[0].Page != "para. 9" {
		t.Fatalf("stored inquiry: %+v %v", q, err)
	}
	// A recommendation on it, then a claim.
	rec = f.do(t, "POST", "/recommendations", researcher, url.Values{"csrf": {ledgerCSRF}, "inquiry": {lid(qid)}, "number": {"R1"},
		"addressee": {"Ministry of Defence of Testland"}, "text": {"Check end use."}, "deadline": {"2020-12-31"}, "audience": {"internal"}})
	if rec.Code != 303 {
		t.Fatalf("recommendation: %d %s", rec.Code, rec.Body.String())
	}
	rec = f.do(t, "POST", "/claims", researcher, url.Values{"csrf": {ledgerCSRF}, "author": {"Testland minister"}, "author_kind": {"person"},
		"date": {"2020-02-02"}, "text": {"Every licence is checked."}, "verdict": {"false"}, "reasoning": {"The audit found none checked."},
		"reviewed_by": {"Org"}, "published": {"1"}, "published_date": {"2021-01-01"}, "ev_kind": {"source", "event", "event"},
		"ev_ref": {lid(f.source.ID), "", ""}, "audience": {"internal"}})
	if rec.Code != 303 {
		t.Fatalf("claim: %d %s", rec.Code, rec.Body.String())
	}
	if rec := f.do(t, "GET", rec.Header().Get("Location"), researcher, nil); rec.Code != 200 || strings.Contains(rec.Body.String(), "application/ld+json") {
		t.Errorf("an internal published claim: %d, carries JSON-LD %v", rec.Code, strings.Contains(rec.Body.String(), "application/ld+json"))
	}
}

func TestLedgerAPI(t *testing.T) {
	f := newLedgerFixture(t)
	researcher := apiToken(t, f.db, "r@example.org", aftermath.RoleResearcher)
	editor := apiToken(t, f.db, "e@example.org", aftermath.RoleEditor)
	viewer := apiToken(t, f.db, "v@example.org", aftermath.RoleViewer)
	code, out := call(t, f.h, "GET", "/api/v1/recommendations?addressee="+lid(f.un)+"&overdue=1", "", "")
	var rs []aftermath.Recommendation
	if code != 200 || json.Unmarshal([]byte(out), &rs) != nil || len(rs) != 1 || rs[0].ID != f.overdue.ID || !rs[0].Overdue {
		t.Errorf("overdue recommendations: %d %s", code, out)
	}
	code, out = call(t, f.h, "GET", "/api/v1/inquiries/"+lid(f.inquiry.ID), "", "")
	if code != 200 || !strings.Contains(out, `"recommendations"`) || !strings.Contains(out, "Patrols did not reach") {
		t.Errorf("inquiry: %d %s", code, out)
	}
	if code, out := call(t, f.h, "GET", "/api/v1/claims/"+lid(f.internal.ID), "", ""); code != 404 || strings.Contains(strings.ToLower(out), "zqxledger") {
		t.Errorf("internal claim by API: %d", code)
	}
	if code, out := call(t, f.h, "GET", "/api/v1/decisions?maker=x", "", ""); code != 400 || !strings.Contains(out, `"invalid"`) {
		t.Errorf("bad filter: %d %s", code, out)
	}
	body := `{"maker":{"name":"Testland"},"date":"2020","kind":"funding","summary":"Funded the border force.","audience":"public","citations":[]}`
	if code, _ := call(t, f.h, "POST", "/api/v1/decisions", viewer, body); code != 403 {
		t.Errorf("decision by a viewer: %d", code)
	}
	if code, out := call(t, f.h, "POST", "/api/v1/decisions", researcher, body); code != 403 || !strings.Contains(out, "publish") {
		t.Errorf("public decision by a researcher: %d %s", code, out)
	}
	code, out = call(t, f.h, "POST", "/api/v1/decisions", editor, body)
	var d aftermath.Decision
	if code != 201 || json.Unmarshal([]byte(out), &d) != nil || d.ID == 0 || d.Audience != aftermath.AudiencePublic || d.Owner != "org" {
		t.Errorf("decision by an editor: %d %s", code, out)
	}
	if code, _ := call(t, f.h, "POST", "/api/v1/decisions", editor, `{"maker":{"name":"X"},"bogus":1}`); code != 400 {
		t.Errorf("unknown key: %d", code)
	}
	// A status change by API: refused without criteria, stored with them.
	f.ownedByOrg(t, aftermath.RecordRecommendation, f.overdue.ID)
	sc := `{"status":"not-implemented","date":"2022-01-01","judged_by":"Org","criteria":"","citations":[{"source_id":` + lid(f.source.ID) + `,"confidence":"high"}]}`
	if code, out := call(t, f.h, "POST", "/api/v1/recommendations/"+lid(f.overdue.ID)+"/status", researcher, sc); code != 400 || !strings.Contains(out, "criteria") {
		t.Errorf("status without criteria: %d %s", code, out)
	}
	sc = strings.Replace(sc, `"criteria":""`, `"criteria":"No plan was published by the deadline."`, 1)
	code, out = call(t, f.h, "POST", "/api/v1/recommendations/"+lid(f.overdue.ID)+"/status", researcher, sc)
	var r aftermath.Recommendation
	if code != 201 || json.Unmarshal([]byte(out), &r) != nil || r.Status != aftermath.StatusNotImplemented || !r.Overdue {
		t.Errorf("status change: %d %s", code, out)
	}
	// CSV exports answer for everyone, under the audience rules.
	for _, name := range []string{"decisions", "inquiries", "findings", "recommendations", "recommendation-status", "claims"} {
		rec := f.do(t, "GET", "/ledger/"+name+".csv", "", nil)
		rows, err := csv.NewReader(rec.Body).ReadAll()
		if rec.Code != 200 || err != nil || len(rows) < 2 || !strings.Contains(rec.Header().Get("Content-Disposition"), "aftermath-"+name+".csv") {
			t.Errorf("%s.csv: %d %v %d rows", name, rec.Code, err, len(rows))
		}
		if strings.Contains(strings.ToLower(rec.Body.String()), "zqxledger") {
			t.Errorf("%s.csv shows an internal record", name)
		}
	}
}

// TestTimelinesAndScorecards renders them from the imported UCDP data and
// the starter records, and follows every figure of the scorecards to the
// list it links to, which must list exactly the records counted.
func TestTimelinesAndScorecards(t *testing.T) {
	f := newLedgerFixture(t)
	ctx := context.Background()
	_, body := f.get(t, "/interventions/minusma/timeline")
	for _, want := range []string{"S/RES/2100 (2013)", "S/RES/2690 (2023)", "TEST-DEC-1", "Review of the protection of civilians",
		"Publish a protection plan for each region.", "Overdue", "Implemented", "Four quarterly reports", "Harm by partner forces",
		"Data window:", "civilians killed in Mopti", `href="/claims/` + lid(f.claim.ID) + `"`, "Method"} {
		if !strings.Contains(body, want) {
			t.Errorf("MINUSMA timeline lacks %q", want)
		}
	}
	// The sections come in the order of the story.
	order := []string{`id="decisions"`, `id="followed"`, `id="inquiries"`, `id="recommendations"`, `id="recurrence"`}
	for i := 1; i < len(order); i++ {
		if strings.Index(body, order[i-1]) > strings.Index(body, order[i]) {
			t.Errorf("%s comes after %s", order[i-1], order[i])
		}
	}
	_, body = f.get(t, "/actors/"+lid(f.unsc)+"/timeline?lang=ar")
	if n := len(ledgerLinkedIDs(body, "decisions")); n != 6 {
		t.Errorf("the Security Council's timeline links %d decisions, want the 6 starter ones", n)
	}
	uk := ledgerActorNamed(t, f.db, "United Kingdom")
	_, body = f.get(t, "/actors/"+lid(uk)+"/timeline")
	if !strings.Contains(body, "HC 264") || !strings.Contains(body, "HC 119") {
		t.Error("the United Kingdom's timeline lacks the inquiries that examined it")
	}
	for _, actor := range []int64{f.un, f.unsc, uk} {
		sc, err := f.db.Scorecard(ctx, aftermath.Anonymous, actor)
		if err != nil {
			t.Fatal(err)
		}
		code, page := f.get(t, "/actors/"+lid(actor)+"/scorecard")
		if code != 200 {
			t.Fatalf("scorecard %d: %d", actor, code)
		}
		figures := map[string]aftermath.Figure{"/decisions?maker=": sc.Decisions, "/inquiries?subject=": sc.Inquiries}
		recs := "/recommendations?addressee=" + lid(actor)
		for link, fig := range map[string]aftermath.Figure{"": sc.Recommendations, "&status=open": sc.Open, "&status=implemented": sc.Implemented,
			"&status=partly-implemented": sc.PartlyImplemented, "&status=not-implemented": sc.NotImplemented, "&status=superseded": sc.Superseded,
			"&overdue=1": sc.Overdue} {
			figures[recs+link] = fig
		}
		figures["/claims?author="+lid(actor)+"&published=1"] = sc.ClaimsReviewed
		figures["/claims?author="+lid(actor)+"&published=1&contradicted=1"] = sc.ClaimsContradicted
		links := regexp.MustCompile(`<a class="figure" href="([^"]+)">([^<]+)</a>`).FindAllStringSubmatch(page, -1)
		if len(links) < len(figures)+1 {
			t.Errorf("scorecard %d: %d figure links", actor, len(links))
		}
		seen := 0
		for _, l := range links {
			href := html.UnescapeString(l[1])
			count, _ := strconv.Atoi(strings.ReplaceAll(l[2], ",", ""))
			if strings.HasPrefix(href, "/events?") || strings.Contains(href, "#analysis") || strings.Contains(l[2], "%") {
				continue // checked below
			}
			if href == "#backed" {
				if count != sc.InterventionsBacked.Count {
					t.Errorf("scorecard %d: interventions backed %d, want %d", actor, count, sc.InterventionsBacked.Count)
				}
				seen++
				continue
			}
			fig, ok := figures[strings.Replace(strings.Replace(href, "maker="+lid(actor), "maker=", 1), "subject="+lid(actor), "subject=", 1)]
			if !ok {
				t.Errorf("scorecard %d: a figure links to %s, which is not one of its lists", actor, href)
				continue
			}
			seen++
			if count != fig.Count {
				t.Errorf("scorecard %d: %s shows %d, the store counts %d", actor, href, count, fig.Count)
			}
			_, list := f.get(t, href)
			kind := strings.Split(strings.TrimPrefix(href, "/"), "?")[0]
			want := slices.Clone(fig.IDs)
			slices.Sort(want)
			if got := ledgerLinkedIDs(list, kind); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
				t.Errorf("scorecard %d: %s lists %v, the figure counts %v", actor, href, got, want)
			}
		}
		if seen != len(figures)+1 {
			t.Errorf("scorecard %d: %d ledger figures linked, want %d", actor, seen, len(figures)+1)
		}
		// The backed interventions are listed under #backed.
		i := strings.Index(page, `id="backed"`)
		if i < 0 {
			t.Fatalf("scorecard %d has no #backed", actor)
		}
		backed := regexp.MustCompile(`(?s)<ul class="backed">(.*?)</ul>`).FindStringSubmatch(page[i:])
		if backed == nil || strings.Count(backed[1], `<a href="/interventions/`) != sc.InterventionsBacked.Count {
			t.Errorf("scorecard %d: #backed does not list the %d interventions", actor, sc.InterventionsBacked.Count)
		}
	}
	// The UN's figures are those the fixture gives it.
	sc, _ := f.db.Scorecard(ctx, aftermath.Anonymous, f.un)
	if sc.Decisions.Count != 1 || sc.Inquiries.Count != 1 || sc.Recommendations.Count != 3 || sc.Implemented.Count != 1 || sc.Overdue.Count != 1 ||
		sc.ClaimsReviewed.Count != 2 || sc.ClaimsContradicted.Count != 1 || sc.InterventionsBacked.Count != 2 {
		t.Errorf("UN scorecard: %+v", sc)
	}
	_, page := f.get(t, "/actors/"+lid(f.un)+"/scorecard")
	if !strings.Contains(page, `href="/recommendations?addressee=`+lid(f.un)+`&amp;status=implemented">33%</a>`) {
		t.Error("the share implemented (1 of 3) is not shown as a link to the implemented recommendations")
	}
	// Harm where it backed: the partner forces' own events (impact.Harm),
	// one-sided violence and battles before, during and after their
	// support; nothing in the area is attributed to the backer by place.
	if strings.Contains(page, `href="/events?dataset=`) {
		t.Error("the UN scorecard still links area totals of the events explorer")
	}
	if !strings.Contains(page, "Harm by partner forces") && !strings.Contains(page, "Harm by the forces it backed") {
		t.Error("the UN scorecard lacks harm by the forces it backed")
	}
	if !strings.Contains(page, `href="/interventions/minusma#harm"`) {
		t.Error("the UN scorecard does not link MINUSMA's harm analysis")
	}
	h, err := impact.Harm(ctx, f.db, f.minusma, impact.HarmOptions{Viewer: aftermath.Anonymous})
	if err != nil {
		t.Fatal(err)
	}
	sec := page[strings.Index(page, `<h3><a href="/interventions/minusma">`):]
	rows := regexp.MustCompile(`<tr><th scope="row">([^<]+)</th><td>([^<]+)</td><td>[^<]*</td><td>([^<]+)</td><td>([^<]+)</td><td>([^<]+)</td>`).FindAllStringSubmatch(sec, len(h.Rows))
	if len(h.Rows) != 6 || len(rows) != len(h.Rows) {
		t.Fatalf("MINUSMA on the UN scorecard: %d harm rows shown, impact.Harm has %d (want 6: two measures × before, during, after)", len(rows), len(h.Rows))
	}
	covered := 0
	for i, row := range h.Rows {
		got := rows[i]
		want := "not covered"
		if row.Events != nil {
			want = strconv.FormatInt(*row.Events, 10)
			covered++
		}
		if got[3] != want {
			t.Errorf("row %d (%s %s): events %q, want %q", i, row.Measure, row.Period, got[3], want)
		}
		if row.Events == nil && (got[4] != "not covered" || got[5] != "not covered") {
			t.Errorf("row %d (%s %s) is not covered but shows %q and %q", i, row.Measure, row.Period, got[4], got[5])
		}
		if row.Measure == impact.MeasureBattles && row.DeathsCivilians != nil && !strings.Contains(got[5], "in battles involving the partner") {
			t.Errorf("row %d: civilian deaths in battles are not labelled as such: %q", i, got[5])
		}
		if !strings.Contains(got[1], map[string]string{"one-sided": "One-sided violence by the partner", "battles": "Battles involving the partner"}[row.Measure]) {
			t.Errorf("row %d: %q does not name the measure %s", i, got[1], row.Measure)
		}
	}
	// The fixture's data (2023) cover only the last months of support:
	// before support began (2013) nothing is covered, and says so.
	if covered == 0 || covered == len(h.Rows) {
		t.Errorf("MINUSMA harm: %d of %d rows covered, want some but not all", covered, len(h.Rows))
	}
}

func ledgerActorNamed(t *testing.T, db *sqldb.DB, name string) int64 {
	t.Helper()
	list, err := db.SearchActors(context.Background(), aftermath.System, name, 50)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range list {
		if a.Name == name {
			return a.ID
		}
	}
	t.Fatalf("no actor %q", name)
	return 0
}

// ledgerRouteIDs stores one public record of each ledger kind (the claim's
// review published) and maps the path prefixes of their routes to their
// ids, for TestEveryRouteForEveryRole.
func ledgerRouteIDs(t *testing.T, db *sqldb.DB) map[string]int64 {
	t.Helper()
	ctx := context.Background()
	src, err := db.SourceByIdentifier(ctx, aftermath.System, "S/RES/2100 (2013)")
	if err != nil {
		t.Fatal(err)
	}
	cite := []aftermath.Citation{{Field: "text", SourceID: src.ID, Confidence: aftermath.ConfidenceHigh}}
	d := &aftermath.Decision{Maker: aftermath.ActorRef{Name: "Route Council"}, Date: "2013", Kind: "deployment", Summary: "Route decision.",
		Audience: aftermath.AudiencePublic, Citations: []aftermath.Citation{}}
	q := &aftermath.Inquiry{Body: aftermath.ActorRef{Name: "Route Board"}, Type: "court", Title: "Route inquiry", Date: "2014",
		Audience: aftermath.AudiencePublic, Citations: []aftermath.Citation{}}
	if err := db.CreateDecision(ctx, aftermath.System, d); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateInquiry(ctx, aftermath.System, q); err != nil {
		t.Fatal(err)
	}
	r := &aftermath.Recommendation{InquiryID: q.ID, Addressee: aftermath.ActorRef{Name: "Route Council"}, Text: "Route recommendation.",
		Audience: aftermath.AudiencePublic, Citations: cite}
	if err := db.CreateRecommendation(ctx, aftermath.System, r); err != nil {
		t.Fatal(err)
	}
	c := &aftermath.Claim{Author: aftermath.ActorRef{Name: "Route Council"}, Date: "2015-01-01", Text: "Route claim.", Verdict: "mixed",
		Reasoning: "Route reasoning.", ReviewedBy: "Org", Evidence: []aftermath.EvidenceLink{{Kind: "event", Ref: "ucdp:1001"}},
		Published: true, PublishedDate: "2016-01-01", Audience: aftermath.AudiencePublic, Citations: cite}
	if err := db.CreateClaim(ctx, aftermath.System, c); err != nil {
		t.Fatal(err)
	}
	out := map[string]int64{}
	for prefix, n := range map[string]int64{"/decisions/": d.ID, "/inquiries/": q.ID, "/recommendations/": r.ID, "/claims/": c.ID} {
		out[prefix], out["/api/v1"+prefix] = n, n
	}
	return out
}

// addHiddenLedger adds to the audience fixture ledger records whose texts
// say "Zqxledger": internal ones owned by org "owner", public ones that
// point at hidden things (an internal intervention, the internal source
// and dataset, an internal decision), and a public recommendation of an
// internal inquiry. None of their hidden text may reach anyone outside
// the owning organisation.
func addHiddenLedger(t *testing.T, f *audienceFixture) {
	t.Helper()
	ctx, db, sys := context.Background(), f.db, aftermath.System
	hiddenCite := []aftermath.Citation{{Field: "text", SourceID: f.source.ID, Quote: "Zqxquote", Confidence: aftermath.ConfidenceLow}}
	ministry := aftermath.ActorRef{Name: "Zqxledger Ministry", Kind: aftermath.KindState}
	council := aftermath.ActorRef{Name: "Open Council", Kind: aftermath.KindOrganisation}
	hidden := &aftermath.Decision{Maker: ministry, Date: "2024-01", Kind: "partnership", Reference: "ZQXLEDGER-D", Summary: "Zqxledger decision.",
		Rationale: "Zqxledger grounds.", InterventionIDs: []int64{f.public.ID, f.internal.ID}, Audience: aftermath.AudienceInternal, Owner: "owner",
		Citations: []aftermath.Citation{{Field: "summary", SourceID: f.source.ID, Quote: "Zqxquote", Confidence: aftermath.ConfidenceLow}}}
	open := &aftermath.Decision{Maker: council, Date: "2024-02", Kind: "funding", Reference: "OPEN-D", Summary: "Open decision.",
		InterventionIDs: []int64{f.internal.ID, f.public.ID}, Actors: []aftermath.ActorRef{{Name: "Open Partner"}}, Audience: aftermath.AudiencePublic,
		Citations: []aftermath.Citation{{Field: "summary", SourceID: f.source.ID, Quote: "Zqxquote", Confidence: aftermath.ConfidenceLow}}}
	for _, d := range []*aftermath.Decision{hidden, open} {
		if err := db.CreateDecision(ctx, sys, d); err != nil {
			t.Fatal(err)
		}
	}
	hq := &aftermath.Inquiry{Body: ministry, Type: "inspector-general", Title: "Zqxledger inquiry", Reference: "ZQXLEDGER-Q", Date: "2024-03-01",
		Subjects: []aftermath.ActorRef{council}, InterventionIDs: []int64{f.public.ID}, Audience: aftermath.AudienceInternal, Owner: "owner",
		Findings: []aftermath.Finding{{Text: "Zqxledger finding.", Citations: hiddenCite}}, Citations: []aftermath.Citation{}}
	oq := &aftermath.Inquiry{Body: council, Type: "court", Title: "Open inquiry", Reference: "OPEN-Q", Date: "2024-03-02",
		Subjects: []aftermath.ActorRef{council}, InterventionIDs: []int64{f.public.ID, f.internal.ID}, Audience: aftermath.AudiencePublic,
		Findings: []aftermath.Finding{{Text: "Open finding.", Citations: hiddenCite}}, Citations: []aftermath.Citation{}}
	for _, q := range []*aftermath.Inquiry{hq, oq} {
		if err := db.CreateInquiry(ctx, sys, q); err != nil {
			t.Fatal(err)
		}
	}
	recs := []*aftermath.Recommendation{
		// public, but of an internal inquiry: hidden with it
		{InquiryID: hq.ID, Addressee: council, Text: "Zqxledger recommendation of a hidden inquiry.", Audience: aftermath.AudiencePublic},
		{InquiryID: oq.ID, Addressee: council, Text: "Zqxledger internal recommendation.", Audience: aftermath.AudienceInternal, Owner: "owner"},
		{InquiryID: oq.ID, Addressee: council, Number: "OPEN-R", Text: "Open recommendation.", Deadline: "2024-04-01", Audience: aftermath.AudiencePublic,
			Recurrences: []aftermath.Recurrence{{Kind: "decision", DecisionID: hidden.ID, Note: "Zqxledger note"}, {Kind: "event", Dataset: "acled", NativeID: "MLI99002", Note: "Zqxledger event"}}},
	}
	for _, r := range recs {
		r.Citations = hiddenCite
		if err := db.CreateRecommendation(ctx, sys, r); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.AddRecommendationStatus(ctx, sys, recs[2].ID, &aftermath.StatusChange{Status: aftermath.StatusNotImplemented, Date: "2024-05-01",
		JudgedBy: "Open judge", Criteria: "Open criteria.", Citations: []aftermath.Citation{{SourceID: f.source.ID, Quote: "Zqxquote", Confidence: "low"}}}); err != nil {
		t.Fatal(err)
	}
	claims := []*aftermath.Claim{
		{Author: ministry, Date: "2024-02-02", Text: "Zqxledger claim.", Verdict: "false", Reasoning: "Zqxledger reasoning.", ReviewedBy: "Zqxledger reviewers",
			Evidence: []aftermath.EvidenceLink{{Kind: "event", Ref: "acled:MLI99002"}}, Published: true, PublishedDate: "2024-06-01",
			Audience: aftermath.AudienceInternal, Owner: "owner"},
		{Author: council, Date: "2024-02-03", Text: "Open claim.", Verdict: "mixed", Reasoning: "Open reasoning.", ReviewedBy: "Open reviewers",
			Evidence: []aftermath.EvidenceLink{{Kind: "event", Ref: "acled:MLI99002", Note: "Zqxledger evidence"}, {Kind: "source", Ref: lid(f.source.ID), Note: "Zqxledger source"},
				{Kind: "intervention", Ref: "zqx-internal", Note: "Zqxledger mission"}, {Kind: "intervention", Ref: "open-mission"}},
			InterventionIDs: []int64{f.internal.ID}, Published: true, PublishedDate: "2024-06-02", Audience: aftermath.AudiencePublic},
	}
	for _, c := range claims {
		c.Citations = hiddenCite
		if err := db.CreateClaim(ctx, sys, c); err != nil {
			t.Fatal(err)
		}
	}
}

// ledgerProbes are the ledger's public GET routes aimed at the records of
// addHiddenLedger.
func (f *audienceFixture) ledgerProbes() []string {
	ctx, sys := context.Background(), aftermath.System
	var ds []aftermath.Decision
	var qs []aftermath.Inquiry
	var rs []aftermath.Recommendation
	for _, ref := range []string{"ZQXLEDGER-D", "OPEN-D"} {
		got, _ := f.db.Decisions(ctx, sys, sqldb.DecisionFilter{Reference: ref})
		ds = append(ds, got...)
	}
	for _, ref := range []string{"ZQXLEDGER-Q", "OPEN-Q"} {
		got, _ := f.db.Inquiries(ctx, sys, sqldb.InquiryFilter{Reference: ref})
		qs = append(qs, got...)
		for _, q := range got {
			r, _ := f.db.RecommendationsOf(ctx, sys, q.ID)
			rs = append(rs, r...)
		}
	}
	out := []string{"/ledger", "/ledger?lang=ar", "/decisions", "/inquiries", "/recommendations", "/recommendations?overdue=1", "/claims",
		"/claims?published=1&contradicted=1", "/api/v1/decisions", "/api/v1/inquiries", "/api/v1/recommendations", "/api/v1/claims"}
	for _, t := range []string{"decisions", "inquiries", "findings", "recommendations", "recommendation-status", "claims"} {
		out = append(out, "/ledger/"+t+".csv")
	}
	actors := map[int64]bool{}
	var cs []aftermath.Claim
	for _, d := range ds {
		actors[d.Maker.ID] = true
		out = append(out, "/decisions/"+lid(d.ID), "/decisions/"+lid(d.ID)+"?lang=fr", "/api/v1/decisions/"+lid(d.ID),
			"/decisions?maker="+lid(d.Maker.ID), "/api/v1/decisions?actor="+lid(d.Maker.ID))
	}
	for _, q := range qs {
		actors[q.Body.ID] = true
		out = append(out, "/inquiries/"+lid(q.ID), "/inquiries/"+lid(q.ID)+"?lang=ar", "/api/v1/inquiries/"+lid(q.ID), "/recommendations?inquiry="+lid(q.ID))
	}
	for _, r := range rs {
		actors[r.Addressee.ID] = true
		out = append(out, "/recommendations/"+lid(r.ID), "/api/v1/recommendations/"+lid(r.ID), "/recommendations/"+lid(r.ID)+"?lang=fr",
			"/recommendations?addressee="+lid(r.Addressee.ID)+"&status=not-implemented")
	}
	cs, _ = f.db.Claims(ctx, sys, sqldb.ClaimFilter{})
	for _, c := range cs {
		actors[c.Author.ID] = true
		out = append(out, "/claims/"+lid(c.ID), "/api/v1/claims/"+lid(c.ID), "/api/v1/claims/"+lid(c.ID)+"/claimreview")
	}
	for a := range actors {
		out = append(out, "/actors/"+lid(a), "/actors/"+lid(a)+"/timeline", "/actors/"+lid(a)+"/scorecard", "/actors/"+lid(a)+"/scorecard?lang=ar",
			"/claims?author="+lid(a)+"&published=1", "/inquiries?subject="+lid(a))
	}
	for _, iv := range []*aftermath.Intervention{f.internal, f.partners, f.confidential, f.public} {
		out = append(out, "/interventions/"+iv.Slug+"/timeline", "/interventions/"+iv.Slug+"/timeline?lang=ar",
			"/decisions?intervention="+lid(iv.ID), "/recommendations?intervention="+lid(iv.ID))
	}
	return out
}

// TestLedgerAudiences: the owner's researcher sees the internal ledger
// records; others get 404 as for records that do not exist.
func TestLedgerAudiences(t *testing.T) {
	f := newAudienceFixture(t)
	ds, _ := f.db.Decisions(context.Background(), aftermath.System, sqldb.DecisionFilter{Reference: "ZQXLEDGER-D"})
	if len(ds) != 1 {
		t.Fatal("no hidden decision in the audience fixture")
	}
	u := "/decisions/" + lid(ds[0].ID)
	for person, want := range map[string]int{"": 404, "owner-researcher": 200, "owner-contributor": 404, "partner-viewer": 404, "other-admin": 404} {
		code, body := f.get(t, person, u)
		if code != want {
			t.Errorf("%q on the internal decision: %d, want %d", person, code, want)
		}
		if want == 200 && (!strings.Contains(body, "Zqxledger decision.") || !strings.Contains(body, `<p class="audience">`)) {
			t.Errorf("%q does not see the internal decision with its audience", person)
		}
	}
	// The open records show, without what they point at that is hidden.
	_, body := f.get(t, "", "/claims")
	if !strings.Contains(body, "Open claim.") {
		t.Error("the public claim is not listed")
	}
	if _, body := f.get(t, "owner-researcher", "/actors/"+lid(ds[0].Maker.ID)+"/scorecard"); !strings.Contains(body, "Zqxledger Ministry") {
		t.Error("the owner's researcher does not see the ministry's scorecard")
	}
}
