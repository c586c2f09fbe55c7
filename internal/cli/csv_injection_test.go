package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// TestCSVOutputIsFormulaSafe: names and texts that begin with a formula
// come out of `stats`, `harm`, `series` and the ledger's `export` as text
// (a leading '), while numbers such as -1 stay as they are.
func TestCSVOutputIsFormulaSafe(t *testing.T) {
	dsn := sqldbtest.DSN(t, sqldb.SQLite)
	dir := t.TempDir()
	ged := filepath.Join(dir, "GEDEvent_v23_1.csv")
	if err := os.WriteFile(ged, []byte(`id,relid,year,active_year,code_status,type_of_violence,conflict_new_id,conflict_name,dyad_new_id,dyad_name,side_a_new_id,side_a,side_b_new_id,side_b,number_of_sources,source_article,where_prec,where_description,adm_1,adm_2,latitude,longitude,country,country_id,region,event_clarity,date_prec,date_start,date_end,deaths_a,deaths_b,deaths_civilians,deaths_unknown,best,high,low
2001,MLI-2023-3-1-9,2023,1,Clear,3,12000,JNIM - civilians,13000,JNIM - civilians,94,Government of Mali,1,Civilians,-1,"=HYPERLINK(""http://evil.example/"",""source"")",1,"@SUM(1+1)","=HYPERLINK(""http://evil.example/"",""adm1"")",+cmd,14.2,-3.5,Mali,432,Africa,1,1,2023-01-20,2023-01-20,0,0,12,0,12,15,10
`), 0o600); err != nil {
		t.Fatal(err)
	}
	iv := filepath.Join(dir, "iv.json")
	if err := os.WriteFile(iv, []byte(`{"slug":"formula","name":"=HYPERLINK(\"http://evil.example/\",\"mission\")","audience":"public",
		"area":[{"country":"MLI"}],"phases":[{"start":"2023-01-01","end":"2023-01-31"}],
		"partner_forces":[{"name":"-=HYPERLINK(\"http://evil.example/\",\"partner\")","aliases":{"ucdp":["Government of Mali"]}}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	dec := filepath.Join(dir, "decision.json")
	if err := os.WriteFile(dec, []byte(`{"maker":{"name":"@HYPERLINK maker"},"date":"2013","kind":"deployment",
		"summary":"=HYPERLINK(\"http://evil.example/\",\"decision\")","audience":"public"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{{"import", "ucdp", "--db", dsn, ged}, {"intervention", "add", "--db", dsn, "--json", iv}, {"decision", "add", dec, "--db", dsn}} {
		if _, stderr, err := run(t, args...); err != nil {
			t.Fatalf("%v: %v %s", args, err, stderr)
		}
	}
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"stats", "--db", dsn, "--by", "country,admin1", "--format", "csv"}, []string{`Mali,"'=HYPERLINK(""http://evil.example/"",""adm1"")",1,12,10,15,12`}},
		{[]string{"harm", "formula", "--db", dsn, "--format", "csv"}, []string{`"'-=HYPERLINK(""http://evil.example/"",""partner"")",one-sided,during,yes,2023-01-01,2023-01-31,1,10,12,15,12,`}},
		{[]string{"series", "--db", dsn, "--intervention", "formula", "--format", "csv"}, []string{"2023-01,yes,1,10,12,15,12"}},
		{[]string{"decision", "export", "--db", dsn}, []string{`"'=HYPERLINK(""http://evil.example/"",""decision"")"`, "'@HYPERLINK maker"}},
		{[]string{"dataset", "coverage", "--db", dsn, "--format", "csv"}, []string{"ucdp,23.1"}},
	} {
		out, stderr, err := run(t, c.args...)
		if err != nil {
			t.Errorf("%v: %v %s", c.args, err, stderr)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v lacks %q:\n%s", c.args, w, out)
			}
		}
		for _, bad := range []string{",=", ",+", ",@", "\n=", "\n+", "\n@", "\n-=", `,"=`, `,"-=`, `,"@`, `,"+`, "\n\"=", "\n\"-=", "\n\"@", "\n\"+"} {
			if strings.Contains(out, bad) {
				t.Errorf("%v writes a formula cell (%q):\n%s", c.args, bad, out)
			}
		}
	}
}
