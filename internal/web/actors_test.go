package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/catalog"
	"aftermath/internal/sqldb"
)

// maliInTheLedger records a public decision by "Mali", the ledger's name
// for the state UCDP calls "Government of Mali", and returns both actors.
func maliInTheLedger(t *testing.T, db *sqldb.DB) (ucdp, ledger int64) {
	t.Helper()
	ctx := context.Background()
	gov, err := db.ActorByAlias(ctx, aftermath.DatasetUCDP, "Government of Mali")
	if err != nil {
		t.Fatal(err)
	}
	d := &aftermath.Decision{Maker: aftermath.ActorRef{Name: "Mali", Kind: aftermath.KindState}, Date: "2023-01-05", Kind: "partnership",
		Summary: "Mali asks for support", Audience: aftermath.AudiencePublic}
	if err := db.CreateDecision(ctx, aftermath.System, d); err != nil {
		t.Fatal(err)
	}
	if d.Maker.ID == gov.ID {
		t.Fatal("the ledger's Mali is UCDP's actor already")
	}
	return gov.ID, d.Maker.ID
}

// An editor merges the ledger's Mali into UCDP's through the actor page:
// one page with both names, the ledger's old address leading to it. A
// viewer is shown no form and refused if they post one; nothing changes.
func TestMergeActorsOnTheActorPage(t *testing.T) {
	h, db := fixtureServer(t)
	gov, mali := maliInTheLedger(t, db)
	page := "/actors/" + jsonNum(gov)
	viewer, _ := signIn(t, db, "viewer-merge@example.org", aftermath.RoleViewer)
	editor, _ := signIn(t, db, "editor-merge@example.org", aftermath.RoleEditor)
	for who, session := range map[string]string{"a visitor": "", "a viewer": viewer} {
		if body := getAs(h, page, session).Body.String(); strings.Contains(body, `action="/actors/`+jsonNum(gov)+`/merge"`) {
			t.Errorf("%s is shown the merge form", who)
		}
	}
	if body := getAs(h, page, editor).Body.String(); !strings.Contains(body, `action="/actors/`+jsonNum(gov)+`/merge"`) {
		t.Error("an editor is not shown the merge form")
	} else if !strings.Contains(body, `<input type="checkbox" name="ids" value="`+jsonNum(mali)+`">`) {
		t.Error("the ledger's Mali is not suggested as a duplicate of UCDP's")
	}
	if rec := postForm(h, page+"/merge", viewer, url.Values{"ids": {jsonNum(mali)}}); rec.Code != http.StatusForbidden {
		t.Errorf("a viewer merges: %d", rec.Code)
	}
	if _, err := db.Actor(context.Background(), aftermath.System, mali); err != nil {
		t.Fatalf("after a viewer's refused merge: %v", err)
	}
	if rec := postForm(h, page+"/merge", editor, url.Values{"ids": {"twelve"}}); rec.Code != http.StatusUnprocessableEntity ||
		!strings.Contains(rec.Body.String(), "Give actor numbers") {
		t.Errorf("merging a word: %d", rec.Code)
	}
	rec := postForm(h, page+"/merge", editor, url.Values{"ids": {jsonNum(mali)}})
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != page {
		t.Fatalf("an editor merges: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	old := getAs(h, "/actors/"+jsonNum(mali), "")
	if old.Code != http.StatusMovedPermanently || old.Header().Get("Location") != page {
		t.Errorf("the merged actor's page: %d %s, want a redirect to %s", old.Code, old.Header().Get("Location"), page)
	}
	for _, suffix := range []string{"/timeline", "/scorecard"} {
		if rec := getAs(h, "/actors/"+jsonNum(mali)+suffix, ""); rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != page+suffix {
			t.Errorf("the merged actor's %s: %d %s, want a redirect to %s", suffix, rec.Code, rec.Header().Get("Location"), page+suffix)
		}
	}
	body := getAs(h, page, "").Body.String()
	for _, want := range []string{"<h1>Government of Mali</h1>", "Merged into this actor", "<bdi>Mali</bdi>"} {
		if !strings.Contains(body, want) {
			t.Errorf("the merged page lacks %q", want)
		}
	}
	// The ledger's record now names the one actor.
	if code, _, timeline := fetch(t, h, page+"/timeline"); code != http.StatusOK || !strings.Contains(timeline, "Mali asks for support") {
		t.Errorf("the merged actor's ledger timeline: %d", code)
	}
}

// The catalog's backers are actors: France's page lists the operations it
// backs and links its scorecard, which counts them.
func TestBackerActorPages(t *testing.T) {
	h, db := fixtureServer(t)
	ctx := context.Background()
	cat, err := catalog.Load()
	if err != nil {
		t.Fatal(err)
	}
	var backed []string
	for _, e := range cat.Interventions {
		iv := e.Intervention
		iv.Audience = aftermath.AudiencePublic
		if err := db.CreateIntervention(ctx, aftermath.System, &iv); err != nil {
			t.Fatal(err)
		}
		for _, b := range iv.Backers {
			if b.Name == "France" {
				backed = append(backed, `<a href="/interventions/`+iv.Slug+`">`+iv.Name+`</a>`)
			}
		}
	}
	if len(backed) < 2 {
		t.Fatalf("the catalog has France behind %d interventions", len(backed))
	}
	_, _, list := fetch(t, h, "/actors?q=France")
	m := regexp.MustCompile(`href="/actors/(\d+)">France</a>`).FindStringSubmatch(list)
	if m == nil {
		t.Fatal("France is not among the actors")
	}
	code, _, body := fetch(t, h, "/actors/"+m[1])
	if code != http.StatusOK {
		t.Fatalf("France's page: %d", code)
	}
	for _, want := range append(backed, `href="/actors/`+m[1]+`/scorecard"`, "Interventions it backs", "State") {
		if !strings.Contains(body, want) {
			t.Errorf("France's page lacks %q", want)
		}
	}
	if !strings.Contains(body, "Barkhane") {
		t.Error("France's page does not list Barkhane")
	}
	code, _, sc := fetch(t, h, "/actors/"+m[1]+"/scorecard")
	if code != http.StatusOK || !strings.Contains(sc, `href="/interventions/operation-barkhane"`) {
		t.Errorf("France's scorecard: %d, without Barkhane", code)
	}
}

// UCDP's XXX codes are no names: the page says "unidentified" in the
// reader's language, and keeps the code beside it.
func TestPlaceholderActorsShowAsUnidentified(t *testing.T) {
	h, db := fixtureServer(t)
	ctx := context.Background()
	im, err := db.BeginImport(ctx, aftermath.DatasetUCDP, "23.1-xxx", "xxx.csv", "sha-xxx", nil)
	if err != nil {
		t.Fatal(err)
	}
	e := &aftermath.Event{NativeID: "9001", Year: 2023, DateStart: "2023-03-04", DateEnd: "2023-03-04", ViolenceType: aftermath.ViolenceOneSided,
		Country: "Mali", CountryGW: 432, Admin1: "Mopti", DeathsBest: 4, DeathsLow: 4, DeathsHigh: 6,
		Actors: []aftermath.EventActor{{Role: aftermath.RoleSideA, Name: "XXX432"}, {Role: aftermath.RoleSideB, Name: "Civilians"}}}
	if err := im.Add([]*aftermath.Event{e}); err != nil {
		im.Rollback()
		t.Fatal(err)
	}
	if _, err := im.Commit(); err != nil {
		t.Fatal(err)
	}
	a, err := db.ActorByAlias(ctx, aftermath.DatasetUCDP, "XXX432")
	if err != nil {
		t.Fatal(err)
	}
	for lang, name := range map[string]string{"en": "Unidentified armed group (Mali)", "fr": "Groupe armé non identifié (Mali)",
		"ar": "جماعة مسلحة مجهولة الهوية (مالي)"} {
		code, _, body := fetch(t, h, "/actors/"+jsonNum(a.ID)+"?lang="+lang)
		if code != http.StatusOK || !strings.Contains(body, "<h1>"+name+"</h1>") || !strings.Contains(body, "XXX432") {
			t.Errorf("%s: the XXX432 page: %d, want heading %q and the code", lang, code, name)
		}
		if strings.Contains(body, "<h1>XXX432") || strings.Contains(body, "<title>XXX432") {
			t.Errorf("%s: XXX432 shown as a name", lang)
		}
	}
	_, _, list := fetch(t, h, "/actors?q=XXX")
	if !strings.Contains(list, ">Unidentified armed group (Mali)</a>") {
		t.Error("the actors list shows XXX432 as a name")
	}
}

// An actor's page gives its totals with the coverage caveat, its
// opponents (linked to their pages, with counts) and its timeline.
func TestActorPageOpponentsAndTimeline(t *testing.T) {
	h, db := fixtureServer(t)
	ctx := context.Background()
	gov, _ := db.ActorByAlias(ctx, aftermath.DatasetUCDP, "Government of Mali")
	jnim, _ := db.ActorByAlias(ctx, aftermath.DatasetUCDP, "JNIM")
	code, _, body := fetch(t, h, "/actors/"+jsonNum(gov.ID))
	if code != http.StatusOK {
		t.Fatalf("Government of Mali: %d", code)
	}
	for _, want := range []string{"Opponents", `<a href="/actors/` + jsonNum(jnim.ID) + `">JNIM</a>`, "Events by year",
		`<bdi dir="ltr">2023</bdi>`, "<svg", "unknown, not zero", "Deaths (best estimate, low–high)",
		`<a href="/interventions/test-mission">`} {
		if !strings.Contains(body, want) {
			t.Errorf("Government of Mali's page lacks %q", want)
		}
	}
}
