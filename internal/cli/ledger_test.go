package cli_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/cli"
	"aftermath/internal/ledger"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// runIn runs the command line with stdin.
func runIn(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	err := cli.Run(context.Background(), args, strings.NewReader(stdin), &out, &errb, func(string) string { return "" })
	return out.String(), err
}

func TestLedgerCommands(t *testing.T) {
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			dsn := sqldbtest.DSN(t, driver)
			out, err := runIn(t, "", "seed", "--db", dsn)
			if err != nil || !strings.Contains(out, "\nledger: 9 starter records added, 0 already present\n") {
				t.Fatalf("seed: %q %v", out, err)
			}
			out, err = runIn(t, "", "seed", "--db", dsn)
			if err != nil || !strings.Contains(out, "\nledger: 0 starter records added, 9 already present\n") {
				t.Fatalf("second seed: %q %v", out, err)
			}
			out, _ = runIn(t, "", "decision", "list", "--db", dsn, "--intervention", "minusma")
			if !strings.Contains(out, "S/RES/2100 (2013)") || !strings.Contains(out, "S/RES/2690 (2023)") || strings.Contains(out, "1973") {
				t.Errorf("MINUSMA's decisions:\n%s", out)
			}

			// A decision from a file, citing a source by its identifier.
			file := filepath.Join(t.TempDir(), "d.json")
			os.WriteFile(file, []byte(`{"maker": {"name": "Council of the European Union", "kind": "organisation"}, "date": "2013-01-17",
				"kind": "training", "reference": "Council Decision 2013/34/CFSP", "summary": "Set up EUTM Mali.",
				"citations": [{"field": "summary", "source": "Council Decision 2013/34/CFSP", "confidence": "high"}], "audience": "public"}`), 0o600)
			out, err = runIn(t, "", "decision", "add", file, "--db", dsn)
			if err != nil || !strings.HasPrefix(out, "decision 7 added") {
				t.Fatalf("decision add: %q %v", out, err)
			}
			out, _ = runIn(t, "", "decision", "show", "7", "--db", dsn)
			var d aftermath.Decision
			if err := json.Unmarshal([]byte(out), &d); err != nil || d.Maker.Name != "Council of the European Union" || len(d.Citations) != 1 ||
				d.Citations[0].SourceID == 0 {
				t.Errorf("decision show: %v\n%s", err, out)
			}
			for _, bad := range []struct{ json, want string }{
				{`{"summary": "x", "colour": 1}`, `unknown field "colour"`},
				{`{"maker": {"name": "X"}, "date": "2013", "kind": "training", "summary": "S", "citations": [{"field": "summary", "source": "No such doc", "confidence": "high"}]}`,
					`no source with identifier "No such doc"`},
				{`{"maker": {"name": "X"}, "date": "2013", "kind": "coup", "summary": "S"}`, `kind "coup"`},
			} {
				_, err := runIn(t, bad.json, "decision", "add", "-", "--db", dsn)
				if err == nil || !strings.Contains(err.Error(), bad.want) || cli.ExitCode(err) != 2 {
					t.Errorf("bad decision: %v (exit %d), want %q", err, cli.ExitCode(err), bad.want)
				}
			}

			// An inquiry's recommendation through its status history.
			out, _ = runIn(t, "", "inquiry", "list", "--db", dsn, "--format", "json")
			var qs []aftermath.Inquiry
			json.Unmarshal([]byte(out), &qs)
			var fac aftermath.Inquiry
			for _, q := range qs {
				if q.Reference == "HC 119 (2016-17)" {
					fac = q
				}
			}
			if fac.ID == 0 || len(fac.Findings) != 4 {
				t.Fatalf("inquiry list: %s", out)
			}
			rec := `{"inquiry_id": ` + jsonInt(fac.ID) + `, "number": "Test 1", "addressee": {"name": "United Kingdom"},
				"text": "A test recommendation.", "deadline": "2017-01-01",
				"citations": [{"field": "text", "source": "HC 119 (2016-17)", "confidence": "low"}]}`
			out, err = runIn(t, rec, "recommendation", "add", "--db", dsn)
			if err != nil || !strings.HasPrefix(out, "recommendation 1 added") {
				t.Fatalf("recommendation add: %q %v", out, err)
			}
			_, err = runIn(t, "", "recommendation", "status", "1", "--db", dsn, "--status", "implemented", "--date", "2018-01-01",
				"--judged-by", "Researchers", "--cite", "HC 119 (2016-17)")
			if err == nil || !strings.Contains(err.Error(), "criteria are required") || cli.ExitCode(err) != 2 {
				t.Errorf("status without criteria: %v", err)
			}
			_, err = runIn(t, "", "recommendation", "status", "1", "--db", dsn, "--status", "implemented", "--date", "2018-01-01",
				"--judged-by", "Researchers", "--criteria", "A published policy")
			if err == nil || !strings.Contains(err.Error(), "citation") {
				t.Errorf("status without citation: %v", err)
			}
			out, err = runIn(t, "", "recommendation", "status", "1", "--db", dsn, "--status", "partly-implemented", "--date", "2018-01-01",
				"--judged-by", "Researchers", "--criteria", "A policy exists but has no budget.", "--cite", "HC 119 (2016-17):para. 5",
				"--confidence", "high")
			if err != nil || !strings.HasPrefix(out, "recommendation 1: partly-implemented as of 2018-01-01") {
				t.Fatalf("status: %q %v", out, err)
			}
			_, err = runIn(t, "", "recommendation", "status", "1", "--db", dsn, "--status", "implemented", "--date", "2017-12-31",
				"--judged-by", "Researchers", "--criteria", "A budget line.", "--cite", "HC 119 (2016-17)")
			if err == nil || !strings.Contains(err.Error(), "earlier than the previous change") {
				t.Errorf("earlier status: %v", err)
			}
			out, _ = runIn(t, "", "recommendation", "show", "1", "--db", dsn)
			var r aftermath.Recommendation
			if err := json.Unmarshal([]byte(out), &r); err != nil || r.Status != "partly-implemented" || !r.Overdue || len(r.History) != 1 ||
				r.History[0].Citations[0].Page != "para. 5" || r.History[0].Criteria != "A policy exists but has no budget." {
				t.Errorf("recommendation show: %v\n%s", err, out)
			}
			out, _ = runIn(t, "", "recommendation", "list", "--db", dsn, "--overdue")
			if !strings.Contains(out, "partly-implemented") || !strings.Contains(out, "overdue") {
				t.Errorf("recommendation list --overdue:\n%s", out)
			}
			out, _ = runIn(t, "", "recommendation", "export", "--history", "--db", dsn)
			rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil || len(rows) != 2 || rows[0][0] != "recommendation_id" || rows[1][3] != "partly-implemented" {
				t.Errorf("status history CSV: %v\n%s", err, out)
			}

			// A claim, its review exported as ClaimReview JSON-LD.
			claim := `{"author": {"name": "A Minister", "kind": "person"}, "date": "2011-03-21", "text": "Only military targets were hit.",
				"verdict": "mostly-false", "reasoning": "See the events.", "reviewed_by": "Test Monitor",
				"evidence": [{"kind": "event", "ref": "ucdp:1"}], "published": true, "published_date": "2024-02-01",
				"citations": [{"field": "text", "source": "S/RES/1973 (2011)", "confidence": "low"}], "audience": "public"}`
			if out, err = runIn(t, claim, "claim", "add", "--db", dsn); err != nil || !strings.HasPrefix(out, "claim 1 added") {
				t.Fatalf("claim add: %q %v", out, err)
			}
			out, err = runIn(t, "", "claim", "show", "1", "--db", dsn, "--jsonld", "--site", "https://monitor.example.org")
			if err != nil {
				t.Fatal(err)
			}
			if err := ledger.CheckClaimReview([]byte(out)); err != nil || !strings.Contains(out, `"url":"https://monitor.example.org/claims/1"`) ||
				!strings.Contains(out, `"@type":"Person"`) {
				t.Errorf("claim JSON-LD: %v\n%s", err, out)
			}
			out, _ = runIn(t, "", "claim", "list", "--db", dsn)
			if !strings.Contains(out, "mostly-false") || !strings.Contains(out, "A Minister") {
				t.Errorf("claim list:\n%s", out)
			}
			for _, kind := range []string{"decision", "inquiry", "recommendation", "claim"} {
				out, err := runIn(t, "", kind, "export", "--db", dsn)
				rows, cerr := csv.NewReader(strings.NewReader(out)).ReadAll()
				if err != nil || cerr != nil || len(rows) < 2 || rows[0][0] != "id" {
					t.Errorf("%s export: %v %v\n%s", kind, err, cerr, out)
				}
			}
			out, _ = runIn(t, "", "inquiry", "export", "--findings", "--db", dsn)
			if rows, _ := csv.NewReader(strings.NewReader(out)).ReadAll(); len(rows) != 1+5+4+7 {
				t.Errorf("findings CSV has %d rows", len(rows))
			}
			if _, err := runIn(t, "", "claim", "show", "x", "--db", dsn); cli.ExitCode(err) != 2 {
				t.Errorf("claim show x: %v", err)
			}
			if _, err := runIn(t, "", "decision", "show", "99", "--db", dsn); aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
				t.Errorf("decision show 99: %v", err)
			}
		})
	}
}

func TestLedgerHelp(t *testing.T) {
	for _, cmd := range []string{"decision", "inquiry", "recommendation", "claim"} {
		out, err := runIn(t, "", cmd, "--help")
		if err != nil || !strings.Contains(out, "Usage: aftermath "+cmd) || !strings.Contains(out, "export") {
			t.Errorf("%s --help: %v\n%s", cmd, err, out)
		}
	}
	out, _ := runIn(t, "", "recommendation", "status", "--help")
	for _, f := range []string{"-status", "-date", "-judged-by", "-criteria", "-cite", "-confidence", "-note"} {
		if !strings.Contains(out, "  "+f+" ") {
			t.Errorf("recommendation status --help does not explain %s:\n%s", f, out)
		}
	}
	out, _ = runIn(t, "", "--help")
	for _, cmd := range []string{"decision", "inquiry", "recommendation", "claim"} {
		if !strings.Contains(out, "  "+cmd+" ") {
			t.Errorf("aftermath --help does not list %s", cmd)
		}
	}
}

func jsonInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
