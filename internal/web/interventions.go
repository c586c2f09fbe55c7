package web

import (
	"html/template"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"aftermath"
	"aftermath/internal/analysis"
	"aftermath/internal/chart"
	"aftermath/internal/i18n"
	"aftermath/internal/impact"
)

type interventionsPage struct {
	page
	Interventions []aftermath.Intervention
}

func (s *Server) interventions(w http.ResponseWriter, r *http.Request) {
	ivs, err := s.db.Interventions(r.Context(), viewerOf(r.Context()))
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "interventions.html", interventionsPage{page: s.newPage(w, r, "interventions.title"), Interventions: ivs})
}

type citedSource struct {
	aftermath.Citation
	Source aftermath.Source
}

// qualityView is one of the side-by-side re-runs: all data, Clear events
// only, precise locations only.
type qualityView struct {
	Quality string // "all", "clear" or "precise"
	Summary []impact.Period
	Harm    *impact.HarmReport
}

// partnerHarm is one partner force's harm rows, each with its figures in
// every re-run side by side (all data, Clear only, precise only).
type partnerHarm struct {
	impact.HarmPartner
	Linked    bool // a dataset name stands for it
	Qualities []string
	Lines     []harmLine
}

// harmLine is one measure and period; Cells holds the row of each re-run,
// in the order of Qualities (the coverage and dates are the same in all).
type harmLine struct {
	impact.HarmRow
	Cells []impact.HarmRow
}

type interventionPage struct {
	page
	I         *aftermath.Intervention
	Citations []citedSource
	Report    *impact.Report
	// Outcome is the measure of the charts and the summary; Outcomes the
	// others, for links.
	Outcome  string
	Outcomes []string
	// Query carries the outcome (and comparison) to the CSV links.
	Query                       string
	Monthly, Yearly, EventStudy template.HTML
	Views                       []qualityView
	Harm                        []partnerHarm
	Compare                     string
	DiDNote                     string // why the event study could not run
}

// qualities are the re-runs shown side by side, in order.
var qualities = []string{"all", "clear", "precise"}

// analysisOptions reads what a page or download of an intervention's
// analysis asks for: ?outcome=, ?quality=clear|precise and ?compare=ISO3,…
// (a comparison area, for the event study).
func analysisOptions(r *http.Request) (impact.Options, error) {
	q := r.URL.Query()
	opt := impact.Options{Viewer: viewerOf(r.Context()), Outcome: q.Get("outcome"), Method: "summary"}
	if opt.Outcome == "" {
		opt.Outcome = "events"
	}
	if !slices.Contains(impact.Outcomes, opt.Outcome) {
		return opt, aftermath.Errorf(aftermath.EINVALID, "outcome %q is not one of %s", opt.Outcome, strings.Join(impact.Outcomes, ", "))
	}
	switch q.Get("quality") {
	case "", "all":
	case "clear":
		opt.ClearOnly = true
	case "precise":
		opt.PreciseOnly = true
	default:
		return opt, aftermath.Errorf(aftermath.EINVALID, "quality %q is not all, clear or precise", q.Get("quality"))
	}
	for _, c := range strings.Split(q.Get("compare"), ",") {
		if c = strings.ToUpper(strings.TrimSpace(c)); c != "" {
			if !iso3RE.MatchString(c) {
				return opt, aftermath.Errorf(aftermath.EINVALID, "compare %q is not an ISO 3166-1 alpha-3 code", c)
			}
			opt.Comparison = append(opt.Comparison, c)
		}
	}
	if len(opt.Comparison) > 0 {
		opt.Method = "did"
	}
	return opt, nil
}

