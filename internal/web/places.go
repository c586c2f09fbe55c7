package web

import (
	"context"
	"html/template"
	"math"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"aftermath"
	"aftermath/internal/chart"
	"aftermath/internal/figures"
	"aftermath/internal/geo"
	"aftermath/internal/i18n"
	"aftermath/internal/impact"
)

var countryName = figures.Country

type placeRow struct {
	aftermath.PlaceTotal
	Name string // in the reader's language
}

type placeGroup struct {
	Dataset string
	Rows    []placeRow
	Chart   template.HTML
}

type placesPage struct {
	page
	Groups []placeGroup
	Map    template.HTML
	// Flows are the countries with arms or aid data, by name, each with
	// its page (its funding landscape and arms delivered).
	Flows []placeRow
}

// group splits place totals by dataset: datasets count differently, so
// their figures are never added together.
func groupPlaces(l *i18n.Locale, totals []aftermath.PlaceTotal) []placeGroup {
	var out []placeGroup
	for _, t := range totals {
		if len(out) == 0 || out[len(out)-1].Dataset != t.Dataset {
			out = append(out, placeGroup{Dataset: t.Dataset})
		}
		g := &out[len(out)-1]
		name := t.Admin1
		if name == "" {
			name = countryName(l, t.ISO3, t.Country)
		}
		g.Rows = append(g.Rows, placeRow{PlaceTotal: t, Name: name})
	}
	return out
}

func (s *Server) places(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	totals, err := s.db.PlaceTotals(ctx, viewerOf(ctx), "")
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	p := placesPage{page: s.newPage(w, r, "places.title")}
	p.Groups = groupPlaces(p.L, totals)
	flows, err := s.db.FlowCountries(ctx)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	for _, iso3 := range flows {
		p.Flows = append(p.Flows, placeRow{PlaceTotal: aftermath.PlaceTotal{ISO3: iso3}, Name: countryName(p.L, iso3, iso3)})
	}
	col := collate.New(language.Make(p.L.Tag()))
	slices.SortFunc(p.Flows, func(a, b placeRow) int { return col.CompareString(a.Name, b.Name) })
	if err := s.placesMap(ctx, &p, totals); err != nil {
		s.PageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "places.html", p)
}

// placesMap shades the countries by one dataset's events (UCDP's when
// it is shown: datasets report many of the same events and are never
// added together), the countries it does not cover hatched apart from
// those with none.
func (s *Server) placesMap(ctx context.Context, p *placesPage, totals []aftermath.PlaceTotal) error {
	var datasets []aftermath.Dataset
	for _, t := range totals {
		if len(datasets) == 0 || datasets[len(datasets)-1].Name != t.Dataset {
			datasets = append(datasets, aftermath.Dataset{Name: t.Dataset})
		}
	}
	if len(datasets) == 0 {
		return nil
	}
	dataset := datasets[0].Name
	if slices.ContainsFunc(datasets, func(d aftermath.Dataset) bool { return d.Name == aftermath.DatasetUCDP }) {
		dataset = aftermath.DatasetUCDP
	}
	byISO := map[string]int64{}
	for _, t := range totals {
		if t.Dataset == dataset && t.Admin1 == "" && t.ISO3 != "" {
			byISO[t.ISO3] += t.Events
		}
	}
	covers, err := s.db.DatasetCoverage(ctx, viewerOf(ctx), dataset)
	if err != nil {
		return err
	}
	spec := chart.MapSpec{Title: p.L.T("places.map"), Desc: p.L.T("places.intro"), Credit: creditFor(p.L, "", datasets),
		RTL: p.L.Dir() == "rtl", Width: 720, FormatWeight: func(v float64) string { return p.L.Number(v, 0) }}
	shadeByCountry(p.L, &spec, dataset, byISO, covers)
	svg, err := drawMap(p.L, spec)
	if err != nil {
		s.log.ErrorContext(ctx, "places map", "err", err)
		return nil
	}
	p.Map = template.HTML(svg) // package chart escapes all text
	return nil
}

type placePage struct {
	page
	ISO3          string
	Groups        []placeGroup
	Map           template.HTML
	MapNote       string
	Interventions []aftermath.Intervention
	Landscape     *landscapeView // aid reported to IATI (flows_place.go)
	Arms          *armsView      // arms SIPRI records as delivered
}

var iso3RE = regexp.MustCompile(`^[A-Z]{3}$`)

