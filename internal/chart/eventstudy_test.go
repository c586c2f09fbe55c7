package chart

import (
	"errors"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// sampleEventStudy: monthly deaths around the start of an intervention,
// twelve leads and eighteen lags, −1 the reference period.
func sampleEventStudy() EventStudyChart {
	var coefs []Coef
	for t := -12; t <= 18; t++ {
		if t == -1 {
			coefs = append(coefs, Coef{T: t, Estimate: 0, Low: math.NaN(), High: math.NaN()})
			continue
		}
		est := 1.5 * math.Sin(float64(t))
		if t >= 0 {
			est = 8 + 0.9*float64(t) + 2*math.Sin(float64(t)/2)
		}
		se := 3 + 0.15*math.Abs(float64(t))
		coefs = append(coefs, Coef{T: t, Estimate: math.Round(est*10) / 10, Low: math.Round((est-1.96*se)*10) / 10, High: math.Round((est+1.96*se)*10) / 10})
	}
	coefs[20].Estimate, coefs[20].Low, coefs[20].High = math.NaN(), math.NaN(), math.NaN() // t = 8 not estimated
	return EventStudyChart{
		Title:         "Deaths per month before and after Serval began, Mali",
		Desc:          "Before the intervention the estimates stay near zero; after it they rise to about 25 more deaths a month.",
		XLabel:        "Months since the intervention began",
		YLabel:        "Change in deaths per month",
		Credit:        "Source: UCDP GED 24.1, CC BY 4.0. Two-way fixed effects, standard errors clustered by admin-1 area.",
		Coefs:         coefs,
		EstimateLabel: "Estimate",
		IntervalLabel: "95% confidence interval",
		OnsetLabel:    "Serval begins",
		FormatX: func(t int) string {
			if t < 0 {
				return "−" + strconv.Itoa(-t)
			}
			return strconv.Itoa(t)
		},
	}
}

func TestEventStudyGolden(t *testing.T) {
	c := sampleEventStudy()
	b, err := EventStudy(c)
	if err != nil {
		t.Fatal(err)
	}
	root := checkSVG(t, b)
	golden(t, "eventstudy.svg", b)
	if root.all("desc")[0].text != c.Desc {
		t.Errorf("desc %q", root.all("desc")[0].text)
	}
	// Every estimated coefficient but the reference has a filled point and
	// a whisker; the reference is hollow; t = 8 is not drawn.
	filled, hollow := 0, 0
	for _, g := range root.all("g") {
		switch g.attrs["fill"] {
		case palette[0]:
			filled += len(g.all("circle"))
		case "#fff":
			hollow += len(g.all("circle"))
		}
	}
	if filled != 29 || hollow != 1 {
		t.Errorf("%d filled and %d hollow points, want 29 and 1", filled, hollow)
	}
	var whiskers, onset *elem
	for _, p := range root.all("path") {
		if p.attrs["stroke"] == palette[0] && p.attrs["stroke-width"] == "1.5" && strings.Count(p.attrs["d"], "V") > 1 {
			whiskers = p
		}
		if p.attrs["stroke-dasharray"] == "4 3" {
			onset = p
		}
	}
	if whiskers == nil || strings.Count(whiskers.attrs["d"], "V") != 29 {
		t.Fatalf("whiskers %v", whiskers)
	}
	// The onset line lies halfway between the points at −1 (the hollow
	// reference) and 0, and −1 carries no label (labels step by 2 here).
	if onset == nil {
		t.Fatal("no onset line")
	}
	ox, _ := strconv.ParseFloat(strings.Fields(strings.TrimPrefix(onset.attrs["d"], "M"))[0], 64)
	var x0 float64
	for _, e := range texts(root) {
		switch e.text {
		case "−1":
			t.Error("−1 labelled: labels should step by 2 here")
		case "0":
			x0, _ = strconv.ParseFloat(e.attrs["x"], 64)
		}
	}
	var cxm1 float64
	for _, g := range root.all("g") {
		if g.attrs["fill"] == "#fff" {
			cxm1, _ = strconv.ParseFloat(g.all("circle")[0].attrs["cx"], 64)
		}
	}
	if x0 == 0 || math.Abs(ox-(x0+cxm1)/2) > 0.2 {
		t.Errorf("onset at x=%v, points at −1 %v and 0 %v", ox, cxm1, x0)
	}
	// A zero line is drawn (the baseline) and the axis covers every interval.
	for _, want := range []string{"Serval begins", "Estimate", "95% confidence interval", c.XLabel, c.YLabel} {
		found := false
		for _, e := range texts(root) {
			found = found || e.text == want
		}
		if !found {
			t.Errorf("no text %q", want)
		}
	}
}

func TestEventStudyRTLGolden(t *testing.T) {
	c := sampleEventStudy()
	c.RTL = true
	c.Title = "الوفيات الشهرية قبل بدء سيرفال وبعده، مالي"
	c.Desc = "تبقى التقديرات قرب الصفر قبل التدخل وترتفع بعده."
	c.XLabel = "الأشهر منذ بدء التدخل"
	c.YLabel = "التغير في عدد الوفيات في الشهر"
	c.Credit = "المصدر: UCDP GED 24.1، رخصة CC BY 4.0."
	c.EstimateLabel = "التقدير"
	c.IntervalLabel = "فاصل الثقة 95٪"
	c.OnsetLabel = "بدء سيرفال"
	b, err := EventStudy(c)
	if err != nil {
		t.Fatal(err)
	}
	root := checkSVG(t, b)
	golden(t, "eventstudy_rtl.svg", b)
	isolated := false
	for _, e := range texts(root) {
		x, _ := strconv.ParseFloat(e.attrs["x"], 64)
		if e.attrs["direction"] != "rtl" {
			t.Errorf("text %q is not rtl", e.text)
		}
		// Signed tick labels are left-to-right isolates, so that "−12"
		// does not read "12−".
		if e.text == "\u2066−12\u2069" {
			isolated = true
		}
		if strings.Contains(e.text, "−") && !strings.HasPrefix(e.text, "\u2066") {
			t.Errorf("tick %q is not isolated", e.text)
		}
		if (e.text == c.Title || e.text == c.YLabel) && (x < 360 || e.attrs["text-anchor"] != "start") {
			t.Errorf("%q at x=%v anchor %s, want from the right", e.text, x, e.attrs["text-anchor"])
		}
	}
	if !isolated {
		t.Error("no isolated −12 label")
	}
}

func TestEventStudyCases(t *testing.T) {
	nan := math.NaN()
	if _, err := EventStudy(EventStudyChart{Coefs: []Coef{{0, 1, 0, 2}}}); !errors.Is(err, ErrNoTitle) {
		t.Errorf("no title: %v", err)
	}
	for name, coefs := range map[string][]Coef{
		"none":         nil,
		"all unknown":  {{0, nan, nan, nan}},
		"duplicate":    {{0, 1, 0, 2}, {0, 2, 1, 3}},
		"low > high":   {{0, 1, 2, 0}},
		"half a CI":    {{0, 1, nan, 2}},
		"infinite est": {{0, math.Inf(1), 0, 2}},
	} {
		_, err := EventStudy(EventStudyChart{Title: "t", Coefs: coefs})
		if err == nil {
			t.Errorf("%s: accepted", name)
		}
		if (name == "none" || name == "all unknown") && !errors.Is(err, ErrNoData) {
			t.Errorf("%s: %v, want ErrNoData", name, err)
		}
	}
	// Lags only: the −1/0 line is still shown; negative estimates put the
	// zero line inside the axis.
	b, err := EventStudy(EventStudyChart{Title: "t", FormatY: func(v float64) string { return "y:" + strconv.FormatFloat(v, 'f', -1, 64) },
		Coefs: []Coef{{0, -3, -5, -1}, {1, -2, -4, 0.5}, {2, 4, 1, 9}}})
	if err != nil {
		t.Fatal(err)
	}
	root := checkSVG(t, b)
	ticks := yTicks(t, root)
	if ticks[0] > -5 || ticks[len(ticks)-1] < 9 {
		t.Errorf("ticks %v do not cover −5…9", ticks)
	}
	hasZero := false
	for _, v := range ticks {
		hasZero = hasZero || v == 0
	}
	if !hasZero || !strings.Contains(string(b), `stroke-dasharray="4 3"`) {
		t.Errorf("zero tick %v or onset line missing", hasZero)
	}
	// Many periods: labels thin out in 1-2-5 steps and 0 keeps its label.
	var many []Coef
	for t := -60; t <= 60; t++ {
		many = append(many, Coef{t, float64(t), float64(t) - 1, float64(t) + 1})
	}
	b, err = EventStudy(EventStudyChart{Title: "t", Coefs: many, FormatX: func(t int) string { return "t:" + strconv.Itoa(t) }})
	if err != nil {
		t.Fatal(err)
	}
	var labelled []int
	for _, e := range texts(checkSVG(t, b)) {
		if v, ok := strings.CutPrefix(e.text, "t:"); ok {
			n, _ := strconv.Atoi(v)
			labelled = append(labelled, n)
		}
	}
	if len(labelled) < 3 || len(labelled) > 30 || !slices.Contains(labelled, 0) {
		t.Fatalf("labels at %v", labelled)
	}
	step := labelled[1] - labelled[0]
	for i, v := range labelled {
		if v%step != 0 || (i > 0 && v-labelled[i-1] != step) {
			t.Errorf("labels at %v do not step evenly through 0", labelled)
			break
		}
	}
	if m, _ := niceStep(float64(step)); stepValue(m, 1, int(math.Floor(math.Log10(float64(step))))) != float64(step) {
		t.Errorf("label step %d is not 1, 2 or 5 × 10^k", step)
	}
}
