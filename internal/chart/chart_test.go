package chart

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (%d bytes, want %d); if the change is intended, run go test ./internal/chart -update and review the diff", name, len(got), len(want))
	}
}

// elem is a parsed SVG element.
type elem struct {
	name  string
	attrs map[string]string
	text  string // character data directly inside
	kids  []*elem
}

func (e *elem) walk(f func(*elem)) {
	f(e)
	for _, k := range e.kids {
		k.walk(f)
	}
}

func (e *elem) all(name string) []*elem {
	var out []*elem
	e.walk(func(x *elem) {
		if x.name == name {
			out = append(out, x)
		}
	})
	return out
}

// parseSVG proves b is well-formed XML with one <svg> root and returns it.
func parseSVG(t *testing.T, b []byte) *elem {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(b))
	d.Strict = true
	var root *elem
	var stack []*elem
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v", err)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			e := &elem{name: tok.Name.Local, attrs: map[string]string{}}
			for _, a := range tok.Attr {
				e.attrs[a.Name.Local] = a.Value
			}
			if len(stack) == 0 {
				if root != nil {
					t.Fatal("more than one root element")
				}
				root = e
			} else {
				p := stack[len(stack)-1]
				p.kids = append(p.kids, e)
			}
			stack = append(stack, e)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].text += string(tok)
			} else if strings.TrimSpace(string(tok)) != "" {
				t.Fatalf("text outside the root: %q", tok)
			}
		case xml.ProcInst, xml.Directive:
			t.Fatalf("unexpected %T", tok)
		}
	}
	if root == nil || root.name != "svg" {
		t.Fatal("root is not <svg>")
	}
	return root
}

// checkSVG applies the rules every output must keep.
func checkSVG(t *testing.T, b []byte) *elem {
	t.Helper()
	root := parseSVG(t, b)
	s := string(b)
	for _, bad := range []string{"<script", "<style", " style=", `href="http`, "xlink:href", "<foreignObject", "<image", " on"} {
		if bad == " on" {
			// no event handler attributes (onload=, onclick=, ...)
			root.walk(func(e *elem) {
				for k := range e.attrs {
					if strings.HasPrefix(strings.ToLower(k), "on") {
						t.Errorf("event handler attribute %s on <%s>", k, e.name)
					}
				}
			})
			continue
		}
		if strings.Contains(s, bad) {
			t.Errorf("output contains %q", bad)
		}
	}
	if root.attrs["role"] != "img" || root.attrs["width"] != "100%" || root.attrs["viewBox"] == "" {
		t.Errorf("root attributes %v", root.attrs)
	}
	if len(root.kids) == 0 || root.kids[0].name != "title" || root.kids[0].text == "" {
		t.Error("first child is not a non-empty <title>")
	}
	ids := map[string]bool{}
	root.walk(func(e *elem) {
		if id := e.attrs["id"]; id != "" {
			ids[id] = true
		}
	})
	for _, ref := range strings.Fields(root.attrs["aria-labelledby"]) {
		if !ids[ref] {
			t.Errorf("aria-labelledby names %q, which is not an id", ref)
		}
	}
	root.walk(func(e *elem) {
		for _, v := range e.attrs {
			if strings.HasPrefix(v, "url(#") {
				if id := strings.TrimSuffix(strings.TrimPrefix(v, "url(#"), ")"); !ids[id] {
					t.Errorf("reference to missing id %q", id)
				}
			}
		}
	})
	return root
}

// Sample data: monthly deaths in the style of UCDP GED for Mali, with X in
// months since January 1970.
func month(year, m int) float64 { return float64((year-1970)*12 + m - 1) }

func yearOf(x float64) string { return strconv.Itoa(1970 + int(math.Floor(x/12))) }

