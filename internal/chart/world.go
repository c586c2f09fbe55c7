package chart

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"sync"
)

// countries.json.gz holds Natural Earth's 1:110m country outlines, converted
// from the npm package world-atlas by gen/main.go; see ATTRIBUTION.md.
//
//go:generate go run gen/main.go
//go:embed countries.json.gz
var countriesGz []byte

// KosovoCode is the code Kosovo's outline is stored under: it has no ISO
// 3166-1 numeric code, and internal/geo gives it Numeric 0 too.
const KosovoCode = 0

type lonlat struct{ lon, lat float64 }

// box is a lon/lat (or page) rectangle.
type box struct{ x0, y0, x1, y1 float64 }

func emptyBox() box { return box{math.Inf(1), math.Inf(1), math.Inf(-1), math.Inf(-1)} }

func (b box) add(x, y float64) box {
	return box{math.Min(b.x0, x), math.Min(b.y0, y), math.Max(b.x1, x), math.Max(b.y1, y)}
}

func (b box) union(o box) box {
	return box{math.Min(b.x0, o.x0), math.Min(b.y0, o.y0), math.Max(b.x1, o.x1), math.Max(b.y1, o.y1)}
}

func (b box) intersects(o box) bool {
	return b.x0 <= o.x1 && o.x0 <= b.x1 && b.y0 <= o.y1 && o.y0 <= b.y1
}

// gap is the distance between two boxes along the axis where they are
// furthest apart (0 when they overlap).
func (b box) gap(o box) float64 {
	return math.Max(math.Max(o.x0-b.x1, b.x0-o.x1), math.Max(math.Max(o.y0-b.y1, b.y0-o.y1), 0))
}

// country is one outline: polygons of rings (the first the exterior, then
// holes), in degrees.
type country struct {
	id    int
	polys [][][]lonlat
	bbox  box
	// main is the box of the largest polygon and those within mainGap
	// degrees of it: zooming to France shows Europe, not French Guiana too.
	main box
}

const mainGap = 10

type worldData struct {
	source    string
	countries []country
	byID      map[int]int
}

var loadWorld = sync.OnceValues(func() (*worldData, error) {
	zr, err := gzip.NewReader(bytes.NewReader(countriesGz))
	if err != nil {
		return nil, err
	}
	js, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	var a struct {
		Source    string
		Scale     [2]float64
		Translate [2]float64
		Countries []struct {
			ID int
			P  [][][]int
		}
	}
	if err := json.Unmarshal(js, &a); err != nil {
		return nil, err
	}
	w := &worldData{source: a.Source, byID: map[int]int{}}
	for _, ac := range a.Countries {
		c := country{id: ac.ID, bbox: emptyBox()}
		largest, largestArea := -1, -1.0
		var boxes []box
		for _, poly := range ac.P {
			var rings [][]lonlat
			pb := emptyBox()
			for _, enc := range poly {
				if len(enc)%2 != 0 {
					return nil, fmt.Errorf("country %d: odd ring length", ac.ID)
				}
				ring := make([]lonlat, 0, len(enc)/2)
				x, y := 0, 0
				for i := 0; i < len(enc); i += 2 {
					x += enc[i]
					y += enc[i+1]
					p := lonlat{a.Translate[0] + float64(x)*a.Scale[0], a.Translate[1] + float64(y)*a.Scale[1]}
					ring = append(ring, p)
				}
				unwrap(ring)
				for _, p := range ring {
					pb = pb.add(p.lon, p.lat)
				}
				rings = append(rings, ring)
			}
			if area := math.Abs(ringArea(rings[0])); area > largestArea {
				largest, largestArea = len(c.polys), area
			}
			c.polys = append(c.polys, rings)
			boxes = append(boxes, pb)
			c.bbox = c.bbox.union(pb)
		}
		if largest < 0 {
			continue
		}
		c.main = boxes[largest]
		for i, b := range boxes {
			if i != largest && b.gap(boxes[largest]) <= mainGap {
				c.main = c.main.union(b)
			}
		}
		w.byID[c.id] = len(w.countries)
		w.countries = append(w.countries, c)
	}
	return w, nil
})

// unwrap makes a ring that crosses the antimeridian continuous: TopoJSON
// keeps spherical coordinates, so Fiji's and Chukotka's rings jump from
// 180° to -180°, which a flat projection would draw as a line round the
// world. Afterwards the ring may reach past ±180° and Map draws it shifted by
// 360° too. A ring round a pole (Antarctica) cannot be unwrapped and is left
// as it is: on a flat projection it already runs along the map's edge.
func unwrap(r []lonlat) {
	orig := make([]float64, len(r))
	shift := 0.0
	for i := range r {
		orig[i] = r[i].lon
		if i > 0 {
			switch d := orig[i] - orig[i-1]; {
			case d > 180:
				shift -= 360
			case d < -180:
				shift += 360
			}
		}
		r[i].lon += shift
	}
	if len(r) > 1 && math.Abs(r[len(r)-1].lon-r[0].lon) > 180 { // round a pole
		for i := range r {
			r[i].lon = orig[i]
		}
	}
}

// ringArea is the signed shoelace area of a ring in square degrees.
func ringArea(r []lonlat) float64 {
	a := 0.0
	for i := range r {
		j := (i + 1) % len(r)
		a += r[i].lon*r[j].lat - r[j].lon*r[i].lat
	}
	return a / 2
}

// CountryCodes returns the ISO 3166-1 numeric codes that have an outline,
// in increasing order (KosovoCode first).
func CountryCodes() []int {
	w, err := loadWorld()
	if err != nil {
		return nil
	}
	ids := make([]int, 0, len(w.countries))
	for _, c := range w.countries {
		ids = append(ids, c.id)
	}
	slices.Sort(ids)
	return ids
}

// BoundariesSource describes where the outlines come from, in English, for
// an about or credits page.
func BoundariesSource() string {
	w, err := loadWorld()
	if err != nil {
		return ""
	}
	return w.source
}
