package aftermath_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// deps lists the packages a package builds on (not its tests').
func deps(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", pkg).Output()
	if err != nil {
		t.Fatalf("go list -deps %s: %v", pkg, err)
	}
	return strings.Fields(string(out))
}

// TestLayers keeps the layers apart: the domain package imports no driver,
// HTTP or template code, and the packages that work on domain values reach
// storage only through the root interfaces, never internal/sqldb.
func TestLayers(t *testing.T) {
	for _, d := range deps(t, "aftermath") {
		if slices.Contains([]string{"database/sql", "net/http", "html/template", "text/template"}, d) ||
			strings.Contains(d, "sqlite") || strings.Contains(d, "pgx") || strings.HasPrefix(d, "aftermath/internal/") {
			t.Errorf("the root package imports %s", d)
		}
	}
	const storage = "aftermath/internal/sqldb"
	for _, p := range []string{"impact", "ledger", "importer", "jobs", "auth", "analysis", "chart", "i18n", "consult", "catalog", "actorlink", "geo", "ingest/ucdp", "ingest/acled", "scrub", "vault", "csvout"} {
		if slices.Contains(deps(t, "aftermath/internal/"+p), storage) {
			t.Errorf("internal/%s depends on internal/sqldb; it must use the root interfaces", p)
		}
	}
	// Not yet moved behind root interfaces (issue "One shape for every
	// capability"). When one of them stops importing storage, move it to
	// the list above, so that it cannot slip back.
	for _, p := range []string{"web"} {
		if !slices.Contains(deps(t, "aftermath/internal/"+p), storage) {
			t.Errorf("internal/%s no longer depends on internal/sqldb: move it to the packages that must not", p)
		}
	}
}
