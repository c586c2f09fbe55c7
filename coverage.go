package aftermath

import "slices"

// Coverage bases: how a dataset version's coverage was decided.
const (
	CoverageStated   = "stated"    // given at import (--covers, --countries)
	CoverageFileName = "file name" // a UCDP monthly candidate (…vYY_0_M…) covers month M
	CoverageDates    = "dates"     // the first to the last month of the file's events
)

// Coverage is what one dataset version speaks for: the months it reports
// on and, when it is limited to some, the countries. A month a dataset does
// not cover is unknown, never zero.
type Coverage struct {
	Version   string   `json:"version"`
	From      string   `json:"from"`                // YYYY-MM, inclusive
	To        string   `json:"to"`                  // YYYY-MM, inclusive
	Countries []string `json:"countries,omitempty"` // ISO 3166-1 alpha-3; empty: every country
	Basis     string   `json:"basis"`               // one of the Coverage* constants
}

// CoversCountry reports whether the version reports on the country.
func (c Coverage) CoversCountry(iso3 string) bool {
	return len(c.Countries) == 0 || slices.Contains(c.Countries, iso3)
}

// CoverageSet is the coverage of every imported version of one dataset.
type CoverageSet []Coverage

// Covers reports whether the month (YYYY-MM) is covered for every one of
// the countries (ISO alpha-3): an area is known only where all of it is.
// With no countries it asks whether any version covers the month at all.
func (s CoverageSet) Covers(month string, countries ...string) bool {
	if len(countries) == 0 {
		for _, c := range s {
			if c.From <= month && month <= c.To {
				return true
			}
		}
		return false
	}
	for _, iso := range countries {
		ok := false
		for _, c := range s {
			if c.From <= month && month <= c.To && c.CoversCountry(iso) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}

// Span returns the first and last month covered for all the countries
// ("" when none is). The earliest covered month always starts some
// version's span and the latest ends one, so those are the only candidates.
func (s CoverageSet) Span(countries ...string) (first, last string) {
	for _, c := range s {
		if s.Covers(c.From, countries...) && (first == "" || c.From < first) {
			first = c.From
		}
		if s.Covers(c.To, countries...) && c.To > last {
			last = c.To
		}
	}
	return first, last
}
