package analysis

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// factorPanel builds a panel of J donors ("d01"…) over T yearly times from
// 2000 with a two-factor model plus noise, and a covariate "gdp". The
// treated unit "T" is filled by the caller.
func factorPanel(seed uint64, J, T int, noise float64) Panel {
	rng := rand.New(rand.NewPCG(seed, 99))
	p := Panel{OutcomeName: "deaths", Covariates: map[string][][]float64{"gdp": nil}}
	f1, f2 := make([]float64, T), make([]float64, T)
	for t := 0; t < T; t++ {
		p.Times = append(p.Times, float64(2000+t))
		f1[t] = math.Sin(float64(t)/3) + 0.05*float64(t)
		f2[t] = math.Cos(float64(t)/5) + 0.3*rng.NormFloat64()
	}
	p.Units = append(p.Units, "T")
	p.Outcome = append(p.Outcome, make([]float64, T))
	p.Covariates["gdp"] = append(p.Covariates["gdp"], make([]float64, T))
	for j := 1; j <= J; j++ {
		p.Units = append(p.Units, fmt.Sprintf("d%02d", j))
		a, l1, l2 := 20+5*rng.NormFloat64(), 3+rng.NormFloat64(), 2*rng.NormFloat64()
		y, g := make([]float64, T), make([]float64, T)
		base := 10 + 2*rng.NormFloat64()
		for t := 0; t < T; t++ {
			y[t] = a + l1*f1[t] + l2*f2[t] + noise*rng.NormFloat64()
			g[t] = base + 0.1*float64(t) + 0.2*rng.NormFloat64()
		}
		p.Outcome = append(p.Outcome, y)
		p.Covariates["gdp"] = append(p.Covariates["gdp"], g)
	}
	return p
}

func setTreatedMix(p *Panel, wa float64, a int, wb float64, b int) {
	for t := range p.Times {
		p.Outcome[0][t] = wa*p.Outcome[a][t] + wb*p.Outcome[b][t]
		p.Covariates["gdp"][0][t] = wa*p.Covariates["gdp"][a][t] + wb*p.Covariates["gdp"][b][t]
	}
}

func checkMixWeights(t *testing.T, r *SynthResult, want map[string]float64) {
	t.Helper()
	for _, nv := range r.Weights {
		if math.Abs(nv.Value-want[nv.Name]) > 1e-6 {
			t.Errorf("weight %s = %.9f, want %.9f", nv.Name, nv.Value, want[nv.Name])
		}
	}
	if r.RMSPEPre > 1e-8 {
		t.Errorf("RMSPE pre = %g, want ≈ 0", r.RMSPEPre)
	}
}

