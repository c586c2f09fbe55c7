// Package impact measures what followed an intervention, from the monthly
// aggregates of the event store: the monthly series of its area split by
// perpetrator class, before / during / after summaries, harm by the forces
// it backed, spread, and the statistical methods of package analysis. Every
// result says how it was made and what it cannot show.
package impact

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"aftermath"
)

// Outcomes that can be analysed.
var Outcomes = []string{"events", "deaths_best", "deaths_civilians"}

// Methods that can be asked for; "all" runs every one whose inputs exist.
var Methods = []string{"summary", "its", "did", "synth", "all"}

// Options say what to measure.
type Options struct {
	// Viewer is who asks: datasets they may not see are not read (the
	// zero value is an anonymous visitor).
	Viewer        aftermath.Viewer
	Dataset       string
	Outcome       string // one of Outcomes; default events
	Method        string // one of Methods; default summary
	ViolenceTypes []string
	// ClearOnly and PreciseOnly re-run everything on UCDP's Clear events
	// or on precisely placed and dated events only.
	ClearOnly, PreciseOnly bool
	// SideBySide adds the summary and harm of the Clear-only and
	// precise-only re-runs to the report.
	SideBySide bool
	// Comparison is the area DiD compares with (ISO 3166-1 alpha-3 codes).
	Comparison []string
	// Donors are the countries synthetic control may weigh (alpha-3);
	// empty: the countries with the most events before the intervention,
	// up to MaxDonors, leaving out those hosting a recorded intervention in
	// the window and the area's land neighbours unless IncludeExcluded.
	Donors          []string
	MaxDonors       int
	IncludeExcluded bool
	HACLags         int // as analysis.ITSOptions.HACLags, for ITS and DiD
	Placebos        bool
	// Model is the ITS model: ols (default), poisson or negbin; Seasonal
	// adds month-of-year terms.
	Model    string
	Seasonal bool
	// MinPre is the fewest pre-period times synthetic control accepts
	// (default 10); SynthAggregate sums months into quarters or years;
	// SynthLog fits log(1 + outcome).
	MinPre         int
	SynthAggregate string
	SynthLog       bool
}

// Month is one month of the area's series, by perpetrator class. Others is
// the total less the three named classes. A month the data do not cover
// has no figures: its values are null in JSON and must not be read as 0.
type Month struct {
	Month       string
	Covered     bool
	Total       int64
	Low, High   int64 // the outcome's low–high range (deaths_best: UCDP low and high; counts: the total)
	Partner     int64
	Intervening int64
	ArmedGroups int64
	Others      int64
}

// MarshalJSON writes null figures for a month that is not covered.
func (m Month) MarshalJSON() ([]byte, error) {
	type fig = *int64
	v := func(n int64) fig {
		if !m.Covered {
			return nil
		}
		return &n
	}
	return json.Marshal(struct {
		Month       string `json:"month"`
		Covered     bool   `json:"covered"`
		Total       fig    `json:"total"`
		Low         fig    `json:"low"`
		High        fig    `json:"high"`
		Partner     fig    `json:"partner_forces"`
		Intervening fig    `json:"intervening_forces"`
		ArmedGroups fig    `json:"armed_groups"`
		Others      fig    `json:"others"`
	}{m.Month, m.Covered, v(m.Total), v(m.Low), v(m.High), v(m.Partner), v(m.Intervening), v(m.ArmedGroups), v(m.Others)})
}

// Year sums the covered months of a calendar year. Covered is yes, no or
// partial; a partial year is compared with others by its monthly mean.
type Year struct {
	Year          string
	Covered       string
	CoveredMonths int
	Total         int64
	Low, High     int64
	Partner       int64
	Intervening   int64
	ArmedGroups   int64
	Others        int64
}

// MonthlyMean is the year's total over its covered months (0 when none).
func (y Year) MonthlyMean(v int64) float64 {
	if y.CoveredMonths == 0 {
		return 0
	}
	return float64(v) / float64(y.CoveredMonths)
}

