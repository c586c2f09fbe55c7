package chart

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
)

// Point is one observation of a series: X is time in the caller's unit (for
// example months since the epoch), Y the value. A NaN Y is a gap.
type Point struct{ X, Y float64 }

// Series is one line.
//
// A point whose Y is NaN is unknown (a month no dataset covers), not zero:
// the line breaks there, with no segment drawn to or through it and no dot.
// Mark every uncovered month so; a month with no point at all is simply
// skipped, and the line runs straight across it. LineChart.GapLabel shades
// the unknown months.
type Series struct {
	Name   string // legend text
	Points []Point
	Dashed bool // for a counterfactual or an estimate
	// Bounds are the series' low–high range (e.g. UCDP's deaths_low and
	// deaths_high), drawn as a translucent band of the series' colour
	// behind the line. A bound with a NaN Low or High, or at an X where the
	// series' point is NaN, is unknown and the band breaks there; a lone
	// known bound is drawn as a bar from Low to High. The Y axis covers
	// the bounds.
	Bounds []Bound
	// RangeName is the band's legend text (e.g. "Deaths, low–high range");
	// required when Bounds has a known bound.
	RangeName string
}

// Bound is the low–high range of a series at X; Low ≤ High.
type Bound struct{ X, Low, High float64 }

// Band shades the span From–To of the X axis, for example an intervention
// phase; it is cut to the data's range.
type Band struct {
	From, To float64
	Label    string
}

// Marker is a vertical line at X, for example the start of a phase.
type Marker struct {
	X     float64
	Label string
}

// LineChart describes a time-series chart. All text is the caller's,
// already translated; YLabel should carry the unit ("Deaths per month").
type LineChart struct {
	Title, Desc    string // accessible name and description; Title is also drawn unless HideTitle
	XLabel, YLabel string
	Credit         string // data source and licence, e.g. "Source: UCDP GED 24.1 (CC BY 4.0)"
	Series         []Series
	Bands          []Band
	Markers        []Marker
	// XTicks are the X values to label; nil chooses 1-2-5 steps. For
	// months, pass every January (or every n-th) with FormatX giving years.
	XTicks  []float64
	FormatX func(float64) string // nil: plain decimal
	FormatY func(float64) string // nil: plain decimal
	// RTL mirrors the title, legend, Y axis labels and credit to the right
	// and sets direction="rtl" on text. Time keeps running left to right,
	// as it does on the charts Arabic-language newsrooms and UN agencies
	// publish, so that the X axis reads the same in every language.
	RTL           bool
	Width, Height int  // viewBox size; 0 gives 720×400
	HideTitle     bool // when the page shows the title as a heading

	// GapLabel shows the unknown months (NaN points, see Series): each run
	// of them is shaded with a light hatching across the plot, from the
	// last known point before it to the first known one after it (where
	// the line is absent), runs of different series merged, and the legend
	// gets an entry with this text (e.g. "No data"). Each run is also
	// named in the description, one sentence each: GapDesc(first, last
	// missing X), or with GapDesc nil "GapLabel: FormatX(first)–
	// FormatX(last)." Without GapLabel the line still breaks at NaN points
	// but nothing is shaded or described, as before.
	GapLabel string
	GapDesc  func(from, to float64) string
}

