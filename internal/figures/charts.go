// Package figures draws and words the figures of an intervention — its
// charts, its numbers with their ranges, its method text and data credit —
// in the reader's language, for every place that shows them: the web
// pages, briefs (web, PDF, static site) and the embeds others show. One
// drawing everywhere, so a brief cannot show another number than the page
// it cites.
package figures

import (
	"html/template"
	"math"
	"strings"

	"aftermath"
	"aftermath/internal/analysis"
	"aftermath/internal/chart"
	"aftermath/internal/i18n"
	"aftermath/internal/impact"
)

// Credit names the data sources of a figure that shows one dataset, or
// all those listed.
func Credit(l *i18n.Locale, dataset string, all []aftermath.Dataset) string {
	var names []string
	if dataset != "" {
		names = []string{dataset}
	}
	for _, d := range all {
		if dataset == "" {
			names = append(names, d.Name)
		}
	}
	var out []string
	for _, n := range names {
		if c := l.T("data.credit." + n); c != "data.credit."+n {
			out = append(out, c)
		}
	}
	return strings.Join(out, "; ")
}

// MonthX places a YYYY-MM on the charts' x axis.
func MonthX(m string) float64 { return float64(impact.MonthIndex(m)) }

// MonthLabel labels a point of the charts' x axis.
func MonthLabel(x float64) string { return impact.MonthOf(int(x)) }

// GapDesc names a run of months no dataset covers, for a chart's
// description.
func GapDesc(l *i18n.Locale) func(from, to float64) string {
	return func(from, to float64) string {
		if from == to {
			return l.T("chart.gap.one", "month", MonthLabel(from))
		}
		return l.T("chart.gap.span", "from", MonthLabel(from), "to", MonthLabel(to))
	}
}

// OutcomeAxis is the Y axis label of a monthly chart of the outcome.
func OutcomeAxis(l *i18n.Locale, outcome string) string {
	return l.T("analysis.chart.per_month", "outcome", l.T("analysis.outcome."+outcome))
}

// CreditVersions credits a dataset and names the versions counted.
func CreditVersions(l *i18n.Locale, dataset string, versions []string) string {
	c := Credit(l, dataset, nil)
	if len(versions) > 0 {
		c += " · " + l.T("analysis.versions", "versions", strings.Join(versions, l.T("lang.list_separator")))
	}
	return c
}

// Monthly draws the outcome month by month: a gap for every month no
// imported version covers, UCDP's low–high range behind the line when the
// outcome has one, the partner forces' share dashed, the phases shaded.
func Monthly(l *i18n.Locale, iv *aftermath.Intervention, rep *impact.Report) (template.HTML, error) {
	iv = Localized(l, iv)
	total := chart.Series{Name: l.T("analysis.chart.all_perpetrators")}
	partner := chart.Series{Name: l.T("analysis.class.partner"), Dashed: true}
	ranged := false
	for _, m := range rep.Series {
		if m.Covered && (m.Low != m.Total || m.High != m.Total) {
			ranged = true
		}
	}
	for _, m := range rep.Series {
		x, y, p := MonthX(m.Month), math.NaN(), math.NaN()
		lo, hi := math.NaN(), math.NaN()
		if m.Covered {
			y, p, lo, hi = float64(m.Total), float64(m.Partner), float64(min(m.Low, m.High)), float64(max(m.Low, m.High))
		}
		total.Points = append(total.Points, chart.Point{X: x, Y: y})
		partner.Points = append(partner.Points, chart.Point{X: x, Y: p})
		if ranged {
			total.Bounds = append(total.Bounds, chart.Bound{X: x, Low: lo, High: hi})
		}
	}
	if ranged {
		total.RangeName = l.T("analysis.chart.range")
	}
	lc := chart.LineChart{Title: l.T("analysis.chart.monthly", "outcome", l.T("analysis.outcome."+rep.Outcome)), Desc: iv.Name,
		XLabel: l.T("analysis.chart.month_axis"), YLabel: OutcomeAxis(l, rep.Outcome), Credit: CreditVersions(l, rep.Dataset, rep.Versions),
		Series: []chart.Series{total, partner}, FormatX: MonthIn(l), FormatY: func(v float64) string { return l.Number(v, 0) },
		RTL: l.Dir() == "rtl", Width: 720, Height: 340, GapLabel: l.T("chart.no_data"), GapDesc: GapDesc(l)}
	last := rep.Series[len(rep.Series)-1].Month
	for _, ph := range iv.Phases {
		from, to := ph.Start[:7], last
		if ph.End != "" && ph.End[:7] < to {
			to = ph.End[:7]
		}
		if from < rep.Window[0] {
			from = rep.Window[0]
		}
		if from <= to {
			lc.Bands = append(lc.Bands, chart.Band{From: MonthX(from), To: MonthX(to), Label: ph.Name})
		}
	}
	svg, err := chart.Lines(lc)
	return template.HTML(svg), err // package chart escapes every text it draws
}

