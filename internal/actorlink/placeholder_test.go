package actorlink

import (
	"strings"
	"testing"

	"aftermath/internal/shareddata"
)

func TestUnidentified(t *testing.T) {
	for _, c := range []struct {
		name, kind, country, place string
		ok                         bool
	}{
		{"XXX475", "armed-group", "NGA", "", true},
		{"XXX70", "armed-group", "MEX", "", true},
		{"XXX9999", "armed-group", "", "", true}, // a code no state has: still no name
		{"Unidentified Armed Group (Nigeria)", "armed-group", "NGA", "Nigeria", true},
		{"Unidentified Communal Militia (Mali)", "communal-militia", "MLI", "Mali", true},
		{"Unidentified Military Forces", "other", "", "", true},
		{"Government of Mali", "", "", "", false},
		{"XXX", "", "", "", false},
		{"Unidentified", "", "", "", false},
	} {
		p, ok := Unidentified(c.name)
		if ok != c.ok || p.Kind != c.kind || p.Country != c.country || p.Place != c.place || (ok && p.Code != c.name) {
			t.Errorf("Unidentified(%q) = %+v, %v; want kind %q country %q place %q, %v", c.name, p, ok, c.kind, c.country, c.place, c.ok)
		}
	}
}

// Every XXX code in a year of UCDP's candidate events is a placeholder
// whose Gleditsch-Ward code names a country, and no other side is taken
// for one.
func TestUnidentifiedInUCDP(t *testing.T) {
	rows := shareddata.Rows(t, shareddata.Path(t, "ucdp/GEDEvent_v21_01_21_12.csv.zip"))
	codes := 0
	for _, r := range rows {
		for _, col := range []string{"side_a", "side_b"} {
			p, ok := Unidentified(r[col])
			if strings.HasPrefix(r[col], "XXX") != ok {
				t.Fatalf("event %s %s %q: placeholder %v", r["id"], col, r[col], ok)
			}
			if !ok {
				continue
			}
			codes++
			if p.Country == "" {
				t.Errorf("event %s: %s names no country", r["id"], r[col])
			}
		}
	}
	if codes < 1000 {
		t.Errorf("only %d XXX sides in a year of events", codes)
	}
}

func TestStateOf(t *testing.T) {
	for name, want := range map[string]string{
		"Mali": "MLI", "Government of Mali": "MLI", "Military Forces of Mali (2021-)": "MLI", "Armed forces of Chad": "TCD",
		"Government of Yemen (North Yemen)": "YEM", "France": "FRA", "United States": "USA",
		"JNIM": "", "European Union": "", "MLI": "", "Government of": "", "XXX432": "",
	} {
		got, ok := StateOf(name)
		if got != want || ok != (want != "") {
			t.Errorf("StateOf(%q) = %q, %v; want %q", name, got, ok, want)
		}
	}
}