// analysisQuery is the query string that carries opt to a download link.
func analysisQuery(opt impact.Options) string {
	q := url.Values{}
	if opt.Outcome != "events" {
		q.Set("outcome", opt.Outcome)
	}
	if len(opt.Comparison) > 0 {
		q.Set("compare", strings.Join(opt.Comparison, ","))
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

func (s *Server) intervention(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	iv, err := s.db.FindIntervention(ctx, viewerOf(ctx), r.PathValue("slug"))
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	opt, err := analysisOptions(r)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	opt.ClearOnly, opt.PreciseOnly = false, false // the page shows every re-run side by side
	p := interventionPage{page: s.newPage(w, r, "interventions.title"), I: iv, Outcome: opt.Outcome, Query: analysisQuery(opt),
		Compare: strings.Join(opt.Comparison, ",")}
	p.Title = iv.Name
	for _, o := range impact.Outcomes {
		if o != opt.Outcome {
			p.Outcomes = append(p.Outcomes, o)
		}
	}
	for _, c := range iv.Citations {
		src, err := s.db.Source(ctx, viewerOf(ctx), c.SourceID)
		if err != nil {
			s.PageError(w, r, err)
			return
		}
		p.Citations = append(p.Citations, citedSource{Citation: c, Source: *src})
	}
	// The analysis needs imported data covering the intervention; without
	// it the page says so rather than failing.
	opt.SideBySide = true
	rep, err := impact.Analyze(ctx, s.db, iv, opt)
	if err != nil && len(opt.Comparison) > 0 && aftermath.ErrorCode(err) == aftermath.EINVALID {
		// The event study could not run (too few months, say): the rest
		// of the page still can.
		p.DiDNote = err.Error()
		opt.Method, opt.Comparison = "summary", nil
		rep, err = impact.Analyze(ctx, s.db, iv, opt)
	}
	if err == nil {
		p.Report = rep
		p.Monthly = s.monthlyChart(p.L, iv, rep)
		p.Yearly = s.yearlyChart(p.L, iv, rep)
		p.EventStudy = s.eventStudyChart(p.L, iv, rep)
		p.Views, p.Harm = sideBySide(rep)
	} else if aftermath.ErrorCode(err) != aftermath.EINVALID {
		s.PageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "intervention.html", p)
}

// sideBySide arranges a report's re-runs for the page: the summaries, and
// each partner force's harm rows per re-run.
func sideBySide(rep *impact.Report) ([]qualityView, []partnerHarm) {
	views := []qualityView{{Quality: "all", Summary: rep.Summary, Harm: rep.Harm}}
	for _, v := range rep.Variants {
		views = append(views, qualityView{Quality: v.Quality, Summary: v.Summary, Harm: v.Harm})
	}
	var harm []partnerHarm
	if rep.Harm == nil {
		return views, nil
	}
	for _, hp := range rep.Harm.Partners {
		ph := partnerHarm{HarmPartner: hp, Linked: len(hp.Names) > 0}
		for _, v := range views {
			if v.Harm == nil {
				continue
			}
			ph.Qualities = append(ph.Qualities, v.Quality)
			n := 0
			for _, row := range v.Harm.Rows {
				if row.Partner != hp.Name {
					continue
				}
				if v.Quality == "all" {
					ph.Lines = append(ph.Lines, harmLine{HarmRow: row})
				}
				if n < len(ph.Lines) {
					ph.Lines[n].Cells = append(ph.Lines[n].Cells, row)
				}
				n++
			}
		}
		harm = append(harm, ph)
	}
	return views, harm
}

// monthX places a YYYY-MM on the charts' x axis.
func monthX(m string) float64 { return float64(impact.MonthIndex(m)) }

// monthLabel labels a point of the charts' x axis.
func monthLabel(x float64) string { return impact.MonthOf(int(x)) }

// gapDesc names a run of months no dataset covers, for a chart's
// description.
func gapDesc(l *i18n.Locale) func(from, to float64) string {
	return func(from, to float64) string {
		if from == to {
			return l.T("chart.gap.one", "month", monthLabel(from))
		}
		return l.T("chart.gap.span", "from", monthLabel(from), "to", monthLabel(to))
	}
}

// outcomeAxis is the Y axis label of a monthly chart of the outcome.
func outcomeAxis(l *i18n.Locale, outcome string) string {
	return l.T("analysis.chart.per_month", "outcome", l.T("analysis.outcome."+outcome))
}

// creditVersions credits a dataset and names the versions counted.
func creditVersions(l *i18n.Locale, dataset string, versions []string) string {
	c := creditFor(l, dataset, nil)
	if len(versions) > 0 {
		c += " · " + l.T("analysis.versions", "versions", strings.Join(versions, ", "))
	}
	return c
}

// monthlyChart draws the outcome month by month: a gap for every month no
// imported version covers, UCDP's low–high range behind the line when the
// outcome has one, the partner forces' share dashed, the phases shaded.
func (s *Server) monthlyChart(l *i18n.Locale, iv *aftermath.Intervention, rep *impact.Report) template.HTML {
	total := chart.Series{Name: l.T("analysis.chart.all_perpetrators")}
	partner := chart.Series{Name: l.T("analysis.class.partner"), Dashed: true}
	ranged := false
	for _, m := range rep.Series {
		if m.Covered && (m.Low != m.Total || m.High != m.Total) {
			ranged = true
		}
	}
	for _, m := range rep.Series {
		x, y, p := monthX(m.Month), math.NaN(), math.NaN()
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
		XLabel: l.T("analysis.chart.month_axis"), YLabel: outcomeAxis(l, rep.Outcome), Credit: creditVersions(l, rep.Dataset, rep.Versions),
		Series: []chart.Series{total, partner}, FormatX: monthLabel, FormatY: func(v float64) string { return l.Number(v, 0) },
		RTL: l.Dir() == "rtl", Width: 720, Height: 340, GapLabel: l.T("chart.no_data"), GapDesc: gapDesc(l)}
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
			lc.Bands = append(lc.Bands, chart.Band{From: monthX(from), To: monthX(to), Label: ph.Name})
		}
	}
	svg, err := chart.Lines(lc)
	if err != nil {
		s.log.Error("monthly chart", "err", err)
	}
	return template.HTML(svg) // package chart escapes every text it draws
}