// MarshalJSON writes null figures for a year that is not covered.
func (y Year) MarshalJSON() ([]byte, error) {
	type fig = *int64
	v := func(n int64) fig {
		if y.Covered == CoveredNo {
			return nil
		}
		return &n
	}
	var mean *float64
	if y.CoveredMonths > 0 {
		m := y.MonthlyMean(y.Total)
		mean = &m
	}
	return json.Marshal(struct {
		Year          string   `json:"year"`
		Covered       string   `json:"covered"`
		CoveredMonths int      `json:"covered_months"`
		Total         fig      `json:"total"`
		Low           fig      `json:"low"`
		High          fig      `json:"high"`
		MonthlyMean   *float64 `json:"monthly_mean"`
		Partner       fig      `json:"partner_forces"`
		Intervening   fig      `json:"intervening_forces"`
		ArmedGroups   fig      `json:"armed_groups"`
		Others        fig      `json:"others"`
	}{y.Year, y.Covered, y.CoveredMonths, v(y.Total), v(y.Low), v(y.High), mean, v(y.Partner), v(y.Intervening), v(y.ArmedGroups), v(y.Others)})
}

// Period summarises part of the window. Months counts the calendar months,
// CoveredMonths those the data cover; the figures sum covered months only
// and are null in JSON when none is covered.
type Period struct {
	Name          string  `json:"name"`
	From          string  `json:"from"`
	To            string  `json:"to"`
	Months        int     `json:"months"`
	CoveredMonths int     `json:"covered_months"`
	Covered       string  `json:"covered"`
	Total         *int64  `json:"total"`
	Low           *int64  `json:"low"`
	High          *int64  `json:"high"`
	MonthlyMean   float64 `json:"monthly_mean"`
}

// Variant is the summary and harm of a re-run on part of the data.
type Variant struct {
	Quality string      `json:"quality"` // clear or precise
	Summary []Period    `json:"summary"`
	Harm    *HarmReport `json:"harm,omitempty"`
}

// Report is the result of Analyze.
type Report struct {
	Intervention string         `json:"intervention"`
	Dataset      string         `json:"dataset"`
	Outcome      string         `json:"outcome"`
	Coverage     [2]string      `json:"coverage"` // first and last month covered for the area
	Window       [2]string      `json:"window"`
	Versions     []string       `json:"versions"` // the dataset versions whose coverage counts
	Series       []Month        `json:"series"`
	Yearly       []Year         `json:"yearly"`
	Summary      []Period       `json:"summary"`
	Harm         *HarmReport    `json:"harm_by_partner_forces,omitempty"`
	Variants     []Variant      `json:"variants,omitempty"`
	Spread       map[string]int `json:"spread_admin1_areas_per_year"`
	ITS          any            `json:"its,omitempty"`
	DiD          any            `json:"did,omitempty"`
	EventStudy   any            `json:"event_study,omitempty"`
	Synth        any            `json:"synth,omitempty"`
	Method       string         `json:"method"`
	Caveats      []string       `json:"caveats"`
	Quality      string         `json:"quality,omitempty"` // "", clear or precise
	// The numbers in Method, for pages that write it in other languages.
	PartnerActors int      `json:"partner_actors"`    // dataset actors linked to the partner forces
	BackerActors  int      `json:"backer_actors"`     // dataset actors linked to the backers
	Area          string   `json:"area"`              // ISO 3166-1 alpha-3 codes and admin-1 names
	Uncovered     int      `json:"uncovered_months"`  // months of the window the data do not cover
	Skipped       []string `json:"skipped,omitempty"` // methods not run, with the reason
	coverage      aftermath.CoverageSet
}

func (o *Options) check() error {
	if o.Outcome == "" {
		o.Outcome = "events"
	}
	if o.Method == "" {
		o.Method = "summary"
	}
	if o.Model == "" {
		o.Model = "ols"
	}
	if !slices.Contains(Outcomes, o.Outcome) {
		return aftermath.Errorf(aftermath.EINVALID, "outcome %q is not one of %s", o.Outcome, strings.Join(Outcomes, ", "))
	}
	if !slices.Contains(Methods, o.Method) {
		return aftermath.Errorf(aftermath.EINVALID, "method %q is not one of %s", o.Method, strings.Join(Methods, ", "))
	}
	if !slices.Contains([]string{"ols", "poisson", "negbin"}, o.Model) {
		return aftermath.Errorf(aftermath.EINVALID, "model %q is not one of ols, poisson, negbin", o.Model)
	}
	if o.MaxDonors <= 0 {
		o.MaxDonors = 40
	}
	return nil
}

func (o *Options) wants(m string) bool { return o.Method == m || o.Method == "all" }

