package web

// The accountability ledger's pages: decisions, inquiries with their
// findings, recommendations with their status history, and claims. Every
// read goes through the store with the reader's viewer, so a record the
// reader may not see answers 404 exactly like one that does not exist.
// Timelines and scorecards are in ledger_views.go, the forms in
// ledger_forms.go, the CSV exports in ledger_csv.go and the JSON API in
// internal/web/api.

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"aftermath"
	"aftermath/internal/auth"
	"aftermath/internal/i18n"
	"aftermath/internal/ledger"
)

func (s *Server) routesLedger(r *router) {
	r.handle("GET /ledger", Public, s.Cached(s.ledgerHome))
	for _, t := range ledgerTables {
		r.handle("GET /ledger/"+t.name+".csv", Public, s.ledgerCSV(t.name, t.write))
	}
	r.handle("GET /decisions", Public, s.Cached(s.decisionsList))
	r.handle("GET /decisions/new", SignedIn, s.signedIn(s.decisionForm))
	r.handle("POST /decisions", Form, s.CheckCSRF(s.signedIn(s.decisionCreate)))
	r.handle("GET /decisions/{id}", Public, s.Cached(s.decisionPage))
	r.handle("GET /inquiries", Public, s.Cached(s.inquiriesList))
	r.handle("GET /inquiries/new", SignedIn, s.signedIn(s.inquiryForm))
	r.handle("POST /inquiries", Form, s.CheckCSRF(s.signedIn(s.inquiryCreate)))
	r.handle("GET /inquiries/{id}", Public, s.Cached(s.inquiryPage))
	r.handle("GET /recommendations", Public, s.Cached(s.recommendationsList))
	r.handle("GET /recommendations/new", SignedIn, s.signedIn(s.recommendationForm))
	r.handle("POST /recommendations", Form, s.CheckCSRF(s.signedIn(s.recommendationCreate)))
	r.handle("GET /recommendations/{id}", Public, s.Cached(s.recommendationPage))
	r.handle("GET /recommendations/{id}/status", SignedIn, s.signedIn(s.statusForm))
	r.handle("POST /recommendations/{id}/status", Form, s.CheckCSRF(s.signedIn(s.statusCreate)))
	r.handle("GET /claims", Public, s.Cached(s.claimsList))
	r.handle("GET /claims/new", SignedIn, s.signedIn(s.claimForm))
	r.handle("POST /claims", Form, s.CheckCSRF(s.signedIn(s.claimCreate)))
	// Not cached: the page's ClaimReview names the site by the request's
	// host, and a cached copy would hand one request's host to everyone.
	r.handle("GET /claims/{id}", Public, s.claimPage)
	r.handle("GET /interventions/{slug}/timeline", Public, s.Cached(s.interventionTimeline))
	r.handle("GET /actors/{id}/timeline", Public, s.Cached(s.actorTimeline))
	r.handle("GET /actors/{id}/scorecard", Public, s.Cached(s.scorecard))
}

func init() {
	// The ledger's template helpers, kept beside the pages that use them.
	funcs["ldate"] = ledgerDate
	funcs["cites"] = func(l *i18n.Locale, cs []citedSource) citeList { return citeList{L: l, Cites: cs} }
	funcs["uncited"] = func(l *i18n.Locale, fields []string) uncitedList { return uncitedList{L: l, Fields: fields} }
	funcs["recStatus"] = func(l *i18n.Locale, status, date string, overdue bool) statusBadge {
		return statusBadge{L: l, Status: status, Date: date, Overdue: overdue}
	}
	funcs["actorField"] = func(f ledgerForm, name string) actorField { return actorField{F: f, Name: name} }
	funcs["itemPath"] = itemPath
	funcs["percent"] = func(l *i18n.Locale, v float64) string { return l.T("ledger.percent", "value", l.Number(v*100, 0)) }
	funcs["short"] = shortText
}

// itemPath is the page of a timeline item's record (a status change: its
// row in the recommendation's history).
func itemPath(it aftermath.TimelineItem) string {
	id := strconv.FormatInt(it.ID, 10)
	switch it.Type {
	case aftermath.TimelineDecision:
		return "/decisions/" + id
	case aftermath.TimelineInquiry:
		return "/inquiries/" + id
	case aftermath.TimelineClaim:
		return ledger.ClaimPath(it.ID)
	case aftermath.TimelineStatus:
		return "/recommendations/" + id + "#change-" + strconv.FormatInt(it.ChangeID, 10)
	}
	return "/recommendations/" + id
}

