package chart

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

// monthName formats months since January 1970 as "2012-07".
func monthName(x float64) string {
	m := int(x)
	return strconv.Itoa(1970+m/12) + "-" + twoDigits(m%12+1)
}

func twoDigits(n int) string {
	if n < 10 {
		return "0" + strconv.Itoa(n)
	}
	return strconv.Itoa(n)
}

// sampleGapLines is the Mali chart with months no dataset covers (March to
// August 2012, and December 2016) and UCDP's low–high range.
func sampleGapLines() LineChart {
	c := sampleLines()
	obs := c.Series[0].Points
	var bounds []Bound
	for i := range obs {
		x := obs[i].X
		if (x >= month(2012, 3) && x <= month(2012, 8)) || x == month(2016, 12) {
			obs[i].Y = math.NaN()
		}
		if math.IsNaN(obs[i].Y) {
			bounds = append(bounds, Bound{x, math.NaN(), math.NaN()})
			continue
		}
		bounds = append(bounds, Bound{x, math.Max(0, obs[i].Y-12-float64(i%7)), obs[i].Y + 15 + float64(i%5)*3})
	}
	c.Series[0].Bounds = bounds
	c.Series[0].RangeName = "Low–high range"
	c.GapLabel = "No data"
	c.FormatX = yearOf
	c.GapDesc = func(from, to float64) string {
		return "No data for " + spanText(monthName(from), monthName(to))
	}
	return c
}

// pathXs returns the X coordinates of every point in a path's d ("M1 2L3 4").
func pathXs(t *testing.T, d string) []float64 {
	t.Helper()
	var xs []float64
	for _, seg := range strings.FieldsFunc(d, func(r rune) bool { return r == 'M' || r == 'L' }) {
		f := strings.Fields(seg)
		if len(f) != 2 {
			t.Fatalf("path segment %q", seg)
		}
		x, err := strconv.ParseFloat(f[0], 64)
		if err != nil {
			t.Fatal(err)
		}
		xs = append(xs, x)
	}
	return xs
}

func TestLinesGapsGolden(t *testing.T) {
	c := sampleGapLines()
	b, err := Lines(c)
	if err != nil {
		t.Fatal(err)
	}
	root := checkSVG(t, b)
	golden(t, "lines_gaps.svg", b)

	// The description names each run of unknown months in the caller's words.
	desc := root.all("desc")[0].text
	want := c.Desc + " No data for 2012-03–2012-08. No data for 2016-12."
	if desc != want {
		t.Errorf("desc = %q, want %q", desc, want)
	}
	// The legend has the range and the gap entries.
	var labels []string
	for _, e := range texts(root) {
		labels = append(labels, e.text)
	}
	for _, l := range []string{"Low–high range", "No data"} {
		if !strings.Contains(strings.Join(labels, "|"), l) {
			t.Errorf("legend lacks %q", l)
		}
	}
	// Two hatched bands in the plot (plus the legend swatch).
	var gapRects []*elem
	for _, r := range root.all("rect") {
		if strings.HasSuffix(r.attrs["fill"], "-gap)") {
			gapRects = append(gapRects, r)
		}
	}
	if len(gapRects) != 3 {
		t.Fatalf("%d hatched rects, want 2 bands and a legend key", len(gapRects))
	}
	// The observed line has no vertex inside a band.
	var line *elem
	for _, p := range root.all("path") {
		if p.attrs["stroke"] == palette[0] && p.attrs["fill"] == "none" {
			line = p
		}
	}
	if line == nil {
		t.Fatal("no observed line")
	}
	for _, g := range gapRects[1:] {
		x0, _ := strconv.ParseFloat(g.attrs["x"], 64)
		w, _ := strconv.ParseFloat(g.attrs["width"], 64)
		for _, x := range pathXs(t, line.attrs["d"]) {
			if x > x0+0.5 && x < x0+w-0.5 {
				t.Errorf("line vertex at x=%v inside the gap %v–%v", x, x0, x0+w)
			}
		}
		// And no segment crosses it: the band's edges are line ends.
		if n := strings.Count(line.attrs["d"], "M"); n < 3 {
			t.Errorf("observed line has %d runs, want at least 3", n)
		}
	}
	// The range is a filled band in the series' colour, broken in three.
	var band *elem
	for _, p := range root.all("path") {
		if p.attrs["fill"] == palette[0] && p.attrs["fill-opacity"] == rangeOpacity {
			band = p
		}
	}
	if band == nil {
		t.Fatal("no low–high band")
	}
	if n := strings.Count(band.attrs["d"], "Z"); n != 3 {
		t.Errorf("band has %d pieces, want 3", n)
	}
}

