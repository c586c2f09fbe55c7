package impact

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"aftermath"
	"aftermath/internal/csvout"
)

// Coverage values of a series row: a month is covered or not; a year may
// be partly covered, and then sums only its covered months.
const (
	CoveredYes     = "yes"
	CoveredNo      = "no"
	CoveredPartial = "partial"
)

// SeriesOptions say which series to read. From and To default to the
// first and last month the dataset covers for the whole area.
type SeriesOptions struct {
	Viewer        aftermath.Viewer
	Dataset       string
	Area          []aftermath.AreaRef
	From, To      string // YYYY-MM, inclusive
	By            string // "month" (default) or "year"
	ViolenceTypes []string
	ClearOnly     bool
	PreciseOnly   bool
}

// Values are the five summed figures of a period; nil when the period is
// not covered, so that unknown never reads as zero.
type Values struct {
	Events          *int64 `json:"events"`
	DeathsLow       *int64 `json:"deaths_low"`
	DeathsBest      *int64 `json:"deaths_best"`
	DeathsHigh      *int64 `json:"deaths_high"`
	DeathsCivilians *int64 `json:"deaths_civilians"`
}

func (v *Values) add(m aftermath.MonthTotal) {
	for _, p := range []struct {
		dst **int64
		n   int64
	}{{&v.Events, m.Events}, {&v.DeathsLow, m.DeathsLow}, {&v.DeathsBest, m.DeathsBest}, {&v.DeathsHigh, m.DeathsHigh}, {&v.DeathsCivilians, m.DeathsCivilians}} {
		if *p.dst == nil {
			*p.dst = new(int64)
		}
		**p.dst += p.n
	}
}

// SeriesRow is one month (YYYY-MM) or year (YYYY) of a series.
type SeriesRow struct {
	Period        string `json:"period"`
	Covered       string `json:"covered"`
	Months        int    `json:"months"`         // calendar months of the period inside From..To
	CoveredMonths int    `json:"covered_months"` // of which the dataset covers
	Values
}

// MonthlyMean divides an outcome by the covered months (0, false when
// none is covered): the figure that compares a partial year with a full one.
func (r SeriesRow) MonthlyMean(outcome string) (float64, bool) {
	v := r.Values.pick(outcome)
	if v == nil || r.CoveredMonths == 0 {
		return 0, false
	}
	return float64(*v) / float64(r.CoveredMonths), true
}

func (v Values) pick(outcome string) *int64 {
	switch outcome {
	case "deaths_best":
		return v.DeathsBest
	case "deaths_low":
		return v.DeathsLow
	case "deaths_high":
		return v.DeathsHigh
	case "deaths_civilians":
		return v.DeathsCivilians
	}
	return v.Events
}

// SeriesResult is a series with what it was made from.
type SeriesResult struct {
	Dataset  string                `json:"dataset"`
	Area     string                `json:"area"`
	From     string                `json:"from"`
	To       string                `json:"to"`
	By       string                `json:"by"`
	Rows     []SeriesRow           `json:"rows"`
	Coverage aftermath.CoverageSet `json:"coverage"`
	Versions []string              `json:"versions"`
	Method   string                `json:"method"`
}

// areaCountries lists the distinct countries of an area, in order.
func areaCountries(area []aftermath.AreaRef) []string {
	var out []string
	for _, a := range area {
		if !slices.Contains(out, a.Country) {
			out = append(out, a.Country)
		}
	}
	return out
}

// Series sums the monthly aggregates of an area by month or year, within
// the dataset's coverage: a month no version covers has no values.
func Series(ctx context.Context, db aftermath.EventFigures, opt SeriesOptions) (*SeriesResult, error) {
	if opt.Dataset == "" {
		opt.Dataset = aftermath.DatasetUCDP
	}
	if opt.By == "" {
		opt.By = "month"
	}
	if opt.By != "month" && opt.By != "year" {
		return nil, aftermath.Errorf(aftermath.EINVALID, "--by %q is not month or year", opt.By)
	}
	for _, m := range []string{opt.From, opt.To} {
		if m != "" && !isMonth(m) {
			return nil, aftermath.Errorf(aftermath.EINVALID, "month %q is not YYYY-MM", m)
		}
	}
	if len(opt.Area) == 0 {
		return nil, aftermath.Errorf(aftermath.EINVALID, "a series needs an area (a country or an intervention)")
	}
	cov, err := db.DatasetCoverage(ctx, opt.Viewer, opt.Dataset)
	if err != nil {
		return nil, err
	}
	countries := areaCountries(opt.Area)
	first, last := cov.Span(countries...)
	if opt.From == "" {
		opt.From = first
	}
	if opt.To == "" {
		opt.To = last
	}
	if opt.From == "" || opt.To == "" {
		return nil, aftermath.Errorf(aftermath.EINVALID, "no imported %s version covers %s; give --from and --to to list the months as not covered",
			opt.Dataset, strings.Join(countries, ", "))
	}
	if opt.From > opt.To {
		return nil, aftermath.Errorf(aftermath.EINVALID, "--from %s is after --to %s", opt.From, opt.To)
	}
	f := aftermath.AreaFilter{Viewer: opt.Viewer, Dataset: opt.Dataset, Area: opt.Area, From: opt.From, To: opt.To,
		ViolenceTypes: opt.ViolenceTypes, ClearOnly: opt.ClearOnly, PreciseOnly: opt.PreciseOnly}
	totals, err := db.MonthlyTotals(ctx, f)
	if err != nil {
		return nil, err
	}
	byMonth := map[string]aftermath.MonthTotal{}
	for _, m := range totals {
		byMonth[m.Month] = m
	}
	res := &SeriesResult{Dataset: opt.Dataset, Area: areaText(opt.Area), From: opt.From, To: opt.To, By: opt.By, Coverage: cov}
	for _, c := range cov {
		if !slices.Contains(res.Versions, c.Version) {
			res.Versions = append(res.Versions, c.Version)
		}
	}
	for _, m := range calendar(opt.From, opt.To) {
		row := SeriesRow{Period: m, Covered: CoveredNo, Months: 1}
		if cov.Covers(m, countries...) {
			row.Covered, row.CoveredMonths = CoveredYes, 1
			row.add(byMonth[m])
		}
		res.Rows = append(res.Rows, row)
	}
	if opt.By == "year" {
		res.Rows = yearRows(res.Rows, opt.From, opt.To)
	}
	res.Method = seriesMethod(res, opt)
	return res, nil
}

