// Package shareddata finds the real public data files that tests and
// benchmarks read from ../shared/data (never copied into the repository).
// It imports nothing of the project, so any package's tests can use it.
package shareddata

import (
	"archive/zip"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Dir is AFTERMATH_SHARED_DATA, or ../shared/data beside the module root
// found from the working directory ("" when there is no module root).
func Dir() string {
	if dir := os.Getenv("AFTERMATH_SHARED_DATA"); dir != "" {
		return dir
	}
	wd, _ := os.Getwd()
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(d, "..", "shared", "data")
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
}

// Path returns the path of a shared file, skipping the test when it is
// missing, or failing it when AFTERMATH_REQUIRE_SHARED=1 (as CI sets).
func Path(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(Dir(), filepath.FromSlash(rel))
	if _, err := os.Stat(p); err != nil {
		if os.Getenv("AFTERMATH_REQUIRE_SHARED") == "1" {
			t.Fatalf("shared data %s is missing (AFTERMATH_REQUIRE_SHARED=1): %v", rel, err)
		}
		t.Skipf("shared data %s is missing: %v", rel, err)
	}
	return p
}

// Rows reads a published CSV, or the one CSV in a ZIP as UCDP distributes
// it (skipping __MACOSX/ entries), with encoding/csv alone, so that tests
// can compute totals apart from the project's readers: one map per row,
// header name → cell. A byte-order mark is dropped, and a second row of
// HXL hashtags (as HDX serves files) is skipped.
func Rows(t testing.TB, path string) []map[string]string {
	t.Helper()
	var r io.Reader
	if strings.HasSuffix(path, ".zip") {
		zr, err := zip.OpenReader(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { zr.Close() })
		for _, f := range zr.File {
			if strings.HasSuffix(f.Name, ".csv") && !strings.HasPrefix(f.Name, "__MACOSX/") {
				rc, err := f.Open()
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(func() { rc.Close() })
				r = rc
			}
		}
		if r == nil {
			t.Fatalf("%s holds no CSV", path)
		}
	} else {
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { f.Close() })
		r = f
	}
	recs, err := csv.NewReader(r).ReadAll()
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	head := recs[0]
	head[0] = strings.TrimPrefix(head[0], "\ufeff")
	var out []map[string]string
	for i, rec := range recs[1:] {
		if i == 0 && strings.HasPrefix(strings.Join(rec, ""), "#") {
			continue
		}
		m := make(map[string]string, len(head))
		for j, h := range head {
			m[h] = rec[j]
		}
		out = append(out, m)
	}
	return out
}
