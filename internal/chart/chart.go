// Package chart draws Aftermath's charts and maps as standalone SVG on the
// server, so that they read without JavaScript, print, and stay light.
//
// Every output is one <svg> element with role="img", a <title> and (when
// given) a <desc> for screen readers, a viewBox and width="100%". It holds no
// script, no reference outside itself and no style attribute or <style>
// element: colours, fonts and strokes are presentation attributes, so a page
// with the strict CSP `style-src 'self'` can inline it, and a browser or
// printer can render it on its own.
//
// The package writes no words of its own: every visible string (title, axis
// labels with their units, legend names, data-source credit) comes from the
// caller, already translated, and numbers are formatted by caller-supplied
// functions (FormatX, FormatY, FormatWeight), so a page can use French
// separators or Arabic-Indic digits. With RTL set, text carries
// direction="rtl" and the title, legend, axis labels and credit are mirrored
// to the right side; time still runs left to right.
//
// Unknown is not zero. A value no dataset covers is NaN: a line breaks there
// (LineChart.GapLabel shades and names the gap), a bar whose segments are
// all NaN is not drawn and its slot is hatched (BarChart.MissingLabel), and
// a bar covering part of its period can carry a note (BarChart.Partial).
// Series.Bounds draws a low–high range behind a line, and EventStudy draws
// coefficients with their confidence intervals. The gaps and notes are
// added to the <desc> as sentences, in the caller's words.
//
// Internal references (the legend's patterns, the map's clip path) use ids
// derived from a hash of the drawing, so two different charts inlined in one
// page do not collide, and identical ones define identical content.
package chart

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"strconv"
	"strings"
)

// Errors returned for unusable input.
var (
	ErrNoTitle = errors.New("chart: a title is required (it is the accessible name)")
	ErrNoData  = errors.New("chart: nothing to draw")
	ErrSize    = errors.New("chart: width and height must be 0 (default) or between 120 and 4000")
)

// Okabe–Ito colours (Okabe & Ito 2008), distinguishable with the common
// colour-vision deficiencies. Series and segments take them in this order.
// The pages' style sheet names the same colours (--c-blue … in
// internal/web/static/site.css), so that a legend's colour means the same
// on the page around the chart; internal/web tests that they agree.
var palette = []string{
	"#0072B2", // blue
	"#D55E00", // vermillion
	"#009E73", // bluish green
	"#E69F00", // orange
	"#CC79A7", // reddish purple
	"#56B4E9", // sky blue
	"#000000", // black
	"#F0E442", // yellow
}

const (
	colText   = "#222"
	colMuted  = "#555"
	colGrid   = "#d9d9d9"
	colAxis   = "#444"
	fontTitle = 16
	fontBody  = 12
	fontSmall = 11
	pad       = 10
)

// idMark stands for the drawing's id prefix while it is being written. It
// cannot come from caller text: escaping replaces NUL with U+FFFD.
const idMark = "\x00"

// svg accumulates a drawing.
type svg struct {
	b   bytes.Buffer
	w   float64
	h   float64
	rtl bool
}

func (s *svg) printf(format string, args ...any) { fmt.Fprintf(&s.b, format, args...) }
func (s *svg) str(x string)                      { s.b.WriteString(x) }

