package web

// Charts for others to show: each public chart of an intervention at a
// stable address as a standalone SVG (its data credit drawn inside), and
// as a page made to sit in an <iframe> on a newspaper's or a partner's
// site. Both are read as an anonymous visitor would, whoever asks, so an
// embed never shows more than the public page.

import (
	"html/template"
	"net/http"

	"aftermath"
	"aftermath/internal/figures"
	"aftermath/internal/i18n"
	"aftermath/internal/impact"
)

func (s *Server) routesEmbeds(r *router) {
	for _, kind := range []string{"monthly", "yearly"} {
		r.handle("GET /interventions/{slug}/"+kind+".svg", Public, s.Cached(s.chartSVG(kind)))
		r.handle("GET /embed/interventions/{slug}/"+kind, Public, s.Cached(s.chartEmbed(kind)))
	}
}

// publicChart draws one of an intervention's charts for the public.
func (s *Server) publicChart(r *http.Request, kind string) (*aftermath.Intervention, *i18n.Locale, template.HTML, error) {
	ctx := r.Context()
	iv, err := s.db.FindIntervention(ctx, aftermath.Anonymous, r.PathValue("slug"))
	if err != nil {
		return nil, nil, "", err
	}
	opt, err := analysisOptions(r)
	if err != nil {
		return nil, nil, "", err
	}
	opt.Viewer, opt.Method, opt.Comparison = aftermath.Anonymous, "summary", nil
	rep, err := impact.Analyze(ctx, s.db, iv, opt)
	if err != nil {
		return nil, nil, "", err
	}
	l := s.bundle.Negotiate(r)
	var svg template.HTML
	if kind == "monthly" {
		svg, err = figures.Monthly(l, iv, rep)
	} else {
		svg, err = figures.Yearly(l, iv, rep)
	}
	return iv, l, svg, err
}

func (s *Server) chartSVG(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		_, _, svg, err := s.publicChart(r, kind)
		if err != nil {
			s.embedError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "image/svg+xml; charset=utf-8")
		w.Header().Set("Access-Control-Allow-Origin", "*") // public, and meant to be shown elsewhere
		w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + string(svg)))
	}
}

type embedPage struct {
	L   *i18n.Locale
	I   *aftermath.Intervention
	SVG template.HTML
	CSS string
}

func (s *Server) chartEmbed(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		iv, l, svg, err := s.publicChart(r, kind)
		if err != nil {
			s.embedError(w, r, err)
			return
		}
		s.render(w, r, http.StatusOK, "embed.html", embedPage{L: l, I: iv, SVG: svg, CSS: s.static.url("site.css")})
	}
}

// embedError answers an embed that cannot be drawn: 404 for what the
// public may not see or the data do not cover, with the reason.
func (s *Server) embedError(w http.ResponseWriter, r *http.Request, err error) {
	switch aftermath.ErrorCode(err) {
	case aftermath.ENOTFOUND, aftermath.EINVALID:
		http.Error(w, err.Error(), http.StatusNotFound)
	default:
		s.PageError(w, r, err)
	}
}
