package chart

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"aftermath/internal/geo"
)

// maliPoints returns n deterministic events scattered over Mali's centre
// and north, heavier around a few towns, as UCDP GED events would be.
func maliPoints(n int) []MapPoint {
	r := rand.New(rand.NewPCG(1, 2))
	towns := []struct{ lat, lon float64 }{
		{16.27, -0.04}, // Gao
		{16.77, -3.01}, // Timbuktu
		{14.49, -4.20}, // Mopti
		{18.44, 1.41},  // Kidal
		{14.35, -3.61}, // Bandiagara
	}
	pts := make([]MapPoint, n)
	for i := range pts {
		t := towns[r.IntN(len(towns))]
		pts[i] = MapPoint{
			Lat:    t.lat + r.NormFloat64()*0.8,
			Lon:    t.lon + r.NormFloat64()*0.8,
			Weight: float64(r.IntN(12)),
		}
	}
	return pts
}

func maliSpec() MapSpec {
	return MapSpec{
		Title:     "Events in Mali, 2013–2022",
		Desc:      "Events cluster along the Niger river between Mopti and Gao and around Kidal.",
		Credit:    "Events: UCDP GED 24.1 (CC BY 4.0). Borders: Natural Earth.",
		Focus:     []int{466},
		Highlight: []int{466},
		Points: append(maliPoints(500),
			MapPoint{Lat: 12.64, Lon: -8.0, Label: "Bamako"},
			MapPoint{Lat: 16.27, Lon: -0.04, Label: "Gao"}),
		Legend:       "Deaths",
		FormatWeight: func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) },
	}
}

// isos returns the data-iso codes of the country paths drawn.
func isos(root *elem) map[int]bool {
	out := map[int]bool{}
	for _, p := range root.all("path") {
		if v, ok := p.attrs["data-iso"]; ok {
			n, _ := strconv.Atoi(v)
			out[n] = true
		}
	}
	return out
}

func TestMapMali(t *testing.T) {
	for _, hex := range []bool{false, true} {
		m := maliSpec()
		m.Hexagons = hex
		b, err := Map(m)
		if err != nil {
			t.Fatal(err)
		}
		root := checkSVG(t, b)
		got := isos(root)
		for _, want := range []int{466, 12, 562, 478, 854, 686, 324} { // Mali and its neighbours
			if !got[want] {
				t.Errorf("hex=%v: no path for %d", hex, want)
			}
		}
		for _, not := range []int{76, 840, 156, 36, 710} { // Brazil, USA, China, Australia, South Africa
			if got[not] {
				t.Errorf("hex=%v: path for %d drawn in a Mali map", hex, not)
			}
		}
		name := "map_mali_points.svg"
		if hex {
			name = "map_mali_hex.svg"
			if len(root.all("title")) < 5 {
				t.Error("hexagons have no titles")
			}
		}
		t.Logf("%s: %d bytes", name, len(b))
		if len(b) > 60_000 {
			t.Errorf("%s: %d bytes, want < 60 KB", name, len(b))
		}
		golden(t, name, b)
	}
}

func TestMapWorld(t *testing.T) {
	b, err := Map(MapSpec{
		Title:     "Interventions, 1990–2024",
		Credit:    "Borders: Natural Earth.",
		Highlight: []int{466, 706, 887, 4, 368, 434, 140},
		Points: []MapPoint{
			{Lat: 16.27, Lon: -0.04, Weight: 1200},
			{Lat: 2.05, Lon: 45.32, Weight: 3400},
			{Lat: 15.35, Lon: 44.2, Weight: 800},
			{Lat: 34.53, Lon: 69.17, Weight: 5200},
		},
		Legend: "Deaths",
	})
	if err != nil {
		t.Fatal(err)
	}
	root := checkSVG(t, b)
	got := isos(root)
	if len(got) < 160 {
		t.Errorf("world map draws %d countries", len(got))
	}
	if got[10] {
		t.Error("Antarctica drawn")
	}
	t.Logf("map_world.svg: %d bytes", len(b))
	if len(b) > 150_000 {
		t.Errorf("world map: %d bytes", len(b))
	}
	golden(t, "map_world.svg", b)
}

