package web

import (
	"bytes"
	"strings"
	"testing"

	"aftermath/internal/chart"
	"aftermath/internal/i18n"
)

// A kept map is the map chart.Map draws for the same spec, in the same
// language; another spec or another language's numbers draw anew.
func TestDrawMapKeepsWhatChartMapDraws(t *testing.T) {
	b := i18n.Default()
	spec := func(l *i18n.Locale, deaths float64) chart.MapSpec {
		return chart.MapSpec{Title: "Events", Width: 720, Hexagons: true, Legend: "Deaths", Focus: []int{466}, Highlight: []int{466},
			Points:       []chart.MapPoint{{Lat: 14.5, Lon: -4.2, Weight: deaths}, {Lat: 16.3, Lon: -3.0, Weight: 12}},
			FormatWeight: func(v float64) string { return l.Number(v, 0) }}
	}
	en, fr := b.Locale("en"), b.Locale("fr")
	for _, c := range []struct {
		l      *i18n.Locale
		deaths float64
	}{{en, 1200}, {en, 1200}, {en, 30}, {fr, 1200}, {fr, 1200}} {
		want, err := chart.Map(spec(c.l, c.deaths))
		if err != nil {
			t.Fatal(err)
		}
		got, err := drawMap(c.l, spec(c.l, c.deaths))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s, %v deaths: the kept map differs from chart.Map's", c.l.Tag(), c.deaths)
		}
		again, _ := drawMap(c.l, spec(c.l, c.deaths))
		if &again[0] != &got[0] {
			t.Errorf("%s, %v deaths: drawn again, not kept", c.l.Tag(), c.deaths)
		}
	}
	// The legend's 1,000 is written in each language's way, although the
	// specs differ only in FormatWeight.
	enMap, _ := drawMap(en, spec(en, 1200))
	frMap, _ := drawMap(fr, spec(fr, 1200))
	if en.Number(1000, 0) == fr.Number(1000, 0) || !strings.Contains(string(frMap), fr.Number(1000, 0)) || !strings.Contains(string(enMap), en.Number(1000, 0)) {
		t.Errorf("the French map is not kept apart from the English one")
	}
}
