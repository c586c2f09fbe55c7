package cli_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"aftermath"
	"aftermath/internal/cli"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// TestMain lets a test start the real command in a child process (to kill
// it): with AFTERMATH_CLI_CHILD set, the test binary runs cli.Run instead.
func TestMain(m *testing.M) {
	if args := os.Getenv("AFTERMATH_CLI_CHILD"); args != "" {
		err := cli.Run(context.Background(), strings.Split(args, "\x1f"), os.Stdin, os.Stdout, os.Stderr, os.Getenv)
		if err != nil {
			os.Stderr.WriteString(err.Error() + "\n")
		}
		os.Exit(cli.ExitCode(err))
	}
	os.Exit(m.Run())
}

func run(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := cli.Run(context.Background(), args, strings.NewReader(""), &out, &errb, func(string) string { return "" })
	return out.String(), errb.String(), err
}

const fixture = "../importer/testdata/GEDEvent_v23_1.csv"

func TestStatsCSV(t *testing.T) {
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			dsn := sqldbtest.DSN(t, driver)
			if _, _, err := run(t, "import", "ucdp", "--db", dsn, fixture); err != nil {
				t.Fatal(err)
			}
			out, _, err := run(t, "stats", "--db", dsn, "--by", "country,year,violence_type", "--format", "csv")
			if err != nil {
				t.Fatal(err)
			}
			want := `country,year,violence_type,events,deaths_best,deaths_low,deaths_high,deaths_civilians
Mali,2023,non-state,1,10,8,14,0
Mali,2023,one-sided,1,12,10,15,12
Mali,2023,state-based,1,7,7,9,0
Somalia,2023,one-sided,1,22,20,30,20
Somalia,2023,state-based,1,5,5,5,1
`
			if out != want {
				t.Errorf("stats csv:\n%s\nwant:\n%s", out, want)
			}
			// Keys in the order given, rows sorted by them.
			out, _, err = run(t, "stats", "--db", dsn, "--dataset", "ucdp", "--by", "violence_type,month", "--format", "csv")
			if err != nil {
				t.Fatal(err)
			}
			want = `violence_type,month,events,deaths_best,deaths_low,deaths_high,deaths_civilians
non-state,2023-02,1,10,8,14,0
one-sided,2023-01,1,12,10,15,12
one-sided,2023-03,1,22,20,30,20
state-based,2023-01,1,7,7,9,0
state-based,2023-02,1,5,5,5,1
`
			if out != want {
				t.Errorf("stats csv:\n%s\nwant:\n%s", out, want)
			}
			out, _, err = run(t, "stats", "--db", dsn, "--by", "dataset,year", "--format", "json")
			if err != nil {
				t.Fatal(err)
			}
			var rows []map[string]any
			if err := json.Unmarshal([]byte(out), &rows); err != nil {
				t.Fatalf("json: %v\n%s", err, out)
			}
			if len(rows) != 1 || rows[0]["dataset"] != "ucdp" || rows[0]["year"] != float64(2023) || rows[0]["events"] != float64(5) || rows[0]["deaths_best"] != float64(56) {
				t.Errorf("json rows = %v", rows)
			}
			out, _, err = run(t, "stats", "--db", dsn)
			if err != nil || !strings.Contains(out, "events") || !strings.Contains(out, "56") {
				t.Errorf("table = %q, %v", out, err)
			}
		})
	}
}

func TestUsageErrors(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"stats", "--db", db, "--by", "country,planet"}, `unknown key "planet"`},
		{[]string{"stats", "--db", db, "--format", "xml"}, `unknown format "xml"`},
		{[]string{"stats", "--db", db, "--dataset", "gtd"}, `unknown dataset "gtd"`},
		{[]string{"import", "gtd", "--db", db, "x.csv"}, `unknown dataset "gtd"`},
		{[]string{"import", "sipri", "--db", db}, "no file given"},
		{[]string{"flows", "--db", db, "--kind", "loans", "--format", "csv"}, `--kind "loans"`},
		{[]string{"flows", "--db", db, "--kind", "aid", "--by", "supplier", "--format", "csv"}, `unknown key "supplier"`},
		{[]string{"funding", "--db", db}, "--recipient ISO3 is required"},
		{[]string{"import", "ucdp", "--db", db}, "no file given"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
	} {
		_, _, err := run(t, tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.msg) || cli.ExitCode(err) != 2 {
			t.Errorf("%v: error %v (exit %d), want %q and exit 2", tc.args, err, cli.ExitCode(err), tc.msg)
		}
	}
}

