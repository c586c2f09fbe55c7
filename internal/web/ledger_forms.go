package web

// The ledger's forms: plain HTML forms that work without JavaScript. The
// page (GET) is for any signed-in user and says so when their role does
// not allow writing; the POST checks the CSRF token, the role
// (auth.ActionWriteLedger) and, for a public record, the right to publish
// (auth.ActionPublish) before the store is called. A refused entry comes
// back on the form with each problem next to its field.

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"aftermath"
	"aftermath/internal/auth"
)

// citeRows is how many citation rows a form offers (more come back when
// more were filled in).
const citeRows = 3

type ledgerForm struct {
	page
	Values        url.Values
	Errors        map[string]string
	Problems      []string // every error, for the summary at the top
	Message       string   // the store's refusal, when no field check caught it
	Allowed       bool
	CanPublish    bool
	Interventions []aftermath.Intervention
	Inquiries     []aftermath.Inquiry
	Rec           *aftermath.Recommendation
	CiteFields    []string
	CiteRows      []int
	EvidenceRows  []int
}

// V is a field's value as entered.
func (f ledgerForm) V(k string) string { return f.Values.Get(k) }

// Has tells whether a multi-valued field (checkboxes, multiple select)
// holds v.
func (f ledgerForm) Has(k, v string) bool { return slices.Contains(f.Values[k], v) }

// At is the i-th value of a repeated field.
func (f ledgerForm) At(k string, i int) string {
	if vs := f.Values[k]; i < len(vs) {
		return vs[i]
	}
	return ""
}

// Err is the problem with a field, "" if none.
func (f ledgerForm) Err(k string) string { return f.Errors[k] }

// Kinds and scales the forms offer.
func (ledgerForm) DecisionKinds() []string { return aftermath.DecisionKinds }
func (ledgerForm) InquiryTypes() []string  { return aftermath.InquiryTypes }
func (ledgerForm) ActorKinds() []string    { return aftermath.LedgerActorKinds }
func (ledgerForm) Statuses() []string      { return aftermath.RecommendationStatuses }
func (ledgerForm) Verdicts() []aftermath.Verdict {
	return aftermath.Verdicts
}
func (ledgerForm) EvidenceKinds() []string { return aftermath.EvidenceKinds }
func (ledgerForm) Confidences() []string {
	return []string{aftermath.ConfidenceHigh, aftermath.ConfidenceMedium, aftermath.ConfidenceLow}
}
func (f ledgerForm) Audiences() []string {
	out := []string{string(aftermath.AudienceInternal), string(aftermath.AudiencePartners)}
	if f.CanPublish {
		out = append(out, string(aftermath.AudiencePublic))
	}
	return out
}

// fail records a problem with a field, in the reader's language.
func (f *ledgerForm) fail(field, key string, args ...any) {
	if f.Errors == nil {
		f.Errors = map[string]string{}
	}
	if _, ok := f.Errors[field]; ok {
		return
	}
	label := f.L.T("ledger.field." + strings.TrimSuffix(strings.TrimPrefix(field, "cite_"), "_kind"))
	if strings.HasPrefix(field, "cite_") {
		label = f.L.T("ledger.form.citations")
	} else if strings.HasPrefix(field, "ev_") {
		label = f.L.T("ledger.claims.evidence")
	}
	msg := f.L.T(key, append([]any{"field", label}, args...)...)
	f.Errors[field] = msg
	f.Problems = append(f.Problems, msg)
}

