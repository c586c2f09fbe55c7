package importer_test

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/importer"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// badCopy writes the bad-row fixture into dir as name, with the refused
// row's where_description (a published text cell) replaced by cell.
func badCopy(t *testing.T, dir, name, cell string) string {
	t.Helper()
	b, err := os.ReadFile(fixture("GEDEvent_v23_1_bad.csv"))
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(b), `headline""",2,Sevare,`, `headline""",2,"`+strings.ReplaceAll(cell, `"`, `""`)+`",`, 1)
	if s == string(b) {
		t.Fatal("fixture changed: the bad row's where_description was not found")
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func readRejects(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestRejectsFileIsFormulaSafe: a published cell a spreadsheet would run
// as a formula reaches the rejects file as text, like every CSV written.
func TestRejectsFileIsFormulaSafe(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		dir := t.TempDir()
		formula := `=HYPERLINK("http://example.invalid/x","click")`
		in := badCopy(t, dir, "GEDEvent_v23_1_bad.csv", formula)
		rejects := filepath.Join(dir, "rejected.csv")
		importFile(t, db, aftermath.DatasetUCDP, in, importer.Options{SkipBadRows: true, RejectsPath: rejects})
		recs := readRejects(t, rejects)
		if len(recs) != 2 {
			t.Fatalf("rejects file = %q", recs)
		}
		col := -1
		for i, h := range recs[0] {
			if h == "where_description" {
				col = i
			}
		}
		if col < 0 || recs[1][col] != "'"+formula {
			t.Errorf("where_description = %q, want %q", recs[1][col], "'"+formula)
		}
		for _, rec := range recs {
			for _, c := range rec {
				if c != "" && strings.ContainsRune("=+@\t\r", rune(c[0])) {
					t.Errorf("cell %q would run as a formula", c)
				}
			}
		}
	})
}

// TestRejectsFileBesideInput: without --rejects the file goes beside the
// input, mode 0600, never into the working directory.
func TestRejectsFileBesideInput(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		dir, cwd := t.TempDir(), t.TempDir()
		in := badCopy(t, dir, "GEDEvent_v23_1_bad.csv", "Sevare")
		t.Chdir(cwd)
		res, err := importer.Import(context.Background(), db, in, importer.Options{Dataset: aftermath.DatasetUCDP, SkipBadRows: true})
		if err != nil {
			t.Fatal(err)
		}
		want := filepath.Join(dir, "GEDEvent_v23_1_bad.rejected.csv")
		if res.RejectsPath != want || importer.DefaultRejectsPath(in) != want {
			t.Errorf("rejects path = %q, want %q", res.RejectsPath, want)
		}
		st, err := os.Stat(want)
		if err != nil {
			t.Fatal(err)
		}
		if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
			t.Errorf("rejects file mode %v, want 0600", st.Mode().Perm())
		}
		if ents, _ := os.ReadDir(cwd); len(ents) != 0 {
			t.Errorf("the working directory got %v", ents)
		}
		if ents, _ := os.ReadDir(dir); len(ents) != 2 {
			t.Errorf("beside the input: %v, want the input and its rejects file", ents)
		}
	})
}

// TestRejectsFileExisting: a regular file is replaced (mode 0600 after);
// a symlink is refused, not followed, and so is the input itself; in both
// refusals nothing is imported.
func TestRejectsFileExisting(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		dir := t.TempDir()
		in := badCopy(t, dir, "GEDEvent_v23_1_bad.csv", "Sevare")
		before := sqldbtest.Snapshot(t, db)

		if runtime.GOOS != "windows" { // symlinks need privileges there
			target := filepath.Join(t.TempDir(), "precious.txt")
			if err := os.WriteFile(target, []byte("keep me\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			link := filepath.Join(dir, "link.csv")
			if err := os.Symlink(target, link); err != nil {
				t.Fatal(err)
			}
			_, err := importer.Import(context.Background(), db, in, importer.Options{Dataset: aftermath.DatasetUCDP, SkipBadRows: true, RejectsPath: link})
			if err == nil || !strings.Contains(err.Error(), "not a regular file") {
				t.Errorf("symlink: %v", err)
			}
			if b, _ := os.ReadFile(target); string(b) != "keep me\n" {
				t.Errorf("the symlink's target was written: %q", b)
			}
			if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
				t.Errorf("the symlink was replaced: %v", err)
			}
		}

		inBytes, _ := os.ReadFile(in)
		_, err := importer.Import(context.Background(), db, in, importer.Options{Dataset: aftermath.DatasetUCDP, SkipBadRows: true, RejectsPath: in})
		if err == nil || !strings.Contains(err.Error(), "is the input file") {
			t.Errorf("rejects = input: %v", err)
		}
		if b, _ := os.ReadFile(in); string(b) != string(inBytes) {
			t.Error("the input file was overwritten")
		}
		if after := sqldbtest.Snapshot(t, db); after != before {
			t.Errorf("a refused import changed the database:\nbefore:\n%s\nafter:\n%s", before, after)
		}
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			if strings.Contains(e.Name(), ".partial") || strings.Contains(e.Name(), "rejected") {
				t.Errorf("left behind: %s", e.Name())
			}
		}

		old := filepath.Join(dir, "old.csv")
		if err := os.WriteFile(old, []byte("an earlier run\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		importFile(t, db, aftermath.DatasetUCDP, in, importer.Options{SkipBadRows: true, RejectsPath: old})
		if recs := readRejects(t, old); len(recs) != 2 || recs[1][0] != "3" {
			t.Errorf("replaced file = %q", recs)
		}
		if st, err := os.Stat(old); err != nil || runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
			t.Errorf("replaced file: %v %v, want mode 0600", st.Mode(), err)
		}
	})
}
