package analysis

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"runtime"
	"sort"
	"strings"
	"sync"

	"aftermath"
)

// Panel is a units × times table of an outcome and optional covariates.
// Missing values are NaN.
type Panel struct {
	Units       []string
	Times       []float64 // strictly increasing
	OutcomeName string
	Outcome     [][]float64            // [unit][time]
	Covariates  map[string][][]float64 // name → [unit][time]
}

// Predictor is the mean of Column (the outcome or a covariate) over the panel
// times in [From, To]; From == To means the value at that time.
type Predictor struct {
	Column   string
	From, To float64
}

// Label names the predictor in results: "col@t" or "col[from,to]" (a mean).
func (p Predictor) Label() string {
	if p.From == p.To {
		return p.Column + "@" + FormatTime(p.From)
	}
	return p.Column + "[" + FormatTime(p.From) + "," + FormatTime(p.To) + "]"
}

// SynthSpec configures a synthetic control fit.
type SynthSpec struct {
	Treated string
	// TreatmentTime is the first post-treatment time: times before it are the
	// pre-period.
	TreatmentTime float64
	// Donors is the donor pool; empty means every other unit.
	Donors []string
	// Predictors; empty means the default: the mean pre-period outcome and the
	// outcome at the first, middle (lower middle) and last pre-period times.
	Predictors []Predictor
	// Placebos runs the in-space placebo test.
	Placebos bool
	// ExcludePoorPlacebos drops placebos whose pre-period RMSPE exceeds
	// PoorFitRatio (default 5) times the treated unit's from the p-value.
	// By default all placebos are kept. With a near-perfect treated fit
	// this excludes every placebo and no p-value is given.
	ExcludePoorPlacebos bool
	PoorFitRatio        float64
	// DropIncompleteDonors drops donors with a missing pre-period outcome or
	// predictor instead of refusing the panel.
	DropIncompleteDonors bool
	// RandomStarts is the number of random starts for V (0 means 3,
	// negative means none).
	RandomStarts int
	// Seed makes the random starts reproducible.
	Seed uint64
	// MinPre is the fewest pre-period times (after any aggregation) that
	// Synth accepts; 0 means DefaultMinPre. With few pre-period times a
	// convex combination of donors can match the treated unit's short
	// history by chance, and the fit says nothing about the counterfactual.
	MinPre int
	// Aggregate, when PeriodQuarter or PeriodYear, sums the outcome of a
	// monthly panel over calendar quarters or years before fitting (the
	// covariates are averaged; a period with a missing month is missing).
	// Panel times must then be month indices (see YearMonthIndex), and
	// TreatmentTime and predictor windows are given as month indices too:
	// each is moved to the period that contains it.
	Aggregate Period
	// Log fits log(1 + y) of the (aggregated) outcome instead of y, so that
	// donors are matched on relative rather than absolute changes.
	Log bool
	// TimeName, when set, names an unaggregated time in messages and the
	// method text (a month index as YYYY-MM, say); otherwise times read
	// "t = 6".
	TimeName func(t float64) string
}

// DefaultMinPre is the fewest pre-period times Synth accepts by default.
const DefaultMinPre = 10

// nearExactTol is the relative pre-period RMSPE at or below which a fit
// counts as exact (see nearExact).
const nearExactTol = 1e-8

// nearExact reports whether a pre-period RMSPE is zero up to rounding for a
// unit whose pre-period outcomes have mean absolute value meanAbs.
//
// The synthetic series is a weighted sum of donor outcomes of size
// ~meanAbs, so floating-point rounding alone leaves errors of order
// 1e-16·meanAbs per term; the inner simplex solver meets its optimality
// conditions to ~1e-10 relative, and a quadratic objective that is flat to
// machine precision leaves the weights, and so the fitted path, uncertain
// at ~sqrt(eps) ≈ 1e-8 relative. An RMSPE at or below 1e-8·(1 + meanAbs)
// is therefore indistinguishable from an exact fit: the post/pre ratio
// then divides by rounding noise, and its rank among placebos is
// arbitrary. The "1 +" keeps the threshold absolute (1e-8) for series near
// zero. Real data never come that close: for counts it would be one event
// in a hundred million.
func nearExact(rmspe, meanAbs float64) bool {
	return rmspe <= nearExactTol*(1+meanAbs)
}

// BalanceRow compares one predictor (original units) across the treated
// unit, its synthetic control and the plain donor mean.
type BalanceRow struct {
	Predictor string
	Treated   float64
	Synthetic float64
	DonorMean float64
}

// PlaceboResult is one in-space placebo: a donor treated as if treated.
type PlaceboResult struct {
	Unit      string
	RMSPEPre  float64
	RMSPEPost float64
	Ratio     float64 // RMSPEPost / RMSPEPre
	Excluded  bool    // left out of the p-value
}

