package impact_test

import (
	"context"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/impact"
	"aftermath/internal/importer"
	"aftermath/internal/shareddata"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// spreadByYear spreads each raw deal's delivered TIV evenly over its
// delivery years (in millions), as docs/method.md says, for the deals
// whose recipient and supplier pass keep.
func spreadByYear(t *testing.T, rows []map[string]string, keep func(r map[string]string) bool) map[int]float64 {
	t.Helper()
	out := map[int]float64{}
	for _, r := range rows {
		if !keep(r) || r["SIPRI TIV of delivered weapons"] == "" || r["Year(s) of delivery"] == "" {
			continue
		}
		tiv, err := strconv.ParseFloat(r["SIPRI TIV of delivered weapons"], 64)
		if err != nil {
			t.Fatal(err)
		}
		years := strings.Split(r["Year(s) of delivery"], ";")
		for _, y := range years {
			n, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(y), "?")))
			if err != nil {
				t.Fatal(err)
			}
			out[n] += tiv / float64(len(years))
		}
	}
	return out
}

func TestSuppliedBeforeHarm(t *testing.T) {
	ged := sqldbtest.SharedData(t, "ucdp/ged191_syria.csv.zip")
	// Only the deals this test reads: the reader reads the subset as it
	// reads SIPRI's file, and the whole register is the importer tests'.
	register := shareddata.SIPRISubset(t, sqldbtest.SharedData(t, "sipri/trade-register-all-2025-03.csv"),
		func(r string) bool { return r == "Syria" || r == "Saudi Arabia" })
	events := readRaw(t, ged)
	deals := shareddata.SIPRIRows(t, register)
	sqldbtest.EachFilled(t, "ged-19.1-syria", func(t testing.TB, db *sqldb.DB) { importAll(t, db, ged) }, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if _, err := importer.ImportSIPRI(ctx, db, aftermath.ImportAs{}, register); err != nil {
			t.Fatal(err)
		}
		iv := createIntervention(t, db, `{"slug": "test-syria", "name": "Test support in Syria", "area": [{"country": "SYR"}],
			"phases": [{"start": "2017-01-01", "end": "2018-06-30"}],
			"backers": [{"name": "Russia"}, {"name": "Iran"}],
			"partner_forces": [{"name": "Syrian government forces", "aliases": {"ucdp": ["Government of Syria"]}}]}`)
		rep, err := impact.Supply(ctx, db, db, iv, impact.HarmOptions{Viewer: aftermath.System, Dataset: "ucdp"})
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Partners) != 1 {
			t.Fatalf("partners %+v", rep.Partners)
		}
		p := rep.Partners[0]
		if p.State != "SYR" || p.StateBy != "name" {
			t.Errorf("partner state %q by %q", p.State, p.StateBy)
		}
		// Five years before support to its end: 2012-2018.
		if len(p.Years) != 7 || p.Years[0].Year != 2012 || p.Years[6].Year != 2018 {
			t.Fatalf("years %+v", p.Years)
		}
		toSyria := spreadByYear(t, deals, func(r map[string]string) bool { return r["Recipient"] == "Syria" })
		fromBackers := spreadByYear(t, deals, func(r map[string]string) bool {
			return r["Recipient"] == "Syria" && (r["Supplier"] == "Russia" || r["Supplier"] == "Iran")
		})
		oneSided := map[int]*sums{}
		for _, r := range events {
			if r["type_of_violence"] == "3" && r["side_a"] == "Government of Syria" {
				y, _ := strconv.Atoi(r.date()[:4])
				if oneSided[y] == nil {
					oneSided[y] = &sums{}
				}
				oneSided[y].add(r)
			}
		}
		for _, y := range p.Years {
			// The spread of each deal rounds to a thousandth of a million.
			if got, want := float64(y.Arms)/1000, toSyria[y.Year]; math.Abs(got-want) > 0.01 {
				t.Errorf("%d: arms to Syria %.3f, raw spread %.3f", y.Year, got, want)
			}
			if got, want := float64(y.FromBackers)/1000, fromBackers[y.Year]; math.Abs(got-want) > 0.01 {
				t.Errorf("%d: from the backers %.3f, raw spread from Russia and Iran %.3f", y.Year, got, want)
			}
			if y.Year < 2016 {
				// GED 19.1 here covers 2016-2019: earlier years have no
				// figure, not zero.
				if y.OneSided.Covered != impact.CoveredNo || y.OneSided.Events != nil {
					t.Errorf("%d: one-sided %+v, want not covered", y.Year, y.OneSided)
				}
				continue
			}
			w := oneSided[y.Year]
			if w == nil {
				w = &sums{}
			}
			checkValues(t, "one-sided "+strconv.Itoa(y.Year), y.OneSided.Values, *w)
		}
		if toSyria[2017] == 0 || p.Years[5].Arms == 0 {
			t.Errorf("no deliveries to Syria in 2017: the test checks nothing")
		}
		// Arms are not among the test intervention's instruments, but the
		// backers' deliveries over its years (2017-2018) are evidence of
		// them, shown as unrecorded.
		if len(rep.Evidence) != 1 || rep.Evidence[0].Instrument != "arms" || rep.Evidence[0].Recorded ||
			math.Abs(float64(rep.Evidence[0].ArmsTIV)/1000-fromBackers[2017]-fromBackers[2018]) > 0.01 || rep.Evidence[0].ToYear != 2018 {
			t.Errorf("evidence %+v, want arms %.3f", rep.Evidence, fromBackers[2017]+fromBackers[2018])
		}
		// Russia's scorecard: its deliveries to Syria, and the
		// government's one-sided violence from the year after the first.
		var russia *impact.BackerSupply
		for i := range rep.Backers {
			if rep.Backers[i].Backer == "Russia" {
				russia = &rep.Backers[i]
			}
		}
		if russia == nil || russia.State != "SYR" || russia.TIV == 0 || !russia.Estimate {
			t.Fatalf("backers %+v", rep.Backers)
		}
		var after sums
		for y, s := range oneSided {
			if y > russia.FirstYear && y >= 2016 {
				after.events += s.events
				after.low += s.low
				after.best += s.best
				after.high += s.high
				after.civ += s.civ
			}
		}
		checkValues(t, "one-sided after Russia's first delivery", russia.Later.Values, after)
		// A user confirms the state and narrows to the force SIPRI's
		// comments name: only those deals count.
		guard := createIntervention(t, db, `{"slug": "test-guard", "name": "Test support to a guard", "area": [{"country": "SAU"}],
			"phases": [{"start": "2015-01-01", "end": "2016-12-31"}],
			"partner_forces": [{"name": "Guard units", "state": "SAU", "force": "National Guard"}]}`)
		grep, err := impact.Supply(ctx, db, db, guard, impact.HarmOptions{Viewer: aftermath.System, Dataset: "ucdp"})
		if err != nil {
			t.Fatal(err)
		}
		g := grep.Partners[0]
		if g.State != "SAU" || g.StateBy != "confirmed" || g.Force != "National Guard" {
			t.Errorf("guard partner %+v", g)
		}
		named := func(r map[string]string) bool {
			return r["Recipient"] == "Saudi Arabia" && strings.Contains(strings.ToLower(r["Comments"]), "national guard")
		}
		toGuard := spreadByYear(t, deals, named)
		var n int64
		for _, r := range deals {
			if named(r) {
				n++
			}
		}
		for _, y := range g.Years {
			if got, want := float64(y.Arms)/1000, toGuard[y.Year]; math.Abs(got-want) > 0.01 {
				t.Errorf("%d: arms to the National Guard %.3f, raw %.3f", y.Year, got, want)
			}
		}
		i := slices.IndexFunc(g.Forces, func(f aftermath.ForceMention) bool { return f.Force == "national guard" })
		if i < 0 || g.Forces[i].Deals != n || n == 0 {
			t.Errorf("forces named %+v, want national guard in %d deals", g.Forces, n)
		}

		if rep.Method == "" || len(rep.Caveats) < 3 {
			t.Errorf("method %q caveats %v", rep.Method, rep.Caveats)
		}
	})
}