func TestHelpExplainsEveryFlag(t *testing.T) {
	flags := map[string][]string{
		"serve":   {"-db", "-addr", "-tls-cert", "-tls-key", "-secure-cookies"},
		"migrate": {"-db", "-status"},
		"import":  {"-db", "-version", "-skip-bad-rows", "-rejects", "-quiet"},
		"stats":   {"-db", "-dataset", "-by", "-format"},
		"version": {},
	}
	for cmd, fl := range flags {
		args := []string{cmd, "--help"}
		if cmd == "import" {
			args = []string{cmd, "ucdp", "--help"}
		}
		out, _, err := run(t, args...)
		if err != nil {
			t.Errorf("%s --help: %v", cmd, err)
		}
		if !strings.Contains(out, "Usage: aftermath "+cmd) {
			t.Errorf("%s --help lacks its synopsis:\n%s", cmd, out)
		}
		for _, f := range fl {
			if !strings.Contains(out, "  "+f+" ") && !strings.Contains(out, "  "+f+"\n") {
				t.Errorf("%s --help does not explain %s:\n%s", cmd, f, out)
			}
		}
	}
	out, _, err := run(t, "--help")
	if err != nil {
		t.Fatal(err)
	}
	for cmd := range flags {
		if !strings.Contains(out, "  "+cmd+" ") {
			t.Errorf("aftermath --help does not list %s", cmd)
		}
	}
}

func TestImportSummaryAndBadRow(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	out, _, err := run(t, "import", "ucdp", "--db", db, fixture)
	if err != nil {
		t.Fatal(err)
	}
	if want := fixture + ": ucdp 23.1: read 5, inserted 5, updated 0, unchanged 0, rejected 0\n"; out != want {
		t.Errorf("summary = %q, want %q", out, want)
	}
	bad := "../importer/testdata/GEDEvent_v23_1_bad.csv"
	_, _, err = run(t, "import", "ucdp", "--db", db, bad)
	if err == nil || !strings.HasPrefix(err.Error(), bad+`:3: column "best": "abc" is not a number`) || cli.ExitCode(err) != 1 {
		t.Errorf("bad row: %v", err)
	}
}

