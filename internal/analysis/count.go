package analysis

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// ITSCountResult is a segmented count regression (log link).
type ITSCountResult struct {
	// Model is ModelPoisson or ModelNegBin.
	Model         string
	Seasonal      bool  // month-of-year terms were included
	Coefficients  Named // log scale
	StdErrors     Named // HAC sandwich, log scale
	ZStats        Named
	PValues       Named // two-sided, normal approximation
	CILow         Named // 95%, log scale
	CIHigh        Named
	RateRatios    Named // exp(coefficient)
	RateRatioLow  Named // exp(CI)
	RateRatioHigh Named
	// Dispersion is the Pearson χ²/df of the Poisson fit.
	Dispersion float64
	// Alpha is the NB2 overdispersion (variance μ + αμ²); 0 for Poisson.
	Alpha      float64
	N          int
	HACLags    int
	Iterations int // IRLS iterations of the final fit
	Breaks     []float64
	Times      []float64
	Fitted     []float64
	// Counterfactual continues the pre-break rate exp(b0 + b1·t).
	Counterfactual []float64
	// Notes are advice that did not change the fit (e.g. overdispersion
	// under Poisson).
	Notes  []string
	Method string
}

// ModelName returns Model.
func (r *ITSCountResult) ModelName() string { return r.Model }

// MethodText returns Method.
func (r *ITSCountResult) MethodText() string { return r.Method }

// JSON returns the result as plain JSON-ready values.
func (r *ITSCountResult) JSON() map[string]any {
	return map[string]any{
		"model":           r.Model,
		"seasonal":        r.Seasonal,
		"notes":           nonNilStrings(r.Notes),
		"coefficients":    r.Coefficients,
		"std_errors":      r.StdErrors,
		"z_stats":         r.ZStats,
		"p_values":        r.PValues,
		"ci95_low":        r.CILow,
		"ci95_high":       r.CIHigh,
		"rate_ratios":     r.RateRatios,
		"rate_ratio_low":  r.RateRatioLow,
		"rate_ratio_high": r.RateRatioHigh,
		"dispersion":      jsonNum(r.Dispersion),
		"alpha":           jsonNum(r.Alpha),
		"n":               r.N,
		"hac_lags":        r.HACLags,
		"breaks":          r.Breaks,
		"times":           r.Times,
		"fitted":          jsonNums(r.Fitted),
		"counterfactual":  jsonNums(r.Counterfactual),
		"method":          r.Method,
	}
}

// MarshalJSON marshals JSON().
func (r *ITSCountResult) MarshalJSON() ([]byte, error) { return marshalMap(r.JSON()) }

// RecommendCountModel says whether a count model (ITSPoisson) should be
// preferred over OLS for y. The rule: y must look like counts (finite,
// non-negative whole numbers), and either the mean is below 20 or at least
// 10% of the values are zero. For large counts a linear model on the raw
// scale is a fair approximation; for small ones it is not.
func RecommendCountModel(y []float64) bool {
	if len(y) == 0 {
		return false
	}
	sum, zeros := 0.0, 0
	for _, v := range y {
		if !isFinite(v) || v < 0 || v != math.Trunc(v) {
			return false
		}
		sum += v
		if v == 0 {
			zeros++
		}
	}
	return sum/float64(len(y)) < 20 || float64(zeros) >= 0.1*float64(len(y))
}

// glmFit is a log-link GLM fit: Poisson (alpha = 0) or NB2.
type glmFit struct {
	coef      []float64
	mu        []float64
	bread     *mat.SymDense // (X'WX)^-1
	iter      int
	converged bool
}

