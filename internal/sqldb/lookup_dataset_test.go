package sqldb_test

import (
	"context"
	"reflect"
	"testing"

	"aftermath"
	"aftermath/internal/importer"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// A dataset named in capitals (--dataset UCDP, ?dataset=UCDP) reads the
// same figures as its stored name.
func TestDatasetNamesIgnoreCase(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if _, err := importer.Import(ctx, db, "../importer/testdata/GEDEvent_v23_1.csv", importer.Options{Dataset: aftermath.DatasetUCDP}); err != nil {
			t.Fatal(err)
		}
		stats := func(name string) []aftermath.StatsRow {
			rows, err := db.Stats(ctx, aftermath.StatsFilter{Dataset: name, By: []string{"country"}})
			if err != nil {
				t.Fatal(err)
			}
			return rows
		}
		if want, got := stats("ucdp"), stats("UCDP"); len(want) == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("stats for UCDP: %v, want %v", got, want)
		}
		monthly := func(name string) []aftermath.MonthTotal {
			ms, err := db.MonthlyTotals(ctx, aftermath.AreaFilter{Viewer: aftermath.System, Dataset: name, Area: []aftermath.AreaRef{{Country: "MLI"}}})
			if err != nil {
				t.Fatal(err)
			}
			return ms
		}
		if want, got := monthly("ucdp"), monthly("Ucdp"); len(want) == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("monthly totals for Ucdp: %v, want %v", got, want)
		}
		if cov, err := db.DatasetCoverage(ctx, aftermath.System, "UCDP"); err != nil || len(cov) == 0 {
			t.Errorf("coverage of UCDP: %v %v", cov, err)
		}
	})
}
