package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"golang.org/x/text/collate"
	"golang.org/x/text/language"

	"aftermath"
	"aftermath/internal/figures"
	"aftermath/internal/impact"
)

type interventionsPage struct {
	page
	Interventions []aftermath.Intervention
}

func (s *Server) interventions(w http.ResponseWriter, r *http.Request) {
	ivs, err := s.db.Interventions(r.Context(), viewerOf(r.Context()))
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	p := interventionsPage{page: s.newPage(w, r, "interventions.title"), Interventions: ivs}
	// In the order of the names the reader sees, as their language sorts.
	col := collate.New(language.Make(p.L.Tag()))
	name := func(iv aftermath.Intervention) string {
		return translatedText(p.L, iv.Language, iv.Translations, "name", iv.Name)
	}
	slices.SortStableFunc(p.Interventions, func(a, b aftermath.Intervention) int { return col.CompareString(name(a), name(b)) })
	s.render(w, r, http.StatusOK, "interventions.html", p)
}

type citedSource struct {
	aftermath.Citation
	Source aftermath.Source
}

// qualityView is one of the side-by-side re-runs: all data, Clear events
// only, precise locations only.
type qualityView struct {
	Quality string // "all", "clear" or "precise"
	Summary []impact.Period
	Harm    *impact.HarmReport
}

// partnerHarm is one partner force's harm rows, each with its figures in
// every re-run side by side (all data, Clear only, precise only).
type partnerHarm struct {
	impact.HarmPartner
	Linked    bool // a dataset name stands for it
	Qualities []string
	Lines     []harmLine
}

// harmLine is one measure and period; Cells holds the row of each re-run,
// in the order of Qualities (the coverage and dates are the same in all).
type harmLine struct {
	impact.HarmRow
	Cells []impact.HarmRow
}

type interventionPage struct {
	page
	I         *aftermath.Intervention
	Citations []citedSource
	Report    *impact.Report
	// Outcome is the measure of the charts and the summary; Outcomes the
	// others, for links.
	Outcome  string
	Outcomes []string
	// Query carries the outcome (and comparison) to the CSV links.
	Query                       string
	Monthly, Yearly, EventStudy template.HTML
	Views                       []qualityView
	Harm                        []partnerHarm
	Compare                     string
	DiDNote                     string // why the event study could not run
	// Supply is the money-and-arms section; nil without SIPRI or IATI
	// data about the intervention's parties.
	Supply *impact.SupplyReport
}

// qualities are the re-runs shown side by side, in order.
var qualities = []string{"all", "clear", "precise"}

// analysisOptions reads what a page or download of an intervention's
// analysis asks for: ?outcome=, ?quality=clear|precise and ?compare=ISO3,…
// (a comparison area, for the event study).
func analysisOptions(r *http.Request) (impact.Options, error) {
	q := r.URL.Query()
	opt := impact.Options{Viewer: viewerOf(r.Context()), Outcome: q.Get("outcome"), Method: "summary"}
	if opt.Outcome == "" {
		opt.Outcome = "events"
	}
	if !slices.Contains(impact.Outcomes, opt.Outcome) {
		return opt, aftermath.Errorf(aftermath.EINVALID, "outcome %q is not one of %s", opt.Outcome, strings.Join(impact.Outcomes, ", "))
	}
	switch q.Get("quality") {
	case "", "all":
	case "clear":
		opt.ClearOnly = true
	case "precise":
		opt.PreciseOnly = true
	default:
		return opt, aftermath.Errorf(aftermath.EINVALID, "quality %q is not all, clear or precise", q.Get("quality"))
	}
	for _, c := range strings.Split(q.Get("compare"), ",") {
		if c = strings.ToUpper(strings.TrimSpace(c)); c != "" {
			if !iso3RE.MatchString(c) {
				return opt, aftermath.Errorf(aftermath.EINVALID, "compare %q is not an ISO 3166-1 alpha-3 code", c)
			}
			opt.Comparison = append(opt.Comparison, c)
		}
	}
	if len(opt.Comparison) > 0 {
		opt.Method = "did"
	}
	return opt, nil
}