// ledgerDate writes a ledger date for the reader: a full day, a month and
// year, or a year, as precisely as the record knows it.
func ledgerDate(l *i18n.Locale, s string) string {
	switch len(s) {
	case 10:
		if t, err := time.Parse("2006-01-02", s); err == nil {
			return l.Date(t)
		}
	case 7:
		if t, err := time.Parse("2006-01", s); err == nil {
			return l.Month(t)
		}
	}
	return s
}

// citeList is what the citation partials need: the locale and the
// citations with their sources.
type citeList struct {
	L     *i18n.Locale
	Cites []citedSource
}

// uncitedList is what the partial flagging uncited fields needs.
type uncitedList struct {
	L      *i18n.Locale
	Fields []string
}

// statusBadge is a recommendation's current status, as lists show it.
type statusBadge struct {
	L            *i18n.Locale
	Status, Date string
	Overdue      bool
}

// actorField is a form's field naming an actor, with its kind.
type actorField struct {
	F    ledgerForm
	Name string
}

// ledgerCites pairs citations with their sources; a source the reader may
// not see is left out with its citation (the store already does so).
func (s *Server) ledgerCites(ctx context.Context, cs []aftermath.Citation) ([]citedSource, error) {
	ids := make([]int64, 0, len(cs))
	for _, c := range cs {
		ids = append(ids, c.SourceID)
	}
	srcs, err := s.db.SourcesByID(ctx, viewerOf(ctx), ids)
	if err != nil {
		return nil, err
	}
	out := make([]citedSource, 0, len(cs))
	for _, c := range cs {
		if src, ok := srcs[c.SourceID]; ok {
			out = append(out, citedSource{Citation: c, Source: src})
		}
	}
	return out, nil
}

// ledgerInterventions returns the interventions of ids the reader may see.
func (s *Server) ledgerInterventions(ctx context.Context, ids []int64) ([]aftermath.Intervention, error) {
	var out []aftermath.Intervention
	for _, id := range ids {
		iv, err := s.db.Intervention(ctx, viewerOf(ctx), id)
		if aftermath.ErrorCode(err) == aftermath.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		out = append(out, *iv)
	}
	return out, nil
}

// latest returns the last n of a list that runs oldest first, newest
// first.
func latest[T any](xs []T, n int) []T {
	out := slices.Clone(xs[max(0, len(xs)-n):])
	slices.Reverse(out)
	return out
}

// canWriteLedger tells the pages whether to offer the forms.
func canWriteLedger(ctx context.Context) bool { return auth.Can(userOf(ctx), auth.ActionWriteLedger) }

// ---- the overview ----

type ledgerHomePage struct {
	page
	Decisions       []aftermath.Decision
	Inquiries       []aftermath.Inquiry
	Recommendations []aftermath.Recommendation
	Claims          []aftermath.Claim
	NDecisions      int
	NInquiries      int
	NRecs           int
	NOverdue        int
	NClaims         int
	CSV             []string
	CanWrite        bool
}