// Lines draws c as SVG.
func Lines(c LineChart) ([]byte, error) {
	if c.Title == "" {
		return nil, ErrNoTitle
	}
	w, h, err := dims(c.Width, c.Height, 720, 400)
	if err != nil {
		return nil, err
	}
	fx, fy := c.FormatX, c.FormatY
	if fx == nil {
		fx = defaultFormat
	}
	if fy == nil {
		fy = defaultFormat
	}

	// Domain: X from the points and markers, Y from the points.
	xmin, xmax := math.Inf(1), math.Inf(-1)
	ymin, ymax := math.Inf(1), math.Inf(-1)
	integer := true
	series := make([]Series, len(c.Series))
	for i, sr := range c.Series {
		pts := slices.Clone(sr.Points)
		for _, p := range pts {
			if !finite(p.X) || math.IsInf(p.Y, 0) {
				return nil, fmt.Errorf("chart: series %q: point (%v, %v) is not finite", sr.Name, p.X, p.Y)
			}
			xmin, xmax = math.Min(xmin, p.X), math.Max(xmax, p.X)
			if math.IsNaN(p.Y) {
				continue
			}
			ymin, ymax = math.Min(ymin, p.Y), math.Max(ymax, p.Y)
			if p.Y != math.Trunc(p.Y) {
				integer = false
			}
		}
		slices.SortStableFunc(pts, func(a, b Point) int { return cmp.Compare(a.X, b.X) })
		sr.Points = pts
		bounds := slices.Clone(sr.Bounds)
		knownBounds := 0
		for _, b := range bounds {
			if !finite(b.X) || math.IsInf(b.Low, 0) || math.IsInf(b.High, 0) || b.Low > b.High {
				return nil, fmt.Errorf("chart: series %q: bound (%v, %v–%v) is not finite or has Low > High", sr.Name, b.X, b.Low, b.High)
			}
			if math.IsNaN(b.Low) || math.IsNaN(b.High) {
				continue
			}
			knownBounds++
			xmin, xmax = math.Min(xmin, b.X), math.Max(xmax, b.X)
			ymin, ymax = math.Min(ymin, b.Low), math.Max(ymax, b.High)
			if b.Low != math.Trunc(b.Low) || b.High != math.Trunc(b.High) {
				integer = false
			}
		}
		if knownBounds > 0 && sr.RangeName == "" {
			return nil, fmt.Errorf("chart: series %q has bounds but no RangeName for the legend", sr.Name)
		}
		slices.SortStableFunc(bounds, func(a, b Bound) int { return cmp.Compare(a.X, b.X) })
		sr.Bounds = bounds
		series[i] = sr
	}
	if math.IsInf(ymin, 0) {
		return nil, ErrNoData
	}
	for _, m := range c.Markers {
		if !finite(m.X) {
			return nil, fmt.Errorf("chart: marker %q is not finite", m.Label)
		}
		xmin, xmax = math.Min(xmin, m.X), math.Max(xmax, m.X)
	}
	for _, b := range c.Bands {
		if math.IsNaN(b.From) || math.IsNaN(b.To) || b.To < b.From {
			return nil, fmt.Errorf("chart: band %q: bad span %v–%v", b.Label, b.From, b.To)
		}
	}
	if xmax == xmin {
		xmin, xmax = xmin-1, xmax+1
	}

	var xticks []float64
	if c.XTicks != nil {
		for _, t := range c.XTicks {
			if t >= xmin && t <= xmax {
				xticks = append(xticks, t)
			}
		}
	} else {
		xticks = innerTicks(xmin, xmax, max(2, int(w/90)))
	}
	xlabels := make([]string, len(xticks))
	xlw := 0.0
	for i, t := range xticks {
		xlabels[i] = fx(t)
		xlw = math.Max(xlw, textWidth(xlabels[i], fontBody))
	}

	var gaps []gapRun
	desc := c.Desc
	if c.GapLabel != "" {
		gaps = gapRuns(series)
		var sentences []string
		for _, g := range gaps {
			if c.GapDesc != nil {
				sentences = append(sentences, c.GapDesc(g.missing.From, g.missing.To))
			} else {
				sentences = append(sentences, c.GapLabel+": "+spanText(fx(g.missing.From), fx(g.missing.To)))
			}
		}
		desc = addDesc(desc, sentences)
	}

	s := &svg{w: w, h: h, rtl: c.RTL}
	s.open(c.Title, desc)
	top := s.header(c.Title, c.HideTitle)
	if len(gaps) > 0 {
		s.str("<defs>")
		writeGapPattern(s)
		s.str("</defs>")
	}

	var items []legendItem
	for i, sr := range series {
		col, dash := palette[i%len(palette)], dashAttr(sr.Dashed)
		if sr.Name != "" {
			items = append(items, legendItem{label: sr.Name, w: 24, h: 12, swatch: func(x, y float64) {
				s.printf(`<path d="M%s %sh24" stroke="%s" stroke-width="2.5"%s/>`, num(x), num(y+6), col, dash)
			}})
		}
		if sr.RangeName != "" && len(sr.Bounds) > 0 {
			items = append(items, legendItem{label: sr.RangeName, w: 24, h: 12, swatch: func(x, y float64) {
				s.printf(`<rect x="%s" y="%s" width="24" height="12" fill="%s" fill-opacity="%s"/>`, num(x), num(y), col, rangeOpacity)
			}})
		}
	}
	if len(gaps) > 0 {
		it := gapSwatch(s)
		it.label = c.GapLabel
		items = append(items, it)
	}
	top = s.legend(top, "", items)

	f := newFrame(s, valueTicks(ymin, ymax, integer), fy, xlw)
	top = f.yLabel(top, c.YLabel)
	x := func(v float64) float64 { return f.x0 + (v-xmin)/(xmax-xmin)*(f.x1-f.x0) }

	// Band and marker labels go in rows above the plot, each in the first
	// row where it does not run into the one before.
	type note struct {
		x     float64
		label string
		row   int
	}
	var notes []note
	for _, b := range c.Bands {
		if b.To < xmin || b.From > xmax || b.Label == "" {
			continue
		}
		notes = append(notes, note{x: x(math.Max(b.From, xmin)), label: b.Label})
	}
	for _, m := range c.Markers {
		if m.Label != "" {
			notes = append(notes, note{x: x(m.X), label: m.Label})
		}
	}
	rows := assignRows(len(notes), func(i int) (float64, float64) {
		return notes[i].x, notes[i].x + 3 + textWidth(notes[i].label, fontSmall)
	}, func(i, r int) { notes[i].row = r })
	noteTop := top
	top += float64(rows) * (fontSmall + 4)

	credit := s.creditLines(c.Credit)
	if err := f.vertical(top, c.XLabel, credit); err != nil {
		return nil, err
	}

	// Bands under everything, alternating two greys.
	for i, b := range c.Bands {
		lo, hi := math.Max(b.From, xmin), math.Min(b.To, xmax)
		if hi < lo {
			continue
		}
		op := ".07"
		if i%2 == 1 {
			op = ".13"
		}
		s.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="#000" fill-opacity="%s"/>`,
			num(x(lo)), num(f.y0), num(x(hi)-x(lo)), num(f.y1-f.y0), op)
	}
	// Unknown months over the phases, under the grid.
	for _, g := range gaps {
		x0, x1 := x(g.shade.From), x(g.shade.To)
		if x1-x0 < 3 {
			x0, x1 = (x0+x1)/2-1.5, (x0+x1)/2+1.5
		}
		s.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`, num(x0), num(f.y0), num(x1-x0), num(f.y1-f.y0), gapFill())
	}
	f.grid()
	f.baseline()
	for i, sr := range series {
		drawBounds(s, sr, palette[i%len(palette)], x, f.y)
	}
	noteY := func(row int) float64 { return noteTop + float64(row)*(fontSmall+4) }
	for _, m := range c.Markers {
		yTop := f.y0
		for _, n := range notes {
			if n.x == x(m.X) && n.label == m.Label {
				yTop = noteY(n.row) + 2
			}
		}
		s.printf(`<path d="M%s %sV%s" stroke="%s" stroke-width="1"/>`, num(x(m.X)), num(f.y1), num(yTop), colAxis)
	}
	for i, sr := range series {
		col := palette[i%len(palette)]
		var d, dots strings.Builder
		run := 0
		var last Point
		flush := func() {
			if run == 1 {
				fmt.Fprintf(&dots, `<circle cx="%s" cy="%s" r="2.5"/>`, num(x(last.X)), num(f.y(last.Y)))
			}
			run = 0
		}
		for _, p := range sr.Points {
			if math.IsNaN(p.Y) {
				flush()
				continue
			}
			if run == 0 {
				fmt.Fprintf(&d, "M%s %s", num(x(p.X)), num(f.y(p.Y)))
			} else {
				fmt.Fprintf(&d, "L%s %s", num(x(p.X)), num(f.y(p.Y)))
			}
			run++
			last = p
		}
		flush()
		if d.Len() > 0 {
			s.printf(`<path d="%s" fill="none" stroke="%s" stroke-width="2" stroke-linejoin="round" stroke-linecap="round"%s/>`,
				d.String(), col, dashAttr(sr.Dashed))
		}
		if dots.Len() > 0 {
			s.printf(`<g fill="%s">%s</g>`, col, dots.String())
		}
	}
	xs := make([]float64, len(xticks))
	for i, t := range xticks {
		xs[i] = x(t)
	}
	f.xLabels(xs, xlabels, c.XLabel)
	if len(notes) > 0 {
		s.str(`<g fill="` + colMuted + `">`)
		for _, n := range notes {
			s.text(n.x+3, noteY(n.row)+fontSmall, left, fontSmall, "", n.label)
		}
		s.str(`</g>`)
	}
	s.footer(credit)
	return s.bytes(), nil
}