// SynthResult is a synthetic control fit.
type SynthResult struct {
	Treated       string
	TreatmentTime float64
	Weights       Named // donor → weight, every donor, zeros included
	// V holds the predictor weights. They are poorly identified: very
	// different V often give almost the same fit. Do not interpret them.
	V         Named
	RMSPEPre  float64
	RMSPEPost float64
	// Ratio is RMSPEPost / RMSPEPre, the placebo test statistic.
	Ratio     float64
	Times     []float64
	Actual    []float64
	Synthetic []float64
	Gap       []float64 // Actual − Synthetic; NaN where data are missing
	Gaps      Named     // FormatTime(t) → gap, finite values only
	Balance   []BalanceRow
	Placebos  []PlaceboResult
	// PlaceboP is (#units with ratio ≥ the treated's)/(#units), NaN without
	// placebos or when the p-value is withheld.
	PlaceboP float64
	// PValueWithheld says why no p-value is given although placebos were
	// run (empty when PlaceboP is given or no placebos were asked for):
	// the treated unit's or a placebo's pre-period fit is exact to rounding
	// (see nearExact), the treated ratio is undefined, or no placebo is left.
	PValueWithheld string
	// Aggregate and Log are the transforms applied before fitting (see
	// SynthSpec); Times are then period indices and Labels name them.
	Aggregate Period
	Log       bool
	Labels    []string
	// MinPre is the fewest pre-period times that were required.
	MinPre        int
	DroppedDonors []string
	// Interior is true when the treated unit lies inside the donors' convex
	// hull on the predictors, so V does not matter (see Method).
	Interior bool
	Method   string
}

// JSON returns the result as plain JSON-ready values.
func (r *SynthResult) JSON() map[string]any {
	bal := make([]map[string]any, len(r.Balance))
	for i, b := range r.Balance {
		bal[i] = map[string]any{"predictor": b.Predictor, "treated": jsonNum(b.Treated), "synthetic": jsonNum(b.Synthetic), "donor_mean": jsonNum(b.DonorMean)}
	}
	pl := make([]map[string]any, len(r.Placebos))
	for i, p := range r.Placebos {
		pl[i] = map[string]any{"unit": p.Unit, "rmspe_pre": jsonNum(p.RMSPEPre), "rmspe_post": jsonNum(p.RMSPEPost), "ratio": jsonNum(p.Ratio), "excluded": p.Excluded}
	}
	dropped := r.DroppedDonors
	if dropped == nil {
		dropped = []string{}
	}
	var withheld any
	if r.PValueWithheld != "" {
		withheld = r.PValueWithheld
	}
	labels := r.Labels
	if labels == nil {
		labels = []string{}
	}
	return map[string]any{
		"treated":          r.Treated,
		"treatment_time":   r.TreatmentTime,
		"weights":          r.Weights,
		"v":                r.V,
		"rmspe_pre":        jsonNum(r.RMSPEPre),
		"rmspe_post":       jsonNum(r.RMSPEPost),
		"ratio":            jsonNum(r.Ratio),
		"times":            r.Times,
		"actual":           jsonNums(r.Actual),
		"synthetic":        jsonNums(r.Synthetic),
		"gaps":             r.Gaps,
		"balance":          bal,
		"placebos":         pl,
		"placebo_p":        jsonNum(r.PlaceboP),
		"p_value_withheld": withheld,
		"aggregate":        string(r.Aggregate),
		"log_outcome":      r.Log,
		"labels":           labels,
		"min_pre":          r.MinPre,
		"dropped_donors":   dropped,
		"interior":         r.Interior,
		"method":           r.Method,
	}
}

// MarshalJSON marshals JSON().
func (r *SynthResult) MarshalJSON() ([]byte, error) { return marshalMap(r.JSON()) }

func (p *Panel) validate() error {
	if len(p.Units) == 0 || len(p.Times) == 0 {
		return errors.New("panel: no units or no times")
	}
	seen := map[string]bool{}
	for _, u := range p.Units {
		if seen[u] {
			return fmt.Errorf("panel: unit %q appears twice", u)
		}
		seen[u] = true
	}
	for i, t := range p.Times {
		if !isFinite(t) {
			return fmt.Errorf("panel: time %d is %v", i+1, t)
		}
		if i > 0 && t <= p.Times[i-1] {
			return fmt.Errorf("panel: times must be strictly increasing (%s after %s)", FormatTime(t), FormatTime(p.Times[i-1]))
		}
	}
	check := func(name string, m [][]float64) error {
		if len(m) != len(p.Units) {
			return fmt.Errorf("panel: %q has %d unit rows for %d units", name, len(m), len(p.Units))
		}
		for u, row := range m {
			if len(row) != len(p.Times) {
				return fmt.Errorf("panel: %q for unit %q has %d values for %d times", name, p.Units[u], len(row), len(p.Times))
			}
		}
		return nil
	}
	if err := check(p.outcomeName(), p.Outcome); err != nil {
		return err
	}
	for name, m := range p.Covariates {
		if err := check(name, m); err != nil {
			return err
		}
	}
	return nil
}

func (p *Panel) outcomeName() string {
	if p.OutcomeName == "" {
		return "outcome"
	}
	return p.OutcomeName
}

func (p *Panel) columnData(name string) ([][]float64, bool) {
	if name == p.outcomeName() || (name == "" && p.OutcomeName == "") {
		return p.Outcome, true
	}
	m, ok := p.Covariates[name]
	return m, ok
}

