package web_test

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/importer"
	"aftermath/internal/shareddata"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// gapServer imports the shared 2021 and 2022 UCDP candidate releases and
// the catalog. GED 21.0.12 covers 2021, GED 22.0.2 covers February 2022
// (though it holds 18 January rows): January 2022 is covered by neither.
func gapServer(t *testing.T) (http.Handler, *sqldb.DB) {
	t.Helper()
	db := sqldbtest.FilledSQLite(t, "gaps", func(t testing.TB, db *sqldb.DB) {
		for _, f := range []string{"ucdp/GEDEvent_v21_01_21_12.csv.zip", "ucdp/GEDEvent_v22_0_2.csv.zip"} {
			if _, err := importer.Import(context.Background(), db, shareddata.Path(t, f), importer.Options{Dataset: aftermath.DatasetUCDP}); err != nil {
				t.Fatal(err)
			}
		}
		seedLedgerCatalog(t, db)
	})
	srv, err := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return srv.Handler(), db
}

// gapMonth is the month no imported version covers.
const gapMonth = "2022-01"

// TestUncoveredMonthIsNeverZero reads every page, CSV and API answer that
// shows MINUSMA's or Mali's months and checks that January 2022 is a gap:
// marked not covered, its figures empty or null, and never printed as 0.
func TestUncoveredMonthIsNeverZero(t *testing.T) {
	h, db := gapServer(t)
	iv, err := db.FindIntervention(context.Background(), aftermath.Anonymous, "minusma")
	if err != nil {
		t.Fatal(err)
	}
	// The JSON API: the month is in the series, not covered, with null figures.
	code, _, body := fetch(t, h, "/api/v1/interventions/"+jsonNum(iv.ID)+"/impact")
	if code != 200 {
		t.Fatalf("impact API: %d %s", code, body)
	}
	var rep struct {
		Window    [2]string
		Uncovered int `json:"uncovered_months"`
		Series    []map[string]any
		Yearly    []map[string]any
	}
	if err := json.Unmarshal([]byte(body), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Window != [2]string{"2021-01", "2022-02"} || rep.Uncovered != 1 || len(rep.Series) != 14 {
		t.Fatalf("impact API: window %v, %d uncovered of %d months; want 2021-01 to 2022-02 with one gap", rep.Window, rep.Uncovered, len(rep.Series))
	}
	for _, m := range rep.Series {
		gap := m["month"] == gapMonth
		if m["covered"] != !gap {
			t.Errorf("API month %v: covered %v", m["month"], m["covered"])
		}
		for _, k := range []string{"total", "low", "high", "partner_forces", "intervening_forces", "armed_groups", "others"} {
			if v, ok := m[k]; !ok || (gap && v != nil) || (!gap && v == nil) {
				t.Errorf("API month %v: %s is %v (present %v)", m["month"], k, v, ok)
			}
		}
	}
	y2022 := rep.Yearly[len(rep.Yearly)-1]
	if y2022["year"] != "2022" || y2022["covered"] != "partial" || y2022["covered_months"] != 1.0 {
		t.Errorf("API year 2022: %v, want partial with 1 covered month", y2022)
	}

	// The CSV downloads: the month's row says no and has empty figures.
	csvRow := func(url, first string) []string {
		t.Helper()
		code, hd, body := fetch(t, h, url)
		if code != 200 || hd.Get("Content-Type") != "text/csv; charset=utf-8" {
			t.Fatalf("%s: %d %s", url, code, hd.Get("Content-Type"))
		}
		if !strings.HasPrefix(body, "# ") || !strings.Contains(body, "22.0.2") {
			t.Errorf("%s does not open with comment lines naming the versions", url)
		}
		r := csv.NewReader(strings.NewReader(body))
		r.Comment, r.FieldsPerRecord = '#', -1
		recs, err := r.ReadAll()
		if err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		if recs[0][1] != "covered" {
			t.Errorf("%s: header %v has no covered column second", url, recs[0])
		}
		for _, rec := range recs[1:] {
			if rec[0] == first {
				return rec
			}
		}
		t.Fatalf("%s has no row %s", url, first)
		return nil
	}
	for _, url := range []string{"/interventions/minusma/monthly.csv", "/interventions/minusma/monthly.csv?outcome=deaths_best", "/places/MLI/monthly.csv"} {
		rec := csvRow(url, gapMonth)
		if rec[1] != "no" || strings.Join(rec[2:], "") != "" {
			t.Errorf("%s: %s is %v, want not covered with empty figures", url, gapMonth, rec)
		}
	}
	if rec := csvRow("/places/MLI/monthly.csv", "2022-02"); rec[1] != "yes" || rec[2] == "" || rec[2] == "0" {
		t.Errorf("places CSV: February 2022, covered by 22.0.2, is %v", rec)
	}
	rec := csvRow("/interventions/minusma/yearly.csv", "2022")
	if rec[1] != "partial" || rec[2] != "1" {
		t.Errorf("yearly CSV: 2022 is %v, want partial with 1 covered month", rec)
	}
	feb := csvRow("/interventions/minusma/monthly.csv", "2022-02")
	if rec[3] != feb[2] {
		t.Errorf("yearly CSV: 2022 sums %s events, but its one covered month (February) has %s", rec[3], feb[2])
	}
	// Harm is read from events: January's rows count nowhere.
	if code, _, body := fetch(t, h, "/interventions/minusma/harm.csv"); code != 200 || !strings.Contains(body, "partner,measure,period,covered") {
		t.Errorf("harm CSV: %d", code)
	}

	// The pages: the month appears only where a chart says it has no data.
	_, _, found := fetch(t, h, "/actors?q=Government+of+Mali")
	actor := regexp.MustCompile(`href="(/actors/\d+)"`).FindStringSubmatch(found)
	if actor == nil {
		t.Fatalf("no actor page for the Government of Mali:\n%s", found)
	}
	notes := map[string]string{"en": "No data for 2022-01", "fr": "Pas de données pour 2022-01", "ar": "لا بيانات عن 2022-01"}
	for _, lang := range []string{"en", "fr", "ar"} {
		for _, url := range []string{"/interventions/minusma?lang=" + lang, "/interventions/minusma?outcome=deaths_best&lang=" + lang, "/places/MLI?lang=" + lang, actor[1] + "?lang=" + lang} {
			code, _, body := fetch(t, h, url)
			if code != 200 {
				t.Fatalf("%s: %d", url, code)
			}
			if !strings.Contains(body, notes[lang]) {
				t.Errorf("%s: no chart says %q", url, notes[lang])
			}
			for _, i := range regexp.MustCompile(gapMonth).FindAllStringIndex(body, -1) {
				around := body[max(0, i[0]-60):min(len(body), i[1]+40)]
				if strings.HasPrefix(body[i[1]:], "</text>") && strings.HasSuffix(body[:i[0]], `text-anchor="middle">`) ||
					strings.HasSuffix(body[:i[0]], `direction="rtl">`) && strings.HasPrefix(body[i[1]:], "</text>") {
					continue // a tick label of the time axis
				}
				if !strings.Contains(around, notes[lang][:len(notes[lang])-len(gapMonth)]) {
					t.Errorf("%s shows %s outside a no-data note: …%s…", url, gapMonth, around)
				}
			}
			if strings.HasPrefix(url, "/interventions/") {
				// The periods cover 13 of their 14 months; the partial year
				// is marked.
				if want := map[string]string{"en": "13 of 14", "fr": "13 sur 14", "ar": "13 من 14"}[lang]; !strings.Contains(body, want) {
					t.Errorf("%s: no period says %q months covered", url, want)
				}
				if want := map[string]string{"en": "2022: 1 of 12 months", "fr": "2022\u00a0: 1 mois sur 12", "ar": "2022: 1 من 12 شهراً"}[lang]; !strings.Contains(body, want) {
					t.Errorf("%s: the partial year is not marked %q", url, want)
				}
			}
		}
	}
}

// TestEventStudyChartAndCSV runs the event study of an intervention that
// begins inside the shared data's span, against Burkina Faso: the page
// draws it and its CSV holds the coefficients drawn.
func TestEventStudyChartAndCSV(t *testing.T) {
	h, db := gapServer(t)
	iv := &aftermath.Intervention{Audience: aftermath.AudiencePublic, Slug: "mid-2021", Name: "Mid-2021 mission", Area: []aftermath.AreaRef{{Country: "MLI"}},
		Phases: []aftermath.Phase{{Name: "Mandate", Start: "2021-07-01", End: "2021-12-31"}}}
	if err := db.CreateIntervention(context.Background(), aftermath.System, iv); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "ar"} {
		code, _, body := fetch(t, h, "/interventions/mid-2021?compare=BFA&lang="+lang)
		if code != 200 {
			t.Fatalf("page: %d", code)
		}
		i := strings.Index(body, `id="event-study"`)
		if i < 0 || !strings.Contains(body[i:], "<svg") || !strings.Contains(body[i:], `href="/interventions/mid-2021/eventstudy.csv?compare=BFA"`) {
			t.Errorf("%s: no event-study chart with its CSV link", lang)
		}
	}
	code, hd, body := fetch(t, h, "/interventions/mid-2021/eventstudy.csv?compare=BFA")
	if code != 200 || hd.Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("event-study CSV: %d %s", code, body)
	}
	r := csv.NewReader(strings.NewReader(body))
	r.Comment = '#'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) < 4 || strings.Join(recs[0], ",") != "k,label,coef,ci95_low,ci95_high,std_error,p_value,n_treated,n_control" || recs[1][0] != "-1" || recs[1][2] != "0" {
		t.Errorf("event-study CSV: %v", recs)
	}
	if code, _, _ := fetch(t, h, "/interventions/mid-2021/eventstudy.csv"); code != 400 {
		t.Errorf("event-study CSV without a comparison area: %d, want 400", code)
	}
}

