package web

import (
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"aftermath"
	"aftermath/internal/chart"
	"aftermath/internal/csvout"
	"aftermath/internal/figures"
	"aftermath/internal/geo"
)

// eventFilter reads the explorer's filters from a query string.
func eventFilter(v aftermath.Viewer, q url.Values) (aftermath.EventFilter, error) {
	f := aftermath.EventFilter{Viewer: v, Dataset: q.Get("dataset"), Country: strings.TrimSpace(q.Get("country")), Admin1: strings.TrimSpace(q.Get("admin1")),
		From: q.Get("from"), To: q.Get("to"), ViolenceType: strings.TrimSpace(q.Get("violence_type")), Actor: strings.TrimSpace(q.Get("actor")),
		CodeStatus: strings.TrimSpace(q.Get("code_status")), PreciseOnly: q.Get("precise") == "1"}
	for _, d := range []string{f.From, f.To} {
		if d != "" {
			if _, ok := parseDate(d); !ok {
				return f, aftermath.Errorf(aftermath.EINVALID, "%q is not a date (YYYY-MM-DD)", d)
			}
		}
	}
	for key, dst := range map[string]*int{"deaths_min": &f.DeathsMin, "deaths_max": &f.DeathsMax, "offset": &f.Offset} {
		if v := q.Get(key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return f, aftermath.Errorf(aftermath.EINVALID, "%s %q is not a whole number ≥ 0", key, v)
			}
			*dst = n
		}
	}
	return f, nil
}

func parseDate(s string) (string, bool) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return "", false
	}
	for i, c := range s {
		if i != 4 && i != 7 && (c < '0' || c > '9') {
			return "", false
		}
	}
	return s, true
}

// filterQuery is the filter as a query string, for download and page links.
func filterQuery(f aftermath.EventFilter) url.Values {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("dataset", f.Dataset)
	set("country", f.Country)
	set("admin1", f.Admin1)
	set("from", f.From)
	set("to", f.To)
	set("violence_type", f.ViolenceType)
	set("actor", f.Actor)
	set("code_status", f.CodeStatus)
	if f.PreciseOnly {
		v.Set("precise", "1")
	}
	if f.DeathsMin > 0 {
		v.Set("deaths_min", strconv.Itoa(f.DeathsMin))
	}
	if f.DeathsMax > 0 {
		v.Set("deaths_max", strconv.Itoa(f.DeathsMax))
	}
	return v
}

// countLimit caps counting events that the aggregates cannot count.
const countLimit = 10_000

type eventsPage struct {
	page
	F               aftermath.EventFilter
	Datasets        []aftermath.Dataset
	Events          []aftermath.Event
	Total, From, To int64
	Exact           bool // false: Total is a lower bound (countLimit)
	Query           template.URL
	Prev, Next      string
	Map             template.HTML
	MapMode         string // "hex" (all matching events) or "points" (this page's)
	MapNote         string // what the map shows
	MapSwitch       string // the same filters with the other map
}

func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f, err := eventFilter(viewerOf(r.Context()), r.URL.Query())
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.Limit = pageSize
	p := eventsPage{page: s.newPage(w, r, "events.title"), F: f, Query: template.URL(filterQuery(f).Encode())}
	if p.Datasets, err = s.db.Datasets(ctx, viewerOf(ctx)); err == nil {
		p.Events, err = s.db.Events(ctx, f)
	}
	if err == nil {
		p.Total, p.Exact, err = s.db.CountEvents(ctx, f, countLimit)
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	if len(p.Events) > 0 {
		p.From, p.To = int64(f.Offset+1), int64(f.Offset+len(p.Events))
	}
	link := func(off int) string {
		q := filterQuery(f)
		if off > 0 {
			q.Set("offset", strconv.Itoa(off))
		}
		return "/events?" + q.Encode()
	}
	if f.Offset > 0 {
		p.Prev = link(max(0, f.Offset-pageSize))
	}
	if len(p.Events) == pageSize && (int64(f.Offset+len(p.Events)) < p.Total || !p.Exact) {
		p.Next = link(f.Offset + pageSize)
	}
	p.MapMode = r.URL.Query().Get("map")
	if p.MapMode != "points" {
		p.MapMode = "hex"
	}
	q := filterQuery(f)
	if p.MapMode == "hex" {
		q.Set("map", "points")
	}
	p.MapSwitch = "/events?" + q.Encode()
	if p.Map, err = s.eventsMap(ctx, &p, p.MapMode); err != nil {
		s.PageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "events.html", p)
}

// mapCells caps how many of the matching events the explorer's hexagon
// map bins, newest first, so that it costs about one page of events.
const mapCells = 10000

