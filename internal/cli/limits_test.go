package cli_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/cli"
	"aftermath/internal/sqldb"
)

// TestTestimonyImportSmallCSVs: small CSVs, a header and one row of every
// bad shape, give an error naming file and line, never a panic.
func TestTestimonyImportSmallCSVs(t *testing.T) {
	dsn, key := voicesDB(t, sqldb.SQLite)
	for _, tc := range []struct{ body, want string }{
		{"date,body\n\"x\n", `:2: extraneous or missing " in quoted-field`},
		{"body\n\"a\"b\n", `:2: extraneous or missing " in quoted-field`},
		{"date,body\n2024\"x,y\n", `:2: bare " in non-quoted-field`},
		{"date,body\n2024-01\n", `:2: has 1 fields, the header has 2`},
		{"date,body\n2024,a,b\n", `:2: has 3 fields, the header has 2`},
		{"date,body\n2024," + strings.Repeat("x", 2<<20) + "\n", `:2: the record is longer than 1 MiB, the limit of one record (is this a CSV file?)`},
		{"date,body\n2024,#hashtags\n", `:2: field "language"`}, // a row of hashtags is a row here
		{"\"date\n", `:1: extraneous or missing " in quoted-field`},
	} {
		p := writeFile(t, "t.csv", tc.body)
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%q: panic: %v", tc.body, r)
				}
			}()
			_, _, err := run(t, "testimony", "import", p, "--db", dsn, "--key-file", key, "--org", "hub")
			if err == nil || !strings.HasPrefix(err.Error(), p+tc.want) || cli.ExitCode(err) != 2 {
				t.Errorf("%.40q: %v (exit %d), want %s%s", tc.body, err, cli.ExitCode(err), p, tc.want)
			}
		}()
	}
}

// TestOptionAfterFile: Go's flag package stops at the first file name, so
// an option after it would be taken for a file while the default database
// is opened. It is refused, exit 2, before any database is touched.
func TestOptionAfterFile(t *testing.T) {
	ged, err := filepath.Abs(fixture)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	other := filepath.Join(dir, "other.db")
	for _, args := range [][]string{
		{"import", "ucdp", ged, "--db", other},
		{"import", "ucdp", "--quiet", ged, "-db=" + other},
		{"import", "acled", ged, ged, "--version", "2024-01-01"},
		{"testimony", "import", ged, "--org", "hub", "x.csv", "--db", other},
		{"dataset", "coverage", "ucdp", "--db", other},
	} {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "AFTERMATH_CLI_CHILD="+strings.Join(args, "\x1f"), "AFTERMATH_DB=")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != 2 || !strings.Contains(stderr.String(), "before the") {
			t.Errorf("%q: %v, stderr %q; want exit 2 and a usage error", args, err, stderr.String())
		}
		for _, f := range []string{"aftermath.db", "other.db"} {
			if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
				t.Errorf("%q created %s", args, f)
				os.Remove(filepath.Join(dir, f))
			}
		}
	}
	// "--" ends the options: what follows is a file, whatever its name.
	if _, _, err := run(t, "import", "ucdp", "--db", other, "--", "-no-such-file.csv"); err == nil || cli.ExitCode(err) == 2 && strings.Contains(err.Error(), "before the") {
		t.Errorf("after --: %v", err)
	}
}

// TestImportForAnOrganisation: with --org the import is for that
// organisation, and a dataset another one owns is refused, unchanged.
func TestImportForAnOrganisation(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	for _, org := range []string{"alpha", "beta"} {
		if msg := cmdIn(t, "user", "add", "--db", db, "--email", org+"@example.org", "--name", org, "--org", org, "--role", "editor", "--password-stdin"); msg != "" {
			t.Fatal(msg)
		}
	}
	if _, _, err := run(t, "import", "ucdp", "--db", db, "--audience", "public", "--org", "alpha", fixture); err != nil {
		t.Fatal(err)
	}
	_, _, err := run(t, "import", "ucdp", "--db", db, "--org", "beta", "../importer/testdata/GEDEvent_v24_1.csv")
	if aftermath.ErrorCode(err) != aftermath.EFORBIDDEN || !strings.Contains(err.Error(), "dataset ucdp belongs to another organisation") {
		t.Errorf("beta into alpha's dataset: %v", err)
	}
	if out, _, err := run(t, "import", "ucdp", "--db", db, "--org", "alpha", "../importer/testdata/GEDEvent_v24_1.csv"); err != nil || !strings.Contains(out, "updated 2") {
		t.Errorf("alpha into its own dataset: %q %v", out, err)
	}
}
