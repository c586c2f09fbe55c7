//go:build ignore

// Command gen converts Natural Earth's 1:110m country outlines, as TopoJSON
// from the npm package world-atlas, into the compact asset countries.json.gz
// that package chart embeds. It is run by hand, once per data update, from
// internal/chart:
//
//	go generate                      # npm pack world-atlas@2.0.2 into a temporary folder
//	go run gen/main.go -in countries-110m.json   # or from a file already extracted
//
// The output is deterministic (fixed gzip header, countries sorted by id), so
// running it again on the same input changes nothing.
//
// Output format (JSON, gzipped):
//
//	{"source": "...", "scale": [sx, sy], "translate": [tx, ty],
//	 "countries": [{"id": 466, "p": [[[x0, y0, dx1, dy1, ...], hole...], polygon...]}, ...]}
//
// Coordinates keep the TopoJSON quantization: longitude = tx + x*sx and
// latitude = ty + y*sy with x, y integers; each ring stores its first point
// absolute and the others as deltas from the point before. Rings are closed
// implicitly (the last point, equal to the first, is dropped).
//
// Three features have no ISO 3166-1 numeric code in the source:
// Somaliland is stored as part of Somalia (706) and N. Cyprus as part of
// Cyprus (196), the territories those codes denote; their outlines stay
// separate polygons, so the de facto lines are still drawn. Kosovo, which has
// no ISO numeric code, is stored under 0, as internal/geo's Country.Numeric
// has it.
package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

const (
	pkgSpec = "world-atlas@2.0.2"
	member  = "package/countries-110m.json"
	// sha256 of countries-110m.json in world-atlas 2.0.2.
	wantSHA = "2516c915867c7baf18ddec727aec46c315541a07cfb3d79a6559b05d5e94eee8"
	source  = "Natural Earth 1:110m Admin 0 countries v4.1.0 (public domain), from countries-110m.json in npm world-atlas 2.0.2 (ISC)"
)

// merged maps source names without an id to the ISO numeric code they are
// stored under.
var merged = map[string]int{
	"Somaliland": 706, // Somalia
	"N. Cyprus":  196, // Cyprus
	"Kosovo":     0,   // no ISO 3166-1 numeric code; 0 as in internal/geo
}

type topology struct {
	Type      string
	Transform struct {
		Scale     [2]float64
		Translate [2]float64
	}
	Arcs    [][][2]int
	Objects map[string]struct {
		Geometries []struct {
			Type       string
			ID         string
			Arcs       json.RawMessage
			Properties struct{ Name string }
		}
	}
}

type country struct {
	ID int       `json:"id"`
	P  [][][]int `json:"p"`
}

type asset struct {
	Source    string     `json:"source"`
	Scale     [2]float64 `json:"scale"`
	Translate [2]float64 `json:"translate"`
	Countries []country  `json:"countries"`
}

func main() {
	in := flag.String("in", "", "countries-110m.json to read (default: npm pack "+pkgSpec+")")
	out := flag.String("out", "countries.json.gz", "asset to write")
	flag.Parse()
	log.SetFlags(0)

	var data []byte
	var err error
	if *in != "" {
		data, err = os.ReadFile(*in)
	} else {
		data, err = fromNPM()
	}
	if err != nil {
		log.Fatal(err)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != wantSHA {
		log.Fatalf("countries-110m.json sha256 %s, want %s (update wantSHA and ATTRIBUTION.md for a new version)", got, wantSHA)
	}
	a, err := convert(data)
	if err != nil {
		log.Fatal(err)
	}
	js, err := json.Marshal(a)
	if err != nil {
		log.Fatal(err)
	}
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // zero header: deterministic
	zw.Write(js)
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(*out, buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
	log.Printf("%s: %d countries, %d bytes (%d bytes JSON)", *out, len(a.Countries), buf.Len(), len(js))
}

// fromNPM runs `npm pack` into a temporary folder and reads the member from
// the tarball.
func fromNPM() ([]byte, error) {
	dir, err := os.MkdirTemp("", "world-atlas")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	cmd := exec.Command("npm", "pack", "--silent", "--pack-destination", dir, pkgSpec)
	cmd.Stderr = os.Stderr
	outp, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("npm pack %s: %w", pkgSpec, err)
	}
	f, err := os.Open(filepath.Join(dir, strings.TrimSpace(string(outp))))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return nil, fmt.Errorf("%s not in the tarball", member)
		}
		if err != nil {
			return nil, err
		}
		if h.Name == member {
			return io.ReadAll(tr)
		}
	}
}

