package analysis

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Period is the length of the time step a series or panel is analysed at.
type Period string

// Periods that monthly data can be aggregated to.
const (
	PeriodMonth   Period = "month"
	PeriodQuarter Period = "quarter"
	PeriodYear    Period = "year"
)

// ParsePeriod reads "month", "quarter" or "year" ("" is month).
func ParsePeriod(s string) (Period, error) {
	switch Period(s) {
	case "", PeriodMonth:
		return PeriodMonth, nil
	case PeriodQuarter, PeriodYear:
		return Period(s), nil
	}
	return "", fmt.Errorf("aggregation %q is not one of month, quarter, year", s)
}

// months is the number of months in one period.
func (p Period) months() int {
	switch p {
	case PeriodQuarter:
		return 3
	case PeriodYear:
		return 12
	}
	return 1
}

// Month indices: monthly data that is to be aggregated uses month indices
// as times, counting months so that index 0 is a January. YearMonthIndex
// gives year·12 + (month − 1), which satisfies that, so an index's calendar
// month is index mod 12 + 1. A plain count 0, 1, 2, … also works when 0 is
// a January. Aggregated times are then: quarter floor(i/3) (year·4 + q − 1
// for YearMonthIndex times), year floor(i/12) (the calendar year).

// YearMonthIndex returns year·12 + (month − 1).
func YearMonthIndex(year, month int) int { return year*12 + month - 1 }

// ParseYearMonth reads "YYYY-MM" as a month index (YearMonthIndex).
func ParseYearMonth(s string) (int, bool) {
	y, m, ok := strings.Cut(strings.TrimSpace(s), "-")
	if !ok || len(y) != 4 || len(m) != 2 {
		return 0, false
	}
	yi, err1 := strconv.Atoi(y)
	mi, err2 := strconv.Atoi(m)
	if err1 != nil || err2 != nil || mi < 1 || mi > 12 {
		return 0, false
	}
	return YearMonthIndex(yi, mi), true
}

// MonthOfYear returns the calendar month (1–12) of a month index.
func MonthOfYear(index int) int { return ((index%12)+12)%12 + 1 }

// PeriodOf returns the index of the period that contains month index i.
func PeriodOf(i int, to Period) int { return floorDiv(i, to.months()) }

// PeriodLabel names period k: "2012-03" for a month, "2012-Q1" for a
// quarter, "2012" for a year (the year is meaningful for YearMonthIndex
// times).
func PeriodLabel(k int, to Period) string {
	switch to {
	case PeriodQuarter:
		return fmt.Sprintf("%d-Q%d", floorDiv(k, 4), k-4*floorDiv(k, 4)+1)
	case PeriodYear:
		return strconv.Itoa(k)
	}
	return fmt.Sprintf("%04d-%02d", floorDiv(k, 12), MonthOfYear(k))
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// monthIndices checks that times are whole numbers and returns them as ints.
func monthIndices(times []float64) ([]int, error) {
	out := make([]int, len(times))
	for i, t := range times {
		if t != math.Trunc(t) || math.Abs(t) > 1e9 {
			return nil, fmt.Errorf("aggregate: time %s is not a month index (a whole number of months, 0 = a January)", FormatTime(t))
		}
		out[i] = int(t)
	}
	return out, nil
}

// aggregator groups month indices into periods. A period is complete only
// when every one of its months is among the times.
type aggregator struct {
	to      Period
	periods []int   // period index, increasing
	members [][]int // positions in the input times of each period's months
}

func newAggregator(times []float64, to Period) (*aggregator, error) {
	idx, err := monthIndices(times)
	if err != nil {
		return nil, err
	}
	a := &aggregator{to: to}
	for i, m := range idx {
		if i > 0 && m <= idx[i-1] {
			return nil, fmt.Errorf("aggregate: times must be strictly increasing (%d after %d)", m, idx[i-1])
		}
		k := PeriodOf(m, to)
		if len(a.periods) == 0 || a.periods[len(a.periods)-1] != k {
			a.periods = append(a.periods, k)
			a.members = append(a.members, nil)
		}
		a.members[len(a.members)-1] = append(a.members[len(a.members)-1], i)
	}
	return a, nil
}

// apply sums (or averages, mean = true) values over each period; a period
// with a missing or absent month is NaN.
func (a *aggregator) apply(v []float64, mean bool) []float64 {
	out := make([]float64, len(a.periods))
	need := a.to.months()
	for k, mem := range a.members {
		s := 0.0
		if len(mem) < need {
			s = math.NaN()
		}
		for _, i := range mem {
			s += v[i] // NaN propagates
		}
		if mean {
			s /= float64(need)
		}
		out[k] = s
	}
	return out
}

// AggregateSeries sums a monthly series (Times are month indices, see
// YearMonthIndex) over calendar quarters or years. A period with any month
// missing (NaN, or absent from Times) is NaN, never a partial sum. The
// result's Times are period indices (PeriodOf) and its Labels PeriodLabel.
// PeriodMonth returns a copy.
func AggregateSeries(s Series, to Period) (Series, error) {
	if len(s.Values) != len(s.Times) {
		return Series{}, fmt.Errorf("aggregate: %d times and %d values", len(s.Times), len(s.Values))
	}
	a, err := newAggregator(s.Times, to)
	if err != nil {
		return Series{}, err
	}
	out := Series{Values: a.apply(s.Values, false)}
	for _, k := range a.periods {
		out.Times = append(out.Times, float64(k))
		out.Labels = append(out.Labels, PeriodLabel(k, to))
	}
	return out, nil
}

// AggregatePanel sums the outcome of a monthly panel (Times are month
// indices) over calendar quarters or years, and averages the covariates
// (levels such as population or prices are not summed). As in
// AggregateSeries a period with any missing month is missing (NaN).
func AggregatePanel(p Panel, to Period) (Panel, error) {
	if err := p.validate(); err != nil {
		return Panel{}, err
	}
	a, err := newAggregator(p.Times, to)
	if err != nil {
		return Panel{}, err
	}
	out := Panel{Units: append([]string(nil), p.Units...), OutcomeName: p.OutcomeName}
	for _, k := range a.periods {
		out.Times = append(out.Times, float64(k))
	}
	for _, row := range p.Outcome {
		out.Outcome = append(out.Outcome, a.apply(row, false))
	}
	if p.Covariates != nil {
		out.Covariates = map[string][][]float64{}
		for name, m := range p.Covariates {
			for _, row := range m {
				out.Covariates[name] = append(out.Covariates[name], a.apply(row, true))
			}
		}
	}
	return out, nil
}

// Log1p returns log(1 + y) of each value: the log transform for counts and
// rates that may be zero. Negative values are refused (a count or rate is
// never negative, and log(1 + y) is undefined at y ≤ −1); NaN stays NaN.
func Log1p(y []float64) ([]float64, error) {
	out := make([]float64, len(y))
	for i, v := range y {
		if v < 0 {
			return nil, fmt.Errorf("log transform: value %v at position %d is negative; log(1 + y) is meant for counts and rates", v, i+1)
		}
		out[i] = math.Log1p(v)
	}
	return out, nil
}

// LogPanel returns the panel with its outcome replaced by log(1 + y)
// (covariates unchanged).
func LogPanel(p Panel) (Panel, error) {
	out := p
	out.Outcome = make([][]float64, len(p.Outcome))
	for u, row := range p.Outcome {
		v, err := Log1p(row)
		if err != nil {
			return Panel{}, fmt.Errorf("unit %q: %w", p.Units[u], err)
		}
		out.Outcome[u] = v
	}
	return out, nil
}