func TestMapRTL(t *testing.T) {
	m := maliSpec()
	m.RTL = true
	m.Hexagons = true
	m.Title = "الأحداث في مالي، 2013–2022"
	m.Legend = "الوفيات"
	m.Credit = "الأحداث: UCDP GED 24.1 (CC BY 4.0). الحدود: Natural Earth."
	m.Points[len(m.Points)-1].Label = "غاو"
	b, err := Map(m)
	if err != nil {
		t.Fatal(err)
	}
	root := checkSVG(t, b)
	for _, e := range texts(root) {
		if e.attrs["direction"] != "rtl" {
			t.Errorf("text %q without direction=rtl", e.text)
		}
		x, _ := strconv.ParseFloat(e.attrs["x"], 64)
		if (e.text == m.Title || e.text == m.Legend) && (e.attrs["text-anchor"] != "start" || x < 360) {
			t.Errorf("%q at x=%v anchor %s", e.text, x, e.attrs["text-anchor"])
		}
	}
	golden(t, "map_mali_hex_rtl.svg", b)
}

func TestMapFocusSeveral(t *testing.T) {
	// The Sahel: Mali, Niger, Burkina Faso, Chad, Mauritania.
	b, err := Map(MapSpec{Title: "Sahel", Focus: []int{466, 562, 854, 148, 478}, Height: 400})
	if err != nil {
		t.Fatal(err)
	}
	got := isos(checkSVG(t, b))
	for _, want := range []int{466, 562, 854, 148, 478} {
		if !got[want] {
			t.Errorf("no path for %d", want)
		}
	}
	// France's outline includes French Guiana; the focus is metropolitan.
	b, err = Map(MapSpec{Title: "France", Focus: []int{250}})
	if err != nil {
		t.Fatal(err)
	}
	got = isos(checkSVG(t, b))
	if !got[250] || !got[276] || got[76] || got[328] {
		t.Errorf("France focus draws %v", got)
	}
}

func TestMapSize500(t *testing.T) {
	m := maliSpec()
	m.Points = maliPoints(500)
	for _, hex := range []bool{false, true} {
		m.Hexagons = hex
		b, err := Map(m)
		if err != nil {
			t.Fatal(err)
		}
		checkSVG(t, b)
		if len(b) >= 60_000 {
			t.Errorf("hex=%v: Mali map with 500 points is %d bytes, want < 60 KB", hex, len(b))
		}
	}
}

func TestHexBinConservesWeight(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, radius := range []float64{3, 7.5, 14, 40} {
		pts := make([]binPoint, 5000)
		total := 0.0
		for i := range pts {
			pts[i] = binPoint{r.Float64()*900 - 100, r.Float64()*700 - 100, float64(r.IntN(50))}
			total += pts[i].w
		}
		cells := hexBin(pts, radius)
		sum, n := 0.0, 0
		seen := map[[2]float64]bool{}
		for _, c := range cells {
			sum += c.w
			n += c.n
			k := [2]float64{math.Round(c.x * 1e6), math.Round(c.y * 1e6)}
			if seen[k] {
				t.Errorf("r=%v: two cells at (%v, %v)", radius, c.x, c.y)
			}
			seen[k] = true
		}
		if n != len(pts) || math.Abs(sum-total) > 1e-9*total {
			t.Errorf("r=%v: cells hold %d points weighing %v, want %d weighing %v", radius, n, sum, len(pts), total)
		}
		// Every point is in its own cell: no nearer cell centre exists.
		centres := make([][2]float64, len(cells))
		for i, c := range cells {
			centres[i] = [2]float64{c.x, c.y}
		}
		for _, p := range pts[:300] {
			one := hexBin([]binPoint{p}, radius)[0]
			d := math.Hypot(p.x-one.x, p.y-one.y)
			if d > radius*(1+1e-9) {
				t.Errorf("r=%v: point (%v, %v) is %v from its cell centre", radius, p.x, p.y, d)
			}
			for _, c := range centres {
				if math.Hypot(p.x-c[0], p.y-c[1]) < d-1e-9 {
					t.Errorf("r=%v: point (%v, %v) has a nearer cell (%v, %v)", radius, p.x, p.y, c[0], c[1])
					break
				}
			}
		}
	}
	// The map conserves weight too: the hexagons' titles add up to the
	// points' weights when every point is in view.
	m := maliSpec()
	m.Hexagons = true
	m.Points = maliPoints(500)
	total := 0.0
	for _, p := range m.Points {
		total += p.Weight
	}
	b, err := Map(m)
	if err != nil {
		t.Fatal(err)
	}
	sum := 0.0
	for _, e := range checkSVG(t, b).all("title")[1:] {
		v, err := strconv.ParseFloat(e.text, 64)
		if err != nil {
			t.Fatal(err)
		}
		sum += v
	}
	if sum != total {
		t.Errorf("hexagons weigh %v, points %v", sum, total)
	}
}