// place shows one country: per dataset, its monthly events and its
// admin-1 areas, a map of its most recent events, and the interventions
// whose area includes it.
func (s *Server) place(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := viewerOf(ctx)
	iso3 := strings.ToUpper(r.PathValue("iso3"))
	if !iso3RE.MatchString(iso3) {
		s.notFound(w, r)
		return
	}
	totals, err := s.db.PlaceTotals(ctx, v, iso3)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	ivs, err := s.db.Interventions(ctx, v)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	p := placePage{page: s.newPage(w, r, "places.title"), ISO3: iso3}
	for _, iv := range ivs {
		if slices.ContainsFunc(iv.Area, func(a aftermath.AreaRef) bool { return a.Country == iso3 }) {
			p.Interventions = append(p.Interventions, iv)
		}
	}
	if err := s.placeFlows(ctx, &p); err != nil {
		s.PageError(w, r, err)
		return
	}
	if len(totals) == 0 && len(p.Interventions) == 0 && p.Landscape == nil && p.Arms == nil {
		s.notFound(w, r) // nothing the viewer may see is here
		return
	}
	spelled := iso3
	if len(totals) > 0 {
		spelled = totals[0].Country
	}
	p.Title = countryName(p.L, iso3, spelled)
	p.Groups = groupPlaces(p.L, totals)
	for i := range p.Groups {
		p.Groups[i].Chart = s.placeChart(ctx, &p, p.Groups[i].Dataset)
	}
	if len(totals) > 0 {
		// The first dataset's events, as the dataset spells the country.
		f := aftermath.EventFilter{Viewer: v, Dataset: totals[0].Dataset, Country: totals[0].Country}
		pts, binned, err := s.db.EventPoints(ctx, f, mapCells)
		if err != nil {
			s.PageError(w, r, err)
			return
		}
		if c, ok := geo.ByAlpha3(iso3); ok && len(pts) > 0 {
			p.MapNote = p.L.T("events.map.hex_note", "count", binned)
			spec := chart.MapSpec{Title: p.Title, Desc: p.MapNote, Credit: creditFor(p.L, totals[0].Dataset, nil), RTL: p.L.Dir() == "rtl",
				Width: 720, Hexagons: true, Legend: p.L.T("events.map.legend"), FormatWeight: func(x float64) string { return p.L.Number(x, 0) }}
			if slices.Contains(chart.CountryCodes(), c.Numeric) {
				spec.Focus, spec.Highlight = []int{c.Numeric}, []int{c.Numeric}
			}
			for _, pt := range pts {
				spec.Points = append(spec.Points, chart.MapPoint{Lat: pt.Lat, Lon: pt.Lon, Weight: float64(max(pt.DeathsBest, pt.Events))})
			}
			if svg, err := drawMap(p.L, spec); err == nil {
				p.Map = template.HTML(svg) // package chart escapes all text
			} else {
				s.log.ErrorContext(ctx, "place map", "err", err)
			}
		}
	}
	s.render(w, r, http.StatusOK, "place.html", p)
}

// placeChart draws a dataset's events per month in the country, over the
// months the dataset covers there: a month no imported version covers is a
// gap, never a 0 (impact.Series).
func (s *Server) placeChart(ctx context.Context, p *placePage, dataset string) template.HTML {
	res, err := impact.Series(ctx, s.db, impact.SeriesOptions{Viewer: viewerOf(ctx), Dataset: dataset, Area: []aftermath.AreaRef{{Country: p.ISO3}}})
	if err != nil || len(res.Rows) == 0 {
		if err != nil && aftermath.ErrorCode(err) != aftermath.EINVALID {
			s.log.ErrorContext(ctx, "place chart", "err", err)
		}
		return ""
	}
	l := p.L
	series := chart.Series{Name: l.T("events.title")}
	for _, m := range res.Rows {
		y := math.NaN()
		if m.Events != nil {
			y = float64(*m.Events)
		}
		series.Points = append(series.Points, chart.Point{X: monthX(m.Period), Y: y})
	}
	svg, err := chart.Lines(chart.LineChart{Title: l.T("places.chart", "dataset", dataset), Desc: p.Title, XLabel: l.T("analysis.chart.month_axis"),
		YLabel: l.T("analysis.chart.events_axis"), Credit: creditVersions(l, dataset, res.Versions), Series: []chart.Series{series}, FormatX: monthLabel,
		FormatY: func(v float64) string { return l.Number(v, 0) }, RTL: l.Dir() == "rtl", Width: 720, Height: 280,
		GapLabel: l.T("chart.no_data"), GapDesc: gapDesc(l)})
	if err != nil {
		s.log.ErrorContext(ctx, "place chart", "err", err)
		return ""
	}
	return template.HTML(svg) // package chart escapes all text
}