// Analyze measures what followed an intervention in its area.
func Analyze(ctx context.Context, db aftermath.EventFigures, iv *aftermath.Intervention, opt Options) (*Report, error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	if len(iv.Area) == 0 {
		return nil, aftermath.Errorf(aftermath.EINVALID, "intervention %s has no area to analyse", iv.Slug)
	}
	if opt.Dataset == "" {
		opt.Dataset = aftermath.DatasetUCDP
	}
	cov, err := db.DatasetCoverage(ctx, opt.Viewer, opt.Dataset)
	if err != nil {
		return nil, err
	}
	countries := areaCountries(iv.Area)
	first, last := cov.Span(countries...)
	if first == "" {
		return nil, aftermath.Errorf(aftermath.EINVALID, "no imported %s version covers %s", opt.Dataset, strings.Join(countries, ", "))
	}
	r := &Report{Intervention: iv.Slug, Dataset: opt.Dataset, Outcome: opt.Outcome, Coverage: [2]string{first, last}, Spread: map[string]int{}, coverage: cov}
	for _, c := range cov {
		if !slices.Contains(r.Versions, c.Version) {
			r.Versions = append(r.Versions, c.Version)
		}
	}
	start, end := month(iv.Start()), month(iv.End())
	if end == "" || end > last {
		end = last
	}
	// The window: the intervention, with as long a span before and after
	// as it lasted, within what the dataset covers.
	length := monthsBetween(start, end) + 1
	from, to := addMonths(start, -length), addMonths(end, length)
	from, to = max(from, first), min(to, last)
	if from > to || start > last || end < first {
		return nil, aftermath.Errorf(aftermath.EINVALID, "the %s data (%s to %s) does not cover intervention %s (%s to %s)",
			opt.Dataset, first, last, iv.Slug, start, month(iv.End()))
	}
	r.Window = [2]string{from, to}
	if opt.ClearOnly {
		r.Quality = "clear"
	} else if opt.PreciseOnly {
		r.Quality = "precise"
	}
	f := aftermath.AreaFilter{Viewer: opt.Viewer, Dataset: opt.Dataset, Area: iv.Area, From: from, To: to, ViolenceTypes: opt.ViolenceTypes,
		ClearOnly: opt.ClearOnly, PreciseOnly: opt.PreciseOnly}
	if err := r.fill(ctx, db, iv, opt, f, countries); err != nil {
		return nil, err
	}
	spread, err := db.Spread(ctx, f)
	if err != nil {
		return nil, err
	}
	for y, n := range spread {
		r.Spread[strconv.Itoa(y)] = n
	}
	hopt := HarmOptions{Viewer: opt.Viewer, Dataset: opt.Dataset, ClearOnly: opt.ClearOnly, PreciseOnly: opt.PreciseOnly}
	if len(iv.PartnerForces) > 0 {
		if r.Harm, err = Harm(ctx, db, iv, hopt); err != nil {
			return nil, err
		}
	}
	if opt.SideBySide {
		for _, q := range []string{"clear", "precise"} {
			vf, vh := f, hopt
			vf.ClearOnly, vf.PreciseOnly = q == "clear", q == "precise"
			vh.ClearOnly, vh.PreciseOnly = vf.ClearOnly, vf.PreciseOnly
			vr := &Report{coverage: cov, Window: r.Window}
			if err := vr.fill(ctx, db, iv, opt, vf, countries); err != nil {
				return nil, err
			}
			v := Variant{Quality: q, Summary: vr.Summary}
			if len(iv.PartnerForces) > 0 {
				if v.Harm, err = Harm(ctx, db, iv, vh); err != nil {
					return nil, err
				}
			}
			r.Variants = append(r.Variants, v)
		}
	}
	r.Area = areaText(iv.Area)
	r.Method = fmt.Sprintf("Monthly sums of %s %s in %s from the monthly aggregates of %s (versions %s; covered for this area from %s to %s), %s to %s: "+
		"the intervention's span and as long a span before and after it, within the data. A month no imported version covers for the whole area has no figures (%d such months here): "+
		"it is a gap, never a zero, and periods and years sum only their covered months. "+
		"Perpetrator classes follow the primary actor of each event (UCDP side A, ACLED actor 1): partner forces and intervening forces are the dataset actors "+
		"linked to the intervention's partner forces (%d) and backers (%d), in the months their dataset names mean them; armed groups are other non-state actors; others are the rest.",
		opt.Dataset, opt.Outcome, r.Area, opt.Dataset, strings.Join(r.Versions, ", "), first, last, from, to, r.Uncovered, r.PartnerActors, r.BackerActors)
	if len(opt.ViolenceTypes) > 0 {
		r.Method += " Violence types: " + strings.Join(opt.ViolenceTypes, ", ") + "."
	}
	r.Method += qualityText(opt.ClearOnly, opt.PreciseOnly)
	r.Caveats = []string{
		"Reported events are a lower bound on what happened; reporting coverage changes over time and between places.",
		"A change after an intervention began is an association, not proof that the intervention caused it.",
		"The perpetrator split counts UCDP's side A as the perpetrator of every state-based event, including fighting the other side began; harm by partner forces uses its own measures instead.",
	}
	if r.Uncovered > 0 {
		r.Caveats = append(r.Caveats, fmt.Sprintf("%d months of the window are not covered by any imported version; they are left out of every sum and model.", r.Uncovered))
	}
	if err := runMethods(ctx, db, iv, opt, r, f); err != nil {
		return nil, err
	}
	return r, nil
}

