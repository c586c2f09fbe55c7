package chart

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
)

// MapPoint is an event (or a place) to draw on a map.
type MapPoint struct {
	Lat, Lon float64
	// Weight sizes the point (area ∝ Weight) or adds to its hexagon, e.g.
	// deaths. When every point's weight is 0, each counts as 1.
	Weight float64
	// Label, when set, is written beside the point (a place name, say).
	Label string
}

// MapSpec describes a map of country outlines with events.
type MapSpec struct {
	Title, Desc string // accessible name and description; Title is also drawn unless HideTitle
	// Credit names the data sources, e.g. "Events: UCDP GED 24.1 (CC BY
	// 4.0). Borders: Natural Earth."
	Credit string
	// Focus lists ISO 3166-1 numeric codes to zoom to (KosovoCode for
	// Kosovo); empty shows the world without Antarctica.
	Focus []int
	// Highlight lists countries drawn darker, e.g. the intervention area.
	Highlight []int
	Points    []MapPoint
	// Hexagons bins the points into hexagons sized to the view, each
	// drawn with an area proportional to the sum of its weights.
	Hexagons bool
	// Legend titles the size legend (hexagons, or points whose weights
	// differ), e.g. "Deaths"; FormatWeight writes its values (nil: plain
	// decimal).
	Legend       string
	FormatWeight func(float64) string
	// Width is the viewBox width (0: 720); Height 0 fits the map's shape.
	Width, Height int
	// RTL mirrors the title, legend, labels and credit; the map is not
	// mirrored.
	RTL       bool
	HideTitle bool
	// Shades fill countries by a count (a choropleth): 0 in its own
	// class, the rest in up to four classes of a colour-blind-safe
	// sequential palette, with a legend titled ShadeLegend giving each
	// class's bounds (FormatWeight writes them). NoData are the countries
	// the data do not cover, hatched and labelled NoDataLabel, so that
	// they never read as zero. Each country's Title is its hover text.
	Shades      []CountryShade
	ShadeLegend string
	NoData      []CountryShade
	NoDataLabel string
}

// CountryShade is one country on a choropleth.
type CountryShade struct {
	Code  int     // ISO 3166-1 numeric (KosovoCode for Kosovo)
	Value float64 // ignored for NoData
	Title string  // hover text: the country's name and value, say
}

// Map colours: light enough to print, with the highlighted countries and
// the events clearly darker.
const (
	colSea       = "#f3f6f8"
	colLand      = "#e3e3e3"
	colBorder    = "#9a9a9a"
	colHighlight = "#bdbdbd"
	colHiBorder  = "#555"
	colEvent     = "#D55E00" // Okabe–Ito vermillion
	colEventEdge = "#6b2f00"
	colZero      = "#ffffff" // covered, no events: white, not the grey of land without data
	colNoData    = "#8c8c8c" // the hatching over land the data do not cover
)

// shadePalette is the darker four of ColorBrewer's five-class YlGnBu,
// light to dark, for the classes above zero: colour-blind safe, and its
// lightest still apart from zero's white (ATTRIBUTION.md).
var shadePalette = []string{"#a1dab4", "#41b6c4", "#2c7fb8", "#253494"}

// worldView is the world without Antarctica.
var worldView = box{-180, -58, 180, 84}

// proj is an equirectangular projection onto the map area.
type proj struct {
	area     box // on the page
	clon     float64
	clat     float64
	kx       float64 // cos(mid-latitude) when focused, 1 for the world
	s        float64 // page units per degree of latitude
	viewDegs box     // what the area shows, in degrees
}

func (p *proj) xy(lon, lat float64) (float64, float64) {
	cx, cy := (p.area.x0+p.area.x1)/2, (p.area.y0+p.area.y1)/2
	return cx + (lon-p.clon)*p.kx*p.s, cy - (lat-p.clat)*p.s
}