// TestPeriodNoVersionCoversSaysSo gives an intervention whose only phase is
// January 2022, which no imported version covers: its summary and its
// partner's harm during support say "not covered" instead of a number.
func TestPeriodNoVersionCoversSaysSo(t *testing.T) {
	h, db := gapServer(t)
	iv := &aftermath.Intervention{Audience: aftermath.AudiencePublic, Slug: "jan-2022", Name: "January 2022 mission", Area: []aftermath.AreaRef{{Country: "MLI"}},
		PartnerForces: []aftermath.InterventionActor{{Name: "Malian forces", Aliases: aftermath.DatedAliases{{Dataset: "ucdp", Name: "Government of Mali"}}}},
		Phases:        []aftermath.Phase{{Name: "Mandate", Start: "2022-01-01", End: "2022-01-31"}}}
	if err := db.CreateIntervention(context.Background(), aftermath.System, iv); err != nil {
		t.Fatal(err)
	}
	for lang, want := range map[string][2]string{"en": {"0 of 1", "not covered: no imported version covers this period"},
		"fr": {"0 sur 1", "non couvert\u00a0: aucune version importée ne couvre cette période"}, "ar": {"0 من 1", "غير مغطاة: لا يغطي هذه الفترة أي إصدار مستورد"}} {
		code, _, body := fetch(t, h, "/interventions/jan-2022?lang="+lang)
		if code != 200 {
			t.Fatalf("%s: %d", lang, code)
		}
		row := regexp.MustCompile(`(?s)<tr><th scope="row">Mandate <bdi dir="ltr">2022-01 – 2022-01</bdi></th><td>([^<]*)</td><td>(.*?)</td><td>([^<]*)</td></tr>`).FindStringSubmatch(body)
		if row == nil || row[1] != want[0] || !strings.Contains(row[2], want[1]) || strings.Contains(row[2], ">0<") {
			t.Errorf("%s: the January 2022 phase reads %q, want %q months and %q", lang, row, want[0], want[1])
		}
	}
	code, _, body := fetch(t, h, "/interventions/jan-2022/harm.csv")
	if code != 200 {
		t.Fatalf("harm CSV: %d", code)
	}
	r := csv.NewReader(strings.NewReader(body))
	r.Comment = '#'
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	during := 0
	for _, rec := range recs[1:] {
		if rec[2] == "during" {
			during++
			if rec[3] != "no" || strings.Join(rec[6:], "") != "" {
				t.Errorf("harm CSV: support in January 2022 reads %v, want not covered with empty figures", rec)
			}
		}
		if rec[2] == "before" && (rec[3] != "yes" || rec[6] == "") {
			t.Errorf("harm CSV: 2021, covered, reads %v", rec)
		}
	}
	if during != 2 {
		t.Errorf("harm CSV: %d rows during support, want 2 (one-sided, battles)", during)
	}
	_, _, page := fetch(t, h, "/interventions/jan-2022")
	harm := regexp.MustCompile(`<tr><th scope="row">(One-sided violence by the partner|Battles involving the partner) · During</th><td>not covered</td>(.*?)</tr>`).FindAllStringSubmatch(page, -1)
	if len(harm) != 2 {
		t.Fatalf("page: %d harm rows during support marked not covered, want 2", len(harm))
	}
	for _, m := range harm {
		if strings.Contains(m[2], ">0<") || strings.Count(m[2], "not covered") < 9 {
			t.Errorf("page: %s during support shows figures: %s", m[1], m[2])
		}
	}
}

