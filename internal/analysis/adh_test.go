package analysis

import (
	"math"
	"os"
	"testing"
)

// Abadie, Diamond & Hainmueller (2010, JASA), Table 2: synthetic
// California from five states, with predictors ln(GDP per capita), the
// share aged 15–24 and the retail price (means over 1980–1988), beer
// consumption (1984–1988) and cigarette sales in 1975, 1980 and 1988.
func TestSynthADH2010Prop99(t *testing.T) {
	f, err := os.Open("testdata/smoking.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tab, err := ReadTable(f, "smoking.csv")
	if err != nil {
		t.Fatal(err)
	}
	p, err := tab.Panel("state", "year", "cigsale", []string{"lnincome", "age15to24", "retprice", "beer"})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Units) != 39 || len(p.Times) != 31 {
		t.Fatalf("%d states, %d years", len(p.Units), len(p.Times))
	}
	spec := SynthSpec{Treated: "California", TreatmentTime: 1989, Seed: 1, Predictors: []Predictor{
		{"lnincome", 1980, 1988}, {"age15to24", 1980, 1988}, {"retprice", 1980, 1988}, {"beer", 1984, 1988},
		{"cigsale", 1975, 1975}, {"cigsale", 1980, 1980}, {"cigsale", 1988, 1988}}}
	r, err := Synth(p, spec)
	if err != nil {
		t.Fatal(err)
	}
	adh := map[string]float64{"Colorado": 0.164, "Connecticut": 0.069, "Montana": 0.199, "Nevada": 0.234, "Utah": 0.334}
	const tol = 0.01
	for _, nv := range r.Weights {
		want := adh[nv.Name] // 0 for every other state
		if math.Abs(nv.Value-want) > tol {
			t.Errorf("weight %s = %.3f, ADH %.3f (tolerance ±%g)", nv.Name, nv.Value, want, tol)
		}
	}
	// ADH report a pre-period RMSPE of about 1.76 packs per capita (Synth's
	// loss over 1970–1988).
	if math.Abs(r.RMSPEPre-1.76) > 0.05 {
		t.Errorf("pre-period RMSPE %.3f, ADH ≈ 1.76", r.RMSPEPre)
	}
	t.Logf("weights %v; RMSPE pre %.4f; V %v", r.Weights, r.RMSPEPre, r.V)
}
