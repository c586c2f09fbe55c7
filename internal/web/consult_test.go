package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/consult"
	"aftermath/internal/sqldb"
)

// consultRouteFixture makes, for the role × route test, an open public
// consultation owned by the organisation "org" (where the test's people
// are members) with an unused invitation, and returns their ids and the
// link's token.
func consultRouteFixture(t *testing.T, db *sqldb.DB) (id, invitation int64, token string) {
	t.Helper()
	ctx := context.Background()
	org, err := db.Organisation(ctx, "org")
	if err != nil {
		t.Fatal(err)
	}
	c := consultationFixture(t, org.ID, aftermath.AudiencePublic, "Route check")
	if err := db.CreateConsultation(ctx, aftermath.System, c); err != nil {
		t.Fatal(err)
	}
	if err := db.SetConsultationState(ctx, aftermath.System, c.ID, sqldb.ConsultOpen); err != nil {
		t.Fatal(err)
	}
	inv, tok, err := db.CreateInvitation(ctx, aftermath.System, c.ID, sqldb.InvitationInput{OrgName: "Partner without an account"})
	if err != nil {
		t.Fatal(err)
	}
	return c.ID, inv.ID, tok
}

// consultQuestions is the questionnaire of the tests, in the form's text
// format: a ranking, a choice and a free-text question.
const consultQuestions = `? priorities ranking required
en: What should the mission change first?
fr: Que devrait changer la mission en premier ?
ar: ما الذي يجب أن تغيّره البعثة أولاً؟
- protection
  en: Protection of civilians
  fr: Protection des civils
  ar: حماية المدنيين
- justice
  en: Justice for abuses
  fr: Justice pour les exactions
  ar: العدالة في الانتهاكات
- aid
  en: Aid reaching the villages
  fr: Une aide qui atteint les villages
  ar: وصول المساعدات إلى القرى
? safe choice
en: Can your members speak freely?
fr: Vos membres peuvent-ils parler librement ?
ar: هل يستطيع أعضاؤكم التحدث بحرية؟
- yes
  en: Yes
  fr: Oui
  ar: نعم
- no
  en: No
  fr: Non
  ar: لا
? story text
en: What has changed for you?
fr: Qu’est-ce qui a changé pour vous ?
ar: ما الذي تغيّر بالنسبة لكم؟`

func consultationFixture(t *testing.T, org int64, a aftermath.Audience, title string) *sqldb.Consultation {
	t.Helper()
	q, err := consult.ParseText(consultQuestions)
	if err != nil {
		t.Fatal(err)
	}
	return &sqldb.Consultation{Title: consult.Text{"en": title, "fr": title + " (fr)", "ar": "مشاورة " + title},
		Purpose:       consult.Text{"en": "A report to the mission's donors.", "fr": "Un rapport aux bailleurs de la mission.", "ar": "تقرير إلى مموّلي البعثة."},
		Questionnaire: *q, OwnerOrgID: org, Audience: a, Country: "MLI", RetainUntil: "2040-01-01"}
}

var linkRE = regexp.MustCompile(`(?:https?://[^<"\s]+)?/c/([A-Za-z0-9_-]{43})`)

