package web_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/sqldb"
)

// approvedTestimony stores a testimony of the organisation and approves
// it for audience, as the system (review itself is tested in sqldb).
func approvedTestimony(t *testing.T, db *sqldb.DB, org int64, body string, a aftermath.Audience) int64 {
	t.Helper()
	ctx := context.Background()
	vs := db.Voices(fixtureKEK(db))
	id, err := vs.CreateTestimony(ctx, aftermath.System, &aftermath.TestimonyInput{Date: "2024", Country: "MLI", OwnerOrgID: org,
		Language: "en", Body: body, Audience: a, RetainUntil: "2030-01-01",
		Consent: &aftermath.Consent{Level: aftermath.ConsentAnonymous, Method: aftermath.ConsentOral, RecordedBy: "field", RecordedAt: "2024-01-02"}})
	if err == nil {
		err = vs.Review(ctx, aftermath.System, id, aftermath.ReviewInput{Action: aftermath.ReviewStart})
	}
	if err == nil {
		_, err = vs.Redact(ctx, aftermath.System, id, nil)
	}
	if err == nil {
		err = vs.Review(ctx, aftermath.System, id, aftermath.ReviewInput{Action: aftermath.ReviewApprove, Audience: a})
	}
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestSearchPage(t *testing.T) {
	h, _ := fixtureServer(t)
	code, _, body := fetch(t, h, "/search?q=mission")
	if code != 200 {
		t.Fatalf("search: %d", code)
	}
	// The fixture's intervention is named "Test mission <b>": the kind is
	// labelled, the title escaped, the word marked, the record linked.
	for _, want := range []string{`href="/interventions/test-mission"`, `Test <mark>mission</mark> &lt;b&gt;`, `<span class="kind">Intervention</span>`,
		`Results: 1`} {
		if !strings.Contains(body, want) {
			t.Errorf("search page lacks %s", want)
		}
	}
	if strings.Contains(body, "mission <b>") {
		t.Error("a record's text is not escaped")
	}
	// The fixture's UCDP events: their hits lead to the event's page.
	_, _, body = fetch(t, h, "/search?q=Mali&kind=event")
	i := strings.Index(body, `href="/events/`)
	if i < 0 {
		t.Fatalf("no event hit linked to its page:\n%.3000s", body)
	}
	event := body[i+len(`href="`) : i+strings.Index(body[i:], `">`)]
	if code, _, page := fetch(t, h, event); code != 200 || !strings.Contains(page, "Mali") {
		t.Errorf("%s: %d", event, code)
	}
	for _, q := range []string{`"unbalanced`, `NEAR(a b)`, `-x *`, `col:mission`, `' OR 1=1 --`, ``} {
		if code, _, _ := fetch(t, h, "/search?q="+url.QueryEscape(q)); code != 200 {
			t.Errorf("%q: %d", q, code)
		}
	}
	if code, _, _ := fetch(t, h, "/search?q=x&kind=everything"); code != 400 {
		t.Errorf("unknown kind: %d, want 400", code)
	}
	for lang, want := range map[string]string{"fr": "Intervention extérieure", "ar": "تدخل"} {
		if _, _, body := fetch(t, h, "/search?q=mission&lang="+lang); !strings.Contains(body, want) || untranslated(body) {
			t.Errorf("%s: the page is not translated", lang)
		}
	}
}

// TestSearchFindsTestimonyForItsReadersOnly: an organisation's internal
// testimony is found by its members, never by anonymous visitors (not
// even counted), and a public one by everyone, on the page and the API.
func TestSearchFindsTestimonyForItsReadersOnly(t *testing.T) {
	h, db := fixtureServer(t)
	sess, member := signIn(t, db, "viewer-search@example.org", aftermath.RoleViewer)
	org := member.Memberships[0].OrgID
	internal := approvedTestimony(t, db, org, "Soldiers burned the granary at dawn.", aftermath.AudienceInternal)
	public := approvedTestimony(t, db, org, "The checkpoint closed the granary road.", aftermath.AudiencePublic)
	link := func(id int64) string { return `href="/testimonies/` + jsonNum(id) + `"` }

	body := getAs(h, "/search?q=granary", sess).Body.String()
	if !strings.Contains(body, link(internal)) || !strings.Contains(body, link(public)) || !strings.Contains(body, "<mark>granary</mark>") {
		t.Errorf("a member does not find both testimonies:\n%.3000s", body)
	}
	_, _, body = fetch(t, h, "/search?q=granary")
	if strings.Contains(body, link(internal)) || !strings.Contains(body, link(public)) {
		t.Errorf("anonymous: internal found %v, public found %v", strings.Contains(body, link(internal)), strings.Contains(body, link(public)))
	}
	if _, _, body = fetch(t, h, "/search?q=burned+dawn"); strings.Contains(body, "burned") && strings.Contains(body, "<mark>") {
		t.Error("anonymous sees words of an internal testimony")
	}

	var res struct {
		Total       int `json:"total"`
		Testimonies struct {
			Results []struct {
				Kind string `json:"kind"`
				ID   int64  `json:"id"`
				URL  string `json:"url"`
			} `json:"results"`
		} `json:"testimonies"`
	}
	for _, c := range []struct {
		session string
		want    int
	}{{sess, 2}, {"", 1}} {
		rec := getAs(h, "/api/v1/search?q=granary", c.session)
		if err := json.Unmarshal(rec.Body.Bytes(), &res); err != nil || rec.Code != 200 {
			t.Fatalf("api: %d %v", rec.Code, err)
		}
		if len(res.Testimonies.Results) != c.want || res.Testimonies.Results[0].Kind != aftermath.SearchTestimony ||
			!strings.HasPrefix(res.Testimonies.Results[0].URL, "/testimonies/") {
			t.Errorf("api (session %v): %+v, want %d testimonies", c.session != "", res, c.want)
		}
	}
}

func TestSearchAPI(t *testing.T) {
	h, _ := fixtureServer(t)
	var res struct {
		Terms   []string `json:"terms"`
		Total   int      `json:"total"`
		Results []struct {
			Kind    string                     `json:"kind"`
			Key     string                     `json:"key"`
			URL     string                     `json:"url"`
			Snippet []aftermath.SearchFragment `json:"snippet"`
		} `json:"results"`
	}
	code, hd, body := fetch(t, h, "/api/v1/search?q=Test+mission&kind=intervention")
	if err := json.Unmarshal([]byte(body), &res); err != nil || code != 200 || !strings.HasPrefix(hd.Get("Content-Type"), "application/json") {
		t.Fatalf("api: %d %v %s", code, err, body)
	}
	if res.Total != 1 || len(res.Results) != 1 || res.Results[0].URL != "/interventions/test-mission" || len(res.Terms) != 2 {
		t.Errorf("api: %+v", res)
	}
	marked := 0
	for _, f := range res.Results[0].Snippet {
		if f.Match {
			marked++
		}
	}
	if marked != 2 {
		t.Errorf("snippet marks %d words, want 2: %+v", marked, res.Results[0].Snippet)
	}
	for _, q := range []string{"", "?q=", "?q=x&limit=0", "?q=x&limit=101", "?q=x&offset=-1", "?q=x&offset=1000", "?q=x&kind=nothing"} {
		code, _, body := fetch(t, h, "/api/v1/search"+q)
		if code != 400 || !strings.Contains(body, `"code": "invalid"`) {
			t.Errorf("%q: %d %s", q, code, body)
		}
	}
	// Pages do not overlap.
	var first, second struct {
		Results []struct{ Kind, Key string } `json:"results"`
	}
	_, _, body = fetch(t, h, "/api/v1/search?q=Mali&limit=2")
	json.Unmarshal([]byte(body), &first)
	_, _, body = fetch(t, h, "/api/v1/search?q=Mali&limit=2&offset=2")
	json.Unmarshal([]byte(body), &second)
	if len(first.Results) != 2 || len(second.Results) == 0 || first.Results[0] == second.Results[0] || first.Results[1] == second.Results[0] {
		t.Errorf("pages: %+v then %+v", first, second)
	}
}
