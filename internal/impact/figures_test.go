package impact_test

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/analysis"
	"aftermath/internal/geo"
	"aftermath/internal/impact"
	"aftermath/internal/importer"
	"aftermath/internal/shareddata"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// rawRow is one published GED row, read straight from the file with
// encoding/csv, independently of the project's reader.
type rawRow map[string]string

func (r rawRow) n(col string) int64 {
	v, _ := strconv.ParseInt(strings.TrimSpace(r[col]), 10, 64)
	return v
}

func (r rawRow) date() string { return r["date_start"][:10] }

func readRaw(t *testing.T, path string) []rawRow {
	t.Helper()
	var out []rawRow
	for _, r := range shareddata.Rows(t, path) {
		out = append(out, r)
	}
	return out
}

// sums are the five figures of a set of raw rows.
type sums struct{ events, low, best, high, civ int64 }

func (s *sums) add(r rawRow) {
	s.events++
	s.low += r.n("low")
	s.best += r.n("best")
	s.high += r.n("high")
	s.civ += r.n("deaths_civilians")
}

func checkValues(t *testing.T, what string, v impact.Values, want sums) {
	t.Helper()
	if v.Events == nil {
		t.Errorf("%s: no values, want %+v", what, want)
		return
	}
	got := sums{*v.Events, *v.DeathsLow, *v.DeathsBest, *v.DeathsHigh, *v.DeathsCivilians}
	if got != want {
		t.Errorf("%s: got %+v, want %+v (independent sums of the raw file)", what, got, want)
	}
}

func importAll(t testing.TB, db *sqldb.DB, files ...string) {
	t.Helper()
	for _, f := range files {
		if _, err := importer.Import(context.Background(), db, f, importer.Options{Dataset: aftermath.DatasetUCDP}); err != nil {
			t.Fatal(err)
		}
	}
}

