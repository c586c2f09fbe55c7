package sqldb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"aftermath"
)

// Coverage of dataset versions: dataset_versions.covers_from and covers_to
// (YYYY-MM, inclusive; '' when not known), countries (ISO 3166-1 alpha-3,
// comma-separated and sorted; '' for every country) and basis (one of
// aftermath.CoverageStated, CoverageFileName, CoverageDates; '' when not
// known).

// StateCoverage records what the caller says the file covers (--covers,
// --countries): the months when from and to are set, the countries when
// countries is not nil. What is not stated is found as usual. Stated
// coverage replaces what the version had; given again, it replaces it
// again, even when the file itself was imported before.
func (im *Import) StateCoverage(from, to string, countries []string) {
	im.stated.From, im.stated.To = from, to
	if countries != nil {
		im.stated.Countries = slices.Sorted(slices.Values(countries))
		im.stated.Countries = slices.Compact(im.stated.Countries)
		if im.stated.Countries == nil {
			im.stated.Countries = []string{}
		}
	}
}

// CoverageFromFileName records the month (YYYY-MM) a UCDP monthly
// candidate's file name gives (GEDEvent_v22_0_2 → 2022-02): the version
// covers that month, whatever other months some of its events fall in.
func (im *Import) CoverageFromFileName(month string) { im.fileMonth = month }

// see notes an event of the file for the version's coverage. It runs for
// every event read, unchanged ones included, and costs a map look-up.
func (im *Import) see(e *aftermath.Event) {
	s := &im.seen
	m := month(e.DateStart)
	if s.n == 0 || m < s.fromMonth {
		s.fromMonth = m
	}
	if m > s.toMonth {
		s.toMonth = m
	}
	if s.n == 0 || e.Year < s.fromYear {
		s.fromYear = e.Year
	}
	if e.Year > s.toYear {
		s.toYear = e.Year
	}
	s.n++
	if s.countries > 1 {
		return
	}
	iso3, ok := im.countryISO3[e.Country]
	if !ok {
		_, c := countryOf(e)
		iso3 = c.Alpha3
		im.countryISO3[e.Country] = iso3
	}
	key := "name:" + e.Country
	if iso3 != "" {
		key = "iso:" + iso3
	}
	switch {
	case s.countries == 0:
		s.country, s.countries = key, 1
	case s.country != key:
		s.countries = 2
	}
}

// coverage is what this import says the version covers; ok is false when
// it says nothing (no events and nothing stated).
//
// Without a stated span: a UCDP monthly candidate covers the month its name
// gives; otherwise a UCDP file covers the whole calendar years of its
// events' year column (GED is coded and released by calendar year, so
// ged191_syria with events from 2016-01 to 2019-11 covers 2016-01 to
// 2019-12), and an ACLED file the first to the last month of its event
// dates. Without stated countries, a file whose events are all in one
// country covers only that country (when the country has an ISO code).
func (im *Import) coverage() (aftermath.Coverage, bool) {
	c := aftermath.Coverage{Version: im.version, Basis: aftermath.CoverageDates}
	s := im.seen
	switch {
	case im.fileMonth != "":
		c.From, c.To, c.Basis = im.fileMonth, im.fileMonth, aftermath.CoverageFileName
	case s.n > 0 && im.dataset == aftermath.DatasetUCDP && s.fromYear > 0:
		c.From, c.To = fmt.Sprintf("%04d-01", s.fromYear), fmt.Sprintf("%04d-12", s.toYear)
	case s.n > 0:
		c.From, c.To = s.fromMonth, s.toMonth
	}
	if s.countries == 1 && strings.HasPrefix(s.country, "iso:") {
		c.Countries = []string{strings.TrimPrefix(s.country, "iso:")}
	}
	stated := false
	if im.stated.From != "" {
		c.From, c.To, stated = im.stated.From, im.stated.To, true
	}
	if im.stated.Countries != nil {
		c.Countries, stated = im.stated.Countries, true
	}
	if stated {
		c.Basis = aftermath.CoverageStated
	}
	return c, c.From != ""
}

// mergedCoverage is what the version covers after this import: stated
// coverage replaces what was stored; found coverage leaves stated coverage
// alone and otherwise widens what other files of the version found.
func (im *Import) mergedCoverage() (aftermath.Coverage, bool) {
	c, ok := im.coverage()
	old := im.stored
	switch {
	case !ok:
		return old, false
	case c.Basis == aftermath.CoverageStated || old.From == "":
		return c, true
	case old.Basis == aftermath.CoverageStated:
		return old, false
	}
	m := old
	m.From, m.To = min(old.From, c.From), max(old.To, c.To)
	if len(old.Countries) == 0 || len(c.Countries) == 0 {
		m.Countries = nil
	} else {
		m.Countries = slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(old.Countries), c.Countries...))))
	}
	if c.Basis != old.Basis {
		m.Basis = aftermath.CoverageDates
	}
	return m, true
}

func sameCoverage(a, b aftermath.Coverage) bool {
	return a.From == b.From && a.To == b.To && a.Basis == b.Basis && slices.Equal(a.Countries, b.Countries)
}

// writeCoverage stores the version's coverage when this import changes it;
// changed reports whether it did.
func (im *Import) writeCoverage() (changed bool, err error) {
	c, ok := im.mergedCoverage()
	if !ok || sameCoverage(c, im.stored) {
		return false, nil
	}
	_, err = im.tx.ExecContext(im.ctx, im.q(`UPDATE dataset_versions SET covers_from = ?, covers_to = ?, countries = ?, basis = ? WHERE id = ?`),
		c.From, c.To, strings.Join(c.Countries, ","), c.Basis, im.versionID)
	if err != nil {
		return false, fmt.Errorf("record coverage: %w", err)
	}
	return true, nil
}

func splitCountries(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// DatasetCoverage returns the coverage of every version of a dataset
// that has one, oldest version first. A dataset the viewer may not see,
// like a missing one, has an empty set.
func (db *DB) DatasetCoverage(ctx context.Context, v aftermath.Viewer, dataset string) (aftermath.CoverageSet, error) {
	var out aftermath.CoverageSet
	err := db.each(ctx, `SELECT dv.version, dv.covers_from, dv.covers_to, dv.countries, dv.basis
		FROM dataset_versions dv JOIN datasets d ON d.id = dv.dataset_id
		WHERE d.name = ? AND dv.covers_from <> '' AND `+visible(v, "d", "dataset"), []any{slugKey(dataset)}, func(r *sql.Rows) error {
		var c aftermath.Coverage
		var countries string
		err := r.Scan(&c.Version, &c.From, &c.To, &countries, &c.Basis)
		c.Countries = splitCountries(countries)
		out = append(out, c)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("coverage of %s: %w", dataset, err)
	}
	slices.SortFunc(out, func(a, b aftermath.Coverage) int { return CompareVersions(a.Version, b.Version) })
	return out, nil
}

// ParseMonth reports whether s is a month YYYY-MM.
func ParseMonth(s string) bool { return aftermath.IsMonth(s) }
