package cli

import (
	"bufio"
	"os"
	"path"
	"strings"
	"testing"

	"aftermath/internal/vault"
)

// gitignored reports whether .gitignore's patterns (the subset it uses:
// globs, a leading / anchoring to the root, a trailing / for directories)
// ignore name, a path from the repository root.
func gitignored(t *testing.T, patterns []string, name string, dir bool) bool {
	t.Helper()
	ignored := false
	for _, p := range patterns {
		negate := strings.HasPrefix(p, "!")
		p = strings.TrimPrefix(p, "!")
		if strings.HasSuffix(p, "/") {
			if !dir {
				continue
			}
			p = strings.TrimSuffix(p, "/")
		}
		subject := name
		if strings.HasPrefix(p, "/") || strings.Contains(p, "/") {
			p = strings.TrimPrefix(p, "/")
		} else {
			subject = path.Base(name)
		}
		ok, err := path.Match(p, subject)
		if err != nil {
			t.Fatalf(".gitignore pattern %q: %v", p, err)
		}
		if ok {
			ignored = !negate
		}
	}
	return ignored
}

// What the program writes in the working directory by default (a
// database, its journal, the key and its rotation files, uploads waiting
// for import) must never be committed by a `git add` in a checkout: the
// key file alone decrypts every testimony.
func TestGitignoreCoversWhatTheProgramWrites(t *testing.T) {
	f, err := os.Open("../../.gitignore")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var patterns []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := strings.TrimSpace(sc.Text()); l != "" && !strings.HasPrefix(l, "#") {
			patterns = append(patterns, l)
		}
	}
	key := vault.DefaultPath(defaultDB)
	pgKey := vault.DefaultPath("postgres://host/db")
	files := []string{defaultDB, defaultDB + "-wal", defaultDB + "-shm", defaultDB + "-journal",
		key, vault.PendingPath(key), vault.RetiredPath(key, "k1a2b3"), pgKey, vault.PendingPath(pgKey), vault.RetiredPath(pgKey, "k1a2b3"),
		"data.rejected.csv"}
	for _, name := range files {
		if !gitignored(t, patterns, name, false) {
			t.Errorf(".gitignore does not ignore %s", name)
		}
	}
	for _, dir := range []string{defaultUploadDir(defaultDB, true), defaultUploadDir("postgres://host/db", false)} {
		if !gitignored(t, patterns, dir, true) {
			t.Errorf(".gitignore does not ignore the upload directory %s/", dir)
		}
	}
	// The repository's own sources stay tracked.
	for _, name := range []string{"aftermath.go", "internal/vault/keyfile.go"} {
		if gitignored(t, patterns, name, false) {
			t.Errorf(".gitignore ignores %s", name)
		}
	}
}