// fill reads the monthly series by perpetrator class for the window and
// derives the yearly sums and the period summary.
func (r *Report) fill(ctx context.Context, db aftermath.EventFigures, iv *aftermath.Intervention, opt Options, f aftermath.AreaFilter, countries []string) error {
	total, err := db.MonthlyTotals(ctx, f)
	if err != nil {
		return err
	}
	partnerSpans, backerSpans := classSpans(iv.PartnerForces, opt.Dataset), classSpans(iv.Backers, opt.Dataset)
	partner, err := db.ActorMonthlyTotals(ctx, f, aftermath.ActorSelect{Spans: partnerSpans})
	if err != nil {
		return err
	}
	backer, err := db.ActorMonthlyTotals(ctx, f, aftermath.ActorSelect{Spans: backerSpans})
	if err != nil {
		return err
	}
	armed, err := db.ActorMonthlyTotals(ctx, f, aftermath.ActorSelect{Kinds: []string{aftermath.KindArmedGroup}, ExcludeSpans: append(slices.Clone(partnerSpans), backerSpans...)})
	if err != nil {
		return err
	}
	r.PartnerActors, r.BackerActors = distinctActors(partnerSpans), distinctActors(backerSpans)
	pick, low, high := outcomeOf(opt.Outcome), outcomeOf(lowOf(opt.Outcome)), outcomeOf(highOf(opt.Outcome))
	cal := calendar(f.From, f.To)
	r.Series = r.Series[:0]
	for _, m := range cal {
		c := r.coverage.Covers(m, countries...)
		if !c {
			r.Uncovered++
		}
		r.Series = append(r.Series, Month{Month: m, Covered: c})
	}
	fill := func(ms []aftermath.MonthTotal, set func(*Month, aftermath.MonthTotal)) {
		idx := map[string]aftermath.MonthTotal{}
		for _, m := range ms {
			idx[m.Month] = m
		}
		for i := range r.Series {
			if r.Series[i].Covered {
				set(&r.Series[i], idx[r.Series[i].Month])
			}
		}
	}
	fill(total, func(m *Month, t aftermath.MonthTotal) { m.Total, m.Low, m.High = pick(t), low(t), high(t) })
	fill(partner, func(m *Month, t aftermath.MonthTotal) { m.Partner = pick(t) })
	fill(backer, func(m *Month, t aftermath.MonthTotal) { m.Intervening = pick(t) })
	fill(armed, func(m *Month, t aftermath.MonthTotal) { m.ArmedGroups = pick(t) })
	for i := range r.Series {
		m := &r.Series[i]
		m.Others = m.Total - m.Partner - m.Intervening - m.ArmedGroups
	}
	r.Yearly = yearly(r.Series)
	r.Summary = summarize(r.Series, iv, f.From, f.To)
	return nil
}

// classSpans lists, for the perpetrator split of the monthly aggregates,
// the linked actors of a class in the months their dataset names mean
// them: a dated name counts only in the months it covers whole (the harm
// measures, read from events, use the exact days).
func classSpans(list []aftermath.InterventionActor, dataset string) []aftermath.ActorSpan {
	var out []aftermath.ActorSpan
	for _, a := range list {
		for _, l := range a.Links {
			if l.ActorID == 0 || l.Dataset != dataset {
				continue
			}
			s := aftermath.ActorSpan{ActorID: l.ActorID}
			if l.From != "" {
				s.From = month(l.From)
				if l.From[8:] != "01" {
					s.From = addMonths(s.From, 1)
				}
			}
			if l.To != "" {
				s.To = month(l.To)
				if l.To != lastDay(s.To) {
					s.To = addMonths(s.To, -1)
				}
			}
			if s.From == "" || s.To == "" || s.From <= s.To {
				out = append(out, s)
			}
		}
	}
	return out
}

func distinctActors(spans []aftermath.ActorSpan) int {
	seen := map[int64]bool{}
	for _, s := range spans {
		seen[s.ActorID] = true
	}
	return len(seen)
}