// TestFigureAPIs: the series and harm endpoints and the impact options give
// null, never 0, for what the data do not cover, and refuse bad options.
func TestFigureAPIs(t *testing.T) {
	h, db := gapServer(t)
	iv, err := db.FindIntervention(context.Background(), aftermath.Anonymous, "minusma")
	if err != nil {
		t.Fatal(err)
	}
	base := "/api/v1/interventions/" + jsonNum(iv.ID)
	code, _, body := fetch(t, h, base+"/series?by=month")
	if code != 200 || !strings.Contains(body, `"period": "2022-01",
      "covered": "no",
      "months": 1,
      "covered_months": 0,
      "events": null`) {
		t.Errorf("series API: %d %s", code, body)
	}
	code, _, body = fetch(t, h, base+"/harm")
	var hr struct {
		Rows []struct {
			Period, Covered string
			Events          *int64
		}
	}
	if err := json.Unmarshal([]byte(body), &hr); code != 200 || err != nil || len(hr.Rows) == 0 {
		t.Fatalf("harm API: %d %v %s", code, err, body)
	}
	for _, r := range hr.Rows {
		if r.Period == "before" && (r.Covered != "no" || r.Events != nil) {
			t.Errorf("harm API before MINUSMA (2013) on 2021 data: %+v", r)
		}
	}
	code, _, body = fetch(t, h, base+"/impact?side_by_side=true&clear_only=true")
	var rep struct {
		Quality  string
		Variants []struct{ Quality string }
	}
	if err := json.Unmarshal([]byte(body), &rep); code != 200 || err != nil || rep.Quality != "clear" || len(rep.Variants) != 2 {
		t.Errorf("impact API with re-runs: %d %v %+v", code, err, rep)
	}
	for _, bad := range []string{"/impact?min_pre=-3", "/impact?model=auto", "/series?by=week", "/series?from=2021-13"} {
		if code, _, body := fetch(t, h, base+bad); code != 400 {
			t.Errorf("%s: %d %s", bad, code, body)
		}
	}
	if code, _, _ := fetch(t, h, "/api/v1/interventions/999999/harm"); code != 404 {
		t.Errorf("harm of a missing intervention: %d", code)
	}
}
