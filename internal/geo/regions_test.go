package geo

import (
	"strings"
	"testing"
)

func TestEveryCountryHasOneSubRegion(t *testing.T) {
	seen := map[string]string{}
	for _, r := range m49 {
		for _, c := range strings.Fields(r.countries) {
			if prev, dup := seen[c]; dup {
				t.Errorf("%s in %s and %s", c, prev, r.region.Name)
			}
			seen[c] = r.region.Name
			if _, ok := ByAlpha3(c); !ok {
				t.Errorf("%s (%s) is not in countries.csv", c, r.region.Name)
			}
		}
	}
	for _, c := range All() {
		if _, ok := SubRegion(c.Alpha3); !ok && c.Alpha3 != "ATA" {
			t.Errorf("%s (%s) has no sub-region", c.Alpha3, c.Name)
		}
	}
}

func TestSubRegionsOfServedCountries(t *testing.T) {
	for iso, want := range map[string]string{
		"MLI": "Western Africa", "BFA": "Western Africa", "NER": "Western Africa", "NGA": "Western Africa",
		"SOM": "Eastern Africa", "ETH": "Eastern Africa", "LBY": "Northern Africa", "SDN": "Northern Africa",
		"YEM": "Western Asia", "IRQ": "Western Asia", "SYR": "Western Asia", "AFG": "Southern Asia",
		"PHL": "South-eastern Asia", "COD": "Middle Africa", "GBR": "Northern Europe", "FRA": "Western Europe",
		"USA": "Northern America", "mli": "Western Africa",
	} {
		r, ok := SubRegion(iso)
		if !ok || r.Name != want {
			t.Errorf("SubRegion(%s) = %v, %v; want %s", iso, r, ok, want)
		}
	}
	if c, _ := Continent("SOM"); c.Name != "Africa" || c.Code != "002" {
		t.Errorf("Continent(SOM) = %v", c)
	}
	if r, _ := SubRegion("MLI"); r.Code != "011" {
		t.Errorf("Western Africa code %s", r.Code)
	}
}
