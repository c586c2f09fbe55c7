package importer_test

import (
	"context"
	"database/sql"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/importer"
	"aftermath/internal/shareddata"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// rawRows reads a GED or ACLED file with encoding/csv only, not with the
// readers under test.
func rawRows(t *testing.T, path string) []map[string]string { return shareddata.Rows(t, path) }

// rawGEDSums sums GED rows that keep selects: events, best, low, high and
// civilian deaths by country|year|violence type.
func rawGEDSums(t *testing.T, rows []map[string]string, keep func(map[string]string) bool) map[string][5]int64 {
	t.Helper()
	names := map[string]string{"1": "state-based", "2": "non-state", "3": "one-sided"}
	out := map[string][5]int64{}
	for _, r := range rows {
		if !keep(r) {
			continue
		}
		k := r["country"] + "|" + r["year"] + "|" + names[r["type_of_violence"]]
		v := out[k]
		v[0]++
		for i, c := range []string{"best", "low", "high", "deaths_civilians"} {
			n, err := strconv.ParseInt(r[c], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			v[i+1] += n
		}
		out[k] = v
	}
	return out
}

func all(map[string]string) bool { return true }

// The codebooks' rules, written here from the raw cells.
func gedClear(r map[string]string) bool { return r["code_status"] == "Clear" }

func gedPrecise(r map[string]string) bool {
	return (r["where_prec"] == "1" || r["where_prec"] == "2") && (r["date_prec"] == "1" || r["date_prec"] == "2")
}

func both(a, b func(map[string]string) bool) func(map[string]string) bool {
	return func(r map[string]string) bool { return a(r) && b(r) }
}

func merge(ms ...map[string][5]int64) map[string][5]int64 {
	out := map[string][5]int64{}
	for _, m := range ms {
		for k, v := range m {
			w := out[k]
			for i := range v {
				w[i] += v[i]
			}
			out[k] = w
		}
	}
	return out
}

func statsFiltered(t *testing.T, db *sqldb.DB, f aftermath.StatsFilter) map[string][5]int64 {
	t.Helper()
	rows, err := db.Stats(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][5]int64{}
	for _, r := range rows {
		out[strings.Join(r.Keys, "|")] = [5]int64{r.Events, r.DeathsBest, r.DeathsLow, r.DeathsHigh, r.DeathsCivilians}
	}
	return out
}

func sameSums(t *testing.T, what string, got, want map[string][5]int64) {
	t.Helper()
	if len(want) == 0 {
		t.Fatalf("%s: the raw file gives no groups; the test would prove nothing", what)
	}
	if !reflect.DeepEqual(got, want) {
		n := 0
		for k, w := range want {
			if got[k] != w && n < 5 {
				t.Errorf("%s %s: stats %v, raw file %v", what, k, got[k], w)
				n++
			}
		}
		t.Errorf("%s: %d groups in stats, %d in the raw file", what, len(got), len(want))
	}
}

func coverage(t *testing.T, db *sqldb.DB, dataset string) aftermath.CoverageSet {
	t.Helper()
	set, err := db.DatasetCoverage(context.Background(), aftermath.System, dataset)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// The real UCDP 23.1 full release for the Central African Republic (with
// 229 events whose number_of_sources is -1) and GED 19.1 for Syria import;
// stats, clear-only and precise-only sums equal the raw files' own; the
// -1 codes are stored as published; each version covers its one country
// for the whole years of its events.
func TestRealFullReleases(t *testing.T) {
	caf := sqldbtest.SharedData(t, "ucdp/GEDEvent_v23_1_CAF.csv.zip")
	syria := sqldbtest.SharedData(t, "ucdp/ged191_syria.csv.zip")
	cafRows, syriaRows := rawRows(t, caf), rawRows(t, syria)
	minus := 0
	for _, r := range cafRows {
		if r["number_of_sources"] == "-1" {
			minus++
		}
	}
	if len(cafRows) != 1848 || minus != 229 {
		t.Fatalf("CAF file: %d rows, %d with -1 sources; want 1848 and 229", len(cafRows), minus)
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		for f, n := range map[string]int64{caf: 1848, syria: int64(len(syriaRows))} {
			c := importFile(t, db, aftermath.DatasetUCDP, f, importer.Options{})
			if c.Read != n || c.Inserted != n || c.Rejected != 0 {
				t.Errorf("%s: counts %+v, want %d read and inserted", filepath.Base(f), c, n)
			}
		}
		by := []string{"country", "year", "violence_type"}
		for _, tc := range []struct {
			name string
			f    aftermath.StatsFilter
			keep func(map[string]string) bool
		}{
			{"all", aftermath.StatsFilter{}, all},
			{"clear only", aftermath.StatsFilter{ClearOnly: true}, gedClear},
			{"precise only", aftermath.StatsFilter{PreciseOnly: true}, gedPrecise},
			{"clear and precise", aftermath.StatsFilter{ClearOnly: true, PreciseOnly: true}, both(gedClear, gedPrecise)},
		} {
			tc.f.Dataset, tc.f.By = aftermath.DatasetUCDP, by
			want := merge(rawGEDSums(t, cafRows, tc.keep), rawGEDSums(t, syriaRows, tc.keep))
			if tc.name == "clear only" || tc.name == "clear and precise" {
				// 19.1 has no code_status column: none of its events is clear.
				for k := range want {
					if strings.HasPrefix(k, "Syria|") {
						t.Fatalf("%s: a Syria group %s is clear", tc.name, k)
					}
				}
			}
			sameSums(t, tc.name, statsFiltered(t, db, tc.f), want)
		}

		// number_of_sources is kept as published: -1 where the file has -1.
		got := 0
		err := db.EachEvent(context.Background(), sqldb.EventFilter{Viewer: aftermath.System, Country: "Central African Republic"}, func(e *aftermath.Event) error {
			if e.SourceCount != nil && *e.SourceCount == -1 {
				got++
			}
			return nil
		})
		if err != nil || got != 229 {
			t.Errorf("events stored with -1 sources: %d (%v), want 229", got, err)
		}

		want := aftermath.CoverageSet{
			{Version: "19.1", From: "2016-01", To: "2019-12", Countries: []string{"SYR"}, Basis: aftermath.CoverageDates},
			{Version: "23.1", From: "1991-01", To: "2022-12", Countries: []string{"CAF"}, Basis: aftermath.CoverageDates},
		}
		if got := coverage(t, db, aftermath.DatasetUCDP); !reflect.DeepEqual(got, want) {
			t.Errorf("coverage %+v, want %+v", got, want)
		}
		// Versions as listed carry their coverage too.
		ds, err := db.Datasets(context.Background(), aftermath.System)
		if err != nil || len(ds) != 1 || len(ds[0].Versions) != 2 {
			t.Fatalf("datasets %+v %v", ds, err)
		}
		for _, v := range ds[0].Versions {
			if v.Coverage.Version != v.Version || (v.Version == "23.1" && !reflect.DeepEqual(v.Coverage, want[1])) {
				t.Errorf("version %s lists coverage %+v", v.Version, v.Coverage)
			}
		}
		// Importing a file again leaves its coverage as it was.
		importFile(t, db, aftermath.DatasetUCDP, caf, importer.Options{})
		if got := coverage(t, db, aftermath.DatasetUCDP); !reflect.DeepEqual(got, want) {
			t.Errorf("coverage after a re-import %+v, want %+v", got, want)
		}
	})
}

// A monthly candidate covers the month its name gives, although it holds
// events of the month before; a candidate of another form covers the
// months of its events. Clear-only and precise-only sums of these files,
// with every code status UCDP uses, equal the raw files' own.
func TestCandidateCoverage(t *testing.T) {
	feb := sqldbtest.SharedData(t, "ucdp/GEDEvent_v22_0_2.csv.zip")
	year := sqldbtest.SharedData(t, "ucdp/GEDEvent_v21_01_21_12.csv.zip")
	febRows := rawRows(t, feb)
	jan := 0
	for _, r := range febRows {
		if strings.HasPrefix(r["date_start"], "2022-01") {
			jan++
		}
	}
	if jan != 18 {
		t.Fatalf("GEDEvent_v22_0_2 has %d January rows, want 18", jan)
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		importFile(t, db, aftermath.DatasetUCDP, feb, importer.Options{})
		importFile(t, db, aftermath.DatasetUCDP, year, importer.Options{})
		want := aftermath.CoverageSet{
			{Version: "21.01.21.12", From: "2021-01", To: "2021-12", Basis: aftermath.CoverageDates},
			{Version: "22.0.2", From: "2022-02", To: "2022-02", Basis: aftermath.CoverageFileName},
		}
		if got := coverage(t, db, aftermath.DatasetUCDP); !reflect.DeepEqual(got, want) {
			t.Errorf("coverage %+v, want %+v", got, want)
		}
		yearRows := rawRows(t, year)
		by := []string{"country", "year", "violence_type"}
		for name, keep := range map[string]func(map[string]string) bool{"clear": gedClear, "precise": gedPrecise} {
			f := aftermath.StatsFilter{Dataset: aftermath.DatasetUCDP, By: by, ClearOnly: name == "clear", PreciseOnly: name == "precise"}
			sameSums(t, name+" only", statsFiltered(t, db, f), merge(rawGEDSums(t, febRows, keep), rawGEDSums(t, yearRows, keep)))
		}
	})
}

func sourceCounts(t *testing.T, db *sqldb.DB) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := db.EachEvent(context.Background(), sqldb.EventFilter{Viewer: aftermath.System}, func(e *aftermath.Event) error {
		if e.SourceCount == nil {
			out[e.NativeID] = ""
		} else {
			out[e.NativeID] = strconv.Itoa(*e.SourceCount)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// A full-release style file (invented events) with -1 and empty
// number_of_sources: both are stored as published; quality sums follow
// the raw cells, also when a newer version changes an event's code status
// and precision (the aggregates change by difference).
func TestFullReleaseFixture(t *testing.T) {
	file := fixture("GEDEvent_v23_1_full.csv")
	rows := rawRows(t, file)
	wantSources := map[string]string{}
	for _, r := range rows {
		wantSources[r["id"]] = r["number_of_sources"]
	}
	if wantSources["9001"] != "-1" || wantSources["9002"] != "" {
		t.Fatalf("fixture sources %v", wantSources)
	}
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		wantSources := maps.Clone(wantSources)
		importFile(t, db, aftermath.DatasetUCDP, file, importer.Options{})
		if got := sourceCounts(t, db); !reflect.DeepEqual(got, wantSources) {
			t.Errorf("stored source counts %v, want %v", got, wantSources)
		}
		by := []string{"country", "year", "violence_type"}
		check := func(rows []map[string]string) {
			t.Helper()
			for name, keep := range map[string]func(map[string]string) bool{"all": all, "clear": gedClear, "precise": gedPrecise} {
				f := aftermath.StatsFilter{Dataset: aftermath.DatasetUCDP, By: by, ClearOnly: name == "clear", PreciseOnly: name == "precise"}
				want := rawGEDSums(t, rows, keep)
				if name != "all" {
					// Some groups are empty under the filter: the aggregates hold none.
					for k, v := range want {
						if v[0] == 0 {
							delete(want, k)
						}
					}
				}
				sameSums(t, name, statsFiltered(t, db, f), want)
			}
		}
		check(rows)

		// 24.1 changes event 9002 to Clear with a precise place, and 9004
		// to an imprecise date; 9001's -1 becomes an empty cell.
		body, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(string(body), "\n")
		lines[1] = strings.Replace(lines[1], ",-1,", ",,", 1)
		lines[2] = strings.Replace(strings.Replace(lines[2], "Check deaths", "Clear", 1), ",4,Ouham prefecture,", ",1,Ouham prefecture,", 1)
		lines[4] = strings.Replace(lines[4], ",Africa,1,2,2022-05-31", ",Africa,1,4,2022-05-31", 1)
		newer := filepath.Join(t.TempDir(), "GEDEvent_v24_1_full.csv")
		if err := os.WriteFile(newer, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		c := importFile(t, db, aftermath.DatasetUCDP, newer, importer.Options{})
		if c.Updated != 3 || c.Unchanged != 2 {
			t.Errorf("newer version: counts %+v, want 3 updated, 2 unchanged", c)
		}
		newRows := rawRows(t, newer)
		if gedClear(newRows[1]) != true || gedPrecise(newRows[1]) != true || gedPrecise(newRows[3]) != false {
			t.Fatalf("the edited fixture is not as meant: %v %v", newRows[1], newRows[3])
		}
		check(newRows)
		wantSources["9001"] = ""
		if got := sourceCounts(t, db); !reflect.DeepEqual(got, wantSources) {
			t.Errorf("stored source counts after 24.1 %v, want %v", got, wantSources)
		}
		if msg, err := db.IntegrityCheck(context.Background()); err != nil || msg != "ok" {
			t.Errorf("integrity: %s %v", msg, err)
		}
	})
}

// --covers and --countries are recorded as stated; a re-import of the same
// file without them leaves them; stated again, they replace what was.
func TestStatedCoverage(t *testing.T) {
	file := fixture("GEDEvent_v23_1_full.csv")
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		found := aftermath.Coverage{Version: "23.1", From: "1998-01", To: "2022-12", Countries: []string{"CAF"}, Basis: aftermath.CoverageDates}
		importFile(t, db, aftermath.DatasetUCDP, file, importer.Options{})
		if got := coverage(t, db, aftermath.DatasetUCDP); !reflect.DeepEqual(got, aftermath.CoverageSet{found}) {
			t.Errorf("found coverage %+v, want %+v", got, found)
		}
		stated := aftermath.Coverage{Version: "23.1", From: "1989-01", To: "2022-12", Countries: []string{"CAF", "TCD"}, Basis: aftermath.CoverageStated}
		importFile(t, db, aftermath.DatasetUCDP, file, importer.Options{CoversFrom: "1989-01", CoversTo: "2022-12", Countries: []string{"TCD", "CAF"}})
		if got := coverage(t, db, aftermath.DatasetUCDP); !reflect.DeepEqual(got, aftermath.CoverageSet{stated}) {
			t.Errorf("stated coverage %+v, want %+v", got, stated)
		}
		importFile(t, db, aftermath.DatasetUCDP, file, importer.Options{})
		if got := coverage(t, db, aftermath.DatasetUCDP); !reflect.DeepEqual(got, aftermath.CoverageSet{stated}) {
			t.Errorf("after a plain re-import %+v, want %+v", got, stated)
		}
		// Countries only: the months are found again, the basis is stated.
		importFile(t, db, aftermath.DatasetUCDP, file, importer.Options{Countries: []string{"CAF"}})
		want := aftermath.Coverage{Version: "23.1", From: "1998-01", To: "2022-12", Countries: []string{"CAF"}, Basis: aftermath.CoverageStated}
		if got := coverage(t, db, aftermath.DatasetUCDP); !reflect.DeepEqual(got, aftermath.CoverageSet{want}) {
			t.Errorf("stated countries %+v, want %+v", got, want)
		}
		for _, bad := range []importer.Options{
			{CoversFrom: "2022-13", CoversTo: "2022-12"},
			{CoversFrom: "2022-12", CoversTo: "2022-01"},
			{CoversFrom: "2022-01"},
			{Countries: []string{"XXX"}},
		} {
			bad.Dataset = aftermath.DatasetUCDP
			if _, err := importer.Import(context.Background(), db, file, bad); err == nil {
				t.Errorf("%+v: no error", bad)
			}
		}
	})
}

// ACLED as HDX serves it (a row of HXL hashtags, data_id,
// event_id_no_cnty, iso3) imports; every ACLED event is clear, precise
// ones have geo_precision 1 and time_precision 1-2.
func TestHDXACLED(t *testing.T) {
	file := "../ingest/acled/testdata/hdx_2024-06-30.csv"
	rows := rawRows(t, file)
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		c := importFile(t, db, aftermath.DatasetACLED, file, importer.Options{})
		if c.Read != int64(len(rows)) || c.Inserted != int64(len(rows)) {
			t.Fatalf("counts %+v, want %d inserted", c, len(rows))
		}
		sum := func(keep func(map[string]string) bool) map[string][5]int64 {
			out := map[string][5]int64{}
			for _, r := range rows {
				if !keep(r) {
					continue
				}
				k := r["country"] + "|" + r["event_type"]
				n, err := strconv.ParseInt(r["fatalities"], 10, 64)
				if err != nil {
					t.Fatal(err)
				}
				civ := int64(0)
				if r["civilian_targeting"] == "Civilian targeting" {
					civ = n
				}
				v := out[k]
				out[k] = [5]int64{v[0] + 1, v[1] + n, v[2] + n, v[3] + n, v[4] + civ}
			}
			return out
		}
		precise := func(r map[string]string) bool {
			return r["geo_precision"] == "1" && (r["time_precision"] == "1" || r["time_precision"] == "2")
		}
		by := []string{"country", "violence_type"}
		sameSums(t, "all", statsFiltered(t, db, aftermath.StatsFilter{Dataset: aftermath.DatasetACLED, By: by}), sum(all))
		sameSums(t, "clear", statsFiltered(t, db, aftermath.StatsFilter{Dataset: aftermath.DatasetACLED, By: by, ClearOnly: true}), sum(all))
		sameSums(t, "precise", statsFiltered(t, db, aftermath.StatsFilter{Dataset: aftermath.DatasetACLED, By: by, PreciseOnly: true}), sum(precise))
		want := aftermath.CoverageSet{{Version: "2024-06-30", From: "2024-01", To: "2024-02", Countries: []string{"MLI"}, Basis: aftermath.CoverageDates}}
		if got := coverage(t, db, aftermath.DatasetACLED); !reflect.DeepEqual(got, want) {
			t.Errorf("coverage %+v, want %+v", got, want)
		}
		// ACLED is internal by default: an anonymous reader sees no coverage.
		if set, err := db.DatasetCoverage(context.Background(), aftermath.Viewer{}, aftermath.DatasetACLED); err != nil || len(set) != 0 {
			t.Errorf("anonymous coverage of ACLED: %+v %v", set, err)
		}
	})
}

