package web

// Timelines and scorecards: the ledger read across records, for one
// intervention or one decision-maker. Every number links to the records
// it counts.

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"aftermath"
	"aftermath/internal/i18n"
	"aftermath/internal/impact"
	"aftermath/internal/sqldb"
)

// followed is what the event data shows in an intervention's area around
// it (impact.Analyze's summary and harm by partner forces); Report is nil
// when the imported data does not cover it.
type followed struct {
	L      *i18n.Locale
	I      aftermath.Intervention
	Report *impact.Report
}

type recurRow struct {
	recurView
	RecID    int64
	RecTitle string
}

// changeRow is one judgement of a recommendation's status, on a timeline.
type changeRow struct {
	aftermath.StatusChange
	RecID    int64
	RecTitle string
}

type timelinePage struct {
	page
	IV          *aftermath.Intervention // an intervention's timeline
	A           *aftermath.Actor        // a decision-maker's timeline
	Decisions   []aftermath.Decision
	Followed    []followed
	Inquiries   []aftermath.Inquiry
	Recs        []recRow
	Changes     []changeRow // status changes, by date
	Recurrences []recurRow
	Claims      []aftermath.Claim
	Items       []aftermath.TimelineItem // everything, by date
}

func (s *Server) interventionTimeline(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	iv, err := s.db.FindIntervention(ctx, viewerOf(ctx), r.PathValue("slug"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p := timelinePage{IV: iv}
	if err := s.fillTimeline(ctx, &p, sqldb.TimelineFilter{InterventionID: iv.ID}, []aftermath.Intervention{*iv}); err != nil {
		s.pageError(w, r, err)
		return
	}
	p.page = s.newPage(w, r, "ledger.timeline.title")
	p.Title = p.L.T("ledger.timeline.of", "name", iv.Name)
	s.fillFollowedLocale(&p)
	s.render(w, r, http.StatusOK, "timeline.html", p)
}

func (s *Server) actorTimeline(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := viewerOf(ctx)
	id, err := pathID(r)
	var a *aftermath.Actor
	if err == nil {
		a, err = s.db.Actor(ctx, v, id)
	}
	var sc *aftermath.Scorecard
	if err == nil {
		sc, err = s.db.Scorecard(ctx, v, id)
	}
	var ds []aftermath.Decision
	if err == nil {
		ds, err = s.db.Decisions(ctx, v, sqldb.DecisionFilter{ActorID: id})
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	// What followed: the interventions its decisions concern and those it
	// backs.
	var ids []int64
	for _, d := range ds {
		ids = append(ids, d.InterventionIDs...)
	}
	ids = append(ids, sc.InterventionsBacked.IDs...)
	slices.Sort(ids)
	ivs, err := s.ledgerInterventions(ctx, slices.Compact(ids))
	p := timelinePage{A: a}
	if err == nil {
		err = s.fillTimeline(ctx, &p, sqldb.TimelineFilter{ActorID: id}, ivs)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p.page = s.newPage(w, r, "ledger.timeline.title")
	p.Title = p.L.T("ledger.timeline.of", "name", a.Name)
	s.fillFollowedLocale(&p)
	s.render(w, r, http.StatusOK, "timeline.html", p)
}

func (s *Server) fillFollowedLocale(p *timelinePage) {
	for i := range p.Followed {
		p.Followed[i].L = p.L
	}
}

// fillTimeline reads, as the viewer may see them, the records of an
// intervention or an actor in the order the timeline tells them.
func (s *Server) fillTimeline(ctx context.Context, p *timelinePage, f sqldb.TimelineFilter, ivs []aftermath.Intervention) error {
	v := viewerOf(ctx)
	var err error
	if p.Decisions, err = s.db.Decisions(ctx, v, sqldb.DecisionFilter{InterventionID: f.InterventionID, ActorID: f.ActorID}); err != nil {
		return err
	}
	if p.Inquiries, err = s.db.Inquiries(ctx, v, sqldb.InquiryFilter{InterventionID: f.InterventionID, ActorID: f.ActorID}); err != nil {
		return err
	}
	rs, err := s.db.Recommendations(ctx, v, sqldb.RecommendationFilter{InterventionID: f.InterventionID, AddresseeID: f.ActorID})
	if err != nil {
		return err
	}
	if p.Recs, err = s.recRows(ctx, rs); err != nil {
		return err
	}
	for _, rec := range p.Recs {
		xs, err := s.recurrences(ctx, rec.Recurrences)
		if err != nil {
			return err
		}
		for _, x := range xs {
			p.Recurrences = append(p.Recurrences, recurRow{recurView: x, RecID: rec.ID, RecTitle: ledgerTitle(rec.Number, rec.Text)})
		}
	}
	if p.Claims, err = s.db.Claims(ctx, v, sqldb.ClaimFilter{AuthorID: f.ActorID, InterventionID: f.InterventionID}); err != nil {
		return err
	}
	if p.Items, err = s.db.LedgerTimeline(ctx, v, f); err != nil {
		return err
	}
	for _, rec := range p.Recs {
		for _, h := range rec.History {
			p.Changes = append(p.Changes, changeRow{StatusChange: h, RecID: rec.ID, RecTitle: ledgerTitle(rec.Number, rec.Text)})
		}
	}
	slices.SortStableFunc(p.Changes, func(a, b changeRow) int { return strings.Compare(a.Date, b.Date) })
	for _, iv := range ivs {
		fw := followed{I: iv}
		rep, err := impact.Analyze(ctx, s.db, &iv, impact.Options{Viewer: v})
		if err != nil && aftermath.ErrorCode(err) != aftermath.EINVALID {
			return err
		}
		fw.Report = rep
		p.Followed = append(p.Followed, fw)
	}
	return nil
}

// ---- scorecards ----

// figureRow is one number of a scorecard and the list of what it counts.
type figureRow struct {
	Key   string // its label's message key
	Count int
	Link  string
}

// harmArea is the event data of one area of a backed intervention over
// the intervention's span (within the data), linked to exactly those
// events in the explorer.
type harmArea struct {
	Area              string
	From, To          string // YYYY-MM
	Events, Civilians int64
	Link              string
}

type backedView struct {
	followed
	Areas []harmArea
}

type scorecardPage struct {
	page
	A         *aftermath.Actor
	SC        *aftermath.Scorecard
	Figures   []figureRow
	ShareLink string
	Backed    []backedView
}

func (s *Server) scorecard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := viewerOf(ctx)
	id, err := pathID(r)
	var a *aftermath.Actor
	if err == nil {
		a, err = s.db.Actor(ctx, v, id)
	}
	var sc *aftermath.Scorecard
	if err == nil {
		sc, err = s.db.Scorecard(ctx, v, id)
	}
	var backed []aftermath.Intervention
	if err == nil {
		backed, err = s.ledgerInterventions(ctx, sc.InterventionsBacked.IDs)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	p := scorecardPage{page: s.newPage(w, r, "ledger.scorecard.title"), A: a, SC: sc}
	p.Title = p.L.T("ledger.scorecard.of", "name", a.Name)
	ids := strconv.FormatInt(id, 10)
	recs := func(extra string) string { return "/recommendations?addressee=" + ids + extra }
	p.Figures = []figureRow{
		{"ledger.score.decisions", sc.Decisions.Count, "/decisions?maker=" + ids},
		{"ledger.score.interventions_backed", sc.InterventionsBacked.Count, "#backed"},
		{"ledger.score.inquiries", sc.Inquiries.Count, "/inquiries?subject=" + ids},
		{"ledger.score.recommendations", sc.Recommendations.Count, recs("")},
		{"ledger.score.open", sc.Open.Count, recs("&status=" + aftermath.StatusOpen)},
		{"ledger.score.implemented", sc.Implemented.Count, recs("&status=" + aftermath.StatusImplemented)},
		{"ledger.score.partly_implemented", sc.PartlyImplemented.Count, recs("&status=" + aftermath.StatusPartlyImplemented)},
		{"ledger.score.not_implemented", sc.NotImplemented.Count, recs("&status=" + aftermath.StatusNotImplemented)},
		{"ledger.score.superseded", sc.Superseded.Count, recs("&status=" + aftermath.StatusSuperseded)},
		{"ledger.score.overdue", sc.Overdue.Count, recs("&overdue=1")},
		{"ledger.score.claims_reviewed", sc.ClaimsReviewed.Count, "/claims?author=" + ids + "&published=1"},
		{"ledger.score.claims_contradicted", sc.ClaimsContradicted.Count, "/claims?author=" + ids + "&published=1&contradicted=1"},
	}
	p.ShareLink = recs("&status=" + aftermath.StatusImplemented)
	for _, iv := range backed {
		bv, err := s.backedHarm(ctx, iv)
		if err != nil {
			s.fail(ctx, w, err)
			return
		}
		bv.L = p.L
		for i := range bv.Areas {
			bv.Areas[i].Area = areaName(p.L, iv.Area[i])
		}
		p.Backed = append(p.Backed, bv)
	}
	s.render(w, r, http.StatusOK, "scorecard.html", p)
}

func areaName(l *i18n.Locale, a aftermath.AreaRef) string {
	name := countryName(l, a.Country, a.Country)
	if a.Admin1 != "" {
		name += " – " + a.Admin1
	}
	return name
}

// backedHarm reads what the event data records in a backed intervention's
// area: the analysis of the whole area (impact.Analyze: before, during and
// after, and harm by partner forces), and per area, events and civilian
// deaths over the intervention's span within the data, from the same
// monthly aggregates the analysis sums.
func (s *Server) backedHarm(ctx context.Context, iv aftermath.Intervention) (backedView, error) {
	v := viewerOf(ctx)
	bv := backedView{followed: followed{I: iv}, Areas: make([]harmArea, len(iv.Area))}
	rep, err := impact.Analyze(ctx, s.db, &iv, impact.Options{Viewer: v})
	if aftermath.ErrorCode(err) == aftermath.EINVALID {
		return bv, nil // not covered by the imported data
	}
	if err != nil {
		return bv, err
	}
	bv.Report = rep
	// Analyze has checked that the data covers part of the span.
	from, to := max(monthOf(iv.Start()), rep.Coverage[0]), rep.Coverage[1]
	if end := monthOf(iv.End()); end != "" && end < to {
		to = end
	}
	for i, area := range iv.Area {
		h := harmArea{From: from, To: to}
		totals, err := s.db.MonthlyTotals(ctx, sqldb.AreaFilter{Viewer: v, Dataset: rep.Dataset, Area: []aftermath.AreaRef{area}, From: from, To: to})
		if err != nil {
			return bv, err
		}
		for _, m := range totals {
			h.Events += m.Events
			h.Civilians += m.DeathsCivilians
		}
		spelled, err := s.spelledCountry(ctx, rep.Dataset, area.Country)
		if err != nil {
			return bv, err
		}
		q := url.Values{"dataset": {rep.Dataset}, "country": {spelled}, "from": {from + "-01"}, "to": {lastDay(to)}}
		if area.Admin1 != "" {
			q.Set("admin1", area.Admin1)
		}
		h.Link = "/events?" + q.Encode()
		bv.Areas[i] = h
	}
	return bv, nil
}

// spelledCountry is how a dataset spells a country (ISO 3166-1 alpha-3),
// as the events explorer filters by it.
func (s *Server) spelledCountry(ctx context.Context, dataset, iso3 string) (string, error) {
	totals, err := s.db.PlaceTotals(ctx, viewerOf(ctx), iso3)
	if err != nil {
		return "", err
	}
	for _, t := range totals {
		if t.Dataset == dataset && t.Country != "" {
			return t.Country, nil
		}
	}
	return iso3, nil // no events there: the explorer lists none, as counted
}

// monthOf turns YYYY-MM-DD into YYYY-MM ("" stays "").
func monthOf(date string) string {
	if len(date) < 7 {
		return ""
	}
	return date[:7]
}

// lastDay is the last day of a month (YYYY-MM → YYYY-MM-DD).
func lastDay(month string) string {
	t, err := time.Parse("2006-01", month)
	if err != nil {
		return month
	}
	return t.AddDate(0, 1, -1).Format("2006-01-02")
}