// newLedgerForm starts a form page for the signed-in user.
func (s *Server) newLedgerForm(w http.ResponseWriter, r *http.Request, titleKey string, citeFields []string) ledgerForm {
	u := userOf(r.Context())
	f := ledgerForm{page: s.newPage(w, r, titleKey), Values: url.Values{}, Errors: map[string]string{},
		Allowed: auth.Can(u, auth.ActionWriteLedger), CanPublish: auth.Can(u, auth.ActionPublish), CiteFields: citeFields}
	if r.Method == http.MethodPost {
		f.Values = r.PostForm
	} else if slices.Contains(aftermath.ContentLanguages, f.L.Tag()) {
		f.Values.Set("language", f.L.Tag()) // a record is most often written in its writer's language
	}
	n := max(citeRows, len(f.Values["cite_source"]))
	for i := range n {
		f.CiteRows = append(f.CiteRows, i)
	}
	for i := range max(citeRows, len(f.Values["ev_ref"])) {
		f.EvidenceRows = append(f.EvidenceRows, i)
	}
	w.Header().Set("Cache-Control", "no-store")
	return f
}

// renderForm shows a form; with problems, it answers 400 (403 when the
// problem is the right to publish).
func (s *Server) renderForm(w http.ResponseWriter, r *http.Request, name string, f ledgerForm) {
	s.render(w, r, formStatus(f), name, f)
}

// formStatus is the status a form answers with what it holds.
func formStatus(f ledgerForm) int {
	status := http.StatusOK
	if len(f.Problems) > 0 || f.Message != "" {
		status = http.StatusBadRequest
		if _, ok := f.Errors["audience"]; ok && f.V("audience") == string(aftermath.AudiencePublic) && !f.CanPublish {
			status = http.StatusForbidden
		}
	}
	return status
}

// writeAllowed refuses a POST from a role that may not write the ledger.
func (s *Server) writeAllowed(w http.ResponseWriter, r *http.Request) bool {
	if !auth.Can(userOf(r.Context()), auth.ActionWriteLedger) {
		http.Error(w, s.bundle.Negotiate(r).T("error.forbidden"), http.StatusForbidden)
		return false
	}
	return true
}

var (
	formDateRE = regexp.MustCompile(`^\d{4}(?:-\d{2}(?:-\d{2})?)?$`)
	formDayRE  = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
)

func validFormDate(s string, dayOnly bool) bool {
	if dayOnly && !formDayRE.MatchString(s) || !formDateRE.MatchString(s) {
		return false
	}
	layout := map[int]string{4: "2006", 7: "2006-01", 10: "2006-01-02"}[len(s)]
	_, err := time.Parse(layout, s)
	return err == nil
}

// text reads a field, trimmed; required ones must not be empty.
func (f *ledgerForm) text(k string, required bool) string {
	v := strings.TrimSpace(f.V(k))
	if required && v == "" {
		f.fail(k, "ledger.form.error.required")
	}
	return v
}

// date reads a date field: YYYY-MM-DD, or (unless dayOnly) YYYY-MM or YYYY.
func (f *ledgerForm) date(k string, required, dayOnly bool) string {
	v := f.text(k, required)
	if v != "" && !validFormDate(v, dayOnly) {
		if dayOnly {
			f.fail(k, "ledger.form.error.day")
		} else {
			f.fail(k, "ledger.form.error.date")
		}
	}
	return v
}

// choice reads a field that must be one of options.
func (f *ledgerForm) choice(k string, options []string, required bool) string {
	v := f.text(k, required)
	if v != "" && !slices.Contains(options, v) {
		f.fail(k, "ledger.form.error.choice")
	}
	return v
}

// actor reads an actor named in a field, with its kind for a new one.
func (f *ledgerForm) actor(k string) aftermath.ActorRef {
	return aftermath.ActorRef{Name: f.text(k, true), Kind: f.choice(k+"_kind", aftermath.LedgerActorKinds, false)}
}

// actors reads actors named one per line.
func (f *ledgerForm) actors(k, kind string) []aftermath.ActorRef {
	var out []aftermath.ActorRef
	for _, line := range strings.Split(f.V(k), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, aftermath.ActorRef{Name: line, Kind: kind})
		}
	}
	return out
}

