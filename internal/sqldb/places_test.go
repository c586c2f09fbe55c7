package sqldb_test

import (
	"context"
	"testing"

	"aftermath"
	"aftermath/internal/importer"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

func TestPlaceTotalsFollowAggregatesAndAudience(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if _, err := importer.Import(ctx, db, "../importer/testdata/GEDEvent_v24_1.csv", importer.Options{Dataset: aftermath.DatasetUCDP}); err != nil {
			t.Fatal(err)
		}
		countries, err := db.PlaceTotals(ctx, aftermath.Anonymous, "")
		if err != nil {
			t.Fatal(err)
		}
		stats, err := db.Stats(ctx, aftermath.StatsFilter{By: []string{"dataset", "country"}})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int64{}
		for _, s := range stats {
			want[s.Keys[0]+"/"+s.Keys[1]] = s.Events
		}
		if len(countries) == 0 {
			t.Fatal("no countries")
		}
		for _, c := range countries {
			if want[c.Dataset+"/"+c.Country] != c.Events {
				t.Errorf("%s %s: %d events, stats say %d", c.Dataset, c.Country, c.Events, want[c.Dataset+"/"+c.Country])
			}
		}
		areas, err := db.PlaceTotals(ctx, aftermath.Anonymous, countries[0].ISO3)
		if err != nil {
			t.Fatal(err)
		}
		var sum int64
		for _, a := range areas {
			if a.Dataset == countries[0].Dataset {
				sum += a.Events
			}
		}
		if sum != countries[0].Events {
			t.Errorf("admin-1 areas of %s sum to %d, the country has %d", countries[0].ISO3, sum, countries[0].Events)
		}
		// An internal dataset disappears for anonymous visitors only.
		ds, _ := db.Datasets(ctx, aftermath.System)
		for _, d := range ds {
			if err := db.SetAudience(ctx, "dataset", d.ID, sqldb.Placement{Audience: aftermath.AudienceInternal}); err != nil {
				t.Fatal(err)
			}
		}
		if got, _ := db.PlaceTotals(ctx, aftermath.Anonymous, ""); len(got) != 0 {
			t.Errorf("anonymous sees %d countries of internal datasets", len(got))
		}
		if got, _ := db.PlaceTotals(ctx, aftermath.Viewer{UserID: 1, Orgs: []int64{1}}, ""); len(got) != len(countries) {
			t.Errorf("a member sees %d countries, want %d", len(got), len(countries))
		}
	})
}