func TestAsset(t *testing.T) {
	codes := CountryCodes()
	if len(codes) < 170 {
		t.Fatalf("%d countries, want ≥ 170", len(codes))
	}
	have := map[int]bool{}
	for _, c := range codes {
		have[c] = true
		if c == KosovoCode {
			continue
		}
		if _, ok := geo.ByNumeric(c); !ok {
			t.Errorf("outline id %d is not an ISO 3166-1 numeric code", c)
		}
	}
	for code, name := range map[int]string{466: "Mali", 706: "Somalia", 887: "Yemen", 4: "Afghanistan", 76: "Brazil", 368: "Iraq", 434: "Libya", 140: "Central African Republic", 180: "DR Congo", 332: "Haiti", 728: "South Sudan", 688: "Serbia", KosovoCode: "Kosovo"} {
		if !have[code] {
			t.Errorf("no outline for %s (%d)", name, code)
		}
	}
	// Decoding the quantized, delta-encoded arcs puts Mali where it is:
	// roughly 12.2°W–4.3°E, 10.1°N–25.0°N.
	w, err := loadWorld()
	if err != nil {
		t.Fatal(err)
	}
	mali := w.countries[w.byID[466]].bbox
	want := box{-12.24, 10.1, 4.27, 25.0}
	if math.Abs(mali.x0-want.x0) > 0.2 || math.Abs(mali.x1-want.x1) > 0.2 || math.Abs(mali.y0-want.y0) > 0.2 || math.Abs(mali.y1-want.y1) > 0.2 {
		t.Errorf("Mali's box %+v, want about %+v", mali, want)
	}
	// Somaliland is part of Somalia's outline: it reaches 11.5°N at 43°E.
	som := w.countries[w.byID[706]]
	if len(som.polys) < 2 || som.bbox.x0 > 41.5 {
		t.Errorf("Somalia: %d polygons, box %+v", len(som.polys), som.bbox)
	}
	if !strings.Contains(BoundariesSource(), "world-atlas 2.0.2") {
		t.Errorf("source %q", BoundariesSource())
	}
}

func TestClipRing(t *testing.T) {
	r := box{0, 0, 10, 10}
	sq := []xy{{-5, -5}, {5, -5}, {5, 5}, {-5, 5}}
	got := clipRing(sq, r)
	area := 0.0
	for i := range got {
		j := (i + 1) % len(got)
		area += got[i].x*got[j].y - got[j].x*got[i].y
	}
	if math.Abs(math.Abs(area/2)-25) > 1e-9 {
		t.Errorf("clipped area %v, want 25 (%v)", area/2, got)
	}
	if clipRing([]xy{{20, 20}, {30, 20}, {30, 30}}, r) != nil {
		t.Error("ring outside kept")
	}
}

func TestRingPath(t *testing.T) {
	var b strings.Builder
	ringPath(&b, []xy{{10, 20}, {10.54, 20}, {10.54, 19.04}, {10, 19.04}, {10, 20}})
	if got, want := b.String(), "M10 20l.5 0 0-1-.5 0z"; got != want {
		t.Errorf("ringPath = %q, want %q", got, want)
	}
	b.Reset()
	ringPath(&b, []xy{{1, 1}, {1.01, 1}, {1, 1.02}}) // collapses to a point
	if b.Len() != 0 {
		t.Errorf("degenerate ring written: %q", b.String())
	}
}

