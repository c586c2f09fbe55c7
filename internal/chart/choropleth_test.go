package chart

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// Sahel countries by ISO numeric code.
const (
	mali, niger, burkina, chad, mauritania = 466, 562, 854, 148, 478
)

func sahelShades() MapSpec {
	title := func(name string, n int) string { return name + ": " + strconv.Itoa(n) + " events" }
	return MapSpec{
		Title: "Events by country", Focus: []int{mali, niger, burkina}, Width: 600,
		Shades: []CountryShade{{Code: mali, Value: 1200, Title: title("Mali", 1200)}, {Code: burkina, Value: 40, Title: title("Burkina Faso", 40)},
			{Code: niger, Value: 3, Title: title("Niger", 3)}, {Code: mauritania, Value: 0, Title: title("Mauritania", 0)}},
		ShadeLegend: "Events per country", NoData: []CountryShade{{Code: chad, Title: "Chad: not covered"}}, NoDataLabel: "Not covered",
		FormatWeight: func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) },
	}
}

func TestChoroplethShadesByClassWithLegendAndTitles(t *testing.T) {
	b, err := Map(sahelShades())
	if err != nil {
		t.Fatal(err)
	}
	root := parseSVG(t, b)
	fill, title := map[int]string{}, map[int]string{}
	for _, p := range root.all("path") {
		code, err := strconv.Atoi(p.attrs["data-iso"])
		if err != nil {
			continue
		}
		fill[code] = p.attrs["fill"]
		for _, k := range p.kids {
			if k.name == "title" {
				title[code] = k.text
			}
		}
	}
	// Different counts, different fills; zero is its own fill and not the
	// hatching of "not covered"; countries with no shade keep the land's.
	got := []string{fill[mali], fill[burkina], fill[niger], fill[mauritania], fill[chad]}
	for i := range got {
		for j := range i {
			if got[i] == got[j] || got[i] == "" {
				t.Fatalf("fills of Mali, Burkina Faso, Niger, Mauritania (0), Chad (no data) are not all distinct: %q", got)
			}
		}
	}
	if fill[mali] != shadePalette[len(shadePalette)-1] || fill[mauritania] != colZero || !strings.HasPrefix(fill[chad], "url(#") {
		t.Errorf("Mali %q (want the darkest), Mauritania %q (want zero's), Chad %q (want the hatching)", fill[mali], fill[mauritania], fill[chad])
	}
	if fill[288] != "" { // Ghana: not shaded at all
		t.Errorf("Ghana filled %q", fill[288])
	}
	if title[mali] != "Mali: 1200 events" || title[chad] != "Chad: not covered" || title[mauritania] != "Mauritania: 0 events" {
		t.Errorf("titles: %v", title)
	}
	if len(root.all("pattern")) != 1 {
		t.Error("no hatching pattern for the countries not covered")
	}
	// The legend names every class by its bounds, zero and "not covered".
	var texts []string
	for _, e := range root.all("text") {
		texts = append(texts, e.text)
	}
	for _, want := range []string{"Events per country", "0", "1–6", "7–35", "36–204", "205–1200", "Not covered"} {
		if !slices.Contains(texts, want) {
			t.Errorf("legend lacks %q: %q", want, texts)
		}
	}
}

func TestShadeBounds(t *testing.T) {
	for _, c := range []struct {
		top  float64
		want []float64
	}{
		{0, nil}, {1, []float64{1}}, {2, []float64{1, 2}}, {4, []float64{1, 2, 3, 4}}, {5, []float64{2, 3, 4, 5}}, {10000, []float64{10, 100, 1000, 10000}},
	} {
		if got := shadeBounds(c.top); !slices.Equal(got, c.want) {
			t.Errorf("shadeBounds(%v) = %v, want %v", c.top, got, c.want)
		}
	}
}

func TestChoroplethRefusesBadShades(t *testing.T) {
	for _, sh := range []CountryShade{{Code: 9999, Value: 1}, {Code: mali, Value: -1}} {
		m := sahelShades()
		m.Shades = append(m.Shades, sh)
		if _, err := Map(m); err == nil {
			t.Errorf("shade %+v accepted", sh)
		}
	}
}
