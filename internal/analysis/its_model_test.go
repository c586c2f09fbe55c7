package analysis

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

// seasonalSeries is y = 10 + 0.5·t + s(month) + 7·[t ≥ 30] over 60 months
// starting in March, with a strong seasonal pattern s.
func seasonalSeries() (times, y []float64, months []int) {
	s := [13]float64{0, 0, -3, 1, 4, 9, 12, 10, 6, 2, -1, -4, -6}
	for i := 0; i < 60; i++ {
		t := float64(i)
		m := MonthOfYear(YearMonthIndex(2016, 3) + i)
		v := 10 + 0.5*t + s[m]
		if i >= 30 {
			v += 7
		}
		times, y, months = append(times, t), append(y, v), append(months, m)
	}
	return
}

func TestITSSeasonalRecoversLevelChange(t *testing.T) {
	times, y, months := seasonalSeries()
	r, err := ITS(times, y, []float64{30}, ITSOptions{Seasonal: true, MonthOfYear: months})
	if err != nil {
		t.Fatal(err)
	}
	lc, _ := r.Coefficients.Get("level_change")
	sc, _ := r.Coefficients.Get("slope_change")
	tr, _ := r.Coefficients.Get("trend")
	if math.Abs(lc-7) > 1e-9 || math.Abs(sc) > 1e-10 || math.Abs(tr-0.5) > 1e-10 {
		t.Fatalf("seasonal fit: level %g slope %g trend %g, want 7, 0, 0.5", lc, sc, tr)
	}
	// January, the earliest calendar month present, is the reference:
	// month_03 = s(3) − s(1) = 1 and month_07 = 10.
	if v, _ := r.Coefficients.Get("month_03"); math.Abs(v-1) > 1e-9 {
		t.Errorf("month_03 = %g, want 1", v)
	}
	if v, _ := r.Coefficients.Get("month_07"); math.Abs(v-10) > 1e-9 {
		t.Errorf("month_07 = %g, want 10", v)
	}
	if len(r.Coefficients) != 4+11 || r.Coefficients[4].Name != "month_02" {
		t.Errorf("terms %v, want 4 + 11 month dummies", r.Coefficients.Names())
	}
	// The counterfactual keeps the season: actual − counterfactual is 7 after the break.
	for i := 30; i < 60; i++ {
		if math.Abs(y[i]-r.Counterfactual[i]-7) > 1e-9 {
			t.Fatalf("gap at %d = %g", i, y[i]-r.Counterfactual[i])
		}
	}
	if !r.Seasonal || !strings.Contains(r.Method, "11 month-of-year dummies") {
		t.Errorf("method: %s", r.Method)
	}
	plain, err := ITS(times, y, []float64{30}, ITSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if lc, _ := plain.Coefficients.Get("level_change"); math.Abs(lc-7) < 1 {
		t.Errorf("without seasonal terms the level change is %g; the test needs a seasonal bias of at least 1", lc)
	}
	if plain.Seasonal || !strings.Contains(plain.Method, "No seasonal terms") {
		t.Errorf("method: %s", plain.Method)
	}
	if _, err := ITS(times, y, []float64{30}, ITSOptions{Seasonal: true}); err == nil || !strings.Contains(err.Error(), "calendar month") {
		t.Errorf("seasonal without months: %v", err)
	}
}

// A Poisson fit to exact rates exp(1 + 0.01t + s(m) + log 1.5·[t ≥ 30])
// has zero score at the truth, so it recovers the log level change exactly.
func TestITSCountSeasonal(t *testing.T) {
	times, _, months := seasonalSeries()
	s := [13]float64{0, 0.3, -0.2, 0, 0.1, 0.4, 0.6, 0.5, 0.2, 0, -0.1, -0.3, -0.4}
	y := make([]float64, len(times))
	for i, tt := range times {
		eta := 1 + 0.01*tt + s[months[i]]
		if tt >= 30 {
			eta += math.Log(1.5)
		}
		y[i] = math.Exp(eta)
	}
	for _, model := range []string{ModelPoisson, ModelNegBin} {
		f, err := FitITS(times, y, []float64{30}, ITSOptions{Model: model, Seasonal: true, MonthOfYear: months})
		if err != nil {
			t.Fatal(err)
		}
		r := f.(*ITSCountResult)
		if rr, _ := r.RateRatios.Get("level_change"); math.Abs(rr-1.5) > 1e-6 {
			t.Errorf("%s: level rate ratio %g, want 1.5", model, rr)
		}
		if r.Model != model || f.ModelName() != model {
			t.Errorf("model %s, asked %s", r.Model, model)
		}
	}
}

// The model is the caller's: Poisson stays Poisson on overdispersed data
// (with a note), OLS stays OLS on small counts (with a note).
func TestITSModelIsNeverSwitched(t *testing.T) {
	times, y := countData(2, 0.3) // overdispersed
	f, err := FitITS(times, y, []float64{120}, ITSOptions{Model: ModelPoisson})
	if err != nil {
		t.Fatal(err)
	}
	r := f.(*ITSCountResult)
	if r.Model != ModelPoisson || r.Alpha != 0 || !(r.Dispersion > 1.5) || len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "overdispersed") {
		t.Fatalf("model %s alpha %g dispersion %g notes %v", r.Model, r.Alpha, r.Dispersion, r.Notes)
	}
	if !strings.Contains(r.Method, "Model poisson, chosen by the caller") {
		t.Errorf("method: %s", r.Method)
	}
	b, _ := json.Marshal(f)
	var m map[string]any
	json.Unmarshal(b, &m)
	if m["model"] != "poisson" || len(m["notes"].([]any)) != 1 {
		t.Errorf("JSON model %v notes %v", m["model"], m["notes"])
	}
	o, err := FitITS(times, y, []float64{120}, ITSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ols := o.(*ITSResult)
	if ols.Model != ModelOLS || !RecommendCountModel(y) || len(ols.Notes) != 1 || !strings.Contains(ols.Notes[0], "advice only") {
		t.Errorf("OLS on counts: model %s notes %v", ols.Model, ols.Notes)
	}
	if _, err := ITS(times, y, []float64{120}, ITSOptions{Model: ModelNegBin}); err == nil {
		t.Error("ITS must refuse a count model")
	}
	if _, err := ITSCount(times, y, []float64{120}, ITSOptions{}); err == nil {
		t.Error("ITSCount must refuse an unnamed model")
	}
	if _, err := FitITS(times, y, []float64{120}, ITSOptions{Model: "auto"}); err == nil || !strings.Contains(err.Error(), "not one of ols, poisson, negbin") {
		t.Errorf("unknown model: %v", err)
	}
	// The deprecated ITSPoisson keeps its rule, and says it was a rule.
	d, err := ITSPoisson(times, y, []float64{120}, ITSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Model != ModelNegBin || !strings.Contains(d.Method, "chosen by a rule, not by the caller") {
		t.Errorf("ITSPoisson: %s; %s", d.Model, d.Method)
	}
}
