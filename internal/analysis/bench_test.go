package analysis

import (
	"math"
	"math/rand/v2"
	"testing"
)

// benchPanel: 40 donors × 30 yearly periods (20 pre), treated outside the
// donors' hull, five predictors.
func benchPanel() (Panel, SynthSpec) {
	p := factorPanel(77, 40, 30, 1.0)
	rng := rand.New(rand.NewPCG(77, 1))
	for ti := range p.Times {
		p.Outcome[0][ti] = 0.6*p.Outcome[4][ti] + 0.5*p.Outcome[17][ti] - 0.1*p.Outcome[30][ti] + rng.NormFloat64()
		p.Covariates["gdp"][0][ti] = p.Covariates["gdp"][4][ti] + 0.5
		if ti >= 20 {
			p.Outcome[0][ti] += 5
		}
	}
	spec := SynthSpec{Treated: "T", TreatmentTime: 2020, Seed: 1,
		Predictors: []Predictor{{"deaths", 2000, 2004}, {"deaths", 2005, 2009}, {"deaths", 2010, 2014}, {"deaths", 2015, 2019}, {"gdp", 2000, 2019}}}
	return p, spec
}

func BenchmarkSynth40x30(b *testing.B) {
	p, spec := benchPanel()
	spec.Placebos = true
	for b.Loop() {
		if _, err := Synth(p, spec); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSynth40x30NoPlacebos(b *testing.B) {
	p, spec := benchPanel()
	for b.Loop() {
		if _, err := Synth(p, spec); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkITS(b *testing.B) {
	n := 240
	times, y := make([]float64, n), make([]float64, n)
	rng := rand.New(rand.NewPCG(5, 5))
	for i := range times {
		t := float64(i + 1)
		times[i] = t
		y[i] = 3 + 0.5*t + rng.NormFloat64()
		if t >= 120 {
			y[i] += 4 + 1.5*(t-120)
		}
	}
	for b.Loop() {
		if _, err := ITS(times, y, []float64{120}, ITSOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkITSPoisson(b *testing.B) {
	n := 240
	times, y := make([]float64, n), make([]float64, n)
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range times {
		t := float64(i + 1)
		times[i] = t
		mu := math.Exp(1 + 0.004*t + 0.3*b2f(t >= 120))
		y[i] = float64(testPoisson(rng, mu*rng.ExpFloat64())) // overdispersed
	}
	for b.Loop() {
		if _, err := ITSPoisson(times, y, []float64{120}, ITSOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// testPoisson draws a Poisson variate by inversion (fine for small means).
func testPoisson(rng *rand.Rand, mu float64) int {
	u := rng.Float64()
	p := math.Exp(-mu)
	c := p
	k := 0
	for u > c && k < 10000 {
		k++
		p *= mu / float64(k)
		c += p
	}
	return k
}