// participant sends the questionnaire's form as someone without an
// account: the CSRF cookie the page set, and the answers.
func participant(t *testing.T, h http.Handler, path string, form url.Values, csrf string) *httptest.ResponseRecorder {
	t.Helper()
	if csrf != "" {
		form.Set("csrf", csrf)
	}
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if csrf != "" {
		req.AddCookie(&http.Cookie{Name: "aftermath_csrf", Value: csrf})
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func csrfFrom(t *testing.T, rec *httptest.ResponseRecorder) string {
	t.Helper()
	for _, c := range rec.Result().Cookies() {
		if c.Name == "aftermath_csrf" {
			return c.Value
		}
	}
	t.Fatal("no CSRF cookie set")
	return ""
}

func answers() url.Values {
	return url.Values{"q1r1": {"justice"}, "q1r2": {"protection"}, "q2": {"no"},
		"q3": {"Les soldats ont fermé le marché de Zqxkonna."}, "consent": {"anonymous-publication"}, "agree": {"yes"}}
}

// TestConsultationJourney: an editor writes a consultation, opens it and
// makes a link; a participant without an account answers in French
// through it, once; the results and their export follow.
func TestConsultationJourney(t *testing.T) {
	f := newVoicesFixture(t, true)
	ctx := context.Background()
	// The form documents the questionnaire's format; non-managers may not use it.
	rec := f.do(t, "editor", "GET", "/consultations/new", nil)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "? KEY KIND") || !strings.Contains(rec.Body.String(), `name="questionnaire"`) {
		t.Fatalf("form: %d", rec.Code)
	}
	if rec := f.do(t, "viewer", "GET", "/consultations/new", nil); rec.Code != 403 {
		t.Errorf("viewer's form: %d", rec.Code)
	}
	form := url.Values{"title_en": {"Priorities for the mission"}, "title_fr": {"Priorités pour la mission"}, "title_ar": {"أولويات البعثة"},
		"purpose_en": {"A report to the mission's donors."}, "purpose_fr": {"Un rapport aux bailleurs."}, "purpose_ar": {"تقرير إلى المموّلين."},
		"questionnaire": {consultQuestions}, "audience": {"public"}, "country": {"MLI"}, "retain_until": {"2040-01-01"},
		"org": {strconv.FormatInt(f.orgs["sahel-voices"], 10)}}
	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("questionnaire", "? priorities ranking\nen: x\n- a\n  en: A")
	if rec := f.do(t, "editor", "POST", "/consultations", bad); rec.Code != 422 || !strings.Contains(rec.Body.String(), "needs at least two options") ||
		!strings.Contains(rec.Body.String(), "? priorities ranking") {
		t.Errorf("bad questionnaire: %d", rec.Code)
	}
	if rec := f.do(t, "viewer", "POST", "/consultations", form); rec.Code != 403 {
		t.Errorf("viewer creates: %d", rec.Code)
	}
	rec = f.do(t, "editor", "POST", "/consultations", form)
	if rec.Code != 303 {
		t.Fatalf("create: %d %s", rec.Code, rec.Body.String())
	}
	page := rec.Header().Get("Location")
	id, _ := strconv.ParseInt(strings.TrimPrefix(page, "/consultations/"), 10, 64)
	// A draft: the viewer does not see it yet; the editor opens it.
	if rec := f.do(t, "viewer", "GET", page, nil); rec.Code != 404 {
		t.Errorf("viewer sees the draft: %d", rec.Code)
	}
	if rec := f.do(t, "viewer", "POST", page+"/state", url.Values{"state": {"open"}}); rec.Code != 404 {
		t.Errorf("viewer opens the draft: %d", rec.Code)
	}
	if rec := f.do(t, "editor", "POST", page+"/state", url.Values{"state": {"open"}}); rec.Code != 303 {
		t.Fatalf("open: %d", rec.Code)
	}
	// The viewer now sees it, but not its invitations, and may not invite.
	rec = f.do(t, "viewer", "GET", page, nil)
	if rec.Code != 200 || strings.Contains(rec.Body.String(), `action="`+page+`/invitations"`) {
		t.Errorf("viewer's page: %d", rec.Code)
	}
	if rec := f.do(t, "viewer", "POST", page+"/invitations", url.Values{"org_name": {"X"}}); rec.Code != 403 {
		t.Errorf("viewer invites: %d", rec.Code)
	}
	// A link, shown once.
	rec = f.do(t, "editor", "POST", page+"/invitations", url.Values{"org_name": {"Collectif des femmes de Gao"}, "days": {"10"}})
	m := linkRE.FindStringSubmatch(rec.Body.String())
	if rec.Code != 200 || m == nil || rec.Header().Get("Cache-Control") != "no-store, private" {
		t.Fatalf("invite: %d", rec.Code)
	}
	token, link := m[1], "/c/"+m[1]
	if again := f.do(t, "editor", "GET", page, nil).Body.String(); strings.Contains(again, token) || !strings.Contains(again, "Collectif des femmes de Gao") {
		t.Error("the link is shown again, or its invitation is not listed")
	}

	// The participant's page: no account, three languages, small, no
	// script, never cached.
	for lang, want := range map[string]string{"en": "What should the mission change first?", "fr": "Que devrait changer la mission en premier ?",
		"ar": "ما الذي يجب أن تغيّره البعثة أولاً؟"} {
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, httptest.NewRequest("GET", link+"?lang="+lang, nil))
		body := rec.Body.String()
		if rec.Code != 200 || !strings.Contains(body, want) || !strings.Contains(body, `<html lang="`+lang+`"`) || strings.Contains(body, "<script") {
			t.Errorf("%s page: %d", lang, rec.Code)
		}
		if len(body) > 50<<10 {
			t.Errorf("%s page weighs %d bytes", lang, len(body))
		}
		if rec.Header().Get("Cache-Control") != "no-store, private" || rec.Header().Get("X-Cache") != "" {
			t.Errorf("%s page may be cached", lang)
		}
		for _, field := range []string{`name="q1r1"`, `name="q1r3"`, `name="q2" value="no"`, `name="q3"`, `name="consent" value="internal-only"`, `name="agree"`} {
			if !strings.Contains(body, field) {
				t.Errorf("%s page lacks %s", lang, field)
			}
		}
	}
	if lang := "ar"; !strings.Contains(getBody(t, f.h, link+"?lang="+lang), `dir="rtl"`) {
		t.Error("the Arabic page is not right to left")
	}
	rec = httptest.NewRecorder()
	f.h.ServeHTTP(rec, httptest.NewRequest("GET", link+"?lang=fr", nil))
	csrf := csrfFrom(t, rec)
	post := link + "?lang=fr"
	// Without the CSRF cookie: refused, answers kept, a cookie given.
	rec = participant(t, f.h, post, answers(), "")
	if rec.Code != 403 || !strings.Contains(rec.Body.String(), "Zqxkonna") || !strings.Contains(rec.Body.String(), "appuyez encore une fois") {
		t.Errorf("no CSRF: %d", rec.Code)
	}
	// The same option twice: refused with a message naming the question, answers kept.
	dup := answers()
	dup.Set("q1r2", "justice")
	rec = participant(t, f.h, post, dup, csrf)
	if body := rec.Body.String(); rec.Code != 422 || !strings.Contains(body, "Que devrait changer la mission en premier ?\u00a0: la même option est choisie à plusieurs rangs") ||
		!strings.Contains(body, "Zqxkonna") || !strings.Contains(body, `value="anonymous-publication" required checked`) {
		t.Errorf("duplicate ranking: %d", rec.Code)
	}
	// No agreement, no consent level: nothing stored.
	noConsent := answers()
	noConsent.Del("agree")
	noConsent.Del("consent")
	rec = participant(t, f.h, post, noConsent, csrf)
	if body := rec.Body.String(); rec.Code != 422 || !strings.Contains(body, "Cochez la case") || !strings.Contains(body, "Choisissez ce qui peut être fait") {
		t.Errorf("no consent: %d", rec.Code)
	}
	if res, _ := f.vs.ConsultationResults(ctx, aftermath.System, id); res.Responses != 0 {
		t.Fatal("something was stored without consent")
	}
	// The answers, stored once.
	rec = participant(t, f.h, post, answers(), csrf)
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "Merci") || rec.Header().Get("Cache-Control") != "no-store, private" {
		t.Fatalf("answer: %d %s", rec.Code, rec.Body.String())
	}
	for _, r := range []*httptest.ResponseRecorder{participant(t, f.h, post, answers(), csrf), func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, httptest.NewRequest("GET", link, nil))
		return rec
	}()} {
		if r.Code != 404 || !strings.Contains(r.Body.String(), "This link is not valid") && !strings.Contains(r.Body.String(), "Ce lien n’est pas valide") {
			t.Errorf("used link: %d", r.Code)
		}
	}
	// An unknown link answers the same as a used one.
	if code, _, body := fetch(t, f.h, "/c/"+strings.Repeat("x", 43)); code != 404 || !strings.Contains(body, "This link is not valid") {
		t.Errorf("unknown link: %d", code)
	}
	// The response is a testimony to review, with its consent.
	invs, _ := f.db.Invitations(ctx, aftermath.System, id)
	if len(invs) != 1 || invs[0].State != sqldb.InvitationUsed || invs[0].TestimonyID == 0 {
		t.Fatalf("invitations: %+v", invs)
	}
	if rec := f.do(t, "editor", "GET", "/testimonies/"+strconv.FormatInt(invs[0].TestimonyID, 10), nil); rec.Code != 200 ||
		!strings.Contains(rec.Body.String(), "Zqxkonna") || !strings.Contains(rec.Body.String(), "Collectif des femmes de Gao") {
		t.Errorf("the testimony for its reviewers: %d", rec.Code)
	}
	if rec := f.do(t, "", "GET", "/testimonies/"+strconv.FormatInt(invs[0].TestimonyID, 10), nil); rec.Code != 404 {
		t.Errorf("the unreviewed testimony for anyone: %d", rec.Code)
	}
	// Results: public here, but with one organisation's answers only the
	// managers see the figures (anyone else would read that organisation's
	// own answers); then the full ranking table, never the free text.
	if code, _, body := fetch(t, f.h, page+"/results"); code != 200 || !strings.Contains(body, "at least three organisations") ||
		strings.Contains(body, "Justice for abuses</th>") {
		t.Errorf("results of one organisation, anonymously: %d", code)
	}
	if _, _, body := fetch(t, f.h, page+"/results.csv"); strings.Count(body, "\n") != 1 {
		t.Errorf("CSV of one organisation, anonymously: %q", body)
	}
	rec = f.do(t, "editor", "GET", page+"/results", nil)
	code, body := rec.Code, rec.Body.String()
	if code != 200 || !strings.Contains(body, "1 response") || !strings.Contains(body, "<th scope=\"row\">Justice for abuses</th><td>2</td><td>1</td><td>0</td><td>0</td><td>1</td>") ||
		strings.Contains(body, "Zqxkonna") || !strings.Contains(body, "Borda") {
		t.Errorf("results: %d\n%s", code, body)
	}
	rec = f.do(t, "editor", "GET", page+"/results.csv?lang=fr", nil)
	code, hd, body := rec.Code, rec.Header(), rec.Body.String()
	rows, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if code != 200 || err != nil || len(rows) != 1+3+2 || rows[1][6] != "justice" || rows[1][7] != "Justice pour les exactions" ||
		!strings.Contains(hd.Get("Content-Disposition"), "attachment") {
		t.Errorf("CSV: %d %v %q", code, err, rows)
	}
	es, _ := f.db.AuditEntries(ctx, aftermath.System, sqldb.AuditFilter{RecordType: "consultation", RecordID: id})
	if len(es) < 3 || es[0].Action != aftermath.AuditExport {
		t.Errorf("audit: %+v", es)
	}
	// The list, for members; closing and deleting are the managers'.
	if rec := f.do(t, "viewer", "GET", "/consultations", nil); rec.Code != 200 || !strings.Contains(rec.Body.String(), "Priorities for the mission") {
		t.Errorf("list: %d", rec.Code)
	}
	if rec := f.do(t, "viewer", "POST", page+"/delete", url.Values{"confirm": {"yes"}}); rec.Code != 403 {
		t.Errorf("viewer deletes: %d", rec.Code)
	}
	if rec := f.do(t, "admin", "POST", page+"/state", url.Values{"state": {"closed"}}); rec.Code != 303 {
		t.Errorf("close: %d", rec.Code)
	}
	if rec := f.do(t, "admin", "POST", page+"/delete", url.Values{}); rec.Code != 422 {
		t.Errorf("delete without confirming: %d", rec.Code)
	}
	if rec := f.do(t, "admin", "POST", page+"/delete", url.Values{"confirm": {"yes"}}); rec.Code != 303 {
		t.Errorf("delete: %d", rec.Code)
	}
	// (Anonymous visitors may get the cached page for up to a minute, as
	// for every public page.)
	if rec := f.do(t, "viewer", "GET", page+"/results", nil); rec.Code != 404 {
		t.Errorf("results of a deleted consultation: %d", rec.Code)
	}
}

