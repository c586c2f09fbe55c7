package web

import (
	"fmt"
	"html/template"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"aftermath"
	"aftermath/internal/actorlink"
	"aftermath/internal/auth"
	"aftermath/internal/chart"
	"aftermath/internal/figures"
	"aftermath/internal/geo"
	"aftermath/internal/i18n"
	"aftermath/internal/impact"
)

func init() {
	// A placeholder code (UCDP's XXX475, ACLED's "Unidentified Armed
	// Group (Nigeria)") is never shown as a name; the code stays visible
	// beside the words as a detail (actorCode).
	funcs["actorName"] = actorName
	funcs["actorCode"] = func(name string) string {
		if p, ok := actorlink.Unidentified(name); ok {
			return figures.Isolate(p.Code) // a Latin code inside Arabic text
		}
		return ""
	}
}

// actorName is an actor's name for the reader: its own, or for a
// placeholder "unidentified" with its kind and country in their language.
func actorName(l *i18n.Locale, name string) string {
	p, ok := actorlink.Unidentified(name)
	if !ok {
		return name
	}
	kind := l.T("actor.unidentified." + p.Kind)
	place := p.Place
	if p.Country != "" {
		place = figures.Country(l, p.Country, p.Place)
	}
	if place == "" {
		return kind
	}
	return l.T("actor.unidentified.in", "kind", kind, "country", place)
}

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
	A        *aftermath.Actor
	P        *aftermath.ActorProfile
	Totals   []actorTotalView
	Years    []actorYearView
	Backs    []aftermath.ActorIntervention
	Partners []aftermath.ActorIntervention
	Chart    template.HTML
	CanMerge bool
	// Duplicates are actors whose names say they are the same state, for
	// an editor to consider merging.
	Duplicates []aftermath.ActorSummary
	// MergeError is the message key of a refused merge.
	MergeError string
	MergeIDs   string
}

// actorTotalView is a dataset's totals with what the dataset covers: an
// actor's events outside those months are unknown, not none.
type actorTotalView struct {
	aftermath.ActorTotal
	From, To string // first and last month covered, "" if unknown
}

// actorYearView is one year of one dataset: its figures where the data
// cover some of it, and how many of its months they cover.
type actorYearView struct {
	Dataset       string
	Year          int
	Covered       int // months of the year the dataset covers
	Events, Best  *int64
	Low, High     *int64
	OutsideEvents bool // events dated in a year the dataset's versions do not cover
}

func (s *Server) actor(w http.ResponseWriter, r *http.Request) {
	id, ok := s.idOr404(w, r)
	if !ok {
		return
	}
	s.showActor(w, r, id, http.StatusOK, func(*actorPage) {})
}

// redirectMerged answers, when err says actor id is not found and it was
// merged, with a permanent redirect to the same page (suffix: "",
// "/timeline", "/scorecard") of the actor it went into, and says so.
func (s *Server) redirectMerged(w http.ResponseWriter, r *http.Request, err error, id int64, suffix string) bool {
	if aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
		return false
	}
	into, merr := s.db.ActorMergedInto(r.Context(), viewerOf(r.Context()), id)
	if merr != nil {
		return false
	}
	http.Redirect(w, r, "/actors/"+strconv.FormatInt(into, 10)+suffix, http.StatusMovedPermanently)
	return true
}