// TestSeriesFollowsCoverage: the 2021 candidate covers 2021, the 22.0.2
// candidate February 2022 only, though it holds 18 January rows; January
// 2022 must come out not covered, with no figures, never 0.
func TestSeriesFollowsCoverage(t *testing.T) {
	f21 := sqldbtest.SharedData(t, "ucdp/GEDEvent_v21_01_21_12.csv.zip")
	f22 := sqldbtest.SharedData(t, "ucdp/GEDEvent_v22_0_2.csv.zip")
	want := map[string]*sums{}
	lateMexico := 0
	for _, f := range []string{f21, f22} {
		for _, r := range readRaw(t, f) {
			if f == f22 && r["country"] == "Mexico" && r.date() < "2022-02" {
				lateMexico++
			}
			if r["country"] != "Mali" {
				continue
			}
			m := r.date()[:7]
			if want[m] == nil {
				want[m] = &sums{}
			}
			want[m].add(r)
		}
	}
	if lateMexico == 0 {
		t.Fatal("the 22.0.2 candidate was expected to hold late January rows for Mexico")
	}
	sqldbtest.EachFilled(t, "ged-21.0.12+22.0.2", func(t testing.TB, db *sqldb.DB) { importAll(t, db, f21, f22) }, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		mali := []aftermath.AreaRef{{Country: "MLI"}}
		res, err := impact.Series(ctx, db, impact.SeriesOptions{Viewer: aftermath.System, Dataset: "ucdp", Area: mali})
		if err != nil {
			t.Fatal(err)
		}
		if res.From != "2021-01" || res.To != "2022-02" || len(res.Rows) != 14 {
			t.Fatalf("series spans %s..%s with %d rows", res.From, res.To, len(res.Rows))
		}
		for _, r := range res.Rows {
			if r.Period == "2022-01" {
				if r.Covered != impact.CoveredNo || r.Events != nil || r.DeathsBest != nil {
					t.Errorf("2022-01: %+v; want not covered with no figures", r)
				}
				continue
			}
			if r.Covered != impact.CoveredYes {
				t.Errorf("%s covered = %s", r.Period, r.Covered)
			}
			w := want[r.Period]
			if w == nil {
				w = &sums{}
			}
			checkValues(t, r.Period, r.Values, *w)
		}
		var csvOut strings.Builder
		if err := impact.WriteSeriesCSV(&csvOut, res); err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(csvOut.String(), "\n")
		if lines[0] != "period,covered,events,deaths_low,deaths_best,deaths_high,deaths_civilians" {
			t.Errorf("header %q", lines[0])
		}
		if !strings.Contains(csvOut.String(), "\n2022-01,no,,,,,\n") {
			t.Errorf("2022-01 is not an empty, uncovered row:\n%s", csvOut.String())
		}
		years, err := impact.Series(ctx, db, impact.SeriesOptions{Viewer: aftermath.System, Dataset: "ucdp", Area: mali, By: "year"})
		if err != nil {
			t.Fatal(err)
		}
		if len(years.Rows) != 2 || years.Rows[0].Covered != impact.CoveredYes || years.Rows[1].Covered != impact.CoveredPartial ||
			years.Rows[1].CoveredMonths != 1 || years.Rows[1].Months != 2 {
			t.Fatalf("years: %+v", years.Rows)
		}
		var y21 sums
		for m, s := range want {
			if strings.HasPrefix(m, "2021") {
				y21.events += s.events
				y21.low += s.low
				y21.best += s.best
				y21.high += s.high
				y21.civ += s.civ
			}
		}
		checkValues(t, "2021", years.Rows[0].Values, y21)
		checkValues(t, "2022 (February only)", years.Rows[1].Values, *want["2022-02"])
		mean, ok := years.Rows[1].MonthlyMean("events")
		if !ok || mean != float64(want["2022-02"].events) {
			t.Errorf("2022 monthly mean %v %v", mean, ok)
		}
		// Late-added January rows do not make January covered.
		mex, err := impact.Series(ctx, db, impact.SeriesOptions{Viewer: aftermath.System, Dataset: "ucdp", Area: []aftermath.AreaRef{{Country: "MEX"}}, From: "2022-01", To: "2022-01"})
		if err != nil {
			t.Fatal(err)
		}
		if r := mex.Rows[0]; r.Covered != impact.CoveredNo || r.Events != nil {
			t.Errorf("Mexico 2022-01 with %d late rows: %+v; want not covered", lateMexico, r)
		}
		// A range reaching past coverage lists the months as not covered.
		wide, err := impact.Series(ctx, db, impact.SeriesOptions{Viewer: aftermath.System, Dataset: "ucdp", Area: mali, From: "2020-11", To: "2022-03"})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range wide.Rows {
			if (r.Period < "2021-01" || r.Period == "2022-01" || r.Period > "2022-02") && (r.Covered != impact.CoveredNo || r.Events != nil) {
				t.Errorf("%s should not be covered: %+v", r.Period, r)
			}
		}
		// The impact report of an intervention leaves the gap out.
		iv := createIntervention(t, db, `{"slug": "test-mali", "name": "Test support to Mali", "area": [{"country": "MLI"}],
			"phases": [{"start": "2021-07-01", "end": "2021-12-31"}],
			"partner_forces": [{"name": "Malian forces", "aliases": {"ucdp": ["Government of Mali"]}}]}`)
		rep, err := impact.Analyze(ctx, db, iv, impact.Options{Dataset: "ucdp"})
		if err != nil {
			t.Fatal(err)
		}
		if rep.Uncovered != 1 {
			t.Errorf("uncovered months = %d", rep.Uncovered)
		}
		js, _ := json.Marshal(rep)
		if !strings.Contains(string(js), `{"month":"2022-01","covered":false,"total":null`) {
			t.Errorf("2022-01 in the report JSON is not null: %s", js)
		}
		for _, p := range rep.Summary {
			if p.Name == "after" && (p.Months != 2 || p.CoveredMonths != 1 || *p.Total != want["2022-02"].events) {
				t.Errorf("after: %+v", p)
			}
		}
	})
}

// TestSeriesOfMultiYearReleases checks yearly series of the real Syria and
// Central African Republic releases against sums of the raw files.
func TestSeriesOfMultiYearReleases(t *testing.T) {
	files := map[string]string{
		"SYR": sqldbtest.SharedData(t, "ucdp/ged191_syria.csv.zip"),
		"CAF": sqldbtest.SharedData(t, "ucdp/GEDEvent_v23_1_CAF.csv.zip"),
	}
	want := map[string]map[string]*sums{}
	for iso, f := range files {
		want[iso] = map[string]*sums{}
		for _, r := range readRaw(t, f) {
			y := r.date()[:4]
			if want[iso][y] == nil {
				want[iso][y] = &sums{}
			}
			want[iso][y].add(r)
		}
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		importAll(t, db, files["SYR"], files["CAF"])
		for iso, first := range map[string]string{"SYR": "2016", "CAF": "1989"} {
			res, err := impact.Series(ctx, db, impact.SeriesOptions{Viewer: aftermath.System, Dataset: "ucdp", Area: []aftermath.AreaRef{{Country: iso}}, By: "year"})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Rows) == 0 || res.Rows[0].Period < first {
				t.Fatalf("%s: rows %+v", iso, res.Rows)
			}
			for _, r := range res.Rows {
				if r.Covered != impact.CoveredYes {
					t.Errorf("%s %s covered %s", iso, r.Period, r.Covered)
					continue
				}
				w := want[iso][r.Period]
				if w == nil {
					w = &sums{}
				}
				checkValues(t, iso+" "+r.Period, r.Values, *w)
			}
		}
	})
}

