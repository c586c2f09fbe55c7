package web

import (
	"html/template"
	"net/http"

	"aftermath"
	"aftermath/internal/chart"
	"aftermath/internal/i18n"
	"aftermath/internal/impact"
)

type interventionsPage struct {
	page
	Interventions []aftermath.Intervention
}

func (s *Server) interventions(w http.ResponseWriter, r *http.Request) {
	ivs, err := s.db.Interventions(r.Context(), viewerOf(r.Context()))
	if err != nil {
		s.fail(r.Context(), w, err)
		return
	}
	s.render(w, r, http.StatusOK, "interventions.html", interventionsPage{page: s.newPage(w, r, "interventions.title"), Interventions: ivs})
}

type citedSource struct {
	aftermath.Citation
	Source aftermath.Source
}

type interventionPage struct {
	page
	I               *aftermath.Intervention
	Citations       []citedSource
	Report          *impact.Report
	Monthly, Yearly template.HTML
}

func (s *Server) intervention(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	iv, err := s.db.FindIntervention(ctx, viewerOf(ctx), r.PathValue("slug"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p := interventionPage{page: s.newPage(w, r, "interventions.title"), I: iv}
	p.Title = iv.Name
	for _, c := range iv.Citations {
		src, err := s.db.Source(ctx, viewerOf(ctx), c.SourceID)
		if err != nil {
			s.fail(ctx, w, err)
			return
		}
		p.Citations = append(p.Citations, citedSource{Citation: c, Source: *src})
	}
	// The analysis needs imported data covering the intervention; without
	// it the page says so rather than failing.
	if rep, err := impact.Analyze(ctx, s.db, iv, impact.Options{Viewer: viewerOf(ctx)}); err == nil {
		p.Report = rep
		p.Monthly, p.Yearly = s.impactCharts(p.L, iv, rep)
	} else if aftermath.ErrorCode(err) != aftermath.EINVALID {
		s.fail(ctx, w, err)
		return
	}
	s.render(w, r, http.StatusOK, "intervention.html", p)
}

// monthX places a YYYY-MM on the charts' x axis.
func monthX(m string) float64 { return float64(impact.MonthIndex(m)) }

// monthLabel labels a point of the charts' x axis.
func monthLabel(x float64) string { return impact.MonthOf(int(x)) }

func (s *Server) impactCharts(l *i18n.Locale, iv *aftermath.Intervention, rep *impact.Report) (template.HTML, template.HTML) {
	rtl := l.Dir() == "rtl"
	credit := l.T("data.credit.ucdp")
	total := chart.Series{Name: l.T("events.title")}
	partner := chart.Series{Name: l.T("analysis.class.partner"), Dashed: true}
	for _, m := range rep.Series {
		x := monthX(m.Month)
		total.Points = append(total.Points, chart.Point{X: x, Y: float64(m.Total)})
		partner.Points = append(partner.Points, chart.Point{X: x, Y: float64(m.Partner)})
	}
	lc := chart.LineChart{Title: l.T("analysis.chart.monthly"), Desc: iv.Name, XLabel: l.T("analysis.chart.month_axis"),
		YLabel: l.T("analysis.chart.events_axis"), Credit: credit, Series: []chart.Series{total, partner}, FormatX: monthLabel,
		FormatY: func(v float64) string { return l.Number(v, 0) }, RTL: rtl, Width: 720, Height: 320}
	last := rep.Series[len(rep.Series)-1].Month
	for _, ph := range iv.Phases {
		from, to := ph.Start[:7], last
		if ph.End != "" && ph.End[:7] < to {
			to = ph.End[:7]
		}
		if from < rep.Window[0] {
			from = rep.Window[0]
		}
		if from <= to {
			lc.Bands = append(lc.Bands, chart.Band{From: monthX(from), To: monthX(to), Label: ph.Name})
		}
	}
	monthly, err := chart.Lines(lc)
	if err != nil {
		s.log.Error("monthly chart", "err", err)
	}
	bc := chart.BarChart{Title: l.T("analysis.chart.yearly"), Desc: iv.Name, XLabel: l.T("analysis.chart.year_axis"),
		YLabel: l.T("analysis.chart.events_axis"), Credit: credit, RTL: rtl, Width: 720, Height: 320,
		FormatY: func(v float64) string { return l.Number(v, 0) }}
	segs := []chart.Segment{{Name: l.T("analysis.class.partner")}, {Name: l.T("analysis.class.intervening")},
		{Name: l.T("analysis.class.armed_groups")}, {Name: l.T("analysis.class.others")}}
	for _, y := range rep.Yearly {
		bc.Categories = append(bc.Categories, y.Month)
		for i, v := range []int64{y.Partner, y.Intervening, y.ArmedGroups, y.Others} {
			segs[i].Values = append(segs[i].Values, float64(v))
		}
	}
	bc.Segments = segs
	yearly, err := chart.StackedBars(bc)
	if err != nil {
		s.log.Error("yearly chart", "err", err)
	}
	// Package chart escapes every text it draws.
	return template.HTML(monthly), template.HTML(yearly)
}
