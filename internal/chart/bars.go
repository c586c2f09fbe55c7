package chart

import (
	"fmt"
	"math"
)

// Segment is one layer of a stacked bar chart, for example the deaths
// attributed to one perpetrator group; Values has one entry per category.
type Segment struct {
	Name   string
	Values []float64
}

// BarChart describes a stacked bar chart, such as deaths per year split by
// perpetrator (partner forces, intervening forces, armed groups, others).
// Segments are stacked from the axis up in the order given and take the
// Okabe–Ito colours in order, each with its own hatching so that the chart
// still reads printed in greyscale.
type BarChart struct {
	Title, Desc    string // accessible name and description; Title is also drawn unless HideTitle
	XLabel, YLabel string // YLabel should carry the unit
	Credit         string
	Categories     []string // bar labels, left to right (e.g. years, formatted by the caller)
	Segments       []Segment
	FormatY        func(float64) string // nil: plain decimal
	// SegmentLabels writes each segment's value inside it where it fits.
	SegmentLabels bool
	// RTL mirrors the title, legend, Y axis and credit; categories (time)
	// keep running left to right.
	RTL           bool
	Width, Height int // viewBox size; 0 gives 720×400
	HideTitle     bool

	// Partial marks bars whose category (a year) the data cover only in
	// part, so that a two-month year does not read as a collapse: nil, or
	// one string per category, a non-empty one being that bar's note (e.g.
	// "2022: 2 of 12 months"). A partial bar is drawn lighter inside a
	// dashed outline whose tooltip (<title>) is the note; the note is added
	// to the description as a sentence and the legend gets an entry
	// PartialLabel (e.g. "Part of the year only"), required then.
	Partial      []string
	PartialLabel string
	// A category whose values are NaN in every segment is missing: no
	// dataset covers it (unknown, not zero). No bar is drawn; its slot is
	// hatched as a line chart's gap is, with MissingLabel (e.g. "No data")
	// written in it where it fits and as its tooltip; the legend gets an
	// entry and the description a sentence "MissingLabel: 2016." per run
	// of missing categories. MissingLabel is required then; a NaN in some
	// segments of a category only is an error.
	MissingLabel string
}

