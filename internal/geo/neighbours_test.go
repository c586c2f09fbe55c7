package geo

import (
	"slices"
	"strings"
	"testing"
)

func TestNeighboursKnown(t *testing.T) {
	for _, tc := range []struct {
		iso3 string
		want string
	}{
		{"MLI", "BFA CIV DZA GIN MRT NER SEN"},
		{"CAF", "CMR COD COG SDN SSD TCD"},
		{"mli", "BFA CIV DZA GIN MRT NER SEN"}, // case-insensitive
		{"NER", "BEN BFA DZA LBY MLI NGA TCD"}, // not CMR (removed by hand)
		{"TCD", "CAF CMR LBY NER NGA SDN"},     // NGA added by hand
		{"TUR", "ARM AZE BGR GEO GRC IRN IRQ SYR"},
		{"FRA", "AND BEL BRA CHE DEU ESP ITA LUX MCO SUR"},
		{"ITA", "AUT CHE FRA SMR SVN VAT"},
		{"PSE", "EGY ISR JOR"},
		{"SOM", "DJI ETH KEN"}, // Somaliland is stored with Somalia
		{"XKX", "ALB MKD MNE SRB"},
		{"RUS", "AZE BLR CHN EST FIN GEO KAZ LTU LVA MNG NOR POL PRK UKR"},
		{"CHN", "AFG BTN HKG IND KAZ KGZ LAO MAC MMR MNG NPL PAK PRK RUS TJK VNM"},
		{"GBR", "IRL"},
		{"HTI", "DOM"},
	} {
		if got := strings.Join(Neighbours(tc.iso3), " "); got != tc.want {
			t.Errorf("Neighbours(%q) = %q, want %q", tc.iso3, got, tc.want)
		}
	}
	for _, island := range []string{"MDG", "ISL", "JPN", "AUS", "NZL", "LKA", "CUB", "CYP", "TWN", "PHL", "SGP", "BHR", "", "ZZZ"} {
		if got := Neighbours(island); got != nil {
			t.Errorf("Neighbours(%q) = %v, want none", island, got)
		}
	}
	// The caller's copy is its own.
	n := Neighbours("MLI")
	n[0] = "XXX"
	if Neighbours("MLI")[0] != "BFA" {
		t.Error("Neighbours returns the table's own slice")
	}
}

func TestNeighboursTable(t *testing.T) {
	m := loadNeighbours()
	pairs := 0
	for a, list := range m {
		if _, ok := ByAlpha3(a); !ok {
			t.Errorf("%s is not in countries.csv", a)
		}
		if !slices.IsSorted(list) {
			t.Errorf("%s: %v is not sorted", a, list)
		}
		for _, b := range list {
			pairs++
			if a == b {
				t.Errorf("%s is its own neighbour", a)
			}
			if !slices.Contains(m[b], a) {
				t.Errorf("%s borders %s but not the other way round", a, b)
			}
		}
	}
	// 309 pairs derived from the outlines plus 17 added by hand.
	if pairs/2 != 326 {
		t.Errorf("%d pairs, want 326 (update this test with the table)", pairs/2)
	}
	for _, bad := range []string{"x", "a,b,source\nMLI,DZA,ne110m\n", "a,b,source\nDZA,MLI,guess\n", "a,b,source\nDZA,MLI,ne110m\nDZA,MLI,manual\n"} {
		if _, err := parseNeighbours(bad); err == nil {
			t.Errorf("parseNeighbours(%q) accepted", bad)
		}
	}
}
