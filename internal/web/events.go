package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
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
	"aftermath/internal/i18n"
)

// countLimit caps counting events that the aggregates cannot count.
const countLimit = 10_000

type eventsPage struct {
	page
	F               aftermath.EventFilter
	Datasets        []aftermath.Dataset
	Events          []aftermath.Event
	Rows            []eventRow
	Total, From, To int64
	Exact           bool // false: Total is a lower bound (countLimit)
	Query           template.URL
	Prev, Next      string
	Table           template.HTML // the rows of Events, drawn (events_rows)
	Map             template.HTML
	MapMode         string // "hex" (all matching events) or "points" (this page's)
	MapNote         string // what the map shows
	MapSwitch       string // the same filters with the other map
	// Error says, in the reader's language, which filter could not be read
	// and why; the form keeps what was typed.
	Error, ErrorField string
	// Actors suggest names for the actor filter: the sides of the listed
	// events and the actors whose names contain what was typed.
	Actors []string
}

// eventRow is one event of the table, with what its cells show.
type eventRow struct {
	aftermath.Event
	Link         string
	SideA, SideB string
	// Source is the dataset's source text (ACLED's source and notes),
	// shortened for the table: the event's page has all of it, and the
	// page stays light on a slow connection.
	Source string
}

func init() { funcs["eventCountry"] = eventCountry }

// sourceCells is how many characters of source text the table shows.
const sourceCells = 90

// newEventRow fills the table cells of one event.
func newEventRow(e aftermath.Event) eventRow {
	row := eventRow{Event: e, Link: "/events/" + strconv.FormatInt(e.ID, 10)}
	source := e.SourceText
	row.SideA, row.SideB = e.SideA(), e.SideB()
	if e.Notes != "" { // ACLED: the source, then what it reported
		source = strings.TrimSpace(e.SourceText + " — " + e.Notes)
	}
	row.Source = shorten(source, sourceCells)
	return row
}

// precisionOf gives a code its meaning from the dataset's codebook: UCDP
// where_prec 1-7 and date_prec 1-5, ACLED geo_precision and time_precision
// 1-3 ("" for other codes). The table shows codes alone, explained in its
// legend, to keep the page light; the event's page gives the meaning.
func precisionOf(l *i18n.Locale, dataset, kind string, code int) string {
	name := "acled"
	if dataset == aftermath.DatasetUCDP {
		name = "ucdp"
	}
	key := "event.prec." + name + "_" + kind + "." + strconv.Itoa(code)
	if t := l.T(key); t != key {
		return t
	}
	return ""
}

// shorten cuts s to at most n characters at a word, marking the cut.
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	cut := string(r[:n])
	if i := strings.LastIndexByte(cut, ' '); i > n/2 {
		cut = cut[:i]
	}
	return strings.TrimRight(cut, " ,;.") + "…"
}

// actorSuggestions are at most maxSuggestions names for the actor
// filter's list: actors whose names contain what was typed, then the
// sides of the listed events.
func (s *Server) actorSuggestions(ctx context.Context, p *eventsPage) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(n string) {
		if n != "" && !seen[n] && len(out) < maxSuggestions {
			seen[n] = true
			out = append(out, n)
		}
	}
	if p.F.Actor != "" {
		found, err := s.db.SearchActors(ctx, p.F.Viewer, p.F.Actor, maxSuggestions)
		if err != nil {
			return nil, err
		}
		for _, a := range found {
			add(a.Name)
		}
	}
	for _, r := range p.Rows {
		add(r.SideA)
		add(r.SideB)
	}
	slices.Sort(out)
	return out, nil
}

const maxSuggestions = 40

// filterError is what the page says of a filter it cannot read: the
// parameter by its label and the value as typed, in the reader's language.
func filterError(l *i18n.Locale, err error, typed url.Values) (msg, field string) {
	var e *aftermath.Error
	if !errors.As(err, &e) || e.Field == "" {
		return err.Error(), ""
	}
	key := "events.error.number"
	switch e.Field {
	case "from", "to":
		key = "events.error.date"
	case "side":
		key = "events.error.side"
	}
	return l.T(key, "field", l.T("events.filter."+e.Field), "param", e.Field, "value", typed.Get(e.Field)), e.Field
}

