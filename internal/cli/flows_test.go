package cli_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// The fixtures in testdata/flows are written by hand from SIPRI's export
// layout (Latin-1, CRLF, '?' flag columns, an empty deal) and the IATI
// 2.03 standard (transaction sectors and countries, activity percentages,
// two currencies); the expected figures are worked out by hand in the
// comments.
const (
	maliMarch     = "testdata/flows/mali-2025-03.csv"
	maliSeptember = "testdata/flows/mali-2025-09.csv"
	aidFixture    = "testdata/flows/aid.xml"
)

func TestFlowsArmsCSVAndNewerRegister(t *testing.T) {
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			dsn := sqldbtest.DSN(t, driver)
			out, _, err := run(t, "import", "sipri", "--db", dsn, maliMarch)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, "read 4 deals, inserted 4, updated 0, unchanged 0, removed 0") {
				t.Errorf("import: %s", out)
			}
			flows := func(args ...string) string {
				t.Helper()
				out, _, err := run(t, append([]string{"flows", "--db", dsn, "--kind", "arms"}, args...)...)
				if err != nil {
					t.Fatal(err)
				}
				return out
			}
			// The Akinci deal has every cell empty: it counts as a deal
			// with nothing delivered, not as zeros SIPRI published.
			want := "supplier,order_year,deals,number_delivered,tiv_order,tiv_delivered\n" +
				"Russia,2021,1,4,22,22\n" +
				"Russia,2022,1,2,2.5,2.5\n" +
				"Turkiye,2022,1,6,15,15\n" +
				"Turkiye,2023,1,0,0,0\n"
			if got := flows("--by", "supplier,order_year", "--format", "csv"); got != want {
				t.Errorf("arms by supplier,order_year:\n%s\nwant:\n%s", got, want)
			}
			// Keys in the order given; the order-year filter.
			want = "order_year,supplier,deals,number_delivered,tiv_order,tiv_delivered\n" +
				"2022,Russia,1,2,2.5,2.5\n" +
				"2022,Turkiye,1,6,15,15\n"
			if got := flows("--by", "order_year,supplier", "--from", "2022", "--to", "2022", "--recipient", "mli", "--format", "csv"); got != want {
				t.Errorf("arms by order_year,supplier 2022:\n%s\nwant:\n%s", got, want)
			}
			// JSON keeps SIPRI's '?' flags beside the values.
			var rows []map[string]any
			if err := json.Unmarshal([]byte(flows("--supplier", "russia", "--by", "weapon_description", "--format", "json")), &rows); err != nil {
				t.Fatal(err)
			}
			if len(rows) != 2 || rows[1]["weapon_description"] != "transport helicopter" || rows[0]["uncertain_deals"] != 1.0 || rows[0]["tiv_delivered"] != 2.5 {
				t.Errorf("arms JSON: %v", rows)
			}

			// September's export of the same register drops the L-39 and
			// gives the Akinci's numbers.
			out, _, err = run(t, "import", "sipri", "--db", dsn, maliSeptember)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, "read 3 deals, inserted 0, updated 1, unchanged 2, removed 1") {
				t.Errorf("newer import: %s", out)
			}
			want = "supplier,order_year,deals,number_delivered,tiv_order,tiv_delivered\n" +
				"Russia,2021,1,4,22,22\n" +
				"Turkiye,2022,1,6,15,15\n" +
				"Turkiye,2023,1,2,24,24\n"
			if got := flows("--by", "supplier,order_year", "--format", "csv"); got != want {
				t.Errorf("after the newer export:\n%s\nwant:\n%s", got, want)
			}
			// The older export again is refused: it would undo SIPRI's
			// corrections.
			_, _, err = run(t, "import", "sipri", "--db", dsn, maliMarch)
			if err == nil || !strings.Contains(err.Error(), "before the one stored") || !strings.Contains(err.Error(), "nothing from this file was imported") {
				t.Errorf("older export: %v", err)
			}
			if got := flows("--by", "supplier,order_year", "--format", "csv"); got != want {
				t.Errorf("after the refused import:\n%s", got)
			}
			// Usage errors name the key or flag.
			for _, args := range [][]string{{"--by", "year", "--format", "csv"}, {"--format", "table"}, {"--recipient", "Mali", "--format", "csv"}} {
				if _, _, err := run(t, append([]string{"flows", "--db", dsn, "--kind", "arms"}, args...)...); err == nil {
					t.Errorf("flows %v: no error", args)
				}
			}
		})
	}
}

