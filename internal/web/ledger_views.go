package web

// Timelines and scorecards: the ledger read across records, for one
// intervention or one decision-maker. Every number links to the records
// it counts.

import (
	"context"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"aftermath"
	"aftermath/internal/figures"
	"aftermath/internal/i18n"
	"aftermath/internal/impact"
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
	// Texts are the records' main texts with their languages, so that
	// the chronology shows each item's title in the reader's language.
	Texts map[string]recordText
}

// recordText is a record's main text, its language and translations.
type recordText struct {
	Own   string
	T     aftermath.Translations
	Field string
}

// textKey names a record in timelinePage.Texts; a status change is its
// recommendation's.
func textKey(itemType string, id int64) string {
	if itemType == aftermath.TimelineStatus {
		itemType = aftermath.TimelineRecommendation
	}
	return itemType + "/" + strconv.FormatInt(id, 10)
}

func init() {
	// itemTitle is a chronology item's title in the reader's language.
	funcs["itemTitle"] = func(l *i18n.Locale, texts map[string]recordText, it aftermath.TimelineItem) template.HTML {
		rt, ok := texts[textKey(it.Type, it.ID)]
		if !ok {
			return mark(l, it.Title, l.Tag(), 160)
		}
		s, in := rt.T.For(l.Tag(), rt.Own, rt.Field, it.Title)
		return mark(l, s, in, 160)
	}
}

func (s *Server) interventionTimeline(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	iv, err := s.db.FindIntervention(ctx, viewerOf(ctx), r.PathValue("slug"))
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	// The page first: what followed is worded in its language.
	p := timelinePage{IV: iv, page: s.newPage(w, r, "ledger.timeline.title")}
	if err := s.fillTimeline(ctx, &p, aftermath.TimelineFilter{InterventionID: iv.ID}, []aftermath.Intervention{*iv}); err != nil {
		s.PageError(w, r, err)
		return
	}
	p.Title = p.L.T("ledger.timeline.of", "name", translatedText(p.L, iv.Language, iv.Translations, "name", iv.Name))
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
	if s.redirectMerged(w, r, err, id, "/timeline") {
		return
	}
	var sc *aftermath.Scorecard
	if err == nil {
		sc, err = s.db.Scorecard(ctx, v, id)
	}
	var ds []aftermath.Decision
	if err == nil {
		ds, err = s.db.Decisions(ctx, v, aftermath.DecisionFilter{ActorID: id})
	}
	if err != nil {
		s.PageError(w, r, err)
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
	p := timelinePage{A: a, page: s.newPage(w, r, "ledger.timeline.title")}
	if err == nil {
		err = s.fillTimeline(ctx, &p, aftermath.TimelineFilter{ActorID: id}, ivs)
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
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
func (s *Server) fillTimeline(ctx context.Context, p *timelinePage, f aftermath.TimelineFilter, ivs []aftermath.Intervention) error {
	v := viewerOf(ctx)
	var err error
	if p.Decisions, err = s.db.Decisions(ctx, v, aftermath.DecisionFilter{InterventionID: f.InterventionID, ActorID: f.ActorID}); err != nil {
		return err
	}
	if p.Inquiries, err = s.db.Inquiries(ctx, v, aftermath.InquiryFilter{InterventionID: f.InterventionID, ActorID: f.ActorID}); err != nil {
		return err
	}
	rs, err := s.db.Recommendations(ctx, v, aftermath.RecommendationFilter{InterventionID: f.InterventionID, AddresseeID: f.ActorID})
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
	if p.Claims, err = s.db.Claims(ctx, v, aftermath.ClaimFilter{AuthorID: f.ActorID, InterventionID: f.InterventionID}); err != nil {
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
	p.Texts = map[string]recordText{}
	for _, d := range p.Decisions {
		p.Texts[textKey(aftermath.TimelineDecision, d.ID)] = recordText{d.Language, d.Translations, "summary"}
	}
	for _, q := range p.Inquiries {
		p.Texts[textKey(aftermath.TimelineInquiry, q.ID)] = recordText{q.Language, q.Translations, "title"}
	}
	for _, r := range p.Recs {
		p.Texts[textKey(aftermath.TimelineRecommendation, r.ID)] = recordText{r.Language, r.Translations, "text"}
	}
	for _, c := range p.Claims {
		p.Texts[textKey(aftermath.TimelineClaim, c.ID)] = recordText{c.Language, c.Translations, "text"}
	}
	for _, iv := range ivs {
		fw := followed{I: iv}
		rep, err := impact.Analyze(ctx, s.db, figures.Localized(p.L, &iv), impact.Options{Viewer: v})
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

// backedView is a backed intervention with the harm by the forces it
// backed, through their own events (impact.Harm): one-sided violence and
// battles, before, during and after their support. Nothing in the
// intervention's area is attributed to the backer by place. Harm is nil
// when the intervention names no partner force or the imported data do not
// cover it (NoData).
type backedView struct {
	L      *i18n.Locale
	I      aftermath.Intervention
	Harm   *impact.HarmReport
	NoData bool
	// Supplied is what the backer delivered to the partners' states
	// (SIPRI) and what each partner did afterwards by its own events.
	Supplied []impact.BackerSupply
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
	if s.redirectMerged(w, r, err, id, "/scorecard") {
		return
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
		s.PageError(w, r, err)
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
		bv := backedView{L: p.L, I: iv}
		if len(iv.PartnerForces) > 0 {
			bv.Harm, err = impact.Harm(ctx, s.db, &iv, impact.HarmOptions{Viewer: v})
			if aftermath.ErrorCode(err) == aftermath.EINVALID {
				bv.NoData, err = true, nil
			}
			if err != nil {
				s.PageError(w, r, err)
				return
			}
		}
		if bv.Supplied, err = s.suppliedBy(ctx, &iv, a); err != nil {
			s.PageError(w, r, err)
			return
		}
		p.Backed = append(p.Backed, bv)
	}
	s.render(w, r, http.StatusOK, "scorecard.html", p)
}