// audience reads the audience and checks the right to publish.
func (f *ledgerForm) audience() aftermath.Audience {
	a := f.choice("audience", []string{string(aftermath.AudienceInternal), string(aftermath.AudiencePartners), string(aftermath.AudiencePublic)}, true)
	if a == string(aftermath.AudiencePublic) && !f.CanPublish {
		f.fail("audience", "ledger.form.error.publish")
	}
	return aftermath.Audience(a)
}

// interventionIDs reads the chosen interventions; each must be one the
// writer may see.
func (f *ledgerForm) interventionIDs() []int64 {
	var out []int64
	for _, v := range f.Values["interventions"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || !slices.ContainsFunc(f.Interventions, func(iv aftermath.Intervention) bool { return iv.ID == id }) {
			f.fail("interventions", "ledger.form.error.choice")
			continue
		}
		out = append(out, id)
	}
	return out
}

// sourceByRef finds a cited source by its identifier ("S/RES/2100 (2013)") or
// number, as the writer may see it.
func (s *Server) sourceByRef(ctx context.Context, ref string) (*aftermath.Source, error) {
	src, err := s.db.SourceByIdentifier(ctx, viewerOf(ctx), ref)
	if aftermath.ErrorCode(err) == aftermath.ENOTFOUND {
		if id, perr := strconv.ParseInt(ref, 10, 64); perr == nil {
			return s.db.Source(ctx, viewerOf(ctx), id)
		}
	}
	return src, err
}

// citations reads the citation rows: source (identifier or number), page,
// field and confidence.
func (s *Server) citations(ctx context.Context, f *ledgerForm) ([]aftermath.Citation, error) {
	var out []aftermath.Citation
	for i, ref := range f.Values["cite_source"] {
		if ref = strings.TrimSpace(ref); ref == "" {
			continue
		}
		src, err := s.sourceByRef(ctx, ref)
		if aftermath.ErrorCode(err) == aftermath.ENOTFOUND {
			f.fail("cite_source", "ledger.form.error.source", "source", ref)
			continue
		} else if err != nil {
			return nil, err
		}
		c := aftermath.Citation{SourceID: src.ID, Page: strings.TrimSpace(f.At("cite_page", i)),
			Field: f.At("cite_field", i), Confidence: f.At("cite_confidence", i)}
		if c.Field == "" {
			c.Field = f.CiteFields[0]
		}
		if !slices.Contains(f.CiteFields, c.Field) {
			f.fail("cite_field", "ledger.form.error.choice")
		}
		if !slices.Contains(f.Confidences(), c.Confidence) {
			c.Confidence = aftermath.ConfidenceMedium
		}
		out = append(out, c)
	}
	return out, nil
}

// stored finishes a POST: on a store refusal the form comes back with it,
// 403 for what the writer may see but not change (the store decides:
// another organisation's, or one without an owner for a non-admin) and
// 409 for an entry that clashes with what is stored; on success the
// browser goes to the record's page.
func (s *Server) stored(w http.ResponseWriter, r *http.Request, name string, f ledgerForm, err error, path string) {
	switch aftermath.ErrorCode(err) {
	case "":
		http.Redirect(w, r, path, http.StatusSeeOther)
	case aftermath.EINVALID, aftermath.ENOTFOUND, aftermath.EFORBIDDEN, aftermath.ECONFLICT:
		f.Message = f.L.T("ledger.form.error.store", "message", err.Error())
		s.render(w, r, refusalStatus(err, formStatus(f)), name, f)
	default:
		s.PageError(w, r, err)
	}
}

// withFirst puts a record's main field first among those a citation may
// name: a citation row left as it is cites that field.
func withFirst(fields []string, first string) []string {
	return append([]string{first}, slices.DeleteFunc(slices.Clone(fields), func(x string) bool { return x == first })...)
}

// translationForm is the translations fieldset of a form for a record
// of one type: its own language and its texts in the others.
type translationForm struct {
	F         ledgerForm
	Languages []string
	Fields    []string
}