func newProj(view box, kx float64, area box) *proj {
	p := &proj{area: area, clon: (view.x0 + view.x1) / 2, clat: (view.y0 + view.y1) / 2, kx: kx}
	mw, mh := area.x1-area.x0, area.y1-area.y0
	p.s = math.Min(mw/((view.x1-view.x0)*kx), mh/(view.y1-view.y0))
	hw, hh := mw/2/(p.s*kx), mh/2/p.s
	p.viewDegs = box{p.clon - hw, p.clat - hh, p.clon + hw, p.clat + hh}
	return p
}

// Map draws m as SVG.
func Map(m MapSpec) ([]byte, error) {
	if m.Title == "" {
		return nil, ErrNoTitle
	}
	world, err := loadWorld()
	if err != nil {
		return nil, fmt.Errorf("chart: country outlines: %w", err)
	}
	w := float64(m.Width)
	if m.Width == 0 {
		w = 720
	}
	if w < 120 || w > 4000 || (m.Height != 0 && (m.Height < 120 || m.Height > 4000)) {
		return nil, ErrSize
	}
	fw := m.FormatWeight
	if fw == nil {
		fw = defaultFormat
	}
	for _, p := range m.Points {
		if !finite(p.Lat) || !finite(p.Lon) || math.Abs(p.Lat) > 90 || math.Abs(p.Lon) > 180 {
			return nil, fmt.Errorf("chart: point (%v, %v) is not a latitude and longitude", p.Lat, p.Lon)
		}
		if !finite(p.Weight) || p.Weight < 0 {
			return nil, fmt.Errorf("chart: point weight %v is not a finite non-negative number", p.Weight)
		}
	}
	lookup := func(codes []int) (map[int]bool, error) {
		set := map[int]bool{}
		for _, c := range codes {
			if _, ok := world.byID[c]; !ok {
				return nil, fmt.Errorf("chart: no outline for country %d", c)
			}
			set[c] = true
		}
		return set, nil
	}
	focus, err := lookup(m.Focus)
	if err != nil {
		return nil, err
	}
	highlight, err := lookup(m.Highlight)
	if err != nil {
		return nil, err
	}
	shades, err := newChoropleth(m, world)
	if err != nil {
		return nil, err
	}

	// The view in degrees, with a margin around the focus.
	view, kx := worldView, 1.0
	if len(focus) > 0 {
		view = emptyBox()
		for _, c := range m.Focus {
			view = view.union(world.countries[world.byID[c]].main)
		}
		mx := math.Max(1, 0.08*(view.x1-view.x0))
		my := math.Max(1, 0.08*(view.y1-view.y0))
		view = box{math.Max(view.x0-mx, -180), math.Max(view.y0-my, -85), math.Min(view.x1+mx, 180), math.Min(view.y1+my, 85)}
		kx = math.Cos((view.y0 + view.y1) / 2 * math.Pi / 180)
	}

	weights := make([]float64, len(m.Points))
	allZero := true
	for i, p := range m.Points {
		weights[i] = p.Weight
		allZero = allZero && p.Weight == 0
	}
	if allZero {
		for i := range weights {
			weights[i] = 1
		}
	}

	// Lay out: title, legend, map, credit. The legend's height depends on
	// its values, which depend on the scale, which (for a fixed height)
	// depends on the legend's height: measure once and redo if it differs.
	rtl := m.RTL
	scratch := &svg{w: w, rtl: rtl}
	headerH := scratch.header(m.Title, m.HideTitle)
	credit := scratch.creditLines(m.Credit)
	footH := footerHeight(credit)
	mw := w - 2*pad
	var (
		h      float64
		p      *proj
		ov     *overlay
		legend []legendItem
	)
	legendH := 0.0
	for range 3 {
		var mh float64
		if m.Height == 0 {
			aspect := (view.y1 - view.y0) / ((view.x1 - view.x0) * kx)
			mh = mw * math.Min(math.Max(aspect, 0.35), 1.4)
			h = math.Round(headerH + legendH + mh + footH)
		} else {
			h = float64(m.Height)
			mh = h - headerH - legendH - footH
		}
		if mh < 60 {
			return nil, fmt.Errorf("chart: %v×%v is too small for the map and its text", w, h)
		}
		top := headerH + legendH
		p = newProj(view, kx, box{pad, top, pad + mw, top + mh})
		ov = newOverlay(m, weights, p)
		legend = ov.legend(fw)
		meas := &svg{w: w, rtl: rtl}
		ov.s = meas
		got := meas.legend(meas.legend(0, m.Legend, legend), m.ShadeLegend, shades.legend(meas, fw))
		if got == legendH {
			break
		}
		legendH = got
	}

	s := &svg{w: w, h: h, rtl: rtl}
	s.open(m.Title, m.Desc)
	a := p.area
	s.printf(`<defs><clipPath id="%s-m"><rect x="%s" y="%s" width="%s" height="%s"/></clipPath></defs>`,
		idMark, num(a.x0), num(a.y0), num(a.x1-a.x0), num(a.y1-a.y0))
	s.header(m.Title, m.HideTitle)
	ov.s = s
	s.legend(s.legend(headerH, m.Legend, legend), m.ShadeLegend, shades.legend(s, fw))
	s.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="%s"/>`, num(a.x0), num(a.y0), num(a.x1-a.x0), num(a.y1-a.y0), colSea)

	var plain, high strings.Builder
	for _, c := range world.countries {
		d := countryPath(c, p)
		if d == "" {
			continue
		}
		b := &plain
		if highlight[c.id] {
			b = &high
		}
		fill, title := shades.country(c.id)
		switch {
		case fill != "" && title != "":
			fmt.Fprintf(b, `<path data-iso="%d" fill="%s" d="%s"><title>%s</title></path>`, c.id, fill, d, esc(title))
		case fill != "":
			fmt.Fprintf(b, `<path data-iso="%d" fill="%s" d="%s"/>`, c.id, fill, d)
		default:
			fmt.Fprintf(b, `<path data-iso="%d" d="%s"/>`, c.id, d)
		}
	}
	if shades.hatched {
		s.printf(`<defs><pattern id="%s-nd" width="5" height="5" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="5" height="5" fill="%s"/><line x1="0" y1="0" x2="0" y2="5" stroke="%s" stroke-width="1.5"/></pattern></defs>`,
			idMark, colLand, colNoData)
	}
	s.printf(`<g fill="%s" stroke="%s" stroke-width=".5" stroke-linejoin="round" fill-rule="evenodd">%s</g>`, colLand, colBorder, plain.String())
	if high.Len() > 0 {
		s.printf(`<g fill="%s" stroke="%s" stroke-width=".8" stroke-linejoin="round" fill-rule="evenodd">%s</g>`, colHighlight, colHiBorder, high.String())
	}
	ov.s = s
	ov.draw(fw)
	s.printf(`<rect x="%s" y="%s" width="%s" height="%s" fill="none" stroke="#bbb"/>`, num(a.x0), num(a.y0), num(a.x1-a.x0), num(a.y1-a.y0))
	s.footer(credit)
	return s.bytes(), nil
}

// countryPath projects c's rings, clips them to the map area and writes
// them as one path, "" when c is out of view. Rings reaching past the
// antimeridian are drawn again 360° to the other side.
func countryPath(c country, p *proj) string {
	var b strings.Builder
	for _, shift := range []float64{0, -360, 360} {
		cb := box{c.bbox.x0 + shift, c.bbox.y0, c.bbox.x1 + shift, c.bbox.y1}
		if !cb.intersects(p.viewDegs) {
			continue
		}
		for _, poly := range c.polys {
			for _, ring := range poly {
				pts := make([]xy, len(ring))
				for i, q := range ring {
					pts[i].x, pts[i].y = p.xy(q.lon+shift, q.lat)
				}
				ringPath(&b, simplifyRing(clipRing(pts, p.area), simplifyTolerance))
			}
		}
	}
	return b.String()
}

type xy struct{ x, y float64 }

// simplifyTolerance is how far, in map units (a 720-unit-wide map), a
// simplified border may stray from the drawn one: a third of a pixel at
// the width the map is drawn for. Borders are stored for every zoom, so a
// world map otherwise carries points no screen can show, and the events
// page its bytes on every visit.
const simplifyTolerance = 0.35

// simplifyRing drops the points of a closed ring that lie within tol of
// the line through their neighbours kept (Douglas–Peucker), keeping at
// least a triangle so that small islands stay drawn.
func simplifyRing(pts []xy, tol float64) []xy {
	if len(pts) <= 4 {
		return pts
	}
	// Split the ring at its first point and the point farthest from it,
	// so that both halves are open lines with distinct ends.
	far, best := 0, -1.0
	for i, q := range pts {
		if d := (q.x-pts[0].x)*(q.x-pts[0].x) + (q.y-pts[0].y)*(q.y-pts[0].y); d > best {
			far, best = i, d
		}
	}
	if far == 0 {
		return pts[:1]
	}
	keep := make([]bool, len(pts))
	keep[0], keep[far] = true, true
	closed := append(pts[:len(pts):len(pts)], pts[0])
	markLine(closed, 0, far, tol*tol, keep)
	markLine(closed, far, len(pts), tol*tol, keep)
	out := make([]xy, 0, len(pts)/2)
	for i, k := range keep {
		if k {
			out = append(out, pts[i])
		}
	}
	if len(out) < 3 {
		// A sliver: keep the point farthest from the kept line as well.
		return simplifyRing(pts, tol/4)
	}
	return out
}

// markLine marks which points strictly between pts[i] and pts[j] the line
// needs to stay within sqrt(tol2) of them; keep has one entry per point
// of the ring (pts is the ring closed with its first point again).
func markLine(pts []xy, i, j int, tol2 float64, keep []bool) {
	for j-i > 1 {
		a, b := pts[i], pts[j]
		dx, dy := b.x-a.x, b.y-a.y
		l2 := dx*dx + dy*dy
		far, best := -1, tol2
		for k := i + 1; k < j; k++ {
			px, py := pts[k].x-a.x, pts[k].y-a.y
			var d float64
			if l2 == 0 {
				d = px*px + py*py
			} else {
				c := px*dy - py*dx
				d = c * c / l2
			}
			if d > best {
				far, best = k, d
			}
		}
		if far < 0 {
			return
		}
		keep[far%len(keep)] = true
		markLine(pts, i, far, tol2, keep)
		i = far
	}
}

// clipRing clips a closed ring to the rectangle r (Sutherland–Hodgman). A
// concave ring may come back with edges running along r's border, which
// lie under the map's frame.
func clipRing(pts []xy, r box) []xy {
	bb := emptyBox()
	for _, q := range pts {
		bb = bb.add(q.x, q.y)
	}
	if !bb.intersects(r) {
		return nil
	}
	if bb.x0 >= r.x0 && bb.x1 <= r.x1 && bb.y0 >= r.y0 && bb.y1 <= r.y1 {
		return pts
	}
	type edge struct {
		inside func(xy) bool
		cut    func(a, b xy) xy
	}
	atX := func(x float64) func(a, b xy) xy {
		return func(a, b xy) xy { return xy{x, a.y + (b.y-a.y)*(x-a.x)/(b.x-a.x)} }
	}
	atY := func(y float64) func(a, b xy) xy {
		return func(a, b xy) xy { return xy{a.x + (b.x-a.x)*(y-a.y)/(b.y-a.y), y} }
	}
	edges := []edge{
		{func(q xy) bool { return q.x >= r.x0 }, atX(r.x0)},
		{func(q xy) bool { return q.x <= r.x1 }, atX(r.x1)},
		{func(q xy) bool { return q.y >= r.y0 }, atY(r.y0)},
		{func(q xy) bool { return q.y <= r.y1 }, atY(r.y1)},
	}
	out := pts
	for _, e := range edges {
		in := out
		out = nil
		for i, cur := range in {
			prev := in[(i+len(in)-1)%len(in)]
			switch ci, pi := e.inside(cur), e.inside(prev); {
			case ci && pi:
				out = append(out, cur)
			case ci && !pi:
				out = append(out, e.cut(prev, cur), cur)
			case !ci && pi:
				out = append(out, e.cut(prev, cur))
			}
		}
		if len(out) == 0 {
			return nil
		}
	}
	return out
}

// ringPath appends a closed ring in tenths of a unit: the first point
// absolute, the rest relative, repeated points dropped. Rounding the
// absolute positions before taking differences keeps errors from adding up.
func ringPath(b *strings.Builder, pts []xy) {
	if len(pts) < 3 {
		return
	}
	q := make([][2]int, 0, len(pts))
	for _, p := range pts {
		t := [2]int{int(math.Round(p.x * 10)), int(math.Round(p.y * 10))}
		if len(q) > 0 && q[len(q)-1] == t {
			continue
		}
		q = append(q, t)
	}
	for len(q) > 1 && q[len(q)-1] == q[0] {
		q = q[:len(q)-1]
	}
	if len(q) < 3 {
		return
	}
	b.WriteByte('M')
	writeTenths(b, q[0][0], false)
	writeTenths(b, q[0][1], true)
	b.WriteByte('l')
	for i := 1; i < len(q); i++ {
		writeTenths(b, q[i][0]-q[i-1][0], i > 1)
		writeTenths(b, q[i][1]-q[i-1][1], true)
	}
	b.WriteByte('z')
}

// writeTenths writes v/10 as briefly as path syntax allows: no leading zero,
// and no separator before a minus sign.
func writeTenths(b *strings.Builder, v int, sep bool) {
	neg := v < 0
	if neg {
		v = -v
	}
	if neg {
		b.WriteByte('-')
	} else if sep {
		b.WriteByte(' ')
	}
	if v >= 10 {
		b.WriteString(strconv.Itoa(v / 10))
	}
	if v%10 != 0 {
		b.WriteByte('.')
		b.WriteByte(byte('0' + v%10))
	} else if v < 10 {
		b.WriteByte('0')
	}
}

// overlay is the events layer: points or hexagons.
type overlay struct {
	s      *svg
	m      MapSpec
	p      *proj
	hexR   float64 // hexagon cell radius
	pts    []drawnPoint
	cells  []hexCell // visible cells
	maxW   float64   // largest weight drawn: sizes and legend scale to it
	sized  bool      // point sizes vary
	ints   bool      // all weights are whole numbers
	labels []drawnPoint
}

type drawnPoint struct {
	x, y, w, r float64
	label      string
}

func newOverlay(m MapSpec, weights []float64, p *proj) *overlay {
	o := &overlay{m: m, p: p, ints: true}
	a := p.area
	mw := a.x1 - a.x0
	o.hexR = math.Max(mw/48, 4)
	first := -1.0
	var bins []binPoint
	for i, mp := range m.Points {
		x, y := p.xy(mp.Lon, mp.Lat)
		wt := weights[i]
		if wt != math.Trunc(wt) {
			o.ints = false
		}
		in := x >= a.x0 && x <= a.x1 && y >= a.y0 && y <= a.y1
		if mp.Label != "" && in {
			o.labels = append(o.labels, drawnPoint{x: x, y: y, w: wt, label: mp.Label})
		}
		if m.Hexagons {
			bins = append(bins, binPoint{x - a.x0, y - a.y0, wt})
			continue
		}
		if !in {
			continue
		}
		if first < 0 {
			first = wt
		} else if wt != first {
			o.sized = true
		}
		o.maxW = math.Max(o.maxW, wt)
		o.pts = append(o.pts, drawnPoint{x: x, y: y, w: wt, label: mp.Label})
	}
	if m.Hexagons {
		for _, c := range hexBin(bins, o.hexR) {
			c.x += a.x0
			c.y += a.y0
			if c.x < a.x0-o.hexR || c.x > a.x1+o.hexR || c.y < a.y0-o.hexR || c.y > a.y1+o.hexR || c.w <= 0 {
				continue
			}
			o.maxW = math.Max(o.maxW, c.w)
			o.cells = append(o.cells, c)
		}
		// Biggest first, so small cells are never hidden.
		slices.SortStableFunc(o.cells, func(a, b hexCell) int { return cmp.Compare(b.w, a.w) })
		return o
	}
	for i := range o.pts {
		o.pts[i].r = 3
		if o.sized {
			o.pts[i].r = o.pointSize(o.pts[i].w)
		}
	}
	slices.SortStableFunc(o.pts, func(a, b drawnPoint) int { return cmp.Compare(b.w, a.w) })
	for i := range o.labels {
		for _, q := range o.pts {
			if q.x == o.labels[i].x && q.y == o.labels[i].y {
				o.labels[i].r = math.Max(o.labels[i].r, q.r)
			}
		}
	}
	return o
}

// hexSize gives the drawn radius of a cell or legend key of weight v: area
// ∝ weight, the largest filling its cell, and never under 1.5 units so that
// a single event stays visible.
func (o *overlay) hexSize(v float64) float64 {
	return math.Max(1.5, 0.95*o.hexR*math.Sqrt(v/o.maxW))
}

func (o *overlay) pointSize(v float64) float64 {
	rmax := math.Min(math.Max((o.p.area.x1-o.p.area.x0)/70, 5), 12)
	return math.Max(1.5, rmax*math.Sqrt(v/o.maxW))
}

// legend returns the size legend's keys: hexagons always, points when
// their sizes vary.
func (o *overlay) legend(fw func(float64) string) []legendItem {
	if o.maxW <= 0 || (!o.m.Hexagons && !o.sized) {
		return nil
	}
	var items []legendItem
	for _, v := range legendValues(o.maxW, o.ints) {
		var r float64
		if o.m.Hexagons {
			r = o.hexSize(v)
		} else {
			r = o.pointSize(v)
		}
		items = append(items, legendItem{label: fw(v), w: 2 * r, h: 2 * r, swatch: func(x, y float64) {
			if o.m.Hexagons {
				var b strings.Builder
				hexPath(&b, x+r, y+r, r)
				o.s.printf(`<path d="%s" fill="%s" fill-opacity=".8" stroke="%s" stroke-width=".5"/>`, b.String(), colEvent, colEventEdge)
			} else {
				o.s.printf(`<circle cx="%s" cy="%s" r="%s" fill="%s" fill-opacity=".55" stroke="%s" stroke-width=".5"/>`, num(x+r), num(y+r), num(r), colEvent, colEventEdge)
			}
		}})
	}
	return items
}

// legendValues picks up to three round values no larger than max.
func legendValues(max float64, ints bool) []float64 {
	top := niceFloor(max)
	var vs []float64
	for _, v := range []float64{niceFloor(top / 20), niceFloor(top / 4), top} {
		if v <= 0 || (ints && v != math.Trunc(v)) || (len(vs) > 0 && v <= vs[len(vs)-1]) {
			continue
		}
		vs = append(vs, v)
	}
	return vs
}

// niceFloor is the largest {1, 2, 5} × 10^k not above v.
func niceFloor(v float64) float64 {
	if !(v > 0) {
		return 0
	}
	k := int(math.Floor(math.Log10(v)))
	for _, m := range []int{5, 2, 1} {
		if x := stepValue(m, 1, k); x <= v*(1+1e-12) {
			return x
		}
	}
	return stepValue(1, 1, k)
}

func (o *overlay) draw(fw func(float64) string) {
	s := o.s
	s.printf(`<g clip-path="url(#%s-m)">`, idMark)
	if len(o.cells) > 0 {
		s.printf(`<g fill="%s" fill-opacity=".8" stroke="%s" stroke-width=".5">`, colEvent, colEventEdge)
		for _, c := range o.cells {
			var b strings.Builder
			hexPath(&b, c.x, c.y, o.hexSize(c.w))
			s.printf(`<path d="%s"><title>%s</title></path>`, b.String(), esc(fw(c.w)))
		}
		s.str(`</g>`)
	}
	if len(o.pts) > 0 {
		s.printf(`<g fill="%s" fill-opacity=".55" stroke="%s" stroke-width=".5">`, colEvent, colEventEdge)
		for _, q := range o.pts {
			s.printf(`<circle cx="%s" cy="%s" r="%s"/>`, num(q.x), num(q.y), num(q.r))
		}
		s.str(`</g>`)
	}
	if len(o.labels) > 0 {
		if o.m.Hexagons { // a dot marks the labelled place
			s.str(`<g fill="#000">`)
			for _, l := range o.labels {
				s.printf(`<circle cx="%s" cy="%s" r="2"/>`, num(l.x), num(l.y))
			}
			s.str(`</g>`)
		}
		s.str(`<g fill="#000" stroke="#fff" stroke-width="3" stroke-linejoin="round" paint-order="stroke">`)
		for _, l := range o.labels {
			off := math.Max(l.r, 2) + 3
			if s.rtl {
				s.text(l.x-off, l.y+fontSmall*0.35, right, fontSmall, "", l.label)
			} else {
				s.text(l.x+off, l.y+fontSmall*0.35, left, fontSmall, "", l.label)
			}
		}
		s.str(`</g>`)
	}
	s.str(`</g>`)
}

// hexPath appends a pointy-top hexagon of radius r centred on (cx, cy).
func hexPath(b *strings.Builder, cx, cy, r float64) {
	pts := make([]xy, 6)
	for i := range pts {
		a := math.Pi / 3 * (float64(i) - 0.5) // -30°, 30°, ... from the x axis
		pts[i] = xy{cx + r*math.Cos(a), cy + r*math.Sin(a)}
	}
	ringPath(b, pts)
}

type binPoint struct{ x, y, w float64 }

// hexCell is a hexagon of the grid: its centre, total weight and count.
type hexCell struct {
	x, y, w float64
	n       int
}

// hexBin assigns points to the pointy-top hexagonal grid of radius r whose
// cell (0, 0) is centred on the origin, by rounding axial (cube)
// coordinates, which puts each point in the cell with the nearest centre.
// Every point falls in exactly one cell, so the cells' weights add up to the
// points'. Cells come in the order of their first point.
func hexBin(pts []binPoint, r float64) []hexCell {
	idx := map[[2]int]int{}
	var cells []hexCell
	for _, p := range pts {
		fq := (math.Sqrt(3)/3*p.x - p.y/3) / r
		fr := 2.0 / 3 * p.y / r
		fs := -fq - fr
		q, rr, s := math.Round(fq), math.Round(fr), math.Round(fs)
		dq, dr, ds := math.Abs(q-fq), math.Abs(rr-fr), math.Abs(s-fs)
		switch {
		case dq > dr && dq > ds:
			q = -rr - s
		case dr > ds:
			rr = -q - s
		}
		k := [2]int{int(q), int(rr)}
		i, ok := idx[k]
		if !ok {
			i = len(cells)
			idx[k] = i
			cells = append(cells, hexCell{x: r * math.Sqrt(3) * (q + rr/2), y: r * 1.5 * rr})
		}
		cells[i].w += p.w
		cells[i].n++
	}
	return cells
}

// choropleth is the shading of countries: each shaded country's class and
// hover text, and the classes' upper bounds.
type choropleth struct {
	m       MapSpec
	class   map[int]int // country → class: -1 no data, 0 zero, 1… the palette's
	title   map[int]string
	bounds  []float64 // inclusive upper bound of each class above zero
	hatched bool      // some country has no data
}

func newChoropleth(m MapSpec, world *worldData) (*choropleth, error) {
	c := &choropleth{m: m, class: map[int]int{}, title: map[int]string{}}
	top := 0.0
	for _, sh := range append(slices.Clone(m.Shades), m.NoData...) {
		if _, ok := world.byID[sh.Code]; !ok {
			return nil, fmt.Errorf("chart: no outline for country %d", sh.Code)
		}
	}
	for _, sh := range m.Shades {
		if !finite(sh.Value) || sh.Value < 0 {
			return nil, fmt.Errorf("chart: country %d: value %v is not a finite non-negative number", sh.Code, sh.Value)
		}
		top = math.Max(top, sh.Value)
	}
	c.bounds = shadeBounds(top)
	for _, sh := range m.Shades {
		k := 0
		for k < len(c.bounds) && sh.Value > 0 && (k == 0 || sh.Value > c.bounds[k-1]) {
			k++
		}
		c.class[sh.Code], c.title[sh.Code] = k, sh.Title
	}
	for _, sh := range m.NoData {
		if _, shaded := c.class[sh.Code]; !shaded {
			c.class[sh.Code], c.title[sh.Code], c.hatched = -1, sh.Title, true
		}
	}
	return c, nil
}

// shadeBounds splits 1…top into up to four classes of whole numbers that
// grow geometrically, since event counts span orders of magnitude (one
// class per number when top is that small): the upper bounds, the last
// being top.
func shadeBounds(top float64) []float64 {
	if top <= 0 {
		return nil
	}
	var out []float64
	if top <= float64(len(shadePalette)) { // few enough for a class each
		for v := 1.0; v <= math.Ceil(top); v++ {
			out = append(out, v)
		}
		return out
	}
	for k := 1; k < len(shadePalette); k++ {
		b := math.Ceil(math.Pow(top, float64(k)/float64(len(shadePalette))) - 1e-9) // 10000^¼ is 10.000000000000002
		if b < top && (len(out) == 0 || b > out[len(out)-1]) {
			out = append(out, b)
		}
	}
	return append(out, math.Ceil(top))
}

// country is the fill and hover text of a country ("" for plain land).
func (c *choropleth) country(code int) (fill, title string) {
	k, ok := c.class[code]
	switch {
	case !ok:
		return "", ""
	case k < 0:
		return "url(#" + idMark + "-nd)", c.title[code]
	case k == 0:
		return colZero, c.title[code]
	}
	// Fewer classes than colours take the darkest ones, so the top class
	// always reads as the most.
	return shadePalette[len(shadePalette)-len(c.bounds)+k-1], c.title[code]
}

// legend is the key of the classes, "no data" last.
func (c *choropleth) legend(s *svg, fw func(float64) string) []legendItem {
	if len(c.m.Shades) == 0 && len(c.m.NoData) == 0 {
		return nil
	}
	swatch := func(fill string) func(x, y float64) {
		return func(x, y float64) {
			s.printf(`<rect x="%s" y="%s" width="14" height="10" fill="%s" stroke="%s" stroke-width=".5"/>`, num(x), num(y), fill, colBorder)
		}
	}
	items := []legendItem{{label: fw(0), w: 14, h: 10, swatch: swatch(colZero)}}
	lo := 1.0
	for k, b := range c.bounds {
		label := fw(lo) + "–" + fw(b)
		if lo == b {
			label = fw(b)
		}
		items = append(items, legendItem{label: label, w: 14, h: 10, swatch: swatch(shadePalette[len(shadePalette)-len(c.bounds)+k])})
		lo = b + 1
	}
	if c.hatched {
		items = append(items, legendItem{label: c.m.NoDataLabel, w: 14, h: 10, swatch: swatch("url(#" + idMark + "-nd)")})
	}
	return items
}