// StackedBars draws c as SVG.
func StackedBars(c BarChart) ([]byte, error) {
	if c.Title == "" {
		return nil, ErrNoTitle
	}
	w, h, err := dims(c.Width, c.Height, 720, 400)
	if err != nil {
		return nil, err
	}
	n := len(c.Categories)
	if n == 0 || len(c.Segments) == 0 {
		return nil, ErrNoData
	}
	fy := c.FormatY
	if fy == nil {
		fy = defaultFormat
	}
	totals := make([]float64, n)
	integer := true
	missing := make([]bool, n)
	nMissing := 0
	for i := range missing {
		missing[i] = true
		for _, sg := range c.Segments {
			if i >= len(sg.Values) || !math.IsNaN(sg.Values[i]) {
				missing[i] = false
			}
		}
		if missing[i] {
			nMissing++
		}
	}
	if nMissing > 0 && c.MissingLabel == "" {
		return nil, fmt.Errorf("chart: a category has no data (NaN) but MissingLabel is empty")
	}
	if c.Partial != nil && len(c.Partial) != n {
		return nil, fmt.Errorf("chart: %d partial notes for %d categories", len(c.Partial), n)
	}
	nPartial := 0
	for i, note := range c.Partial {
		if note == "" {
			continue
		}
		if missing[i] {
			return nil, fmt.Errorf("chart: category %q is both partial and missing", c.Categories[i])
		}
		nPartial++
	}
	if nPartial > 0 && c.PartialLabel == "" {
		return nil, fmt.Errorf("chart: a bar is partial but PartialLabel is empty")
	}
	for _, sg := range c.Segments {
		if len(sg.Values) != n {
			return nil, fmt.Errorf("chart: segment %q has %d values for %d categories", sg.Name, len(sg.Values), n)
		}
		for i, v := range sg.Values {
			if missing[i] {
				continue
			}
			if !finite(v) || v < 0 {
				return nil, fmt.Errorf("chart: segment %q: value %v is not a finite non-negative number", sg.Name, v)
			}
			if v != math.Trunc(v) {
				integer = false
			}
			totals[i] += v
		}
	}
	top := 0.0
	for _, t := range totals {
		top = math.Max(top, t)
	}
	xlw := 0.0
	for _, l := range c.Categories {
		xlw = math.Max(xlw, textWidth(l, fontBody))
	}

	desc := c.Desc
	if nPartial > 0 || nMissing > 0 {
		var sentences []string
		for i := 0; i < n; i++ {
			switch {
			case c.Partial != nil && c.Partial[i] != "":
				sentences = append(sentences, c.Partial[i])
			case missing[i]:
				j := i
				for j+1 < n && missing[j+1] {
					j++
				}
				sentences = append(sentences, c.MissingLabel+": "+spanText(c.Categories[i], c.Categories[j]))
				i = j
			}
		}
		desc = addDesc(desc, sentences)
	}

	s := &svg{w: w, h: h, rtl: c.RTL}
	s.open(c.Title, desc)
	y := s.header(c.Title, c.HideTitle)
	s.str("<defs>")
	for i := range c.Segments {
		writePattern(s, i)
	}
	if nMissing > 0 {
		writeGapPattern(s)
	}
	s.str("</defs>")
	var items []legendItem
	for i, sg := range c.Segments {
		fill := segmentFill(i)
		items = append(items, legendItem{label: sg.Name, w: 16, h: 14, swatch: func(x, y float64) {
			s.printf(`<rect x="%s" y="%s" width="16" height="14" fill="%s" stroke="%s" stroke-width=".5"/>`, num(x), num(y), fill, colAxis)
		}})
	}
	if nPartial > 0 {
		fill := segmentFill(0)
		items = append(items, legendItem{label: c.PartialLabel, w: 16, h: 14, swatch: func(x, y float64) {
			s.printf(`<rect x="%s" y="%s" width="16" height="14" fill="%s" fill-opacity="%s" stroke="%s" stroke-dasharray="%s"/>`,
				num(x), num(y), fill, partialOpacity, colAxis, partialDash)
		}})
	}
	if nMissing > 0 {
		it := gapSwatch(s)
		it.label = c.MissingLabel
		items = append(items, it)
	}
	y = s.legend(y, "", items)

	// Bars are narrow enough that a category label fits under each one, so
	// the frame needs no overhang for them.
	f := newFrame(s, valueTicks(0, top, integer), fy, 0)
	y = f.yLabel(y, c.YLabel)
	credit := s.creditLines(c.Credit)
	if err := f.vertical(y, c.XLabel, credit); err != nil {
		return nil, err
	}
	slot := (f.x1 - f.x0) / float64(n)
	bw := slot * 0.72
	xs := make([]float64, n)
	for i := range c.Categories {
		xs[i] = f.x0 + slot*(float64(i)+0.5)
	}
	for i := range missing {
		if missing[i] {
			s.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s"><title>%s</title></rect>`,
				num(xs[i]-bw/2), num(f.y0), num(bw), num(f.y1-f.y0), gapFill(), esc(c.MissingLabel))
		}
	}
	f.grid()
	var labels []string
	type spot struct{ x, y float64 }
	var spots []spot
	for j, sg := range c.Segments {
		s.printf(`<g fill="%s" stroke="#fff" stroke-width=".5">`, segmentFill(j))
		for i, v := range sg.Values {
			if v == 0 || missing[i] {
				continue
			}
			base := 0.0
			for _, below := range c.Segments[:j] {
				base += below.Values[i]
			}
			y0, y1 := f.y(base+v), f.y(base)
			op := ""
			if c.Partial != nil && c.Partial[i] != "" {
				op = ` fill-opacity="` + partialOpacity + `"`
			}
			s.printf(`<rect x="%s" y="%s" width="%s" height="%s"%s/>`, num(xs[i]-bw/2), num(y0), num(bw), num(y1-y0), op)
			if c.SegmentLabels {
				l := fy(v)
				if y1-y0 >= fontSmall+4 && textWidth(l, fontSmall)+4 <= bw {
					labels = append(labels, l)
					spots = append(spots, spot{xs[i], (y0+y1)/2 + fontSmall*0.35})
				}
			}
		}
		s.str("</g>")
	}
	// Partial bars: a dashed outline round the stack, whose tooltip is the
	// note (transparent fill, so that it answers the pointer).
	for i, note := range c.Partial {
		if note == "" {
			continue
		}
		y0, y1 := f.y(totals[i]), f.y(0)
		if y1-y0 < 2 {
			y0 = y1 - 2
		}
		s.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="#fff" fill-opacity="0" stroke="%s" stroke-dasharray="%s"><title>%s</title></rect>`,
			num(xs[i]-bw/2), num(y0), num(bw), num(y1-y0), colAxis, partialDash, esc(note))
	}
	// Missing categories: the label up the hatched slot, where it fits.
	if nMissing > 0 && textWidth(c.MissingLabel, fontSmall)+12 <= f.y1-f.y0 && bw >= fontSmall+2 {
		s.printf(`<g fill="%s" stroke="#fff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">`, colMuted)
		for i := range missing {
			if missing[i] {
				tx, ty := xs[i]+fontSmall*0.35, f.y1-6
				s.text(tx, ty, left, fontSmall, fmt.Sprintf(`transform="rotate(-90 %s %s)"`, num(tx), num(ty)), c.MissingLabel)
			}
		}
		s.str("</g>")
	}
	if len(labels) > 0 {
		// Dark text on a white halo reads on every colour and hatching.
		s.printf(`<g fill="#000" stroke="#fff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">`)
		for i, l := range labels {
			s.text(spots[i].x, spots[i].y, middle, fontSmall, "", l)
		}
		s.str("</g>")
	}
	f.baseline()
	f.xLabels(xs, c.Categories, c.XLabel)
	s.footer(credit)
	return s.bytes(), nil
}

// How partial bars are drawn: lighter, in a dashed outline.
const (
	partialOpacity = ".45"
	partialDash    = "4 3"
)

// Hatchings drawn over segment i's colour, in the same order as palette:
// none, diagonal, dots, cross-hatch, horizontal, back-diagonal, vertical,
// grid. Each is a path in an 8×8 tile.
var hatches = []string{
	"",
	"M-2 2L2-2M0 8L8 0M6 10L10 6",
	"M2 2h.1M6 6h.1",
	"M0 0L8 8M8 0L0 8",
	"M0 2H8M0 6H8",
	"M-2 6L2 10M0 0L8 8M6-2L10 2",
	"M2 0V8M6 0V8",
	"M0 4H8M4 0V8",
}

func segmentFill(i int) string {
	if hatches[i%len(hatches)] == "" && i < len(palette) {
		return palette[i%len(palette)]
	}
	return fmt.Sprintf("url(#%s-p%d)", idMark, i)
}

// writePattern defines segment i's fill: its colour with its hatching in
// black or white, whichever contrasts more. Beyond eight segments colours
// repeat with the hatchings shifted, so no two segments look alike.
func writePattern(s *svg, i int) {
	col := palette[i%len(palette)]
	hatch := hatches[(i+i/len(palette))%len(hatches)]
	if hatch == "" && i < len(palette) {
		return
	}
	if hatch == "" {
		hatch = hatches[1]
	}
	ink := "#000"
	if luminance(col) < 0.2 {
		ink = "#fff"
	}
	extra := ""
	if hatch == hatches[2] {
		extra = ` stroke-linecap="round" stroke-width="2.2"`
	}
	s.printf(`<pattern id="%s-p%d" width="8" height="8" patternUnits="userSpaceOnUse"><rect width="8" height="8" fill="%s"/><path d="%s" stroke="%s" stroke-opacity=".6"%s/></pattern>`,
		idMark, i, col, hatch, ink, extra)
}