// translatable are the fields each record type's form translates.
var translatable = map[string][]string{
	aftermath.RecordDecision: aftermath.DecisionTranslatable, aftermath.RecordInquiry: aftermath.InquiryTranslatable,
	aftermath.RecordRecommendation: aftermath.RecommendationTranslatable, aftermath.RecordClaim: aftermath.ClaimTranslatable,
}

func init() {
	funcs["translationForm"] = func(f ledgerForm, recordType string) translationForm {
		return translationForm{F: f, Languages: aftermath.ContentLanguages, Fields: translatable[recordType]}
	}
}

// translations reads the record's own language and its texts in the
// other languages (fields tr_LANG_FIELD); a text in the record's own
// language is refused, as the original is the record's field itself.
func (f *ledgerForm) translations(recordType string) (string, aftermath.Translations) {
	own := f.choice("language", aftermath.ContentLanguages, false)
	if own == "" {
		own = aftermath.OriginalLanguage
	}
	var t aftermath.Translations
	for _, lang := range aftermath.ContentLanguages {
		for _, field := range translatable[recordType] {
			text := f.V("tr_" + lang + "_" + field)
			if lang == own && strings.TrimSpace(text) != "" && f.Errors["language"] == "" {
				f.Errors["language"] = f.L.T("translation.error.own")
				f.Problems = append(f.Problems, f.Errors["language"])
			}
			t.Set(lang, field, text)
		}
	}
	if own == aftermath.OriginalLanguage {
		own = ""
	}
	return own, t
}

// ---- decisions ----

func (s *Server) decisionFormPage(w http.ResponseWriter, r *http.Request) (ledgerForm, error) {
	f := s.newLedgerForm(w, r, "ledger.form.decision.title", withFirst(aftermath.DecisionFields, "summary"))
	var err error
	f.Interventions, err = s.db.Interventions(r.Context(), viewerOf(r.Context()))
	return f, err
}

func (s *Server) decisionForm(w http.ResponseWriter, r *http.Request) {
	f, err := s.decisionFormPage(w, r)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	f.Values.Set("audience", string(aftermath.AudienceInternal))
	f.Values.Set("kind", aftermath.DecisionKinds[0])
	s.renderForm(w, r, "decision_form.html", f)
}

func (s *Server) decisionCreate(w http.ResponseWriter, r *http.Request) {
	if !s.writeAllowed(w, r) {
		return
	}
	ctx := r.Context()
	f, err := s.decisionFormPage(w, r)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	d := &aftermath.Decision{Maker: f.actor("maker"), Date: f.date("date", true, false), Kind: f.choice("kind", aftermath.DecisionKinds, true),
		Reference: f.text("reference", false), Summary: f.text("summary", true), Rationale: f.text("rationale", false),
		RationaleVerbatim: f.V("rationale_verbatim") != "", Actors: f.actors("actors", ""), Notes: f.text("notes", false),
		InterventionIDs: f.interventionIDs(), Audience: f.audience(), Owner: ownerOrg(userOf(ctx))}
	if v := f.text("amount", false); v != "" {
		n, perr := strconv.ParseFloat(v, 64)
		cur := strings.ToUpper(f.text("currency", true))
		if perr != nil || n < 0 {
			f.fail("amount", "ledger.form.error.number")
		}
		d.Amounts = []aftermath.Amount{{Value: n, Currency: cur}}
	}
	if d.Citations, err = s.citations(ctx, &f); err != nil {
		s.PageError(w, r, err)
		return
	}
	d.Language, d.Translations = f.translations(aftermath.RecordDecision)
	if len(f.Problems) > 0 {
		s.renderForm(w, r, "decision_form.html", f)
		return
	}
	err = s.db.CreateDecision(ctx, viewerOf(ctx), d)
	s.stored(w, r, "decision_form.html", f, err, fmt.Sprintf("/decisions/%d", d.ID))
}