func sampleSeries() (observed, counterfactual []Point) {
	for y := 2010; y <= 2021; y++ {
		for m := 1; m <= 12; m++ {
			x := month(y, m)
			t := x - month(2010, 1)
			v := 20 + 0.9*t + 25*math.Sin(t/5) + 10*math.Cos(t/2.3)
			if y >= 2013 {
				v += 60
			}
			observed = append(observed, Point{x, math.Max(0, math.Round(v))})
			if y >= 2013 {
				counterfactual = append(counterfactual, Point{x, math.Round(20 + 0.9*t)})
			}
		}
	}
	observed[30].Y = math.NaN() // a month without data
	return
}

func januaries(from, to int) []float64 {
	var xs []float64
	for y := from; y <= to; y++ {
		xs = append(xs, month(y, 1))
	}
	return xs
}

func sampleLines() LineChart {
	obs, cf := sampleSeries()
	return LineChart{
		Title:  "Deaths in Mali by month, 2010–2021",
		Desc:   "Monthly deaths recorded in Mali rose after 2013 and stayed above the pre-intervention trend.",
		XLabel: "Month",
		YLabel: "Deaths per month",
		Credit: "Source: UCDP Georeferenced Event Dataset (GED) Global version 24.1, CC BY 4.0.",
		Series: []Series{
			{Name: "Recorded deaths", Points: obs},
			{Name: "Pre-2013 trend", Points: cf, Dashed: true},
		},
		Bands: []Band{
			{From: month(2013, 1), To: month(2014, 7), Label: "Serval"},
			{From: month(2014, 8), To: month(2022, 8), Label: "Barkhane"},
		},
		Markers: []Marker{{X: month(2013, 7), Label: "MINUSMA"}},
		XTicks:  januaries(2010, 2022),
		FormatX: yearOf,
		FormatY: func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) },
	}
}

func sampleBars() BarChart {
	years := []string{"2013", "2014", "2015", "2016", "2017", "2018", "2019", "2020", "2021"}
	return BarChart{
		Title:      "Deaths by perpetrator and year, Mali",
		Desc:       "Armed groups caused most deaths until 2019; deaths caused by partner forces grew after 2018.",
		XLabel:     "Year",
		YLabel:     "Deaths per year",
		Credit:     "Source: UCDP GED 24.1, CC BY 4.0.",
		Categories: years,
		Segments: []Segment{
			{Name: "Partner forces", Values: []float64{40, 25, 30, 45, 80, 210, 320, 450, 520}},
			{Name: "Intervening forces", Values: []float64{120, 60, 40, 35, 50, 70, 90, 110, 60}},
			{Name: "Armed groups", Values: []float64{300, 180, 260, 240, 400, 620, 700, 560, 480}},
			{Name: "Others", Values: []float64{10, 5, 12, 8, 20, 30, 25, 40, 35}},
		},
		SegmentLabels: true,
	}
}

func TestLinesGolden(t *testing.T) {
	b, err := Lines(sampleLines())
	if err != nil {
		t.Fatal(err)
	}
	checkSVG(t, b)
	golden(t, "lines.svg", b)
}

func TestLinesRTLGolden(t *testing.T) {
	c := sampleLines()
	c.RTL = true
	c.Title = "الوفيات في مالي حسب الشهر، 2010–2021"
	c.Desc = "ارتفعت الوفيات الشهرية المسجلة في مالي بعد عام 2013."
	c.XLabel = "الشهر"
	c.YLabel = "عدد الوفيات في الشهر"
	c.Credit = "المصدر: UCDP GED 24.1، رخصة CC BY 4.0."
	c.Series[0].Name = "الوفيات المسجلة"
	c.Series[1].Name = "الاتجاه قبل 2013"
	c.Bands[0].Label = "سيرفال"
	c.Bands[1].Label = "برخان"
	c.Markers[0].Label = "مينوسما"
	b, err := Lines(c)
	if err != nil {
		t.Fatal(err)
	}
	checkSVG(t, b)
	golden(t, "lines_rtl.svg", b)
}