// open writes the root element, the accessible title and description.
func (s *svg) open(title, desc string) {
	s.printf(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %s %s" width="100%%" role="img" aria-labelledby="%[3]s-t`, num(s.w), num(s.h), idMark)
	if desc != "" {
		s.printf(` %s-d`, idMark)
	}
	s.str(`" font-family="sans-serif" fill="` + colText + `">`)
	s.printf(`<title id="%s-t">%s</title>`, idMark, esc(title))
	if desc != "" {
		s.printf(`<desc id="%s-d">%s</desc>`, idMark, esc(desc))
	}
}

// bytes closes the root and replaces the id mark with a hash of the drawing.
func (s *svg) bytes() []byte {
	s.str("</svg>\n")
	h := fnv.New64a()
	h.Write(s.b.Bytes())
	id := "c" + strconv.FormatUint(h.Sum64(), 36)
	return bytes.ReplaceAll(s.b.Bytes(), []byte(idMark), []byte(id))
}

// Physical horizontal alignment of a text, whatever its direction.
type align int

const (
	left align = iota
	middle
	right
)

// text writes a <text> whose physical alignment at x is a. With RTL the
// text gets direction="rtl", under which SVG's text-anchor "start" is the
// right edge and "end" the left edge, so the anchor is mirrored to keep the
// physical alignment asked for.
func (s *svg) text(x, y float64, a align, size int, attrs, body string) {
	anchor := ""
	switch {
	case a == middle:
		anchor = "middle"
	case (a == left) != s.rtl:
		anchor = "start"
	default:
		anchor = "end"
	}
	s.printf(`<text x="%s" y="%s" font-size="%d" text-anchor="%s"`, num(x), num(y), size, anchor)
	if s.rtl {
		s.str(` direction="rtl"`)
	}
	if attrs != "" {
		s.str(" " + attrs)
	}
	s.str(">" + esc(body) + "</text>")
}

// start is the physical alignment of running text: left, or right with RTL.
func (s *svg) start() align {
	if s.rtl {
		return right
	}
	return left
}

// startX is the x where running text starts in a box from x0 to x1.
func (s *svg) startX(x0, x1 float64) float64 {
	if s.rtl {
		return x1
	}
	return x0
}

// header writes the visible title (wrapped) from the top and returns the y
// below it.
func (s *svg) header(title string, hide bool) float64 {
	y := float64(pad)
	if hide || title == "" {
		return y
	}
	for _, line := range wrap(title, s.w-2*pad, fontTitle) {
		y += fontTitle + 4
		s.text(s.startX(pad, s.w-pad), y-4, s.start(), fontTitle, `font-weight="bold"`, line)
	}
	return y + 6
}

// creditLines wraps the credit; footer writes them at the bottom.
func (s *svg) creditLines(credit string) []string {
	if credit == "" {
		return nil
	}
	return wrap(credit, s.w-2*pad, fontSmall)
}

func footerHeight(lines []string) float64 {
	if len(lines) == 0 {
		return pad
	}
	return float64(len(lines))*(fontSmall+3) + pad + 4
}

func (s *svg) footer(lines []string) {
	y := s.h - pad - float64(len(lines)-1)*(fontSmall+3)
	for _, l := range lines {
		s.text(s.startX(pad, s.w-pad), y, s.start(), fontSmall, `fill="`+colMuted+`"`, l)
		y += fontSmall + 3
	}
}

// legendItem is one entry of a horizontal, wrapping legend; swatch draws its
// key in the box (x, y) to (x+w, y+h).
type legendItem struct {
	label  string
	w, h   float64
	swatch func(x, y float64)
}

// legend lays items out in rows from the start side (right with RTL),
// title leading the first row, and returns the y below it.
func (s *svg) legend(top float64, title string, items []legendItem) float64 {
	if len(items) == 0 {
		return top
	}
	type cell struct {
		it  legendItem
		off float64 // from the start side
	}
	avail := s.w - 2*pad
	var rows [][]cell
	var row []cell
	cur := 0.0
	if title != "" {
		cur = textWidth(title, fontBody) + 10
	}
	for _, it := range items {
		need := it.w + 5 + textWidth(it.label, fontBody)
		if cur > 0 && cur+need > avail {
			rows = append(rows, row)
			row, cur = nil, 0
		}
		row = append(row, cell{it, cur})
		cur += need + 14
	}
	rows = append(rows, row)
	y := top
	for i, r := range rows {
		h := float64(fontBody + 4)
		for _, c := range r {
			h = math.Max(h, c.it.h)
		}
		cy := y + h/2
		if i == 0 && title != "" {
			s.text(s.startX(pad, s.w-pad), cy+fontBody*0.35, s.start(), fontBody, `font-weight="bold"`, title)
		}
		for _, c := range r {
			kx := pad + c.off
			tx := kx + c.it.w + 5
			if s.rtl {
				kx = s.w - pad - c.off - c.it.w
				tx = kx - 5
			}
			c.it.swatch(kx, cy-c.it.h/2)
			s.text(tx, cy+fontBody*0.35, s.start(), fontBody, "", c.it.label)
		}
		y += h + 4
	}
	return y + 4
}

// esc escapes text for XML content and attribute values; characters XML
// cannot hold become U+FFFD.
func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return b.String()
}