func createIntervention(t *testing.T, db *sqldb.DB, js string) *aftermath.Intervention {
	t.Helper()
	var iv aftermath.Intervention
	if err := json.Unmarshal([]byte(js), &iv); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := db.CreateIntervention(ctx, aftermath.System, &iv); err != nil {
		t.Fatal(err)
	}
	stored, err := db.Intervention(ctx, aftermath.System, iv.ID)
	if err != nil {
		t.Fatal(err)
	}
	return stored
}

// harmWant computes the harm rows of one partner from the raw rows, by the
// rules: one-sided = type 3 with the partner as side A; battles = type 1
// with the partner on either side, its own side's deaths beside.
type harmSums struct {
	oneSided, battles sums
	partnerSide       int64
}

func harmWant(rows []rawRow, names func(r rawRow) (a, b bool), from, to string) map[string]*harmSums {
	out := map[string]*harmSums{}
	for _, r := range rows {
		onA, onB := names(r)
		if !onA && !onB {
			continue
		}
		d := r.date()
		period := "during"
		if d < from {
			period = "before"
		} else if to != "" && d > to {
			period = "after"
		}
		if out[period] == nil {
			out[period] = &harmSums{}
		}
		switch r["type_of_violence"] {
		case "3":
			if onA {
				out[period].oneSided.add(r)
			}
		case "1":
			out[period].battles.add(r)
			if onA {
				out[period].partnerSide += r.n("deaths_a")
			}
			if onB {
				out[period].partnerSide += r.n("deaths_b")
			}
		}
	}
	return out
}

// TestHarmByOwnEvents checks `harm` against the raw Syria release: the
// government's one-sided violence and the battles it fought on either side,
// before, during and after a support window, with a dated dataset name.
func TestHarmByOwnEvents(t *testing.T) {
	file := sqldbtest.SharedData(t, "ucdp/ged191_syria.csv.zip")
	rows := readRaw(t, file)
	sqldbtest.EachFilled(t, "ged-19.1-syria", func(t testing.TB, db *sqldb.DB) { importAll(t, db, file) }, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		iv := createIntervention(t, db, `{"slug": "test-syria", "name": "Test support in Syria", "area": [{"country": "SYR"}],
			"phases": [{"start": "2017-01-01", "end": "2018-06-30"}],
			"partner_forces": [
				{"name": "Syrian government forces", "aliases": {"ucdp": ["Government of Syria"]}},
				{"name": "SDF until mid-2018", "from": "2017-03-01", "aliases": {"ucdp": [{"name": "SDF", "to": "2018-05-31"}]}}]}`)
		h, err := impact.Harm(ctx, db, iv, impact.HarmOptions{Viewer: aftermath.System, Dataset: "ucdp"})
		if err != nil {
			t.Fatal(err)
		}
		type key struct{ partner, measure, period string }
		got := map[key]impact.HarmRow{}
		for _, r := range h.Rows {
			got[key{r.Partner, r.Measure, r.Period}] = r
		}
		check := func(partner string, names func(rawRow) (bool, bool), from, to string) {
			want := harmWant(rows, names, from, to)
			for _, period := range []string{"before", "during", "after"} {
				w := want[period]
				if w == nil {
					w = &harmSums{}
				}
				os := got[key{partner, impact.MeasureOneSided, period}]
				if os.Covered != impact.CoveredYes {
					t.Errorf("%s one-sided %s covered %s", partner, period, os.Covered)
				}
				checkValues(t, partner+" one-sided "+period, os.Values, w.oneSided)
				if os.DeathsPartnerSide != nil {
					t.Errorf("%s one-sided %s has partner-side deaths", partner, period)
				}
				b := got[key{partner, impact.MeasureBattles, period}]
				checkValues(t, partner+" battles "+period, b.Values, w.battles)
				if b.DeathsPartnerSide == nil || *b.DeathsPartnerSide != w.partnerSide {
					t.Errorf("%s battles %s: partner-side deaths %v, want %d", partner, period, b.DeathsPartnerSide, w.partnerSide)
				}
			}
		}
		check("Syrian government forces", func(r rawRow) (bool, bool) {
			return r["side_a"] == "Government of Syria", r["side_b"] == "Government of Syria"
		}, "2017-01-01", "2018-06-30")
		// The SDF's dataset name counts only up to 2018-05-31: later SDF
		// events are no one's here, whatever the period.
		check("SDF until mid-2018", func(r rawRow) (bool, bool) {
			if r.date() > "2018-05-31" {
				return false, false
			}
			return r["side_a"] == "SDF", r["side_b"] == "SDF"
		}, "2017-03-01", "2018-06-30")
		before := got[key{"Syrian government forces", impact.MeasureOneSided, "before"}]
		if before.From != "2016-01-01" || before.To != "2016-12-31" {
			t.Errorf("before spans %s..%s", before.From, before.To)
		}
		var out strings.Builder
		if err := impact.WriteHarmCSV(&out, h); err != nil {
			t.Fatal(err)
		}
		if first, _, _ := strings.Cut(out.String(), "\n"); first != "partner,measure,period,covered,from,to,events,deaths_low,deaths_best,deaths_high,deaths_civilians,deaths_partner_side" {
			t.Errorf("harm header %q", first)
		}
	})
}

