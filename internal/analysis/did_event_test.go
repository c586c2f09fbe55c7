package analysis

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"gonum.org/v1/gonum/mat"
)

// dkByHand is Driscoll-Kraay computed independently of the package: β from
// the normal equations (X'X)β = X'y, scores x_i·u_i summed per distinct
// time, S = Σ_{s,t} w(|s−t|) h_s h_t' with Bartlett w(l) = 1 − l/(L+1) for
// l ≤ L, V = (X'X)^-1 S (X'X)^-1. Rows need not be sorted; times are
// ranked by value.
func dkByHand(x [][]float64, y, ts []float64, L int) []float64 {
	n, p := len(x), len(x[0])
	xtx := mat.NewDense(p, p, nil)
	xty := mat.NewVecDense(p, nil)
	for i := 0; i < n; i++ {
		for a := 0; a < p; a++ {
			xty.SetVec(a, xty.AtVec(a)+x[i][a]*y[i])
			for b := 0; b < p; b++ {
				xtx.Set(a, b, xtx.At(a, b)+x[i][a]*x[i][b])
			}
		}
	}
	var inv mat.Dense
	if err := inv.Inverse(xtx); err != nil {
		panic(err)
	}
	var beta mat.VecDense
	beta.MulVec(&inv, xty)
	rank := map[float64]int{}
	var distinct []float64
	for _, t := range ts {
		if _, ok := rank[t]; !ok {
			rank[t] = 0
			distinct = append(distinct, t)
		}
	}
	for _, t := range distinct {
		r := 0
		for _, u := range distinct {
			if u < t {
				r++
			}
		}
		rank[t] = r
	}
	h := make([][]float64, len(distinct))
	for i := range h {
		h[i] = make([]float64, p)
	}
	for i := 0; i < n; i++ {
		u := y[i]
		for a := 0; a < p; a++ {
			u -= x[i][a] * beta.AtVec(a)
		}
		for a := 0; a < p; a++ {
			h[rank[ts[i]]][a] += x[i][a] * u
		}
	}
	s := mat.NewDense(p, p, nil)
	for a := range h {
		for b := range h {
			l := a - b
			if l < 0 {
				l = -l
			}
			if l > L {
				continue
			}
			w := 1 - float64(l)/float64(L+1)
			for i := 0; i < p; i++ {
				for j := 0; j < p; j++ {
					s.Set(i, j, s.At(i, j)+w*h[a][i]*h[b][j])
				}
			}
		}
	}
	var tmp, v mat.Dense
	tmp.Mul(&inv, s)
	v.Mul(&tmp, &inv)
	out := make([]float64, p)
	for i := range out {
		out[i] = math.Sqrt(v.At(i, i))
	}
	return out
}

func didPanel(seed uint64, T int, tt float64) (tr, co []Point) {
	rng := rand.New(rand.NewPCG(seed, 1))
	shock := 0.0
	for t := 0; t < T; t++ {
		shock = 0.6*shock + rng.NormFloat64()
		e := 0.0
		if float64(t) >= tt {
			e = 3
		}
		tr = append(tr, Point{float64(t), 10 + shock + e + rng.NormFloat64()})
		co = append(co, Point{float64(t), 6 + shock + rng.NormFloat64()})
	}
	return
}

