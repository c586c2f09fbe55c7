package importer_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/importer"
	"aftermath/internal/shareddata"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// A file of the wrong kind is refused for what it is, naming the file and
// what it looks like, before the import asks for a version (which would
// send the user to look for a version of the wrong file) and before the
// database is touched.
func TestWrongKindOfFileIsNamedFirst(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	dir := t.TempDir()
	pdf := filepath.Join(dir, "report.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "people.csv")
	if err := os.WriteFile(other, []byte("name,age\nA,3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sipri := shareddata.Path(t, "sipri/trade-register-all-2025-03.csv")
	for _, c := range []struct {
		dataset, file string
		want          []string
	}{
		{aftermath.DatasetUCDP, sipri, []string{"SIPRI arms-transfers trade register", "import sipri"}},
		{aftermath.DatasetACLED, sipri, []string{"SIPRI arms-transfers trade register", "import sipri"}},
		{aftermath.DatasetUCDP, pdf, []string{"PDF document"}},
		{aftermath.DatasetACLED, pdf, []string{"PDF document"}},
		{aftermath.DatasetACLED, fixture("GEDEvent_v23_1.csv"), []string{"UCDP GED events file", "import ucdp"}},
		{aftermath.DatasetUCDP, other, []string{"not a UCDP GED events file", `"type_of_violence"`}},
	} {
		_, err := importer.Import(context.Background(), db, c.file, importer.Options{Dataset: c.dataset})
		if err == nil || strings.Contains(err.Error(), "--version") || !strings.Contains(err.Error(), c.file) || aftermath.ErrorCode(err) != aftermath.EINVALID {
			t.Errorf("import %s %s: %v, want the file named and no request for --version", c.dataset, filepath.Base(c.file), err)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("import %s %s: %v, want %q", c.dataset, filepath.Base(c.file), err, w)
			}
		}
	}
	if got, err := db.Datasets(context.Background(), aftermath.System); err != nil || len(got) != 0 {
		t.Errorf("refused imports left datasets: %v %v", got, err)
	}
}
