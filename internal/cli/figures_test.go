package cli_test

import (
	"encoding/csv"
	"strconv"
	"strings"
	"testing"

	"aftermath/internal/cli"
	"aftermath/internal/shareddata"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// TestSeriesAndHarmCommands runs `series` and `harm` on the seeded catalog
// and the 2021 and early-2022 candidates, on both databases.
func TestSeriesAndHarmCommands(t *testing.T) {
	f21 := sqldbtest.SharedData(t, "ucdp/GEDEvent_v21_01_21_12.csv.zip")
	f22 := sqldbtest.SharedData(t, "ucdp/GEDEvent_v22_0_2.csv.zip")
	// Independently: battles with "Government of Afghanistan" on either side,
	// up to and after 15 August 2021, when the name stops meaning the
	// republic's forces.
	var upTo, after int
	for _, r := range shareddata.Rows(t, f21) {
		if r["type_of_violence"] == "1" && (r["side_a"] == "Government of Afghanistan" || r["side_b"] == "Government of Afghanistan") {
			if r["date_start"][:10] <= "2021-08-15" {
				upTo++
			} else {
				after++
			}
		}
	}
	if upTo == 0 || after == 0 {
		t.Fatalf("expected Afghan government battles before and after 15 August 2021: %d, %d", upTo, after)
	}
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			db := sqldbtest.DSN(t, driver)
			for _, args := range [][]string{{"import", "ucdp", "--db", db, f21}, {"import", "ucdp", "--db", db, f22}, {"seed", "--db", db}} {
				if _, _, err := run(t, args...); err != nil {
					t.Fatal(args, err)
				}
			}
			out, _, err := run(t, "series", "--db", db, "--intervention", "minusma", "--format", "csv")
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if lines[0] != "period,covered,events,deaths_low,deaths_best,deaths_high,deaths_civilians" || len(lines) != 15 {
				t.Fatalf("series:\n%s", out)
			}
			if lines[13] != "2022-01,no,,,,," || !strings.HasPrefix(lines[14], "2022-02,yes,") {
				t.Errorf("January 2022 is not an uncovered gap:\n%s", out)
			}
			out, _, err = run(t, "series", "--db", db, "--country", "mli", "--by", "year", "--format", "csv")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, "\n2021,yes,") || !strings.Contains(out, "\n2022,partial,") {
				t.Errorf("yearly series:\n%s", out)
			}
			out, _, err = run(t, "harm", "resolute-support", "--db", db, "--format", "csv")
			if err != nil {
				t.Fatal(err)
			}
			rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if strings.Join(rows[0], ",") != "partner,measure,period,covered,from,to,events,deaths_low,deaths_best,deaths_high,deaths_civilians,deaths_partner_side" {
				t.Fatalf("harm header %v", rows[0])
			}
			got := map[string][]string{}
			for _, r := range rows[1:] {
				got[r[1]+" "+r[2]] = r
			}
			if r := got["battles during"]; r == nil || r[3] != "partial" || r[6] != strconv.Itoa(upTo) || r[5] != "2021-08-15" {
				t.Errorf("battles during support: %v, want partial with %d events to 2021-08-15", r, upTo)
			}
			// After 15 August the dataset name is the Taliban's: none of the
			// republic's forces' battles, whatever UCDP's name says.
			if r := got["battles after"]; r == nil || r[3] != "partial" || r[6] != "0" || r[4] != "2021-08-16" {
				t.Errorf("battles after support: %v, want 0 of the %d battles under the same name", r, after)
			}
			if r := got["battles before"]; r == nil || r[3] != "no" || r[6] != "" {
				t.Errorf("battles before 2015 are not covered by 2021 data: %v", r)
			}
			if r := got["one-sided during"]; r == nil || r[11] != "" {
				t.Errorf("one-sided rows carry no partner-side deaths: %v", r)
			}
			for _, bad := range [][]string{
				{"series", "--db", db, "--format", "csv"},
				{"series", "--db", db, "--country", "MLI", "--format", "table"},
				{"series", "--db", db, "--country", "MLI", "--from", "2021-13", "--format", "csv"},
				{"harm", "--db", db, "--format", "csv"},
			} {
				if _, _, err := run(t, bad...); err == nil || cli.ExitCode(err) != 2 {
					t.Errorf("%v: %v, want exit 2", bad, err)
				}
			}
		})
	}
}