func lowOf(outcome string) string {
	if outcome == "deaths_best" {
		return "deaths_low"
	}
	return outcome
}

func highOf(outcome string) string {
	if outcome == "deaths_best" {
		return "deaths_high"
	}
	return outcome
}

func yearly(series []Month) []Year {
	var out []Year
	for _, m := range series {
		y := m.Month[:4]
		if len(out) == 0 || out[len(out)-1].Year != y {
			out = append(out, Year{Year: y})
		}
		o := &out[len(out)-1]
		if !m.Covered {
			continue
		}
		o.CoveredMonths++
		o.Total += m.Total
		o.Low += m.Low
		o.High += m.High
		o.Partner += m.Partner
		o.Intervening += m.Intervening
		o.ArmedGroups += m.ArmedGroups
		o.Others += m.Others
	}
	for i := range out {
		switch out[i].CoveredMonths {
		case 0:
			out[i].Covered = CoveredNo
		case 12:
			out[i].Covered = CoveredYes
		default:
			out[i].Covered = CoveredPartial
		}
	}
	return out
}

func outcomeOf(outcome string) func(aftermath.MonthTotal) int64 {
	switch outcome {
	case "deaths_best":
		return func(m aftermath.MonthTotal) int64 { return m.DeathsBest }
	case "deaths_low":
		return func(m aftermath.MonthTotal) int64 { return m.DeathsLow }
	case "deaths_high":
		return func(m aftermath.MonthTotal) int64 { return m.DeathsHigh }
	case "deaths_civilians":
		return func(m aftermath.MonthTotal) int64 { return m.DeathsCivilians }
	}
	return func(m aftermath.MonthTotal) int64 { return m.Events }
}

func summarize(series []Month, iv *aftermath.Intervention, from, to string) []Period {
	sum := func(name, a, b string) Period {
		p := Period{Name: name, From: a, To: b}
		var total, low, high int64
		for _, m := range series {
			if m.Month >= a && m.Month <= b {
				p.Months++
				if m.Covered {
					p.CoveredMonths++
					total += m.Total
					low += m.Low
					high += m.High
				}
			}
		}
		switch {
		case p.CoveredMonths == 0:
			p.Covered = CoveredNo
		case p.CoveredMonths < p.Months:
			p.Covered = CoveredPartial
		default:
			p.Covered = CoveredYes
		}
		if p.CoveredMonths > 0 {
			p.Total, p.Low, p.High = &total, &low, &high
			p.MonthlyMean = float64(total) / float64(p.CoveredMonths)
		}
		return p
	}
	// Periods are cut to the window; one wholly outside it is left out.
	var out []Period
	add := func(name, a, b string) {
		a, b = max(a, from), min(b, to)
		if a <= b {
			out = append(out, sum(name, a, b))
		}
	}
	start := month(iv.Start())
	add("before", from, addMonths(start, -1))
	for i, ph := range iv.Phases {
		name := ph.Name
		if name == "" {
			name = "phase " + strconv.Itoa(i+1)
		}
		end := month(ph.End)
		if end == "" {
			end = to
		}
		add(name, month(ph.Start), end)
	}
	if end := month(iv.End()); end != "" && end < to {
		add("after", addMonths(end, 1), to)
	}
	return out
}

func areaText(area []aftermath.AreaRef) string {
	var parts []string
	for _, a := range area {
		parts = append(parts, strings.TrimSuffix(a.Country+" "+a.Admin1, " "))
	}
	return strings.Join(parts, ", ")
}

// month turns YYYY-MM-DD into YYYY-MM ("" stays "").
func month(date string) string {
	if len(date) < 7 {
		return ""
	}
	return date[:7]
}

// MonthIndex counts months from year 0: "2021-03" → 2021·12 + 2.
func MonthIndex(m string) int {
	y, _ := strconv.Atoi(m[:4])
	mo, _ := strconv.Atoi(m[5:7])
	return y*12 + mo - 1
}

// MonthOf is the inverse of MonthIndex.
func MonthOf(i int) string { return fmt.Sprintf("%04d-%02d", i/12, i%12+1) }

func addMonths(m string, n int) string { return MonthOf(MonthIndex(m) + n) }

func monthsBetween(a, b string) int { return MonthIndex(b) - MonthIndex(a) }

func calendar(from, to string) []string {
	var out []string
	for i := MonthIndex(from); i <= MonthIndex(to); i++ {
		out = append(out, MonthOf(i))
	}
	return out
}
