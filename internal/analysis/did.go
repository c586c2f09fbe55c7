package analysis

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// Point is one observation of a series.
type Point struct{ T, Y float64 }

// PreTrendTest is the regression y = a + b·t + g·treated + h·treated·t on
// pre-period data; h is the difference in pre-period slopes.
type PreTrendTest struct {
	Coef     float64 // h
	StdErr   float64 // Driscoll-Kraay HAC
	PValue   float64 // two-sided, normal approximation
	N        int
	HACLags  int
	Doubtful bool // p < 0.05
}

// DiDResult is a two-group difference-in-differences estimate.
type DiDResult struct {
	// Estimate is (treated post − treated pre) − (control post − control pre)
	// in means; it equals the treated_post coefficient.
	Estimate    float64
	TreatedPre  float64
	TreatedPost float64
	ControlPre  float64
	ControlPost float64
	// Counts per cell: treated pre, treated post, control pre, control post.
	Counts [4]int
	// Regression y = a + b·treated + c·post + δ·treated·post; names
	// intercept, treated, post, treated_post.
	Coefficients           Named
	StdErrors              Named
	ZStats                 Named
	PValues                Named
	CILow                  Named
	CIHigh                 Named
	N                      int
	HACLags                int
	PreTrend               *PreTrendTest // nil when the pre-period is too short
	ParallelTrendsDoubtful bool
	Method                 string
}

// JSON returns the result as plain JSON-ready values.
func (r *DiDResult) JSON() map[string]any {
	m := map[string]any{
		"estimate": jsonNum(r.Estimate),
		"means": Named{{"treated_pre", r.TreatedPre}, {"treated_post", r.TreatedPost},
			{"control_pre", r.ControlPre}, {"control_post", r.ControlPost}},
		"counts":                   map[string]int{"treated_pre": r.Counts[0], "treated_post": r.Counts[1], "control_pre": r.Counts[2], "control_post": r.Counts[3]},
		"coefficients":             r.Coefficients,
		"std_errors":               r.StdErrors,
		"z_stats":                  r.ZStats,
		"p_values":                 r.PValues,
		"ci95_low":                 r.CILow,
		"ci95_high":                r.CIHigh,
		"n":                        r.N,
		"hac_lags":                 r.HACLags,
		"parallel_trends_doubtful": r.ParallelTrendsDoubtful,
		"pre_trend":                nil,
		"method":                   r.Method,
	}
	if pt := r.PreTrend; pt != nil {
		m["pre_trend"] = map[string]any{"coef": jsonNum(pt.Coef), "std_error": jsonNum(pt.StdErr), "p_value": jsonNum(pt.PValue),
			"n": pt.N, "hac_lags": pt.HACLags, "doubtful": pt.Doubtful}
	}
	return m
}

// MarshalJSON marshals JSON().
func (r *DiDResult) MarshalJSON() ([]byte, error) { return marshalMap(r.JSON()) }

type didRow struct {
	t, y    float64
	treated bool
}

// DiDOptions tunes DiD.
type DiDOptions struct {
	// HACLags is the Bartlett lag count of the Driscoll-Kraay standard
	// errors, counted in distinct times: 0 uses DefaultHACLags(number of
	// distinct times), a negative value uses no lags. The pre-trend test
	// uses the same lags (or the default rule on its own times).
	HACLags int
	// TimeName, when set, names a time in messages and the method text
	// (a month index as YYYY-MM, say); otherwise times read "t = 6".
	TimeName func(t float64) string
}

// lagsFor returns the lag count for nt distinct times.
func (o DiDOptions) lagsFor(nt int) int {
	switch {
	case o.HACLags < 0:
		return 0
	case o.HACLags == 0:
		return DefaultHACLags(nt)
	}
	return o.HACLags
}

