package web

import (
	"html/template"
	"math"
	"net/http"
	"slices"
	"strings"

	"aftermath"
	"aftermath/internal/chart"
	"aftermath/internal/impact"
)

type actorsPage struct {
	page
	Q      string
	Actors []aftermath.ActorSummary
}

func (s *Server) actors(w http.ResponseWriter, r *http.Request) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	list, err := s.db.SearchActors(r.Context(), viewerOf(r.Context()), q, 200)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "actors.html", actorsPage{page: s.newPage(w, r, "actors.title"), Q: q, Actors: list})
}

type actorPage struct {
	page
	A     *aftermath.Actor
	Chart template.HTML
}

func (s *Server) actor(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, ok := s.idOr404(w, r)
	if !ok {
		return
	}
	a, err := s.db.Actor(ctx, viewerOf(ctx), id)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	p := actorPage{page: s.newPage(w, r, "actors.title"), A: a}
	p.Title = a.Name
	// One line per dataset, never summed, over the months its versions
	// cover: a covered month without events is 0, an uncovered one a gap.
	var series []chart.Series
	for _, d := range countedDatasets(a) {
		months, err := s.db.ActorMonths(ctx, viewerOf(ctx), id, d.Name)
		if err != nil {
			s.PageError(w, r, err)
			return
		}
		cov, err := s.db.DatasetCoverage(ctx, viewerOf(ctx), d.Name)
		if err != nil {
			s.PageError(w, r, err)
			return
		}
		first, last := cov.Span()
		if len(months) == 0 || first == "" {
			continue
		}
		first, last = min(first, months[0].Month), max(last, months[len(months)-1].Month)
		events := map[string]int64{}
		for _, m := range months {
			events[m.Month] = m.Events
		}
		sr := chart.Series{Name: p.L.T("events.title") + " (" + d.Name + ")"}
		for i := impact.MonthIndex(first); i <= impact.MonthIndex(last); i++ {
			m, y := impact.MonthOf(i), math.NaN()
			if cov.Covers(m) {
				y = float64(events[m])
			}
			sr.Points = append(sr.Points, chart.Point{X: float64(i), Y: y})
		}
		series = append(series, sr)
	}
	if len(series) > 0 {
		svg, err := chart.Lines(chart.LineChart{Title: p.L.T("actors.chart"), Desc: a.Name, XLabel: p.L.T("analysis.chart.month_axis"),
			YLabel: p.L.T("analysis.chart.events_axis"), Credit: creditFor(p.L, "", countedDatasets(a)), Series: series,
			FormatX: monthLabel, GapLabel: p.L.T("chart.no_data"), GapDesc: gapDesc(p.L),
			FormatY: func(v float64) string { return p.L.Number(v, 0) }, RTL: p.L.Dir() == "rtl", Width: 720, Height: 280})
		if err == nil {
			p.Chart = template.HTML(svg) // package chart escapes all text
		}
	}
	s.render(w, r, http.StatusOK, "actor.html", p)
}

// countedDatasets are the datasets whose events the actor's chart counts:
// those its spellings come from (the reader sees only the spellings of
// datasets they may see).
func countedDatasets(a *aftermath.Actor) []aftermath.Dataset {
	var out []aftermath.Dataset
	for _, al := range a.Aliases {
		if !slices.ContainsFunc(out, func(d aftermath.Dataset) bool { return d.Name == al.Dataset }) {
			out = append(out, aftermath.Dataset{Name: al.Dataset})
		}
	}
	return out
}
