package chart

import (
	"cmp"
	"math"
	"slices"
	"strings"
)

// Unknown is not zero: a month or year no dataset covers is a gap, drawn as
// a light hatched area (the same one in line and bar charts) and named in the
// description, never as a 0.

// Span is a stretch of the X axis, From ≤ To.
type Span struct{ From, To float64 }

// Colours of the hatching that marks unknown data.
const (
	colGapFill  = "#f4f4f4"
	colGapHatch = "#9a9a9a"
)

// writeGapPattern defines the hatching for unknown data, id "<id>-gap".
func writeGapPattern(s *svg) {
	s.printf(`<pattern id="%s-gap" width="6" height="6" patternUnits="userSpaceOnUse"><rect width="6" height="6" fill="%s"/><path d="M-1 1L1-1M0 6L6 0M5 7L7 5" stroke="%s" stroke-width=".8"/></pattern>`,
		idMark, colGapFill, colGapHatch)
}

func gapFill() string { return "url(#" + idMark + "-gap)" }

// gapSwatch is the legend key of unknown data.
func gapSwatch(s *svg) legendItem {
	return legendItem{w: 16, h: 12, swatch: func(x, y float64) {
		s.printf(`<rect x="%s" y="%s" width="16" height="12" fill="%s" stroke="%s" stroke-width=".5"/>`, num(x), num(y), gapFill(), colGapHatch)
	}}
}

// gapRun is a run of X values where a series is unknown: From and To are
// the first and last missing X, Shade the stretch where its line is absent
// (from the last known point before to the first known one after).
type gapRun struct {
	missing Span
	shade   Span
}

// gapRuns finds the runs of NaN points in sorted series and merges those of
// different series that overlap.
func gapRuns(series []Series) []gapRun {
	var runs []gapRun
	for _, sr := range series {
		known := math.NaN() // X of the last known point
		var cur *gapRun
		for _, p := range sr.Points {
			if math.IsNaN(p.Y) {
				if cur == nil {
					lo := p.X
					if !math.IsNaN(known) {
						lo = known
					}
					cur = &gapRun{missing: Span{p.X, p.X}, shade: Span{lo, p.X}}
				}
				cur.missing.To, cur.shade.To = p.X, p.X
				continue
			}
			if cur != nil {
				cur.shade.To = p.X
				runs = append(runs, *cur)
				cur = nil
			}
			known = p.X
		}
		if cur != nil {
			runs = append(runs, *cur)
		}
	}
	slices.SortFunc(runs, func(a, b gapRun) int { return cmp.Compare(a.shade.From, b.shade.From) })
	var out []gapRun
	for _, r := range runs {
		if n := len(out); n > 0 && r.shade.From < out[n-1].shade.To {
			last := &out[n-1]
			last.shade.To = math.Max(last.shade.To, r.shade.To)
			last.missing.From = math.Min(last.missing.From, r.missing.From)
			last.missing.To = math.Max(last.missing.To, r.missing.To)
			continue
		}
		out = append(out, r)
	}
	return out
}

// sentence ends s with a full stop unless it already ends a sentence.
func sentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	switch r := []rune(s)[len([]rune(s))-1]; r {
	case '.', '!', '?', '…', '؟', '。':
		return s
	}
	return s + "."
}

// spanText is "a–b", or "a" when both ends read the same.
func spanText(a, b string) string {
	if a == b {
		return a
	}
	return a + "–" + b
}

// addDesc appends sentences to a description.
func addDesc(desc string, sentences []string) string {
	var parts []string
	for _, s := range sentences {
		if s = sentence(s); s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return desc
	}
	if d := sentence(desc); d != "" {
		parts = append([]string{d}, parts...)
	}
	return strings.Join(parts, " ")
}
