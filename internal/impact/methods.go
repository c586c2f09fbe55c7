package impact

import (
	"context"
	"slices"
	"strings"

	"aftermath"
	"aftermath/internal/analysis"
	"aftermath/internal/sqldb"
)

// runMethods runs the statistical methods asked for on the report's series.
func runMethods(ctx context.Context, db *sqldb.DB, iv *aftermath.Intervention, opt Options, r *Report, f sqldb.AreaFilter) error {
	times := make([]float64, len(r.Series))
	y := make([]float64, len(r.Series))
	base := MonthIndex(r.Window[0])
	for i, m := range r.Series {
		times[i] = float64(MonthIndex(m.Month) - base)
		y[i] = float64(m.Total)
	}
	at := func(m string) float64 { return float64(MonthIndex(m) - base) }
	if opt.wants("its") {
		var breaks []float64
		for _, p := range iv.Phases {
			if b := month(p.Start); b > r.Window[0] && b <= r.Window[1] {
				breaks = append(breaks, at(b))
			}
		}
		if len(breaks) == 0 {
			r.Skipped = append(r.Skipped, "its: no phase starts inside the data window with months before it")
		} else {
			its := analysis.ITSOptions{HACLags: opt.HACLags, TimeUnit: "month (0 = " + r.Window[0] + ")"}
			var res any
			var err error
			if analysis.RecommendCountModel(y) {
				res, err = analysis.ITSPoisson(times, y, breaks, its)
			} else {
				res, err = analysis.ITS(times, y, breaks, its)
			}
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
			var treated, control []analysis.Point
			for i, m := range r.Series {
				treated = append(treated, analysis.Point{T: times[i], Y: y[i]})
				control = append(control, analysis.Point{T: times[i], Y: float64(idx[m.Month])})
			}
			res, err := analysis.DiD(treated, control, at(month(iv.Start())), analysis.DiDOptions{})
			if err != nil {
				r.Skipped = append(r.Skipped, "did: "+err.Error())
			} else {
				r.DiD = res
			}
		}
	}
	if opt.wants("synth") {
		if err := runSynth(ctx, db, iv, opt, r, base); err != nil {
			return err
		}
	}
	if r.ITS == nil && r.DiD == nil && r.Synth == nil && opt.Method != "summary" && len(r.Skipped) > 0 && opt.Method != "all" {
		return aftermath.Errorf(aftermath.EINVALID, "%s could not run: %s", opt.Method, r.Skipped[0])
	}
	return nil
}

// runSynth builds a country panel of the outcome over the window and fits
// a synthetic version of the intervention's area from donor countries.
func runSynth(ctx context.Context, db *sqldb.DB, iv *aftermath.Intervention, opt Options, r *Report, base int) error {
	for _, a := range iv.Area {
		if a.Admin1 != "" {
			r.Skipped = append(r.Skipped, "synth: the area has admin-1 parts; synthetic control here weighs whole countries")
			return nil
		}
	}
	byCountry, err := db.CountryMonthlyTotals(ctx, opt.Viewer, opt.Dataset, r.Window[0], r.Window[1], opt.ViolenceTypes)
	if err != nil {
		return err
	}
	pick := outcomeOf(opt.Outcome)
	inArea := map[string]bool{}
	for _, a := range iv.Area {
		inArea[a.Country] = true
	}
	cal := calendar(r.Window[0], r.Window[1])
	row := func(ms []sqldb.MonthTotal) []float64 {
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
		p.Times = append(p.Times, float64(MonthIndex(m)-base))
	}
	area := make([]float64, len(cal))
	for c := range inArea {
		for i, v := range row(byCountry[c]) {
			area[i] += v
		}
	}
	p.Outcome = append(p.Outcome, area)
	donors := opt.Donors
	if len(donors) == 0 {
		donors = busiest(byCountry, inArea, pick, opt.MaxDonors)
	}
	var used []string
	for _, d := range donors {
		if inArea[d] {
			continue
		}
		p.Units = append(p.Units, d)
		p.Outcome = append(p.Outcome, row(byCountry[d]))
		used = append(used, d)
	}
	if len(used) < 2 {
		r.Skipped = append(r.Skipped, "synth: fewer than two donor countries with data")
		return nil
	}
	start := float64(MonthIndex(month(iv.Start())) - base)
	res, err := analysis.Synth(p, analysis.SynthSpec{Treated: treated, TreatmentTime: start, Donors: used, Placebos: opt.Placebos, Seed: 1})
	if err != nil {
		r.Skipped = append(r.Skipped, "synth: "+err.Error())
		return nil
	}
	r.Synth = res
	return nil
}

// busiest returns up to n countries outside the area with the largest
// outcome totals in the window, the default donor pool.
func busiest(byCountry map[string][]sqldb.MonthTotal, inArea map[string]bool, pick func(sqldb.MonthTotal) int64, n int) []string {
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