// A database migrated to 0009 holding imports gets, from migration 0010,
// aggregates recounted with the clear and precise dimensions, a nullable
// source count and its versions' coverage from their events.
func TestMigrationRebuildsAggregates(t *testing.T) {
	caf := sqldbtest.SharedData(t, "ucdp/GEDEvent_v23_1_CAF.csv.zip")
	syria := sqldbtest.SharedData(t, "ucdp/ged191_syria.csv.zip")
	feb := sqldbtest.SharedData(t, "ucdp/GEDEvent_v22_0_2.csv.zip")
	ctx := context.Background()
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			dsn := sqldbtest.DSN(t, driver)
			raw := rawDB(t, driver, dsn)
			exec := func(qs ...string) {
				t.Helper()
				for _, q := range qs {
					if _, err := raw.ExecContext(ctx, q); err != nil {
						t.Fatalf("%s: %v", q, err)
					}
				}
			}
			db, err := sqldb.Open(ctx, dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			ms, err := db.Migrations()
			if err != nil {
				t.Fatal(err)
			}
			exec(`CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`)
			for _, m := range ms {
				if m.Version >= "0010" {
					break
				}
				exec(m.SQL, `INSERT INTO schema_migrations VALUES ('`+m.Version+`', '2024-01-01T00:00:00Z')`)
			}
			// Today's importer writes columns 0010 adds: lend them for the
			// import (aggregate tables of the new shape in place of the
			// 0009 ones), then take them away, leaving what a 0009 import
			// left: the 0009 tables holding the same sums.
			boolType := "INTEGER"
			if driver == sqldb.Postgres {
				boolType = "BOOLEAN"
			}
			for _, c := range []string{"covers_from", "covers_to", "countries", "basis"} {
				exec(`ALTER TABLE dataset_versions ADD COLUMN ` + c + ` TEXT NOT NULL DEFAULT ''`)
			}
			for _, tb := range []string{"monthly_aggregates", "actor_monthly_aggregates"} {
				exec(`ALTER TABLE `+tb+` RENAME TO `+tb+`_0009`,
					`CREATE TABLE `+tb+` AS SELECT * FROM `+tb+`_0009 WHERE 1 = 0`,
					`ALTER TABLE `+tb+` ADD COLUMN clear `+boolType+` NOT NULL DEFAULT FALSE`,
					`ALTER TABLE `+tb+` ADD COLUMN precise `+boolType+` NOT NULL DEFAULT FALSE`)
			}
			for _, m := range ms {
				if strings.HasPrefix(m.Version, "0024_") { // where the extra columns' names go
					exec(m.SQL)
				}
			}
			exec(`CREATE UNIQUE INDEX lent_m ON monthly_aggregates (dataset_id, country, admin1, year, month, violence_type, clear, precise)`,
				`CREATE UNIQUE INDEX lent_a ON actor_monthly_aggregates (dataset_id, actor_id, country_iso3, admin1, year, month, violence_type, clear, precise)`)
			for _, f := range []string{feb, syria, caf} {
				importFile(t, db, aftermath.DatasetUCDP, f, importer.Options{})
			}
			const sums = `sum(events) AS n, sum(deaths_best) AS best, sum(deaths_low) AS low, sum(deaths_high) AS high, sum(deaths_civilians) AS civ`
			exec(`CREATE TABLE old_m AS SELECT dataset_id, country, max(country_iso3) AS iso3, admin1, year, month, violence_type, `+sums+`
					FROM monthly_aggregates GROUP BY dataset_id, country, admin1, year, month, violence_type`,
				`CREATE TABLE old_a AS SELECT dataset_id, actor_id, country_iso3, admin1, year, month, violence_type, `+sums+`
					FROM actor_monthly_aggregates GROUP BY dataset_id, actor_id, country_iso3, admin1, year, month, violence_type`,
				`DROP TABLE monthly_aggregates`, `DROP TABLE actor_monthly_aggregates`,
				`ALTER TABLE monthly_aggregates_0009 RENAME TO monthly_aggregates`,
				`ALTER TABLE actor_monthly_aggregates_0009 RENAME TO actor_monthly_aggregates`)
			for _, c := range []string{"covers_from", "covers_to", "countries", "basis"} {
				exec(`ALTER TABLE dataset_versions DROP COLUMN ` + c)
			}
			// A 0009 import wrote the extra columns as objects; this test reads none of them.
			exec(`UPDATE events SET extra = '{}'`, `DROP TABLE event_extra_columns`, `DROP TABLE event_extra_layouts`)
			exec(`INSERT INTO monthly_aggregates SELECT * FROM old_m`, `INSERT INTO actor_monthly_aggregates SELECT * FROM old_a`,
				`DROP TABLE old_m`, `DROP TABLE old_a`)
			var n int
			if err := raw.QueryRowContext(ctx, `SELECT count(*) FROM monthly_aggregates`).Scan(&n); err != nil || n == 0 {
				t.Fatalf("0009 aggregates: %d %v", n, err)
			}

			applied, err := db.Migrate(ctx)
			if err != nil || len(applied) == 0 || applied[0] != "0010_coverage" {
				t.Fatalf("migrate: %v %v", applied, err)
			}
			if msg, err := db.IntegrityCheck(ctx); err != nil || msg != "ok" {
				t.Errorf("integrity after 0010: %s %v", msg, err)
			}
			by := []string{"country", "year", "violence_type"}
			files := [][]map[string]string{rawRows(t, feb), rawRows(t, syria), rawRows(t, caf)}
			// 23.1 supersedes the candidate's CAR events, so sum each
			// event once, from the newest file that has it.
			latest := map[string]map[string]string{}
			for _, rows := range files {
				for _, r := range rows {
					latest[r["id"]] = r
				}
			}
			var events []map[string]string
			for _, r := range latest {
				events = append(events, r)
			}
			for name, keep := range map[string]func(map[string]string) bool{"clear": gedClear, "precise": gedPrecise} {
				f := aftermath.StatsFilter{Dataset: aftermath.DatasetUCDP, By: by, ClearOnly: name == "clear", PreciseOnly: name == "precise"}
				sameSums(t, name+" after 0010", statsFiltered(t, db, f), rawGEDSums(t, events, keep))
			}
			want := aftermath.CoverageSet{
				{Version: "19.1", From: "2016-01", To: "2019-12", Countries: []string{"SYR"}, Basis: aftermath.CoverageDates},
				{Version: "22.0.2", From: "2022-02", To: "2022-02", Basis: aftermath.CoverageFileName},
				{Version: "23.1", From: "1991-01", To: "2022-12", Countries: []string{"CAF"}, Basis: aftermath.CoverageDates},
			}
			if got := coverage(t, db, aftermath.DatasetUCDP); !reflect.DeepEqual(got, want) {
				t.Errorf("backfilled coverage %+v, want %+v", got, want)
			}
			// The source count can now be empty.
			importFile(t, db, aftermath.DatasetUCDP, fixture("GEDEvent_v23_1_full.csv"), importer.Options{})
			if got := sourceCounts(t, db); got["9002"] != "" || got["9001"] != "-1" {
				t.Errorf("source counts after 0010: 9001 %q, 9002 %q", got["9001"], got["9002"])
			}
			if msg, err := db.IntegrityCheck(ctx); err != nil || msg != "ok" {
				t.Errorf("integrity after an import: %s %v", msg, err)
			}
		})
	}
}

// rawDB opens a second connection to a test database, to shape its schema
// by hand.
func rawDB(t *testing.T, driver, dsn string) *sql.DB {
	t.Helper()
	name, src := "pgx", dsn
	if driver == sqldb.SQLite {
		name, src = "sqlite", "file:"+dsn+"?_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)"
	}
	raw, err := sql.Open(name, src)
	if err != nil {
		t.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	t.Cleanup(func() { raw.Close() })
	if err := raw.Ping(); err != nil {
		t.Fatal(fmt.Errorf("raw connection: %w", err))
	}
	return raw
}