// fitLogGLM runs IRLS for a log-link count model with NB2 variance μ+αμ²
// (α = 0 is Poisson). Step halving guards against deviance increases.
func fitLogGLM(x *mat.Dense, y []float64, alpha float64, start []float64) (*glmFit, error) {
	n, p := x.Dims()
	eta := make([]float64, n)
	mu := make([]float64, n)
	if start == nil {
		for i := range y {
			mu[i] = y[i] + 0.1
			eta[i] = math.Log(mu[i])
		}
	} else {
		linPred(x, start, eta, mu)
	}
	dev := deviance(y, mu, alpha)
	var beta []float64
	if start != nil {
		beta = append([]float64(nil), start...)
	}
	xw := mat.NewDense(n, p, nil)
	z := make([]float64, n)
	for iter := 1; iter <= 100; iter++ {
		for i := 0; i < n; i++ {
			w := mu[i] / (1 + alpha*mu[i])
			sw := math.Sqrt(w)
			for j := 0; j < p; j++ {
				xw.Set(i, j, x.At(i, j)*sw)
			}
			z[i] = (eta[i] + (y[i]-mu[i])/mu[i]) * sw
		}
		nb, _, err := qrLeastSquares(xw, z)
		if err != nil {
			return nil, err
		}
		newDev := math.Inf(1)
		for half := 0; half < 40; half++ {
			linPred(x, nb, eta, mu)
			newDev = deviance(y, mu, alpha)
			if isFinite(newDev) && (beta == nil || newDev <= dev*(1+1e-12)+1e-12) {
				break
			}
			if beta == nil {
				// First step from the data-based start has no previous β.
				break
			}
			for j := range nb {
				nb[j] = (nb[j] + beta[j]) / 2
			}
		}
		if !isFinite(newDev) {
			return nil, errors.New("count model: the fit diverged (fitted rates overflow)")
		}
		beta = nb
		done := math.Abs(newDev-dev) < 1e-10*(math.Abs(newDev)+0.1)
		dev = newDev
		if done {
			return finishGLM(x, y, alpha, beta, eta, mu, iter, true)
		}
	}
	return finishGLM(x, y, alpha, beta, eta, mu, 100, false)
}

func finishGLM(x *mat.Dense, y []float64, alpha float64, beta, eta, mu []float64, iter int, conv bool) (*glmFit, error) {
	n, p := x.Dims()
	linPred(x, beta, eta, mu)
	xw := mat.NewDense(n, p, nil)
	for i := 0; i < n; i++ {
		sw := math.Sqrt(mu[i] / (1 + alpha*mu[i]))
		for j := 0; j < p; j++ {
			xw.Set(i, j, x.At(i, j)*sw)
		}
	}
	_, bread, err := qrLeastSquares(xw, make([]float64, n))
	if err != nil {
		return nil, err
	}
	return &glmFit{coef: beta, mu: append([]float64(nil), mu...), bread: bread, iter: iter, converged: conv}, nil
}

func linPred(x *mat.Dense, b, eta, mu []float64) {
	n, p := x.Dims()
	for i := 0; i < n; i++ {
		s := 0.0
		for j := 0; j < p; j++ {
			s += x.At(i, j) * b[j]
		}
		eta[i] = s
		mu[i] = math.Exp(math.Min(s, 700))
	}
}

// deviance of the NB2 (alpha > 0) or Poisson (alpha = 0) model.
func deviance(y, mu []float64, alpha float64) float64 {
	d := 0.0
	for i := range y {
		yi, m := y[i], mu[i]
		t := 0.0
		if yi > 0 {
			t = yi * math.Log(yi/m)
		}
		if alpha == 0 {
			d += 2 * (t - (yi - m))
		} else {
			th := 1 / alpha
			d += 2 * (t - (yi+th)*math.Log((yi+th)/(m+th)))
		}
	}
	return d
}

// nbLogLik is the NB2 log-likelihood in alpha for fixed means, without the
// constant −Σ log Γ(y+1).
func nbLogLik(y, mu []float64, alpha float64) float64 {
	th := 1 / alpha
	lgTh, _ := math.Lgamma(th)
	ll := 0.0
	for i := range y {
		lg, _ := math.Lgamma(y[i] + th)
		ll += lg - lgTh + th*math.Log(th/(th+mu[i]))
		if y[i] > 0 {
			ll += y[i] * math.Log(mu[i]/(th+mu[i]))
		}
	}
	return ll
}

// mlAlpha maximises the NB2 likelihood over log α by golden-section search.
func mlAlpha(y, mu []float64, lo, hi float64) float64 {
	f := func(la float64) float64 { return -nbLogLik(y, mu, math.Exp(la)) }
	g := (math.Sqrt(5) - 1) / 2
	a, b := lo, hi
	c, d := b-g*(b-a), a+g*(b-a)
	fc, fd := f(c), f(d)
	for b-a > 1e-9 {
		if fc <= fd {
			b, d, fd = d, c, fc
			c = b - g*(b-a)
			fc = f(c)
		} else {
			a, c, fc = c, d, fd
			d = a + g*(b-a)
			fd = f(d)
		}
	}
	return math.Exp((a + b) / 2)
}

