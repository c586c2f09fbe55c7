package analysis

import (
	"errors"
	"fmt"
	"math"
	"sort"
)

// Series is a regular time series, e.g. monthly counts: Times are period
// indices (one step per month), Labels optional display names ("2005-03").
type Series struct {
	Times  []float64
	Labels []string
	Values []float64
}

// Phase is a named part of an intervention; Start and End are inclusive and
// in the units of Series.Times.
type Phase struct {
	Name       string
	Start, End float64
}

// PeriodSummary summarises one window of a series.
type PeriodSummary struct {
	Name      string  // "before", a phase name, or "after"
	From, To  float64 // the window asked for (inclusive), before capping
	FromLabel string  // label of the first period with a value
	ToLabel   string  // label of the last period with a value
	Periods   int     // periods in the window that have a value ("months covered")
	Total     float64
	Mean      float64 // Total / Periods: the monthly mean for a monthly series; NaN when Periods = 0
	Capped    bool    // the window reaches beyond the data, so fewer periods are covered
}

// MarshalJSON writes NaN means as null.
func (p PeriodSummary) MarshalJSON() ([]byte, error) {
	return marshalMap(map[string]any{"name": p.Name, "from": p.From, "to": p.To, "from_label": p.FromLabel, "to_label": p.ToLabel,
		"periods": p.Periods, "total": p.Total, "mean": jsonNum(p.Mean), "capped": p.Capped})
}

// SummaryRule explains Summarize's windows in plain words.
const SummaryRule = "Before and after windows have the same length as the intervention (first phase start to last phase end, in periods) and sit directly before and after it; where the data do not reach that far they are cut at the first or last period with data (capped). Totals and means use only periods that have a value; the mean is per period (per month for monthly data)."

// Summarize returns before / each phase / after summaries of s (see
// SummaryRule). The period length is the smallest gap between consecutive
// times. Phases must be ordered and must not overlap.
func Summarize(s Series, phases []Phase) ([]PeriodSummary, error) {
	n := len(s.Times)
	if n == 0 || len(s.Values) != n {
		return nil, fmt.Errorf("summarize: %d times and %d values", n, len(s.Values))
	}
	if len(s.Labels) != 0 && len(s.Labels) != n {
		return nil, fmt.Errorf("summarize: %d labels for %d times", len(s.Labels), n)
	}
	if len(phases) == 0 {
		return nil, errors.New("summarize: no phases")
	}
	step := math.Inf(1)
	for i := 1; i < n; i++ {
		d := s.Times[i] - s.Times[i-1]
		if !(d > 0) {
			return nil, fmt.Errorf("summarize: times must be strictly increasing (%s after %s)", FormatTime(s.Times[i]), FormatTime(s.Times[i-1]))
		}
		step = math.Min(step, d)
	}
	if n == 1 {
		step = 1
	}
	ph := append([]Phase(nil), phases...)
	sort.SliceStable(ph, func(i, j int) bool { return ph[i].Start < ph[j].Start })
	for i, p := range ph {
		if !isFinite(p.Start) || !isFinite(p.End) || p.End < p.Start {
			return nil, fmt.Errorf("summarize: phase %q has a bad window [%v, %v]", p.Name, p.Start, p.End)
		}
		if i > 0 && p.Start <= ph[i-1].End {
			return nil, fmt.Errorf("summarize: phases %q and %q overlap", ph[i-1].Name, p.Name)
		}
	}
	start, end := ph[0].Start, ph[len(ph)-1].End
	length := math.Round((end-start)/step) + 1 // periods
	window := func(name string, from, to float64) PeriodSummary {
		out := PeriodSummary{Name: name, From: from, To: to, Mean: math.NaN()}
		eps := 1e-9 * step
		for i, t := range s.Times {
			if t < from-eps || t > to+eps || !isFinite(s.Values[i]) {
				continue
			}
			if out.Periods == 0 && len(s.Labels) > 0 {
				out.FromLabel = s.Labels[i]
			}
			if len(s.Labels) > 0 {
				out.ToLabel = s.Labels[i]
			}
			out.Periods++
			out.Total += s.Values[i]
		}
		if out.Periods > 0 {
			out.Mean = out.Total / float64(out.Periods)
		}
		return out
	}
	var out []PeriodSummary
	before := window("before", start-length*step, start-step)
	before.Capped = before.From < s.Times[0]-1e-9*step
	out = append(out, before)
	for _, p := range ph {
		out = append(out, window(p.Name, p.Start, p.End))
	}
	after := window("after", end+step, end+length*step)
	after.Capped = after.To > s.Times[n-1]+1e-9*step
	out = append(out, after)
	return out, nil
}