// TestKillAndRerun kills an import part way and checks that the database is
// consistent and that running the import again gives exact totals.
func TestKillAndRerun(t *testing.T) {
	ged := sqldbtest.SharedData(t, "ucdp/GEDEvent_v21_01_21_12.csv.zip")
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			// A reference import tells how long a whole run takes here.
			ref := sqldbtest.DSN(t, driver)
			start := time.Now()
			if _, _, err := run(t, "import", "ucdp", "--db", ref, ged); err != nil {
				t.Fatal(err)
			}
			full := time.Since(start)
			want, _, err := run(t, "stats", "--db", ref, "--by", "country,admin1,month,violence_type", "--format", "csv")
			if err != nil {
				t.Fatal(err)
			}

			dsn := sqldbtest.DSN(t, driver)
			killed := false
			for _, frac := range []float64{0.5, 0.3, 0.15} {
				cmd := exec.Command(os.Args[0], "-test.run=^$")
				cmd.Env = append(os.Environ(), "AFTERMATH_CLI_CHILD="+strings.Join([]string{"import", "ucdp", "--db", dsn, ged}, "\x1f"))
				var out bytes.Buffer
				cmd.Stdout = &out
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				time.Sleep(time.Duration(frac * float64(full)))
				cmd.Process.Signal(syscall.SIGKILL)
				cmd.Wait()
				if out.Len() > 0 {
					t.Logf("import finished within %.0f%% of a full run; trying earlier", frac*100)
					dsn = sqldbtest.DSN(t, driver)
					continue
				}
				// No summary printed: killed mid-import, or between the
				// commit and the summary. Either nothing or all of it is
				// stored, never a part.
				db, err := sqldb.Open(context.Background(), dsn)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.Migrate(context.Background()); err != nil {
					t.Fatal(err)
				}
				if msg := integrity(t, db); msg != "ok" {
					t.Fatalf("integrity check after kill: %s", msg)
				}
				counts, err := db.Counts(context.Background())
				db.Close()
				if err != nil {
					t.Fatal(err)
				}
				if counts["events"] == 17407 && counts["imports"] == 1 {
					t.Logf("killed after the commit, before the summary (within %.0f%% of a full run); trying earlier", frac*100)
					dsn = sqldbtest.DSN(t, driver)
					continue
				}
				if counts["events"] != 0 || counts["monthly_aggregates"] != 0 || counts["imports"] != 0 {
					t.Fatalf("after the kill the database holds part of the import: %v", counts)
				}
				killed = true
				break
			}
			if !killed {
				t.Fatal("could not kill the import before it finished")
			}
			db, err := sqldb.Open(context.Background(), dsn)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			out, _, err := run(t, "import", "ucdp", "--db", dsn, ged)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasSuffix(out, "read 17407, inserted 17407, updated 0, unchanged 0, rejected 0\n") {
				t.Errorf("rerun summary: %s", out)
			}
			if msg := integrity(t, db); msg != "ok" {
				t.Errorf("integrity check after rerun: %s", msg)
			}
			got, _, err := run(t, "stats", "--db", dsn, "--by", "country,admin1,month,violence_type", "--format", "csv")
			if err != nil {
				t.Fatal(err)
			}
			if got != want {
				t.Errorf("stats after kill and rerun differ from a clean import")
			}
		})
	}
}

func integrity(t *testing.T, db *sqldb.DB) string {
	t.Helper()
	msg, err := db.IntegrityCheck(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return msg
}

func TestInterventionCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	out, _, err := run(t, "intervention", "add", "--db", db, "--slug", "operation-serval", "--name", "Operation Serval",
		"--start", "2013-01-11", "--end", "2014-07-31", "--backer", "France", "--partner", "Malian armed forces",
		"--instrument", "troops", "--instrument", "air-drone-strikes", "--country", "mli")
	if err != nil || out != "intervention 1 operation-serval added\n" {
		t.Fatalf("add: %q %v", out, err)
	}
	_, _, err = run(t, "intervention", "add", "--db", db, "--slug", "bad", "--name", "Bad", "--start", "2013-01-11", "--instrument", "diplomacy")
	if err == nil || !strings.Contains(err.Error(), `instrument "diplomacy"`) || cli.ExitCode(err) != 2 {
		t.Errorf("bad instrument: %v", err)
	}
	if out, _, err = run(t, "intervention", "edit", "operation-serval", "--db", db, "--end", "2014-07-15"); err != nil {
		t.Fatalf("edit: %v", err)
	}
	out, _, err = run(t, "intervention", "list", "--db", db)
	if err != nil || !strings.Contains(out, "operation-serval  2013-01-11  2014-07-15  MLI   Operation Serval") {
		t.Errorf("list: %q %v", out, err)
	}
	out, _, err = run(t, "intervention", "show", "1", "--db", db, "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var iv struct {
		Slug        string
		Instruments []string
		Backers     []struct{ Name string }
	}
	if err := json.Unmarshal([]byte(out), &iv); err != nil || iv.Slug != "operation-serval" || len(iv.Instruments) != 2 || iv.Backers[0].Name != "France" {
		t.Errorf("show json: %v %s", err, out)
	}
	out, _, err = run(t, "intervention", "show", "operation-serval", "--db", db)
	if err != nil || !strings.Contains(out, "backer: France") || !strings.Contains(out, "phase: 2013-01-11 – 2014-07-15") {
		t.Errorf("show text: %q %v", out, err)
	}
	if _, _, err := run(t, "intervention", "show", "nothing", "--db", db); err == nil || !strings.Contains(err.Error(), `no intervention "nothing"`) {
		t.Errorf("show missing: %v", err)
	}
}