// TestHarmPeriodWithoutCoverage: support that began before the data start
// has no "before" figures, and says so, instead of 0.
func TestHarmPeriodWithoutCoverage(t *testing.T) {
	file := sqldbtest.SharedData(t, "ucdp/GEDEvent_v21_01_21_12.csv.zip")
	rows := readRaw(t, file)
	sqldbtest.EachFilled(t, "ged-21.0.12", func(t testing.TB, db *sqldb.DB) { importAll(t, db, file) }, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		iv := createIntervention(t, db, `{"slug": "test-yemen", "name": "Test coalition", "area": [{"country": "YEM"}],
			"phases": [{"start": "2015-03-26"}],
			"partner_forces": [{"name": "Hadi's forces", "aliases": {"ucdp": ["Forces of Hadi"]}}]}`)
		h, err := impact.Harm(ctx, db, iv, impact.HarmOptions{Viewer: aftermath.System, Dataset: "ucdp"})
		if err != nil {
			t.Fatal(err)
		}
		var battles int64
		for _, r := range rows {
			if r["type_of_violence"] == "1" && (r["side_a"] == "Forces of Hadi" || r["side_b"] == "Forces of Hadi") {
				battles++
			}
		}
		if battles < 100 {
			t.Fatalf("expected Hadi's forces in many battles of 2021, found %d", battles)
		}
		// The re-runs: Clear events only, precise places and dates only.
		for _, q := range []struct {
			opt  impact.HarmOptions
			keep func(rawRow) bool
		}{
			{impact.HarmOptions{ClearOnly: true}, func(r rawRow) bool { return r["code_status"] == "Clear" }},
			{impact.HarmOptions{PreciseOnly: true}, func(r rawRow) bool {
				return r.n("where_prec") >= 1 && r.n("where_prec") <= 2 && r.n("date_prec") >= 1 && r.n("date_prec") <= 2
			}},
		} {
			q.opt.Viewer, q.opt.Dataset = aftermath.System, "ucdp"
			var want int64
			for _, r := range rows {
				if r["type_of_violence"] == "1" && (r["side_a"] == "Forces of Hadi" || r["side_b"] == "Forces of Hadi") && q.keep(r) {
					want++
				}
			}
			qh, err := impact.Harm(ctx, db, iv, q.opt)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range qh.Rows {
				if r.Period == "during" && r.Measure == impact.MeasureBattles && (r.Events == nil || *r.Events != want || want == battles) {
					t.Errorf("%+v: battles %v, want %d of %d", q.opt, r.Events, want, battles)
				}
			}
		}
		for _, r := range h.Rows {
			switch r.Period {
			case "before":
				if r.Covered != impact.CoveredNo || r.Events != nil {
					t.Errorf("before: %+v; want not covered, no figures", r)
				}
			case "during":
				if r.Covered != impact.CoveredPartial {
					t.Errorf("during covered %s; want partial (2015–2020 are not covered)", r.Covered)
				}
				if r.Measure == impact.MeasureBattles && (r.Events == nil || *r.Events != battles) {
					t.Errorf("battles of Hadi's forces on either side: %v, want %d", r.Events, battles)
				}
			case "after":
				t.Errorf("an ongoing window has no after period: %+v", r)
			}
		}
	})
}