// eventsMap draws the events a page matches: by default hexagons of the
// most recent mapCells events with coordinates (so the map shows the whole
// selection, not one page of it), or, with ?map=points, the events on the
// page as labelled points.
func (s *Server) eventsMap(ctx context.Context, p *eventsPage, mode string) (template.HTML, error) {
	l := p.L
	spec := chart.MapSpec{Title: l.T("analysis.map"), Credit: creditFor(l, p.F.Dataset, p.Datasets), RTL: l.Dir() == "rtl", Width: 720}
	focus := map[int]bool{}
	addFocus := func(gw, iso int) {
		if c, ok := geo.ByGW(gw); ok {
			focus[c.Numeric] = true
		} else if c, ok := geo.ByNumeric(iso); ok {
			focus[c.Numeric] = true
		}
	}
	if mode == "points" {
		p.MapNote = l.T("events.map.points_note")
		for _, e := range p.Events {
			if e.Latitude == nil || e.Longitude == nil {
				continue
			}
			spec.Points = append(spec.Points, chart.MapPoint{Lat: *e.Latitude, Lon: *e.Longitude, Weight: float64(max(e.DeathsBest, 1)), Label: e.NativeID})
			addFocus(e.CountryGW, e.CountryISO)
		}
	} else {
		pts, binned, err := s.db.EventPoints(ctx, p.F, mapCells)
		if err != nil {
			return "", err
		}
		spec.Hexagons, spec.Legend = true, l.T("events.map.legend")
		spec.FormatWeight = func(v float64) string { return l.Number(v, 0) }
		p.MapNote = l.T("events.map.hex_note", "count", binned)
		for _, pt := range pts {
			spec.Points = append(spec.Points, chart.MapPoint{Lat: pt.Lat, Lon: pt.Lon, Weight: float64(max(pt.DeathsBest, pt.Events))})
			addFocus(pt.CountryGW, pt.CountryISO)
		}
	}
	spec.Desc = p.MapNote
	if len(spec.Points) == 0 {
		return "", nil
	}
	known := map[int]bool{}
	for _, c := range chart.CountryCodes() {
		known[c] = true
	}
	for c := range focus {
		if known[c] {
			spec.Focus = append(spec.Focus, c)
		}
	}
	slices.Sort(spec.Focus)
	svg, err := chart.Map(spec)
	if err != nil {
		return "", err
	}
	return template.HTML(svg), nil // built by package chart, which escapes every text
}

var creditFor = figures.Credit

// hxlTags label the download's columns with HXL hashtags so humanitarian
// tools read them without a mapping.
var downloadColumns = []struct{ name, hxl string }{
	{"dataset", "#meta+dataset"}, {"version", "#meta+version"}, {"event_id", "#event+id"},
	{"date_start", "#date+start"}, {"date_end", "#date+end"}, {"country", "#country+name"},
	{"admin1", "#adm1+name"}, {"admin2", "#adm2+name"}, {"location", "#loc+name"},
	{"latitude", "#geo+lat"}, {"longitude", "#geo+lon"}, {"violence_type", "#event+type"},
	{"deaths_low", "#affected+killed+low"}, {"deaths_best", "#affected+killed"},
	{"deaths_high", "#affected+killed+high"}, {"deaths_civilians", "#affected+killed+civilians"},
	{"code_status", "#status+code"}, {"where_precision", "#geo+precision"}, {"date_precision", "#date+precision"},
	{"number_of_sources", "#meta+sources+num"},
}

func downloadRow(e *aftermath.Event) []string {
	coord := func(f *float64) string {
		if f == nil {
			return ""
		}
		return strconv.FormatFloat(*f, 'f', -1, 64)
	}
	return []string{e.Dataset, e.Version, e.NativeID, e.DateStart, e.DateEnd, e.Country, e.Admin1, e.Admin2, e.Location,
		coord(e.Latitude), coord(e.Longitude), e.ViolenceType, strconv.Itoa(e.DeathsLow), strconv.Itoa(e.DeathsBest),
		strconv.Itoa(e.DeathsHigh), strconv.Itoa(e.DeathsCivilians), e.CodeStatus, strconv.Itoa(e.WherePrecision),
		strconv.Itoa(e.DatePrecision), sourceCount(e.SourceCount)}
}

// sourceCount writes a number of sources as the dataset published it: an
// empty cell for none given, -1 for UCDP's "not known", else the count.
func sourceCount(n *int) string {
	if n == nil {
		return ""
	}
	return strconv.Itoa(*n)
}

// eventsDownload streams the filtered events as CSV, HXL-tagged CSV or
// GeoJSON, whatever their number.
func (s *Server) eventsDownload(format string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		f, err := eventFilter(viewerOf(r.Context()), r.URL.Query())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.Offset = 0
		if err := s.db.AuditExport(r.Context(), f.Viewer, "events", 0, "downloaded events ("+format+") "+filterQuery(f).Encode()); err != nil {
			s.PageError(w, r, err)
			return
		}
		name := "aftermath-events"
		switch format {
		case "geojson":
			w.Header().Set("Content-Type", "application/geo+json")
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.geojson"`)
			fmt.Fprint(w, `{"type":"FeatureCollection","features":[`)
			first := true
			err = s.db.EachEvent(r.Context(), f, func(e *aftermath.Event) error {
				props := map[string]string{}
				row := downloadRow(e)
				for i, c := range downloadColumns {
					props[c.name] = row[i]
				}
				var geom any
				if e.Latitude != nil && e.Longitude != nil {
					geom = map[string]any{"type": "Point", "coordinates": []float64{*e.Longitude, *e.Latitude}}
				}
				b, err := json.Marshal(map[string]any{"type": "Feature", "geometry": geom, "properties": props})
				if err != nil {
					return err
				}
				if !first {
					w.Write([]byte(","))
				}
				first = false
				_, err = w.Write(b)
				return err
			})
			fmt.Fprint(w, "]}\n")
		default:
			w.Header().Set("Content-Type", "text/csv; charset=utf-8")
			if format == "hxl" {
				name += "-hxl"
			}
			w.Header().Set("Content-Disposition", `attachment; filename="`+name+`.csv"`)
			cw := csvout.NewWriter(w)
			var head, tags []string
			for _, c := range downloadColumns {
				head, tags = append(head, c.name), append(tags, c.hxl)
			}
			cw.Write(head)
			if format == "hxl" {
				cw.Write(tags)
			}
			err = s.db.EachEvent(r.Context(), f, func(e *aftermath.Event) error { return cw.Write(downloadRow(e)) })
			cw.Flush()
		}
		if err != nil {
			// Headers are gone; the truncated file is all we can signal with.
			s.log.ErrorContext(r.Context(), "download", "err", err)
		}
	}
}
