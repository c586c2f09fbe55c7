package impact

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"aftermath"
	"aftermath/internal/analysis"
	"aftermath/internal/geo"
)

// runMethods runs the statistical methods asked for on the report's series.
// Months the data do not cover are left out of every model, not read as 0.
func runMethods(ctx context.Context, db aftermath.EventFigures, iv *aftermath.Intervention, opt Options, r *Report, f aftermath.AreaFilter) error {
	var times, y []float64
	var moy []int
	base := MonthIndex(r.Window[0])
	for _, m := range r.Series {
		if !m.Covered {
			continue
		}
		times = append(times, float64(MonthIndex(m.Month)-base))
		y = append(y, float64(m.Total))
		moy = append(moy, MonthIndex(m.Month)%12+1)
	}
	at := func(m string) float64 { return float64(MonthIndex(m) - base) }
	// The models count months from the window's first; their messages
	// name them as YYYY-MM.
	monthOf := func(t float64) string { return MonthOf(base + int(math.Round(t))) }
	if opt.wants("its") {
		// Breaks at every phase start and at every phase end (a withdrawal
		// or the close of a mandate), from the month after it ended.
		var breaks []float64
		for _, p := range iv.Phases {
			for _, b := range []string{month(p.Start), nextMonth(p.End)} {
				if b != "" && b > r.Window[0] && b <= r.Window[1] && !slices.Contains(breaks, at(b)) {
					breaks = append(breaks, at(b))
				}
			}
		}
		slices.Sort(breaks)
		breaks = identifiedBreaks(times, breaks, r)
		if len(breaks) == 0 {
			r.Skipped = append(r.Skipped, "its: no phase starts or ends inside the data window with months before it")
		} else {
			its := analysis.ITSOptions{HACLags: opt.HACLags, TimeUnit: "month (0 = " + r.Window[0] + ")", Model: opt.Model, Seasonal: opt.Seasonal}
			if opt.Seasonal {
				its.MonthOfYear = moy
			}
			res, err := analysis.FitITS(times, y, breaks, its)
			if err != nil {
				r.Skipped = append(r.Skipped, "its: "+err.Error())
			} else {
				r.ITS = res
			}
		}
	}
	if opt.wants("did") {
		if len(opt.Comparison) == 0 {
			if opt.Method == "did" {
				return aftermath.Errorf(aftermath.EINVALID, "difference-in-differences needs a comparison area (--compare ISO3,…)")
			}
			r.Skipped = append(r.Skipped, "did: no comparison area given")
		} else {
			cf := f
			cf.Area = nil
			for _, c := range opt.Comparison {
				cf.Area = append(cf.Area, aftermath.AreaRef{Country: c})
			}
			ctrl, err := db.MonthlyTotals(ctx, cf)
			if err != nil {
				return err
			}
			pick := outcomeOf(opt.Outcome)
			idx := map[string]int64{}
			for _, m := range ctrl {
				idx[m.Month] = pick(m)
			}
			// Only months the data cover for both areas enter the model.
			var treated, control []analysis.Point
			for _, m := range r.Series {
				if !m.Covered || !r.coverage.Covers(m.Month, opt.Comparison...) {
					continue
				}
				t := at(m.Month)
				treated = append(treated, analysis.Point{T: t, Y: float64(m.Total)})
				control = append(control, analysis.Point{T: t, Y: float64(idx[m.Month])})
			}
			t0 := at(month(iv.Start()))
			res, err := analysis.DiD(treated, control, t0, analysis.DiDOptions{HACLags: opt.HACLags, TimeName: monthOf})
			if err != nil {
				r.Skipped = append(r.Skipped, "did: "+err.Error())
			} else {
				r.DiD = res
			}
			es, err := analysis.EventStudy(treated, control, t0, analysis.EventStudyOptions{HACLags: opt.HACLags, TimeName: monthOf})
			if err != nil {
				r.Skipped = append(r.Skipped, "event study: "+err.Error())
			} else {
				r.EventStudy = es
			}
		}
	}
	if opt.wants("synth") {
		if err := runSynth(ctx, db, iv, opt, r); err != nil {
			return err
		}
	}
	if r.ITS == nil && r.DiD == nil && r.Synth == nil && opt.Method != "summary" && len(r.Skipped) > 0 && opt.Method != "all" {
		return aftermath.Errorf(aftermath.EINVALID, "%s could not run: %s", opt.Method, r.Skipped[0])
	}
	return nil
}

