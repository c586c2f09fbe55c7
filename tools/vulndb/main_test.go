package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

// Two entries shaped like x/vulndb's data/osv: one fixed once, one fixed and
// then reintroduced (so it has no fix govulncheck may trust), both naming
// golang.org/x/text, and one also the standard library.
const (
	fixedOnce = `{"schema_version":"1.3.1","id":"GO-2021-0113","modified":"0001-01-01T00:00:00Z",
"affected":[{"package":{"name":"golang.org/x/text","ecosystem":"Go"},
"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"0.3.7"}]}]}]}`
	reintroduced = `{"schema_version":"1.3.1","id":"GO-2020-0015","modified":"2024-05-01T10:00:00Z",
"affected":[{"package":{"name":"golang.org/x/text","ecosystem":"Go"},
"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"0.3.3"},{"introduced":"0.4.0"}]}]},
{"package":{"name":"stdlib","ecosystem":"Go"},
"ranges":[{"type":"SEMVER","events":[{"introduced":"0"},{"fixed":"1.18.6"},{"introduced":"1.19.0-0"},{"fixed":"1.19.1"}]}]}]}`
)

func writeOSV(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestBuildWritesV1Layout(t *testing.T) {
	src := writeOSV(t, map[string]string{"GO-2021-0113.json": fixedOnce, "GO-2020-0015.json": reintroduced})
	out := filepath.Join(t.TempDir(), "db")
	when := time.Date(2026, 11, 5, 23, 49, 57, 0, time.UTC)
	n, err := build(src, out, when)
	if err != nil {
		t.Fatal(err)
	}
	if n != 2 {
		t.Errorf("build reported %d entries, want 2", n)
	}

	var meta struct{ Modified time.Time }
	readJSON(t, filepath.Join(out, "index", "db.json"), &meta)
	if !meta.Modified.Equal(when) {
		t.Errorf("db.json modified = %v, want %v", meta.Modified, when)
	}

	var modules []moduleMeta
	readJSON(t, filepath.Join(out, "index", "modules.json"), &modules)
	zero := time.Time{}
	later := time.Date(2024, 5, 1, 10, 0, 0, 0, time.UTC)
	want := []moduleMeta{
		{Path: "golang.org/x/text", Vulns: []moduleVuln{
			{ID: "GO-2020-0015", Modified: later},
			{ID: "GO-2021-0113", Modified: zero, Fixed: "0.3.7"},
		}},
		{Path: "stdlib", Vulns: []moduleVuln{{ID: "GO-2020-0015", Modified: later, Fixed: "1.19.1"}}},
	}
	if !reflect.DeepEqual(modules, want) {
		t.Errorf("modules.json = %+v\nwant %+v", modules, want)
	}

	// Entries are copied byte for byte: govulncheck reads fields (symbols,
	// imports) that the builder does not decode.
	got, err := os.ReadFile(filepath.Join(out, "ID", "GO-2020-0015.json"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, []byte(reintroduced)) {
		t.Errorf("ID/GO-2020-0015.json differs from its source")
	}
	if left, _ := filepath.Glob(out + ".tmp*"); len(left) > 0 {
		t.Errorf("temporary directories left behind: %v", left)
	}
}

func TestBuildRejectsMisnamedEntry(t *testing.T) {
	src := writeOSV(t, map[string]string{"GO-2099-0001.json": fixedOnce})
	out := filepath.Join(t.TempDir(), "db")
	if _, err := build(src, out, time.Now()); err == nil || !strings.Contains(err.Error(), "does not match id") {
		t.Fatalf("build = %v, want a file-name mismatch error", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("a failed build left %s behind (stat: %v)", out, err)
	}
}

func TestBuildKeepsOldDatabaseOnFailure(t *testing.T) {
	out := filepath.Join(t.TempDir(), "db")
	if _, err := build(writeOSV(t, map[string]string{"GO-2021-0113.json": fixedOnce}), out, time.Now()); err != nil {
		t.Fatal(err)
	}
	if _, err := build(writeOSV(t, map[string]string{"GO-2021-0113.json": "{"}), out, time.Now()); err == nil {
		t.Fatal("build accepted a truncated entry")
	}
	if _, err := os.Stat(filepath.Join(out, "ID", "GO-2021-0113.json")); err != nil {
		t.Errorf("the previous database was damaged by a failed build: %v", err)
	}
}

func TestNonSupersededFix(t *testing.T) {
	events := func(ev ...[2]string) []osvRange {
		r := osvRange{Type: "SEMVER"}
		for _, e := range ev {
			r.Events = append(r.Events, struct {
				Introduced string `json:"introduced"`
				Fixed      string `json:"fixed"`
			}{e[0], e[1]})
		}
		return []osvRange{r}
	}
	for _, tc := range []struct {
		name   string
		ranges []osvRange
		want   string
	}{
		{"no fix", events([2]string{"0", ""}), ""},
		{"one fix", events([2]string{"0", ""}, [2]string{"", "0.3.7"}), "0.3.7"},
		{"latest of two branches", events([2]string{"0", ""}, [2]string{"", "1.18.6"}, [2]string{"1.19.0-0", ""}, [2]string{"", "1.19.1"}), "1.19.1"},
		{"numeric not lexical order", events([2]string{"0", ""}, [2]string{"", "0.9.0"}, [2]string{"0.10.0-0", ""}, [2]string{"", "0.10.2"}), "0.10.2"},
		{"reintroduced after the fix", events([2]string{"0", ""}, [2]string{"", "0.3.3"}, [2]string{"0.4.0", ""}), ""},
		{"not semver", []osvRange{{Type: "GIT"}}, ""},
	} {
		if got := nonSupersededFix(tc.ranges); got != tc.want {
			t.Errorf("%s: nonSupersededFix = %q, want %q", tc.name, got, tc.want)
		}
	}
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}
