package analysis

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"gonum.org/v1/gonum/mat"
)

// ITSOptions tunes the interrupted time series fits.
type ITSOptions struct {
	// HACLags is the Newey-West lag count: 0 uses DefaultHACLags(n),
	// a negative value uses no lags (White's HC0).
	HACLags int
	// TimeUnit names the unit of the time column ("month") for the Method text.
	TimeUnit string
	// Model is the regression, the caller's choice: ModelOLS (the default
	// when empty), ModelPoisson or ModelNegBin. It is never switched:
	// RecommendCountModel and the Poisson dispersion only add notes.
	Model string
	// Seasonal adds month-of-year terms: a dummy for each calendar month
	// present but the earliest (January when every month is present: 11
	// dummies), so the
	// level and slope changes are measured net of a fixed seasonal pattern.
	// It needs MonthOfYear.
	Seasonal bool
	// MonthOfYear is the calendar month (1–12) of each time, in the order
	// of the times; required with Seasonal (see MonthOfYear for month
	// indices).
	MonthOfYear []int
	// NBThreshold is the Pearson dispersion above which the deprecated
	// ITSPoisson, called without a Model, switches to a negative binomial
	// model; 0 means 1.5. Nothing else uses it.
	NBThreshold float64
}

// ITS models.
const (
	ModelOLS     = "ols"
	ModelPoisson = "poisson"
	ModelNegBin  = "negbin"
)

// ITSFit is the result of FitITS: *ITSResult for ModelOLS, *ITSCountResult
// for the count models.
type ITSFit interface {
	ModelName() string
	MethodText() string
	MarshalJSON() ([]byte, error)
}

// FitITS fits the interrupted time series with the model opt.Model names
// (ModelOLS when empty): ITS for OLS, ITSCount for Poisson and negative
// binomial.
func FitITS(times, y, breaks []float64, opt ITSOptions) (ITSFit, error) {
	switch opt.Model {
	case "", ModelOLS:
		return ITS(times, y, breaks, opt)
	case ModelPoisson, ModelNegBin:
		return ITSCount(times, y, breaks, opt)
	}
	return nil, fmt.Errorf("ITS: model %q is not one of ols, poisson, negbin", opt.Model)
}

func (o ITSOptions) lags(n int) int {
	switch {
	case o.HACLags < 0:
		return 0
	case o.HACLags == 0:
		return DefaultHACLags(n)
	}
	return o.HACLags
}

func (o ITSOptions) unit() string {
	if o.TimeUnit == "" {
		return "time unit"
	}
	return o.TimeUnit
}

// ITSResult is a segmented regression fit.
type ITSResult struct {
	Model        string // ModelOLS
	Seasonal     bool   // month-of-year terms were included
	Coefficients Named  // intercept, trend, level_change, slope_change, level_change_2, …
	StdErrors    Named  // Newey-West HAC
	TStats       Named  // coefficient / HAC standard error
	PValues      Named  // two-sided, normal approximation
	CILow        Named  // 95%, normal approximation
	CIHigh       Named
	N            int
	HACLags      int
	Breaks       []float64
	Times        []float64
	Fitted       []float64
	// Counterfactual continues the pre-break line b0 + b1·t over all times.
	Counterfactual []float64
	Residuals      []float64
	// Notes are advice that did not change the fit, e.g. that the values
	// look like small counts (RecommendCountModel).
	Notes  []string
	Method string
}

// ModelName returns Model.
func (r *ITSResult) ModelName() string { return r.Model }

// MethodText returns Method.
func (r *ITSResult) MethodText() string { return r.Method }

// JSON returns the result as plain JSON-ready values.
func (r *ITSResult) JSON() map[string]any {
	return map[string]any{
		"model":          r.Model,
		"seasonal":       r.Seasonal,
		"notes":          nonNilStrings(r.Notes),
		"coefficients":   r.Coefficients,
		"std_errors":     r.StdErrors,
		"t_stats":        r.TStats,
		"p_values":       r.PValues,
		"ci95_low":       r.CILow,
		"ci95_high":      r.CIHigh,
		"n":              r.N,
		"hac_lags":       r.HACLags,
		"breaks":         r.Breaks,
		"times":          r.Times,
		"fitted":         jsonNums(r.Fitted),
		"counterfactual": jsonNums(r.Counterfactual),
		"method":         r.Method,
	}
}

// MarshalJSON marshals JSON().
func (r *ITSResult) MarshalJSON() ([]byte, error) { return marshalMap(r.JSON()) }

