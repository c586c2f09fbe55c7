package analysis

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

func itsData(n int, T float64, noise float64, seed uint64, offset float64) (times, y []float64) {
	rng := rand.New(rand.NewPCG(seed, 3))
	for i := 1; i <= n; i++ {
		t := offset + float64(i)
		v := 3 + 0.5*t
		if t >= T {
			v += 4 + 1.5*(t-T)
		}
		times = append(times, t)
		y = append(y, v+noise*rng.NormFloat64())
	}
	return
}

func TestITSExact(t *testing.T) {
	times, y := itsData(60, 31, 0, 0, 0)
	r, err := ITS(times, y, []float64{31}, ITSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]float64{"intercept": 3, "trend": 0.5, "level_change": 4, "slope_change": 1.5}
	if strings.Join(r.Coefficients.Names(), ",") != "intercept,trend,level_change,slope_change" {
		t.Fatalf("names %v", r.Coefficients.Names())
	}
	for name, w := range want {
		if got, _ := r.Coefficients.Get(name); math.Abs(got-w) > 1e-9 {
			t.Errorf("%s = %.12g, want %g", name, got, w)
		}
	}
	if r.N != 60 || r.HACLags != DefaultHACLags(60) {
		t.Errorf("n %d lags %d", r.N, r.HACLags)
	}
	for i, tm := range times {
		if math.Abs(r.Counterfactual[i]-(3+0.5*tm)) > 1e-9 {
			t.Fatalf("counterfactual at %v = %g", tm, r.Counterfactual[i])
		}
	}
}

func TestITSTimesNotReindexed(t *testing.T) {
	// Month index since year 0: the intercept is the level at t = 0.
	times, y := itsData(48, 24030, 0, 0, 24000)
	r, err := ITS(times, y, []float64{24030}, ITSOptions{TimeUnit: "month"})
	if err != nil {
		t.Fatal(err)
	}
	for name, w := range map[string]float64{"intercept": 3, "trend": 0.5, "level_change": 4, "slope_change": 1.5} {
		if got, _ := r.Coefficients.Get(name); math.Abs(got-w) > 1e-6*math.Max(1, math.Abs(w)) {
			t.Errorf("%s = %.12g, want %g", name, got, w)
		}
	}
	if !strings.Contains(r.Method, "per month") {
		t.Errorf("method lacks the time unit: %s", r.Method)
	}
}

func TestITSNoisy(t *testing.T) {
	times, y := itsData(240, 121, 2, 42, 0)
	r, err := ITS(times, y, []float64{121}, ITSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for name, w := range map[string]float64{"intercept": 3, "trend": 0.5, "level_change": 4, "slope_change": 1.5} {
		got, _ := r.Coefficients.Get(name)
		se, _ := r.StdErrors.Get(name)
		lo, _ := r.CILow.Get(name)
		hi, _ := r.CIHigh.Get(name)
		if math.Abs(got-w) > 4*se || !(se > 0) {
			t.Errorf("%s = %g ± %g, want %g", name, got, se, w)
		}
		if math.Abs(lo-(got-1.959963984540054*se)) > 1e-12 || math.Abs(hi-(got+1.959963984540054*se)) > 1e-12 {
			t.Errorf("%s CI [%g, %g] not estimate ± 1.96 SE", name, lo, hi)
		}
	}
	if p, _ := r.PValues.Get("level_change"); !(p < 1e-4) {
		t.Errorf("level change p = %g; a jump of 4 with noise 2 and n=240 is clear", p)
	}
	if slope, _ := r.Coefficients.Get("slope_change"); math.Abs(slope-1.5) > 0.02 {
		t.Errorf("slope change %g, want 1.5 ± 0.02", slope)
	}
	for _, s := range []string{"Newey-West", "normal approximation", "not proof of cause", "lower bound"} {
		if !strings.Contains(r.Method, s) {
			t.Errorf("Method lacks %q", s)
		}
	}
}

func TestITSTwoBreaks(t *testing.T) {
	var times, y []float64
	for i := 1; i <= 90; i++ {
		tm := float64(i)
		v := 10 - 0.2*tm
		if tm >= 30 {
			v += 5 + 0.3*(tm-30)
		}
		if tm >= 60 {
			v += -2 - 0.4*(tm-60)
		}
		times, y = append(times, tm), append(y, v)
	}
	r, err := ITS(times, y, []float64{30, 60}, ITSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := Named{{"intercept", 10}, {"trend", -0.2}, {"level_change", 5}, {"slope_change", 0.3}, {"level_change_2", -2}, {"slope_change_2", -0.4}}
	if strings.Join(r.Coefficients.Names(), ",") != strings.Join(want.Names(), ",") {
		t.Fatalf("names %v", r.Coefficients.Names())
	}
	for _, nv := range want {
		if got, _ := r.Coefficients.Get(nv.Name); math.Abs(got-nv.Value) > 1e-9 {
			t.Errorf("%s = %g, want %g", nv.Name, got, nv.Value)
		}
	}
}

func TestITSJSONShape(t *testing.T) {
	times, y := itsData(40, 21, 1, 1, 0)
	r, err := ITS(times, y, []float64{21}, ITSOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{"coefficients", "std_errors"} {
		obj, ok := m[key].(map[string]any)
		if !ok || len(obj) != 4 {
			t.Fatalf("%s = %v", key, m[key])
		}
		for _, k := range []string{"intercept", "trend", "level_change", "slope_change"} {
			if _, ok := obj[k].(float64); !ok {
				t.Errorf("%s.%s missing", key, k)
			}
		}
	}
	if m["n"] != 40.0 || m["hac_lags"] != float64(DefaultHACLags(40)) || m["method"] == "" {
		t.Errorf("n %v hac_lags %v method %v", m["n"], m["hac_lags"], m["method"])
	}
	if !strings.Contains(string(b), `"coefficients":{"intercept":`) {
		t.Errorf("coefficients not ordered: %s", b)
	}
}

func TestITSErrors(t *testing.T) {
	times, y := itsData(20, 11, 0, 0, 0)
	cases := []struct {
		name   string
		times  []float64
		y      []float64
		breaks []float64
		want   string
	}{
		{"too few", times[:5], y[:5], []float64{3}, "need at least 6"},
		{"nothing before", times, y, []float64{1}, "no observations before"},
		{"nothing after", times, y, []float64{21}, "no observations at or after"},
		{"unsorted", append([]float64{2, 1}, times[2:]...), y, []float64{11}, "not sorted"},
		{"duplicate", append([]float64{1, 1}, times[2:]...), y, []float64{11}, "duplicate time 1"},
		{"nan y", times, append(append([]float64{}, y[:19]...), math.NaN()), []float64{11}, "missing values"},
		{"nan t", append([]float64{math.NaN()}, times[1:]...), y, []float64{11}, "time 1 is NaN"},
		{"empty segment", times, y, []float64{10.2, 10.5}, "no observations between"},
		{"no break", times, y, nil, "no break"},
	}
	for _, c := range cases {
		_, err := ITS(c.times, c.y, c.breaks, ITSOptions{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: err = %v, want %q", c.name, err, c.want)
		}
	}
	// A break whose segment is a single point at the break makes the design
	// rank deficient; the error names the column.
	_, err := ITS(times, y, []float64{10, 11}, ITSOptions{})
	if err == nil || !strings.Contains(err.Error(), "rank deficient") {
		t.Errorf("collinear breaks: err = %v", err)
	}
}
