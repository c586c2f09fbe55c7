package publish

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func seriesPackage() Package {
	return Package{Name: "minusma", Title: "What followed MINUSMA", Created: "2024-06-30T00:00:00Z",
		Licenses: []License{{Name: "CC-BY-4.0", Path: "https://creativecommons.org/licenses/by/4.0/", Title: "Creative Commons Attribution 4.0"}},
		Sources:  []Source{{Title: "UCDP Georeferenced Event Dataset (GED) Global version 23.1", Path: "https://ucdp.uu.se/downloads/"}},
		Resource: []Resource{{Name: "series-minusma-monthly", Path: "data/series-minusma-monthly.csv", Title: "Events and deaths by month",
			Schema: Schema{Fields: []Field{{Name: "month", Type: TypeYearMonth}, {Name: "events", Type: TypeInteger},
				{Name: "deaths_best", Type: TypeInteger, Description: "UCDP best estimate"}, {Name: "deaths_low", Type: TypeInteger}},
				PrimaryKey: []string{"month"}}}},
	}
}

func writeCSV(t *testing.T, dir, rel, body string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	os.MkdirAll(filepath.Dir(p), 0o755)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// The package describes its table as a reader's tool needs it: types, the
// empty cell as unknown, size and hash; the same data gives the same
// bytes.
func TestDataPackageDescribesItsTables(t *testing.T) {
	dir := t.TempDir()
	// 2013-03 is a month no dataset covers: empty, not zero.
	writeCSV(t, dir, "data/series-minusma-monthly.csv", "month,events,deaths_best,deaths_low\n2013-01,4,12,10\n2013-02,0,0,0\n2013-03,,,\n")
	if err := WriteDataPackage(dir, seriesPackage()); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(filepath.Join(dir, "datapackage.json"))
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	res := got["resources"].([]any)[0].(map[string]any)
	schema := res["schema"].(map[string]any)
	if got["profile"] != "tabular-data-package" || res["profile"] != "tabular-data-resource" || res["mediatype"] != "text/csv" ||
		res["bytes"].(float64) != 77 || !strings.HasPrefix(res["hash"].(string), "sha256:") || len(res["hash"].(string)) != 71 ||
		schema["missingValues"].([]any)[0] != "" || schema["fields"].([]any)[0].(map[string]any)["type"] != "yearmonth" {
		t.Errorf("datapackage.json:\n%s", b)
	}
	if err := WriteDataPackage(dir, seriesPackage()); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(filepath.Join(dir, "datapackage.json")); !bytes.Equal(b, again) {
		t.Errorf("a second run differs")
	}
}

func TestDataPackageRefusesAMisdescribedTable(t *testing.T) {
	dir := t.TempDir()
	writeCSV(t, dir, "data/series-minusma-monthly.csv", "month,deaths_best,events,deaths_low\n2013-01,12,4,10\n")
	err := WriteDataPackage(dir, seriesPackage())
	if err == nil || !strings.Contains(err.Error(), "has columns [month deaths_best events deaths_low], the schema says [month events deaths_best deaths_low]") {
		t.Errorf("columns in another order: %v", err)
	}
	if _, statErr := os.Stat(filepath.Join(dir, "datapackage.json")); statErr == nil {
		t.Errorf("a package was written for a table it misdescribes")
	}
	p := seriesPackage()
	p.Resource[0].Path = "../outside.csv"
	if err := WriteDataPackage(dir, p); err == nil || !strings.Contains(err.Error(), "not relative") {
		t.Errorf("a path outside the package: %v", err)
	}
	p = seriesPackage()
	p.Resource[0].Schema.Fields[1].Type = "int"
	if err := WriteDataPackage(dir, p); err == nil || !strings.Contains(err.Error(), `type "int"`) {
		t.Errorf("an unknown type: %v", err)
	}
}