func TestLinesGapsRTLGolden(t *testing.T) {
	c := sampleGapLines()
	c.RTL = true
	c.Title = "الوفيات في مالي حسب الشهر، 2010–2021"
	c.Desc = "ارتفعت الوفيات الشهرية المسجلة في مالي بعد عام 2013."
	c.XLabel = "الشهر"
	c.YLabel = "عدد الوفيات في الشهر"
	c.Credit = "المصدر: UCDP GED 24.1، رخصة CC BY 4.0."
	c.Series[0].Name = "الوفيات المسجلة"
	c.Series[0].RangeName = "النطاق الأدنى–الأعلى"
	c.Series[1].Name = "الاتجاه قبل 2013"
	c.Bands[0].Label = "سيرفال"
	c.Bands[1].Label = "برخان"
	c.Markers[0].Label = "مينوسما"
	c.GapLabel = "لا بيانات"
	c.GapDesc = nil
	c.FormatX = monthName
	c.XTicks = januaries(2010, 2022)
	b, err := Lines(c)
	if err != nil {
		t.Fatal(err)
	}
	root := checkSVG(t, b)
	golden(t, "lines_gaps_rtl.svg", b)
	// Default description: "GapLabel: from–to." per run.
	desc := root.all("desc")[0].text
	if want := c.Desc + " لا بيانات: 2012-03–2012-08. لا بيانات: 2016-12."; desc != want {
		t.Errorf("desc = %q, want %q", desc, want)
	}
	// The gap legend entry reads right to left, starting left of its key.
	found := false
	for _, e := range texts(root) {
		if e.text == c.GapLabel {
			found = true
			if e.attrs["direction"] != "rtl" || e.attrs["text-anchor"] != "start" {
				t.Errorf("gap legend text %v", e.attrs)
			}
		}
	}
	if !found {
		t.Error("no gap legend entry")
	}
}

func TestGapRuns(t *testing.T) {
	nan := math.NaN()
	a := Series{Points: []Point{{0, nan}, {1, 5}, {2, nan}, {3, nan}, {4, 1}, {5, nan}}}
	b := Series{Points: []Point{{3, 2}, {4, nan}, {5, 3}, {9, 1}}}
	got := gapRuns([]Series{a, b})
	want := []gapRun{
		{missing: Span{0, 0}, shade: Span{0, 1}},
		{missing: Span{2, 5}, shade: Span{1, 5}}, // a's 2–3 and 5 merged with b's 4
	}
	if len(got) != len(want) {
		t.Fatalf("gapRuns = %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("run %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if r := gapRuns([]Series{{Points: []Point{{0, 1}, {1, 2}}}}); len(r) != 0 {
		t.Errorf("no NaN, runs %+v", r)
	}
}

// Without GapLabel a NaN still breaks the line and nothing is shaded: the
// old charts draw exactly as before.
func TestGapsOptIn(t *testing.T) {
	c := sampleLines()
	b, err := Lines(c)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "-gap") {
		t.Error("gap hatching without GapLabel")
	}
	c.GapLabel = "No data"
	b, err = Lines(c)
	if err != nil {
		t.Fatal(err)
	}
	root := checkSVG(t, b)
	if !strings.Contains(root.all("desc")[0].text, "No data: 2012") {
		t.Errorf("desc %q does not name the gap", root.all("desc")[0].text)
	}
	// A chart whose series has no NaN gets no gap legend even with GapLabel.
	b, err = Lines(LineChart{Title: "t", GapLabel: "No data", Series: []Series{{Name: "a", Points: []Point{{0, 1}, {1, 2}}}}})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "No data") || strings.Contains(string(b), "<desc") {
		t.Error("gap legend or desc without any gap")
	}
}