// showActor renders actor id's page; a merged actor's address leads to
// the actor it went into.
func (s *Server) showActor(w http.ResponseWriter, r *http.Request, id int64, status int, set func(*actorPage)) {
	ctx := r.Context()
	v := viewerOf(ctx)
	a, err := s.db.Actor(ctx, v, id)
	if s.redirectMerged(w, r, err, id, "") {
		return
	}
	var prof *aftermath.ActorProfile
	if err == nil {
		prof, err = s.db.ActorProfile(ctx, v, id)
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	p := actorPage{page: s.newPage(w, r, "actors.title"), A: a, P: prof}
	p.Title = actorName(p.L, a.Name)
	p.CanMerge = auth.Can(p.User, auth.ActionWriteInterventions)
	for _, iv := range prof.Interventions {
		if iv.Role == "backer" {
			p.Backs = append(p.Backs, iv)
		} else {
			p.Partners = append(p.Partners, iv)
		}
	}
	coverage := map[string]aftermath.CoverageSet{}
	for _, t := range prof.Totals {
		cov, err := s.db.DatasetCoverage(ctx, v, t.Dataset)
		if err != nil {
			s.PageError(w, r, err)
			return
		}
		coverage[t.Dataset] = cov
		tv := actorTotalView{ActorTotal: t}
		tv.From, tv.To = cov.Span()
		p.Totals = append(p.Totals, tv)
		p.Years = append(p.Years, actorYears(t, prof.Years, cov)...)
	}
	if p.CanMerge {
		if p.Duplicates, err = s.sameState(r, a); err != nil {
			s.PageError(w, r, err)
			return
		}
	}
	if p.Chart, err = s.actorChart(r, p.L, a, coverage); err != nil {
		s.PageError(w, r, err)
		return
	}
	set(&p)
	s.render(w, r, status, "actor.html", p)
}

// sameState lists the other actors whose names say they are the same
// state as a (UCDP's "Government of Mali", the ledger's "Mali").
func (s *Server) sameState(r *http.Request, a *aftermath.Actor) ([]aftermath.ActorSummary, error) {
	iso, ok := actorlink.StateOf(a.Name)
	if !ok {
		return nil, nil
	}
	c, _ := geo.ByAlpha3(iso)
	list, err := s.db.SearchActors(r.Context(), viewerOf(r.Context()), c.Name, 100)
	if err != nil {
		return nil, err
	}
	var out []aftermath.ActorSummary
	for _, x := range list {
		if other, ok := actorlink.StateOf(x.Name); ok && other == iso && x.ID != a.ID {
			out = append(out, x)
		}
	}
	return out, nil
}

// actorYears lists every year from the first covered or with events to
// the last, for one dataset: a year the data do not cover has no figures.
func actorYears(t aftermath.ActorTotal, years []aftermath.ActorYear, cov aftermath.CoverageSet) []actorYearView {
	first, last := cov.Span()
	lo, hi := yearOf(t.First), yearOf(t.Last)
	if first != "" {
		lo, hi = min(lo, yearOf(first)), max(hi, yearOf(last))
	}
	byYear := map[int]aftermath.ActorYear{}
	for _, y := range years {
		if y.Dataset == t.Dataset {
			byYear[y.Year] = y
		}
	}
	var out []actorYearView
	for y := lo; y <= hi; y++ {
		row := actorYearView{Dataset: t.Dataset, Year: y}
		for m := 1; m <= 12; m++ {
			if cov.Covers(fmt.Sprintf("%04d-%02d", y, m)) {
				row.Covered++
			}
		}
		d, has := byYear[y]
		if row.Covered > 0 || has {
			row.Events, row.Best, row.Low, row.High = &d.Events, &d.DeathsBest, &d.DeathsLow, &d.DeathsHigh
		}
		row.OutsideEvents = has && row.Covered == 0
		out = append(out, row)
	}
	return out
}

func yearOf(month string) int {
	y, _ := strconv.Atoi(strings.SplitN(month, "-", 2)[0])
	return y
}

// actorChart draws one line per dataset, never summed, over the months
// its versions cover: a covered month without events is 0, an uncovered
// one a gap. It counts the events the actor was the primary actor of.
func (s *Server) actorChart(r *http.Request, l *i18n.Locale, a *aftermath.Actor, coverage map[string]aftermath.CoverageSet) (template.HTML, error) {
	ctx := r.Context()
	var series []chart.Series
	datasets := countedDatasets(a)
	for _, d := range datasets {
		months, err := s.db.ActorMonths(ctx, viewerOf(ctx), a.ID, d.Name)
		if err != nil {
			return "", err
		}
		cov, ok := coverage[d.Name]
		if !ok {
			if cov, err = s.db.DatasetCoverage(ctx, viewerOf(ctx), d.Name); err != nil {
				return "", err
			}
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
		sr := chart.Series{Name: l.T("events.title") + " (" + d.Name + ")"}
		for i := impact.MonthIndex(first); i <= impact.MonthIndex(last); i++ {
			m, y := impact.MonthOf(i), math.NaN()
			if cov.Covers(m) {
				y = float64(events[m])
			}
			sr.Points = append(sr.Points, chart.Point{X: float64(i), Y: y})
		}
		series = append(series, sr)
	}
	if len(series) == 0 {
		return "", nil
	}
	svg, err := chart.Lines(chart.LineChart{Title: l.T("actors.chart"), Desc: actorName(l, a.Name), XLabel: l.T("analysis.chart.month_axis"),
		YLabel: l.T("analysis.chart.events_axis"), Credit: figures.Credit(l, "", datasets), Series: series,
		FormatX: figures.MonthLabel, GapLabel: l.T("chart.no_data"), GapDesc: figures.GapDesc(l),
		FormatY: func(v float64) string { return l.Number(v, 0) }, RTL: l.Dir() == "rtl", Width: 720, Height: 280})
	if err != nil {
		return "", nil // a chart that cannot be drawn leaves the tables
	}
	return template.HTML(svg), nil // package chart escapes all text
}

// actorMerge merges the actors named in the form into the page's actor;
// the store decides who may.
func (s *Server) actorMerge(w http.ResponseWriter, r *http.Request) {
	id, ok := s.idOr404(w, r)
	if !ok {
		return
	}
	ctx := r.Context()
	if err := r.ParseForm(); err != nil {
		s.PageError(w, r, aftermath.Errorf(aftermath.EINVALID, "merge form: %v", err))
		return
	}
	// The suggested duplicates' boxes and the typed numbers, together.
	raw := strings.Join(r.PostForm["ids"], " ")
	ids, err := parseActorIDs(raw)
	if err == nil {
		err = s.db.MergeActors(ctx, viewerOf(ctx), id, ids)
	}
	if err == nil {
		http.Redirect(w, r, "/actors/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
		return
	}
	key := "actor.merge.error." + strings.ToLower(aftermath.ErrorCode(err))
	switch aftermath.ErrorCode(err) {
	case aftermath.EINVALID, aftermath.ENOTFOUND, aftermath.EFORBIDDEN:
	default:
		s.PageError(w, r, err)
		return
	}
	if _, serr := s.db.Actor(ctx, viewerOf(ctx), id); serr != nil {
		s.PageError(w, r, serr) // the page's own actor is gone or hidden
		return
	}
	s.showActor(w, r, id, refusalStatus(err, http.StatusUnprocessableEntity), func(p *actorPage) { p.MergeError, p.MergeIDs = key, raw })
}

// parseActorIDs reads actor numbers separated by spaces or commas.
func parseActorIDs(s string) ([]int64, error) {
	var ids []int64
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r' }) {
		n, err := strconv.ParseInt(strings.TrimPrefix(strings.TrimSpace(f), "#"), 10, 64)
		if err != nil || n <= 0 {
			return nil, aftermath.Errorf(aftermath.EINVALID, "%q is not an actor number", f)
		}
		ids = append(ids, n)
	}
	if len(ids) == 0 {
		return nil, aftermath.Errorf(aftermath.EINVALID, "no actor numbers")
	}
	return ids, nil
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

// Deaths is the dataset's best estimate with its low–high range.
func (t actorTotalView) Deaths(l *i18n.Locale) string {
	return figures.Range(l, &t.DeathsBest, &t.DeathsLow, &t.DeathsHigh)
}
