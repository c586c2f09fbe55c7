package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/importer"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// flowsServer is a server on a database holding the CLI's small SIPRI
// and IATI fixtures (Mali).
func flowsServer(t *testing.T) http.Handler {
	t.Helper()
	db := sqldbtest.Open(t, sqldb.SQLite)
	ctx := context.Background()
	if _, err := importer.ImportSIPRI(ctx, db, aftermath.ImportAs{}, "../cli/testdata/flows/mali-2025-03.csv"); err != nil {
		t.Fatal(err)
	}
	if _, err := importer.ImportIATI(ctx, db, aftermath.ImportAs{}, "../cli/testdata/flows/aid.xml"); err != nil {
		t.Fatal(err)
	}
	srv, err := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	return srv.Handler()
}

func TestFlowsPageAndCSV(t *testing.T) {
	h := flowsServer(t)
	res, body := get(t, h, "/flows?kind=arms&by=supplier,order_year")
	if res.StatusCode != 200 {
		t.Fatalf("/flows: %d %s", res.StatusCode, body)
	}
	// Russia's 2021 helicopters (22) and Turkiye's 2022 drones (15), each
	// as ordered and delivered.
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`<td>Russia</td><td>2021</td><td>1</td><td>4</td><td>22</td><td>22</td>`),
		regexp.MustCompile(`<td>Turkiye</td><td>2022</td><td>1</td><td>6</td><td>15</td><td>15</td>`),
	} {
		if !want.MatchString(body) {
			t.Errorf("/flows lacks %s", want)
		}
	}
	if !strings.Contains(body, `href="/flows.csv?by=supplier%2Corder_year&amp;kind=arms"`) || !strings.Contains(body, "trend-indicator value") {
		t.Errorf("/flows: no CSV link or no method:\n%s", body)
	}
	// The checkboxes carry the same query: by=a&by=b is by=a,b.
	if _, b := get(t, h, "/flows?kind=arms&by=supplier&by=order_year"); !strings.Contains(b, `<td>Russia</td><td>2021</td>`) {
		t.Error("repeated by= was not read as a list")
	}

	res, body = get(t, h, "/flows.csv?kind=aid&by=recipient_country,sector,year")
	want := "recipient_country,sector,year,currency,transactions,value\n" +
		"BF,15170,2024,EUR,1,100.00\n" +
		"BF,15220,2024,EUR,1,150.00\n" +
		"ML,15170,2024,EUR,1,300.00\n" +
		"ML,15210,2023,USD,1,1000.50\n" +
		"ML,15220,2024,EUR,2,650.00\n"
	if res.StatusCode != 200 || body != want {
		t.Errorf("/flows.csv: %d\n%s\nwant:\n%s", res.StatusCode, body, want)
	}
	if cd := res.Header.Get("Content-Disposition"); cd != `attachment; filename="flows-aid.csv"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	// The default view: arms by supplier over the last ten years.
	if res, body := get(t, h, "/flows.csv"); res.StatusCode != 200 || !strings.HasPrefix(body, "supplier,deals,number_delivered,tiv_order,tiv_delivered\n") {
		t.Errorf("default CSV: %d %s", res.StatusCode, body)
	}
	for _, bad := range []string{"kind=guns", "kind=arms&by=sector", "kind=aid&by=year,year", "kind=arms&from=20x1",
		"kind=arms&from=2024&to=2020", "kind=arms&recipient=XXX"} {
		for _, path := range []string{"/flows?", "/flows.csv?"} {
			if res, _ := get(t, h, path+bad); res.StatusCode != http.StatusBadRequest {
				t.Errorf("%s%s: %d, want 400", path, bad, res.StatusCode)
			}
		}
	}
	for _, lang := range []string{"en", "fr", "ar"} {
		for _, path := range []string{"/flows", "/flows?kind=aid&by=sector,recipient_country,transaction_type", "/flows?kind=arms&by=recipient,weapon_description"} {
			res, body := get(t, h, path+map[bool]string{true: "&", false: "?"}[strings.Contains(path, "?")]+"lang="+lang)
			if res.StatusCode != 200 || untranslated(body) {
				t.Errorf("%s in %s: %d, or a key untranslated", path, lang, res.StatusCode)
			}
		}
	}
}

func TestPlaceShowsFundingLandscapeAndArms(t *testing.T) {
	h := flowsServer(t)
	// Mali has no events here: its aid and arms make the page.
	res, body := get(t, h, "/places/MLI")
	if res.StatusCode != 200 {
		t.Fatalf("/places/MLI: %d", res.StatusCode)
	}
	// 2024 EUR: 950 in all, 650 peacebuilding, 300 other, 200 P/CVE,
	// 750 of 950 local (79 %), 300 gender (32 %).
	for _, want := range []string{"Funding landscape", "<svg", "<td>EUR</td><td>950.00</td><td>0.00</td><td>650.00</td><td>300.00</td><td>0.00</td><td>200.00</td><td>79%</td><td>32%</td>",
		"violent extremism", "15210", "words found: violent extremism", "Arms delivered", "Russia", "Turkiye", "estimate", "in the currency published"} {
		if !strings.Contains(body, want) {
			t.Errorf("/places/MLI lacks %q", want)
		}
	}
	res, body = get(t, h, "/places/MLI?lang=ar")
	if res.StatusCode != 200 || !strings.Contains(body, `dir="rtl"`) || untranslated(body) || !strings.Contains(body, "مشهد التمويل") {
		t.Errorf("/places/MLI in Arabic: %d\n%s", res.StatusCode, body)
	}
	if _, body = get(t, h, "/places/MLI?lang=fr"); !strings.Contains(body, "Paysage du financement") || untranslated(body) {
		t.Error("/places/MLI in French")
	}
	// Nothing about Chad: still no page.
	if res, _ := get(t, h, "/places/TCD"); res.StatusCode != 404 {
		t.Errorf("/places/TCD: %d, want 404", res.StatusCode)
	}
}

// untranslated reports a catalog key shown as is ("flows.title"), the
// CSV's address aside.
func untranslated(body string) bool {
	return strings.Contains(strings.ReplaceAll(body, "/flows.csv", ""), "flows.")
}