// identifiedBreaks keeps the breaks that have at least three covered
// months after them (before the next break), so that a level and a slope
// can be estimated for each segment; the others are named in Skipped.
func identifiedBreaks(times, breaks []float64, r *Report) []float64 {
	const need = 3
	var kept []float64
	for i, b := range breaks {
		next := math.Inf(1)
		if i+1 < len(breaks) {
			next = breaks[i+1]
		}
		n := 0
		for _, t := range times {
			if t >= b && t < next {
				n++
			}
		}
		if n < need {
			r.Skipped = append(r.Skipped, fmt.Sprintf("its: break at %s left out: %d covered months until the next break or the end, %d needed",
				addMonths(r.Window[0], int(b)), n, need))
			continue
		}
		kept = append(kept, b)
	}
	return kept
}

// nextMonth is the month after a date's month ("" stays "").
func nextMonth(date string) string {
	if m := month(date); m != "" {
		return addMonths(m, 1)
	}
	return ""
}

// Excluded donors: why a country may not stand in for the treated area.
const (
	excludedHost      = "hosts a recorded intervention in the window"
	excludedNeighbour = "is a land neighbour of the area"
)

// donorExclusions lists the countries synthetic control leaves out of the
// default pool, with the reason: those where any recorded intervention
// was under way during the window (their violence is not free of
// intervention) and the area's land neighbours (spill-over).
func donorExclusions(ctx context.Context, db aftermath.EventFigures, v aftermath.Viewer, iv *aftermath.Intervention, from, to string) (map[string]string, error) {
	out := map[string]string{}
	for _, a := range iv.Area {
		for _, n := range geo.Neighbours(a.Country) {
			out[n] = excludedNeighbour
		}
	}
	all, err := db.Interventions(ctx, v)
	if err != nil {
		return nil, err
	}
	for _, o := range all {
		for _, p := range o.Phases {
			end := month(p.End)
			if month(p.Start) <= to && (end == "" || end >= from) {
				for _, a := range o.Area {
					out[a.Country] = excludedHost
				}
			}
		}
	}
	return out, nil
}