// yearNote is the note of a year the data cover only in part.
func yearNote(l *i18n.Locale, y impact.Year) string {
	if y.Covered != impact.CoveredPartial {
		return ""
	}
	return l.T("analysis.year_partial", "year", y.Year, "covered", y.CoveredMonths, "months", 12)
}

// Yearly draws each year's monthly mean (the year's sum over its
// covered months) by perpetrator class: a partial year is marked, a year no
// version covers is shown as no data.
func Yearly(l *i18n.Locale, iv *aftermath.Intervention, rep *impact.Report) (template.HTML, error) {
	iv = Localized(l, iv)
	bc := chart.BarChart{Title: l.T("analysis.chart.yearly", "outcome", l.T("analysis.outcome."+rep.Outcome)), Desc: iv.Name,
		XLabel: l.T("analysis.chart.year_axis"), YLabel: l.T("analysis.chart.mean_axis", "outcome", l.T("analysis.outcome."+rep.Outcome)),
		Credit: CreditVersions(l, rep.Dataset, rep.Versions), RTL: l.Dir() == "rtl", Width: 720, Height: 340,
		FormatY: func(v float64) string { return l.Number(v, 1) }, PartialLabel: l.T("chart.partial_year"), MissingLabel: l.T("chart.no_data")}
	segs := []chart.Segment{{Name: l.T("analysis.class.partner")}, {Name: l.T("analysis.class.intervening")},
		{Name: l.T("analysis.class.armed_groups")}, {Name: l.T("analysis.class.others")}}
	partial := false
	for _, y := range rep.Yearly {
		bc.Categories = append(bc.Categories, y.Year)
		bc.Partial = append(bc.Partial, yearNote(l, y))
		partial = partial || y.Covered == impact.CoveredPartial
		for i, v := range []int64{y.Partner, y.Intervening, y.ArmedGroups, y.Others} {
			mean := math.NaN()
			if y.Covered != impact.CoveredNo {
				mean = y.MonthlyMean(v)
			}
			segs[i].Values = append(segs[i].Values, mean)
		}
	}
	if !partial {
		bc.Partial = nil
	}
	bc.Segments = segs
	svg, err := chart.StackedBars(bc)
	return template.HTML(svg), err // package chart escapes every text it draws
}

// EventStudy draws the event study when the difference-in-differences
// ran (a comparison area was given).
func EventStudy(l *i18n.Locale, iv *aftermath.Intervention, rep *impact.Report) (template.HTML, error) {
	iv = Localized(l, iv)
	es, ok := rep.EventStudy.(*analysis.EventStudyResult)
	if !ok || es == nil {
		return "", nil
	}
	labels := map[int]string{-1: "-1"}
	c := chart.EventStudyChart{Title: l.T("analysis.chart.event_study"), Desc: iv.Name, XLabel: l.T("analysis.chart.event_time"),
		YLabel: l.T("analysis.chart.event_effect", "outcome", l.T("analysis.outcome."+rep.Outcome)), Credit: CreditVersions(l, rep.Dataset, rep.Versions),
		EstimateLabel: l.T("analysis.chart.estimate"), IntervalLabel: l.T("analysis.chart.interval"), OnsetLabel: l.T("analysis.chart.onset"),
		FormatY: func(v float64) string { return l.Number(v, 1) }, RTL: l.Dir() == "rtl", Width: 720, Height: 340}
	c.Coefs = append(c.Coefs, chart.Coef{T: es.Reference, Estimate: 0, Low: math.NaN(), High: math.NaN()})
	for _, k := range es.Coefficients {
		labels[k.K] = k.Label
		c.Coefs = append(c.Coefs, chart.Coef{T: k.K, Estimate: k.Coef, Low: k.CILow, High: k.CIHigh})
	}
	c.FormatX = func(k int) string {
		if s, ok := labels[k]; ok {
			return s
		}
		return l.Number(float64(k), 0)
	}
	svg, err := chart.EventStudy(c)
	return template.HTML(svg), err // package chart escapes every text it draws
}