// synthData is the prepared problem shared by the main fit and placebos.
type synthData struct {
	pred  [][]float64 // [unit][predictor], original units
	y     [][]float64 // [unit][time]
	pre   []int       // time indices of the pre-period
	post  []int
	nRand int
	seed  uint64
}

// synthFit is the solution for one treated unit and pool.
type synthFit struct {
	w        []float64 // pool order
	v        []float64
	mspe     float64
	interior bool
	evals    int
	starts   int
}

// tieEps weights the pre-period outcome fit that breaks ties between the
// many exact predictor fits of an interior treated unit.
const tieEps = 1e-8

// fitSynth solves the nested ADH problem for treated unit tr and donor pool.
func fitSynth(d *synthData, tr int, pool []int, stream uint64) synthFit {
	k, J, T0 := len(d.pred[tr]), len(pool), len(d.pre)
	units := append([]int{tr}, pool...)
	// Standardise predictors by their sd across the treated unit and pool.
	x1 := make([]float64, k)
	x0 := make([]float64, J*k) // donor j, predictor i at j*k+i
	for i := 0; i < k; i++ {
		mean := 0.0
		for _, u := range units {
			mean += d.pred[u][i]
		}
		mean /= float64(len(units))
		ss := 0.0
		for _, u := range units {
			ss += (d.pred[u][i] - mean) * (d.pred[u][i] - mean)
		}
		sd := math.Sqrt(ss / float64(len(units)-1))
		if !(sd > 0) || !isFinite(sd) {
			sd = 1
		}
		x1[i] = d.pred[tr][i] / sd
		for j, u := range pool {
			x0[j*k+i] = d.pred[u][i] / sd
		}
	}
	z1 := make([]float64, T0)
	z0 := make([]float64, J*T0)
	for t, ti := range d.pre {
		z1[t] = d.y[tr][ti]
		for j, u := range pool {
			z0[j*T0+t] = d.y[u][ti]
		}
	}
	s := newSimplexLS(k, J)
	mspeOf := func(w []float64, support []int) float64 {
		e := 0.0
		for t := 0; t < T0; t++ {
			v := z1[t]
			for _, j := range support {
				v -= w[j] * z0[j*T0+t]
			}
			e += v * v
		}
		return e / float64(T0)
	}
	solveV := func(v []float64) float64 {
		for i := 0; i < k; i++ {
			sv := math.Sqrt(v[i])
			s.b[i] = sv * x1[i]
			for j := 0; j < J; j++ {
				s.a[j*k+i] = sv * x0[j*k+i]
			}
		}
		w := s.solve()
		return mspeOf(w, s.pas)
	}
	fit := synthFit{v: make([]float64, k), mspe: math.Inf(1)}
	for i := range fit.v {
		fit.v[i] = 1 / float64(k)
	}
	fit.mspe = solveV(fit.v)
	fit.w = append([]float64(nil), s.w...)
	fit.evals = 1
	fit.starts = 1

	// Interior case: an exact predictor fit exists for every V, so V is
	// irrelevant; pick the exact fit with the best pre-period outcome fit.
	scale2 := 0.0
	for i := 0; i < k; i++ {
		m := math.Abs(s.b[i])
		for j := 0; j < J; j++ {
			m = math.Max(m, math.Abs(s.a[j*k+i]))
		}
		scale2 += m * m
	}
	if s.objective() <= 1e-18*scale2 {
		fit.interior = true
		zsd := 0.0
		for _, v := range z0 {
			zsd += v * v
		}
		for _, v := range z1 {
			zsd += v * v
		}
		zsd = math.Sqrt(zsd / float64(len(z0)+len(z1)))
		if !(zsd > 0) {
			zsd = 1
		}
		f := math.Sqrt(tieEps/float64(T0)) / zsd
		kk := k + T0
		aug := newSimplexLS(kk, J)
		sv := math.Sqrt(1 / float64(k))
		for j := 0; j < J; j++ {
			col := aug.col(j)
			for i := 0; i < k; i++ {
				col[i] = sv * x0[j*k+i]
			}
			for t := 0; t < T0; t++ {
				col[k+t] = f * z0[j*T0+t]
			}
		}
		for i := 0; i < k; i++ {
			aug.b[i] = sv * x1[i]
		}
		for t := 0; t < T0; t++ {
			aug.b[k+t] = f * z1[t]
		}
		w := aug.solve()
		if m := mspeOf(w, aug.pas); m <= fit.mspe {
			fit.mspe = m
			copy(fit.w, w)
		}
		return fit
	}
	dim := k - 1
	if dim == 0 {
		return fit
	}
	vbuf := make([]float64, k)
	thetaToV := func(th []float64) []float64 {
		mx := 0.0
		for _, t := range th {
			mx = math.Max(mx, t)
		}
		sum := 0.0
		for i := 0; i < k; i++ {
			t := 0.0
			if i < dim {
				t = th[i]
			}
			vbuf[i] = math.Exp(t - mx)
			sum += vbuf[i]
		}
		// Floor each v_i at 1e-6·max v so no predictor is dropped outright.
		top := 0.0
		for i := range vbuf {
			vbuf[i] /= sum
			top = math.Max(top, vbuf[i])
		}
		sum = 0
		for i := range vbuf {
			vbuf[i] = math.Max(vbuf[i], 1e-6*top)
			sum += vbuf[i]
		}
		for i := range vbuf {
			vbuf[i] /= sum
		}
		return vbuf
	}
	obj := func(th []float64) float64 {
		v := thetaToV(th)
		m := solveV(v)
		fit.evals++
		if m < fit.mspe {
			fit.mspe = m
			copy(fit.v, v)
			copy(fit.w, s.w)
		}
		return m
	}
	vToTheta := func(v []float64) []float64 {
		th := make([]float64, dim)
		top := 0.0
		for _, x := range v {
			top = math.Max(top, x)
		}
		last := math.Log(math.Max(v[k-1], 1e-6*top))
		for i := range th {
			th[i] = math.Log(math.Max(v[i], 1e-6*top)) - last
		}
		return th
	}
	starts := [][]float64{make([]float64, dim)}
	if v, ok := regressionV(x1, x0, z1, z0, k, J, T0); ok {
		starts = append(starts, vToTheta(v))
	}
	rng := rand.New(rand.NewPCG(d.seed, stream))
	for r := 0; r < d.nRand; r++ {
		th := make([]float64, dim)
		for i := range th {
			th[i] = 1.5 * rng.NormFloat64()
		}
		starts = append(starts, th)
	}
	maxEval := 150 + 75*dim
	bestTh, bestF := starts[0], math.Inf(1)
	for _, st := range starts {
		th, f, _ := nelderMead(obj, st, 1, maxEval, 1e-3, 1e-9)
		fit.starts++
		if f < bestF {
			bestTh, bestF = append([]float64(nil), th...), f
		}
	}
	// A restart from the best point escapes early collapse of the simplex.
	nelderMead(obj, bestTh, 0.5, maxEval, 1e-3, 1e-9)
	return fit
}

