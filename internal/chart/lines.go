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
type Series struct {
	Name   string // legend text
	Points []Point
	Dashed bool // for a counterfactual or an estimate
}

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

	s := &svg{w: w, h: h, rtl: c.RTL}
	s.open(c.Title, c.Desc)
	top := s.header(c.Title, c.HideTitle)

	var items []legendItem
	for i, sr := range series {
		if sr.Name == "" {
			continue
		}
		col, dash := palette[i%len(palette)], dashAttr(sr.Dashed)
		items = append(items, legendItem{label: sr.Name, w: 24, h: 12, swatch: func(x, y float64) {
			s.printf(`<path d="M%s %sh24" stroke="%s" stroke-width="2.5"%s/>`, num(x), num(y+6), col, dash)
		}})
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
	f.grid()
	f.baseline()
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
