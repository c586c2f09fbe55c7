package chart

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
)

// Coef is one coefficient of an event study.
type Coef struct {
	// T is the time relative to the event, in the caller's periods: leads
	// (before) negative, lags (after) positive, 0 the first period treated.
	T int
	// Estimate is the point estimate; NaN means not estimated (unknown),
	// and nothing is drawn at T.
	Estimate float64
	// Low and High bound its confidence interval, drawn as a whisker. Both
	// NaN means none, as for the reference period normalised to 0, which
	// is drawn as a hollow point.
	Low, High float64
}

// EventStudyChart describes an event-study plot: coefficients at relative
// times with their confidence intervals, a zero line and a vertical line
// between −1 and 0 where the event starts. All text is the caller's.
type EventStudyChart struct {
	Title, Desc    string // accessible name and description; Title is also drawn unless HideTitle
	XLabel, YLabel string // e.g. "Months since the intervention began", "Change in deaths per month"
	Credit         string
	Coefs          []Coef
	// EstimateLabel and IntervalLabel are the legend texts for the points
	// and the whiskers (e.g. "Estimate", "95% confidence interval"); an
	// empty one has no legend entry.
	EstimateLabel, IntervalLabel string
	// OnsetLabel is written at the top of the line between −1 and 0 (e.g.
	// "Intervention begins"); empty: the line has no label.
	OnsetLabel string
	FormatX    func(int) string     // relative time labels; nil: the integer
	FormatY    func(float64) string // nil: plain decimal
	// RTL mirrors the title, legend, Y axis labels and credit; relative
	// time keeps running left to right, as on the other charts.
	RTL           bool
	Width, Height int // viewBox size; 0 gives 720×400
	HideTitle     bool
}