// runSynth builds a country panel of the outcome over the window's covered
// months and fits a synthetic version of the intervention's area from
// donor countries chosen on pre-period data only.
func runSynth(ctx context.Context, db aftermath.EventFigures, iv *aftermath.Intervention, opt Options, r *Report) error {
	for _, a := range iv.Area {
		if a.Admin1 != "" {
			r.Skipped = append(r.Skipped, "synth: the area has admin-1 parts; synthetic control here weighs whole countries")
			return nil
		}
	}
	byCountry, err := db.CountryMonthlyTotals(ctx, opt.Viewer, opt.Dataset, r.Window[0], r.Window[1], opt.ViolenceTypes, opt.ClearOnly, opt.PreciseOnly)
	if err != nil {
		return err
	}
	pick := outcomeOf(opt.Outcome)
	countries := areaCountries(iv.Area)
	inArea := map[string]bool{}
	for _, c := range countries {
		inArea[c] = true
	}
	start := month(iv.Start())
	var cal []string // the window's months covered for the area
	for _, m := range r.Series {
		if m.Covered {
			cal = append(cal, m.Month)
		}
	}
	row := func(ms []aftermath.MonthTotal) []float64 {
		idx := map[string]int64{}
		for _, m := range ms {
			idx[m.Month] = pick(m)
		}
		out := make([]float64, len(cal))
		for i, m := range cal {
			out[i] = float64(idx[m])
		}
		return out
	}
	const treated = "intervention area"
	p := analysis.Panel{OutcomeName: opt.Outcome, Units: []string{treated}}
	for _, m := range cal {
		p.Times = append(p.Times, float64(MonthIndex(m)))
	}
	area := make([]float64, len(cal))
	for c := range inArea {
		for i, v := range row(byCountry[c]) {
			area[i] += v
		}
	}
	p.Outcome = append(p.Outcome, area)
	// A donor must be covered in every month the area is.
	covered := func(c string) bool {
		for _, m := range cal {
			if !r.coverage.Covers(m, c) {
				return false
			}
		}
		return true
	}
	donors := opt.Donors
	var left []string
	if len(donors) == 0 {
		excluded := map[string]string{}
		if !opt.IncludeExcluded {
			if excluded, err = donorExclusions(ctx, db, opt.Viewer, iv, r.Window[0], r.Window[1]); err != nil {
				return err
			}
		}
		pre := map[string][]aftermath.MonthTotal{}
		for c, ms := range byCountry {
			if inArea[c] || !covered(c) {
				continue
			}
			if why, ok := excluded[c]; ok {
				left = append(left, c+" ("+why+")")
				continue
			}
			for _, m := range ms {
				if m.Month < start {
					pre[c] = append(pre[c], m)
				}
			}
		}
		donors = busiest(pre, inArea, pick, opt.MaxDonors)
	}
	var used []string
	for _, d := range donors {
		if inArea[d] || !covered(d) {
			continue
		}
		p.Units = append(p.Units, d)
		p.Outcome = append(p.Outcome, row(byCountry[d]))
		used = append(used, d)
	}
	slices.Sort(left)
	if len(used) < 2 {
		r.Skipped = append(r.Skipped, "synth: fewer than two donor countries with data covering the window")
		return nil
	}
	agg, err := analysis.ParsePeriod(opt.SynthAggregate)
	if err != nil {
		return aftermath.Errorf(aftermath.EINVALID, "%v", err)
	}
	spec := analysis.SynthSpec{Treated: treated, TreatmentTime: float64(MonthIndex(start)), Donors: used, Placebos: opt.Placebos, Seed: 1,
		MinPre: opt.MinPre, Aggregate: agg, Log: opt.SynthLog,
		TimeName: func(t float64) string { return MonthOf(int(math.Round(t))) }} // the panel's times are month indexes
	res, err := analysis.Synth(p, spec)
	if err != nil {
		if opt.Method == "synth" {
			return err
		}
		r.Skipped = append(r.Skipped, "synth: "+err.Error())
		return nil
	}
	if len(left) > 0 {
		res.Method += " Left out of the donor pool (ask for them with --donors or --include-excluded): " + strings.Join(left, ", ") + "."
	}
	res.Method += " Donors were chosen by their outcome before the intervention began (" + start + "), never after."
	r.Synth = res
	return nil
}

// busiest returns up to n countries outside the area with the largest
// outcome totals in the window, the default donor pool.
func busiest(byCountry map[string][]aftermath.MonthTotal, inArea map[string]bool, pick func(aftermath.MonthTotal) int64, n int) []string {
	type tot struct {
		c string
		v int64
	}
	var all []tot
	for c, ms := range byCountry {
		if inArea[c] {
			continue
		}
		var v int64
		for _, m := range ms {
			v += pick(m)
		}
		all = append(all, tot{c, v})
	}
	slices.SortFunc(all, func(a, b tot) int {
		if a.v != b.v {
			return int(b.v - a.v)
		}
		return strings.Compare(a.c, b.c)
	})
	var out []string
	for i := 0; i < len(all) && i < n; i++ {
		out = append(out, all[i].c)
	}
	return out
}