func TestFlowsAidSplitsAndFunding(t *testing.T) {
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			dsn := sqldbtest.DSN(t, driver)
			out, _, err := run(t, "import", "iati", "--db", dsn, aidFixture)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, "read 2 activities, inserted 2") {
				t.Errorf("import: %s", out)
			}
			aid := func(args ...string) string {
				t.Helper()
				out, _, err := run(t, append([]string{"flows", "--db", dsn, "--kind", "aid", "--format", "csv"}, args...)...)
				if err != nil {
					t.Fatal(err)
				}
				return out
			}
			// The first activity's transactions name their sector and
			// country (100 %). The second's 1,000 EUR splits by its
			// countries (ML 75 %, BF 25 %) and its vocabulary-1 sectors
			// (15220 60 %, 15170 40 %): BF 15170 = 1000 × .25 × .4 = 100;
			// BF 15220 = 150; ML 15170 = 300; ML 15220 = 450, plus the
			// first activity's 200 EUR.
			want := "recipient_country,sector,year,currency,transactions,value\n" +
				"BF,15170,2024,EUR,1,100.00\n" +
				"BF,15220,2024,EUR,1,150.00\n" +
				"ML,15170,2024,EUR,1,300.00\n" +
				"ML,15210,2023,USD,1,1000.50\n" +
				"ML,15220,2024,EUR,2,650.00\n"
			if got := aid("--by", "recipient_country,sector,year"); got != want {
				t.Errorf("aid by country, sector, year:\n%s\nwant:\n%s", got, want)
			}
			// Without the split keys each transaction counts once, whole;
			// currencies stay apart.
			want = "year,currency,transactions,value\n2023,USD,1,1000.50\n2024,EUR,2,1200.00\n"
			if got := aid("--by", "year"); got != want {
				t.Errorf("aid by year:\n%s\nwant:\n%s", got, want)
			}
			want = "year,currency,transactions,value\n2024,EUR,1,250.00\n"
			if got := aid("--by", "year", "--recipient", "BFA"); got != want {
				t.Errorf("aid to Burkina Faso:\n%s\nwant:\n%s", got, want)
			}
			want = "currency,transactions,value\nEUR,2,1200.00\nUSD,1,1000.50\n"
			if got := aid("--supplier", "xm-test-1"); got != want {
				t.Errorf("aid total:\n%s\nwant:\n%s", got, want)
			}

			// Mali's landscape: 2023 USD 1,000.50 security, P/CVE by the
			// title's "violent extremism" under 15210. 2024 EUR: 200
			// peacebuilding (P/CVE, same activity) + 750 of the split
			// activity (450 peacebuilding, 300 other as 15170), of which
			// 750 reaches a Malian NGO (ML-…) and 300 is women's rights.
			out, _, err = run(t, "funding", "--db", dsn, "--recipient", "MLI")
			if err != nil {
				t.Fatal(err)
			}
			want = "year,currency,transactions,total,security,peacebuilding,other,no-sector,pcve,local,gender\n" +
				"2023,USD,1,1000.50,1000.50,0.00,0.00,0.00,1000.50,0.00,0.00\n" +
				"2024,EUR,2,950.00,0.00,650.00,300.00,0.00,200.00,750.00,300.00\n"
			if out != want {
				t.Errorf("funding MLI:\n%s\nwant:\n%s", out, want)
			}
			out, _, err = run(t, "funding", "--db", dsn, "--recipient", "MLI", "--format", "json")
			if err != nil {
				t.Fatal(err)
			}
			var l struct {
				Matches []struct {
					Identifier string
					Words      []string
					Sectors    []string
				} `json:"pcve_activities"`
			}
			if err := json.Unmarshal([]byte(out), &l); err != nil {
				t.Fatal(err)
			}
			if len(l.Matches) != 1 || l.Matches[0].Identifier != "XM-TEST-1-SEC" || strings.Join(l.Matches[0].Words, ",") != "violent extremism" ||
				strings.Join(l.Matches[0].Sectors, ",") != "15210,15220" {
				t.Errorf("P/CVE matches: %+v", l.Matches)
			}
			// Only what the record says is for a recipient: the Malian
			// association receives the split activity's 750 EUR.
			out, _, err = run(t, "funding", "--db", dsn, "--recipient", "MLI", "--force", "association locale")
			if err != nil {
				t.Fatal(err)
			}
			want = "year,currency,transactions,total,security,peacebuilding,other,no-sector,pcve,local,gender\n" +
				"2024,EUR,1,750.00,0.00,450.00,300.00,0.00,0.00,750.00,300.00\n"
			if out != want {
				t.Errorf("funding MLI for the association:\n%s\nwant:\n%s", out, want)
			}
			// A rule without the words picks nothing.
			out, _, err = run(t, "funding", "--db", dsn, "--recipient", "MLI", "--pcve-terms", "radicalisation")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, "2023,USD,1,1000.50,1000.50,0.00,0.00,0.00,0.00,") {
				t.Errorf("funding with another rule:\n%s", out)
			}
		})
	}
}