// ---- inquiries ----

func (s *Server) inquiryFormPage(w http.ResponseWriter, r *http.Request) (ledgerForm, error) {
	f := s.newLedgerForm(w, r, "ledger.form.inquiry.title", withFirst(aftermath.InquiryFields, "title"))
	var err error
	f.Interventions, err = s.db.Interventions(r.Context(), viewerOf(r.Context()))
	return f, err
}

func (s *Server) inquiryForm(w http.ResponseWriter, r *http.Request) {
	f, err := s.inquiryFormPage(w, r)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	f.Values.Set("audience", string(aftermath.AudienceInternal))
	f.Values.Set("findings_confidence", aftermath.ConfidenceMedium)
	s.renderForm(w, r, "inquiry_form.html", f)
}

func (s *Server) inquiryCreate(w http.ResponseWriter, r *http.Request) {
	if !s.writeAllowed(w, r) {
		return
	}
	ctx := r.Context()
	f, err := s.inquiryFormPage(w, r)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	q := &aftermath.Inquiry{Body: f.actor("body"), Type: f.choice("type", aftermath.InquiryTypes, true), Title: f.text("title", true),
		Reference: f.text("reference", false), Date: f.date("date", true, false), Summary: f.text("summary", false),
		Subjects: f.actors("subjects", aftermath.KindState), Notes: f.text("notes", false), InterventionIDs: f.interventionIDs(),
		Audience: f.audience(), Owner: ownerOrg(userOf(ctx))}
	// Findings: one a line, "text | page or paragraph", all cited to the
	// report named in findings_source.
	var report *aftermath.Source
	conf := f.choice("findings_confidence", f.Confidences(), false)
	if conf == "" {
		conf = aftermath.ConfidenceMedium
	}
	for _, line := range strings.Split(f.V("findings"), "\n") {
		text, loc, _ := strings.Cut(line, "|")
		if text = strings.TrimSpace(text); text == "" {
			continue
		}
		if report == nil {
			ref := f.text("findings_source", true)
			if ref == "" {
				break
			}
			if report, err = s.sourceByRef(ctx, ref); aftermath.ErrorCode(err) == aftermath.ENOTFOUND {
				f.fail("findings_source", "ledger.form.error.source", "source", ref)
				break
			} else if err != nil {
				s.PageError(w, r, err)
				return
			}
		}
		loc = strings.TrimSpace(loc)
		q.Findings = append(q.Findings, aftermath.Finding{Text: text, Location: loc,
			Citations: []aftermath.Citation{{Field: "text", SourceID: report.ID, Page: loc, Confidence: conf}}})
	}
	if q.Citations, err = s.citations(ctx, &f); err != nil {
		s.PageError(w, r, err)
		return
	}
	q.Language, q.Translations = f.translations(aftermath.RecordInquiry)
	if len(f.Problems) > 0 {
		s.renderForm(w, r, "inquiry_form.html", f)
		return
	}
	err = s.db.CreateInquiry(ctx, viewerOf(ctx), q)
	s.stored(w, r, "inquiry_form.html", f, err, fmt.Sprintf("/inquiries/%d", q.ID))
}

// ---- recommendations ----

func (s *Server) recommendationFormPage(w http.ResponseWriter, r *http.Request) (ledgerForm, error) {
	f := s.newLedgerForm(w, r, "ledger.form.recommendation.title", withFirst(aftermath.RecommendationFields, "text"))
	var err error
	f.Inquiries, err = s.db.Inquiries(r.Context(), viewerOf(r.Context()), aftermath.InquiryFilter{})
	return f, err
}

func (s *Server) recommendationForm(w http.ResponseWriter, r *http.Request) {
	f, err := s.recommendationFormPage(w, r)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	f.Values.Set("audience", string(aftermath.AudienceInternal))
	f.Values.Set("inquiry", r.URL.Query().Get("inquiry"))
	s.renderForm(w, r, "recommendation_form.html", f)
}