// ITSCount fits the ITS design of ITS (with the same seasonal option) as a
// count model with a log link, the one opt.Model names:
//
//   - ModelPoisson: Poisson, fitted by IRLS;
//   - ModelNegBin: negative binomial NB2 (variance μ + αμ²), with α and the
//     coefficients estimated jointly by maximum likelihood.
//
// The model is never switched: the Pearson dispersion of the Poisson fit is
// reported (and noted when it exceeds 1.5) but does not change the model.
// Standard errors are sandwich estimates with a Newey-West (Bartlett) HAC
// meat on the score, so they allow for autocorrelation and for variance
// misfit.
func ITSCount(times, y, breaks []float64, opt ITSOptions) (*ITSCountResult, error) {
	if opt.Model != ModelPoisson && opt.Model != ModelNegBin {
		return nil, fmt.Errorf("ITSCount: model %q is not poisson or negbin", opt.Model)
	}
	return itsCount(times, y, breaks, opt, "")
}

// ITSPoisson is ITSCount for callers that predate ITSOptions.Model.
//
// Deprecated: with opt.Model empty it keeps the old rule, Poisson unless
// the Pearson dispersion exceeds opt.NBThreshold (default 1.5), then
// negative binomial, and says so in the Method text. New callers choose
// the model themselves with ITSCount or FitITS.
func ITSPoisson(times, y, breaks []float64, opt ITSOptions) (*ITSCountResult, error) {
	if opt.Model != "" {
		return ITSCount(times, y, breaks, opt)
	}
	x, names, err := itsDesign(times, y, breaks, opt)
	if err != nil {
		return nil, err
	}
	if err := checkCounts(times, y); err != nil {
		return nil, err
	}
	pois, err := fitLogGLM(x, y, 0, nil)
	if err != nil {
		return nil, nameRankError(err, names)
	}
	thr := opt.NBThreshold
	if thr <= 0 {
		thr = 1.5
	}
	disp := pearsonDispersion(x, y, pois.mu)
	opt.Model = ModelPoisson
	rule := fmt.Sprintf("The model was chosen by a rule, not by the caller: Poisson unless the Pearson dispersion of the Poisson fit (%s) exceeds %s; ", g4(disp), g4(thr))
	if disp > thr {
		opt.Model = ModelNegBin
		rule += "it did, so negative binomial. "
	} else {
		rule += "it did not, so Poisson. "
	}
	return itsCount(times, y, breaks, opt, rule)
}

func checkCounts(times, y []float64) error {
	sum := 0.0
	for i, v := range y {
		if v < 0 {
			return fmt.Errorf("ITS count model: negative count %v at time %s", v, FormatTime(times[i]))
		}
		sum += v
	}
	if sum == 0 {
		return errors.New("ITS count model: all counts are zero; no rate can be estimated")
	}
	return nil
}

func pearsonDispersion(x *mat.Dense, y, mu []float64) float64 {
	n, p := x.Dims()
	pearson := 0.0
	for i := range y {
		r := y[i] - mu[i]
		pearson += r * r / mu[i]
	}
	return pearson / float64(n-p)
}

