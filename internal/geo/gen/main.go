//go:build ignore

// Command gen derives the land-neighbour table neighbours.csv, which package
// geo embeds, from the country outlines package chart already ships
// (../chart/countries.json.gz: Natural Earth 1:110m Admin 0 countries v4.1.0
// from the npm package world-atlas 2.0.2, see ../chart/ATTRIBUTION.md). Run
// it from internal/geo:
//
//	go generate            # or: go run gen/main.go
//
// Method. The outlines come from one TopoJSON topology, so a border two
// countries share is one arc drawn by both: their rings hold the same
// quantized vertices. Two countries are neighbours when their rings share at
// least one edge (two consecutive vertices, in either direction). Touching at
// a single vertex only is not a border and is reported, not recorded.
// Polygons stored under one code (Somaliland with Somalia, N. Cyprus with
// Cyprus) do not make a country its own neighbour.
//
// Limits. At 1:110m, countries too small to have an outline (Andorra,
// Monaco, San Marino, Liechtenstein, Vatican City, Singapore, Bahrain, ...)
// and the Gaza Strip (Palestine is the West Bank only) are missing, and very
// short borders may be simplified away or made up (Lake Chad). The pairs in
// manual below are added and those in wrong removed by hand, each with the
// reason; every other row comes from the outlines.
// Borders are Natural Earth's (de facto lines in places, see ATTRIBUTION.md).
//
// The output is sorted and deterministic: running the generator again on the
// same asset changes nothing.
package main

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"slices"
	"strings"

	"aftermath/internal/geo"
)

// manual lists land borders the 1:110m outlines miss, as ISO alpha-3 pairs,
// with the reason. Only pairs of countries whose border is a fact on the
// ground (not a maritime boundary or a bridge) belong here.
//
// The derived table was reviewed country by country against the borders on
// the ground; these are the misses found.
var manual = []struct{ a, b, why string }{
	{"AZE", "TUR", "Nakhchivan–Turkey, about 17 km: the outlines touch at one vertex only"},
	{"NGA", "TCD", "in Lake Chad, about 85 km: the simplified lake shore makes Niger touch Cameroon instead"},
	{"EGY", "PSE", "the Gaza Strip has no outline at 1:110m"},
	{"ESP", "MAR", "Ceuta, Melilla and Peñón de Vélez de la Gomera have no outline"},
	{"AND", "ESP", "Andorra has no outline"},
	{"AND", "FRA", "Andorra has no outline"},
	{"MCO", "FRA", "Monaco has no outline"},
	{"SMR", "ITA", "San Marino has no outline"},
	{"VAT", "ITA", "Vatican City has no outline"},
	{"LIE", "AUT", "Liechtenstein has no outline"},
	{"LIE", "CHE", "Liechtenstein has no outline"},
	{"GIB", "ESP", "Gibraltar has no outline"},
	{"HKG", "CHN", "Hong Kong has no outline (it is inside China's)"},
	{"MAC", "CHN", "Macao has no outline (it is inside China's)"},
	{"MAF", "SXM", "Saint Martin island has no outline"},
	{"GUF", "BRA", "French Guiana is drawn as part of France (FRA–BRA is derived); ISO gives it its own code"},
	{"GUF", "SUR", "French Guiana is drawn as part of France (FRA–SUR is derived); ISO gives it its own code"},
}

// wrong lists pairs the outlines make neighbours that are not.
var wrong = []struct{ a, b, why string }{
	{"CMR", "NER", "they do not border: Nigeria and Chad meet between them in Lake Chad, which 1:110m simplifies away"},
}