func TestSynthExactMixDefaultPredictors(t *testing.T) {
	p := factorPanel(1, 10, 30, 0.5)
	setTreatedMix(&p, 0.3, 2, 0.7, 5)
	r, err := Synth(p, SynthSpec{Treated: "T", TreatmentTime: 2020, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	checkMixWeights(t, r, map[string]float64{"d02": 0.3, "d05": 0.7})
	if len(r.Weights) != 10 {
		t.Errorf("%d weights, want all 10 donors", len(r.Weights))
	}
	if !r.Interior || !strings.Contains(r.Method, "convex hull") {
		t.Errorf("interior case not reported: %v / %s", r.Interior, r.Method)
	}
	if got := r.V.Names(); strings.Join(got, " ") != "deaths[2000,2019] deaths@2000 deaths@2009 deaths@2019" {
		t.Errorf("default predictors = %v", got)
	}
}

func TestSynthExactMixCustomPredictors(t *testing.T) {
	p := factorPanel(2, 6, 30, 0.5)
	setTreatedMix(&p, 0.3, 1, 0.7, 4)
	preds := []Predictor{{"gdp", 2000, 2019}, {"gdp", 2019, 2019}}
	for y := 2000.0; y < 2020; y += 4 {
		preds = append(preds, Predictor{"deaths", y, y + 3})
	}
	r, err := Synth(p, SynthSpec{Treated: "T", TreatmentTime: 2020, Predictors: preds, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	checkMixWeights(t, r, map[string]float64{"d01": 0.3, "d04": 0.7})
	for _, b := range r.Balance {
		if math.Abs(b.Treated-b.Synthetic) > 1e-8*math.Max(1, math.Abs(b.Treated)) {
			t.Errorf("balance %s: treated %g synthetic %g", b.Predictor, b.Treated, b.Synthetic)
		}
	}
}

// standardised predictors as Synth builds them, for independent checks.
func testPredictors(p Panel, units []int, preds []Predictor) [][]float64 {
	out := make([][]float64, len(units))
	for ui, u := range units {
		for _, pr := range preds {
			col := p.Outcome
			if pr.Column != p.OutcomeName {
				col = p.Covariates[pr.Column]
			}
			s, c := 0.0, 0
			for ti, tm := range p.Times {
				if tm >= pr.From && tm <= pr.To {
					s += col[u][ti]
					c++
				}
			}
			out[ui] = append(out[ui], s/float64(c))
		}
	}
	for i := range preds {
		var col []float64
		for ui := range units {
			col = append(col, out[ui][i])
		}
		sd := stdDev(col)
		for ui := range units {
			out[ui][i] /= sd
		}
	}
	return out
}

func TestSynthOuterSearch(t *testing.T) {
	// Treated outside the hull: the V search matters.
	p := factorPanel(4, 12, 30, 0.8)
	for ti := range p.Times {
		p.Outcome[0][ti] = 1.15*p.Outcome[3][ti] + 0.1*p.Outcome[7][ti] - 0.25*p.Outcome[9][ti] + 2
		p.Covariates["gdp"][0][ti] = p.Covariates["gdp"][2][ti] + 1
	}
	preds := []Predictor{{"deaths", 2000, 2004}, {"deaths", 2005, 2009}, {"deaths", 2010, 2014}, {"deaths", 2015, 2019}, {"gdp", 2000, 2019}}
	r, err := Synth(p, SynthSpec{Treated: "T", TreatmentTime: 2020, Predictors: preds, Seed: 5})
	if err != nil {
		t.Fatal(err)
	}
	if r.Interior {
		t.Fatal("expected a treated unit outside the hull")
	}
	units := []int{0}
	for j := 1; j <= 12; j++ {
		units = append(units, j)
	}
	x := testPredictors(p, units, preds)
	k, n := len(preds), 12
	mspe := func(v []float64) (float64, []float64) {
		a, b := make([]float64, k*n), make([]float64, k)
		for i := 0; i < k; i++ {
			b[i] = math.Sqrt(v[i]) * x[0][i]
			for j := 0; j < n; j++ {
				a[j*k+i] = math.Sqrt(v[i]) * x[j+1][i]
			}
		}
		s := newSimplexLS(k, n)
		copy(s.a, a)
		copy(s.b, b)
		w := append([]float64(nil), s.solve()...)
		kktCheck(t, k, n, a, b, w)
		e := 0.0
		for ti := 0; ti < 20; ti++ {
			g := p.Outcome[0][ti]
			for j := 0; j < n; j++ {
				g -= w[j] * p.Outcome[j+1][ti]
			}
			e += g * g
		}
		return e / 20, w
	}
	// The reported W must be the exact inner solution for the reported V.
	v := make([]float64, k)
	for i, nv := range r.V {
		v[i] = nv.Value
	}
	m, w := mspe(v)
	for j, nv := range r.Weights {
		if math.Abs(nv.Value-w[j]) > 1e-9 {
			t.Fatalf("weight %s = %g, inner solution for reported V gives %g", nv.Name, nv.Value, w[j])
		}
	}
	if math.Abs(math.Sqrt(m)-r.RMSPEPre) > 1e-9 {
		t.Fatalf("RMSPE pre %g, recomputed %g", r.RMSPEPre, math.Sqrt(m))
	}
	// The search must beat (or tie) equal weights and any single predictor.
	eq := []float64{0.2, 0.2, 0.2, 0.2, 0.2}
	if me, _ := mspe(eq); m > me+1e-12 {
		t.Fatalf("searched MSPE %g worse than equal V %g", m, me)
	}
	if me, _ := mspe(eq); !(m < me*0.999) {
		t.Logf("note: search did not improve on equal V (%g vs %g)", m, me)
	}
	if !strings.Contains(r.Method, "poorly identified") {
		t.Error("Method must warn that V is poorly identified")
	}
}

func TestSynthPlaceboNull(t *testing.T) {
	p := factorPanel(11, 14, 30, 1.0)
	// A donor-like unit: its own loadings, no effect.
	rng := rand.New(rand.NewPCG(11, 11))
	for ti := range p.Times {
		p.Outcome[0][ti] = 0.25*(p.Outcome[2][ti]+p.Outcome[6][ti]+p.Outcome[9][ti]+p.Outcome[13][ti]) + rng.NormFloat64()
		p.Covariates["gdp"][0][ti] = 0.5*(p.Covariates["gdp"][2][ti]+p.Covariates["gdp"][6][ti]) + 0.2*rng.NormFloat64()
	}
	r, err := Synth(p, SynthSpec{Treated: "T", TreatmentTime: 2020, Placebos: true, Seed: 9})
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Placebos) != 14 {
		t.Fatalf("%d placebos, want 14", len(r.Placebos))
	}
	if !(r.PlaceboP > 0.1) {
		t.Fatalf("placebo p = %g on a null effect; want > 0.1 (ratio %g, placebos %+v)", r.PlaceboP, r.Ratio, r.Placebos)
	}
	// p is the rank of the treated ratio among all units.
	at := 1
	for _, pl := range r.Placebos {
		if pl.Ratio >= r.Ratio {
			at++
		}
	}
	if want := float64(at) / 15; r.PlaceboP != want {
		t.Fatalf("p = %g, want %g", r.PlaceboP, want)
	}
}

func TestSynthPlaceboLargeEffect(t *testing.T) {
	p := factorPanel(12, 9, 30, 1.0)
	setTreatedMix(&p, 0.4, 3, 0.6, 8)
	// Noise of sd 0.5 keeps the treated fit honest (not exact to rounding).
	rng := rand.New(rand.NewPCG(12, 12))
	for ti := range p.Times {
		p.Outcome[0][ti] += 0.5 * rng.NormFloat64()
		if ti >= 20 {
			p.Outcome[0][ti] += 25
		}
	}
	r, err := Synth(p, SynthSpec{Treated: "T", TreatmentTime: 2020, Placebos: true, Seed: 2})
	if err != nil {
		t.Fatal(err)
	}
	if want := 1.0 / 10; r.PlaceboP != want || r.PValueWithheld != "" {
		t.Fatalf("placebo p = %g (withheld %q), want %g", r.PlaceboP, r.PValueWithheld, want)
	}
	if !strings.Contains(r.Method, "All placebos were kept") {
		t.Error("Method must say that all placebos were kept")
	}
}

// An exact mix of donors fits its pre-period to rounding: the gaps are
// exact, but the p-value is withheld, with the reason in the result.
func TestSynthExactFitWithholdsP(t *testing.T) {
	p := factorPanel(12, 9, 30, 1.0)
	setTreatedMix(&p, 0.4, 3, 0.6, 8)
	for ti := 20; ti < 30; ti++ {
		p.Outcome[0][ti] += 25
	}
	for _, exclude := range []bool{false, true} {
		r, err := Synth(p, SynthSpec{Treated: "T", TreatmentTime: 2020, Placebos: true, Seed: 2, ExcludePoorPlacebos: exclude})
		if err != nil {
			t.Fatal(err)
		}
		if !math.IsNaN(r.PlaceboP) || !strings.Contains(r.PValueWithheld, `exact to rounding`) || !strings.Contains(r.PValueWithheld, `treated unit "T"`) {
			t.Fatalf("exclude=%v: p = %g, withheld %q", exclude, r.PlaceboP, r.PValueWithheld)
		}
		if !strings.Contains(r.Method, "no p-value is given: "+r.PValueWithheld) {
			t.Errorf("method does not give the reason: %s", r.Method)
		}
		for ti, tm := range r.Times {
			g, _ := r.Gaps.Get(FormatTime(tm))
			if want := 25 * b2f(ti >= 20); math.Abs(g-want) > 1e-6 {
				t.Fatalf("gap at %v = %g, want %g", tm, g, want)
			}
		}
		b, _ := json.Marshal(r)
		var m map[string]any
		json.Unmarshal(b, &m)
		if m["placebo_p"] != nil || m["p_value_withheld"] != r.PValueWithheld {
			t.Errorf("JSON placebo_p %v, p_value_withheld %v", m["placebo_p"], m["p_value_withheld"])
		}
	}
}

func TestSynthExcludePoorPlacebos(t *testing.T) {
	p := factorPanel(13, 12, 30, 1.0)
	rng := rand.New(rand.NewPCG(13, 13))
	for ti := range p.Times {
		p.Outcome[0][ti] = 0.5*(p.Outcome[3][ti]+p.Outcome[7][ti]) + rng.NormFloat64()
		p.Covariates["gdp"][0][ti] = p.Covariates["gdp"][3][ti]
		if ti >= 20 {
			p.Outcome[0][ti] += 4
		}
	}
	spec := SynthSpec{Treated: "T", TreatmentTime: 2020, Placebos: true, Seed: 4, ExcludePoorPlacebos: true, PoorFitRatio: 1.5}
	r, err := Synth(p, spec)
	if err != nil {
		t.Fatal(err)
	}
	excl, count, at := 0, 1, 1
	for _, pl := range r.Placebos {
		if poor := pl.RMSPEPre > 1.5*r.RMSPEPre; poor != pl.Excluded {
			t.Errorf("placebo %s: pre %g vs treated %g, excluded %v", pl.Unit, pl.RMSPEPre, r.RMSPEPre, pl.Excluded)
		}
		if pl.Excluded {
			excl++
			continue
		}
		count++
		if pl.Ratio >= r.Ratio {
			at++
		}
	}
	if excl == 0 || count == 1 {
		t.Fatalf("test panel should exclude some but not all placebos (excluded %d)", excl)
	}
	if want := float64(at) / float64(count); r.PlaceboP != want {
		t.Errorf("p = %g, want %g", r.PlaceboP, want)
	}
	if !strings.Contains(r.Method, fmt.Sprintf("excluded (%d of 12)", excl)) {
		t.Errorf("method: %s", r.Method)
	}
}

func TestSynthDeterministicAndJSON(t *testing.T) {
	p := factorPanel(21, 8, 16, 1.0)
	for ti := range p.Times {
		p.Outcome[0][ti] = p.Outcome[1][ti]*1.3 - 1
		p.Covariates["gdp"][0][ti] = p.Covariates["gdp"][1][ti]
	}
	p.Times[3] = 2003.5 // a fractional time key
	spec := SynthSpec{Treated: "T", TreatmentTime: 2010, Placebos: true, Seed: 42,
		Predictors: []Predictor{{"deaths", 2000, 2004}, {"deaths", 2005, 2009}, {"gdp", 2000, 2009}}}
	r1, err := Synth(p, spec)
	if err != nil {
		t.Fatal(err)
	}
	r2, _ := Synth(p, spec)
	b1, err := json.Marshal(r1)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := json.Marshal(r2)
	if string(b1) != string(b2) {
		t.Fatal("same seed gave different results")
	}
	var m map[string]any
	if err := json.Unmarshal(b1, &m); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"weights", "rmspe_pre", "gaps", "placebo_p", "v", "balance", "placebos", "method"} {
		if _, ok := m[key]; !ok {
			t.Errorf("JSON lacks %q", key)
		}
	}
	gaps := m["gaps"].(map[string]any)
	if _, ok := gaps["2003.5"]; !ok {
		t.Errorf("gap keys %v lack 2003.5", gaps)
	}
	if _, ok := gaps["2010"]; !ok {
		t.Errorf("gap keys %v lack 2010", gaps)
	}
	if w := m["weights"].(map[string]any); len(w) != 8 {
		t.Errorf("weights %v: want all 8 donors", w)
	}
	if !strings.HasPrefix(string(mustJSON(t, r1.Weights)), `{"d01":`) {
		t.Errorf("weights not in donor order: %s", mustJSON(t, r1.Weights))
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestSynthMissingData(t *testing.T) {
	p := factorPanel(31, 6, 20, 1.0)
	setTreatedMix(&p, 0.5, 1, 0.5, 2)
	spec := SynthSpec{Treated: "T", TreatmentTime: 2012}

	q := clonePanel(p)
	q.Outcome[0][4] = math.NaN()
	if _, err := Synth(q, spec); err == nil || !strings.Contains(err.Error(), `treated unit "T"`) || !strings.Contains(err.Error(), "2004") {
		t.Errorf("missing treated pre value: err = %v", err)
	}
	q = clonePanel(p)
	q.Outcome[3][2] = math.NaN()
	if _, err := Synth(q, spec); err == nil || !strings.Contains(err.Error(), `donor "d03"`) {
		t.Errorf("missing donor pre value: err = %v", err)
	}
	s2 := spec
	s2.DropIncompleteDonors = true
	r, err := Synth(q, s2)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.DroppedDonors) != 1 || r.DroppedDonors[0] != "d03" || !strings.Contains(r.Method, "d03") || len(r.Weights) != 5 {
		t.Errorf("dropped %v, weights %v, method %s", r.DroppedDonors, r.Weights, r.Method)
	}
	// A missing post-period value of a weighted donor leaves a hole in the gaps.
	q = clonePanel(p)
	q.Outcome[1][15] = math.NaN()
	r, err = Synth(q, spec)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := r.Gaps.Get("2015"); ok || len(r.Gaps) != 19 || !strings.Contains(r.Method, "missing outcomes") {
		t.Errorf("gaps %v; method %s", r.Gaps.Names(), r.Method)
	}
	if _, err := json.Marshal(r); err != nil {
		t.Errorf("marshal with NaN gap: %v", err)
	}
	// Predictors must be pre-treatment.
	spec.Predictors = []Predictor{{"deaths", 2010, 2013}}
	if _, err := Synth(p, spec); err == nil || !strings.Contains(err.Error(), "pre-treatment") {
		t.Errorf("post-treatment predictor: err = %v", err)
	}
	spec.Predictors = []Predictor{{"nope", 2000, 2005}}
	if _, err := Synth(p, spec); err == nil || !strings.Contains(err.Error(), `"nope"`) {
		t.Errorf("unknown column: err = %v", err)
	}
}

func clonePanel(p Panel) Panel {
	q := p
	q.Outcome = nil
	for _, row := range p.Outcome {
		q.Outcome = append(q.Outcome, append([]float64(nil), row...))
	}
	return q
}