// analysisQuery is the query string that carries opt to a download link.
func analysisQuery(opt impact.Options) string {
	q := url.Values{}
	if opt.Outcome != "events" {
		q.Set("outcome", opt.Outcome)
	}
	if len(opt.Comparison) > 0 {
		q.Set("compare", strings.Join(opt.Comparison, ","))
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

func (s *Server) intervention(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	iv, err := s.db.FindIntervention(ctx, viewerOf(ctx), r.PathValue("slug"))
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	opt, err := analysisOptions(r)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	opt.ClearOnly, opt.PreciseOnly = false, false // the page shows every re-run side by side
	p := interventionPage{page: s.newPage(w, r, "interventions.title"), I: iv, Outcome: opt.Outcome, Query: analysisQuery(opt),
		Compare: strings.Join(opt.Comparison, ",")}
	p.Title = translatedText(p.L, iv.Language, iv.Translations, "name", iv.Name)
	for _, o := range impact.Outcomes {
		if o != opt.Outcome {
			p.Outcomes = append(p.Outcomes, o)
		}
	}
	if p.Citations, err = s.ledgerCites(ctx, iv.Citations); err != nil {
		s.PageError(w, r, err)
		return
	}
	// The analysis needs imported data covering the intervention; without
	// it the page says so rather than failing.
	opt.SideBySide = true
	// The summary names its periods by the phases: in the reader's language.
	named := figures.Localized(p.L, iv)
	rep, err := s.analyze(ctx, named, opt)
	if err != nil && len(opt.Comparison) > 0 && aftermath.ErrorCode(err) == aftermath.EINVALID {
		// The event study could not run (too few months, say): the rest
		// of the page still can.
		p.DiDNote = err.Error()
		opt.Method, opt.Comparison = "summary", nil
		rep, err = s.analyze(ctx, named, opt)
	}
	if err == nil {
		p.Report = rep
		p.Monthly = s.drawn(figures.Monthly(p.L, iv, rep))
		p.Yearly = s.drawn(figures.Yearly(p.L, iv, rep))
		p.EventStudy = s.drawn(figures.EventStudy(p.L, iv, rep))
		p.Views, p.Harm = sideBySide(rep)
	} else if aftermath.ErrorCode(err) != aftermath.EINVALID {
		s.PageError(w, r, err)
		return
	}
	if p.Supply, err = s.supply(ctx, iv); err != nil {
		s.PageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "intervention.html", p)
}

// sideBySide arranges a report's re-runs for the page: the summaries, and
// each partner force's harm rows per re-run.
func sideBySide(rep *impact.Report) ([]qualityView, []partnerHarm) {
	views := []qualityView{{Quality: "all", Summary: rep.Summary, Harm: rep.Harm}}
	for _, v := range rep.Variants {
		views = append(views, qualityView{Quality: v.Quality, Summary: v.Summary, Harm: v.Harm})
	}
	var harm []partnerHarm
	if rep.Harm == nil {
		return views, nil
	}
	for _, hp := range rep.Harm.Partners {
		ph := partnerHarm{HarmPartner: hp, Linked: len(hp.Names) > 0}
		for _, v := range views {
			if v.Harm == nil {
				continue
			}
			ph.Qualities = append(ph.Qualities, v.Quality)
			n := 0
			for _, row := range v.Harm.Rows {
				if row.Partner != hp.Name {
					continue
				}
				if v.Quality == "all" {
					ph.Lines = append(ph.Lines, harmLine{HarmRow: row})
				}
				if n < len(ph.Lines) {
					ph.Lines[n].Cells = append(ph.Lines[n].Cells, row)
				}
				n++
			}
		}
		harm = append(harm, ph)
	}
	return views, harm
}

// The charts are drawn by package figures, shared with briefs; a chart
// that fails to draw is logged and left out of the page.
var (
	monthX         = figures.MonthX
	monthLabel     = figures.MonthLabel
	gapDesc        = figures.GapDesc
	outcomeAxis    = figures.OutcomeAxis
	creditVersions = figures.CreditVersions
)

func (s *Server) drawn(svg template.HTML, err error) template.HTML {
	if err != nil {
		s.log.Error("chart", "err", err)
	}
	return svg
}