func (s *Server) ledgerHome(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := viewerOf(ctx)
	p := ledgerHomePage{page: s.newPage(w, r, "ledger.title"), CanWrite: canWriteLedger(ctx)}
	ds, err := s.db.Decisions(ctx, v, aftermath.DecisionFilter{})
	var qs []aftermath.Inquiry
	var rs []aftermath.Recommendation
	var cs []aftermath.Claim
	if err == nil {
		qs, err = s.db.Inquiries(ctx, v, aftermath.InquiryFilter{})
	}
	if err == nil {
		rs, err = s.db.Recommendations(ctx, v, aftermath.RecommendationFilter{})
	}
	if err == nil {
		cs, err = s.db.Claims(ctx, v, aftermath.ClaimFilter{})
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	p.NDecisions, p.NInquiries, p.NRecs, p.NClaims = len(ds), len(qs), len(rs), len(cs)
	for _, rec := range rs {
		if rec.Overdue {
			p.NOverdue++
		}
	}
	p.Decisions, p.Inquiries, p.Recommendations, p.Claims = latest(ds, 5), latest(qs, 5), latest(rs, 5), latest(cs, 5)
	for _, t := range ledgerTables {
		p.CSV = append(p.CSV, t.name)
	}
	s.render(w, r, http.StatusOK, "ledger.html", p)
}

// ---- decisions ----

type decisionsPage struct {
	page
	Decisions []aftermath.Decision
	Kind      string
	Kinds     []string
	Hidden    map[string]string // the other filters, kept by the form
	Filtered  bool
	CanWrite  bool
}

func (s *Server) decisionsList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	f := aftermath.DecisionFilter{Kind: q.Get("kind"), Reference: strings.TrimSpace(q.Get("reference"))}
	var err error
	if f.MakerID, err = queryID(q, "maker"); err == nil {
		if f.ActorID, err = queryID(q, "actor"); err == nil {
			f.InterventionID, err = queryID(q, "intervention")
		}
	}
	if f.Kind != "" && !slices.Contains(aftermath.DecisionKinds, f.Kind) {
		err = aftermath.Errorf(aftermath.EINVALID, "kind %q", f.Kind)
	}
	var ds []aftermath.Decision
	if err == nil {
		ds, err = s.db.Decisions(ctx, viewerOf(ctx), f)
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	p := decisionsPage{page: s.newPage(w, r, "ledger.decisions.title"), Decisions: ds, Kind: f.Kind, Kinds: aftermath.DecisionKinds,
		Hidden: keptFilters(q, "maker", "actor", "intervention", "reference"), CanWrite: canWriteLedger(ctx)}
	p.Filtered = len(p.Hidden) > 0 || f.Kind != ""
	s.render(w, r, http.StatusOK, "decisions.html", p)
}

// keptFilters are the filters a list page's form does not show, kept as
// hidden fields so that choosing another shown filter keeps them.
func keptFilters(q url.Values, keys ...string) map[string]string {
	out := map[string]string{}
	for _, k := range keys {
		if v := strings.TrimSpace(q.Get(k)); v != "" {
			out[k] = v
		}
	}
	return out
}

type decisionPage struct {
	page
	D             *aftermath.Decision
	Interventions []aftermath.Intervention
	Citations     []citedSource
	Uncited       []string
}

func (s *Server) decisionPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r)
	var d *aftermath.Decision
	if err == nil {
		d, err = s.db.Decision(ctx, viewerOf(ctx), id)
	}
	p := decisionPage{D: d}
	if err == nil {
		p.Interventions, err = s.ledgerInterventions(ctx, d.InterventionIDs)
	}
	if err == nil {
		p.Citations, err = s.ledgerCites(ctx, d.Citations)
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	p.page = s.newPage(w, r, "ledger.decisions.title")
	p.Title = ledgerTitle(d.Reference, translatedText(p.L, d.Language, d.Translations, "summary", d.Summary))
	p.Uncited = d.Uncited()
	s.render(w, r, http.StatusOK, "decision.html", p)
}

// ledgerTitle names a record in the page title: its reference, else the
// start of its text.
func ledgerTitle(ref, text string) string {
	if ref != "" {
		return ref
	}
	if r := []rune(text); len(r) > 60 {
		return string(r[:60]) + "…"
	}
	return text
}

// ---- inquiries ----

type inquiriesPage struct {
	page
	Inquiries []aftermath.Inquiry
	Type      string
	Types     []string
	Hidden    map[string]string
	Filtered  bool
	CanWrite  bool
}

func (s *Server) inquiriesList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	f := aftermath.InquiryFilter{Type: q.Get("type"), Reference: strings.TrimSpace(q.Get("reference"))}
	var err error
	if f.SubjectID, err = queryID(q, "subject"); err == nil {
		if f.ActorID, err = queryID(q, "actor"); err == nil {
			f.InterventionID, err = queryID(q, "intervention")
		}
	}
	if f.Type != "" && !slices.Contains(aftermath.InquiryTypes, f.Type) {
		err = aftermath.Errorf(aftermath.EINVALID, "type %q", f.Type)
	}
	var qs []aftermath.Inquiry
	if err == nil {
		qs, err = s.db.Inquiries(ctx, viewerOf(ctx), f)
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	p := inquiriesPage{page: s.newPage(w, r, "ledger.inquiries.title"), Inquiries: qs, Type: f.Type, Types: aftermath.InquiryTypes,
		Hidden: keptFilters(q, "subject", "actor", "intervention", "reference"), CanWrite: canWriteLedger(ctx)}
	p.Filtered = len(p.Hidden) > 0 || f.Type != ""
	s.render(w, r, http.StatusOK, "inquiries.html", p)
}

