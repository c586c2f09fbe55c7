package cli_test

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"aftermath/internal/cli"
)

// monthlyPanel writes a panel of units T (= 0.3·A + 0.7·B + noise), A, B, C,
// D with YYYY-MM times from 2010-01 for the given number of months.
func monthlyPanel(t *testing.T, months int) string {
	var b strings.Builder
	b.WriteString("unit,month,events\n")
	for m := 0; m < months; m++ {
		ym := fmt.Sprintf("%04d-%02d", 2010+m/12, m%12+1)
		a := 10 + 5*math.Sin(float64(m)/2) + float64(m%5)
		bb := 20 + 0.1*float64(m) + float64(m%3)
		c, d := 5+float64(m*m%7), 40-0.05*float64(m)
		tr := math.Round(0.3*a+0.7*bb) + float64(m%2)
		for _, u := range []struct {
			n string
			v float64
		}{{"T", tr}, {"A", a}, {"B", bb}, {"C", c}, {"D", d}} {
			fmt.Fprintf(&b, "%s,%s,%.6g\n", u.n, ym, u.v)
		}
	}
	path := filepath.Join(t.TempDir(), "panel.csv")
	os.WriteFile(path, []byte(b.String()), 0o644)
	return path
}

func TestAnalyzeSynthMinPre(t *testing.T) {
	path := monthlyPanel(t, 24)
	args := []string{"analyze", "synth", "--panel", path, "--unit", "unit", "--time", "month", "--outcome", "events", "--treated", "T", "--treatment-time", "2010-06"}
	_, _, err := run(t, args...)
	if err == nil || cli.ExitCode(err) != 2 || !strings.Contains(err.Error(), "has 5 time(s)") || !strings.Contains(err.Error(), "at least 10 are needed") {
		t.Fatalf("5 pre-period months: exit %d, %v", cli.ExitCode(err), err)
	}
	out, _, err := run(t, append(args, "--min-pre", "5")...)
	if err != nil || !strings.Contains(out, `"min_pre": 5`) {
		t.Fatalf("--min-pre 5: %v\n%s", err, out)
	}
}

func TestAnalyzeSynthAggregateLog(t *testing.T) {
	path := monthlyPanel(t, 15*12)
	out, _, err := run(t, "analyze", "synth", "--panel", path, "--unit", "unit", "--time", "month", "--outcome", "events", "--treated", "T",
		"--treatment-time", "2022-01", "--aggregate", "year", "--log", "--predictor", "events:2010-01..2021-12", "--placebos", "--format", "json")
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Times     []float64 `json:"times"`
		Labels    []string  `json:"labels"`
		Actual    []float64 `json:"actual"`
		Aggregate string    `json:"aggregate"`
		Log       bool      `json:"log_outcome"`
		Method    string    `json:"method"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if len(res.Times) != 15 || res.Times[0] != 2010 || res.Labels[12] != "2022" || res.Aggregate != "year" || !res.Log {
		t.Fatalf("times %v labels %v aggregate %q log %v", res.Times, res.Labels, res.Aggregate, res.Log)
	}
	// 2010's actual value is log(1 + the sum of T's twelve months).
	sum := 0.0
	for m := 0; m < 12; m++ {
		a := 10 + 5*math.Sin(float64(m)/2) + float64(m%5)
		bb := 20 + 0.1*float64(m) + float64(m%3)
		sum += math.Round(0.3*a+0.7*bb) + float64(m%2)
	}
	if math.Abs(res.Actual[0]-math.Log1p(sum)) > 1e-9 {
		t.Errorf("2010 = %v, want log(1 + %v)", res.Actual[0], sum)
	}
	for _, want := range []string{"summed over calendar years", "log(1 + y)"} {
		if !strings.Contains(res.Method, want) {
			t.Errorf("method lacks %q: %s", want, res.Method)
		}
	}
	if _, _, err := run(t, "analyze", "synth", "--panel", path, "--unit", "unit", "--time", "month", "--outcome", "events", "--treated", "T",
		"--treatment-time", "2022-01", "--aggregate", "week"); cli.ExitCode(err) != 2 {
		t.Errorf("--aggregate week: %v", err)
	}
}

func TestAnalyzeITSModelSeasonal(t *testing.T) {
	// Monthly from 2015-03: y = 10 + 0.5t + s(month) + 7·[t ≥ 2017-09].
	s := [13]float64{0, 0, -3, 1, 4, 9, 12, 10, 6, 2, -1, -4, -6}
	var b strings.Builder
	b.WriteString("month,events\n")
	for i := 0; i < 60; i++ {
		m := 2 + i // 0-based month of 2015
		y := 10 + 0.5*float64(i) + s[m%12+1]
		if i >= 30 {
			y += 7
		}
		fmt.Fprintf(&b, "%04d-%02d,%g\n", 2015+m/12, m%12+1, y)
	}
	path := filepath.Join(t.TempDir(), "series.csv")
	os.WriteFile(path, []byte(b.String()), 0o644)
	base := []string{"analyze", "its", "--series", path, "--time", "month", "--outcome", "events", "--break", "2017-09"}
	out, _, err := run(t, append(base, "--seasonal")...)
	if err != nil {
		t.Fatal(err)
	}
	var res struct {
		Model        string             `json:"model"`
		Seasonal     bool               `json:"seasonal"`
		Coefficients map[string]float64 `json:"coefficients"`
		Method       string             `json:"method"`
	}
	if err := json.Unmarshal([]byte(out), &res); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if res.Model != "ols" || !res.Seasonal || math.Abs(res.Coefficients["level_change"]-7) > 1e-9 || len(res.Coefficients) != 15 {
		t.Fatalf("model %s seasonal %v coefficients %v", res.Model, res.Seasonal, res.Coefficients)
	}
	if !strings.Contains(res.Method, "month (0 = 2015-03)") {
		t.Errorf("method: %s", res.Method)
	}
	out, _, err = run(t, append(base, "--model", "poisson")...)
	if err != nil || !strings.Contains(out, `"model": "poisson"`) || !strings.Contains(out, `"rate_ratios"`) {
		t.Errorf("--model poisson: %v\n%s", err, out)
	}
	if _, _, err := run(t, append(base, "--model", "auto")...); cli.ExitCode(err) != 2 {
		t.Errorf("--model auto: %v", err)
	}
	// Numeric times need --first-month for --seasonal.
	var nb strings.Builder
	nb.WriteString("t,events\n")
	for i := 0; i < 60; i++ {
		y := 10 + 0.5*float64(i) + s[(2+i)%12+1]
		if i >= 30 {
			y += 7
		}
		fmt.Fprintf(&nb, "%d,%g\n", i, y)
	}
	npath := filepath.Join(t.TempDir(), "n.csv")
	os.WriteFile(npath, []byte(nb.String()), 0o644)
	nbase := []string{"analyze", "its", "--series", npath, "--time", "t", "--outcome", "events", "--break", "30", "--seasonal"}
	if _, _, err := run(t, nbase...); cli.ExitCode(err) != 2 || !strings.Contains(err.Error(), "--first-month") {
		t.Errorf("no --first-month: %v", err)
	}
	out, _, err = run(t, append(nbase, "--first-month", "03")...)
	if err := json.Unmarshal([]byte(out), &res); err != nil || math.Abs(res.Coefficients["level_change"]-7) > 1e-9 {
		t.Errorf("--first-month 03: %v %v", err, res.Coefficients)
	}
}
