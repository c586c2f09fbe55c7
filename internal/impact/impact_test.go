package impact_test

import (
	"context"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/impact"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// TestRealDataSeriesMatchStats imports the shared GED releases, records an
// intervention in Mali and checks the analysed series against the stats
// the same aggregates give, month by month, and that the partner forces
// link to the dataset's actor.
func TestRealDataSeriesMatchStats(t *testing.T) {
	files := []string{
		sqldbtest.SharedData(t, "ucdp/GEDEvent_v21_01_21_12.csv.zip"),
		sqldbtest.SharedData(t, "ucdp/GEDEvent_v22_0_2.csv.zip"),
	}
	sqldbtest.EachFilled(t, "ged-21.0.12+22.0.2", func(t testing.TB, db *sqldb.DB) { importAll(t, db, files...) }, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		iv := &aftermath.Intervention{Slug: "test-mali", Name: "Test support to Mali",
			Backers:       []aftermath.InterventionActor{{Name: "France"}},
			PartnerForces: []aftermath.InterventionActor{{Name: "Malian forces", Aliases: aftermath.DatedAliases{{Dataset: "ucdp", Name: "Government of Mali"}}}},
			Area:          []aftermath.AreaRef{{Country: "MLI"}},
			Phases:        []aftermath.Phase{{Name: "support", Start: "2021-07-01", End: "2021-12-31"}}}
		if err := db.CreateIntervention(ctx, aftermath.System, iv); err != nil {
			t.Fatal(err)
		}
		stored, _ := db.Intervention(ctx, aftermath.System, iv.ID)
		for _, outcome := range []string{"events", "deaths_best", "deaths_civilians"} {
			rep, err := impact.Analyze(ctx, db, stored, impact.Options{Dataset: "ucdp", Outcome: outcome, Method: "its"})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Window != [2]string{"2021-01", "2022-02"} {
				t.Fatalf("window = %v", rep.Window)
			}
			rows, err := db.Stats(ctx, aftermath.StatsFilter{Dataset: "ucdp", By: []string{"country", "month"}})
			if err != nil {
				t.Fatal(err)
			}
			want := map[string]int64{}
			for _, r := range rows {
				if r.Keys[0] == "Mali" {
					want[r.Keys[1]] = map[string]int64{"events": r.Events, "deaths_best": r.DeathsBest, "deaths_civilians": r.DeathsCivilians}[outcome]
				}
			}
			var sum int64
			for _, m := range rep.Series {
				if m.Month == "2022-01" {
					// No imported version covers January 2022.
					if m.Covered {
						t.Errorf("2022-01 is covered")
					}
					continue
				}
				if m.Total != want[m.Month] {
					t.Errorf("%s %s: series %d, stats %d", outcome, m.Month, m.Total, want[m.Month])
				}
				if m.Partner+m.Intervening+m.ArmedGroups+m.Others != m.Total || m.Others < 0 {
					t.Errorf("%s %s: classes do not add up: %+v", outcome, m.Month, m)
				}
				sum += m.Total
			}
			if outcome == "deaths_best" && sum != 727+213+372+want["2022-02"] {
				t.Errorf("Mali best deaths over the window = %d", sum)
			}
			if len(rep.Yearly) != 2 || rep.Yearly[0].Year != "2021" || rep.Yearly[0].Total+rep.Yearly[1].Total != sum {
				t.Errorf("%s: yearly %+v does not sum to %d", outcome, rep.Yearly, sum)
			}
			if rep.ITS == nil {
				t.Errorf("%s: its did not run: %v", outcome, rep.Skipped)
			}
			if rep.Harm == nil || len(rep.Harm.Partners) != 1 || len(rep.Harm.Partners[0].Names) != 1 || len(rep.Harm.Rows) != 6 {
				t.Fatalf("harm by partner forces: %+v", rep.Harm)
			}
			var during int64
			for _, h := range rep.Harm.Rows {
				if h.Period == "during" && h.Events != nil {
					during += *h.Events
				}
			}
			if during == 0 {
				t.Errorf("harm by partner forces: no events of the Malian government during support: %+v", rep.Harm.Rows)
			}
		}
		rep, err := impact.Analyze(ctx, db, stored, impact.Options{Dataset: "ucdp", Method: "all", Comparison: []string{"NER"}, MaxDonors: 10})
		if err != nil {
			t.Fatal(err)
		}
		// Six months before support began are too few for synthetic
		// control: it is refused, saying so, and the rest still runs.
		if rep.DiD == nil || rep.EventStudy == nil || rep.Synth != nil || !strings.Contains(strings.Join(rep.Skipped, "\n"), "synth: the pre-period has 6 time(s)") {
			t.Errorf("all methods: did %v event study %v synth %v skipped %v", rep.DiD != nil, rep.EventStudy != nil, rep.Synth != nil, rep.Skipped)
		}
		if _, err := impact.Analyze(ctx, db, stored, impact.Options{Dataset: "ucdp", Method: "synth", Comparison: []string{"NER"}}); aftermath.ErrorCode(err) != aftermath.EINVALID ||
			!strings.Contains(err.Error(), "at least 10") {
			t.Errorf("synth on a 6-month pre-period: %v", err)
		}
		if _, err := impact.Analyze(ctx, db, stored, impact.Options{Dataset: "ucdp", Method: "did"}); aftermath.ErrorCode(err) != aftermath.EINVALID {
			t.Errorf("did without comparison: %v", err)
		}
	})
}
