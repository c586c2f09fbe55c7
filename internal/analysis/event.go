package analysis

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// EventStudyOptions tunes EventStudy.
type EventStudyOptions struct {
	// Leads is the number of pre-treatment event times estimated:
	// k = −Leads … −2 (−1 is the reference); earlier times are binned into
	// k = −Leads. 0 means 4; at least 2.
	Leads int
	// Lags is the last post-treatment event time: k = 0 … Lags, later times
	// binned into k = Lags. 0 means 4.
	Lags int
	// Width is the length of one event time in the units of the points'
	// T (e.g. 3 to read monthly data in quarters); 0 means 1. Event time
	// k covers [treatmentTime + k·Width, treatmentTime + (k+1)·Width).
	Width float64
	// HACLags as in DiDOptions (Driscoll-Kraay lags in distinct times).
	HACLags int
	// TimeName as in DiDOptions.
	TimeName func(t float64) string
}

// EventStudyCoef is the effect at one event time relative to k = −1.
type EventStudyCoef struct {
	K      int    // event time (−Leads … Lags, never −1)
	Label  string // "-3", "≤-4" or "≥4" for the binned ends
	Binned bool   // the end bin that also holds all earlier / later times
	Coef   float64
	StdErr float64 // Driscoll-Kraay
	CILow  float64 // 95%, normal approximation
	CIHigh float64
	PValue float64 // two-sided, normal approximation
	// NTreated and NControl count the observations in this event time.
	NTreated, NControl int
}

// EventStudyResult is an event-study (dynamic difference-in-differences) fit.
type EventStudyResult struct {
	TreatmentTime float64
	Width         float64
	Leads, Lags   int
	Reference     int // always −1
	Coefficients  []EventStudyCoef
	N             int // observations
	Times         int // distinct times
	HACLags       int
	Method        string
}

// JSON returns the result as plain JSON-ready values.
func (r *EventStudyResult) JSON() map[string]any {
	cs := make([]map[string]any, len(r.Coefficients))
	for i, c := range r.Coefficients {
		cs[i] = map[string]any{"k": c.K, "label": c.Label, "binned": c.Binned, "coef": jsonNum(c.Coef), "std_error": jsonNum(c.StdErr),
			"ci95_low": jsonNum(c.CILow), "ci95_high": jsonNum(c.CIHigh), "p_value": jsonNum(c.PValue), "n_treated": c.NTreated, "n_control": c.NControl}
	}
	return map[string]any{
		"treatment_time": r.TreatmentTime, "width": r.Width, "leads": r.Leads, "lags": r.Lags, "reference": r.Reference,
		"coefficients": cs, "n": r.N, "times": r.Times, "hac_lags": r.HACLags, "method": r.Method,
	}
}

// MarshalJSON marshals JSON().
func (r *EventStudyResult) MarshalJSON() ([]byte, error) { return marshalMap(r.JSON()) }