// EventStudy draws c as SVG.
func EventStudy(c EventStudyChart) ([]byte, error) {
	if c.Title == "" {
		return nil, ErrNoTitle
	}
	w, h, err := dims(c.Width, c.Height, 720, 400)
	if err != nil {
		return nil, err
	}
	fx, fy := c.FormatX, c.FormatY
	if fx == nil {
		fx = strconv.Itoa
	}
	if fy == nil {
		fy = defaultFormat
	}
	if c.RTL {
		// Under direction="rtl" the bidi algorithm would draw "−12" as
		// "12−"; a left-to-right isolate keeps the sign before the number.
		fx0, fy0 := fx, fy
		fx = func(t int) string { return ltrIsolate(fx0(t)) }
		fy = func(v float64) string { return ltrIsolate(fy0(v)) }
	}
	coefs := slices.Clone(c.Coefs)
	slices.SortFunc(coefs, func(a, b Coef) int { return cmp.Compare(a.T, b.T) })
	tmin, tmax := -1, 0 // the onset line is always shown
	ymin, ymax := math.Inf(1), math.Inf(-1)
	for i, k := range coefs {
		if i > 0 && coefs[i-1].T == k.T {
			return nil, fmt.Errorf("chart: two coefficients at relative time %d", k.T)
		}
		if math.IsInf(k.Estimate, 0) || math.IsInf(k.Low, 0) || math.IsInf(k.High, 0) ||
			math.IsNaN(k.Low) != math.IsNaN(k.High) || k.Low > k.High {
			return nil, fmt.Errorf("chart: coefficient at %d: %v [%v, %v] is not finite or not an interval", k.T, k.Estimate, k.Low, k.High)
		}
		if math.IsNaN(k.Estimate) {
			continue
		}
		tmin, tmax = min(tmin, k.T), max(tmax, k.T)
		ymin, ymax = math.Min(ymin, k.Estimate), math.Max(ymax, k.Estimate)
		if !math.IsNaN(k.Low) {
			ymin, ymax = math.Min(ymin, k.Low), math.Max(ymax, k.High)
		}
	}
	if math.IsInf(ymin, 0) {
		return nil, ErrNoData
	}

	lw := 0.0 // widest relative time label
	for t := tmin; t <= tmax; t++ {
		lw = math.Max(lw, textWidth(fx(t), fontBody))
	}

	s := &svg{w: w, h: h, rtl: c.RTL}
	s.open(c.Title, c.Desc)
	top := s.header(c.Title, c.HideTitle)
	col := palette[0]
	var items []legendItem
	if c.EstimateLabel != "" {
		items = append(items, legendItem{label: c.EstimateLabel, w: 12, h: 12, swatch: func(x, y float64) {
			s.printf(`<circle cx="%s" cy="%s" r="3.5" fill="%s"/>`, num(x+6), num(y+6), col)
		}})
	}
	if c.IntervalLabel != "" {
		items = append(items, legendItem{label: c.IntervalLabel, w: 12, h: 14, swatch: func(x, y float64) {
			s.printf(`<path d="M%s %sV%sM%s %sh8M%s %sh8" stroke="%s" stroke-width="1.5" fill="none"/>`,
				num(x+6), num(y+1), num(y+13), num(x+2), num(y+1), num(x+2), num(y+13), col)
		}})
	}
	top = s.legend(top, "", items)

	f := newFrame(s, valueTicks(ymin, ymax, false), fy, lw)
	top = f.yLabel(top, c.YLabel)
	lo, hi := float64(tmin)-0.5, float64(tmax)+0.5
	x := func(t float64) float64 { return f.x0 + (t-lo)/(hi-lo)*(f.x1-f.x0) }
	noteTop := top
	if c.OnsetLabel != "" {
		top += fontSmall + 4
	}
	credit := s.creditLines(c.Credit)
	if err := f.vertical(top, c.XLabel, credit); err != nil {
		return nil, err
	}
	f.grid()
	f.baseline()
	onset := x(-0.5)
	yTop := f.y0
	if c.OnsetLabel != "" {
		yTop = noteTop + 2
	}
	s.printf(`<path d="M%s %sV%s" stroke="%s" stroke-width="1" stroke-dasharray="4 3"/>`, num(onset), num(f.y1), num(yTop), colAxis)

	var whiskers, dots, hollow string
	for _, k := range coefs {
		if math.IsNaN(k.Estimate) {
			continue
		}
		cx := x(float64(k.T))
		if math.IsNaN(k.Low) {
			hollow += fmt.Sprintf(`<circle cx="%s" cy="%s" r="3.5"/>`, num(cx), num(f.y(k.Estimate)))
			continue
		}
		yl, yh := f.y(k.Low), f.y(k.High)
		whiskers += fmt.Sprintf("M%s %sV%sM%s %sh8M%s %sh8", num(cx), num(yh), num(yl), num(cx-4), num(yh), num(cx-4), num(yl))
		dots += fmt.Sprintf(`<circle cx="%s" cy="%s" r="3.5"/>`, num(cx), num(f.y(k.Estimate)))
	}
	if whiskers != "" {
		s.printf(`<path d="%s" stroke="%s" stroke-width="1.5" fill="none"/>`, whiskers, col)
	}
	if dots != "" {
		s.printf(`<g fill="%s">%s</g>`, col, dots)
	}
	if hollow != "" {
		s.printf(`<g fill="#fff" stroke="%s" stroke-width="1.5">%s</g>`, col, hollow)
	}

	// Label every step-th relative time, step a 1-2-5 number, so that 0
	// is always labelled and the labels do not overlap.
	slot := (f.x1 - f.x0) / (hi - lo)
	step := 1
	for _, m := range []int{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000} {
		step = m
		if float64(m)*slot >= lw+8 {
			break
		}
	}
	var xs []float64
	var labels []string
	for t := tmin; t <= tmax; t++ {
		if t%step == 0 {
			xs = append(xs, x(float64(t)))
			labels = append(labels, fx(t))
		}
	}
	f.xLabels(xs, labels, c.XLabel)
	if c.OnsetLabel != "" {
		s.text(onset+3, noteTop+fontSmall, left, fontSmall, `fill="`+colMuted+`"`, c.OnsetLabel)
	}
	s.footer(credit)
	return s.bytes(), nil
}

// ltrIsolate wraps s in U+2066 LEFT-TO-RIGHT ISOLATE … U+2069 POP
// DIRECTIONAL ISOLATE, so that a signed number reads the same in
// right-to-left text.
func ltrIsolate(s string) string { return "\u2066" + s + "\u2069" }