// TestSynthDonorsChosenBeforeTreatment: the default donor pool is the
// busiest countries before the intervention began, without the area's land
// neighbours and countries hosting another recorded intervention.
func TestSynthDonorsChosenBeforeTreatment(t *testing.T) {
	file := sqldbtest.SharedData(t, "ucdp/GEDEvent_v21_01_21_12.csv.zip")
	sqldbtest.EachFilled(t, "ged-21.0.12", func(t testing.TB, db *sqldb.DB) { importAll(t, db, file) }, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		iv := createIntervention(t, db, `{"slug": "test-mali-late", "name": "Late support to Mali", "area": [{"country": "MLI"}],
			"phases": [{"start": "2021-07-01", "end": "2021-12-31"}]}`)
		createIntervention(t, db, `{"slug": "test-other", "name": "Other mission", "area": [{"country": "SOM"}], "phases": [{"start": "2020-01-01"}]}`)
		const n = 8
		rep, err := impact.Analyze(ctx, db, iv, impact.Options{Viewer: aftermath.System, Dataset: "ucdp", Method: "synth", MaxDonors: n, MinPre: 5})
		if err != nil {
			t.Fatal(err)
		}
		res := rep.Synth.(*analysis.SynthResult)
		var got []string
		for _, w := range res.Weights {
			got = append(got, w.Name)
		}
		// Independently: rank countries by events before July 2021.
		pre, err := db.CountryMonthlyTotals(ctx, aftermath.System, "ucdp", "2021-01", "2021-06", nil, false, false)
		if err != nil {
			t.Fatal(err)
		}
		excluded := map[string]bool{"MLI": true, "SOM": true}
		for _, c := range geo.Neighbours("MLI") {
			excluded[c] = true
		}
		type tot struct {
			c string
			n int64
		}
		var all []tot
		for c, ms := range pre {
			if excluded[c] {
				continue
			}
			var s int64
			for _, m := range ms {
				s += m.Events
			}
			all = append(all, tot{c, s})
		}
		slices.SortFunc(all, func(a, b tot) int {
			if a.n != b.n {
				return int(b.n - a.n)
			}
			return strings.Compare(a.c, b.c)
		})
		var want []string
		for _, x := range all[:n] {
			want = append(want, x.c)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("donors %v, want the %d busiest before the start without neighbours and hosts: %v", got, n, want)
		}
		for _, c := range got {
			if c == "SOM" || c == "NER" || c == "BFA" {
				t.Errorf("donor %s should have been left out", c)
			}
		}
		if !strings.Contains(res.Method, "SOM (hosts a recorded intervention in the window)") || !strings.Contains(res.Method, "NER (is a land neighbour of the area)") {
			t.Errorf("the method does not say who was left out: %s", res.Method)
		}
	})
}

// TestHarmFollowsNewImports: figures read after an import include what it
// brought, although the day sums are kept between requests.
func TestHarmFollowsNewImports(t *testing.T) {
	f21 := sqldbtest.SharedData(t, "ucdp/GEDEvent_v21_01_21_12.csv.zip")
	f22 := sqldbtest.SharedData(t, "ucdp/GEDEvent_v22_0_2.csv.zip")
	var feb int64
	for _, r := range readRaw(t, f22) {
		if r["type_of_violence"] == "1" && r.date() >= "2022-02" && (r["side_a"] == "Government of Mali" || r["side_b"] == "Government of Mali") {
			feb++
		}
	}
	if feb == 0 {
		t.Fatal("expected battles of the Malian government in February 2022")
	}
	sqldbtest.EachFilled(t, "ged-21.0.12", func(t testing.TB, db *sqldb.DB) { importAll(t, db, f21) }, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		iv := createIntervention(t, db, `{"slug": "test-mali", "name": "Test support to Mali", "area": [{"country": "MLI"}],
			"phases": [{"start": "2021-01-01"}], "partner_forces": [{"name": "Malian forces", "aliases": {"ucdp": ["Government of Mali"]}}]}`)
		battles := func() int64 {
			h, err := impact.Harm(ctx, db, iv, impact.HarmOptions{Viewer: aftermath.System, Dataset: "ucdp"})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range h.Rows {
				if r.Measure == impact.MeasureBattles && r.Period == "during" {
					return *r.Events
				}
			}
			t.Fatal("no battles row")
			return 0
		}
		before := battles()
		importAll(t, db, f22)
		if after := battles(); after != before+feb {
			t.Errorf("battles during support: %d before the 22.0.2 import, %d after; want %d more", before, after, feb)
		}
	})
}