type findingView struct {
	aftermath.Finding
	Cites []citedSource
}

type inquiryPage struct {
	page
	Q               *aftermath.Inquiry
	Interventions   []aftermath.Intervention
	Findings        []findingView
	Recommendations []aftermath.Recommendation
	Citations       []citedSource
	Uncited         []string
	CanWrite        bool
}

func (s *Server) inquiryPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r)
	var q *aftermath.Inquiry
	if err == nil {
		q, err = s.db.Inquiry(ctx, viewerOf(ctx), id)
	}
	p := inquiryPage{Q: q, CanWrite: canWriteLedger(ctx)}
	if err == nil {
		p.Interventions, err = s.ledgerInterventions(ctx, q.InterventionIDs)
	}
	if err == nil {
		p.Citations, err = s.ledgerCites(ctx, q.Citations)
	}
	if err == nil {
		for _, f := range q.Findings {
			fv := findingView{Finding: f}
			if fv.Cites, err = s.ledgerCites(ctx, f.Citations); err != nil {
				break
			}
			p.Findings = append(p.Findings, fv)
		}
	}
	if err == nil {
		p.Recommendations, err = s.db.RecommendationsOf(ctx, viewerOf(ctx), id)
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	p.page = s.newPage(w, r, "ledger.inquiries.title")
	p.Title = translatedText(p.L, q.Language, q.Translations, "title", q.Title)
	// Findings without a citation are flagged where they are listed.
	p.Uncited = slices.DeleteFunc(q.Uncited(), func(f string) bool { return strings.HasPrefix(f, "finding ") })
	s.render(w, r, http.StatusOK, "inquiry.html", p)
}

// ---- recommendations ----

type recRow struct {
	aftermath.Recommendation
	InquiryTitle string
	// Inquiry is the title's record text, for the reader's language.
	Inquiry recordText
}

type recommendationsPage struct {
	page
	Recs      []recRow
	Status    string
	Statuses  []string
	Overdue   bool
	Addressee string // the addressee filter's name, when set
	Hidden    map[string]string
	Filtered  bool
}

func (s *Server) recommendationsList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := viewerOf(ctx)
	q := r.URL.Query()
	f := aftermath.RecommendationFilter{Status: q.Get("status"), OverdueOnly: queryFlag(q, "overdue")}
	var err error
	if f.AddresseeID, err = queryID(q, "addressee"); err == nil {
		if f.InquiryID, err = queryID(q, "inquiry"); err == nil {
			f.InterventionID, err = queryID(q, "intervention")
		}
	}
	var rs []aftermath.Recommendation
	if err == nil {
		rs, err = s.db.Recommendations(ctx, v, f)
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	p := recommendationsPage{page: s.newPage(w, r, "ledger.recommendations.title"), Status: f.Status, Statuses: aftermath.RecommendationStatuses,
		Overdue: f.OverdueOnly, Hidden: keptFilters(q, "addressee", "inquiry", "intervention")}
	p.Filtered = len(p.Hidden) > 0 || f.Status != "" || f.OverdueOnly
	if f.AddresseeID != 0 {
		if a, err := s.db.Actor(ctx, v, f.AddresseeID); err == nil {
			p.Addressee = a.Name
		}
	}
	if p.Recs, err = s.recRows(ctx, rs); err != nil {
		s.PageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "recommendations.html", p)
}

// recRows adds to each recommendation the title of its inquiry.
func (s *Server) recRows(ctx context.Context, rs []aftermath.Recommendation) ([]recRow, error) {
	inquiries := map[int64]*aftermath.Inquiry{}
	out := make([]recRow, 0, len(rs))
	for _, rec := range rs {
		q, ok := inquiries[rec.InquiryID]
		if !ok {
			var err error
			if q, err = s.db.Inquiry(ctx, viewerOf(ctx), rec.InquiryID); err != nil {
				return nil, err
			}
			inquiries[rec.InquiryID] = q
		}
		out = append(out, recRow{Recommendation: rec, InquiryTitle: q.Title, Inquiry: recordText{q.Language, q.Translations, "title"}})
	}
	return out, nil
}

type statusView struct {
	aftermath.StatusChange
	Cites []citedSource
}

type recurView struct {
	aftermath.Recurrence
	Link, Label string
	Date        string // an event's day
}

