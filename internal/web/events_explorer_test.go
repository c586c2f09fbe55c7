package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/importer"
	"aftermath/internal/sqldb"
)

// explorerServer is the fixture server with ACLED's HDX sample of Mali
// imported as public beside UCDP's, so that both datasets' columns show.
func explorerServer(t *testing.T) (http.Handler, *sqldb.DB) {
	t.Helper()
	h, db := fixtureServer(t)
	place := &sqldb.Placement{Audience: aftermath.AudiencePublic}
	if _, err := importer.Import(context.Background(), db, "../ingest/acled/testdata/hdx_2024-06-30.csv",
		importer.Options{Dataset: aftermath.DatasetACLED, Place: place}); err != nil {
		t.Fatal(err)
	}
	return h, db
}

func eventID(t *testing.T, db *sqldb.DB, dataset, nativeID string) string {
	t.Helper()
	e, err := db.Event(context.Background(), aftermath.System, dataset, nativeID)
	if err != nil {
		t.Fatal(err)
	}
	return jsonNum(e.ID)
}

// rowOf is the table row of the explorer that links to the event page.
func rowOf(t *testing.T, body, link string) string {
	t.Helper()
	m := regexp.MustCompile(`(?s)<tr><td>[^<]*</td><td><a href="` + regexp.QuoteMeta(link) + `">.*?</tr>`).FindString(body)
	if m == "" {
		t.Fatalf("no row links to %s", link)
	}
	return m
}

func TestExplorerShowsSidesSourcesAndPrecisionOfUCDPAndACLED(t *testing.T) {
	h, db := explorerServer(t)
	code, _, body := fetch(t, h, "/events?country=Mali")
	if code != 200 {
		t.Fatalf("explorer: %d", code)
	}
	ucdp := rowOf(t, body, "/events/"+eventID(t, db, "ucdp", "1001"))
	for _, want := range []string{`<td dir="auto">Government of Mali</td>`, `<td dir="auto">JNIM</td>`, "Invented Wire", `<td>2</td><td>1</td><td dir="auto">&#34;Invented Wire`} {
		if !strings.Contains(ucdp, want) {
			t.Errorf("UCDP row lacks %q: %s", want, ucdp)
		}
	}
	acled := rowOf(t, body, "/events/"+eventID(t, db, "acled", "MLI91001"))
	for _, want := range []string{`<td dir="auto">Military Forces of Mali (2021-)</td>`, `<td dir="auto">JNIM: Group for Support of Islam and Muslims</td>`,
		`<td>1</td><td>1</td><td dir="auto">Local Source — `} {
		if !strings.Contains(acled, want) {
			t.Errorf("ACLED row lacks %q: %s", want, acled)
		}
	}
	// Every download and the API, for the same filter.
	for _, want := range []string{`href="/events.csv?country=Mali"`, `href="/events.hxl.csv?country=Mali"`, `href="/events.geojson?country=Mali"`,
		`href="/api/v1/events?country=Mali"`} {
		if !strings.Contains(body, want) {
			t.Errorf("explorer lacks the link %s", want)
		}
	}
	// Suggestions for the actor filter, and the precision codebook.
	if !strings.Contains(body, `<datalist id="actor-names">`) || !strings.Contains(body, `<option value="Government of Mali">`) {
		t.Error("no actor suggestions")
	}
	for _, want := range []string{`<li value="2">Within about 25 km of a known place</li>`, `<li value="3">Only the region or province is known (its capital is given)</li>`} {
		if !strings.Contains(body, want) {
			t.Errorf("the precision legend lacks %s", want)
		}
	}
	for _, lang := range []string{"fr", "ar"} {
		_, _, body := fetch(t, h, "/events?country=Mali&lang="+lang)
		if strings.Contains(body, "Within about 25 km") || !strings.Contains(body, `<td dir="auto">Government of Mali</td>`) {
			t.Errorf("%s: precision meanings not translated, or sides missing", lang)
		}
		// The country in the reader's language, the names of the sides
		// as the dataset publishes them.
		if want := map[string]string{"fr": "<td>Mali</td>", "ar": "<td>مالي</td>"}[lang]; !strings.Contains(body, want) {
			t.Errorf("%s: the table does not name the country %s", lang, want)
		}
	}
}

