package figures

import (
	"cmp"
	"html/template"
	"math"
	"slices"
	"strconv"

	"aftermath"
	"aftermath/internal/chart"
	"aftermath/internal/i18n"
)

// maxSuppliers is how many suppliers an arms chart names; the rest share
// one segment.
const maxSuppliers = 5

// ArmsByYear draws the arms delivered to a country by delivery year
// (SIPRI TIV, millions), the largest suppliers each a segment. Years
// from..to with no delivery are drawn as zero: SIPRI's register lists
// every delivery of major conventional arms it identified, so a year
// without one is a year none was identified, and the description says
// the spread of undated deliveries is an estimate.
func ArmsByYear(l *i18n.Locale, iso3 string, ds []aftermath.DeliveryYear, from, to int) (template.HTML, error) {
	if len(ds) == 0 {
		return "", nil
	}
	totals := map[string]aftermath.MilliTIV{}
	lo, hi := math.MaxInt, 0
	for _, d := range ds {
		totals[d.Supplier] += d.TIV
		lo, hi = min(lo, d.Year), max(hi, d.Year)
	}
	if from != 0 {
		lo = from
	}
	if to != 0 {
		hi = to
	}
	names := make([]string, 0, len(totals))
	for n := range totals {
		names = append(names, n)
	}
	slices.SortFunc(names, func(a, b string) int { return cmp.Or(cmp.Compare(totals[b], totals[a]), cmp.Compare(a, b)) })
	named := names[:min(len(names), maxSuppliers)]
	segs := make([]chart.Segment, len(named))
	for i, n := range named {
		segs[i].Name = n
	}
	if len(names) > len(named) {
		segs = append(segs, chart.Segment{Name: l.T("money.chart.other_suppliers")})
	}
	country := Country(l, iso3, iso3)
	bc := chart.BarChart{Title: l.T("money.chart.arms", "country", country), Desc: l.T("money.chart.arms_desc"),
		XLabel: l.T("money.chart.delivery_year"), YLabel: l.T("money.chart.tiv_axis"), Credit: l.T("money.credit.sipri"),
		RTL: l.Dir() == "rtl", Width: 720, Height: 360, FormatY: func(v float64) string { return l.Number(v, 0) }}
	for y := lo; y <= hi; y++ {
		bc.Categories = append(bc.Categories, strconv.Itoa(y))
		for i := range segs {
			segs[i].Values = append(segs[i].Values, 0)
		}
	}
	for _, d := range ds {
		if d.Year < lo || d.Year > hi {
			continue
		}
		i := slices.Index(named, d.Supplier)
		if i < 0 {
			i = len(segs) - 1
		}
		segs[i].Values[d.Year-lo] += float64(d.TIV) / 1000
	}
	bc.Segments = segs
	svg, err := chart.StackedBars(bc)
	return template.HTML(svg), err // package chart escapes every text it draws
}

// LandscapeBuckets are the funding landscape's parts, bottom up.
var LandscapeBuckets = []string{aftermath.BucketSecurity, aftermath.BucketPeacebuilding, aftermath.BucketOther, aftermath.BucketNoSector}

// LandscapeCurrency is the currency a landscape chart shows: the one
// asked for, else the one with the largest total (values in different
// currencies are never added).
func LandscapeCurrency(land *aftermath.Landscape, want string) string {
	if want != "" {
		return want
	}
	totals := map[string]float64{}
	best := ""
	for _, r := range land.Rows {
		totals[r.Currency] += math.Abs(r.Total)
		if best == "" || totals[r.Currency] > totals[best] || totals[r.Currency] == totals[best] && r.Currency < best {
			best = r.Currency
		}
	}
	return best
}

// Landscape draws a country's aid by year and purpose in one currency:
// security, peacebuilding, other and no sector stacked. A year with no
// transaction reported has no bar (not zero): IATI holds only what
// publishers report.
func Landscape(l *i18n.Locale, iso3 string, land *aftermath.Landscape, currency string) (template.HTML, error) {
	currency = LandscapeCurrency(land, currency)
	var rows []aftermath.LandscapeRow
	for _, r := range land.Rows {
		if r.Currency == currency {
			rows = append(rows, r)
		}
	}
	if len(rows) == 0 {
		return "", nil
	}
	bc := chart.BarChart{Title: l.T("money.chart.aid", "country", Country(l, iso3, iso3), "currency", currency), Desc: l.T("money.chart.aid_desc"),
		XLabel: l.T("money.chart.year"), YLabel: currency, Credit: l.T("money.credit.iati"), RTL: l.Dir() == "rtl", Width: 720, Height: 360,
		FormatY: func(v float64) string { return l.Number(v, 0) }, MissingLabel: l.T("chart.no_data")}
	negative := false
	segs := make([]chart.Segment, len(LandscapeBuckets))
	for i, b := range LandscapeBuckets {
		segs[i].Name = l.T("money.bucket." + b)
	}
	for y := rows[0].Year; y <= rows[len(rows)-1].Year; y++ {
		bc.Categories = append(bc.Categories, strconv.Itoa(y))
		i := slices.IndexFunc(rows, func(r aftermath.LandscapeRow) bool { return r.Year == y })
		for j, b := range LandscapeBuckets {
			v := math.NaN()
			if i >= 0 {
				v = rows[i].Buckets[b]
				if v < 0 {
					// A net negative (de-obligations exceeding
					// disbursements) cannot be stacked: drawn as none,
					// said in the description, given in the tables.
					v, negative = 0, true
				}
			}
			segs[j].Values = append(segs[j].Values, v)
		}
	}
	if negative {
		bc.Desc += " " + l.T("money.chart.aid_negative")
	}
	bc.Segments = segs
	svg, err := chart.StackedBars(bc)
	return template.HTML(svg), err
}