// yearNote is the note of a year the data cover only in part.
func yearNote(l *i18n.Locale, y impact.Year) string {
	if y.Covered != impact.CoveredPartial {
		return ""
	}
	return l.T("analysis.year_partial", "year", y.Year, "covered", y.CoveredMonths, "months", 12)
}

// yearlyChart draws each year's monthly mean (the year's sum over its
// covered months) by perpetrator class: a partial year is marked, a year no
// version covers is shown as no data.
func (s *Server) yearlyChart(l *i18n.Locale, iv *aftermath.Intervention, rep *impact.Report) template.HTML {
	bc := chart.BarChart{Title: l.T("analysis.chart.yearly", "outcome", l.T("analysis.outcome."+rep.Outcome)), Desc: iv.Name,
		XLabel: l.T("analysis.chart.year_axis"), YLabel: l.T("analysis.chart.mean_axis", "outcome", l.T("analysis.outcome."+rep.Outcome)),
		Credit: creditVersions(l, rep.Dataset, rep.Versions), RTL: l.Dir() == "rtl", Width: 720, Height: 340,
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
	if err != nil {
		s.log.Error("yearly chart", "err", err)
	}
	return template.HTML(svg) // package chart escapes every text it draws
}

// eventStudyChart draws the event study when the difference-in-differences
// ran (a comparison area was given).
func (s *Server) eventStudyChart(l *i18n.Locale, iv *aftermath.Intervention, rep *impact.Report) template.HTML {
	es, ok := rep.EventStudy.(*analysis.EventStudyResult)
	if !ok || es == nil {
		return ""
	}
	labels := map[int]string{-1: "-1"}
	c := chart.EventStudyChart{Title: l.T("analysis.chart.event_study"), Desc: iv.Name, XLabel: l.T("analysis.chart.event_time"),
		YLabel: l.T("analysis.chart.event_effect", "outcome", l.T("analysis.outcome."+rep.Outcome)), Credit: creditVersions(l, rep.Dataset, rep.Versions),
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
	if err != nil {
		s.log.Error("event study chart", "err", err)
		return ""
	}
	return template.HTML(svg) // package chart escapes every text it draws
}
