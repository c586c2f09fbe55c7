package analysis

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"testing"
)

func monthly(n int) Series {
	var s Series
	for i := 1; i <= n; i++ {
		s.Times = append(s.Times, float64(i))
		s.Labels = append(s.Labels, fmt.Sprintf("m%02d", i))
		s.Values = append(s.Values, float64(i))
	}
	return s
}

func TestSummarize(t *testing.T) {
	s := monthly(40)
	s.Values[2] = math.NaN() // month 3 missing
	out, err := Summarize(s, []Phase{{"drawdown", 19, 24}, {"deployment", 13, 18}})
	if err != nil {
		t.Fatal(err)
	}
	type row struct {
		name       string
		periods    int
		total      float64
		capped     bool
		fromL, toL string
	}
	want := []row{
		{"before", 11, 78 - 3, false, "m01", "m12"}, // months 1..12, month 3 missing
		{"deployment", 6, 13 + 14 + 15 + 16 + 17 + 18, false, "m13", "m18"},
		{"drawdown", 6, 19 + 20 + 21 + 22 + 23 + 24, false, "m19", "m24"},
		{"after", 12, 366, false, "m25", "m36"}, // 25..36
	}
	if len(out) != len(want) {
		t.Fatalf("%d summaries", len(out))
	}
	for i, w := range want {
		o := out[i]
		if o.Name != w.name || o.Periods != w.periods || o.Total != w.total || o.Capped != w.capped || o.FromLabel != w.fromL || o.ToLabel != w.toL {
			t.Errorf("%d: got %+v, want %+v", i, o, w)
		}
		if math.Abs(o.Mean-w.total/float64(w.periods)) > 1e-12 {
			t.Errorf("%s mean %g", o.Name, o.Mean)
		}
	}
	// Capped windows: the intervention runs 5..16 (12 months); before would be
	// −7..4 but data start at 1; after would be 17..28 but data end at 20.
	out, err = Summarize(monthly(20), []Phase{{"mission", 5, 16}})
	if err != nil {
		t.Fatal(err)
	}
	if b := out[0]; b.Periods != 4 || !b.Capped || b.From != -7 || b.Total != 10 {
		t.Errorf("before %+v", b)
	}
	if a := out[2]; a.Periods != 4 || !a.Capped || a.To != 28 || a.Total != 17+18+19+20 {
		t.Errorf("after %+v", a)
	}
	// No data after: the mean is NaN and marshals as null.
	out, _ = Summarize(monthly(16), []Phase{{"mission", 5, 16}})
	b, err := json.Marshal(out[2])
	if err != nil || !strings.Contains(string(b), `"mean":null`) || out[2].Periods != 0 {
		t.Errorf("after %s %v", b, err)
	}
	if _, err := Summarize(monthly(20), []Phase{{"a", 5, 10}, {"b", 10, 12}}); err == nil {
		t.Error("overlapping phases accepted")
	}
}