func TestBoundsErrors(t *testing.T) {
	pts := []Point{{0, 1}, {1, 2}}
	for name, sr := range map[string]Series{
		"low above high": {Points: pts, RangeName: "r", Bounds: []Bound{{0, 3, 1}}},
		"infinite":       {Points: pts, RangeName: "r", Bounds: []Bound{{0, 0, math.Inf(1)}}},
		"no legend":      {Points: pts, Bounds: []Bound{{0, 0, 2}}},
	} {
		if _, err := Lines(LineChart{Title: "t", Series: []Series{sr}}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// The axis covers the highs; a lone bound draws as a bar.
	b, err := Lines(LineChart{Title: "t", FormatY: func(v float64) string { return "y:" + strconv.FormatFloat(v, 'f', -1, 64) },
		Series: []Series{{Points: pts, RangeName: "r", Bounds: []Bound{{0, 0, 40}, {1, math.NaN(), 3}}}}})
	if err != nil {
		t.Fatal(err)
	}
	root := checkSVG(t, b)
	if ticks := yTicks(t, root); ticks[len(ticks)-1] < 40 {
		t.Errorf("ticks %v do not reach the high 40", ticks)
	}
	if !strings.Contains(string(b), `stroke-width="4"`) {
		t.Error("a lone bound is not drawn")
	}
}

// sampleCoverageBars: 2013–2022 with 2016 uncovered and 2022 covered for
// two months only.
func sampleCoverageBars() BarChart {
	c := sampleBars()
	c.Categories = append(c.Categories, "2022")
	nan := math.NaN()
	for j, v := range []float64{90, 20, 70, 5} {
		c.Segments[j].Values = append(c.Segments[j].Values, v)
		c.Segments[j].Values[3] = nan // 2016
	}
	c.Partial = make([]string, len(c.Categories))
	c.Partial[9] = "2022: 2 of 12 months"
	c.PartialLabel = "Part of the year only"
	c.MissingLabel = "No data"
	return c
}

func TestBarsCoverageGolden(t *testing.T) {
	c := sampleCoverageBars()
	b, err := StackedBars(c)
	if err != nil {
		t.Fatal(err)
	}
	root := checkSVG(t, b)
	golden(t, "bars_coverage.svg", b)

	if got, want := root.all("desc")[0].text, c.Desc+" No data: 2016. 2022: 2 of 12 months."; got != want {
		t.Errorf("desc = %q, want %q", got, want)
	}
	// Tooltips: the note on the partial bar, the label on the empty slot.
	var tips []string
	for _, r := range root.all("rect") {
		for _, k := range r.kids {
			if k.name == "title" {
				tips = append(tips, k.text)
			}
		}
	}
	if strings.Join(tips, "|") != "No data|2022: 2 of 12 months" {
		t.Errorf("tooltips %q", tips)
	}
	// The 2016 slot has no segment bar; 2022's segments are lighter.
	x2016, x2022 := -1.0, -1.0
	for _, e := range texts(root) {
		x, _ := strconv.ParseFloat(e.attrs["x"], 64)
		switch e.text {
		case "2016":
			x2016 = x
		case "2022":
			x2022 = x
		}
	}
	light, inSlot := 0, 0
	for _, g := range root.all("g") {
		if !strings.HasPrefix(g.attrs["fill"], "#") && !strings.HasPrefix(g.attrs["fill"], "url(") || g.attrs["stroke"] != "#fff" {
			continue
		}
		for _, r := range g.kids {
			if r.name != "rect" {
				continue
			}
			x, _ := strconv.ParseFloat(r.attrs["x"], 64)
			w, _ := strconv.ParseFloat(r.attrs["width"], 64)
			if x <= x2016 && x+w >= x2016 {
				inSlot++
			}
			if x <= x2022 && x+w >= x2022 {
				if r.attrs["fill-opacity"] != partialOpacity {
					t.Errorf("2022 segment at full strength: %v", r.attrs)
				}
				light++
			}
		}
	}
	if inSlot != 0 || light != 4 {
		t.Errorf("%d segment rects in the 2016 slot (want 0), %d light ones for 2022 (want 4)", inSlot, light)
	}
	var labels []string
	for _, e := range texts(root) {
		labels = append(labels, e.text)
	}
	all := strings.Join(labels, "|")
	for _, l := range []string{"Part of the year only", "No data"} {
		if !strings.Contains(all, l) {
			t.Errorf("no text %q", l)
		}
	}
	// The slot's label is written up the slot as well as in the legend.
	if n := strings.Count(all, "No data"); n != 2 {
		t.Errorf("%q written %d times, want 2", "No data", n)
	}
}

func TestBarsCoverageRTLGolden(t *testing.T) {
	c := sampleCoverageBars()
	c.RTL = true
	c.Title = "الوفيات حسب الجهة الفاعلة والسنة، مالي"
	c.Desc = ""
	c.YLabel = "عدد الوفيات في السنة"
	c.XLabel = "السنة"
	c.Credit = "المصدر: UCDP GED 24.1، رخصة CC BY 4.0."
	for i, n := range []string{"القوات الشريكة", "قوات التدخل", "الجماعات المسلحة", "أخرى"} {
		c.Segments[i].Name = n
	}
	c.Partial[9] = "2022: شهران من 12"
	c.PartialLabel = "جزء من السنة فقط"
	c.MissingLabel = "لا بيانات"
	b, err := StackedBars(c)
	if err != nil {
		t.Fatal(err)
	}
	root := checkSVG(t, b)
	golden(t, "bars_coverage_rtl.svg", b)
	if got, want := root.all("desc")[0].text, "لا بيانات: 2016. 2022: شهران من 12."; got != want {
		t.Errorf("desc = %q, want %q", got, want)
	}
}

func TestBarsCoverageErrors(t *testing.T) {
	nan := math.NaN()
	two := []string{"a", "b"}
	for name, c := range map[string]BarChart{
		"missing without label": {Segments: []Segment{{Values: []float64{1, nan}}}},
		"NaN in one segment":    {MissingLabel: "x", Segments: []Segment{{Values: []float64{1, nan}}, {Values: []float64{1, 2}}}},
		"partial without label": {Partial: []string{"", "b: 1 of 12 months"}, Segments: []Segment{{Values: []float64{1, 2}}}},
		"partial notes length":  {PartialLabel: "p", Partial: []string{"a"}, Segments: []Segment{{Values: []float64{1, 2}}}},
		"both partial, missing": {PartialLabel: "p", MissingLabel: "x", Partial: []string{"", "b"}, Segments: []Segment{{Values: []float64{1, nan}}}},
	} {
		c.Title, c.Categories = "t", two
		if _, err := StackedBars(c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// Runs of missing years are one sentence; a zero partial bar still has
	// its outline.
	b, err := StackedBars(BarChart{Title: "t", Categories: []string{"2019", "2020", "2021", "2022"}, MissingLabel: "No data",
		PartialLabel: "p", Partial: []string{"", "", "", "2022: 1 of 12 months"},
		Segments: []Segment{{Values: []float64{nan, nan, 3, 0}}}})
	if err != nil {
		t.Fatal(err)
	}
	root := checkSVG(t, b)
	if got := root.all("desc")[0].text; got != "No data: 2019–2020. 2022: 1 of 12 months." {
		t.Errorf("desc = %q", got)
	}
	if !strings.Contains(string(b), "<title>2022: 1 of 12 months</title>") {
		t.Error("no outline for the empty partial bar")
	}
	// Without the new fields the chart is as before.
	old, _ := StackedBars(sampleBars())
	if strings.Contains(string(old), "-gap") || strings.Contains(string(old), "stroke-dasharray") {
		t.Error("coverage marks on a chart that asked for none")
	}
}
