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
	for _, p := range []string{"web", "impact", "ledger", "importer", "jobs", "auth", "analysis", "chart", "i18n", "consult", "catalog", "actorlink", "geo", "ingest/ucdp", "ingest/acled", "scrub", "vault", "csvout"} {
		if slices.Contains(deps(t, "aftermath/internal/"+p), storage) {
			t.Errorf("internal/%s depends on internal/sqldb; it must use the root interfaces", p)
		}
	}
	// Only the wiring opens storage: the command line, the storage's own
	// packages (its test helpers; backups, which copy whole tables) and the
	// benchmark programs.
	out, err := exec.Command("go", "list", "-f", `{{.ImportPath}} {{join .Imports " "}}`, "./...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) == 0 || !slices.Contains(f[1:], storage) {
			continue
		}
		if p := f[0]; p != "aftermath/internal/cli" && !strings.HasPrefix(p, storage+"/") && !strings.HasPrefix(p, "aftermath/bench/") {
			t.Errorf("%s imports internal/sqldb: only cli's wiring opens storage", p)
		}
	}
}