func (s *Server) recommendationCreate(w http.ResponseWriter, r *http.Request) {
	if !s.writeAllowed(w, r) {
		return
	}
	ctx := r.Context()
	f, err := s.recommendationFormPage(w, r)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	inquiryID, _ := strconv.ParseInt(f.V("inquiry"), 10, 64)
	if !slices.ContainsFunc(f.Inquiries, func(q aftermath.Inquiry) bool { return q.ID == inquiryID }) {
		f.fail("inquiry", "ledger.form.error.choice")
	}
	rec := &aftermath.Recommendation{InquiryID: inquiryID, Number: f.text("number", false), Addressee: f.actor("addressee"),
		Text: f.text("text", true), Verbatim: f.V("verbatim") != "", Response: f.text("response", false),
		ResponseDate: f.date("response_date", false, false), Deadline: f.date("deadline", false, true),
		Audience: f.audience(), Owner: ownerOrg(userOf(ctx))}
	if rec.ResponseDate != "" && rec.Response == "" {
		f.fail("response", "ledger.form.error.required")
	}
	if rec.Citations, err = s.citations(ctx, &f); err != nil {
		s.PageError(w, r, err)
		return
	}
	rec.Language, rec.Translations = f.translations(aftermath.RecordRecommendation)
	if len(f.Problems) > 0 {
		s.renderForm(w, r, "recommendation_form.html", f)
		return
	}
	err = s.db.CreateRecommendation(ctx, viewerOf(ctx), rec)
	s.stored(w, r, "recommendation_form.html", f, err, fmt.Sprintf("/recommendations/%d", rec.ID))
}

// ---- a status change ----

func (s *Server) statusFormPage(w http.ResponseWriter, r *http.Request) (ledgerForm, error) {
	id, err := pathID(r)
	var rec *aftermath.Recommendation
	if err == nil {
		rec, err = s.db.Recommendation(r.Context(), viewerOf(r.Context()), id)
	}
	if err != nil {
		return ledgerForm{}, err
	}
	f := s.newLedgerForm(w, r, "ledger.form.status.title", aftermath.StatusChangeFields)
	f.Rec = rec
	return f, nil
}

func (s *Server) statusForm(w http.ResponseWriter, r *http.Request) {
	f, err := s.statusFormPage(w, r)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	f.Values.Set("date", s.db.CurrentTime().UTC().Format("2006-01-02"))
	s.renderForm(w, r, "status_form.html", f)
}

func (s *Server) statusCreate(w http.ResponseWriter, r *http.Request) {
	if !s.writeAllowed(w, r) {
		return
	}
	ctx := r.Context()
	f, err := s.statusFormPage(w, r)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	sc := &aftermath.StatusChange{Status: f.choice("status", aftermath.RecommendationStatuses, true), Date: f.date("date", true, true),
		Note: f.text("note", false)}
	judged := sc.Status != "" && sc.Status != aftermath.StatusOpen // a judgement needs who, by what test, on what evidence
	sc.JudgedBy, sc.Criteria = f.text("judged_by", judged), f.text("criteria", judged)
	if sc.Citations, err = s.citations(ctx, &f); err != nil {
		s.PageError(w, r, err)
		return
	}
	if judged && len(sc.Citations) == 0 {
		f.fail("cite_source", "ledger.form.error.cite")
	}
	if len(f.Problems) > 0 {
		s.renderForm(w, r, "status_form.html", f)
		return
	}
	err = s.db.AddRecommendationStatus(ctx, viewerOf(ctx), f.Rec.ID, sc)
	s.stored(w, r, "status_form.html", f, err, fmt.Sprintf("/recommendations/%d", f.Rec.ID))
}

// ---- claims ----