// num formats a coordinate with at most one decimal.
func num(v float64) string {
	v = math.Round(v*10) / 10
	if v == 0 {
		return "0"
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// textWidth estimates the rendered width of s: there are no font metrics on
// the server, and 0.58 em per character is a fair mean for sans-serif Latin
// and Arabic text and digits.
func textWidth(s string, size int) float64 {
	n := 0
	for _, r := range s {
		if !bidiControl(r) {
			n++
		}
	}
	return float64(n) * float64(size) * 0.58
}

// bidiControl reports whether r is an invisible directional mark or isolate.
func bidiControl(r rune) bool {
	return r == '\u200E' || r == '\u200F' || (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069')
}

// wrap breaks s at spaces into lines no wider than max (estimated); a word
// longer than max gets a line of its own.
func wrap(s string, max float64, size int) []string {
	words := strings.Fields(s)
	if len(words) == 0 {
		return nil
	}
	var lines []string
	line := words[0]
	for _, w := range words[1:] {
		if textWidth(line+" "+w, size) > max {
			lines = append(lines, line)
			line = w
		} else {
			line += " " + w
		}
	}
	return append(lines, line)
}

// dims applies the defaults and limits to a requested size.
func dims(w, h, dw, dh int) (float64, float64, error) {
	if w == 0 {
		w = dw
	}
	if h == 0 {
		h = dh
	}
	if w < 120 || h < 120 || w > 4000 || h > 4000 {
		return 0, 0, ErrSize
	}
	return float64(w), float64(h), nil
}

func defaultFormat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// niceStep returns the smallest step of the form {1, 2, 5} × 10^k that is at
// least raw, as mantissa m and exponent k.
func niceStep(raw float64) (m int, k int) {
	if !(raw > 0) || math.IsInf(raw, 0) {
		return 1, 0
	}
	k = int(math.Floor(math.Log10(raw)))
	for {
		for _, m := range []int{1, 2, 5} {
			if stepValue(m, 1, k) >= raw*(1-1e-12) {
				return m, k
			}
		}
		k++
	}
}

// stepValue is i·m·10^k, computed so that decimal steps stay exact
// (0.1·3 gives 0.3, not 0.30000000000000004).
func stepValue(m, i, k int) float64 {
	if k >= 0 {
		return float64(i*m) * math.Pow10(k)
	}
	return float64(i*m) / math.Pow10(-k)
}

// niceTicks returns ticks covering [lo, hi] with about n intervals; the
// first tick is ≤ lo and the last ≥ hi. integer forces a step of at least 1
// (for counts).
func niceTicks(lo, hi float64, n int, integer bool) []float64 {
	if hi <= lo {
		hi = lo + 1
	}
	m, k := niceStep((hi - lo) / float64(max(n, 1)))
	if integer && k < 0 {
		m, k = 1, 0
	}
	step := stepValue(m, 1, k)
	i0 := int(math.Floor(lo/step + 1e-9))
	i1 := int(math.Ceil(hi/step - 1e-9))
	ticks := make([]float64, 0, i1-i0+1)
	for i := i0; i <= i1; i++ {
		ticks = append(ticks, stepValue(m, i, k))
	}
	return ticks
}

// innerTicks returns nice ticks inside [lo, hi] (for a time axis whose ends
// are the data's).
func innerTicks(lo, hi float64, n int) []float64 {
	if hi <= lo {
		return []float64{lo}
	}
	var out []float64
	for _, t := range niceTicks(lo, hi, n, false) {
		if t >= lo-1e-9*(hi-lo) && t <= hi+1e-9*(hi-lo) {
			out = append(out, t)
		}
	}
	return out
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }

// luminance returns the relative luminance of a #RRGGBB colour.
func luminance(hex string) float64 {
	if len(hex) != 7 {
		return 0
	}
	v, err := strconv.ParseUint(hex[1:], 16, 32)
	if err != nil {
		return 0
	}
	lin := func(c uint64) float64 {
		x := float64(c) / 255
		if x <= 0.03928 {
			return x / 12.92
		}
		return math.Pow((x+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(v>>16&0xff) + 0.7152*lin(v>>8&0xff) + 0.0722*lin(v&0xff)
}