// regressionV is the Synth (R) regression start: regress each pre-period
// outcome on the standardised predictors across units and weight predictor
// i by Σ_t β_it².
func regressionV(x1, x0, z1, z0 []float64, k, J, T0 int) ([]float64, bool) {
	n := J + 1
	if n < k+3 {
		return nil, false
	}
	x := make([]float64, n*(k+1))
	for u := 0; u < n; u++ {
		x[u*(k+1)] = 1
		for i := 0; i < k; i++ {
			if u == 0 {
				x[u*(k+1)+1+i] = x1[i]
			} else {
				x[u*(k+1)+1+i] = x0[(u-1)*k+i]
			}
		}
	}
	xm := newDense(n, k+1, x)
	v := make([]float64, k)
	y := make([]float64, n)
	for t := 0; t < T0; t++ {
		y[0] = z1[t]
		for j := 0; j < J; j++ {
			y[j+1] = z0[j*T0+t]
		}
		b, _, err := qrLeastSquares(xm, y)
		if err != nil {
			return nil, false
		}
		for i := 0; i < k; i++ {
			v[i] += b[i+1] * b[i+1]
		}
	}
	sum := 0.0
	for _, x := range v {
		sum += x
	}
	if !(sum > 0) || !isFinite(sum) {
		return nil, false
	}
	for i := range v {
		v[i] /= sum
	}
	return v, true
}

// synthPath returns the synthetic series and the pre/post RMSPE.
func synthPath(d *synthData, tr int, pool []int, w []float64) (syn []float64, pre, post float64, postMissing int) {
	nt := len(d.y[tr])
	syn = make([]float64, nt)
	for t := 0; t < nt; t++ {
		s := 0.0
		for j, u := range pool {
			if w[j] != 0 {
				s += w[j] * d.y[u][t]
			}
		}
		syn[t] = s
	}
	rms := func(idx []int) (float64, int) {
		e, c, miss := 0.0, 0, 0
		for _, t := range idx {
			g := d.y[tr][t] - syn[t]
			if isFinite(g) {
				e += g * g
				c++
			} else {
				miss++
			}
		}
		if c == 0 {
			return math.NaN(), miss
		}
		return math.Sqrt(e / float64(c)), miss
	}
	pre, _ = rms(d.pre)
	post, postMissing = rms(d.post)
	return syn, pre, post, postMissing
}

func rmspeRatio(pre, post float64) float64 {
	if pre == 0 && post == 0 {
		return math.NaN()
	}
	return post / pre
}