func (s *Server) claimFormPage(w http.ResponseWriter, r *http.Request) (ledgerForm, error) {
	f := s.newLedgerForm(w, r, "ledger.form.claim.title", withFirst(aftermath.ClaimFields, "text"))
	var err error
	f.Interventions, err = s.db.Interventions(r.Context(), viewerOf(r.Context()))
	return f, err
}

func (s *Server) claimForm(w http.ResponseWriter, r *http.Request) {
	f, err := s.claimFormPage(w, r)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	f.Values.Set("audience", string(aftermath.AudienceInternal))
	f.Values.Set("author_kind", aftermath.KindPerson)
	s.renderForm(w, r, "claim_form.html", f)
}

func (s *Server) claimCreate(w http.ResponseWriter, r *http.Request) {
	if !s.writeAllowed(w, r) {
		return
	}
	ctx := r.Context()
	f, err := s.claimFormPage(w, r)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	verdicts := make([]string, len(aftermath.Verdicts))
	for i, v := range aftermath.Verdicts {
		verdicts[i] = v.Name
	}
	c := &aftermath.Claim{Author: f.actor("author"), Date: f.date("date", true, false), AppearanceURL: f.text("appearance_url", false),
		AppearanceTitle: f.text("appearance_title", false), Text: f.text("text", true), Verbatim: f.V("verbatim") != "",
		Verdict: f.choice("verdict", verdicts, false), Reasoning: f.text("reasoning", false), ReviewedBy: f.text("reviewed_by", false),
		InterventionIDs: f.interventionIDs(), Published: f.V("published") != "", PublishedDate: f.date("published_date", false, true),
		Audience: f.audience(), Owner: ownerOrg(userOf(ctx))}
	if c.AppearanceURL != "" && !strings.HasPrefix(c.AppearanceURL, "https://") && !strings.HasPrefix(c.AppearanceURL, "http://") {
		f.fail("appearance_url", "ledger.form.error.url")
	}
	if c.Verdict != "" && c.Reasoning == "" {
		f.fail("reasoning", "ledger.form.error.required")
	}
	for i, ref := range f.Values["ev_ref"] {
		if ref = strings.TrimSpace(ref); ref == "" {
			continue
		}
		kind := f.At("ev_kind", i)
		if !slices.Contains(aftermath.EvidenceKinds, kind) {
			f.fail("ev_kind", "ledger.form.error.choice")
		}
		c.Evidence = append(c.Evidence, aftermath.EvidenceLink{Kind: kind, Ref: ref, Note: strings.TrimSpace(f.At("ev_note", i))})
	}
	if c.Published {
		// A published review must be complete.
		if c.Verdict == "" {
			f.fail("verdict", "ledger.form.error.required")
		}
		if len(c.Evidence) == 0 {
			f.fail("ev_ref", "ledger.form.error.required")
		}
		if c.ReviewedBy == "" {
			f.fail("reviewed_by", "ledger.form.error.required")
		}
		if c.PublishedDate == "" {
			f.fail("published_date", "ledger.form.error.required")
		}
	}
	if c.Citations, err = s.citations(ctx, &f); err != nil {
		s.PageError(w, r, err)
		return
	}
	c.Language, c.Translations = f.translations(aftermath.RecordClaim)
	if len(f.Problems) > 0 {
		s.renderForm(w, r, "claim_form.html", f)
		return
	}
	err = s.db.CreateClaim(ctx, viewerOf(ctx), c)
	s.stored(w, r, "claim_form.html", f, err, fmt.Sprintf("/claims/%d", c.ID))
}

// ownerOrg is the organisation a form files a new record under (forms
// have no owner field): the first in which the user's role writes the
// ledger. The store still decides whether they may.
func ownerOrg(u *aftermath.User) string {
	if u == nil {
		return ""
	}
	for _, m := range u.Memberships {
		if slices.Contains([]string{aftermath.RoleAdmin, aftermath.RoleEditor, aftermath.RoleResearcher}, m.Role) {
			return m.OrgSlug
		}
	}
	return ""
}
