package chart

import (
	"fmt"
	"math"
)

// frame is the plot area of a chart with a value (Y) axis.
type frame struct {
	s              *svg
	x0, x1, y0, y1 float64   // plot area
	ticks          []float64 // Y ticks, first = ymin, last = ymax
	yLabels        []string
}

func (f *frame) ymin() float64 { return f.ticks[0] }
func (f *frame) ymax() float64 { return f.ticks[len(f.ticks)-1] }

// y maps a value to the page.
func (f *frame) y(v float64) float64 {
	return f.y1 - (v-f.ymin())/(f.ymax()-f.ymin())*(f.y1-f.y0)
}

// valueTicks returns Y ticks from min(0, lo) to at least max(0, hi): counts
// start at 0 and the top tick is never below the largest value.
func valueTicks(lo, hi float64, integer bool) []float64 {
	lo = math.Min(lo, 0)
	hi = math.Max(hi, 0)
	if hi == lo {
		hi = lo + 1
	}
	return niceTicks(lo, hi, 5, integer)
}

// newFrame lays out a chart's plot area horizontally: the Y tick labels go on
// the start side (left, or right with RTL) and xLabelW is the widest label
// under the X axis, half of which may stick out at either end.
func newFrame(s *svg, ticks []float64, format func(float64) string, xLabelW float64) *frame {
	f := &frame{s: s, ticks: ticks}
	yw := 0.0
	for _, t := range ticks {
		l := format(t)
		f.yLabels = append(f.yLabels, l)
		yw = math.Max(yw, textWidth(l, fontBody))
	}
	side := math.Max(12, xLabelW/2+2)
	axis := pad + yw + 8
	if s.rtl {
		f.x0, f.x1 = pad+side, s.w-math.Max(axis, side)
	} else {
		f.x0, f.x1 = math.Max(axis, side), s.w-pad-side
	}
	return f
}

// vertical fixes the plot's top and bottom: the space below holds the X tick
// labels, the X axis label and the credit.
func (f *frame) vertical(top float64, xLabel string, credit []string) error {
	bottom := f.s.h - footerHeight(credit) - (fontBody + 10)
	if xLabel != "" {
		bottom -= fontBody + 8
	}
	f.y0, f.y1 = top+fontBody/2+4, bottom // the top tick label stands half above y0
	if f.y1-f.y0 < 40 || f.x1-f.x0 < 60 {
		return fmt.Errorf("chart: %v×%v is too small for the text", f.s.w, f.s.h)
	}
	return nil
}

// yLabel writes the axis label (with its unit) above the Y axis, on the start
// side, and returns the y below it.
func (f *frame) yLabel(top float64, label string) float64 {
	if label == "" {
		return top
	}
	f.s.text(f.s.startX(pad, f.s.w-pad), top+fontBody, f.s.start(), fontBody, `fill="`+colMuted+`"`, label)
	return top + fontBody + 6
}

// grid draws the horizontal grid lines and the Y tick labels.
func (f *frame) grid() {
	s := f.s
	s.printf(`<g stroke="%s" stroke-width="1">`, colGrid)
	for _, t := range f.ticks {
		if t == 0 {
			continue
		}
		y := f.y(t)
		s.printf(`<path d="M%s %sH%s"/>`, num(f.x0), num(y), num(f.x1))
	}
	s.str(`</g>`)
	s.printf(`<g fill="%s">`, colMuted)
	for i, t := range f.ticks {
		y := f.y(t) + fontBody*0.35
		if s.rtl {
			s.text(f.x1+6, y, left, fontBody, "", f.yLabels[i])
		} else {
			s.text(f.x0-6, y, right, fontBody, "", f.yLabels[i])
		}
	}
	s.str(`</g>`)
}

// baseline draws the zero line.
func (f *frame) baseline() {
	f.s.printf(`<path d="M%s %sH%s" stroke="%s" stroke-width="1"/>`, num(f.x0), num(f.y(0)), num(f.x1), colAxis)
}

// xLabels writes labels centred under positions xs, keeping every k-th one
// so that they do not overlap, and the X axis label under them.
func (f *frame) xLabels(xs []float64, labels []string, axisLabel string) {
	s := f.s
	if len(xs) > 0 {
		wmax := 0.0
		for _, l := range labels {
			wmax = math.Max(wmax, textWidth(l, fontBody))
		}
		k := 1
		if len(xs) > 1 {
			gap := math.Abs(xs[len(xs)-1]-xs[0]) / float64(len(xs)-1)
			if gap > 0 {
				k = max(1, int(math.Ceil((wmax+8)/gap)))
			}
		}
		s.printf(`<g fill="%s">`, colMuted)
		var ticks string
		for i, x := range xs {
			if i%k != 0 {
				continue
			}
			ticks += fmt.Sprintf("M%s %sv4", num(x), num(f.y1))
			s.text(x, f.y1+fontBody+6, middle, fontBody, "", labels[i])
		}
		s.str(`</g>`)
		s.printf(`<path d="%s" stroke="%s"/>`, ticks, colAxis)
	}
	if axisLabel != "" {
		s.text((f.x0+f.x1)/2, f.y1+2*fontBody+14, middle, fontBody, `fill="`+colMuted+`"`, axisLabel)
	}
}
