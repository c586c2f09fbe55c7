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
	// NBThreshold is the Pearson dispersion above which ITSPoisson switches to
	// a negative binomial model; 0 means 1.5.
	NBThreshold float64
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
	Coefficients Named // intercept, trend, level_change, slope_change, level_change_2, …
	StdErrors    Named // Newey-West HAC
	TStats       Named // coefficient / HAC standard error
	PValues      Named // two-sided, normal approximation
	CILow        Named // 95%, normal approximation
	CIHigh       Named
	N            int
	HACLags      int
	Breaks       []float64
	Times        []float64
	Fitted       []float64
	// Counterfactual continues the pre-break line b0 + b1·t over all times.
	Counterfactual []float64
	Residuals      []float64
	Method         string
}

// JSON returns the result as plain JSON-ready values.
func (r *ITSResult) JSON() map[string]any {
	return map[string]any{
		"model":          "ols",
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
func itsDesign(times, y, breaks []float64) (*mat.Dense, []string, error) {
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
	p := 2 + 2*len(breaks)
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
func ITS(times, y, breaks []float64, opt ITSOptions) (*ITSResult, error) {
	x, names, err := itsDesign(times, y, breaks)
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
	cf := make([]float64, n)
	for i, t := range times {
		cf[i] = fit.Coef[0] + fit.Coef[1]*t
	}
	r := &ITSResult{
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
	var m strings.Builder
	fmt.Fprintf(&m, "Interrupted time series: segmented ordinary least squares on %d observations (t = %s to %s) with %s. ",
		n, FormatTime(times[0]), FormatTime(times[n-1]), describeBreaks(breaks))
	fmt.Fprintf(&m, "level_change is the jump at the break, slope_change the change in trend per %s; time is used as given, so the intercept is the level at t = 0. ", opt.unit())
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