func TestEventPageShowsEveryPublishedField(t *testing.T) {
	h, db := explorerServer(t)
	id := eventID(t, db, "ucdp", "1001")
	code, _, body := fetch(t, h, "/events/"+id)
	if code != 200 {
		t.Fatalf("UCDP event page: %d", code)
	}
	for _, want := range []string{"ucdp 24.1", "<dd>Government of Mali</dd>", "<dd>JNIM</dd>", `<a href="/places/MLI">Mali</a>, Mopti`,
		`href="/events?country=Mali&amp;dataset=ucdp&amp;from=2023-01-01&amp;to=2023-01-31"`, `href="/api/v1/events/` + id + `"`,
		`<code dir="ltr">side_a</code></th><td dir="auto">Government of Mali</td>`, `<code dir="ltr">side_a_new_id</code></th><td dir="auto">94</td>`,
		`<code dir="ltr">where_prec</code></th><td dir="auto">2</td><td>Within about 25 km of a known place</td>`,
		`<code dir="ltr">date_prec</code></th><td dir="auto">1</td><td>The exact day is known</td>`, "Invented Wire",
		`<code dir="ltr">type_of_violence</code></th><td dir="auto">1</td>`} {
		if !strings.Contains(body, want) {
			t.Errorf("UCDP event page lacks %s", want)
		}
	}
	// The published order: id first, then relid …, low last of the mapped.
	cols := regexp.MustCompile(`<code dir="ltr">([a-z_0-9]+)</code>`).FindAllStringSubmatch(body, -1)
	var names []string
	for _, c := range cols {
		names = append(names, c[1])
	}
	if len(names) < 30 || names[0] != "id" || names[1] != "relid" || slices.Index(names, "side_a") > slices.Index(names, "side_b") ||
		slices.Index(names, "best") > slices.Index(names, "low") {
		t.Errorf("published columns out of order: %q", names)
	}

	code, _, body = fetch(t, h, "/events/"+eventID(t, db, "acled", "MLI91001")+"?lang=fr")
	if code != 200 {
		t.Fatalf("ACLED event page: %d", code)
	}
	for _, want := range []string{"<dd>Military Forces of Mali (2021-)</dd>", "<dd>JNIM: Group for Support of Islam and Muslims</dd>",
		`<code dir="ltr">assoc_actor_1</code></th><td dir="auto">Wagner Group</td>`, `<code dir="ltr">source</code></th><td dir="auto">Local Source</td>`,
		`<code dir="ltr">geo_precision</code></th><td dir="auto">1</td><td>La ville ou le village même (ou tout près)</td>`,
		`<code dir="ltr">data_id</code>`, `<code dir="ltr">source_scale</code>`} {
		if !strings.Contains(body, want) {
			t.Errorf("ACLED event page lacks %s", want)
		}
	}
	if code, _, _ := fetch(t, h, "/events/99999999"); code != 404 {
		t.Errorf("missing event: %d", code)
	}
	if code, _, _ := fetch(t, h, "/events/nothing"); code != 404 {
		t.Errorf("non-numeric id: %d", code)
	}
}

func TestEventPageOfAHiddenDatasetIsNotFound(t *testing.T) {
	h, db := fixtureServer(t)
	// ACLED stays internal by default: an anonymous visitor may not read it.
	if _, err := importer.Import(context.Background(), db, "../ingest/acled/testdata/hdx_2024-06-30.csv", importer.Options{Dataset: aftermath.DatasetACLED}); err != nil {
		t.Fatal(err)
	}
	id := eventID(t, db, "acled", "MLI91001")
	for _, u := range []string{"/events/" + id, "/api/v1/events/" + id} {
		if code, _, body := fetch(t, h, u); code != 404 || strings.Contains(body, "MLI91001") {
			t.Errorf("%s as anonymous: %d", u, code)
		}
	}
}

func TestExplorerCountryByNameInEachLanguageOrCode(t *testing.T) {
	h, _ := explorerServer(t)
	ids := func(u string) []string {
		code, _, body := fetch(t, h, u)
		if code != 200 {
			t.Fatalf("%s: %d", u, code)
		}
		var out []string
		for _, m := range regexp.MustCompile(`<a href="/events/\d+">([^<]+)</a>`).FindAllStringSubmatch(body, -1) {
			out = append(out, m[1])
		}
		return out
	}
	want := ids("/events?country=Mali")
	if len(want) < 5 {
		t.Fatalf("Mali: %q", want)
	}
	for _, c := range []string{"mali", "MLI", "mli", "MALI", "%D9%85%D8%A7%D9%84%D9%8A"} { // the last: مالي
		if got := ids("/events?country=" + c); !slices.Equal(got, want) {
			t.Errorf("country=%s: %q, want %q", c, got, want)
		}
	}
	som := ids("/events?country=Somalia")
	for _, c := range []string{"Somalie", "somalie", "SOM", "%D8%A7%D9%84%D8%B5%D9%88%D9%85%D8%A7%D9%84"} { // the last: الصومال
		if got := ids("/events?country=" + c); len(som) == 0 || !slices.Equal(got, som) {
			t.Errorf("country=%s: %q, want %q", c, got, som)
		}
	}
}