func TestBarsGolden(t *testing.T) {
	b, err := StackedBars(sampleBars())
	if err != nil {
		t.Fatal(err)
	}
	root := checkSVG(t, b)
	golden(t, "bars.svg", b)
	// Four segments: the first solid, the other three hatched patterns.
	if n := len(root.all("pattern")); n != 3 {
		t.Errorf("%d patterns, want 3", n)
	}
}

func TestBarsRTLGolden(t *testing.T) {
	c := sampleBars()
	c.RTL = true
	c.Title = "الوفيات حسب الجهة الفاعلة والسنة، مالي"
	c.YLabel = "عدد الوفيات في السنة"
	c.XLabel = "السنة"
	c.Credit = "المصدر: UCDP GED 24.1، رخصة CC BY 4.0."
	for i, n := range []string{"القوات الشريكة", "قوات التدخل", "الجماعات المسلحة", "أخرى"} {
		c.Segments[i].Name = n
	}
	b, err := StackedBars(c)
	if err != nil {
		t.Fatal(err)
	}
	checkSVG(t, b)
	golden(t, "bars_rtl.svg", b)
}

// texts returns every <text> element's content.
func texts(root *elem) []*elem { return root.all("text") }

func TestEscaping(t *testing.T) {
	const nasty = `<b>&"` + "'</title><script>x</script>"
	c := sampleLines()
	c.Title, c.Desc, c.YLabel, c.Credit = nasty, nasty, nasty, nasty
	c.Series[0].Name = nasty
	c.Markers[0].Label = nasty
	c.FormatX = func(float64) string { return nasty }
	b, err := Lines(c)
	if err != nil {
		t.Fatal(err)
	}
	root := checkSVG(t, b)
	if got := root.kids[0].text; got != nasty {
		t.Errorf("title = %q, want %q", got, nasty)
	}
	if got := root.all("desc")[0].text; got != nasty {
		t.Errorf("desc = %q", got)
	}
	n := 0
	for _, e := range texts(root) {
		if e.text == nasty {
			n++
		}
	}
	if n < 5 {
		t.Errorf("the text came back intact %d times, want every use", n)
	}

	bc := sampleBars()
	bc.Title, bc.Categories[0], bc.Segments[0].Name = nasty, nasty, nasty
	b, err = StackedBars(bc)
	if err != nil {
		t.Fatal(err)
	}
	if root := checkSVG(t, b); root.kids[0].text != nasty {
		t.Errorf("bar title = %q", root.kids[0].text)
	}
	m, err := Map(MapSpec{Title: nasty, Credit: nasty, Focus: []int{466}, Points: []MapPoint{{Lat: 16.3, Lon: -3, Label: nasty}}})
	if err != nil {
		t.Fatal(err)
	}
	if root := checkSVG(t, m); root.kids[0].text != nasty {
		t.Errorf("map title = %q", root.kids[0].text)
	}
	// Invalid XML characters cannot break the document.
	b, err = Lines(LineChart{Title: "a\x00b\x1bc\uFFFE", Series: []Series{{Points: []Point{{0, 1}, {1, 2}}}}})
	if err != nil {
		t.Fatal(err)
	}
	checkSVG(t, b)
}

// yTicks returns the Y tick labels, marked "y:" by the formatter.
func yTicks(t *testing.T, root *elem) []float64 {
	t.Helper()
	var out []float64
	for _, e := range texts(root) {
		if v, ok := strings.CutPrefix(e.text, "y:"); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, f)
		}
	}
	return out
}

