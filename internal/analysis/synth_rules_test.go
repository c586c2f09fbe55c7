package analysis

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"aftermath"
)

// countPanel is a monthly panel of Poisson-like counts for "T" and n donors
// over months (YearMonthIndex) from 2020-01.
func countPanel(seed uint64, n, months int) Panel {
	rng := rand.New(rand.NewPCG(seed, 7))
	p := Panel{OutcomeName: "events"}
	for m := 0; m < months; m++ {
		p.Times = append(p.Times, float64(YearMonthIndex(2020, 1)+m))
	}
	p.Units = append(p.Units, "T")
	for j := 1; j <= n; j++ {
		p.Units = append(p.Units, fmt.Sprintf("d%02d", j))
	}
	for range p.Units {
		base := 5 + 20*rng.Float64()
		row := make([]float64, months)
		for m := range row {
			row[m] = math.Round(base + 4*rng.NormFloat64()*math.Sqrt(base)/2)
			row[m] = math.Max(row[m], 0)
		}
		p.Outcome = append(p.Outcome, row)
	}
	return p
}

func TestSynthRefusesShortPrePeriod(t *testing.T) {
	p := countPanel(1, 12, 20)
	for _, c := range []struct {
		pre, minPre, need int
	}{{5, 0, 10}, {9, 0, 10}, {4, 0, 10}, {5, 6, 6}} {
		tt := p.Times[c.pre] // c.pre months before it
		_, err := Synth(p, SynthSpec{Treated: "T", TreatmentTime: tt, MinPre: c.minPre})
		var ae *aftermath.Error
		if !errors.As(err, &ae) || ae.Code != aftermath.EINVALID {
			t.Fatalf("pre %d, MinPre %d: err %v, want an EINVALID aftermath.Error", c.pre, c.minPre, err)
		}
		if want := fmt.Sprintf("has %d time(s)", c.pre); !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), fmt.Sprintf("at least %d are needed", c.need)) {
			t.Errorf("message %q must say %q and that %d are needed", err, want, c.need)
		}
	}
	// Exactly MinPre pre-period times are accepted.
	r, err := Synth(p, SynthSpec{Treated: "T", TreatmentTime: p.Times[10]})
	if err != nil || r.MinPre != 10 {
		t.Fatalf("10 pre-period times: %v", err)
	}
	if !strings.Contains(r.Method, "at least 10 pre-period times are required") {
		t.Errorf("method: %s", r.Method)
	}
}