// yearRows sums months into calendar years. A year is covered when all its
// twelve months are inside the range and covered, not covered when none of
// its months in the range is, and partial otherwise.
func yearRows(months []SeriesRow, from, to string) []SeriesRow {
	var out []SeriesRow
	for _, m := range months {
		y := m.Period[:4]
		if len(out) == 0 || out[len(out)-1].Period != y {
			out = append(out, SeriesRow{Period: y})
		}
		o := &out[len(out)-1]
		o.Months++
		if m.Covered == CoveredYes {
			o.CoveredMonths++
			o.add(aftermath.MonthTotal{Events: *m.Events, DeathsLow: *m.DeathsLow, DeathsBest: *m.DeathsBest,
				DeathsHigh: *m.DeathsHigh, DeathsCivilians: *m.DeathsCivilians})
		}
	}
	for i := range out {
		o := &out[i]
		switch {
		case o.CoveredMonths == 0:
			o.Covered = CoveredNo
		case o.CoveredMonths == 12:
			o.Covered = CoveredYes
		default:
			o.Covered = CoveredPartial
		}
	}
	return out
}

func seriesMethod(res *SeriesResult, opt SeriesOptions) string {
	s := fmt.Sprintf("Sums of the %s monthly aggregates for %s, %s to %s, by %s. A month is covered when an imported %s version reports on it for every country of the area "+
		"(versions: %s); a month that is not covered has no values, never zero.", opt.Dataset, res.Area, res.From, res.To, res.By, opt.Dataset, strings.Join(res.Versions, ", "))
	if res.By == "year" {
		s += " A partial year sums only its covered months; compare years by their monthly mean."
	}
	if len(opt.ViolenceTypes) > 0 {
		s += " Violence types: " + strings.Join(opt.ViolenceTypes, ", ") + "."
	}
	s += qualityText(opt.ClearOnly, opt.PreciseOnly)
	return s
}

func qualityText(clearOnly, preciseOnly bool) string {
	s := ""
	if clearOnly {
		s += " UCDP events whose code_status is Clear only (ACLED has no such status; all its events count)."
	}
	if preciseOnly {
		s += " Precise events only: UCDP where_prec 1–2 and date_prec 1–2; ACLED geo_precision 1 and time_precision 1–2."
	}
	return s
}

// SeriesHeader is the CSV header of `aftermath series`.
var SeriesHeader = []string{"period", "covered", "events", "deaths_low", "deaths_best", "deaths_high", "deaths_civilians"}

// WriteSeriesCSV writes the rows under SeriesHeader; the five figures are
// empty where a period is not covered.
func WriteSeriesCSV(w io.Writer, res *SeriesResult) error {
	cw := csvout.NewWriter(w)
	cw.Write(SeriesHeader)
	for _, r := range res.Rows {
		cw.Write([]string{r.Period, r.Covered, cell(r.Events), cell(r.DeathsLow), cell(r.DeathsBest), cell(r.DeathsHigh), cell(r.DeathsCivilians)})
	}
	cw.Flush()
	return cw.Error()
}

// WriteSeriesJSON writes the result as indented JSON.
func WriteSeriesJSON(w io.Writer, res *SeriesResult) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}

func cell(v *int64) string {
	if v == nil {
		return ""
	}
	return strconv.FormatInt(*v, 10)
}

func isMonth(m string) bool {
	if len(m) != 7 || m[4] != '-' {
		return false
	}
	y, err1 := strconv.Atoi(m[:4])
	mo, err2 := strconv.Atoi(m[5:])
	return err1 == nil && err2 == nil && y > 0 && mo >= 1 && mo <= 12
}