// DiD estimates a difference-in-differences between a treated and a control
// series; observations with T ≥ treatmentTime are post-treatment. Standard
// errors are Driscoll-Kraay: the regression scores are summed over both
// series at each time and a Newey-West (Bartlett) sum runs over time, which
// allows for autocorrelation and for shocks common to both series.
func DiD(treated, control []Point, treatmentTime float64, opt DiDOptions) (*DiDResult, error) {
	if !isFinite(treatmentTime) {
		return nil, fmt.Errorf("DiD: treatment time is %v", treatmentTime)
	}
	var rows []didRow
	for gi, g := range [][]Point{treated, control} {
		name := [2]string{"treated", "control"}[gi]
		for i, p := range g {
			if !isFinite(p.T) || !isFinite(p.Y) {
				return nil, fmt.Errorf("DiD: %s point %d is (%v, %v); drop or fill missing values first", name, i+1, p.T, p.Y)
			}
			rows = append(rows, didRow{p.T, p.Y, gi == 0})
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].t < rows[j].t })
	r := &DiDResult{N: len(rows)}
	var sums [4]float64
	for _, w := range rows {
		c := 0
		if !w.treated {
			c = 2
		}
		if w.t >= treatmentTime {
			c++
		}
		sums[c] += w.y
		r.Counts[c]++
	}
	for c, lab := range []string{"treated series before", "treated series after", "control series before", "control series after"} {
		if r.Counts[c] == 0 {
			return nil, fmt.Errorf("DiD: the %s the treatment (%s) has no observations", lab, timeLabel(opt.TimeName, treatmentTime))
		}
	}
	if len(rows) < 6 {
		return nil, fmt.Errorf("DiD: %d observations for 4 parameters; need at least 6", len(rows))
	}
	r.TreatedPre, r.TreatedPost = sums[0]/float64(r.Counts[0]), sums[1]/float64(r.Counts[1])
	r.ControlPre, r.ControlPost = sums[2]/float64(r.Counts[2]), sums[3]/float64(r.Counts[3])
	r.Estimate = (r.TreatedPost - r.TreatedPre) - (r.ControlPost - r.ControlPre)

	names := []string{"intercept", "treated", "post", "treated_post"}
	x := mat.NewDense(len(rows), 4, nil)
	y := make([]float64, len(rows))
	ts := make([]float64, len(rows))
	for i, w := range rows {
		tr, po := b2f(w.treated), b2f(w.t >= treatmentTime)
		x.SetRow(i, []float64{1, tr, po, tr * po})
		y[i], ts[i] = w.y, w.t
	}
	fit, err := OLS(x, y)
	if err != nil {
		return nil, fmt.Errorf("DiD: %w", err)
	}
	cov, lags, nt := driscollKraay(fit, ts, opt)
	se := diagSqrt(cov)
	inf := inferNormal(fit.Coef, se)
	r.Coefficients = namedFrom(names, fit.Coef)
	r.StdErrors = namedFrom(names, se)
	r.ZStats = namedFrom(names, inf.z)
	r.PValues = namedFrom(names, inf.p)
	r.CILow = namedFrom(names, inf.lo)
	r.CIHigh = namedFrom(names, inf.hi)
	r.HACLags = lags
	r.PreTrend = preTrend(rows, treatmentTime, opt)

	var m strings.Builder
	fmt.Fprintf(&m, "Difference-in-differences with post-treatment from %s: (treated after − before) − (control after − before) in means = (%s − %s) − (%s − %s) = %s. ",
		timeLabel(opt.TimeName, treatmentTime), g4(r.TreatedPost), g4(r.TreatedPre), g4(r.ControlPost), g4(r.ControlPre), g4(r.Estimate))
	fmt.Fprintf(&m, "Data: treated %d before / %d after, control %d before / %d after observations (%d distinct times). ", r.Counts[0], r.Counts[1], r.Counts[2], r.Counts[3], nt)
	fmt.Fprintf(&m, "The same estimate is the treated_post coefficient of the regression y = a + b·treated + c·post + δ·treated·post on the stacked series; its standard errors are Driscoll-Kraay (scores summed over both series at each time, then Newey-West with Bartlett weights and %d lags over time, %s, no small-sample correction), robust to autocorrelation and to shocks common to both series; p-values and 95%% intervals use the normal approximation. ", lags, lagsSource(opt.HACLags))
	if nt < 30 {
		fmt.Fprintf(&m, "With only %d distinct times these standard errors are unreliable. ", nt)
	}
	if pt := r.PreTrend; pt == nil {
		m.WriteString("The pre-period is too short to test for parallel pre-trends (needs at least 2 distinct pre-period times in each series and 6 pre-period observations), so the key assumption is untested. ")
	} else {
		fmt.Fprintf(&m, "Pre-trend test on %d pre-period observations (y on t, treated, treated·t): the difference in slopes is %s per time unit (SE %s, p = %s). ", pt.N, g4(pt.Coef), g4(pt.StdErr), g4(pt.PValue))
		if pt.Doubtful {
			r.ParallelTrendsDoubtful = true
			m.WriteString("The pre-period slopes differ significantly at 5%: the parallel-trends assumption is doubtful and the estimate may be biased. ")
		} else {
			m.WriteString("The slopes do not differ significantly at 5%, but with short or noisy pre-periods this test has little power and does not prove parallel trends. ")
		}
	}
	m.WriteString("The estimate assumes the treated series would have moved like the control series without the intervention. ")
	m.WriteString(reportingCaveat)
	r.Method = m.String()
	return r, nil
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// driscollKraay returns the HAC covariance of an OLS fit whose rows are
// sorted by ts: scores are summed per distinct time, then Bartlett-weighted
// over time with opt's lags. It also returns the lags and the number of
// distinct times.
func driscollKraay(fit *OLSResult, ts []float64, opt DiDOptions) (*mat.SymDense, int, int) {
	p := fit.P
	h := scores(fit.x, fit.Residuals, nil)
	var agg [][]float64
	for i := range ts {
		if i == 0 || ts[i] != ts[i-1] {
			agg = append(agg, make([]float64, p))
		}
		cur := agg[len(agg)-1]
		for j := range cur {
			cur[j] += h[i][j]
		}
	}
	lags := opt.lagsFor(len(agg))
	meat := make([]float64, p*p)
	addBartlettMeat(meat, p, agg, lags)
	return sandwich(fit.xtxInv, meat), lags, len(agg)
}