// rangeOpacity is the low–high band's opacity over the series' colour.
const rangeOpacity = ".2"

// drawBounds draws a series' low–high band, broken where a bound or the
// series' value is unknown.
func drawBounds(s *svg, sr Series, col string, x, y func(float64) float64) {
	if len(sr.Bounds) == 0 {
		return
	}
	unknownAt := map[float64]bool{}
	for _, p := range sr.Points {
		if math.IsNaN(p.Y) {
			unknownAt[p.X] = true
		}
	}
	var d, bars strings.Builder
	var run []Bound
	flush := func() {
		switch len(run) {
		case 0:
		case 1:
			fmt.Fprintf(&bars, "M%s %sV%s", num(x(run[0].X)), num(y(run[0].High)), num(y(run[0].Low)))
		default:
			for i, b := range run {
				if i == 0 {
					fmt.Fprintf(&d, "M%s %s", num(x(b.X)), num(y(b.High)))
				} else {
					fmt.Fprintf(&d, "L%s %s", num(x(b.X)), num(y(b.High)))
				}
			}
			for i := len(run) - 1; i >= 0; i-- {
				fmt.Fprintf(&d, "L%s %s", num(x(run[i].X)), num(y(run[i].Low)))
			}
			d.WriteString("Z")
		}
		run = run[:0]
	}
	for _, b := range sr.Bounds {
		if math.IsNaN(b.Low) || math.IsNaN(b.High) || unknownAt[b.X] {
			flush()
			continue
		}
		run = append(run, b)
	}
	flush()
	if d.Len() > 0 {
		s.printf(`<path d="%s" fill="%s" fill-opacity="%s"/>`, d.String(), col, rangeOpacity)
	}
	if bars.Len() > 0 {
		s.printf(`<path d="%s" stroke="%s" stroke-opacity="%s" stroke-width="4"/>`, bars.String(), col, ".35")
	}
}

func dashAttr(dashed bool) string {
	if dashed {
		return ` stroke-dasharray="6 4"`
	}
	return ""
}

// assignRows puts n labels spanning span(i) = [from, to) into the first of
// at most three rows where each starts after the previous one in that row
// ends, in order of their start, and returns the number of rows used.
func assignRows(n int, span func(int) (float64, float64), set func(i, row int)) int {
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		fa, _ := span(a)
		fb, _ := span(b)
		return cmp.Compare(fa, fb)
	})
	const maxRows = 3
	var ends []float64
	for _, i := range order {
		from, to := span(i)
		row := -1
		for r, e := range ends {
			if from >= e+6 {
				row = r
				break
			}
		}
		if row < 0 && len(ends) < maxRows {
			ends = append(ends, math.Inf(-1))
			row = len(ends) - 1
		}
		if row < 0 { // all full: the row that frees up first
			row = 0
			for r, e := range ends {
				if e < ends[row] {
					row = r
				}
			}
		}
		ends[row] = to
		set(i, row)
	}
	return len(ends)
}