// itsDesign checks the inputs and builds the segmented design matrix.
func itsDesign(times, y, breaks []float64, opt ITSOptions) (*mat.Dense, []string, error) {
	n := len(times)
	if len(y) != n {
		return nil, nil, fmt.Errorf("ITS: %d times but %d values", n, len(y))
	}
	if len(breaks) == 0 {
		return nil, nil, errors.New("ITS: no break (intervention time) given")
	}
	for i := range times {
		if !isFinite(times[i]) {
			return nil, nil, fmt.Errorf("ITS: time %d is %v", i+1, times[i])
		}
		if !isFinite(y[i]) {
			return nil, nil, fmt.Errorf("ITS: value at time %s is %v (missing values must be dropped or filled before fitting)", FormatTime(times[i]), y[i])
		}
		if i > 0 && times[i] <= times[i-1] {
			if times[i] == times[i-1] {
				return nil, nil, fmt.Errorf("ITS: duplicate time %s", FormatTime(times[i]))
			}
			return nil, nil, fmt.Errorf("ITS: times are not sorted (%s after %s)", FormatTime(times[i]), FormatTime(times[i-1]))
		}
	}
	for k, b := range breaks {
		if !isFinite(b) {
			return nil, nil, fmt.Errorf("ITS: break %d is %v", k+1, b)
		}
		if k > 0 && b <= breaks[k-1] {
			return nil, nil, fmt.Errorf("ITS: breaks must be strictly increasing (%s after %s)", FormatTime(b), FormatTime(breaks[k-1]))
		}
	}
	var months []int // seasonal dummy months, in calendar order
	if opt.Seasonal {
		if len(opt.MonthOfYear) != n {
			return nil, nil, fmt.Errorf("ITS: Seasonal needs the calendar month of each of the %d times (MonthOfYear has %d)", n, len(opt.MonthOfYear))
		}
		var seen [13]bool
		for i, m := range opt.MonthOfYear {
			if m < 1 || m > 12 {
				return nil, nil, fmt.Errorf("ITS: calendar month %d at time %s is not 1–12", m, FormatTime(times[i]))
			}
			seen[m] = true
		}
		ref := true // the first month present is the reference
		for m := 1; m <= 12; m++ {
			if seen[m] {
				if !ref {
					months = append(months, m)
				}
				ref = false
			}
		}
		if len(months) == 0 {
			return nil, nil, errors.New("ITS: Seasonal needs data from more than one calendar month")
		}
	} else if len(opt.MonthOfYear) != 0 && len(opt.MonthOfYear) != n {
		return nil, nil, fmt.Errorf("ITS: MonthOfYear has %d months for %d times", len(opt.MonthOfYear), n)
	}
	p := 2 + 2*len(breaks) + len(months)
	if n < p+2 {
		return nil, nil, fmt.Errorf("ITS: %d observations for %d parameters; need at least %d", n, p, p+2)
	}
	for k, b := range breaks {
		if times[0] >= b {
			return nil, nil, fmt.Errorf("ITS: break at %s has no observations before it", FormatTime(b))
		}
		end := math.Inf(1)
		if k+1 < len(breaks) {
			end = breaks[k+1]
		}
		in := 0
		for _, t := range times {
			if t >= b && t < end {
				in++
			}
		}
		if in == 0 {
			if k+1 < len(breaks) {
				return nil, nil, fmt.Errorf("ITS: no observations between the breaks at %s and %s", FormatTime(b), FormatTime(end))
			}
			return nil, nil, fmt.Errorf("ITS: break at %s has no observations at or after it", FormatTime(b))
		}
	}
	names := []string{"intercept", "trend"}
	for k := range breaks {
		if k == 0 {
			names = append(names, "level_change", "slope_change")
		} else {
			names = append(names, fmt.Sprintf("level_change_%d", k+1), fmt.Sprintf("slope_change_%d", k+1))
		}
	}
	for _, m := range months {
		names = append(names, fmt.Sprintf("month_%02d", m))
	}
	x := mat.NewDense(n, p, nil)
	for i, t := range times {
		x.Set(i, 0, 1)
		x.Set(i, 1, t)
		for k, b := range breaks {
			if t >= b {
				x.Set(i, 2+2*k, 1)
				x.Set(i, 3+2*k, t-b)
			}
		}
		for j, m := range months {
			if opt.MonthOfYear[i] == m {
				x.Set(i, 2+2*len(breaks)+j, 1)
			}
		}
	}
	return x, names, nil
}

func nameRankError(err error, names []string) error {
	var re *RankError
	if errors.As(err, &re) && re.Column < len(names) {
		re.Name = names[re.Column]
		return fmt.Errorf("ITS: %w", re)
	}
	return err
}