func convert(data []byte) (*asset, error) {
	var t topology
	if err := json.Unmarshal(data, &t); err != nil {
		return nil, err
	}
	if t.Type != "Topology" {
		return nil, errors.New("not a TopoJSON topology")
	}
	// Decode the delta-encoded, quantized arcs into absolute quantized points.
	arcs := make([][][2]int, len(t.Arcs))
	for i, arc := range t.Arcs {
		x, y := 0, 0
		pts := make([][2]int, len(arc))
		for j, d := range arc {
			x += d[0]
			y += d[1]
			pts[j] = [2]int{x, y}
		}
		arcs[i] = pts
	}
	ring := func(idx []int) ([][2]int, error) {
		var r [][2]int
		for k, a := range idx {
			var pts [][2]int
			if a >= 0 {
				if a >= len(arcs) {
					return nil, fmt.Errorf("arc %d out of range", a)
				}
				pts = arcs[a]
			} else {
				if ^a >= len(arcs) {
					return nil, fmt.Errorf("arc %d out of range", a)
				}
				pts = slices.Clone(arcs[^a])
				slices.Reverse(pts)
			}
			if k > 0 {
				pts = pts[1:] // shared with the end of the previous arc
			}
			r = append(r, pts...)
		}
		if len(r) > 1 && r[0] == r[len(r)-1] {
			r = r[:len(r)-1]
		}
		return r, nil
	}
	encode := func(r [][2]int) []int {
		out := make([]int, 0, 2*len(r))
		px, py := 0, 0
		for _, p := range r {
			out = append(out, p[0]-px, p[1]-py)
			px, py = p[0], p[1]
		}
		return out
	}

	obj, ok := t.Objects["countries"]
	if !ok {
		return nil, errors.New("no countries object")
	}
	byID := map[int]*country{}
	for _, g := range obj.Geometries {
		var polys [][][]int
		switch g.Type {
		case "Polygon":
			var rings [][]int
			if err := json.Unmarshal(g.Arcs, &rings); err != nil {
				return nil, err
			}
			polys = [][][]int{rings}
		case "MultiPolygon":
			if err := json.Unmarshal(g.Arcs, &polys); err != nil {
				return nil, err
			}
		default:
			return nil, fmt.Errorf("%s: geometry type %s", g.Properties.Name, g.Type)
		}
		var id int
		if g.ID == "" {
			var ok bool
			if id, ok = merged[g.Properties.Name]; !ok {
				return nil, fmt.Errorf("%s has no id and no rule", g.Properties.Name)
			}
		} else {
			var err error
			if id, err = strconv.Atoi(g.ID); err != nil {
				return nil, fmt.Errorf("%s: id %q: %w", g.Properties.Name, g.ID, err)
			}
		}
		c := byID[id]
		if c == nil {
			c = &country{ID: id}
			byID[id] = c
		}
		for _, poly := range polys {
			var rings [][]int
			for _, idx := range poly {
				r, err := ring(idx)
				if err != nil {
					return nil, fmt.Errorf("%s: %w", g.Properties.Name, err)
				}
				if len(r) >= 3 {
					rings = append(rings, encode(r))
				}
			}
			if len(rings) > 0 {
				c.P = append(c.P, rings)
			}
		}
	}
	a := &asset{Source: source, Scale: t.Transform.Scale, Translate: t.Transform.Translate}
	for _, c := range byID {
		a.Countries = append(a.Countries, *c)
	}
	slices.SortFunc(a.Countries, func(x, y country) int { return x.ID - y.ID })
	return a, nil
}