// TestBriefFlowsCharts: a brief embeds arms deliveries and the funding
// landscape as charts, with their method as the note; a flows chart
// with another chart's attributes is refused at its line.
func TestBriefFlowsCharts(t *testing.T) {
	dsn := sqldbtest.DSN(t, sqldb.SQLite)
	for _, args := range [][]string{{"import", "sipri", "--db", dsn, maliMarch}, {"import", "iati", "--db", dsn, aidFixture}} {
		if _, _, err := run(t, args...); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	text := filepath.Join(dir, "brief.md")
	os.WriteFile(text, []byte("# Mali\n\nArms first.\n\n{{chart flows=\"arms\" recipient=\"MLI\" from=\"2020\" to=\"2024\"}}\n\n"+
		"Then aid.\n\n{{chart flows=\"aid\" recipient=\"MLI\" currency=\"EUR\"}}\n"), 0o644)
	if out, err := runIn(t, "", "brief", "add", "--db", dsn, "--slug", "mali-money", "--title", "Mali", "--language", "en", text); err != nil {
		t.Fatalf("add: %q %v", out, err)
	}
	page := filepath.Join(dir, "brief.html")
	if out, err := runIn(t, "", "brief", "render", "mali-money", "--db", dsn, "--out", page); err != nil {
		t.Fatalf("render: %q %v", out, err)
	}
	b, _ := os.ReadFile(page)
	html := string(b)
	for _, want := range []string{"Arms delivered to Mali by supplier (SIPRI TIV)", "Russia", "Turkiye", "Aid disbursed in Mali by purpose (EUR)",
		"spread evenly over its delivery years", "never converted", "SIPRI Arms Transfers Database"} {
		if !strings.Contains(html, want) {
			t.Errorf("brief lacks %q", want)
		}
	}
	if n := strings.Count(html, "<svg"); n != 2 {
		t.Errorf("%d charts, want 2", n)
	}
	bad := filepath.Join(dir, "bad.md")
	os.WriteFile(bad, []byte("# Bad\n\n{{chart flows=\"aid\" recipient=\"MLI\" kind=\"monthly\"}}\n"), 0o644)
	_, err := runIn(t, "", "brief", "add", "--db", dsn, "--slug", "bad-flows", "--title", "Bad", "--language", "en", bad)
	if err == nil || !strings.Contains(err.Error(), "line 3") || !strings.Contains(err.Error(), "kind is for an intervention's chart") {
		t.Errorf("bad flows chart: %v", err)
	}
}
