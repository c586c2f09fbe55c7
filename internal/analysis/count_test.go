package analysis

import (
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
	"gonum.org/v1/gonum/stat/distuv"
)

var countTruth = map[string]float64{"intercept": 1.2, "trend": 0.006, "level_change": 0.5, "slope_change": -0.012}

// countData draws counts from log μ_t = 1.2 + 0.006t + 0.5D + (−0.012)D(t−120),
// Poisson (alpha = 0) or gamma-Poisson NB2 with the given alpha.
func countData(seed uint64, alpha float64) (times, y []float64) {
	src := rand.NewPCG(seed, 17)
	pois := distuv.Poisson{Src: src}
	var gam distuv.Gamma
	if alpha > 0 {
		gam = distuv.Gamma{Alpha: 1 / alpha, Beta: 1 / alpha, Src: src}
	}
	for i := 1; i <= 240; i++ {
		t := float64(i)
		eta := 1.2 + 0.006*t
		if t >= 120 {
			eta += 0.5 - 0.012*(t-120)
		}
		mu := math.Exp(eta)
		if alpha > 0 {
			mu *= gam.Rand()
		}
		pois.Lambda = mu
		times, y = append(times, t), append(y, pois.Rand())
	}
	return
}

func checkCountTruth(t *testing.T, r *ITSCountResult) {
	t.Helper()
	for name, w := range countTruth {
		got, _ := r.Coefficients.Get(name)
		se, _ := r.StdErrors.Get(name)
		if math.Abs(got-w) > 3.5*se || !(se > 0) {
			t.Errorf("%s (%s) = %g ± %g, want %g", name, r.Model, got, se, w)
		}
		rr, _ := r.RateRatios.Get(name)
		if math.Abs(rr-math.Exp(got)) > 1e-12*rr {
			t.Errorf("rate ratio %s = %g, want exp(%g)", name, rr, got)
		}
	}
}

func designFor(times []float64, breaks []float64) *mat.Dense {
	x, _, _ := itsDesign(times, make([]float64, len(times)), breaks, ITSOptions{})
	return x
}

func TestITSPoisson(t *testing.T) {
	times, y := countData(1, 0)
	r, err := ITSCount(times, y, []float64{120}, ITSOptions{Model: ModelPoisson})
	if err != nil {
		t.Fatal(err)
	}
	if r.Model != "poisson" || !(r.Dispersion < 1.5) || r.Alpha != 0 {
		t.Fatalf("model %s dispersion %g alpha %g", r.Model, r.Dispersion, r.Alpha)
	}
	checkCountTruth(t, r)
	if lc, _ := r.Coefficients.Get("level_change"); math.Abs(lc-0.5) > 0.15 {
		t.Errorf("level change %g, want 0.5 ± 0.15", lc)
	}
	// The Poisson MLE solves the score equations X'(y − μ) = 0.
	x := designFor(times, []float64{120})
	for j := 0; j < 4; j++ {
		s, scale := 0.0, 0.0
		for i := range y {
			s += x.At(i, j) * (y[i] - r.Fitted[i])
			scale += math.Abs(x.At(i, j) * y[i])
		}
		if math.Abs(s) > 1e-8*scale {
			t.Errorf("score %d = %g", j, s)
		}
	}
	if !strings.Contains(r.Method, "Poisson") || !strings.Contains(r.Method, "normal approximation") {
		t.Errorf("method: %s", r.Method)
	}
}

func TestITSNegativeBinomial(t *testing.T) {
	times, y := countData(2, 0.3)
	r, err := ITSCount(times, y, []float64{120}, ITSOptions{Model: ModelNegBin})
	if err != nil {
		t.Fatal(err)
	}
	if r.Model != ModelNegBin || !(r.Dispersion > 1.5) {
		t.Fatalf("model %s dispersion %g", r.Model, r.Dispersion)
	}
	if math.Abs(r.Alpha-0.3) > 0.12 {
		t.Errorf("alpha = %g, want 0.3 ± 0.12", r.Alpha)
	}
	checkCountTruth(t, r)
	// NB2 MLE: score X'(y − μ)/(1 + αμ) = 0 and α maximises the likelihood.
	x := designFor(times, []float64{120})
	for j := 0; j < 4; j++ {
		s, scale := 0.0, 0.0
		for i := range y {
			s += x.At(i, j) * (y[i] - r.Fitted[i]) / (1 + r.Alpha*r.Fitted[i])
			scale += math.Abs(x.At(i, j) * y[i])
		}
		if math.Abs(s) > 1e-7*scale {
			t.Errorf("score %d = %g", j, s)
		}
	}
	ll := nbLogLik(y, r.Fitted, r.Alpha)
	for _, f := range []float64{0.98, 1.02} {
		if nbLogLik(y, r.Fitted, r.Alpha*f) > ll+1e-9 {
			t.Errorf("alpha·%g has a higher likelihood", f)
		}
	}
	if !strings.Contains(r.Method, "negative binomial") || !strings.Contains(r.Method, "maximum likelihood") {
		t.Errorf("method: %s", r.Method)
	}
}