func itsCount(times, y, breaks []float64, opt ITSOptions, rule string) (*ITSCountResult, error) {
	x, names, err := itsDesign(times, y, breaks, opt)
	if err != nil {
		return nil, err
	}
	if err := checkCounts(times, y); err != nil {
		return nil, err
	}
	sum := 0.0
	for _, v := range y {
		sum += v
	}
	n, p := x.Dims()
	pois, err := fitLogGLM(x, y, 0, nil)
	if err != nil {
		return nil, nameRankError(err, names)
	}
	disp := pearsonDispersion(x, y, pois.mu)
	model := opt.Model
	fit, alpha := pois, 0.0
	if model == ModelNegBin {
		alpha = 0.1
		cur := pois
		la := math.Log(alpha)
		for round := 0; round < 100; round++ {
			newLa := math.Log(mlAlpha(y, cur.mu, la-3, la+3))
			if math.Abs(newLa-la) > 2.9 { // hit the bracket edge: widen
				newLa = math.Log(mlAlpha(y, cur.mu, math.Log(1e-8), math.Log(1e4)))
			}
			nf, err := fitLogGLM(x, y, math.Exp(newLa), cur.coef)
			if err != nil {
				return nil, nameRankError(err, names)
			}
			cur = nf
			done := math.Abs(newLa-la) < 1e-6 // the likelihood is flat at ~1e-7 in log α
			la = newLa
			if done {
				break
			}
		}
		fit, alpha = cur, math.Exp(la)
	}
	modelWords := map[string]string{ModelPoisson: "Poisson", ModelNegBin: "negative binomial"}[model]
	if !fit.converged {
		return nil, fmt.Errorf("ITS count model: the %s fit did not converge in 100 iterations", modelWords)
	}
	mean := sum / float64(n)
	for i, m := range fit.mu {
		if m < 1e-8*mean {
			return nil, fmt.Errorf("ITS count model: fitted rate at time %s is numerically zero; a segment is probably all zeros, so its level or slope change is not estimable", FormatTime(times[i]))
		}
	}
	lags := opt.lags(n)
	u := make([]float64, n)
	for i := range y {
		u[i] = (y[i] - fit.mu[i]) / (1 + alpha*fit.mu[i])
	}
	meat := make([]float64, p*p)
	addBartlettMeat(meat, p, scores(x, u, nil), lags)
	se := diagSqrt(sandwich(fit.bread, meat))
	inf := inferNormal(fit.coef, se)
	rr, rl, rh := make([]float64, p), make([]float64, p), make([]float64, p)
	for j := range rr {
		rr[j], rl[j], rh[j] = math.Exp(fit.coef[j]), math.Exp(inf.lo[j]), math.Exp(inf.hi[j])
	}
	cf := counterfactual(x, fit.coef, len(breaks))
	for i := range cf {
		cf[i] = math.Exp(cf[i])
	}
	r := &ITSCountResult{
		Model:          model,
		Seasonal:       opt.Seasonal,
		Coefficients:   namedFrom(names, fit.coef),
		StdErrors:      namedFrom(names, se),
		ZStats:         namedFrom(names, inf.z),
		PValues:        namedFrom(names, inf.p),
		CILow:          namedFrom(names, inf.lo),
		CIHigh:         namedFrom(names, inf.hi),
		RateRatios:     namedFrom(names, rr),
		RateRatioLow:   namedFrom(names, rl),
		RateRatioHigh:  namedFrom(names, rh),
		Dispersion:     disp,
		Alpha:          alpha,
		N:              n,
		HACLags:        lags,
		Iterations:     fit.iter,
		Breaks:         append([]float64(nil), breaks...),
		Times:          append([]float64(nil), times...),
		Fitted:         fit.mu,
		Counterfactual: cf,
	}
	if model == ModelPoisson && disp > 1.5 {
		r.Notes = append(r.Notes, fmt.Sprintf("The Poisson fit is overdispersed (Pearson χ²/df = %s > 1.5): the variance exceeds the mean, so a negative binomial model (negbin) may fit better. This is advice only: the model fitted is Poisson; its sandwich standard errors still allow for the variance misfit.", g4(disp)))
	}
	var m strings.Builder
	fmt.Fprintf(&m, "Interrupted time series for counts: log-link regression on %d observations (t = %s to %s) with %s. ",
		n, FormatTime(times[0]), FormatTime(times[n-1]), describeBreaks(breaks))
	m.WriteString(rule)
	if model == ModelPoisson {
		if rule == "" {
			m.WriteString("Model poisson, chosen by the caller: ")
		}
		fmt.Fprintf(&m, "Poisson fitted by IRLS, which assumes the variance equals the mean; the Pearson dispersion (χ²/df) is %s (1 means as Poisson assumes, above 1 overdispersed). ", g4(disp))
	} else {
		if rule == "" {
			m.WriteString("Model negbin, chosen by the caller: ")
		}
		fmt.Fprintf(&m, "negative binomial (NB2, variance μ + αμ²), which allows the variance to exceed the mean, with α estimated by maximum likelihood jointly with the coefficients (α = %s; the Poisson fit's dispersion was %s). ", g4(alpha), g4(disp))
	}
	fmt.Fprintf(&m, "Coefficients are on the log scale; rate_ratios = exp(coefficient): level_change is the multiplicative jump in the rate at the break, slope_change the change in the rate's growth factor per %s. ", opt.unit())
	m.WriteString(seasonalText(opt.Seasonal, names, true))
	fmt.Fprintf(&m, "Standard errors: sandwich with a Newey-West HAC meat on the score (Bartlett, %d lags, no small-sample correction); z-statistics, p-values and 95%% intervals use the normal approximation. ", lags)
	m.WriteString("Counts are modelled per period as given: unequal period lengths or population are not adjusted for. ")
	m.WriteString(itsCaveats(times, n, p))
	r.Method = m.String()
	return r, nil
}
