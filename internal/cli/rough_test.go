package cli_test

import (
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