func TestExplorerActorBySide(t *testing.T) {
	h, _ := explorerServer(t)
	for u, want := range map[string][]string{
		"/events?actor=jnim&side=a":        {">1002</a>"},
		"/events?actor=jnim&side=b":        {">1001</a>", ">1003</a>", ">MLI91001</a>"},
		"/events?actor=JNIM":               {">1001</a>", ">1002</a>", ">1003</a>", ">MLI91001</a>"},
		"/events?actor=government+of+mali": {">1001</a>"},
	} {
		_, _, body := fetch(t, h, u)
		if n := strings.Count(body, `<a href="/events/`); n != len(want) {
			t.Errorf("%s: %d events, want %d", u, n, len(want))
		}
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %s", u, w)
			}
		}
	}
}

// A date that does not exist was once read by the database as text, so
// that month 13 ran into the next year.
func TestBadDateIsRefusedNamingTheField(t *testing.T) {
	h, _ := explorerServer(t)
	code, _, body := fetch(t, h, "/events?country=Mali&from=2021-13-01")
	if code != http.StatusBadRequest {
		t.Errorf("page: %d, want 400", code)
	}
	if !strings.Contains(body, `role="alert"`) || !strings.Contains(body, "(from)") || !strings.Contains(body, "2021-13-01") {
		t.Errorf("page does not say which field: %s", body)
	}
	if !strings.Contains(body, `name="from" value="2021-13-01" aria-invalid="true"`) || !strings.Contains(body, `name="country" value="Mali"`) {
		t.Error("the form is not kept as typed")
	}
	for _, u := range []string{"/events?to=2021-02-30", "/events.csv?from=2021-13-01", "/api/v1/events?from=2021-13-01"} {
		code, _, body := fetch(t, h, u)
		if code != http.StatusBadRequest || !strings.Contains(body, "2021-") {
			t.Errorf("%s: %d %s", u, code, body)
		}
	}
	_, _, body = fetch(t, h, "/api/v1/events?from=2021-13-01")
	var e struct {
		Error struct{ Code, Message string }
	}
	if err := json.Unmarshal([]byte(body), &e); err != nil || !strings.Contains(e.Error.Message, `"from"`) {
		t.Errorf("API error does not name from: %v %s", err, body)
	}
	for lang, want := range map[string]string{"fr": "(from)\u00a0: «\u00a02021-13-01\u00a0» n’est pas une date", "ar": "(from): «2021-13-01» ليس تاريخًا"} {
		if code, _, body := fetch(t, h, "/events?from=2021-13-01&lang="+lang); code != http.StatusBadRequest || !strings.Contains(body, want) {
			t.Errorf("%s: %d, the message lacks %q", lang, code, want)
		}
	}
	if code, _, _ := fetch(t, h, "/events?from=2021-12-31"); code != 200 {
		t.Errorf("a real date: %d", code)
	}
}

func TestDownloadsCarryActorsAndSources(t *testing.T) {
	h, _ := explorerServer(t)
	_, _, body := fetch(t, h, "/events.csv?country=Mali&dataset=ucdp")
	recs, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatal(err, recs)
	}
	col := map[string]int{}
	for i, c := range recs[0] {
		col[c] = i
	}
	if col["event_id"] != 2 || col["number_of_sources"] != 19 { // columns other tools read by position stay put
		t.Errorf("columns moved: %q", recs[0])
	}
	byID := map[string][]string{}
	for _, r := range recs[1:] {
		byID[r[2]] = r
	}
	r := byID["1001"]
	if r == nil || r[col["side_a"]] != "Government of Mali" || r[col["side_b"]] != "JNIM" || !strings.Contains(r[col["source_text"]], "Invented Wire") {
		t.Errorf("UCDP row: %q", r)
	}
	_, _, body = fetch(t, h, "/events.hxl.csv?dataset=acled")
	recs, _ = csv.NewReader(strings.NewReader(body)).ReadAll()
	if len(recs) < 3 || recs[1][col["side_a"]] != "#group+name+first" || recs[1][col["notes"]] != "#description" {
		t.Fatalf("HXL tags: %q", recs[:min(2, len(recs))])
	}
	found := false
	for _, r := range recs[2:] {
		if r[2] == "MLI91001" {
			found = r[col["side_a"]] == "Military Forces of Mali (2021-)" && r[col["source_text"]] == "Local Source" && r[col["notes"]] != ""
		}
	}
	if !found {
		t.Errorf("ACLED row lacks its actors or source: %q", recs)
	}
	_, _, body = fetch(t, h, "/events.geojson?dataset=acled")
	var fc struct {
		Features []struct{ Properties map[string]string }
	}
	if err := json.Unmarshal([]byte(body), &fc); err != nil || len(fc.Features) == 0 || fc.Features[0].Properties["side_a"] == "" ||
		fc.Features[0].Properties["source_text"] == "" {
		t.Errorf("GeoJSON: %v %s", err, body)
	}
}

