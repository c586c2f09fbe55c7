package geo

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// neighbours.csv lists pairs of countries that share a land border, by ISO
// 3166-1 alpha-3, one pair a row (a < b) with its source: "ne110m" when the
// pair was derived from Natural Earth's 1:110m country outlines (those that
// package chart draws: two countries are neighbours when their outlines
// share an edge of the same TopoJSON arc), "manual" when it was added by
// hand. gen/main.go writes it; see there for the method and every hand
// correction.
//
// Limits: at 1:110m very short borders can be simplified away and the
// smallest countries and territories have no outline. The table was checked
// country by country and corrected by hand: Azerbaijan (Nakhchivan)–Turkey
// and Nigeria–Chad (in Lake Chad) were missed and are added, Cameroon–Niger
// (made up by the simplified lake) is removed, and the pairs of countries
// with no outline are added: Egypt–Palestine (Gaza), Spain–Morocco (Ceuta,
// Melilla), Andorra, Monaco, San Marino, Vatican City, Liechtenstein,
// Gibraltar, Hong Kong, Macao, Saint Martin/Sint Maarten, and French
// Guiana (drawn inside France's outline, so France also borders Brazil and
// Suriname). Borders are Natural Earth's: de facto lines in places (see
// internal/chart/ATTRIBUTION.md). Maritime boundaries and bridges do not
// count.
//
//go:generate go run gen/main.go
//go:embed neighbours.csv
var neighboursCSV string

var loadNeighbours = sync.OnceValue(func() map[string][]string {
	m, err := parseNeighbours(neighboursCSV)
	if err != nil {
		panic("geo: embedded neighbours.csv: " + err.Error())
	}
	return m
})

// parseNeighbours reads the pair table into a symmetric map of sorted lists.
func parseNeighbours(s string) (map[string][]string, error) {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	if len(lines) == 0 || lines[0] != "a,b,source" {
		return nil, fmt.Errorf("header is not a,b,source")
	}
	m := map[string][]string{}
	for i, l := range lines[1:] {
		f := strings.Split(l, ",")
		if len(f) != 3 || !upperLetters(f[0], 3) || !upperLetters(f[1], 3) || f[0] >= f[1] ||
			(f[2] != "ne110m" && f[2] != "manual") {
			return nil, fmt.Errorf("line %d: %q is not a,b,source with a < b", i+2, l)
		}
		m[f[0]] = append(m[f[0]], f[1])
		m[f[1]] = append(m[f[1]], f[0])
	}
	for k, v := range m {
		slices.Sort(v)
		if len(slices.Compact(slices.Clone(v))) != len(v) {
			return nil, fmt.Errorf("%s: a pair is listed twice", k)
		}
	}
	return m, nil
}

// Neighbours returns the ISO 3166-1 alpha-3 codes of the countries that
// share a land border with the country iso3 (compared case-insensitively),
// sorted; nil for an island state, a country without land borders or an
// unknown code. The caller may modify the slice. See neighbours.csv's
// comment for the source and its limits.
func Neighbours(iso3 string) []string {
	return slices.Clone(loadNeighbours()[strings.ToUpper(iso3)])
}