func getBody(t *testing.T, h http.Handler, u string) string {
	t.Helper()
	_, _, body := fetch(t, h, u)
	return body
}

// TestConsultationPagesInThreeLanguages: every page of a consultation in
// English, French and Arabic, for a manager and for a participant.
func TestConsultationPagesInThreeLanguages(t *testing.T) {
	f := newVoicesFixture(t, true)
	ctx := context.Background()
	c := consultationFixture(t, f.orgs["sahel-voices"], aftermath.AudienceInternal, "Languages")
	if err := f.db.CreateConsultation(ctx, aftermath.System, c); err != nil {
		t.Fatal(err)
	}
	f.db.SetConsultationState(ctx, aftermath.System, c.ID, sqldb.ConsultOpen)
	_, tok, err := f.db.CreateInvitation(ctx, aftermath.System, c.ID, sqldb.InvitationInput{PartnerOrgID: f.orgs["yemen-voices"]})
	if err != nil {
		t.Fatal(err)
	}
	page := "/consultations/" + strconv.FormatInt(c.ID, 10)
	for lang, words := range map[string][]string{
		"en": {"Consultations", "Results", "Not used yet"},
		"fr": {"Liste des consultations", "Résultats", "Pas encore utilisé"},
		"ar": {"المشاورات", "النتائج", "لم يُستخدم بعد"},
	} {
		for i, u := range []string{"/consultations", page + "/results", page, "/consultations/new", "/c/" + tok} {
			rec := f.do(t, "editor", "GET", u+"?lang="+lang, nil)
			body := rec.Body.String()
			if rec.Code != 200 || !strings.Contains(body, `<html lang="`+lang+`"`) || !strings.Contains(body, "</html>") {
				t.Errorf("%s %s: %d", lang, u, rec.Code)
			}
			if i < len(words) && !strings.Contains(body, words[i]) {
				t.Errorf("%s %s lacks %q", lang, u, words[i])
			}
		}
	}
	// Internal: members see the results; others, and anonymous visitors, do not.
	for person, want := range map[string]int{"": 404, "viewer": 200, "other-contributor": 404, "contributor": 404} {
		if rec := f.do(t, person, "GET", page+"/results", nil); rec.Code != want {
			t.Errorf("%q: results %d, want %d", person, rec.Code, want)
		}
		if rec := f.do(t, person, "GET", page+"/results.csv", nil); rec.Code != want {
			t.Errorf("%q: CSV %d, want %d", person, rec.Code, want)
		}
	}
}