// The Mali case: 4 pre-period months, 40 donors. Allowed by MinPre = 4,
// the treated unit and the placebos fit their 4 months exactly, so the
// placebo rank (4/41 before) is rounding noise and is withheld.
func TestSynthFewPreMonthsWithholdsP(t *testing.T) {
	p := countPanel(3, 40, 12)
	for m := range p.Times { // inside the donors' range
		p.Outcome[0][m] = math.Round((p.Outcome[1][m] + p.Outcome[2][m] + p.Outcome[3][m] + p.Outcome[4][m]) / 4)
	}
	r, err := Synth(p, SynthSpec{Treated: "T", TreatmentTime: p.Times[4], MinPre: 4, Placebos: true, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if r.RMSPEPre > 1e-8 {
		t.Fatalf("pre RMSPE %g; the test expects an exact fit", r.RMSPEPre)
	}
	if !math.IsNaN(r.PlaceboP) || !strings.Contains(r.PValueWithheld, "exact to rounding") || !strings.Contains(r.PValueWithheld, "placebo \"d") {
		t.Fatalf("p = %g, withheld %q", r.PlaceboP, r.PValueWithheld)
	}
}

func TestNearExactTolerance(t *testing.T) {
	for _, c := range []struct {
		rmspe, meanAbs float64
		want           bool
	}{{0, 0, true}, {1e-8, 0, true}, {1.1e-8, 0, false}, {1.8e-15, 30, true}, {3e-7, 30, true}, {4e-7, 30, false}, {0.01, 1e3, false}} {
		if got := nearExact(c.rmspe, c.meanAbs); got != c.want {
			t.Errorf("nearExact(%g, %g) = %v", c.rmspe, c.meanAbs, got)
		}
	}
}

func TestAggregateSeries(t *testing.T) {
	// 2019-11 … 2020-12 with 2020-05 missing.
	var s Series
	for m := YearMonthIndex(2019, 11); m <= YearMonthIndex(2020, 12); m++ {
		s.Times = append(s.Times, float64(m))
		v := float64(MonthOfYear(m))
		if m == YearMonthIndex(2020, 5) {
			v = math.NaN()
		}
		s.Values = append(s.Values, v)
	}
	q, err := AggregateSeries(s, PeriodQuarter)
	if err != nil {
		t.Fatal(err)
	}
	// 2019-Q4 lacks October (absent): missing. 2020-Q2 lacks May: missing.
	wantL := []string{"2019-Q4", "2020-Q1", "2020-Q2", "2020-Q3", "2020-Q4"}
	wantV := []float64{math.NaN(), 1 + 2 + 3, math.NaN(), 7 + 8 + 9, 10 + 11 + 12}
	if fmt.Sprint(q.Labels) != fmt.Sprint(wantL) {
		t.Fatalf("labels %v", q.Labels)
	}
	for i := range wantV {
		if q.Times[i] != float64(2019*4+3+i) || !(q.Values[i] == wantV[i] || math.IsNaN(q.Values[i]) && math.IsNaN(wantV[i])) {
			t.Errorf("quarter %s: time %v value %v, want %v", q.Labels[i], q.Times[i], q.Values[i], wantV[i])
		}
	}
	y, err := AggregateSeries(s, PeriodYear)
	if err != nil {
		t.Fatal(err)
	}
	if len(y.Times) != 2 || y.Times[0] != 2019 || y.Times[1] != 2020 || !math.IsNaN(y.Values[0]) || !math.IsNaN(y.Values[1]) {
		t.Errorf("years %v %v: both have a missing month", y.Times, y.Values)
	}
	s.Values[6] = 5 // fill 2020-05
	y, _ = AggregateSeries(s, PeriodYear)
	if y.Values[1] != 78 || y.Labels[1] != "2020" {
		t.Errorf("2020 = %v (%s), want 78", y.Values[1], y.Labels[1])
	}
	if _, err := AggregateSeries(Series{Times: []float64{1.5}, Values: []float64{1}}, PeriodYear); err == nil {
		t.Error("a fractional time must be refused")
	}
}

func TestLog1p(t *testing.T) {
	v, err := Log1p([]float64{0, math.E - 1, math.NaN()})
	if err != nil || v[0] != 0 || math.Abs(v[1]-1) > 1e-15 || !math.IsNaN(v[2]) {
		t.Fatalf("%v %v", v, err)
	}
	if _, err := Log1p([]float64{-1}); err == nil {
		t.Error("negative values must be refused")
	}
}

// Synth with yearly aggregation fits the yearly totals: the treated unit is
// 0.3·A + 0.7·B month by month, so also year by year; the treatment month
// 2015-07 moves to 2015, which is said to be partly pre-treatment.
func TestSynthAggregateAndLog(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	p := Panel{OutcomeName: "events", Units: []string{"T", "A", "B", "C", "D"}}
	start := YearMonthIndex(2000, 1)
	for m := 0; m < 20*12; m++ {
		p.Times = append(p.Times, float64(start+m))
	}
	p.Outcome = make([][]float64, 5)
	for u := 1; u < 5; u++ {
		for m := range p.Times {
			p.Outcome[u] = append(p.Outcome[u], math.Round(10*float64(u)+5*rng.Float64()+float64(m)/float64(u*10)))
		}
	}
	for m := range p.Times {
		p.Outcome[0] = append(p.Outcome[0], 0.3*p.Outcome[1][m]+0.7*p.Outcome[2][m])
	}
	spec := SynthSpec{Treated: "T", TreatmentTime: float64(YearMonthIndex(2015, 7)), Aggregate: PeriodYear, Seed: 1,
		Predictors: []Predictor{{"events", float64(start), float64(YearMonthIndex(2014, 12))}, {"events", float64(YearMonthIndex(2010, 3)), float64(YearMonthIndex(2010, 3))}}}
	r, err := Synth(p, spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Times) != 20 || r.Times[0] != 2000 || r.Labels[15] != "2015" || r.Aggregate != PeriodYear || r.TreatmentTime != 2015 {
		t.Fatalf("times %v labels %v", r.Times, r.Labels)
	}
	if w, _ := r.Weights.Get("A"); math.Abs(w-0.3) > 1e-4 {
		t.Errorf("weights %v", r.Weights)
	}
	if v, _ := r.V.Get("events[2000,2014]"); !(v > 0) {
		t.Errorf("predictor windows were not moved to years: %v", r.V.Names())
	}
	// Yearly actual = sum of the months.
	sum := 0.0
	for m := 0; m < 12; m++ {
		sum += p.Outcome[0][m]
	}
	if math.Abs(r.Actual[0]-sum) > 1e-9 {
		t.Errorf("2000 total %v, want %v", r.Actual[0], sum)
	}
	for _, want := range []string{"summed over calendar years", "counts as post-treatment", "untransformed (no log)"} {
		if !strings.Contains(r.Method, want) {
			t.Errorf("method lacks %q: %s", want, r.Method)
		}
	}
	// 15 yearly pre-periods pass MinPre 10; quarterly with MinPre 80 fails.
	spec.Aggregate = PeriodQuarter
	spec.MinPre = 80
	if _, err := Synth(p, spec); err == nil || !strings.Contains(err.Error(), "has 62 time(s)") {
		t.Errorf("quarterly: %v", err) // 2000-Q1 … 2015-Q2
	}
	spec.MinPre = 0
	spec.Log = true
	spec.Aggregate = PeriodYear
	r, err = Synth(p, spec)
	if err != nil {
		t.Fatal(err)
	}
	if math.Abs(r.Actual[0]-math.Log1p(sum)) > 1e-12 || !r.Log || !strings.Contains(r.Method, "log(1 + y)") {
		t.Errorf("log: actual %v, want %v; %s", r.Actual[0], math.Log1p(sum), r.Method)
	}
}