func main() {
	in := flag.String("in", "../chart/countries.json.gz", "outline asset to read")
	out := flag.String("out", "neighbours.csv", "table to write")
	flag.Parse()
	log.SetFlags(0)

	raw, err := os.ReadFile(*in)
	if err != nil {
		log.Fatal(err)
	}
	zr, err := gzip.NewReader(bytes.NewReader(raw))
	if err != nil {
		log.Fatal(err)
	}
	js, err := io.ReadAll(zr)
	if err != nil {
		log.Fatal(err)
	}
	var a struct {
		Countries []struct {
			ID int
			P  [][][]int
		}
	}
	if err := json.Unmarshal(js, &a); err != nil {
		log.Fatal(err)
	}

	alpha3 := func(id int) (string, bool) {
		if id == 0 {
			return "XKX", true // Kosovo, stored under 0 as geo.Country.Numeric has it
		}
		c, ok := geo.ByNumeric(id)
		return c.Alpha3, ok
	}

	type pt [2]int
	type edge [2]pt
	edges := map[edge]map[string]bool{}
	verts := map[pt]map[string]bool{}
	var skipped []int
	for _, c := range a.Countries {
		code, ok := alpha3(c.ID)
		if !ok {
			skipped = append(skipped, c.ID)
			continue
		}
		for _, poly := range c.P {
			for _, enc := range poly {
				var ring []pt
				x, y := 0, 0
				for i := 0; i+1 < len(enc); i += 2 {
					x += enc[i]
					y += enc[i+1]
					ring = append(ring, pt{x, y})
				}
				for i, p := range ring {
					q := ring[(i+1)%len(ring)]
					e := edge{p, q}
					if q[0] < p[0] || (q[0] == p[0] && q[1] < p[1]) {
						e = edge{q, p}
					}
					if edges[e] == nil {
						edges[e] = map[string]bool{}
					}
					edges[e][code] = true
					if verts[p] == nil {
						verts[p] = map[string]bool{}
					}
					verts[p][code] = true
				}
			}
		}
	}
	if len(skipped) > 0 {
		log.Fatalf("outline ids without an ISO alpha-3 in geo: %v", skipped)
	}

	pairs := map[[2]string]string{}
	addPairs := func(set map[string]bool, into map[[2]string]string, src string) {
		codes := make([]string, 0, len(set))
		for c := range set {
			codes = append(codes, c)
		}
		slices.Sort(codes)
		for i := range codes {
			for j := i + 1; j < len(codes); j++ {
				into[[2]string{codes[i], codes[j]}] = src
			}
		}
	}
	for _, set := range edges {
		if len(set) > 1 {
			addPairs(set, pairs, "ne110m")
		}
	}
	touch := map[[2]string]string{}
	for _, set := range verts {
		if len(set) > 1 {
			addPairs(set, touch, "")
		}
	}
	for _, m := range wrong {
		k := [2]string{m.a, m.b}
		if k[1] < k[0] {
			k = [2]string{m.b, m.a}
		}
		if _, ok := pairs[k]; !ok {
			log.Fatalf("wrong pair %s-%s is not derived any more; remove it", m.a, m.b)
		}
		delete(pairs, k)
	}
	for _, m := range manual {
		for _, c := range []string{m.a, m.b} {
			if _, ok := geo.ByAlpha3(c); !ok {
				log.Fatalf("manual pair %s-%s: %s is not in geo", m.a, m.b, c)
			}
		}
		k := [2]string{m.a, m.b}
		if k[1] < k[0] {
			k = [2]string{m.b, m.a}
		}
		if _, ok := pairs[k]; ok {
			log.Fatalf("manual pair %s-%s is already in the outlines; remove it", m.a, m.b)
		}
		pairs[k] = "manual"
	}

	for p := range touch {
		if _, ok := pairs[p]; !ok {
			log.Printf("note: %s and %s touch at a vertex only; not recorded", p[0], p[1])
		}
	}

	keys := make([][2]string, 0, len(pairs))
	for k := range pairs {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(x, y [2]string) int {
		if c := strings.Compare(x[0], y[0]); c != 0 {
			return c
		}
		return strings.Compare(x[1], y[1])
	})
	var b strings.Builder
	b.WriteString("a,b,source\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "%s,%s,%s\n", k[0], k[1], pairs[k])
	}
	if err := os.WriteFile(*out, []byte(b.String()), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("%s: %d pairs (%d added and %d removed by hand)", *out, len(keys), len(manual), len(wrong))
}