func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f, err := aftermath.ParseEventFilter(viewerOf(ctx), r.URL.Query())
	p := eventsPage{page: s.newPage(w, r, "events.title"), F: f}
	if err != nil {
		// The form comes back as typed, with the error above it; the
		// listing is left out rather than shown unfiltered.
		// (ParseEventFilter returns what it read, so p.F holds it.)
		p.Error, p.ErrorField = filterError(p.L, err, r.URL.Query())
		if p.Datasets, err = s.db.Datasets(ctx, viewerOf(ctx)); err != nil {
			s.PageError(w, r, err)
			return
		}
		s.render(w, r, http.StatusBadRequest, "events.html", p)
		return
	}
	f.Limit = pageSize
	p.Query = template.URL(f.Query().Encode())
	var table *eventTable
	if p.Datasets, err = s.db.Datasets(ctx, viewerOf(ctx)); err == nil {
		table, err = s.eventTable(ctx, p.L, f)
	}
	if err == nil {
		p.Events, p.Rows, p.Table = table.Events, table.Rows, table.HTML
		p.Total, p.Exact, err = s.db.CountEvents(ctx, f, countLimit)
	}
	if err == nil {
		p.Actors, err = s.actorSuggestions(ctx, &p)
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	if len(p.Events) > 0 {
		p.From, p.To = int64(f.Offset+1), int64(f.Offset+len(p.Events))
	}
	link := func(off int) string {
		q := f.Query()
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
	mq := f.Query()
	if p.MapMode == "hex" {
		mq.Set("map", "points")
	}
	p.MapSwitch = "/events?" + mq.Encode()
	if p.Map, err = s.keptEventsMap(ctx, &p, p.MapMode); err != nil {
		s.PageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "events.html", p)
}

// eventTable is one page of the events table as a reader sees it in one
// language: the events, their rows and the rows drawn. Signed-in readers
// are never served a cached page, and reading the hundred events and
// drawing their rows was two thirds of the explorer's time; the table is
// kept like a figure (figures_cache.go), since the events, their actors'
// names and who may see them change only with what moves the figures
// generation. It is shared by the requests that read it: they only read.
type eventTable struct {
	Events []aftermath.Event
	Rows   []eventRow
	HTML   template.HTML
}

// eventRowsView is what the events_rows template reads.
type eventRowsView struct {
	L    *i18n.Locale
	Rows []eventRow
}

func (s *Server) eventTable(ctx context.Context, l *i18n.Locale, f aftermath.EventFilter) (*eventTable, error) {
	c, kept := s.db.(*keptStore)
	db := s.db
	if kept {
		db = c.Store
	}
	read := func(ctx context.Context) (*eventTable, error) {
		events, err := db.Events(ctx, f)
		if err != nil {
			return nil, err
		}
		t := &eventTable{Events: events}
		for _, e := range events {
			t.Rows = append(t.Rows, newEventRow(e))
		}
		var b bytes.Buffer
		if err := s.pages.ExecuteTemplate(&b, "events_rows", eventRowsView{L: l, Rows: t.Rows}); err != nil {
			return nil, fmt.Errorf("render events_rows: %w", err)
		}
		t.HTML = template.HTML(b.String()) // html/template escaped it
		return t, nil
	}
	return keptTable(ctx, s, f, figureKey("eventTable", f, l.Tag()), read)
}

// keptTable reads what an explorer page shows for filter f once per key
// under the figures generation (in keptStore.tables); a filter naming
// an actor is read afresh, as the figures are.
func keptTable[T any](ctx context.Context, s *Server, f aftermath.EventFilter, key string, read func(context.Context) (T, error)) (T, error) {
	c, kept := s.db.(*keptStore)
	if !kept || f.Actor != "" {
		return read(ctx)
	}
	gen, err := c.generation(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	return cachedIn(c, &c.tables, gen, key, read, same)
}

// keptMap is an explorer map drawn, with the note under it.
type keptMap struct {
	HTML template.HTML
	Note string
}

// keptEventsMap is eventsMap kept with the explorer's tables, per reader,
// filter, kind of map and language: it reads nothing but figures (the
// points, the countries' counts and coverage, the page's events), and
// encoding its 10,000 points to find the drawing in drawnMaps was most of
// what was left of the page's time.
func (s *Server) keptEventsMap(ctx context.Context, p *eventsPage, mode string) (template.HTML, error) {
	m, err := keptTable(ctx, s, p.F, figureKey("eventsMap", p.F, mode, p.L.Tag()), func(ctx context.Context) (keptMap, error) {
		q := *p // the read may run apart from the request: it sets its own note
		svg, err := s.eventsMap(ctx, &q, mode)
		return keptMap{svg, q.MapNote}, err
	})
	p.MapNote = m.Note
	return m.HTML, err
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
	spec := chart.MapSpec{Title: l.T("analysis.map"), Credit: creditFor(l, p.F.Dataset, p.Datasets), RTL: l.Dir() == "rtl", Width: 720,
		FormatWeight: func(v float64) string { return l.Number(v, 0) }}
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
		p.MapNote = l.T("events.map.hex_note", "count", binned)
		for _, pt := range pts {
			spec.Points = append(spec.Points, chart.MapPoint{Lat: pt.Lat, Lon: pt.Lon, Weight: float64(max(pt.DeathsBest, pt.Events))})
			addFocus(pt.CountryGW, pt.CountryISO)
		}
	}
	shaded, err := s.shadeCountries(ctx, p, &spec)
	if err != nil {
		return "", err
	}
	spec.Desc = p.MapNote
	if len(spec.Points) == 0 && !shaded {
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
	svg, err := drawMap(l, spec)
	if err != nil {
		return "", err
	}
	return template.HTML(svg), nil // built by package chart, which escapes every text
}

// shadeByCountry fills spec's choropleth from one dataset's event counts
// by country: every country the dataset covers gets its count (zero
// included), the others are marked as not covered, each with its name and
// count on hover, in the reader's language.
func shadeByCountry(l *i18n.Locale, spec *chart.MapSpec, dataset string, byISO map[string]int64, covers []aftermath.Coverage) {
	for _, code := range chart.CountryCodes() {
		c, ok := geo.ByNumeric(code)
		if code == chart.KosovoCode {
			c, ok = geo.ByAlpha3("XKX")
		}
		if !ok {
			continue
		}
		name := figures.Country(l, c.Alpha3, c.Name)
		n, counted := byISO[c.Alpha3]
		covered := counted || slices.ContainsFunc(covers, func(v aftermath.Coverage) bool { return v.CoversCountry(c.Alpha3) })
		if !covered {
			spec.NoData = append(spec.NoData, chart.CountryShade{Code: code, Title: l.T("events.map.country_no_data", "country", name)})
			continue
		}
		spec.Shades = append(spec.Shades, chart.CountryShade{Code: code, Value: float64(n),
			Title: l.T("events.map.country_title", "country", name, "events", l.T("events.count", "count", n))})
	}
	spec.ShadeLegend, spec.NoDataLabel = l.T("events.map.shade_legend", "dataset", dataset), l.T("events.map.no_data")
}

// shadeCountries shades the map's countries by their matching events:
// every country a shown dataset covers gets its count (zero included),
// the others are marked as not covered, each with its name and count on
// hover. It says whether any country was shaded.
func (s *Server) shadeCountries(ctx context.Context, p *eventsPage, spec *chart.MapSpec) (bool, error) {
	l := p.L
	// Datasets are never summed: UCDP and ACLED report many of the same
	// events. Without a dataset chosen the map shades UCDP's, if shown.
	f := p.F
	if f.Dataset == "" {
		for _, d := range p.Datasets {
			if f.Dataset == "" || d.Name == aftermath.DatasetUCDP {
				f.Dataset = d.Name
			}
		}
	}
	if f.Dataset == "" {
		return false, nil
	}
	counts, exact, err := s.db.CountryCounts(ctx, f, mapCells)
	if err != nil {
		return false, err
	}
	byISO := map[string]int64{}
	for _, c := range counts {
		byISO[c.ISO3] = c.Events
	}
	// A country is covered when a version of the dataset covers it; with
	// no coverage recorded at all nothing can be marked.
	covers, err := s.db.DatasetCoverage(ctx, f.Viewer, f.Dataset)
	if err != nil {
		return false, err
	}
	if len(counts) == 0 && len(covers) == 0 {
		return false, nil
	}
	shadeByCountry(l, spec, f.Dataset, byISO, covers)
	p.MapNote += " " + l.T("events.map.shade_note")
	if !exact {
		p.MapNote += " " + l.T("events.map.shade_recent", "count", l.Number(mapCells, 0))
	}
	return true, nil
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
	// Added after the columns other tools already read by position; tags
	// as ACLED's files on HDX carry them.
	{"side_a", "#group+name+first"}, {"side_b", "#group+name+second"}, {"source_text", "#meta+source"}, {"notes", "#description"},
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
		strconv.Itoa(e.DatePrecision), sourceCount(e.SourceCount), e.SideA(),
		e.SideB(), e.SourceText, e.Notes}
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
		f, err := aftermath.ParseEventFilter(viewerOf(r.Context()), r.URL.Query())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.Offset = 0
		if err := s.db.AuditExport(r.Context(), f.Viewer, "events", 0, "downloaded events ("+format+") "+f.Query().Encode()); err != nil {
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