// Synth fits a synthetic control (Abadie, Diamond & Hainmueller 2010): donor
// weights W ≥ 0, Σ W = 1 minimise the V-weighted distance between the
// treated unit's predictors and the weighted donors' (solved exactly by an
// active-set method), and V is chosen by Nelder-Mead from several starts to
// minimise the pre-period outcome MSPE. With spec.Placebos it runs the
// in-space placebo test.
func Synth(p Panel, spec SynthSpec) (*SynthResult, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	if !isFinite(spec.TreatmentTime) {
		return nil, fmt.Errorf("synth: treatment time is %v", spec.TreatmentTime)
	}
	agg, err := ParsePeriod(string(spec.Aggregate))
	if err != nil {
		return nil, fmt.Errorf("synth: %w", err)
	}
	spec.Aggregate = agg
	var labelsOut []string
	midPeriod := false // the treatment month is not the first of its period
	if agg != PeriodMonth {
		if spec.TreatmentTime != math.Trunc(spec.TreatmentTime) {
			return nil, fmt.Errorf("synth: with aggregation the treatment time must be a month index, not %s", FormatTime(spec.TreatmentTime))
		}
		if p, err = AggregatePanel(p, agg); err != nil {
			return nil, fmt.Errorf("synth: %w", err)
		}
		m := int(spec.TreatmentTime)
		k := PeriodOf(m, agg)
		midPeriod = m != k*agg.months()
		spec.TreatmentTime = float64(k)
		preds := make([]Predictor, len(spec.Predictors))
		for i, pr := range spec.Predictors {
			if pr.From != math.Trunc(pr.From) || pr.To != math.Trunc(pr.To) {
				return nil, fmt.Errorf("synth: predictor %s: with aggregation its window must be month indices", pr.Label())
			}
			preds[i] = Predictor{Column: pr.Column, From: float64(PeriodOf(int(pr.From), agg)), To: float64(PeriodOf(int(pr.To), agg))}
		}
		spec.Predictors = preds
		for _, t := range p.Times {
			labelsOut = append(labelsOut, PeriodLabel(int(t), agg))
		}
	}
	if spec.Log {
		if p, err = LogPanel(p); err != nil {
			return nil, fmt.Errorf("synth: %w", err)
		}
	}
	minPre := spec.MinPre
	if minPre <= 0 {
		minPre = DefaultMinPre
	}
	index := map[string]int{}
	for i, u := range p.Units {
		index[u] = i
	}
	tr, ok := index[spec.Treated]
	if !ok {
		return nil, fmt.Errorf("synth: treated unit %q is not in the panel", spec.Treated)
	}
	d := &synthData{y: p.Outcome, seed: spec.Seed, nRand: spec.RandomStarts}
	if d.nRand == 0 {
		d.nRand = 3
	} else if d.nRand < 0 {
		d.nRand = 0
	}
	for i, t := range p.Times {
		if t < spec.TreatmentTime {
			d.pre = append(d.pre, i)
		} else {
			d.post = append(d.post, i)
		}
	}
	if len(d.pre) < max(minPre, 2) {
		return nil, aftermath.Errorf(aftermath.EINVALID, "synth: the pre-period has %d time(s) before %s; at least %d are needed (MinPre), because with fewer a weighted average of donors can match the treated unit's short history by chance", len(d.pre), periodName(spec.TreatmentTime, agg, spec.TimeName), max(minPre, 2))
	}
	if len(d.post) == 0 {
		return nil, fmt.Errorf("synth: no panel time at or after the treatment time %s", timeLabel(spec.TimeName, spec.TreatmentTime))
	}
	preTimes := make([]float64, len(d.pre))
	for i, ti := range d.pre {
		preTimes[i] = p.Times[ti]
	}
	// Donor pool.
	var donors []int
	if len(spec.Donors) == 0 {
		for i := range p.Units {
			if i != tr {
				donors = append(donors, i)
			}
		}
	} else {
		seen := map[int]bool{}
		for _, name := range spec.Donors {
			i, ok := index[name]
			switch {
			case !ok:
				return nil, fmt.Errorf("synth: donor %q is not in the panel", name)
			case i == tr:
				return nil, fmt.Errorf("synth: the treated unit %q cannot be its own donor", name)
			case seen[i]:
				return nil, fmt.Errorf("synth: donor %q is listed twice", name)
			}
			seen[i] = true
			donors = append(donors, i)
		}
	}
	// Predictors.
	preds := spec.Predictors
	defaultPreds := len(preds) == 0
	if defaultPreds {
		first, mid, last := preTimes[0], preTimes[(len(preTimes)-1)/2], preTimes[len(preTimes)-1]
		preds = []Predictor{{p.outcomeName(), first, last}}
		seenT := map[float64]bool{}
		for _, t := range []float64{first, mid, last} {
			if !seenT[t] {
				seenT[t] = true
				preds = append(preds, Predictor{p.outcomeName(), t, t})
			}
		}
	}
	labels := make([]string, len(preds))
	windows := make([][]int, len(preds))
	cols := make([][][]float64, len(preds))
	for i, pr := range preds {
		labels[i] = pr.Label()
		col, ok := p.columnData(pr.Column)
		if !ok {
			names := []string{p.outcomeName()}
			for n := range p.Covariates {
				names = append(names, n)
			}
			sort.Strings(names[1:])
			return nil, fmt.Errorf("synth: predictor %s: no column %q (have %s)", labels[i], pr.Column, strings.Join(names, ", "))
		}
		if !isFinite(pr.From) || !isFinite(pr.To) || pr.From > pr.To {
			return nil, fmt.Errorf("synth: predictor %s: bad window [%v, %v]", labels[i], pr.From, pr.To)
		}
		if pr.To >= spec.TreatmentTime {
			return nil, fmt.Errorf("synth: predictor %s uses times at or after the treatment time %s; predictors must be pre-treatment", labels[i], timeLabel(spec.TimeName, spec.TreatmentTime))
		}
		for ti, t := range p.Times {
			if t >= pr.From && t <= pr.To {
				windows[i] = append(windows[i], ti)
			}
		}
		if len(windows[i]) == 0 {
			return nil, fmt.Errorf("synth: predictor %s: no panel time in the window", labels[i])
		}
		cols[i] = col
	}
	// Predictor values; missing cells inside a window are skipped.
	skipped := 0
	predOf := func(u int) ([]float64, string) {
		out := make([]float64, len(preds))
		for i := range preds {
			s, c := 0.0, 0
			for _, ti := range windows[i] {
				if v := cols[i][u][ti]; isFinite(v) {
					s += v
					c++
				} else {
					skipped++
				}
			}
			if c == 0 {
				return nil, fmt.Sprintf("has no value for predictor %s", labels[i])
			}
			out[i] = s / float64(c)
		}
		for _, ti := range d.pre {
			if !isFinite(p.Outcome[u][ti]) {
				return nil, fmt.Sprintf("has a missing %s at pre-period time %s", p.outcomeName(), timeLabel(spec.TimeName, p.Times[ti]))
			}
		}
		return out, ""
	}
	d.pred = make([][]float64, len(p.Units))
	var why string
	if d.pred[tr], why = predOf(tr); why != "" {
		return nil, fmt.Errorf("synth: treated unit %q %s", p.Units[tr], why)
	}
	var pool, dropped []int
	var dropNotes []string
	for _, u := range donors {
		pv, why := predOf(u)
		if why != "" {
			if !spec.DropIncompleteDonors {
				return nil, fmt.Errorf("synth: donor %q %s (set DropIncompleteDonors to drop such donors)", p.Units[u], why)
			}
			dropped = append(dropped, u)
			dropNotes = append(dropNotes, fmt.Sprintf("%s (%s)", p.Units[u], why))
			continue
		}
		d.pred[u] = pv
		pool = append(pool, u)
	}
	if len(pool) < 2 {
		return nil, fmt.Errorf("synth: %d usable donor(s); need at least 2", len(pool))
	}

	fit := fitSynth(d, tr, pool, 0)
	syn, rPre, rPost, postMissing := synthPath(d, tr, pool, fit.w)
	res := &SynthResult{
		Treated:       spec.Treated,
		TreatmentTime: spec.TreatmentTime,
		RMSPEPre:      rPre,
		RMSPEPost:     rPost,
		Ratio:         rmspeRatio(rPre, rPost),
		Times:         append([]float64(nil), p.Times...),
		Actual:        append([]float64(nil), p.Outcome[tr]...),
		Synthetic:     syn,
		Interior:      fit.interior,
		PlaceboP:      math.NaN(),
		Aggregate:     agg,
		Log:           spec.Log,
		Labels:        labelsOut,
		MinPre:        max(minPre, 2),
	}
	res.Gap = make([]float64, len(syn))
	for t := range syn {
		res.Gap[t] = res.Actual[t] - syn[t]
		if isFinite(res.Gap[t]) {
			res.Gaps = append(res.Gaps, NamedValue{FormatTime(p.Times[t]), res.Gap[t]})
		}
	}
	for j, u := range pool {
		res.Weights = append(res.Weights, NamedValue{p.Units[u], fit.w[j]})
	}
	for _, u := range dropped {
		res.DroppedDonors = append(res.DroppedDonors, p.Units[u])
	}
	res.V = namedFrom(labels, fit.v)
	var outside []string
	for i := range preds {
		b := BalanceRow{Predictor: labels[i], Treated: d.pred[tr][i]}
		lo, hi := math.Inf(1), math.Inf(-1)
		for j, u := range pool {
			b.Synthetic += fit.w[j] * d.pred[u][i]
			b.DonorMean += d.pred[u][i] / float64(len(pool))
			lo, hi = math.Min(lo, d.pred[u][i]), math.Max(hi, d.pred[u][i])
		}
		if b.Treated < lo || b.Treated > hi {
			outside = append(outside, labels[i])
		}
		res.Balance = append(res.Balance, b)
	}

	// Scale of each unit's pre-period outcome, for the near-exact-fit rule.
	meanAbsPre := func(u int) float64 {
		s := 0.0
		for _, ti := range d.pre {
			s += math.Abs(d.y[u][ti])
		}
		return s / float64(len(d.pre))
	}
	treatedScale := meanAbsPre(tr)
	placeboScale := make([]float64, len(pool))
	for j, u := range pool {
		placeboScale[j] = meanAbsPre(u)
	}

	// In-space placebos, each on its own seed stream so the result does not
	// depend on scheduling.
	var placeboNote string
	if spec.Placebos {
		res.Placebos = make([]PlaceboResult, len(pool))
		workers := min(runtime.GOMAXPROCS(0), len(pool))
		var wg sync.WaitGroup
		next := make(chan int)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := range next {
					sub := make([]int, 0, len(pool)-1)
					sub = append(sub, pool[:j]...)
					sub = append(sub, pool[j+1:]...)
					pf := fitSynth(d, pool[j], sub, uint64(j)+1)
					_, pre, post, _ := synthPath(d, pool[j], sub, pf.w)
					res.Placebos[j] = PlaceboResult{Unit: p.Units[pool[j]], RMSPEPre: pre, RMSPEPost: post, Ratio: rmspeRatio(pre, post)}
				}
			}()
		}
		for j := range pool {
			next <- j
		}
		close(next)
		wg.Wait()
		placeboNote = placeboP(res, spec, treatedScale, placeboScale)
	} else if nearExact(res.RMSPEPre, treatedScale) {
		placeboNote = fmt.Sprintf("The pre-period fit is exact to rounding (RMSPE %s ≤ %s·(1 + mean |outcome| %s)): a placebo test would not give a meaningful p-value, since the post/pre ratio divides by rounding noise. ", g4(res.RMSPEPre), g4(nearExactTol), g4(treatedScale))
	}
	res.Method = synthMethod(res, spec, p, pool, labels, defaultPreds, fit, len(d.pre), len(d.post), postMissing, skipped, dropNotes, outside, placeboNote, midPeriod)
	return res, nil
}

