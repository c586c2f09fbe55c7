// Package geo maps between the country identifiers used by conflict datasets:
// ISO 3166-1 (alpha-2, alpha-3 and numeric, as in ACLED's iso column) and the
// Gleditsch & Ward (GW) state codes used by UCDP (GED country_id, gwno_*).
//
// The table is embedded from countries.csv: one row per current ISO 3166-1
// country plus Kosovo (XK/XKX, no ISO numeric code), with the GW code where
// the country is a GW independent state or microstate. Territories without a
// GW code (Hong Kong, Greenland, Puerto Rico, Western Sahara, Palestine, ...)
// have GW 0 and are not reachable through ByGW.
//
// Only present-day states are listed. Historical GW codes (730 Korea, 265
// German Democratic Republic, 345 Yugoslavia, 680 South Yemen, 817 Republic
// of Vietnam, ...) have no row and ByGW reports them as unknown.
package geo

import (
	_ "embed"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
)

//go:embed countries.csv
var countriesCSV string

// Country is one row of the table.
type Country struct {
	GW      int    // Gleditsch & Ward state code; 0 if the country has none
	Alpha2  string // ISO 3166-1 alpha-2, upper case
	Alpha3  string // ISO 3166-1 alpha-3, upper case
	Numeric int    // ISO 3166-1 numeric (1..999); 0 if none (Kosovo)
	Name    string // short English name
}

// header is the exact first line countries.csv must have.
var header = []string{"gw_code", "iso_alpha2", "iso_alpha3", "iso_numeric", "name"}

type table struct {
	all       []Country
	byGW      map[int]int // index into all
	byNumeric map[int]int
	byAlpha3  map[string]int
}

// load parses the embedded table once. The data is compiled in and checked by
// the package tests, so a parse error is a build defect and panics.
var load = sync.OnceValue(func() *table {
	t, err := parse(strings.NewReader(countriesCSV))
	if err != nil {
		panic("geo: embedded countries.csv: " + err.Error())
	}
	return t
})

// ByGW returns the country with Gleditsch & Ward state code code.
func ByGW(code int) (Country, bool) {
	t := load()
	i, ok := t.byGW[code]
	if !ok {
		return Country{}, false
	}
	return t.all[i], true
}

// ByNumeric returns the country with ISO 3166-1 numeric code code.
func ByNumeric(code int) (Country, bool) {
	t := load()
	i, ok := t.byNumeric[code]
	if !ok {
		return Country{}, false
	}
	return t.all[i], true
}

// ByAlpha3 returns the country with ISO 3166-1 alpha-3 code code, compared
// case-insensitively.
func ByAlpha3(code string) (Country, bool) {
	t := load()
	i, ok := t.byAlpha3[strings.ToUpper(code)]
	if !ok {
		return Country{}, false
	}
	return t.all[i], true
}

// All returns every row, sorted by name. The slice is a copy the caller may
// modify.
func All() []Country {
	return slices.Clone(load().all)
}

// parse reads and validates a table in the countries.csv format: the exact
// header, five fields per row, well-formed codes and no duplicate code in
// any column.
func parse(r io.Reader) (*table, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(header)
	head, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("reading header: %w", err)
	}
	if !slices.Equal(head, header) {
		return nil, fmt.Errorf("header is %q, want %q", head, header)
	}
	t := &table{
		byGW:      make(map[int]int),
		byNumeric: make(map[int]int),
		byAlpha3:  make(map[string]int),
	}
	byAlpha2 := make(map[string]bool)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		line, _ := cr.FieldPos(0)
		c, err := parseRow(rec)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", line, err)
		}
		i := len(t.all)
		if c.GW != 0 {
			if _, dup := t.byGW[c.GW]; dup {
				return nil, fmt.Errorf("line %d: duplicate gw_code %d", line, c.GW)
			}
			t.byGW[c.GW] = i
		}
		if c.Numeric != 0 {
			if _, dup := t.byNumeric[c.Numeric]; dup {
				return nil, fmt.Errorf("line %d: duplicate iso_numeric %d", line, c.Numeric)
			}
			t.byNumeric[c.Numeric] = i
		}
		if _, dup := t.byAlpha3[c.Alpha3]; dup {
			return nil, fmt.Errorf("line %d: duplicate iso_alpha3 %s", line, c.Alpha3)
		}
		t.byAlpha3[c.Alpha3] = i
		if byAlpha2[c.Alpha2] {
			return nil, fmt.Errorf("line %d: duplicate iso_alpha2 %s", line, c.Alpha2)
		}
		byAlpha2[c.Alpha2] = true
		t.all = append(t.all, c)
	}
	if len(t.all) == 0 {
		return nil, errors.New("no rows")
	}
	return t, nil
}

func parseRow(rec []string) (Country, error) {
	var c Country
	var err error
	if c.GW, err = optionalCode(rec[0], 1, 999); err != nil {
		return c, fmt.Errorf("gw_code: %w", err)
	}
	c.Alpha2, c.Alpha3 = rec[1], rec[2]
	if !upperLetters(c.Alpha2, 2) {
		return c, fmt.Errorf("iso_alpha2 %q is not two upper-case letters", c.Alpha2)
	}
	if !upperLetters(c.Alpha3, 3) {
		return c, fmt.Errorf("iso_alpha3 %q is not three upper-case letters", c.Alpha3)
	}
	if c.Numeric, err = optionalCode(rec[3], 1, 999); err != nil {
		return c, fmt.Errorf("iso_numeric: %w", err)
	}
	c.Name = strings.TrimSpace(rec[4])
	if c.Name == "" || c.Name != rec[4] {
		return c, fmt.Errorf("name %q is empty or padded", rec[4])
	}
	return c, nil
}

// optionalCode parses an integer code in [lo, hi]; the empty string is 0.
func optionalCode(s string, lo, hi int) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("%q is not an integer", s)
	}
	if n < lo || n > hi {
		return 0, fmt.Errorf("%d is outside %d..%d", n, lo, hi)
	}
	return n, nil
}

func upperLetters(s string, n int) bool {
	if len(s) != n {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 'A' || s[i] > 'Z' {
			return false
		}
	}
	return true
}
