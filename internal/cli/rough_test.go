package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A slug typed in capitals finds the record: the service ignores case.
func TestInterventionSlugInAnyCase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	if _, _, err := run(t, "intervention", "add", "--db", db, "--slug", "operation-serval", "--name", "Operation Serval",
		"--start", "2013-01-11", "--end", "2014-07-31", "--instrument", "troops", "--country", "mli"); err != nil {
		t.Fatal(err)
	}
	for _, ref := range []string{"OPERATION-SERVAL", "Operation-Serval"} {
		if out, _, err := run(t, "intervention", "show", ref, "--db", db); err != nil || !strings.Contains(out, "operation-serval") {
			t.Errorf("show %s: %q %v", ref, out, err)
		}
	}
}

// A command that only reads refuses a SQLite file that does not exist,
// naming it, and creates nothing: an empty answer from a database made
// on the spot would read as "nothing happened". Commands that write
// create the file.
func TestReadingCommandsRefuseAMissingDatabase(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "typo.db")
	for _, args := range [][]string{
		{"stats"}, {"series", "--country", "MLI", "--format", "csv"}, {"flows", "--kind", "arms", "--format", "csv"}, {"funding", "--recipient", "MLI"}, {"analyze", "intervention", "minusma"},
		{"dataset", "coverage"}, {"intervention", "list"}, {"intervention", "show", "minusma"}, {"decision", "list"},
		{"claim", "export"}, {"brief", "list"}, {"user", "list"}, {"testimony", "list"}, {"audit", "verify"}, {"audit", "list"},
		{"publish", "--out", filepath.Join(dir, "site")},
	} {
		_, _, err := run(t, append(args, "--db", missing)...)
		if err == nil || !strings.Contains(err.Error(), missing) || !strings.Contains(err.Error(), "does not exist") {
			t.Errorf("%s on a missing database: %v", strings.Join(args, " "), err)
		}
		if _, serr := os.Stat(missing); serr == nil {
			t.Fatalf("%s created %s", strings.Join(args, " "), missing)
		}
	}
	created := filepath.Join(dir, "new.db")
	if _, _, err := run(t, "migrate", "--db", created); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(created); err != nil {
		t.Errorf("migrate did not create the database: %v", err)
	}
	if out, _, err := run(t, "stats", "--db", created); err != nil {
		t.Errorf("stats on the database migrate created: %q %v", out, err)
	}
}

// A dataset named as people write it, in capitals, is the same dataset,
// for an import and for the figures read from it.
func TestDatasetNameInAnyCase(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	if out, _, err := run(t, "import", "UCDP", "--db", db, "--quiet", fixture); err != nil || !strings.Contains(out, "read 5") {
		t.Fatalf("import UCDP: %q %v", out, err)
	}
	lower, _, err := run(t, "stats", "--db", db, "--dataset", "ucdp", "--by", "country")
	if err != nil {
		t.Fatal(err)
	}
	upper, _, err := run(t, "stats", "--db", db, "--dataset", "UCDP", "--by", "country")
	if err != nil || upper != lower || !strings.Contains(upper, "Mali") {
		t.Errorf("stats --dataset UCDP: %q %v, want %q", upper, err, lower)
	}
}
