package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"aftermath"
	"aftermath/internal/consult"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
	"aftermath/internal/vault"
)

// TestConsultationWithoutJavaScript answers a questionnaire in Arabic in
// Chromium with JavaScript switched off, through a link and without an
// account: a ranking given twice the same option is refused with the
// answers kept, then corrected and sent.
func TestConsultationWithoutJavaScript(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	srv, err := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	kek, _ := vault.GenerateKEK()
	srv.SetVoices(db.Voices(kek))
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	bg := context.Background()
	org, err := db.CreateUser(bg, sqldb.NewUser{Email: "ed@example.org", Name: "Ed", PasswordHash: "$argon2id$test", OrgSlug: "sanaa-rights", Role: aftermath.RoleEditor})
	if err != nil {
		t.Fatal(err)
	}
	c := consultationFixture(t, org.Memberships[0].OrgID, aftermath.AudienceInternal, "Yemen")
	c.Country = "YEM"
	if err := db.CreateConsultation(bg, aftermath.System, c); err != nil {
		t.Fatal(err)
	}
	if err := db.SetConsultationState(bg, aftermath.System, c.ID, sqldb.ConsultOpen); err != nil {
		t.Fatal(err)
	}
	_, token, err := db.CreateInvitation(bg, aftermath.System, c.ID, sqldb.InvitationInput{OrgName: "جمعية نساء تعز"})
	if err != nil {
		t.Fatal(err)
	}

	ctx := browser(t)
	noScript := disableScript
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	click, typeIn, choose := clickNoScript, typeNoScript, chooseNoScript
	html := func() string { t.Helper(); return pageHTML(t, ctx) }
	run := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		for i, st := range steps {
			sctx, cancel := context.WithTimeout(ctx, 20*time.Second)
			err := chromedp.Do(sctx, st)
			cancel()
			if err != nil {
				t.Fatalf("%s: step %d: %v", what, i, err)
			}
		}
	}
	// The first action starts the browser under ctx itself, so that the
	// shorter contexts of the steps do not stop it.
	if err := chromedp.Do(ctx, noScript); err != nil {
		t.Fatal(err)
	}
	story := "أُغلقت المدرسة منذ وصول القوات."
	run("fill in with the same option twice",
		noScript,
		chromedp.Navigate(ts.URL+"/c/"+token+"?lang=ar"),
		chromedp.WaitReady(css(`select[name=q1r1]`)),
		choose("q1r1", "justice"),
		choose("q1r2", "justice"),
		click(`input[name=q2][value=no]`),
		typeIn(`textarea[name=q3]`, story),
		click(`input[name=consent][value=internal-only]`),
		click(`input[name=agree]`),
		click(`button[type=submit]`),
		chromedp.WaitReady(css(`#problems`)))
	page := html()
	if !strings.Contains(page, `dir="rtl"`) || !strings.Contains(page, "اختير الخيار نفسه لأكثر من مرتبة") || !strings.Contains(page, story) {
		t.Fatalf("the refusal: no direction, message or kept answer:\n%s", page)
	}
	if strings.Contains(page, "<script") {
		t.Error("the page carries script")
	}
	if res, _ := db.Voices(kek).ConsultationResults(bg, aftermath.System, c.ID); res.Responses != 0 {
		t.Fatal("a refused ranking was stored")
	}
	run("correct the second place and send",
		chromedp.RemoveAttribute(css(`select[name=q1r2] option[value=justice]`), "selected", chromedp.NodeReady),
		choose("q1r2", "aid"),
		click(`button[type=submit]`),
		chromedp.WaitReady(css(`p[role=status]`)))
	page = html()
	if !strings.Contains(page, "وصلت إجاباتكم إلى sanaa-rights") || !strings.Contains(page, `lang="ar" dir="rtl"`) {
		t.Fatalf("the thank-you page:\n%s", page)
	}
	res, err := db.Voices(kek).ConsultationResults(bg, aftermath.System, c.ID)
	if err != nil || res.Responses != 1 || res.Questions[0].Ranking[0].Option != "justice" || res.Questions[0].Ranking[1].Option != "aid" ||
		res.Questions[1].Choices[1].Count != 1 {
		t.Fatalf("results: %+v %v", res, err)
	}
	invs, _ := db.Invitations(bg, aftermath.System, c.ID)
	orig, err := db.Voices(kek).TestimonyOriginal(bg, aftermath.System, invs[0].TestimonyID)
	if err != nil || orig.Language != "ar" || !strings.Contains(orig.Body, story) || orig.Consent.Level != aftermath.ConsentInternal ||
		orig.Consent.RecordedBy != "جمعية نساء تعز" || orig.Consent.Method != aftermath.ConsentWritten {
		t.Errorf("testimony: %+v %v", orig, err)
	}
	// The link now says only that it does not work.
	run("open the used link", chromedp.Navigate(ts.URL+"/c/"+token+"?lang=ar"), chromedp.WaitReady(css(`p[role=status]`)))
	if page := html(); !strings.Contains(page, "هذا الرابط غير صالح") || strings.Contains(page, "<form method=\"post\" action=\"/c/") {
		t.Error("the used link still opens the questionnaire")
	}
}