type recommendationPage struct {
	page
	R           *aftermath.Recommendation
	Q           *aftermath.Inquiry
	History     []statusView
	Recurrences []recurView
	Citations   []citedSource
	Uncited     []string
	CanWrite    bool
}

func (s *Server) recommendationPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	v := viewerOf(ctx)
	id, err := pathID(r)
	var rec *aftermath.Recommendation
	if err == nil {
		rec, err = s.db.Recommendation(ctx, v, id)
	}
	p := recommendationPage{R: rec, CanWrite: canWriteLedger(ctx)}
	if err == nil {
		p.Q, err = s.db.Inquiry(ctx, v, rec.InquiryID)
	}
	if err == nil {
		p.Citations, err = s.ledgerCites(ctx, rec.Citations)
	}
	if err == nil {
		for _, h := range rec.History {
			sv := statusView{StatusChange: h}
			if sv.Cites, err = s.ledgerCites(ctx, h.Citations); err != nil {
				break
			}
			p.History = append(p.History, sv)
		}
	}
	if err == nil {
		p.Recurrences, err = s.recurrences(ctx, rec.Recurrences)
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	p.page = s.newPage(w, r, "ledger.recommendations.title")
	p.Title = ledgerTitle(rec.Number, translatedText(p.L, rec.Language, rec.Translations, "text", rec.Text))
	p.Uncited = rec.Uncited()
	s.render(w, r, http.StatusOK, "recommendation.html", p)
}

// recurrences links each recurrence to what it points at: a later event
// (the explorer, narrowed to its day and country) or a decision.
func (s *Server) recurrences(ctx context.Context, xs []aftermath.Recurrence) ([]recurView, error) {
	var out []recurView
	for _, x := range xs {
		rv := recurView{Recurrence: x}
		switch x.Kind {
		case "event":
			rv.Link, rv.Date, rv.Label = s.eventLink(ctx, x.Dataset, x.NativeID)
		case "decision":
			d, err := s.db.Decision(ctx, viewerOf(ctx), x.DecisionID)
			if aftermath.ErrorCode(err) == aftermath.ENOTFOUND {
				continue
			}
			if err != nil {
				return nil, err
			}
			rv.Link, rv.Label = "/decisions/"+strconv.FormatInt(d.ID, 10), ledgerTitle(d.Reference, d.Summary)
		}
		out = append(out, rv)
	}
	return out, nil
}

// eventLink points at one event in the explorer: its dataset, country and
// day, with the day and place to show. An event not imported (yet) links
// to its dataset's events. The caller has checked that the reader may see
// the dataset.
func (s *Server) eventLink(ctx context.Context, dataset, nativeID string) (link, day, place string) {
	q := url.Values{"dataset": {dataset}}
	e, err := s.db.Event(ctx, viewerOf(ctx), dataset, nativeID)
	if err != nil {
		return "/events?" + q.Encode(), "", ""
	}
	day = e.DateStart
	if len(day) > 10 {
		day = day[:10]
	}
	q.Set("country", e.Country)
	q.Set("from", day)
	q.Set("to", day)
	return "/events?" + q.Encode(), day, strings.TrimSpace(e.Country + " " + e.Admin1)
}

// ---- claims ----

type claimsPage struct {
	page
	Claims       []aftermath.Claim
	Verdict      string
	Verdicts     []aftermath.Verdict
	Published    bool
	Contradicted bool
	Hidden       map[string]string
	Filtered     bool
	CanWrite     bool
}

func (s *Server) claimsList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q := r.URL.Query()
	f := aftermath.ClaimFilter{Verdict: q.Get("verdict"), PublishedOnly: queryFlag(q, "published")}
	contradicted := queryFlag(q, "contradicted")
	var err error
	if f.AuthorID, err = queryID(q, "author"); err == nil {
		f.InterventionID, err = queryID(q, "intervention")
	}
	var cs []aftermath.Claim
	if err == nil {
		cs, err = s.db.Claims(ctx, viewerOf(ctx), f)
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	if contradicted {
		cs = slices.DeleteFunc(cs, func(c aftermath.Claim) bool { return !aftermath.Contradicted(c.Verdict) })
	}
	p := claimsPage{page: s.newPage(w, r, "ledger.claims.title"), Claims: cs, Verdict: f.Verdict, Verdicts: aftermath.Verdicts,
		Published: f.PublishedOnly, Contradicted: contradicted, Hidden: keptFilters(q, "author", "intervention"), CanWrite: canWriteLedger(ctx)}
	p.Filtered = len(p.Hidden) > 0 || f.Verdict != "" || f.PublishedOnly || contradicted
	s.render(w, r, http.StatusOK, "claims.html", p)
}