// ITS fits the interrupted time series (segmented) regression
//
//	y_t = b0 + b1·t + Σ_k (c_k·D_kt + d_k·D_kt·(t − T_k)),  D_kt = 1 when t ≥ T_k,
//
// by OLS with Newey-West HAC standard errors. Times are used as given (no
// re-indexing), so the intercept is the level at t = 0 and the trend is per
// unit of the time column. Times must be strictly increasing and finite.
//
// With opt.Seasonal the design also has month-of-year dummies (see
// ITSOptions), and the counterfactual keeps the seasonal pattern. opt.Model
// must be empty or ModelOLS; count models are ITSCount.
func ITS(times, y, breaks []float64, opt ITSOptions) (*ITSResult, error) {
	if opt.Model != "" && opt.Model != ModelOLS {
		return nil, fmt.Errorf("ITS: fits OLS only; model %q is fitted by ITSCount (or FitITS)", opt.Model)
	}
	x, names, err := itsDesign(times, y, breaks, opt)
	if err != nil {
		return nil, err
	}
	fit, err := OLS(x, y)
	if err != nil {
		return nil, nameRankError(err, names)
	}
	n := len(y)
	lags := opt.lags(n)
	se := diagSqrt(fit.NeweyWestCov(lags))
	inf := inferNormal(fit.Coef, se)
	cf := counterfactual(x, fit.Coef, len(breaks))
	r := &ITSResult{
		Model:          ModelOLS,
		Seasonal:       opt.Seasonal,
		Coefficients:   namedFrom(names, fit.Coef),
		StdErrors:      namedFrom(names, se),
		TStats:         namedFrom(names, inf.z),
		PValues:        namedFrom(names, inf.p),
		CILow:          namedFrom(names, inf.lo),
		CIHigh:         namedFrom(names, inf.hi),
		N:              n,
		HACLags:        lags,
		Breaks:         append([]float64(nil), breaks...),
		Times:          append([]float64(nil), times...),
		Fitted:         fit.Fitted,
		Counterfactual: cf,
		Residuals:      fit.Residuals,
	}
	if RecommendCountModel(y) {
		r.Notes = append(r.Notes, "The values look like small counts (whole numbers with a mean below 20 or at least 10% zeros); a count model (poisson, or negbin when overdispersed) may describe them better. This is advice only: the model fitted is OLS, as asked.")
	}
	var m strings.Builder
	fmt.Fprintf(&m, "Interrupted time series: segmented ordinary least squares (model ols, chosen by the caller) on %d observations (t = %s to %s) with %s. ",
		n, FormatTime(times[0]), FormatTime(times[n-1]), describeBreaks(breaks))
	fmt.Fprintf(&m, "level_change is the jump at the break, slope_change the change in trend per %s; time is used as given, so the intercept is the level at t = 0. ", opt.unit())
	m.WriteString(seasonalText(opt.Seasonal, names, false))
	m.WriteString("OLS treats the values as continuous with constant variance; for small counts that is a rough approximation. ")
	fmt.Fprintf(&m, "Standard errors: Newey-West (Bartlett kernel, %d lags, no small-sample correction), robust to autocorrelation and unequal variance; ", lags)
	m.WriteString("t-statistics, p-values and 95% intervals use the normal approximation. ")
	m.WriteString(itsCaveats(times, n, len(names)))
	r.Method = m.String()
	return r, nil
}

func describeBreaks(breaks []float64) string {
	s := make([]string, len(breaks))
	for i, b := range breaks {
		s[i] = FormatTime(b)
	}
	if len(breaks) == 1 {
		return "one break at t = " + s[0]
	}
	return fmt.Sprintf("%d breaks at t = %s", len(breaks), strings.Join(s, ", "))
}

func itsCaveats(times []float64, n, p int) string {
	var m strings.Builder
	if n < 30 || n < 5*p {
		fmt.Fprintf(&m, "With only %d observations the HAC standard errors and the normal approximation are unreliable; treat p-values as rough. ", n)
	}
	if !evenlySpaced(times) {
		m.WriteString("Times are not evenly spaced; HAC lags count observations, not time. ")
	}
	m.WriteString("The model assumes the pre-break trend would have continued; other events near a break are not separated from the intervention. ")
	m.WriteString(reportingCaveat)
	return m.String()
}

const reportingCaveat = "Reported events are a lower bound; reporting changes over time; this is an association, not proof of cause."

func evenlySpaced(t []float64) bool {
	if len(t) < 3 {
		return true
	}
	d := t[1] - t[0]
	for i := 2; i < len(t); i++ {
		if math.Abs((t[i]-t[i-1])-d) > 1e-9*math.Max(math.Abs(d), 1e-300) {
			return false
		}
	}
	return true
}

// counterfactual returns, for each row of the ITS design x, the linear
// predictor without the break columns: b0 + b1·t plus any seasonal terms.
func counterfactual(x *mat.Dense, coef []float64, nBreaks int) []float64 {
	n, p := x.Dims()
	cf := make([]float64, n)
	for i := 0; i < n; i++ {
		v := coef[0] + coef[1]*x.At(i, 1)
		for j := 2 + 2*nBreaks; j < p; j++ {
			v += coef[j] * x.At(i, j)
		}
		cf[i] = v
	}
	return cf
}

func seasonalText(seasonal bool, names []string, logScale bool) string {
	if !seasonal {
		return "No seasonal terms: a seasonal pattern in the data is left in the residuals and can bias the level change when the break does not fall on a whole number of years from the start. "
	}
	var ms []string
	for _, n := range names {
		if strings.HasPrefix(n, "month_") {
			ms = append(ms, n)
		}
	}
	scale := "difference"
	if logScale {
		scale = "log rate ratio"
	}
	return fmt.Sprintf("Seasonal: %d month-of-year dummies (%s) measure each calendar month's %s from the reference month (the earliest calendar month present, January when all are), so level and slope changes are net of a fixed seasonal pattern, and the counterfactual keeps that pattern. ", len(ms), strings.Join(ms, ", "), scale)
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