func TestDiDHonoursHACLags(t *testing.T) {
	tr, co := didPanel(3, 16, 8)
	def, err := DiD(tr, co, 8, DiDOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if def.HACLags != DefaultHACLags(16) || def.HACLags != 2 {
		t.Fatalf("default lags %d", def.HACLags)
	}
	r, err := DiD(tr, co, 8, DiDOptions{HACLags: 5})
	if err != nil {
		t.Fatal(err)
	}
	if r.HACLags != 5 || !strings.Contains(r.Method, "5 lags over time, as asked") {
		t.Fatalf("lags %d; %s", r.HACLags, r.Method)
	}
	var x [][]float64
	var y, ts []float64
	for gi, g := range [][]Point{tr, co} {
		for _, p := range g {
			d, post := b2f(gi == 0), b2f(p.T >= 8)
			x = append(x, []float64{1, d, post, d * post})
			y, ts = append(y, p.Y), append(ts, p.T)
		}
	}
	for _, c := range []struct {
		res *DiDResult
		L   int
	}{{r, 5}, {def, 2}} {
		want := dkByHand(x, y, ts, c.L)
		for j, nv := range c.res.StdErrors {
			if math.Abs(nv.Value-want[j]) > 1e-10*want[j] {
				t.Errorf("L=%d %s: SE %.15g, by hand %.15g", c.L, nv.Name, nv.Value, want[j])
			}
		}
	}
	a, _ := r.StdErrors.Get("treated_post")
	b, _ := def.StdErrors.Get("treated_post")
	if math.Abs(a-b) < 1e-6*b {
		t.Errorf("lag 5 and the default give the same SE %g", a)
	}
	if e, _ := r.Coefficients.Get("treated_post"); e != r.Estimate && math.Abs(e-r.Estimate) > 1e-12 {
		t.Errorf("estimate %g vs coefficient %g", r.Estimate, e)
	}
	none, _ := DiD(tr, co, 8, DiDOptions{HACLags: -1})
	if none.HACLags != 0 {
		t.Errorf("negative HACLags: %d lags", none.HACLags)
	}
}

// Monthly data, quarterly event time (Width 3): the treated series is the
// control plus 10 plus an effect of 0 before treatment and 2, 4, 5 in the
// first three quarters and 6 from then on. A common shock that varies
// within quarters cancels, so each coefficient is recovered exactly, with
// positive Driscoll-Kraay errors equal to an independent computation.
func TestEventStudyRecoversDynamicEffect(t *testing.T) {
	effect := func(k int) float64 {
		switch {
		case k < 0:
			return 0
		case k >= 3:
			return 6
		}
		return []float64{2, 4, 5}[k]
	}
	var tr, co []Point
	for m := 0; m < 48; m++ {
		common := 3*math.Sin(float64(m)) + 0.2*float64(m)
		k := int(math.Floor(float64(m-24) / 3))
		tr = append(tr, Point{float64(m), 15 + common + effect(k)})
		co = append(co, Point{float64(m), 5 + common + 0.5*math.Cos(float64(3*m))})
	}
	// The control's own wiggle 0.5·cos(3m) does not cancel; subtract it from
	// the truth via the cell means.
	meanCos := func(k int) float64 {
		s, c := 0.0, 0
		for m := 0; m < 48; m++ {
			kk := max(-3, min(3, int(math.Floor(float64(m-24)/3))))
			if kk == k {
				s += 0.5 * math.Cos(float64(3*m))
				c++
			}
		}
		return s / float64(c)
	}
	r, err := EventStudy(tr, co, 24, EventStudyOptions{Leads: 3, Lags: 3, Width: 3, HACLags: 2})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Coefficients) != 6 {
		t.Fatalf("%d coefficients, want k = -3, -2, 0, 1, 2, 3", len(r.Coefficients))
	}
	for _, c := range r.Coefficients {
		want := effect(c.K) - effect(-1) - (meanCos(c.K) - meanCos(-1))
		if math.Abs(c.Coef-want) > 1e-10 {
			t.Errorf("k = %d: %g, want %g", c.K, c.Coef, want)
		}
		if !(c.StdErr > 0) || math.Abs(c.CIHigh-c.Coef-z95*c.StdErr) > 1e-12 || math.Abs(c.Coef-c.CILow-z95*c.StdErr) > 1e-12 {
			t.Errorf("k = %d: SE %g CI [%g, %g]", c.K, c.StdErr, c.CILow, c.CIHigh)
		}
	}
	first, last := r.Coefficients[0], r.Coefficients[5]
	if first.Label != "≤-3" || !first.Binned || first.NTreated != 18 || last.Label != "≥3" || last.NTreated != 15 {
		t.Errorf("bins: %+v %+v", first, last)
	}
	// Independent Driscoll-Kraay on the same design.
	var x [][]float64
	var y, ts []float64
	ks := []int{-3, -2, 0, 1, 2, 3}
	for gi, g := range [][]Point{tr, co} {
		for _, p := range g {
			k := max(-3, min(3, int(math.Floor((p.T-24)/3))))
			d := b2f(gi == 0)
			row := []float64{1, d}
			for _, kk := range ks {
				row = append(row, b2f(k == kk))
			}
			for _, kk := range ks {
				row = append(row, d*b2f(k == kk))
			}
			x, y, ts = append(x, row), append(y, p.Y), append(ts, p.T)
		}
	}
	want := dkByHand(x, y, ts, 2)
	for i, c := range r.Coefficients {
		if math.Abs(c.StdErr-want[8+i]) > 1e-8*want[8+i] {
			t.Errorf("k = %d: SE %.12g, by hand %.12g", c.K, c.StdErr, want[8+i])
		}
	}
	b, _ := json.Marshal(r)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil || m["reference"] != -1.0 || len(m["coefficients"].([]any)) != 6 || m["hac_lags"] != 2.0 {
		t.Errorf("JSON %s (%v)", b, err)
	}
	if !strings.Contains(r.Method, "reference (omitted)") || !strings.Contains(r.Method, "binned ends") {
		t.Errorf("method: %s", r.Method)
	}
	if _, err := EventStudy(tr[:20], co[:20], 24, EventStudyOptions{Leads: 3, Lags: 3, Width: 3}); err == nil || !strings.Contains(err.Error(), "each needs both") {
		t.Errorf("empty post bins: %v", err)
	}
}