type evidenceView struct {
	aftermath.EvidenceLink
	Link, Label string
	Date        string // an event's day
}

type claimPage struct {
	page
	C             *aftermath.Claim
	Verdict       *aftermath.Verdict
	Evidence      []evidenceView
	Interventions []aftermath.Intervention
	Citations     []citedSource
	Uncited       []string
	JSONLD        template.JS
}

func (s *Server) claimPage(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id, err := pathID(r)
	var c *aftermath.Claim
	if err == nil {
		c, err = s.db.Claim(ctx, viewerOf(ctx), id)
	}
	p := claimPage{C: c}
	if err == nil {
		p.Interventions, err = s.ledgerInterventions(ctx, c.InterventionIDs)
	}
	if err == nil {
		p.Citations, err = s.ledgerCites(ctx, c.Citations)
	}
	if err == nil {
		p.Evidence, err = s.evidence(ctx, c.Evidence)
	}
	if err == nil && c.Published && c.Audience == aftermath.AudiencePublic {
		// ClaimReviewJSONLD escapes <, > and &, so its output cannot end
		// the script element it sits in.
		var b []byte
		if b, err = ledger.ClaimReviewJSONLD(c, s.SiteURL(r)); err == nil {
			p.JSONLD = template.JS(b)
		}
	}
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	if vd, ok := aftermath.VerdictByName(c.Verdict); ok {
		p.Verdict = &vd
	}
	p.page = s.newPage(w, r, "ledger.claims.title")
	p.Title = ledgerTitle("", translatedText(p.L, c.Language, c.Translations, "text", c.Text))
	p.Uncited = c.Uncited()
	s.render(w, r, http.StatusOK, "claim.html", p)
}

// evidence links each piece of evidence to its page where there is one.
func (s *Server) evidence(ctx context.Context, es []aftermath.EvidenceLink) ([]evidenceView, error) {
	var out []evidenceView
	for _, e := range es {
		ev := evidenceView{EvidenceLink: e, Label: e.Ref}
		switch e.Kind {
		case "event":
			dataset, native, _ := strings.Cut(e.Ref, ":")
			var place string
			if ev.Link, ev.Date, place = s.eventLink(ctx, dataset, native); place != "" {
				ev.Label = e.Ref + " · " + place
			}
		case "source":
			if id, err := strconv.ParseInt(e.Ref, 10, 64); err == nil {
				src, err := s.db.Source(ctx, viewerOf(ctx), id)
				if aftermath.ErrorCode(err) == aftermath.ENOTFOUND {
					continue
				} else if err != nil {
					return nil, err
				}
				ev.Link, ev.Label = "/sources/"+e.Ref, strings.TrimSpace(src.Identifier+" "+src.Title)
			}
		case "intervention":
			iv, err := s.db.FindIntervention(ctx, viewerOf(ctx), e.Ref)
			if aftermath.ErrorCode(err) == aftermath.ENOTFOUND {
				continue
			} else if err != nil {
				return nil, err
			}
			ev.Link, ev.Label = "/interventions/"+iv.Slug, iv.Name
		case "testimony":
			// A testimony is evidence only to those who may read it: its
			// redacted page, or nothing at all.
			id, err := strconv.ParseInt(strings.TrimPrefix(e.Ref, "#"), 10, 64)
			if err != nil || s.Voices() == nil {
				continue
			}
			t, err := s.Voices().Testimony(ctx, viewerOf(ctx), id)
			if aftermath.ErrorCode(err) == aftermath.ENOTFOUND {
				continue
			} else if err != nil {
				return nil, err
			}
			ev.Link, ev.Label = "/testimonies/"+strconv.FormatInt(id, 10), "#"+strconv.FormatInt(id, 10)+" · "+t.Date+" · "+t.Country
		case "analysis":
			if (strings.HasPrefix(e.Ref, "/") && !strings.HasPrefix(e.Ref, "//")) || strings.HasPrefix(e.Ref, "https://") || strings.HasPrefix(e.Ref, "http://") {
				ev.Link = e.Ref
			}
		}
		out = append(out, ev)
	}
	return out, nil
}