// lagsSource says where a HAC lag count came from.
func lagsSource(opt int) string {
	switch {
	case opt < 0:
		return "none, as asked"
	case opt == 0:
		return "by the default rule floor(4·(T/100)^(2/9)) on the T distinct times"
	}
	return "as asked"
}

func preTrend(rows []didRow, tt float64, opt DiDOptions) *PreTrendTest {
	var pre []didRow
	tTimes, cTimes := map[float64]bool{}, map[float64]bool{}
	for _, w := range rows {
		if w.t < tt {
			pre = append(pre, w)
			if w.treated {
				tTimes[w.t] = true
			} else {
				cTimes[w.t] = true
			}
		}
	}
	if len(tTimes) < 2 || len(cTimes) < 2 || len(pre) < 6 {
		return nil
	}
	x := mat.NewDense(len(pre), 4, nil)
	y := make([]float64, len(pre))
	ts := make([]float64, len(pre))
	// Centre time so the intercept columns stay well conditioned.
	mean := 0.0
	for _, w := range pre {
		mean += w.t
	}
	mean /= float64(len(pre))
	for i, w := range pre {
		tr := b2f(w.treated)
		c := w.t - mean
		x.SetRow(i, []float64{1, c, tr, tr * c})
		y[i], ts[i] = w.y, w.t
	}
	fit, err := OLS(x, y)
	if err != nil {
		return nil
	}
	cov, lags, _ := driscollKraay(fit, ts, opt)
	se := math.Sqrt(cov.At(3, 3))
	p := normalP2(fit.Coef[3] / se)
	return &PreTrendTest{Coef: fit.Coef[3], StdErr: se, PValue: p, N: len(pre), HACLags: lags, Doubtful: p < 0.05}
}