func TestITSPoissonErrors(t *testing.T) {
	times, y := countData(3, 0)
	neg := append([]float64(nil), y...)
	neg[5] = -1
	if _, err := ITSPoisson(times, neg, []float64{120}, ITSOptions{}); err == nil || !strings.Contains(err.Error(), "negative") {
		t.Errorf("negative: %v", err)
	}
	if _, err := ITSPoisson(times, make([]float64, len(y)), []float64{120}, ITSOptions{}); err == nil || !strings.Contains(err.Error(), "all counts are zero") {
		t.Errorf("zeros: %v", err)
	}
	post0 := append([]float64(nil), y...)
	for i := 119; i < len(post0); i++ {
		post0[i] = 0
	}
	if _, err := ITSPoisson(times, post0, []float64{120}, ITSOptions{}); err == nil {
		t.Errorf("an all-zero post segment must not give a finite level change")
	}
}

func TestRecommendCountModel(t *testing.T) {
	big := make([]float64, 50)
	for i := range big {
		big[i] = 100 + float64(i)
	}
	zeros := append([]float64(nil), big...)
	for i := 0; i < 5; i++ {
		zeros[i] = 0
	}
	cases := []struct {
		y    []float64
		want bool
	}{
		{[]float64{3, 5, 2, 8, 4}, true},
		{big, false},
		{zeros, true},                  // 10% zeros
		{[]float64{1.5, 2, 3}, false},  // not counts
		{[]float64{-1, 2, 3}, false},   // not counts
		{[]float64{19, 20, 21}, false}, // mean 20 is not < 20
		{[]float64{19, 19, 20}, true},  // mean < 20
		{nil, false},
	}
	for i, c := range cases {
		if got := RecommendCountModel(c.y); got != c.want {
			t.Errorf("case %d: %v → %v, want %v", i, c.y, got, c.want)
		}
	}
}

// The count-model standard errors are (Σ x x' μ/(1+αμ))^-1 S (…)^-1 with a
// Bartlett-weighted S on the score x (y − μ)/(1 + αμ); recompute by loops.
func TestCountSandwichByHand(t *testing.T) {
	for _, alpha := range []float64{0, 0.3} {
		times, y := countData(5, alpha)
		model := ModelPoisson
		if alpha > 0 {
			model = ModelNegBin
		}
		r, err := ITSCount(times, y, []float64{120}, ITSOptions{HACLags: 3, Model: model})
		if err != nil {
			t.Fatal(err)
		}
		x := designFor(times, []float64{120})
		var info, s [4][4]float64
		h := make([][4]float64, len(y))
		for i := range y {
			mu := r.Fitted[i]
			for j := 0; j < 4; j++ {
				h[i][j] = x.At(i, j) * (y[i] - mu) / (1 + r.Alpha*mu)
				for k := 0; k < 4; k++ {
					info[j][k] += x.At(i, j) * x.At(i, k) * mu / (1 + r.Alpha*mu)
				}
			}
		}
		for i := range h {
			for k := range h {
				d := i - k
				if d < 0 {
					d = -d
				}
				if d > 3 {
					continue
				}
				w := 1 - float64(d)/4
				for p := 0; p < 4; p++ {
					for q := 0; q < 4; q++ {
						s[p][q] += w * h[i][p] * h[k][q]
					}
				}
			}
		}
		inv := gaussInverse4(info)
		for p, nv := range r.StdErrors {
			v := 0.0
			for i := 0; i < 4; i++ {
				for j := 0; j < 4; j++ {
					v += inv[p][i] * s[i][j] * inv[j][p]
				}
			}
			if !near(nv.Value, math.Sqrt(v), 1e-8) {
				t.Errorf("%s alpha=%g: SE %.12g, want %.12g", r.Model, alpha, nv.Value, math.Sqrt(v))
			}
		}
		if r.HACLags != 3 {
			t.Errorf("lags %d", r.HACLags)
		}
	}
}
