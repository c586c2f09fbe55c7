package cli_test

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"

	"aftermath/internal/cli"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

const fullFixture = "../importer/testdata/GEDEvent_v23_1_full.csv"

// fixtureTotals sums the full-release fixture straight from its cells,
// keeping the rows keep selects: events,best,low,high,civilians.
func fixtureTotals(t *testing.T, keep func(map[string]string) bool) string {
	t.Helper()
	f, err := os.Open(fullFixture)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var sums [5]int64
	for _, rec := range recs[1:] {
		r := map[string]string{}
		for i, h := range recs[0] {
			r[h] = rec[i]
		}
		if !keep(r) {
			continue
		}
		sums[0]++
		for i, c := range []string{"best", "low", "high", "deaths_civilians"} {
			n, err := strconv.ParseInt(r[c], 10, 64)
			if err != nil {
				t.Fatal(err)
			}
			sums[i+1] += n
		}
	}
	if sums[0] == 0 {
		t.Fatal("no fixture row selected; the case would prove nothing")
	}
	return fmt.Sprintf("%d,%d,%d,%d,%d", sums[0], sums[1], sums[2], sums[3], sums[4])
}

func TestStatsQualityFlagsAndCoverage(t *testing.T) {
	clear := func(r map[string]string) bool { return r["code_status"] == "Clear" }
	precise := func(r map[string]string) bool {
		return (r["where_prec"] == "1" || r["where_prec"] == "2") && (r["date_prec"] == "1" || r["date_prec"] == "2")
	}
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			dsn := sqldbtest.DSN(t, driver)
			if _, _, err := run(t, "import", "ucdp", "--db", dsn, fullFixture); err != nil {
				t.Fatal(err)
			}
			for _, tc := range []struct {
				flags []string
				keep  func(map[string]string) bool
			}{
				{nil, func(map[string]string) bool { return true }},
				{[]string{"--clear-only"}, clear},
				{[]string{"--precise-only"}, precise},
				{[]string{"--clear-only", "--precise-only"}, func(r map[string]string) bool { return clear(r) && precise(r) }},
			} {
				out, _, err := run(t, append([]string{"stats", "--db", dsn, "--dataset", "ucdp", "--format", "csv"}, tc.flags...)...)
				want := "events,deaths_best,deaths_low,deaths_high,deaths_civilians\n" + fixtureTotals(t, tc.keep) + "\n"
				if err != nil || out != want {
					t.Errorf("stats %v: %v\n%s\nwant\n%s", tc.flags, err, out, want)
				}
			}

			out, _, err := run(t, "dataset", "coverage", "--db", dsn, "--format", "csv")
			if want := "dataset,version,from,to,countries,basis\nucdp,23.1,1998-01,2022-12,CAF,dates\n"; err != nil || out != want {
				t.Errorf("coverage: %v\n%s\nwant\n%s", err, out, want)
			}
			// Stated coverage replaces what was found, even for a file
			// imported before.
			if _, _, err := run(t, "import", "ucdp", "--db", dsn, "--covers", "1989-01:2023-06", "--countries", "caf,TCD", fullFixture); err != nil {
				t.Fatal(err)
			}
			out, _, err = run(t, "dataset", "coverage", "--db", dsn, "--dataset", "ucdp", "--format", "json")
			var rows []map[string]any
			if err != nil || json.Unmarshal([]byte(out), &rows) != nil || len(rows) != 1 {
				t.Fatalf("coverage json: %v\n%s", err, out)
			}
			if r := rows[0]; r["dataset"] != "ucdp" || r["version"] != "23.1" || r["from"] != "1989-01" || r["to"] != "2023-06" ||
				fmt.Sprint(r["countries"]) != "[CAF TCD]" || r["basis"] != "stated" {
				t.Errorf("stated coverage %v", r)
			}
			out, _, err = run(t, "dataset", "coverage", "--db", dsn)
			if err != nil || !strings.Contains(out, "1989-01") || !strings.Contains(out, "CAF,TCD") {
				t.Errorf("coverage table: %v\n%s", err, out)
			}
			for _, bad := range [][]string{
				{"import", "ucdp", "--db", dsn, "--covers", "2022-01", fullFixture},
				{"import", "ucdp", "--db", dsn, "--covers", "2022-01:2022-13", fullFixture},
				{"import", "ucdp", "--db", dsn, "--countries", "Mali", fullFixture},
				{"dataset", "coverage", "--db", dsn, "--format", "xml"},
			} {
				if _, _, err := run(t, bad...); err == nil {
					t.Errorf("%v: no error", bad)
				}
			}
			if _, _, err := run(t, "dataset", "coverage", "--db", dsn, "--dataset", "nope"); err == nil {
				t.Error("coverage of a missing dataset: no error")
			}
			var ee *cli.ExitError
			if _, _, err := run(t, "import", "ucdp", "--db", dsn, "--covers", "2022-01", fullFixture); !errors.As(err, &ee) {
				t.Errorf("--covers without a colon: %v, want a usage error", err)
			}
		})
	}
}