func TestYAxisFromZero(t *testing.T) {
	for _, max := range []float64{1, 3, 7, 9.5, 10, 11, 99, 101, 1234, 48213} {
		c := LineChart{
			Title:   "counts",
			Series:  []Series{{Points: []Point{{0, 2}, {1, max}, {2, math.Floor(max / 2)}}}},
			FormatY: func(v float64) string { return "y:" + strconv.FormatFloat(v, 'f', -1, 64) },
		}
		b, err := Lines(c)
		if err != nil {
			t.Fatal(err)
		}
		ticks := yTicks(t, checkSVG(t, b))
		if len(ticks) < 2 || ticks[0] != 0 || ticks[len(ticks)-1] < max {
			t.Errorf("max %v: ticks %v", max, ticks)
			continue
		}
		step := ticks[1] - ticks[0]
		m, _ := niceStep(step)
		if stepValue(m, 1, int(math.Floor(math.Log10(step)+1e-9))) != step {
			t.Errorf("max %v: step %v is not 1, 2 or 5 × 10^k", max, step)
		}
		if max == math.Trunc(max) && step < 1 {
			t.Errorf("max %v: fractional step %v for counts", max, step)
		}
		// Bars too.
		bb, err := StackedBars(BarChart{Title: "b", Categories: []string{"a", "b"},
			Segments: []Segment{{Values: []float64{max / 2, 1}}, {Values: []float64{max / 2, 0}}}, FormatY: c.FormatY})
		if err != nil {
			t.Fatal(err)
		}
		ticks = yTicks(t, checkSVG(t, bb))
		if ticks[0] != 0 || ticks[len(ticks)-1] < max {
			t.Errorf("bars max %v: ticks %v", max, ticks)
		}
	}
}

func TestNiceTicks(t *testing.T) {
	for _, tc := range []struct {
		lo, hi  float64
		integer bool
		want    string
	}{
		{0, 10, false, "[0 2 4 6 8 10]"},
		{0, 9.5, false, "[0 2 4 6 8 10]"},
		{0, 0.7, false, "[0 0.2 0.4 0.6 0.8]"},
		{0, 0.3, false, "[0 0.1 0.2 0.3]"},
		{0, 3, true, "[0 1 2 3]"},
		{0, 2, true, "[0 1 2]"},
		{-12, 30, false, "[-20 -10 0 10 20 30]"},
		{0, 1234, false, "[0 500 1000 1500]"},
	} {
		got := fmt.Sprint(valueTicks(tc.lo, tc.hi, tc.integer))
		if got != tc.want {
			t.Errorf("valueTicks(%v, %v, %v) = %s, want %s", tc.lo, tc.hi, tc.integer, got, tc.want)
		}
	}
}

func TestRTLAnchors(t *testing.T) {
	for _, rtl := range []bool{false, true} {
		c := sampleLines()
		c.RTL = rtl
		c.FormatY = func(v float64) string { return "y:" + strconv.FormatFloat(v, 'f', -1, 64) }
		b, err := Lines(c)
		if err != nil {
			t.Fatal(err)
		}
		root := checkSVG(t, b)
		w := 720.0
		for _, e := range texts(root) {
			if rtl != (e.attrs["direction"] == "rtl") {
				t.Errorf("rtl=%v: text %q has direction %q", rtl, e.text, e.attrs["direction"])
			}
			x, _ := strconv.ParseFloat(e.attrs["x"], 64)
			anchor := e.attrs["text-anchor"]
			switch {
			case e.text == c.Title, e.text == c.YLabel, e.text == c.Series[0].Name, strings.HasPrefix(e.text, "Source"):
				// Running text starts on the reading side: left for LTR,
				// right for RTL, where direction="rtl" makes "start" the
				// right edge.
				if anchor != "start" || (x < w/2) != !rtl {
					t.Errorf("rtl=%v: %q at x=%v anchor %s", rtl, e.text, x, anchor)
				}
			case strings.HasPrefix(e.text, "y:"):
				// Y tick labels sit against the axis: on the left edge of
				// the plot, right-aligned, for LTR; on the right edge,
				// left-aligned (anchor "end" under direction="rtl"), for RTL.
				if anchor != "end" || (x < w/2) != !rtl {
					t.Errorf("rtl=%v: tick %q at x=%v anchor %s", rtl, e.text, x, anchor)
				}
			}
		}
	}
}

