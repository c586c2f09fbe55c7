package cli_test

import (
	"strings"
	"testing"

	"aftermath/internal/cli"
	"aftermath/internal/sqldb"
)

// testimonyJSON is one valid JSON lines testimony; long, when not empty,
// is its body and its English translation, each valid on its own.
func testimonyJSON(long string) string {
	body, tr := "نص", ""
	if long != "" {
		body, tr = long, `,"translations":{"en":"`+long+`"}`
	}
	return `{"date":"2024-01-06","country":"YEM","language":"ar","body":"` + body + `"` + tr +
		`,"audience":"internal","retain_until":"2039-12-31","consent":{"level":"internal-only","method":"written","recorded_by":"N. Saleh","recorded_at":"2024-01-06"}}` + "\n"
}

// nothingImported fails the test if any testimony or audit entry exists.
func nothingImported(t *testing.T, dsn string) {
	t.Helper()
	if out, _, _ := run(t, "testimony", "list", "--db", dsn); strings.Count(out, "\n") != 1 {
		t.Errorf("something was imported:\n%s", out)
	}
	if out, _, _ := run(t, "audit", "verify", "--db", dsn); out != "audit log intact: 0 entries\n" {
		t.Errorf("audit after a refused import: %q", out)
	}
}

// TestTestimonyImportRecordLimits: a JSON line over the record limit and a
// CSV field over the field limit (ingest's, as for every import) each
// stop the import at FILE:LINE, after good records, and import nothing.
func TestTestimonyImportRecordLimits(t *testing.T) {
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			dsn, key := voicesDB(t, driver)
			// 2 × 600 KiB: each text is within what a testimony may hold, the line is not.
			p := writeFile(t, "long.jsonl", testimonyJSON("")+"\n"+testimonyJSON(strings.Repeat("x", 600<<10))+testimonyJSON(""))
			_, _, err := run(t, "testimony", "import", p, "--db", dsn, "--key-file", key, "--org", "hub")
			if want := p + ":3: the line is longer than 1 MiB, the limit of one record"; err == nil || !strings.HasPrefix(err.Error(), want) || cli.ExitCode(err) != 2 {
				t.Errorf("long JSON line: %v (exit %d), want %s", err, cli.ExitCode(err), want)
			}
			p = writeFile(t, "long.csv", testimonyCSV+"2024,YEM,Taizz,ar,"+strings.Repeat("y", 300<<10)+",,,,internal,2040-01-01,internal-only,no,oral,N. Saleh,2024-01-06,\n")
			_, _, err = run(t, "testimony", "import", p, "--db", dsn, "--key-file", key, "--org", "hub")
			if want := p + `:4: column "body" is longer than 256 KiB, the limit of one field`; err == nil || !strings.HasPrefix(err.Error(), want) || cli.ExitCode(err) != 2 {
				t.Errorf("long CSV field: %v (exit %d), want %s", err, cli.ExitCode(err), want)
			}
			nothingImported(t, dsn)
		})
	}
}

// TestTestimonyImportCountLimit: one import is one transaction, so the
// records are held until it; past the limit on their number the import
// stops at the line, before the database, rather than growing.
func TestTestimonyImportCountLimit(t *testing.T) {
	dsn, key := voicesDB(t, sqldb.SQLite)
	p := writeFile(t, "many.jsonl", strings.Repeat("{}\n", 100_001))
	_, _, err := run(t, "testimony", "import", p, "--db", dsn, "--key-file", key, "--org", "hub")
	if want := p + ":100001: more than 100000 testimonies, the limit of one import"; err == nil || !strings.HasPrefix(err.Error(), want) || cli.ExitCode(err) != 2 {
		t.Errorf("%v (exit %d), want %s", err, cli.ExitCode(err), want)
	}
	nothingImported(t, dsn)
}
