package web_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// gapGeometry is what the browser measures of the monthly chart.
type gapGeometry struct {
	Shades   int       `json:"shades"`   // hatched no-data rects in the plot
	Left     float64   `json:"left"`     // the first one's x range, in the SVG's units
	Right    float64   `json:"right"`    //
	Width    float64   `json:"width"`    // its width on screen, CSS pixels
	Visible  bool      `json:"visible"`  // its pattern fill resolves
	Runs     int       `json:"runs"`     // separate pieces of the total line (M commands)
	Vertices []float64 `json:"vertices"` // x of every vertex of the total line
	Dots     []float64 `json:"dots"`     // x of lone points
	Legend   bool      `json:"legend"`   // the legend has a no-data key
	Desc     string    `json:"desc"`     // the chart's accessible description
}

// measureGap reads the first monthly chart of the page: the hatched span
// of unknown months and the vertices of the line drawn over it.
const measureGap = `(() => {
	const svg = document.querySelector('figure#monthly svg');
	const shades = [...svg.querySelectorAll('rect[fill$="-gap)"]')].filter(r => !r.hasAttribute('stroke'));
	const legend = [...svg.querySelectorAll('rect[fill$="-gap)"]')].some(r => r.hasAttribute('stroke'));
	const line = [...svg.querySelectorAll('path[fill="none"][stroke-width="2"]')].find(p => !p.hasAttribute('stroke-dasharray'));
	const d = line ? line.getAttribute('d') : '';
	const vertices = [...d.matchAll(/[ML]([-\d.]+) ([-\d.]+)/g)].map(m => parseFloat(m[1]));
	const dots = [...svg.querySelectorAll('circle')].map(c => parseFloat(c.getAttribute('cx')));
	const s = shades[0];
	const id = s ? s.getAttribute('fill').slice(5, -1) : '';
	const desc = svg.querySelector('desc');
	return {shades: shades.length, left: s ? parseFloat(s.getAttribute('x')) : 0,
		right: s ? parseFloat(s.getAttribute('x')) + parseFloat(s.getAttribute('width')) : 0,
		width: s ? s.getBoundingClientRect().width : 0, visible: !!(id && svg.querySelector('pattern[id="' + id + '"]')),
		runs: (d.match(/M/g) || []).length, vertices, dots, legend, desc: desc ? desc.textContent : ''};
})()`

// TestBrowserShowsUncoveredMonthAsGap opens MINUSMA's page on the shared
// 2021 and 2022 UCDP candidates in a real browser, in English and Arabic:
// the monthly chart draws no point for January 2022 (covered by neither
// release) and shades it as no data.
func TestBrowserShowsUncoveredMonthAsGap(t *testing.T) {
	h, _ := gapServer(t)
	ts := httptest.NewServer(h)
	defer ts.Close()
	ctx := browser(t)
	want := map[string]string{"en": "No data for 2022-01", "ar": "لا بيانات عن 2022-01"}
	for _, lang := range []string{"en", "ar"} {
		for _, q := range []string{"", "outcome=deaths_best&"} {
			url := ts.URL + "/interventions/minusma?" + q + "lang=" + lang
			if err := chromedp.Do(ctx, chromedp.Navigate(url), chromedp.WaitVisible(chromedp.CSS(`figure#monthly svg`))); err != nil {
				t.Fatalf("%s: %v", url, err)
			}
			g, err := chromedp.Run(ctx, chromedp.Evaluate[gapGeometry](measureGap))
			if err != nil {
				t.Fatalf("%s: %v", url, err)
			}
			if g.Shades != 1 || !g.Visible || g.Width < 3 || !g.Legend {
				t.Errorf("%s: %d no-data shades (visible %v, %.1f px wide, legend %v), want one", url, g.Shades, g.Visible, g.Width, g.Legend)
			}
			// The line stops at December 2021 and starts again at February
			// 2022, the shade's edges: no vertex and no dot inside it,
			// where January 2022 would be.
			if g.Runs != 2 {
				t.Errorf("%s: the line has %d pieces, want 2 (broken at the gap)", url, g.Runs)
			}
			atLeft, atRight := false, false
			for _, x := range append(g.Vertices, g.Dots...) {
				if x > g.Left+0.5 && x < g.Right-0.5 {
					t.Errorf("%s: a point at x=%.1f inside the no-data span %.1f–%.1f", url, x, g.Left, g.Right)
				}
				atLeft = atLeft || abs(x-g.Left) < 0.5
				atRight = atRight || abs(x-g.Right) < 0.5
			}
			if !atLeft || !atRight || len(g.Vertices) != 13 {
				t.Errorf("%s: %d vertices (want 13 covered months), at the shade's edges: %v %v", url, len(g.Vertices), atLeft, atRight)
			}
			if !strings.Contains(g.Desc, want[lang]) {
				t.Errorf("%s: the description %q does not say %q", url, g.Desc, want[lang])
			}
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