// TestConsultationWithoutKey: without an encryption key no answer can be
// received, and the participant is told so rather than losing answers.
func TestConsultationWithoutKey(t *testing.T) {
	f := newVoicesFixture(t, false)
	ctx := context.Background()
	c := consultationFixture(t, f.orgs["sahel-voices"], aftermath.AudiencePublic, "No key")
	if err := f.db.CreateConsultation(ctx, aftermath.System, c); err != nil {
		t.Fatal(err)
	}
	f.db.SetConsultationState(ctx, aftermath.System, c.ID, sqldb.ConsultOpen)
	_, tok, _ := f.db.CreateInvitation(ctx, aftermath.System, c.ID, sqldb.InvitationInput{OrgName: "X"})
	code, _, body := fetch(t, f.h, "/c/"+tok)
	if code != 503 || !strings.Contains(body, "aftermath key init") {
		t.Errorf("no key: %d", code)
	}
	if rec := f.do(t, "", "POST", "/c/"+tok, answers()); rec.Code != 503 {
		t.Errorf("no key, answers: %d", rec.Code)
	}
	if _, _, err := f.db.InvitationByToken(ctx, tok); err != nil {
		t.Errorf("the link was used up: %v", err)
	}
}

// addHiddenConsultation adds to the audience fixture an internal
// consultation of org "owner" whose title, questions and options say
// "Zqxconsult", with a response and a withdrawn link.
func addHiddenConsultation(t *testing.T, f *audienceFixture) {
	t.Helper()
	ctx := context.Background()
	owner, err := f.db.Organisation(ctx, "owner")
	if err != nil {
		t.Fatal(err)
	}
	q, err := consult.ParseText("? zqx ranking\nen: Zqxconsult question\n- a\n  en: Zqxconsult first\n- b\n  en: Zqxconsult second\n? free text\nen: Zqxconsult story")
	if err != nil {
		t.Fatal(err)
	}
	c := &sqldb.Consultation{Title: consult.Text{"en": "Zqxconsult priorities"}, Description: consult.Text{"en": "Zqxconsult description"},
		Purpose: consult.Text{"en": "Zqxconsult purpose"}, Questionnaire: *q, OwnerOrgID: owner.ID, Audience: aftermath.AudienceInternal,
		Country: "MLI", RetainUntil: "2040-01-01"}
	if err := f.db.CreateConsultation(ctx, aftermath.System, c); err != nil {
		t.Fatal(err)
	}
	if err := f.db.SetConsultationState(ctx, aftermath.System, c.ID, sqldb.ConsultOpen); err != nil {
		t.Fatal(err)
	}
	_, tok, _ := f.db.CreateInvitation(ctx, aftermath.System, c.ID, sqldb.InvitationInput{OrgName: "Zqxconsult partner"})
	if _, err := f.db.Voices(fixtureKEK(f.db)).RespondToConsultation(ctx, tok, &sqldb.ConsultationResponse{Language: "en", Consent: aftermath.ConsentInternal,
		Agreed: true, Answers: map[string]consult.Answer{"zqx": {Ranking: []string{"b", "a"}}, "free": {Text: "Zqxconsult free text"}}}); err != nil {
		t.Fatal(err)
	}
	inv, _, _ := f.db.CreateInvitation(ctx, aftermath.System, c.ID, sqldb.InvitationInput{OrgName: "Zqxconsult other"})
	if err := f.db.RevokeInvitation(ctx, aftermath.System, c.ID, inv.ID); err != nil {
		t.Fatal(err)
	}
	hiddenConsultTokens[f] = tok // used: its page must say nothing of the consultation
}