func TestErrors(t *testing.T) {
	if _, err := Lines(LineChart{Series: []Series{{Points: []Point{{0, 1}}}}}); !errors.Is(err, ErrNoTitle) {
		t.Errorf("no title: %v", err)
	}
	if _, err := Lines(LineChart{Title: "t"}); !errors.Is(err, ErrNoData) {
		t.Errorf("no data: %v", err)
	}
	if _, err := Lines(LineChart{Title: "t", Series: []Series{{Points: []Point{{math.Inf(1), 1}}}}}); err == nil {
		t.Error("infinite X accepted")
	}
	if _, err := Lines(LineChart{Title: "t", Width: 50, Series: []Series{{Points: []Point{{0, 1}}}}}); !errors.Is(err, ErrSize) {
		t.Errorf("tiny: %v", err)
	}
	if _, err := StackedBars(BarChart{Title: "t", Categories: []string{"a"}, Segments: []Segment{{Values: []float64{1, 2}}}}); err == nil {
		t.Error("length mismatch accepted")
	}
	if _, err := StackedBars(BarChart{Title: "t", Categories: []string{"a"}, Segments: []Segment{{Values: []float64{-1}}}}); err == nil {
		t.Error("negative value accepted")
	}
	if _, err := Map(MapSpec{Title: "t", Focus: []int{999}}); err == nil {
		t.Error("unknown country accepted")
	}
	if _, err := Map(MapSpec{Title: "t", Points: []MapPoint{{Lat: 91}}}); err == nil {
		t.Error("latitude 91 accepted")
	}
	if _, err := Map(MapSpec{Title: "t", Points: []MapPoint{{Weight: -1}}}); err == nil {
		t.Error("negative weight accepted")
	}
}

func TestLineEdgeCases(t *testing.T) {
	for name, c := range map[string]LineChart{
		"one point":   {Title: "t", Series: []Series{{Name: "a", Points: []Point{{5, 3}}}}},
		"all zero":    {Title: "t", Series: []Series{{Points: []Point{{0, 0}, {1, 0}}}}},
		"negative":    {Title: "t", Series: []Series{{Points: []Point{{0, -5}, {1, 3}}}}},
		"gaps only":   {Title: "t", Series: []Series{{Points: []Point{{0, math.NaN()}, {1, 2}, {2, math.NaN()}}}}},
		"unsorted":    {Title: "t", Series: []Series{{Points: []Point{{3, 1}, {1, 2}, {2, 5}}}}},
		"many series": {Title: "t", Series: manySeries(12)},
		"band beyond": {Title: "t", Series: []Series{{Points: []Point{{0, 1}, {10, 2}}}}, Bands: []Band{{From: -5, To: 3, Label: "a"}, {From: 20, To: 30, Label: "out"}}},
	} {
		b, err := Lines(c)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		root := checkSVG(t, b)
		if name == "one point" && len(root.all("circle")) != 1 {
			t.Errorf("%s: a lone point is not drawn", name)
		}
	}
}

// Charts inlined in one page must not share ids unless they are identical.
func TestDistinctIDs(t *testing.T) {
	a, _ := StackedBars(sampleBars())
	c := sampleBars()
	c.Title = "Another"
	b, _ := StackedBars(c)
	ida := parseSVG(t, a).all("pattern")[0].attrs["id"]
	idb := parseSVG(t, b).all("pattern")[0].attrs["id"]
	if ida == idb {
		t.Errorf("both charts use id %q", ida)
	}
}

func TestSizes(t *testing.T) {
	l, _ := Lines(sampleLines())
	b, _ := StackedBars(sampleBars())
	for name, out := range map[string][]byte{"lines": l, "bars": b} {
		t.Logf("%s: %d bytes", name, len(out))
		if len(out) > 20000 {
			t.Errorf("%s: %d bytes", name, len(out))
		}
	}
}

func manySeries(n int) []Series {
	s := make([]Series, n)
	for i := range s {
		s[i] = Series{Name: fmt.Sprint("series ", i), Points: []Point{{0, float64(i)}, {1, 1}}}
	}
	return s
}
