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
	"aftermath/internal/web"
)

// gapServer imports the shared 2021 and 2022 UCDP candidate releases and
// the catalog. GED 21.0.12 covers 2021, GED 22.0.2 covers February 2022
// (though it holds 18 January rows): January 2022 is covered by neither.
func gapServer(t *testing.T) (http.Handler, *sqldb.DB) {
	t.Helper()
	db := sqldbtest.Open(t, sqldb.SQLite)
	ctx := context.Background()
	for _, f := range []string{"ucdp/GEDEvent_v21_01_21_12.csv.zip", "ucdp/GEDEvent_v22_0_2.csv.zip"} {
		if _, err := importer.Import(ctx, db, shareddata.Path(t, f), importer.Options{Dataset: aftermath.DatasetUCDP}); err != nil {
			t.Fatal(err)
		}
	}
	seedLedgerCatalog(t, db)
	srv, err := web.New(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
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
	notes := map[string]string{"en": "No data for 2022-01", "fr": "Pas de données pour 2022-01", "ar": "لا بيانات عن 2022-01"}
	for _, lang := range []string{"en", "fr", "ar"} {
		for _, url := range []string{"/interventions/minusma?lang=" + lang, "/interventions/minusma?outcome=deaths_best&lang=" + lang, "/places/MLI?lang=" + lang} {
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