var hiddenConsultTokens = map[*audienceFixture]string{}

// consultProbes are the consultation URLs that could show the hidden one.
func (f *audienceFixture) consultProbes() []string {
	list, _ := f.db.Consultations(context.Background(), aftermath.System)
	out := []string{"/consultations", "/consultations?lang=ar", "/c/" + hiddenConsultTokens[f], "/c/" + strings.Repeat("A", 43), "/c/x?lang=fr"}
	for _, c := range list {
		page := "/consultations/" + strconv.FormatInt(c.ID, 10)
		out = append(out, page, page+"/results", page+"/results?lang=fr", page+"/results.csv", page+"/results.csv?lang=ar")
	}
	return out
}

// TestWhoSeesConsultations: an internal consultation's page and results
// are for its organisation's members, not for partners, outsiders,
// contributors or anonymous visitors.
func TestWhoSeesConsultations(t *testing.T) {
	f := newAudienceFixture(t)
	list, _ := f.db.Consultations(context.Background(), aftermath.System)
	if len(list) != 1 {
		t.Fatalf("%d consultations", len(list))
	}
	page := "/consultations/" + strconv.FormatInt(list[0].ID, 10)
	for person, want := range map[string]bool{"": false, "owner-researcher": true, "owner-contributor": false, "partner-viewer": false,
		"other-admin": false, "named-reader": false} {
		for _, u := range []string{page, page + "/results", page + "/results.csv", "/consultations"} {
			code, body := f.get(t, person, u)
			// One organisation answered: its figures (and so the CSV, which
			// holds only figures) are withheld from all but the managers.
			w := want && !strings.HasSuffix(u, ".csv")
			if got := strings.Contains(strings.ToLower(body), "zqxconsult"); got != w {
				t.Errorf("%q on %s: %d, sees it %v, want %v", person, u, code, got, w)
			}
		}
	}
	// The member who does not manage it sees that results are withheld,
	// and never the free text.
	if _, body := f.get(t, "owner-researcher", page+"/results"); !strings.Contains(body, "at least three organisations") ||
		strings.Contains(body, "Zqxconsult second") || strings.Contains(body, "Zqxconsult free text") {
		t.Error("the results of one organisation are shown to a member who does not manage the consultation, or the free text is")
	}
}