func TestLegendValues(t *testing.T) {
	for _, tc := range []struct {
		max  float64
		ints bool
		want string
	}{
		{1234, true, "[50 200 1000]"},
		{7, true, "[1 5]"},
		{7, false, "[0.2 1 5]"},
		{1, true, "[1]"},
	} {
		if got := fmtFloats(legendValues(tc.max, tc.ints)); got != tc.want {
			t.Errorf("legendValues(%v, %v) = %s, want %s", tc.max, tc.ints, got, tc.want)
		}
	}
}

func fmtFloats(v []float64) string {
	s := make([]string, len(v))
	for i, f := range v {
		s[i] = strconv.FormatFloat(f, 'f', -1, 64)
	}
	return "[" + strings.Join(s, " ") + "]"
}

// ATTRIBUTION.md records the asset's checksum: regenerating it must update
// its provenance too.
func TestAttributionMatchesAsset(t *testing.T) {
	doc, err := os.ReadFile("ATTRIBUTION.md")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(countriesGz)
	if !strings.Contains(string(doc), hex.EncodeToString(sum[:])) {
		t.Errorf("ATTRIBUTION.md does not give countries.json.gz's sha256 %x", sum)
	}
	if !strings.Contains(string(doc), strconv.Itoa(len(countriesGz))) && !strings.Contains(string(doc), humanBytes(len(countriesGz))) {
		t.Errorf("ATTRIBUTION.md does not give countries.json.gz's size %d", len(countriesGz))
	}
}

func humanBytes(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

func TestMapConcurrent(t *testing.T) {
	want, err := Map(maliSpec())
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			got, err := Map(maliSpec())
			if err != nil || !bytes.Equal(got, want) {
				t.Error("concurrent maps differ")
			}
		})
	}
	wg.Wait()
}

func BenchmarkMapMali(b *testing.B) {
	m := maliSpec()
	m.Hexagons = true
	for b.Loop() {
		if _, err := Map(m); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMapWorld(b *testing.B) {
	for b.Loop() {
		if _, err := Map(MapSpec{Title: "w"}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLines(b *testing.B) {
	c := sampleLines()
	for b.Loop() {
		if _, err := Lines(c); err != nil {
			b.Fatal(err)
		}
	}
}

// A simplified ring keeps every dropped point within the tolerance of
// the border drawn, and a tiny island stays a triangle.
func TestSimplifyRing(t *testing.T) {
	var ring []xy
	for i := 0; i < 720; i++ {
		a := float64(i) * math.Pi / 360
		r := 50 + 0.1*math.Sin(float64(i)*7) // wobbles no screen shows
		ring = append(ring, xy{100 + r*math.Cos(a), 100 + r*math.Sin(a)})
	}
	got := simplifyRing(ring, 0.35)
	if len(got) >= len(ring)/4 || len(got) < 8 {
		t.Errorf("a circle of %d points keeps %d", len(ring), len(got))
	}
	for _, q := range ring {
		best := math.Inf(1)
		for i := range got {
			best = math.Min(best, segmentDistance(q, got[i], got[(i+1)%len(got)]))
		}
		if best > 0.35+1e-9 {
			t.Fatalf("point %v is %.3f from the simplified ring", q, best)
		}
	}
	island := []xy{{1, 1}, {1.1, 1}, {1.1, 1.05}, {1.05, 1.1}, {1, 1.1}}
	if got := simplifyRing(island, 0.35); len(got) < 3 {
		t.Errorf("a small island simplified to %v", got)
	}
}

func segmentDistance(p, a, b xy) float64 {
	dx, dy := b.x-a.x, b.y-a.y
	l2 := dx*dx + dy*dy
	u := 0.0
	if l2 > 0 {
		u = math.Max(0, math.Min(1, ((p.x-a.x)*dx+(p.y-a.y)*dy)/l2))
	}
	return math.Hypot(p.x-a.x-u*dx, p.y-a.y-u*dy)
}