func TestInterventionSuggestLinksActors(t *testing.T) {
	ged := sqldbtest.SharedData(t, "ucdp/GEDEvent_v21_01_21_12.csv.zip")
	conflicts := sqldbtest.SharedData(t, "ucdp/UcdpPrioConflict_v24_1.csv")
	db := filepath.Join(t.TempDir(), "a.db")
	if _, _, err := run(t, "import", "ucdp", "--db", db, ged); err != nil {
		t.Fatal(err)
	}
	// The old JSON form (partner window as "start"/"end", aliases as a
	// list) still loads. The partner's own UCDP name is what a backer's
	// side is found by: suggest proposes nothing for partners.
	js := filepath.Join(t.TempDir(), "barkhane.json")
	if err := os.WriteFile(js, []byte(`{"slug": "barkhane", "name": "Operation Barkhane",
		"backers": [{"name": "France"}, {"name": "Saudi Arabia"}],
		"partner_forces": [{"name": "Malian armed forces", "start": "2014-08-01", "end": "2022-08-15",
			"aliases": [{"dataset": "ucdp", "name": "Government of Mali"}]}],
		"area": [{"country": "MLI"}], "phases": [{"start": "2014-08-01", "end": "2022-11-09"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := run(t, "intervention", "add", "--db", db, "--json", js); err != nil {
		t.Fatal(err)
	}
	out, _, err := run(t, "intervention", "suggest", "barkhane", "--db", db, "--conflicts", conflicts, "--apply")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"backer  France", "Government of France", "2014,2015,2016,2017,2018,2019,2020,2021,2022 ",
		"conflict 11347 (Mali), 2014–2022: in side_a_2nd, the side of Government of Mali", "added 1 names"} {
		if !strings.Contains(out, want) {
			t.Errorf("suggest output lacks %q:\n%s", want, out)
		}
	}
	for _, never := range []string{"Saudi Arabia", "partner  "} {
		if strings.Contains(out, never) {
			t.Errorf("suggest output has %q:\n%s", never, out)
		}
	}
	out, _, err = run(t, "intervention", "show", "barkhane", "--db", db)
	if err != nil || !strings.Contains(out, `partner force: Malian armed forces (2014-08-01 – 2022-08-15); ucdp: "Government of Mali" [1 linked dataset actors]`) ||
		!strings.Contains(out, `backer: France; ucdp: "Government of France"`) {
		t.Errorf("after --apply: %v\n%s", err, out)
	}
	out, _, err = run(t, "intervention", "show", "barkhane", "--db", db, "--format", "json")
	if err != nil || !strings.Contains(out, `"to": "2022-08-15"`) || strings.Contains(out, `"end": "2022-08-15"`) {
		t.Errorf("show --format json writes the window as from/to: %v\n%s", err, out)
	}
}

func TestSeedLoadsTheCatalogOnce(t *testing.T) {
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			dsn := sqldbtest.DSN(t, driver)
			out, _, err := run(t, "seed", "--db", dsn)
			if err != nil || !strings.HasPrefix(out, "catalog: 12 interventions added, 0 already present") {
				t.Fatalf("seed: %q %v", out, err)
			}
			out, _, err = run(t, "seed", "--db", dsn)
			if err != nil || !strings.HasPrefix(out, "catalog: 0 interventions added, 12 already present") {
				t.Fatalf("second seed: %q %v", out, err)
			}
			// A database seeded before the catalog had translations gets
			// them on the next seed.
			untranslated := func() {
				db, err := sqldb.Open(context.Background(), dsn)
				if err != nil {
					t.Fatal(err)
				}
				defer db.Close()
				iv, err := db.FindIntervention(context.Background(), aftermath.System, "minusma")
				if err != nil {
					t.Fatal(err)
				}
				iv.Translations = nil
				if err := db.UpdateIntervention(context.Background(), aftermath.System, iv); err != nil {
					t.Fatal(err)
				}
			}
			untranslated()
			if _, _, err := run(t, "seed", "--db", dsn); err != nil {
				t.Fatal(err)
			}
			out, _, err = run(t, "intervention", "show", "minusma", "--db", dsn, "--format", "json")
			if err != nil {
				t.Fatal(err)
			}
			var iv aftermath.Intervention
			if err := json.Unmarshal([]byte(out), &iv); err != nil {
				t.Fatal(err)
			}
			if name, ok := iv.Translations.Text("fr", "name", ""); !ok || !strings.HasPrefix(name, "Mission multidimensionnelle") {
				t.Errorf("minusma after a re-seed: French name %q", name)
			}
			// Every field that has a value is cited.
			cited := map[string]bool{}
			for _, c := range iv.Citations {
				cited[c.Field] = true
			}
			for _, f := range []string{"name", "backers", "partner_forces", "instruments", "area", "phases", "objectives"} {
				if !cited[f] {
					t.Errorf("minusma: field %s is not cited", f)
				}
			}
		})
	}
}

func TestAnalyzeITSFile(t *testing.T) {
	// y = 3 + 0.5t + 4·D + 1.5·D·(t − 12), semicolon-separated, rows out
	// of order and one with an empty outcome.
	var b strings.Builder
	b.WriteString("month;killed\n")
	for tt := 23; tt >= 0; tt-- {
		y := 3 + 0.5*float64(tt)
		if tt >= 12 {
			y += 4 + 1.5*float64(tt-12)
		}
		fmt.Fprintf(&b, "%d;%g\n", tt, y)
	}
	b.WriteString("24;\n")
	path := filepath.Join(t.TempDir(), "series.csv")
	os.WriteFile(path, []byte(b.String()), 0o644)
	out, _, err := run(t, "analyze", "its", "--series", path, "--time", "month", "--outcome", "killed", "--break", "12", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Coefficients map[string]float64 `json:"coefficients"`
		StdErrors    map[string]float64 `json:"std_errors"`
		N            int                `json:"n"`
		HACLags      int                `json:"hac_lags"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := map[string]float64{"intercept": 3, "trend": 0.5, "level_change": 4, "slope_change": 1.5}
	for k, v := range want {
		if math.Abs(res.Coefficients[k]-v) > 1e-9 {
			t.Errorf("%s = %v, want %v", k, res.Coefficients[k], v)
		}
		if _, ok := res.StdErrors[k]; !ok {
			t.Errorf("no standard error for %s", k)
		}
	}
	if res.N != 24 || res.HACLags != 2 { // floor(4·(24/100)^(2/9)) = 2
		t.Errorf("n = %d, hac_lags = %d", res.N, res.HACLags)
	}
	out, _, err = run(t, "analyze", "its", "--series", path, "--time", "month", "--outcome", "killed", "--break", "12", "--break", "18", "--hac-lags", "0")
	if err != nil || !strings.Contains(out, `"level_change_2"`) || !strings.Contains(out, `"hac_lags": 0`) {
		t.Errorf("two breaks, no lags: %v\n%s", err, out)
	}
	_, _, err = run(t, "analyze", "its", "--series", path, "--time", "month", "--outcome", "nothing", "--break", "12")
	if err == nil || !strings.Contains(err.Error(), "nothing") {
		t.Errorf("unknown column: %v", err)
	}
}

func TestAnalyzeSynthFile(t *testing.T) {
	// The treated unit is exactly 0.3·A + 0.7·B; C and D are decoys.
	var b strings.Builder
	b.WriteString("unit,year,rate\n")
	for y := 1; y <= 20; y++ {
		a, bb := 10+math.Sin(float64(y)), 20+0.5*float64(y)
		c, d := 5+0.1*float64(y*y%7), 40-float64(y)
		tr := 0.3*a + 0.7*bb
		if y > 14 {
			tr += 3 // the effect
		}
		for _, u := range []struct {
			n string
			v float64
		}{{"T", tr}, {"A", a}, {"B", bb}, {"C", c}, {"D", d}} {
			fmt.Fprintf(&b, "%s,%d,%.12g\n", u.n, y, u.v)
		}
	}
	path := filepath.Join(t.TempDir(), "panel.csv")
	os.WriteFile(path, []byte(b.String()), 0o644)
	out, _, err := run(t, "analyze", "synth", "--panel", path, "--unit", "unit", "--time", "year", "--outcome", "rate",
		"--treated", "T", "--treatment-time", "15", "--predictor", "rate:1-14", "--predictor", "rate:7", "--placebos", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Weights  map[string]float64 `json:"weights"`
		RMSPEPre float64            `json:"rmspe_pre"`
		Gaps     map[string]float64 `json:"gaps"`
		PlaceboP *float64           `json:"placebo_p"`
		Withheld string             `json:"p_value_withheld"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if math.Abs(res.Weights["A"]-0.3) > 1e-4 || math.Abs(res.Weights["B"]-0.7) > 1e-4 || res.RMSPEPre > 1e-3 {
		t.Errorf("weights %v, pre RMSPE %v", res.Weights, res.RMSPEPre)
	}
	if g := res.Gaps["16"]; math.Abs(g-3) > 1e-2 {
		t.Errorf("gap at 16 = %v, want 3", g)
	}
	// T is an exact mix, so its pre-period fit is exact to rounding and the
	// placebo rank would be noise: no p-value, and the reason.
	if res.PlaceboP != nil || !strings.Contains(res.Withheld, "exact to rounding") {
		t.Errorf("placebo p = %v, withheld %q", res.PlaceboP, res.Withheld)
	}
	if _, _, err := run(t, "analyze", "synth", "--panel", path, "--unit", "unit", "--time", "year", "--outcome", "rate",
		"--treated", "T", "--treatment-time", "15", "--predictor", "rate:x"); err == nil || cli.ExitCode(err) != 2 {
		t.Errorf("bad predictor: %v", err)
	}
}

func TestAnalyzeSeededIntervention(t *testing.T) {
	ged := sqldbtest.SharedData(t, "ucdp/GEDEvent_v21_01_21_12.csv.zip")
	db := filepath.Join(t.TempDir(), "a.db")
	for _, args := range [][]string{{"import", "ucdp", "--db", db, ged}, {"seed", "--db", db}} {
		if _, _, err := run(t, args...); err != nil {
			t.Fatal(err)
		}
	}
	out, _, err := run(t, "analyze", "intervention", "minusma", "--db", db, "--outcome", "deaths_best")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"minusma: ucdp deaths_best, window 2021-01 to 2021-12", "Harm by partner forces", "Method:", "Caveat:"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	// The catalog's partner forces link to the imported dataset actors.
	out, _, err = run(t, "intervention", "show", "minusma", "--db", db)
	if err != nil || !strings.Contains(out, `ucdp: "Government of Mali" [1 linked dataset actors]`) {
		t.Errorf("minusma partner forces are not linked: %v\n%s", err, out)
	}
	// The seeded MINUSMA's series equal what stats says of Mali, month by month.
	out, _, err = run(t, "analyze", "intervention", "minusma", "--db", db, "--outcome", "deaths_civilians", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Series []struct {
			Month string
			Total int64
		}
	}
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	stats, _, err := run(t, "stats", "--db", db, "--by", "country,month", "--format", "csv")
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{}
	for _, line := range strings.Split(stats, "\n") {
		if f := strings.Split(line, ","); len(f) == 7 && f[0] == "Mali" {
			want[f[1]] = f[6]
		}
	}
	if len(rep.Series) != 12 || len(want) != 12 {
		t.Fatalf("series of %d months, stats of %d", len(rep.Series), len(want))
	}
	for _, m := range rep.Series {
		if fmt.Sprint(m.Total) != want[m.Month] {
			t.Errorf("%s: analysed %d civilian deaths, stats %s", m.Month, m.Total, want[m.Month])
		}
	}
	// By name too, as JSON.
	out, _, err = run(t, "analyze", "intervention", "Operation Serval (Opération Serval)", "--db", db, "--format", "json")
	if err == nil || !strings.Contains(err.Error(), "does not cover") {
		t.Errorf("Serval (2013–2014) against 2021 data: %v %s", err, out)
	}
}

func TestUserAndTokenCommands(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	runIn := func(stdin string, args ...string) (string, error) {
		var out, errb bytes.Buffer
		err := cli.Run(context.Background(), args, strings.NewReader(stdin), &out, &errb, func(string) string { return "" })
		return out.String(), err
	}
	out, err := runIn("a long enough password\n", "user", "add", "--db", db, "--email", "Sara@Example.org", "--name", "Sara", "--org", "sahel-watch", "--role", "editor", "--password-stdin")
	if err != nil || out != "user 1 sara@example.org added (editor in sahel-watch)\n" {
		t.Fatalf("user add: %q %v", out, err)
	}
	if _, err := runIn("short\n", "user", "add", "--db", db, "--email", "x@example.org", "--name", "X", "--org", "o", "--role", "viewer", "--password-stdin"); err == nil || cli.ExitCode(err) != 2 {
		t.Errorf("short password: %v", err)
	}
	if _, err := runIn("a long enough password\n", "user", "add", "--db", db, "--email", "x@example.org", "--name", "X", "--org", "o", "--role", "viewer"); err == nil || !strings.Contains(err.Error(), "--password-stdin") {
		t.Errorf("password not from stdin: %v", err)
	}
	tok, err := runIn("", "token", "create", "--db", db, "--email", "sara@example.org", "--name", "scripts")
	if err != nil || !strings.HasPrefix(tok, "aft_") {
		t.Fatalf("token create: %q %v", tok, err)
	}
	out, err = runIn("", "user", "list", "--db", db)
	if err != nil || !strings.Contains(out, "sara@example.org  Sara  editor@sahel-watch  no             active") {
		t.Errorf("user list: %q %v", out, err)
	}
	if out, err = runIn("", "user", "disable", "sara@example.org", "--db", db); err != nil || !strings.Contains(out, "disabled") {
		t.Errorf("user disable: %q %v", out, err)
	}
	out, _ = runIn("", "user", "list", "--db", db)
	if !strings.Contains(out, "disabled") {
		t.Errorf("after disable: %q", out)
	}
	if _, err := runIn("", "token", "create", "--db", db, "--email", "sara@example.org", "--name", "more"); err == nil {
		t.Error("a disabled user got a token")
	}
}

// syncBuffer is a bytes.Buffer safe to read while a command writes to it.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// TestServeTLS runs the real serve command over TLS on 127.0.0.1 and stops
// it by cancelling its context, as a signal would.
func TestServeTLS(t *testing.T) {
	dir := t.TempDir()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, _ := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	kb, _ := x509.MarshalECPrivateKey(key)
	os.WriteFile(filepath.Join(dir, "cert.pem"), pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(filepath.Join(dir, "key.pem"), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	ctx, cancel := context.WithCancel(context.Background())
	out := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- cli.Run(ctx, []string{"serve", "--db", filepath.Join(dir, "a.db"), "--addr", "127.0.0.1:0",
			"--tls-cert", filepath.Join(dir, "cert.pem"), "--tls-key", filepath.Join(dir, "key.pem")}, strings.NewReader(""), out, io.Discard, func(string) string { return "" })
	}()
	// serve migrates and seeds a new database before it listens, which
	// under the race detector on a busy machine takes seconds: wait for
	// its address (or its end) rather than for a fixed time.
	var addr string
	for deadline := time.Now().Add(2 * time.Minute); addr == "" && time.Now().Before(deadline); {
		if m := regexp.MustCompile(`https://(127\.0\.0\.1:\d+)`).FindStringSubmatch(out.String()); m != nil {
			addr = m[1]
			break
		}
		select {
		case err := <-done:
			t.Fatalf("serve ended before it listened: %v %q", err, out.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	if addr == "" {
		cancel()
		t.Fatalf("serve did not start: %q", out.String())
	}
	pool := x509.NewCertPool()
	pool.AddCert(must(x509.ParseCertificate(der)))
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	res, err := c.Get("https://" + addr + "/login")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Errorf("login over TLS: %d, HSTS %q", res.StatusCode, res.Header.Get("Strict-Transport-Security"))
	}
	for _, ck := range res.Cookies() {
		if !ck.Secure || !ck.HttpOnly {
			t.Errorf("cookie %s over TLS: Secure %v HttpOnly %v", ck.Name, ck.Secure, ck.HttpOnly)
		}
	}
	// A new database was seeded with the catalog on start.
	res, err = c.Get("https://" + addr + "/api/v1/interventions")
	if err == nil {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if !strings.Contains(string(b), `"slug": "minusma"`) {
			t.Errorf("catalog not seeded on serve")
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("serve stopped with %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("serve did not stop")
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}