// TestConsultationPageWeight: a long questionnaire (two rankings of ten
// options, six choices of ten, four free-text questions, in three
// languages) still makes a page
// under 50 KB in Arabic, the heaviest.
func TestConsultationPageWeight(t *testing.T) {
	f := newVoicesFixture(t, true)
	ctx := context.Background()
	var b strings.Builder
	for q := range 12 {
		kind := []string{"ranking", "choice", "text", "choice", "text", "choice"}[q%6]
		b.WriteString("? q" + strconv.Itoa(q) + " " + kind + "\nen: What matters most to the people you work with in the districts you cover?\n" +
			"fr: Qu’est-ce qui compte le plus pour les personnes avec qui vous travaillez dans vos districts ?\nar: ما الأهم بالنسبة للأشخاص الذين تعملون معهم في المناطق التي تغطونها؟\n")
		if kind == "text" {
			continue
		}
		for o := range 10 {
			b.WriteString("- o" + strconv.Itoa(o) + "\n en: Safe access to markets and fields\n fr: Un accès sûr aux marchés et aux champs\n ar: الوصول الآمن إلى الأسواق والحقول\n")
		}
	}
	q, err := consult.ParseText(b.String())
	if err != nil {
		t.Fatal(err)
	}
	c := consultationFixture(t, f.orgs["sahel-voices"], aftermath.AudiencePublic, "Weight")
	c.Questionnaire = *q
	if err := f.db.CreateConsultation(ctx, aftermath.System, c); err != nil {
		t.Fatal(err)
	}
	f.db.SetConsultationState(ctx, aftermath.System, c.ID, sqldb.ConsultOpen)
	_, tok, _ := f.db.CreateInvitation(ctx, aftermath.System, c.ID, sqldb.InvitationInput{OrgName: "X"})
	for _, lang := range []string{"en", "fr", "ar"} {
		code, _, body := fetch(t, f.h, "/c/"+tok+"?lang="+lang)
		if code != 200 || len(body) > 50<<10 {
			t.Errorf("%s: %d, %d bytes", lang, code, len(body))
		}
	}
}