func TestEventsAPIListsAndShowsEvents(t *testing.T) {
	h, db := explorerServer(t)
	_, _, body := fetch(t, h, "/api/v1/events?country=mli&dataset=ucdp&limit=2")
	var list struct {
		Total  int64
		Exact  bool
		Next   string
		Events []map[string]any
	}
	if err := json.Unmarshal([]byte(body), &list); err != nil || list.Total != 3 || !list.Exact || len(list.Events) != 2 || list.Next == "" {
		t.Fatalf("list: %v %s", err, body)
	}
	if list.Events[0]["side_a"] == "" || list.Events[0]["iso3"] != "MLI" {
		t.Errorf("event in list: %v", list.Events[0])
	}
	_, _, body = fetch(t, h, list.Next)
	list.Next = ""
	if err := json.Unmarshal([]byte(body), &list); err != nil || len(list.Events) != 1 || list.Next != "" {
		t.Errorf("next page: %v %s", err, body)
	}
	_, _, body = fetch(t, h, "/api/v1/events/"+eventID(t, db, "ucdp", "1001"))
	var one struct {
		SideA     string `json:"side_a"`
		Published []aftermath.PublishedField
	}
	if err := json.Unmarshal([]byte(body), &one); err != nil || one.SideA != "Government of Mali" || len(one.Published) < 30 ||
		one.Published[0] != (aftermath.PublishedField{Name: "id", Value: "1001"}) {
		t.Errorf("one event: %v %s", err, body)
	}
}

func TestExplorerMapShadesCountriesByEvents(t *testing.T) {
	h, _ := explorerServer(t)
	// Without a dataset chosen the map shades UCDP's events alone: Mali
	// has 3 there (and 3 more in ACLED, never added to them).
	for lang, want := range map[string][]string{
		"en": {"<title>Mali: 3 events</title>", "<title>Somalia: 3 events</title>", "<title>Chad: 0 events</title>", "ucdp events per country"},
		"fr": {"<title>Mali\u00a0: 3 événements</title>", "<title>Somalie\u00a0: 3 événements</title>", "Événements ucdp par pays"},
		"ar": {"<title>مالي: ", "<title>الصومال: ", "أحداث ucdp حسب البلد"},
	} {
		_, _, body := fetch(t, h, "/events?lang="+lang)
		for _, w := range want {
			if !strings.Contains(body, w) {
				t.Errorf("%s map lacks %q", lang, w)
			}
		}
	}
	fill := func(body, iso string) string {
		m := regexp.MustCompile(`<path data-iso="` + iso + `" fill="([^"]+)"`).FindStringSubmatch(body)
		if m == nil {
			return ""
		}
		return m[1]
	}
	// Different counts (Mali 1, Somalia 2, Chad 0), different fills.
	_, _, body := fetch(t, h, "/events?violence_type=state-based")
	if mali, som, chad := fill(body, "466"), fill(body, "706"), fill(body, "148"); mali == "" || chad == "" || mali == chad || som == "" || som == mali || som == chad {
		t.Errorf("state-based fills: Mali %q, Somalia %q, Chad %q", mali, som, chad)
	}
	// ACLED's sample covers Mali only: its neighbours are hatched, not zero.
	_, _, body = fetch(t, h, "/events?dataset=acled")
	if !strings.Contains(body, "Not covered by the data") || !strings.HasPrefix(fill(body, "478"), "url(#") ||
		!strings.Contains(body, "<title>Mauritania: not covered by the data</title>") || fill(body, "466") == fill(body, "478") {
		t.Errorf("ACLED map: Mali %q, Mauritania %q", fill(body, "466"), fill(body, "478"))
	}
}

// The places index shades countries by one dataset's events, as the
// explorer does, rather than marking those with events and those without.
func TestPlacesMapShadesCountriesByEvents(t *testing.T) {
	h, _ := explorerServer(t)
	_, _, body := fetch(t, h, "/places?lang=fr")
	for _, w := range []string{"<title>Mali\u00a0: 3 événements</title>", "<title>Somalie\u00a0: 3 événements</title>", "<title>Tchad\u00a0: 0 événement</title>", "Événements ucdp par pays"} {
		if !strings.Contains(body, w) {
			t.Errorf("places map lacks %q", w)
		}
	}
	fill := func(iso string) string {
		m := regexp.MustCompile(`<path data-iso="` + iso + `" fill="([^"]+)"`).FindStringSubmatch(body)
		if m == nil {
			return ""
		}
		return m[1]
	}
	if mali, chad := fill("466"), fill("148"); mali == "" || chad == "" || mali == chad {
		t.Errorf("places map fills: Mali %q, Chad %q", mali, chad)
	}
}
