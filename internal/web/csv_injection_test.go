package web_test

import (
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/importer"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// formulaGED is a UCDP GED file of one event whose texts are formulas a
// spreadsheet would run, with UCDP's -1 ("not known") sources and a
// negative longitude that must stay numbers.
const formulaGED = `id,relid,year,active_year,code_status,type_of_violence,conflict_new_id,conflict_name,dyad_new_id,dyad_name,side_a_new_id,side_a,side_b_new_id,side_b,number_of_sources,source_article,where_prec,where_description,adm_1,adm_2,latitude,longitude,country,country_id,region,event_clarity,date_prec,date_start,date_end,deaths_a,deaths_b,deaths_civilians,deaths_unknown,best,high,low
2001,MLI-2023-3-1-9,2023,1,Clear,3,12000,JNIM - civilians,13000,JNIM - civilians,94,Government of Mali,1,Civilians,-1,"=HYPERLINK(""http://evil.example/"",""source"")",1,"@SUM(1+1)","=HYPERLINK(""http://evil.example/"",""adm1"")",+cmd,14.2,-3.5,Mali,432,Africa,1,1,2023-01-20,2023-01-20,0,0,12,0,12,15,10
`

// writeFormulaGED writes formulaGED as a release 23.1 file in dir.
func writeFormulaGED(t *testing.T, dir string) string {
	t.Helper()
	p := filepath.Join(dir, "GEDEvent_v23_1.csv")
	if err := os.WriteFile(p, []byte(formulaGED), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const evil = `=HYPERLINK("http://evil.example/","click")`

// unsafeCells returns the cells of a CSV download a spreadsheet would
// read as a formula: those beginning with =, +, -, @, tab or carriage
// return that are not numbers. Comment lines ("# …") are split where a
// spreadsheet would split them.
func unsafeCells(t *testing.T, body string) []string {
	t.Helper()
	unsafe := func(c string) bool {
		if c == "" || !strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			return false
		}
		_, err := strconv.ParseFloat(c, 64)
		return err != nil
	}
	var bad, data []string
	for _, line := range strings.SplitAfter(body, "\n") {
		if !strings.HasPrefix(line, "# ") {
			data = append(data, line)
			continue
		}
		for _, piece := range strings.FieldsFunc(strings.TrimSuffix(line, "\n"), func(r rune) bool { return r == ',' || r == ';' || r == '\t' }) {
			if unsafe(piece) {
				bad = append(bad, piece)
			}
		}
	}
	r := csv.NewReader(strings.NewReader(strings.Join(data, "")))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		t.Fatalf("not CSV: %v\n%s", err, body)
	}
	for _, row := range rows {
		for _, c := range row {
			if unsafe(c) {
				bad = append(bad, c)
			}
		}
	}
	return bad
}

// TestCSVDownloadsAreFormulaSafe: an event's texts, an intervention's and
// its partner force's names and ledger records' texts that begin with a
// formula come out of every CSV download as text (a leading '), while
// numbers such as -1 and -3.5 stay exactly as they are.
func TestCSVDownloadsAreFormulaSafe(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	ctx := context.Background()
	if _, err := importer.Import(ctx, db, writeFormulaGED(t, t.TempDir()), importer.Options{Dataset: aftermath.DatasetUCDP}); err != nil {
		t.Fatal(err)
	}
	iv := &aftermath.Intervention{Audience: aftermath.AudiencePublic, Slug: "formula", Name: evil + `,=1+1`,
		PartnerForces: []aftermath.InterventionActor{{Name: "-" + evil, Aliases: aftermath.DatedAliases{{Dataset: "ucdp", Name: "Government of Mali"}}}},
		Area:          []aftermath.AreaRef{{Country: "MLI"}}, Phases: []aftermath.Phase{{Start: "2023-01-01", End: "2023-01-31"}}}
	if err := db.CreateIntervention(ctx, aftermath.System, iv); err != nil {
		t.Fatal(err)
	}
	d := &aftermath.Decision{Maker: aftermath.ActorRef{Name: "@" + evil}, Date: "2013", Kind: "deployment", Summary: evil,
		Rationale: "+" + evil, Audience: aftermath.AudiencePublic, Citations: []aftermath.Citation{}}
	if err := db.CreateDecision(ctx, aftermath.System, d); err != nil {
		t.Fatal(err)
	}
	c := &aftermath.Claim{Author: aftermath.ActorRef{Name: "Formula Ministry"}, Date: "2015-01-01", Text: evil, Verdict: "false",
		Reasoning: "\t" + evil, ReviewedBy: "Org", Evidence: []aftermath.EvidenceLink{{Kind: "event", Ref: "ucdp:2001"}},
		Published: true, PublishedDate: "2016-01-01", Audience: aftermath.AudiencePublic, Citations: []aftermath.Citation{}}
	if err := db.CreateClaim(ctx, aftermath.System, c); err != nil {
		t.Fatal(err)
	}
	srv, err := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	for _, c := range []struct {
		url  string
		want []string // cells the download must hold, neutralised or as they are
	}{
		{"/events.csv", []string{`"'=HYPERLINK(""http://evil.example/"",""adm1"")"`, "'+cmd", "'@SUM(1+1)", ",-1,", ",-3.5,"}},
		{"/events.hxl.csv", []string{`"'=HYPERLINK(""http://evil.example/"",""adm1"")"`, "'+cmd", "'@SUM(1+1)", ",-1,", ",-3.5,"}},
		{"/interventions/formula/monthly.csv", []string{"'=1+1"}},
		{"/interventions/formula/yearly.csv", nil},
		{"/interventions/formula/harm.csv", []string{`"'-=HYPERLINK(""http://evil.example/"",""click"")"`}},
		{"/places/MLI/monthly.csv", nil},
		{"/ledger/decisions.csv", []string{`"'=HYPERLINK(`, `"'@=HYPERLINK(`, `"'+=HYPERLINK(`}},
		{"/ledger/claims.csv", []string{`"'=HYPERLINK(`, "\"'\t=HYPERLINK("}},
	} {
		rec := httptestGet(h, c.url)
		body := rec.Body.String()
		if rec.Code != http.StatusOK {
			t.Errorf("%s: %d %s", c.url, rec.Code, body)
			continue
		}
		if bad := unsafeCells(t, body); len(bad) > 0 {
			t.Errorf("%s has cells a spreadsheet runs: %q", c.url, bad)
		}
		for _, w := range c.want {
			if !strings.Contains(body, w) {
				t.Errorf("%s lacks %q:\n%s", c.url, w, body)
			}
		}
	}
}

func httptestGet(h http.Handler, url string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", url, nil))
	return rec
}