// placeboP sets PlaceboP and returns the Method sentence about it.
func placeboP(res *SynthResult, spec SynthSpec, treatedScale float64, placeboScale []float64) string {
	ratioMax := spec.PoorFitRatio
	if ratioMax <= 0 {
		ratioMax = 5
	}
	var m strings.Builder
	undefined, poor := 0, 0
	count, atLeast := 1, 1
	for i := range res.Placebos {
		pl := &res.Placebos[i]
		switch {
		case math.IsNaN(pl.Ratio):
			pl.Excluded = true
			undefined++
		case spec.ExcludePoorPlacebos && pl.RMSPEPre > ratioMax*res.RMSPEPre:
			pl.Excluded = true
			poor++
		default:
			count++
			if pl.Ratio >= res.Ratio {
				atLeast++
			}
		}
	}
	fmt.Fprintf(&m, "In-space placebo test: each of the %d donors was treated as if it had been treated, with the other donors (never the treated unit) as its pool, and the same predictors and search. ", len(res.Placebos))
	m.WriteString("The statistic is post/pre-period RMSPE; p = (number of units whose ratio is at least the treated unit's) / (number of units)")
	var exact []string
	if nearExact(res.RMSPEPre, treatedScale) {
		exact = append(exact, fmt.Sprintf("the treated unit %q (pre-period RMSPE %s)", res.Treated, g4(res.RMSPEPre)))
	}
	for j, pl := range res.Placebos {
		if nearExact(pl.RMSPEPre, placeboScale[j]) {
			exact = append(exact, fmt.Sprintf("placebo %q (%s)", pl.Unit, g4(pl.RMSPEPre)))
		}
	}
	if len(exact) > 0 {
		shown := exact
		if len(shown) > 5 {
			shown = append(append([]string(nil), exact[:5]...), fmt.Sprintf("%d more", len(exact)-5))
		}
		res.PValueWithheld = fmt.Sprintf("the pre-period fit is exact to rounding (RMSPE ≤ %s·(1 + mean |pre-period outcome|)) for %s; the post/pre RMSPE ratio then divides by rounding noise, so its rank is meaningless. Typical with few pre-period times or a unit that is itself a mix of donors",
			g4(nearExactTol), strings.Join(shown, ", "))
		fmt.Fprintf(&m, ", but no p-value is given: %s. ", res.PValueWithheld)
		return m.String()
	}
	if math.IsNaN(res.Ratio) {
		res.PValueWithheld = "the treated unit's post/pre RMSPE ratio is undefined (zero error before and after)"
		m.WriteString(", but the treated unit's ratio is undefined (zero error before and after), so no p-value is given. ")
		return m.String()
	}
	if count == 1 {
		res.PValueWithheld = fmt.Sprintf("no placebo is left after excluding those whose pre-period RMSPE exceeds %s× the treated unit's (%d excluded, %d undefined)", g4(ratioMax), poor, undefined)
		fmt.Fprintf(&m, ", but no placebo is left after excluding those whose pre-period RMSPE exceeds %s× the treated unit's (%d excluded, %d undefined), so no p-value is given. ", g4(ratioMax), poor, undefined)
		return m.String()
	}
	res.PlaceboP = float64(atLeast) / float64(count)
	fmt.Fprintf(&m, " = %d/%d = %s; the smallest possible value is 1/%d. ", atLeast, count, g4(res.PlaceboP), count)
	if spec.ExcludePoorPlacebos {
		fmt.Fprintf(&m, "Placebos whose pre-period RMSPE exceeds %s× the treated unit's were excluded (%d of %d). ", g4(ratioMax), poor, len(res.Placebos))
	} else {
		m.WriteString("All placebos were kept, including poorly fitting ones. ")
	}
	if undefined > 0 {
		fmt.Fprintf(&m, "%d placebo(s) had zero error before and after (ratio undefined) and were left out. ", undefined)
	}
	m.WriteString("This p-value is a permutation rank, not a sampling probability. ")
	return m.String()
}