// EventStudy estimates the effect at each event time k relative to the
// treatment, against the period just before it (k = −1):
//
//	y = a + b·treated + Σ_{k≠−1} c_k·E_k + Σ_{k≠−1} β_k·treated·E_k,
//
// where E_k marks observations in event time k (the ends binned, see
// EventStudyOptions). The model is saturated in group × event time, so
// β_k = (treated mean in k − treated mean in −1) − (control mean in k −
// control mean in −1): shocks common to both groups cancel. Leads (k < −1)
// near zero support parallel trends; lags (k ≥ 0) trace the dynamic
// effect. Standard errors are Driscoll-Kraay as in DiD.
func EventStudy(treated, control []Point, treatmentTime float64, opt EventStudyOptions) (*EventStudyResult, error) {
	if !isFinite(treatmentTime) {
		return nil, fmt.Errorf("event study: treatment time is %v", treatmentTime)
	}
	leads, lags, width := opt.Leads, opt.Lags, opt.Width
	if leads == 0 {
		leads = 4
	}
	if lags == 0 {
		lags = 4
	}
	if width == 0 {
		width = 1
	}
	if leads < 2 || lags < 0 || !(width > 0) || !isFinite(width) {
		return nil, fmt.Errorf("event study: need Leads ≥ 2, Lags ≥ 0 and Width > 0 (have %d, %d, %v)", leads, lags, width)
	}
	type row struct {
		t, y    float64
		treated bool
		k       int
	}
	var rows []row
	for gi, g := range [][]Point{treated, control} {
		for i, p := range g {
			if !isFinite(p.T) || !isFinite(p.Y) {
				return nil, fmt.Errorf("event study: %s point %d is (%v, %v); drop or fill missing values first", [2]string{"treated", "control"}[gi], i+1, p.T, p.Y)
			}
			k := int(math.Floor((p.T-treatmentTime)/width + 1e-9))
			k = max(-leads, min(lags, k))
			rows = append(rows, row{p.T, p.Y, gi == 0, k})
		}
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].t < rows[j].t })
	// Event times in column order; every one needs both groups.
	var ks []int
	for k := -leads; k <= lags; k++ {
		ks = append(ks, k)
	}
	nT, nC := map[int]int{}, map[int]int{}
	for _, w := range rows {
		if w.treated {
			nT[w.k]++
		} else {
			nC[w.k]++
		}
	}
	for _, k := range ks {
		if nT[k] == 0 || nC[k] == 0 {
			return nil, fmt.Errorf("event study: event time %s has %d treated and %d control observations; each needs both (use fewer Leads or Lags, or a wider Width)", eventLabel(k, leads, lags), nT[k], nC[k])
		}
	}
	col := map[int]int{}
	names := []string{"intercept", "treated"}
	for _, k := range ks {
		if k != -1 {
			col[k] = len(names)
			names = append(names, "e"+strconv.Itoa(k))
		}
	}
	base := len(names)
	for _, k := range ks {
		if k != -1 {
			names = append(names, "treated_e"+strconv.Itoa(k))
		}
	}
	p := len(names)
	if len(rows) < p+2 {
		return nil, fmt.Errorf("event study: %d observations for %d parameters; need at least %d", len(rows), p, p+2)
	}
	x := mat.NewDense(len(rows), p, nil)
	y := make([]float64, len(rows))
	ts := make([]float64, len(rows))
	for i, w := range rows {
		x.Set(i, 0, 1)
		tr := b2f(w.treated)
		x.Set(i, 1, tr)
		if c, ok := col[w.k]; ok {
			x.Set(i, c, 1)
			x.Set(i, c-2+base, tr)
		}
		y[i], ts[i] = w.y, w.t
	}
	fit, err := OLS(x, y)
	if err != nil {
		return nil, fmt.Errorf("event study: %w", nameRankError(err, names))
	}
	cov, hac, nt := driscollKraay(fit, ts, DiDOptions{HACLags: opt.HACLags})
	se := diagSqrt(cov)
	inf := inferNormal(fit.Coef, se)
	r := &EventStudyResult{TreatmentTime: treatmentTime, Width: width, Leads: leads, Lags: lags, Reference: -1, N: len(rows), Times: nt, HACLags: hac}
	for _, k := range ks {
		if k == -1 {
			continue
		}
		j := col[k] - 2 + base
		r.Coefficients = append(r.Coefficients, EventStudyCoef{K: k, Label: eventLabel(k, leads, lags), Binned: k == -leads || k == lags,
			Coef: fit.Coef[j], StdErr: se[j], CILow: inf.lo[j], CIHigh: inf.hi[j], PValue: inf.p[j], NTreated: nT[k], NControl: nC[k]})
	}
	var m strings.Builder
	fmt.Fprintf(&m, "Event study (dynamic difference-in-differences) around %s, event times of width %s: k = −%d … %d, where k = %s also holds all earlier times and k = %s all later ones (binned ends), and k = −1, the period just before treatment, is the reference (omitted). ",
		timeLabel(opt.TimeName, treatmentTime), FormatTime(width), leads, lags, eventLabel(-leads, leads, lags), eventLabel(lags, leads, lags))
	m.WriteString("Each coefficient is (treated mean in k − treated mean in −1) − (control mean in k − control mean in −1), from the regression of y on treated, event-time dummies and their interactions with treated; shocks common to both series cancel. ")
	m.WriteString("Leads (k ≤ −2) near zero are consistent with parallel trends before treatment (they cannot prove them); lags (k ≥ 0) trace how the difference evolved after it. ")
	fmt.Fprintf(&m, "Standard errors are Driscoll-Kraay (scores summed over both series at each of %d distinct times, Bartlett weights with %d lags, %s, no small-sample correction); 95%% intervals and p-values use the normal approximation. ", nt, hac, lagsSource(opt.HACLags))
	if nt < 30 {
		fmt.Fprintf(&m, "With only %d distinct times these standard errors are unreliable. ", nt)
	}
	m.WriteString("An event time whose observations all share one time has no within-bin variation, so its interval rests on the other bins' residuals. ")
	m.WriteString(reportingCaveat)
	r.Method = m.String()
	return r, nil
}

func eventLabel(k, leads, lags int) string {
	switch {
	case k == -leads:
		return "≤" + strconv.Itoa(k)
	case k == lags:
		return "≥" + strconv.Itoa(k)
	}
	return strconv.Itoa(k)
}
