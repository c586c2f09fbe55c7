// Package shareddata finds the real public data files that tests and
// benchmarks read from ../shared/data (never copied into the repository).
// It imports nothing of the project, so any package's tests can use it.
package shareddata

import (
	"os"
	"path/filepath"
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