func synthMethod(res *SynthResult, spec SynthSpec, p Panel, pool []int, labels []string, defaultPreds bool, fit synthFit,
	t0, t1, postMissing, skipped int, dropNotes, outside []string, placeboNote string, midPeriod bool) string {
	var m strings.Builder
	agg := spec.Aggregate
	fmt.Fprintf(&m, "Synthetic control (Abadie, Diamond & Hainmueller 2010) for %q, treated from %s: %d donors, %d pre-period times (%s to %s) and %d post-period times; at least %d pre-period times are required, because with fewer a weighted average of donors can match a short history by chance. ",
		res.Treated, periodName(spec.TreatmentTime, agg, spec.TimeName), len(pool), t0, periodName(p.Times[0], agg, spec.TimeName), periodName(res.Times[t0-1], agg, spec.TimeName), t1, res.MinPre)
	switch agg {
	case PeriodQuarter, PeriodYear:
		fmt.Fprintf(&m, "The monthly outcome was summed over calendar %ss (covariates averaged; a %s with any month missing is missing, not a partial sum), so the fit compares %sly totals", agg, agg, agg)
		if midPeriod {
			fmt.Fprintf(&m, "; the treatment month is not the first of its %s, so that %s, partly before treatment, counts as post-treatment", agg, agg)
		}
		m.WriteString(". ")
	default:
		m.WriteString("The outcome was used at its own time step (no aggregation). ")
	}
	if spec.Log {
		m.WriteString("The outcome was transformed to log(1 + y) before fitting, so donors are matched on relative (proportional) levels and gaps are log differences (roughly proportional differences for large counts); weights and RMSPE are on that scale. ")
	} else {
		m.WriteString("The outcome was used untransformed (no log), so donors are matched on absolute levels and gaps are in the outcome's own units. ")
	}
	if len(dropNotes) > 0 {
		fmt.Fprintf(&m, "Dropped donors with missing data: %s. ", strings.Join(dropNotes, "; "))
	}
	if defaultPreds {
		m.WriteString("Predictors (default): the mean pre-period outcome and the outcome at the first, middle and last pre-period times")
	} else {
		fmt.Fprintf(&m, "Predictors (%d): %s", len(labels), strings.Join(labels, ", "))
	}
	m.WriteString("; [a,b] is a mean over those times, @t a single value; each is divided by its standard deviation across the treated unit and donors. ")
	if skipped > 0 {
		fmt.Fprintf(&m, "%d missing covariate cells inside predictor windows were skipped in the means. ", skipped)
	}
	m.WriteString("Donor weights are non-negative and sum to 1; for given predictor weights V they are solved exactly (active-set least squares on the simplex). ")
	if fit.interior {
		m.WriteString("The treated unit lies inside the donors' convex hull on the predictors, so many weight sets match the predictors exactly and V plays no role (V is reported as equal weights); among the exact matches the weights reported fit the pre-period outcomes best (tie-break with a 1e-8 relative weight on the outcome fit). ")
	} else {
		rs := spec.RandomStarts
		if rs == 0 {
			rs = 3
		} else if rs < 0 {
			rs = 0
		}
		fmt.Fprintf(&m, "V was chosen by Nelder-Mead (log scale, each v at least 1e-6 of the largest) to minimise the pre-period outcome MSPE, from equal weights, a regression-based start and %d random starts (seed %d), keeping the best of %d evaluations. ", rs, spec.Seed, fit.evals)
		m.WriteString("V is poorly identified — quite different V give nearly the same fit — and should not be read as the importance of a predictor. ")
	}
	if len(outside) > 0 {
		fmt.Fprintf(&m, "The treated unit is outside the donors' range on %s, so no weighted average of donors can match it there. ", strings.Join(outside, ", "))
	}
	fmt.Fprintf(&m, "Pre-period RMSPE = %s, post-period RMSPE = %s (ratio %s). ", g4(res.RMSPEPre), g4(res.RMSPEPost), g4(res.Ratio))
	var pre []float64
	for i := 0; i < t0; i++ {
		pre = append(pre, res.Actual[i])
	}
	if sd := stdDev(pre); sd > 0 && res.RMSPEPre > 0.5*sd {
		fmt.Fprintf(&m, "The pre-period fit is weak (RMSPE is %s of the treated unit's pre-period standard deviation %s): the synthetic unit tracks the treated unit only loosely, so post-period gaps of that size are within what the model misses anyway. ", pctString(res.RMSPEPre/sd), g4(sd))
	}
	if postMissing > 0 {
		fmt.Fprintf(&m, "%d post-period time(s) have no gap because of missing outcomes and are left out of the post-period RMSPE and the gaps. ", postMissing)
	}
	m.WriteString(placeboNote)
	m.WriteString("The gap is an estimate of the effect only if donors were not affected by the intervention (no spillovers) and nothing else changed for the treated unit at the same time. ")
	m.WriteString(reportingCaveat)
	return m.String()
}

func stdDev(x []float64) float64 {
	if len(x) < 2 {
		return 0
	}
	mean := 0.0
	for _, v := range x {
		mean += v
	}
	mean /= float64(len(x))
	ss := 0.0
	for _, v := range x {
		ss += (v - mean) * (v - mean)
	}
	return math.Sqrt(ss / float64(len(x)-1))
}

func pctString(f float64) string { return fmt.Sprintf("%.0f%%", 100*f) }

// periodName formats a time for messages and the Method text: the period
// label after aggregation, else as timeLabel names it.
func periodName(t float64, agg Period, name func(float64) string) string {
	if agg == PeriodQuarter || agg == PeriodYear {
		return PeriodLabel(int(t), agg)
	}
	return timeLabel(name, t)
}