// TestConsultationAccessibility runs axe-core on the participant's page
// and the results page, in English and Arabic, and fails on serious or
// critical violations.
func TestConsultationAccessibility(t *testing.T) {
	axe := axeSource(t)
	db := sqldbtest.Open(t, sqldb.SQLite)
	srv, err := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	kek, _ := vault.GenerateKEK()
	vs := db.Voices(kek)
	srv.SetVoices(vs)
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	bg := context.Background()
	u, err := db.CreateUser(bg, sqldb.NewUser{Email: "ed@example.org", Name: "Ed", PasswordHash: "$argon2id$test", OrgSlug: "gao-rights", Role: aftermath.RoleEditor})
	if err != nil {
		t.Fatal(err)
	}
	c := consultationFixture(t, u.Memberships[0].OrgID, aftermath.AudiencePublic, "Access")
	if err := db.CreateConsultation(bg, aftermath.System, c); err != nil {
		t.Fatal(err)
	}
	db.SetConsultationState(bg, aftermath.System, c.ID, sqldb.ConsultOpen)
	var token string
	for i := range 2 {
		_, tok, err := db.CreateInvitation(bg, aftermath.System, c.ID, sqldb.InvitationInput{OrgName: "Org " + string(rune('A'+i))})
		if err != nil {
			t.Fatal(err)
		}
		token = tok
		if i == 0 {
			if _, err := vs.RespondToConsultation(bg, tok, &sqldb.ConsultationResponse{Language: "en", Consent: aftermath.ConsentInternal, Agreed: true,
				Answers: map[string]consult.Answer{"priorities": {Ranking: []string{"aid", "justice"}}, "safe": {Choice: "yes"}}}); err != nil {
				t.Fatal(err)
			}
		}
	}
	ctx := browser(t)
	type violation struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  int    `json:"nodes"`
	}
	for _, path := range []string{"/c/" + token, "/consultations/" + jsonNum(c.ID) + "/results", "/c/" + strings.Repeat("x", 43)} {
		for _, lang := range []string{"en", "ar"} {
			url := ts.URL + path + "?lang=" + lang
			if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
				t.Fatal(err)
			}
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axe+";true")); err != nil {
				t.Fatalf("load axe: %v", err)
			}
			vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]violation](`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
				.then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length})))`, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("axe on %s: %v", url, err)
			}
			for _, v := range vs {
				if v.Impact == "serious" || v.Impact == "critical" {
					t.Errorf("%s?lang=%s: %s (%s, %d elements): %s", path, lang, v.ID, v.Impact, v.Nodes, v.Help)
				}
			}
		}
	}
}
