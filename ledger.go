package aftermath

import (
	"context"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"time"
)

// The accountability ledger: what was decided, by whom and on what stated
// grounds (Decision); what official reviews later found (Inquiry, Finding)
// and asked for (Recommendation), whether anything was done (StatusChange);
// and which official statements the evidence contradicts (Claim).

// Actor kinds the ledger adds to those the datasets tell apart: bodies
// such as councils, parliaments, inspectorates and UN organs, and people
// (a minister making a statement).
const (
	KindOrganisation = "organisation"
	KindPerson       = "person"
)

// LedgerActorKinds are the kinds an actor created by the ledger may have.
var LedgerActorKinds = []string{KindState, KindOrganisation, KindPerson, KindArmedGroup, KindOther}

// ActorRef names an actor of a ledger record: by ID, or by name, in which
// case the store uses the actor of that name or creates one of Kind.
type ActorRef struct {
	ID   int64  `json:"id,omitempty"`
	Name string `json:"name"`
	Kind string `json:"kind,omitempty"` // used only when the store creates the actor
}

func (a ActorRef) validate(where, field string) error {
	if a.ID == 0 && strings.TrimSpace(a.Name) == "" {
		return Errorf(EINVALID, "%s: %s: name an actor (by id or name)", where, field)
	}
	if a.Kind != "" && !slices.Contains(LedgerActorKinds, a.Kind) {
		return Errorf(EINVALID, "%s: %s: actor kind %q is not one of %s", where, field, a.Kind, strings.Join(LedgerActorKinds, ", "))
	}
	return nil
}

// Decision kinds. "authorisation" is a body allowing others to act (the
// Security Council authorising a mission); "law-policy" a law or policy.
var DecisionKinds = []string{"deployment", "authorisation", "funding", "arms-export-licence", "training", "partnership", "law-policy"}

// Decision is a policy decision: who decided what, when, on what stated
// grounds.
type Decision struct {
	ID    int64    `json:"id"`
	Maker ActorRef `json:"maker"` // government, ministry, council, parliament, UN body
	Date  string   `json:"date"`  // YYYY-MM-DD, or YYYY-MM / YYYY when only that is known
	Kind  string   `json:"kind"`  // one of DecisionKinds
	// Reference is the decision's own identifier, e.g. "S/RES/2100 (2013)".
	Reference string `json:"reference,omitempty"`
	Summary   string `json:"summary"`             // what was decided
	Rationale string `json:"rationale,omitempty"` // the grounds given
	// RationaleVerbatim says Rationale is quoted word for word; otherwise
	// it is a paraphrase and pages must say so.
	RationaleVerbatim bool       `json:"rationale_verbatim,omitempty"`
	Amounts           []Amount   `json:"amounts,omitempty"`
	InterventionIDs   []int64    `json:"intervention_ids,omitempty"`
	Actors            []ActorRef `json:"actors,omitempty"` // others it concerns: recipients, partners
	Notes             string     `json:"notes,omitempty"`
	Citations         []Citation `json:"citations"`
	Audience          Audience   `json:"audience,omitempty"` // new records without one are internal
	Owner             string     `json:"owner,omitempty"`    // owning organisation's slug
	// Language is the language of the record's texts ("":
	// OriginalLanguage); Translations hold them in others.
	Language     string       `json:"language,omitempty"`
	Translations Translations `json:"translations,omitempty"`
}

// DecisionFields are the fields a citation of a decision may name.
var DecisionFields = []string{"maker", "date", "kind", "reference", "summary", "rationale", "amounts", "interventions", "actors"}

// Amount is a sum a decision commits.
type Amount struct {
	Value    float64 `json:"value"`
	Currency string  `json:"currency"` // ISO 4217
	Note     string  `json:"note,omitempty"`
}

// InquiryTypes are the kinds of official review.
var InquiryTypes = []string{"parliamentary-inquiry", "independent-inquiry", "inspector-general", "un-panel", "court"}

// Inquiry is an official review or acknowledgment: who reviewed, what,
// when, and what it found. Its recommendations are records of their own
// (Recommendation.InquiryID).
type Inquiry struct {
	ID              int64      `json:"id"`
	Body            ActorRef   `json:"body"` // the committee, inspectorate, panel or court
	Type            string     `json:"type"` // one of InquiryTypes
	Title           string     `json:"title"`
	Reference       string     `json:"reference,omitempty"` // "HC 264", "SIGAR 21-46-LL"
	Date            string     `json:"date"`                // published; YYYY-MM-DD, YYYY-MM or YYYY
	Summary         string     `json:"summary,omitempty"`
	InterventionIDs []int64    `json:"intervention_ids,omitempty"`
	Subjects        []ActorRef `json:"subjects,omitempty"` // whose conduct it examined
	Findings        []Finding  `json:"findings,omitempty"`
	Notes           string     `json:"notes,omitempty"`
	Citations       []Citation `json:"citations"`
	Audience        Audience   `json:"audience,omitempty"`
	Owner           string     `json:"owner,omitempty"`
	// Language is the language of the record's texts ("":
	// OriginalLanguage); Translations hold them in others.
	Language     string       `json:"language,omitempty"`
	Translations Translations `json:"translations,omitempty"`
}

// InquiryFields are the fields a citation of an inquiry may name.
var InquiryFields = []string{"body", "type", "title", "reference", "date", "summary", "interventions", "subjects"}

// Finding is one conclusion of an inquiry, cited to where the report
// says it. Its citations name the field "text".
type Finding struct {
	ID       int64  `json:"id,omitempty"`
	Text     string `json:"text"`
	Location string `json:"location,omitempty"` // page or paragraph as the report numbers it
	// Verbatim says Text is the report's own words; otherwise a paraphrase.
	Verbatim  bool       `json:"verbatim,omitempty"`
	Citations []Citation `json:"citations"`
}

// Recommendation statuses. A recommendation with no status change is
// open.
const (
	StatusOpen              = "open"
	StatusImplemented       = "implemented"
	StatusPartlyImplemented = "partly-implemented"
	StatusNotImplemented    = "not-implemented"
	StatusSuperseded        = "superseded"
)

// RecommendationStatuses lists the statuses.
var RecommendationStatuses = []string{StatusOpen, StatusImplemented, StatusPartlyImplemented, StatusNotImplemented, StatusSuperseded}

// Recommendation is what an inquiry asked someone to do, the official
// response, and a status history in which every judgement records its
// date, who made it, the criteria used and its evidence.
type Recommendation struct {
	ID        int64    `json:"id"`
	InquiryID int64    `json:"inquiry_id"`
	Number    string   `json:"number,omitempty"` // as the report numbers it: "Recommendation 4", "para. 12"
	Addressee ActorRef `json:"addressee"`
	Text      string   `json:"text"`
	Verbatim  bool     `json:"verbatim,omitempty"` // Text is the report's own words
	Response  string   `json:"response,omitempty"` // the official response
	// ResponseDate is when the response was given (YYYY-MM-DD or shorter).
	ResponseDate string `json:"response_date,omitempty"`
	Deadline     string `json:"deadline,omitempty"` // YYYY-MM-DD, set by the inquiry or the response
	// History is append-only (the store's AddRecommendationStatus); creating
	// or updating a recommendation never changes it.
	History     []StatusChange `json:"history"`
	Recurrences []Recurrence   `json:"recurrences,omitempty"`
	Citations   []Citation     `json:"citations"`
	Audience    Audience       `json:"audience,omitempty"`
	Owner       string         `json:"owner,omitempty"`

	// Computed by the store on reading.
	Status     string `json:"status"`                // the latest change's status; open without one
	StatusDate string `json:"status_date,omitempty"` // its date
	Overdue    bool   `json:"overdue"`               // see OverdueOn
	// Language is the language of the record's texts ("":
	// OriginalLanguage); Translations hold them in others.
	Language     string       `json:"language,omitempty"`
	Translations Translations `json:"translations,omitempty"`
}

// RecommendationFields are the fields a citation of a recommendation may
// name.
var RecommendationFields = []string{"number", "addressee", "text", "response", "response_date", "deadline", "recurrences"}

// StatusChange is one judgement of a recommendation's status.
type StatusChange struct {
	ID       int64  `json:"id,omitempty"`
	Status   string `json:"status"`    // one of RecommendationStatuses
	Date     string `json:"date"`      // YYYY-MM-DD the judgement refers to
	JudgedBy string `json:"judged_by"` // person or organisation who judged
	// Criteria are written down so that "implemented" means something:
	// what had to be true for this status, and what was checked.
	Criteria  string     `json:"criteria"`
	Note      string     `json:"note,omitempty"`
	Citations []Citation `json:"citations"` // fields "status" (default), "criteria" or "note"
}

// StatusChangeFields are the fields a citation of a status change may name.
var StatusChangeFields = []string{"status", "criteria", "note"}

// Validate checks a status change on its own; the store checks its place
// in the history.
func (s *StatusChange) Validate() error {
	if !slices.Contains(RecommendationStatuses, s.Status) {
		return Errorf(EINVALID, "status %q is not one of %s", s.Status, strings.Join(RecommendationStatuses, ", "))
	}
	if !validLedgerDay(s.Date) {
		return Errorf(EINVALID, "status %s: date %q is not YYYY-MM-DD", s.Status, s.Date)
	}
	if s.Status != StatusOpen {
		// A judgement that something was or was not done must say who
		// judged, by what test, and on what evidence.
		switch {
		case strings.TrimSpace(s.JudgedBy) == "":
			return Errorf(EINVALID, "status %s: judged_by is required: who made this judgement", s.Status)
		case strings.TrimSpace(s.Criteria) == "":
			return Errorf(EINVALID, "status %s: criteria are required: write down what had to be true for %q", s.Status, s.Status)
		case len(s.Citations) == 0:
			return Errorf(EINVALID, "status %s: at least one citation is required as evidence", s.Status)
		}
	}
	for i := range s.Citations {
		c := &s.Citations[i]
		if c.Field == "" {
			c.Field = "status"
		}
		if err := citationOK("status change", StatusChangeFields, c); err != nil {
			return err
		}
	}
	return nil
}

// Recurrence links a recommendation to a later event or decision that
// shows the problem it addressed recurring.
type Recurrence struct {
	ID         int64  `json:"id,omitempty"`
	Kind       string `json:"kind"`                  // "event" or "decision"
	Dataset    string `json:"dataset,omitempty"`     // event: "ucdp", "acled"
	NativeID   string `json:"native_id,omitempty"`   // event: the dataset's own id
	DecisionID int64  `json:"decision_id,omitempty"` // decision
	Note       string `json:"note,omitempty"`
}

// OverdueOn reports whether the recommendation is past its deadline on
// day (YYYY-MM-DD) without having been implemented or superseded; a
// partly implemented recommendation past its deadline is overdue.
func (r *Recommendation) OverdueOn(day string) bool {
	if r.Deadline == "" || day <= r.Deadline {
		return false
	}
	s := r.CurrentStatus()
	return s != StatusImplemented && s != StatusSuperseded
}

// CurrentStatus is the status of the latest change (the history is kept
// in order), open when there is none.
func (r *Recommendation) CurrentStatus() string {
	if len(r.History) == 0 {
		return StatusOpen
	}
	return r.History[len(r.History)-1].Status
}

// Verdict is one point of the scale on which claims are judged.
type Verdict struct {
	Name       string `json:"name"`   // stored key
	Rating     int    `json:"rating"` // 1 (worst) … 5 (best), schema.org ratingValue
	Label      string `json:"label"`  // schema.org alternateName
	Definition string `json:"definition"`
}

// Verdicts is the scale, worst first. The definitions are what a reviewer
// must check before choosing a point.
var Verdicts = []Verdict{
	{"false", 1, "False", "The evidence contradicts the substance of the statement."},
	{"mostly-false", 2, "Mostly false", "Some detail is accurate, but the evidence contradicts the statement's substance or the impression it gives."},
	{"mixed", 3, "Mixed", "The evidence supports parts of the statement and contradicts others of similar weight."},
	{"mostly-accurate", 4, "Mostly accurate", "The evidence supports the statement's substance, with inaccuracies or omissions of detail."},
	{"accurate", 5, "Accurate", "The evidence supports the statement as made."},
}

// VerdictByName returns the point of the scale with the name.
func VerdictByName(name string) (Verdict, bool) {
	for _, v := range Verdicts {
		if v.Name == name {
			return v, true
		}
	}
	return Verdict{}, false
}

// Contradicted reports whether a verdict says the evidence contradicts the
// claim (false or mostly false).
func Contradicted(verdict string) bool { return verdict == "false" || verdict == "mostly-false" }

// EvidenceKinds are what a claim's evidence links may point at.
var EvidenceKinds = []string{"event", "analysis", "testimony", "source", "intervention"}

// EvidenceLink points at the evidence a verdict rests on. Ref is, by
// kind: event "DATASET:NATIVE_ID" (e.g. "ucdp:412345"); source, testimony,
// intervention: the record's id; analysis: the result's path or URL
// (e.g. "/interventions/3/impact?method=its").
type EvidenceLink struct {
	ID   int64  `json:"id,omitempty"`
	Kind string `json:"kind"`
	Ref  string `json:"ref"`
	Note string `json:"note,omitempty"`
}

// Claim is an official statement tested against the evidence.
type Claim struct {
	ID     int64    `json:"id"`
	Author ActorRef `json:"author"` // who made it; kind person or organisation shapes the ClaimReview
	Date   string   `json:"date"`   // when it was made: YYYY-MM-DD (or YYYY-MM, YYYY)
	// Where it was published: a URL and a title such as "HC Deb 18 March
	// 2003, vol. 401, col. 760".
	AppearanceURL   string `json:"appearance_url,omitempty"`
	AppearanceTitle string `json:"appearance_title,omitempty"`
	Text            string `json:"text"`               // the statement
	Verbatim        bool   `json:"verbatim,omitempty"` // Text is the author's own words
	Verdict         string `json:"verdict,omitempty"`  // a Verdicts name; "" until reviewed
	Reasoning       string `json:"reasoning,omitempty"`
	// ReviewedBy names the organisation that reviewed the claim: the
	// ClaimReview's author.
	ReviewedBy      string         `json:"reviewed_by,omitempty"`
	Evidence        []EvidenceLink `json:"evidence,omitempty"`
	InterventionIDs []int64        `json:"intervention_ids,omitempty"`
	// Published says the review is final and may be exported as a
	// ClaimReview; PublishedDate is when (YYYY-MM-DD).
	Published     bool       `json:"published"`
	PublishedDate string     `json:"published_date,omitempty"`
	Citations     []Citation `json:"citations"`
	Audience      Audience   `json:"audience,omitempty"`
	Owner         string     `json:"owner,omitempty"`
	// Language is the language of the record's texts ("":
	// OriginalLanguage); Translations hold them in others.
	Language     string       `json:"language,omitempty"`
	Translations Translations `json:"translations,omitempty"`
}

// ClaimFields are the fields a citation of a claim may name.
var ClaimFields = []string{"author", "date", "appearance", "text", "verdict", "reasoning", "interventions"}

var (
	ledgerDateRE = regexp.MustCompile(`^\d{4}(?:-\d{2}(?:-\d{2})?)?$`)
	nativeRefRE  = regexp.MustCompile(`^[a-z][a-z0-9_-]*:\S+$`)
)

// validLedgerDate accepts an existing YYYY-MM-DD, or YYYY-MM or YYYY when
// only that is known.
func validLedgerDate(s string) bool {
	if !ledgerDateRE.MatchString(s) {
		return false
	}
	layout := map[int]string{4: "2006", 7: "2006-01", 10: "2006-01-02"}[len(s)]
	_, err := time.Parse(layout, s)
	return err == nil
}

func validLedgerDay(s string) bool { return len(s) == 10 && validLedgerDate(s) }

func checkAudience(where string, a Audience) error {
	if a != "" && !a.Valid() {
		return Errorf(EINVALID, "%s: audience %q is not one of confidential, internal, partners, public", where, a)
	}
	return nil
}

func citationOK(where string, fields []string, c *Citation) error {
	if !slices.Contains(fields, c.Field) {
		return Errorf(EINVALID, "%s: citation of unknown field %q (fields: %s)", where, c.Field, strings.Join(fields, ", "))
	}
	if c.SourceID == 0 {
		return Errorf(EINVALID, "%s: citation of %s: a source is required", where, c.Field)
	}
	switch c.Confidence {
	case ConfidenceLow, ConfidenceMedium, ConfidenceHigh:
		return nil
	}
	return Errorf(EINVALID, "%s: citation of %s: confidence %q is not low, medium or high", where, c.Field, c.Confidence)
}

func citationsOK(where string, fields []string, cs []Citation) error {
	for i := range cs {
		if err := citationOK(where, fields, &cs[i]); err != nil {
			return err
		}
	}
	return nil
}

func noDuplicateIDs(where, field string, ids []int64) error {
	seen := map[int64]bool{}
	for _, id := range ids {
		if id <= 0 {
			return Errorf(EINVALID, "%s: %s: %d is not a record id", where, field, id)
		}
		if seen[id] {
			return Errorf(EINVALID, "%s: %s: %d is listed twice", where, field, id)
		}
		seen[id] = true
	}
	return nil
}

func ledgerLabel(kind string, id int64, text string) string {
	if id > 0 {
		return fmt.Sprintf("%s %d", kind, id)
	}
	if r := []rune(strings.TrimSpace(text)); len(r) > 40 {
		text = string(r[:40]) + "…"
	}
	if text == "" {
		return kind
	}
	return fmt.Sprintf("%s %q", kind, text)
}

// Validate checks a decision before it is stored.
func (d *Decision) Validate() error {
	where := ledgerLabel("decision", d.ID, d.Summary)
	if err := d.Maker.validate(where, "maker"); err != nil {
		return err
	}
	if err := d.Translations.check(where, d.Language, translatable{fields: DecisionTranslatable}); err != nil {
		return err
	}
	switch {
	case !validLedgerDate(d.Date):
		return Errorf(EINVALID, "%s: date %q is not YYYY-MM-DD (or YYYY-MM, YYYY)", where, d.Date)
	case !slices.Contains(DecisionKinds, d.Kind):
		return Errorf(EINVALID, "%s: kind %q is not one of %s", where, d.Kind, strings.Join(DecisionKinds, ", "))
	case strings.TrimSpace(d.Summary) == "":
		return Errorf(EINVALID, "%s: summary (what was decided) is required", where)
	case d.RationaleVerbatim && strings.TrimSpace(d.Rationale) == "":
		return Errorf(EINVALID, "%s: rationale_verbatim is set but there is no rationale", where)
	}
	if err := checkAudience(where, d.Audience); err != nil {
		return err
	}
	for i, a := range d.Amounts {
		if a.Value < 0 || !iso4217RE.MatchString(a.Currency) {
			return Errorf(EINVALID, "%s: amounts: amount %d needs a value ≥ 0 and an ISO 4217 currency (have %v %q)", where, i+1, a.Value, a.Currency)
		}
	}
	if err := noDuplicateIDs(where, "intervention_ids", d.InterventionIDs); err != nil {
		return err
	}
	for _, a := range d.Actors {
		if err := a.validate(where, "actors"); err != nil {
			return err
		}
	}
	return citationsOK(where, DecisionFields, d.Citations)
}

// Uncited lists the fields of the decision that hold a value but carry no
// citation, for pages to flag.
func (d *Decision) Uncited() []string {
	set := map[string]bool{"maker": true, "date": true, "kind": true, "summary": true,
		"reference": d.Reference != "", "rationale": d.Rationale != "", "amounts": len(d.Amounts) > 0,
		"interventions": len(d.InterventionIDs) > 0, "actors": len(d.Actors) > 0}
	return uncitedFields(DecisionFields, set, d.Citations)
}

func uncitedFields(fields []string, set map[string]bool, cs []Citation) []string {
	have := map[string]bool{}
	for _, c := range cs {
		have[c.Field] = true
	}
	var out []string
	for _, f := range fields {
		if set[f] && !have[f] {
			out = append(out, f)
		}
	}
	return out
}

// Validate checks an inquiry and its findings before it is stored.
func (q *Inquiry) Validate() error {
	where := ledgerLabel("inquiry", q.ID, q.Title)
	if err := q.Body.validate(where, "body"); err != nil {
		return err
	}
	if err := q.Translations.check(where, q.Language, translatable{fields: InquiryTranslatable}); err != nil {
		return err
	}
	switch {
	case !slices.Contains(InquiryTypes, q.Type):
		return Errorf(EINVALID, "%s: type %q is not one of %s", where, q.Type, strings.Join(InquiryTypes, ", "))
	case strings.TrimSpace(q.Title) == "":
		return Errorf(EINVALID, "%s: title is required", where)
	case !validLedgerDate(q.Date):
		return Errorf(EINVALID, "%s: date %q is not YYYY-MM-DD (or YYYY-MM, YYYY)", where, q.Date)
	}
	if err := checkAudience(where, q.Audience); err != nil {
		return err
	}
	if err := noDuplicateIDs(where, "intervention_ids", q.InterventionIDs); err != nil {
		return err
	}
	for _, a := range q.Subjects {
		if err := a.validate(where, "subjects"); err != nil {
			return err
		}
	}
	for i := range q.Findings {
		f := &q.Findings[i]
		at := fmt.Sprintf("%s: finding %d", where, i+1)
		if strings.TrimSpace(f.Text) == "" {
			return Errorf(EINVALID, "%s: text is required", at)
		}
		for j := range f.Citations {
			if f.Citations[j].Field == "" {
				f.Citations[j].Field = "text"
			}
		}
		if err := citationsOK(at, []string{"text"}, f.Citations); err != nil {
			return err
		}
	}
	return citationsOK(where, InquiryFields, q.Citations)
}

// Uncited lists the inquiry's fields, and findings ("finding N"), that hold
// a value but carry no citation.
func (q *Inquiry) Uncited() []string {
	set := map[string]bool{"body": true, "type": true, "title": true, "date": true,
		"reference": q.Reference != "", "summary": q.Summary != "",
		"interventions": len(q.InterventionIDs) > 0, "subjects": len(q.Subjects) > 0}
	out := uncitedFields(InquiryFields, set, q.Citations)
	for i, f := range q.Findings {
		if len(f.Citations) == 0 {
			out = append(out, fmt.Sprintf("finding %d", i+1))
		}
	}
	return out
}

// Validate checks a recommendation before it is stored (its history is
// checked change by change as it is added).
func (r *Recommendation) Validate() error {
	where := ledgerLabel("recommendation", r.ID, r.Text)
	if err := r.Addressee.validate(where, "addressee"); err != nil {
		return err
	}
	if err := r.Translations.check(where, r.Language, translatable{fields: RecommendationTranslatable}); err != nil {
		return err
	}
	switch {
	case r.InquiryID <= 0:
		return Errorf(EINVALID, "%s: inquiry_id is required: the inquiry that made it", where)
	case strings.TrimSpace(r.Text) == "":
		return Errorf(EINVALID, "%s: text is required", where)
	case r.ResponseDate != "" && !validLedgerDate(r.ResponseDate):
		return Errorf(EINVALID, "%s: response_date %q is not YYYY-MM-DD (or YYYY-MM, YYYY)", where, r.ResponseDate)
	case r.ResponseDate != "" && strings.TrimSpace(r.Response) == "":
		return Errorf(EINVALID, "%s: response_date is set but there is no response", where)
	case r.Deadline != "" && !validLedgerDay(r.Deadline):
		return Errorf(EINVALID, "%s: deadline %q is not YYYY-MM-DD", where, r.Deadline)
	}
	if err := checkAudience(where, r.Audience); err != nil {
		return err
	}
	for i, x := range r.Recurrences {
		at := fmt.Sprintf("%s: recurrence %d", where, i+1)
		switch x.Kind {
		case "event":
			if x.Dataset == "" || x.NativeID == "" || x.DecisionID != 0 {
				return Errorf(EINVALID, "%s: an event link needs dataset and native_id (and no decision_id)", at)
			}
		case "decision":
			if x.DecisionID <= 0 || x.Dataset != "" || x.NativeID != "" {
				return Errorf(EINVALID, "%s: a decision link needs decision_id (and no dataset or native_id)", at)
			}
		default:
			return Errorf(EINVALID, "%s: kind %q is not event or decision", at, x.Kind)
		}
	}
	return citationsOK(where, RecommendationFields, r.Citations)
}

// Uncited lists the recommendation's fields that hold a value but carry no
// citation.
func (r *Recommendation) Uncited() []string {
	set := map[string]bool{"addressee": true, "text": true, "number": r.Number != "", "response": r.Response != "",
		"response_date": r.ResponseDate != "", "deadline": r.Deadline != "", "recurrences": len(r.Recurrences) > 0}
	return uncitedFields(RecommendationFields, set, r.Citations)
}

// Uncited lists the claim's fields that hold a value but carry no citation.
func (c *Claim) Uncited() []string {
	set := map[string]bool{"author": true, "date": true, "text": true,
		"appearance": c.AppearanceURL != "" || c.AppearanceTitle != "", "verdict": c.Verdict != "",
		"reasoning": c.Reasoning != "", "interventions": len(c.InterventionIDs) > 0}
	return uncitedFields(ClaimFields, set, c.Citations)
}

// Validate checks a claim before it is stored. A published review must be
// complete: verdict, reasoning, evidence, reviewer and publication date.
func (c *Claim) Validate() error {
	where := ledgerLabel("claim", c.ID, c.Text)
	if err := c.Author.validate(where, "author"); err != nil {
		return err
	}
	if err := c.Translations.check(where, c.Language, translatable{fields: ClaimTranslatable}); err != nil {
		return err
	}
	switch {
	case !validLedgerDate(c.Date):
		return Errorf(EINVALID, "%s: date %q is not YYYY-MM-DD (or YYYY-MM, YYYY)", where, c.Date)
	case strings.TrimSpace(c.Text) == "":
		return Errorf(EINVALID, "%s: text (the statement) is required", where)
	case c.AppearanceURL != "" && !strings.HasPrefix(c.AppearanceURL, "https://") && !strings.HasPrefix(c.AppearanceURL, "http://"):
		return Errorf(EINVALID, "%s: appearance_url %q is not an http(s) URL", where, c.AppearanceURL)
	case c.Verdict != "" && !validVerdict(c.Verdict):
		return Errorf(EINVALID, "%s: verdict %q is not one of %s", where, c.Verdict, strings.Join(verdictNames(), ", "))
	case c.Verdict != "" && strings.TrimSpace(c.Reasoning) == "":
		return Errorf(EINVALID, "%s: a verdict needs its reasoning", where)
	case c.PublishedDate != "" && !validLedgerDay(c.PublishedDate):
		return Errorf(EINVALID, "%s: published_date %q is not YYYY-MM-DD", where, c.PublishedDate)
	}
	if c.Published {
		switch {
		case c.Verdict == "":
			return Errorf(EINVALID, "%s: a published review needs a verdict", where)
		case len(c.Evidence) == 0:
			return Errorf(EINVALID, "%s: a published review needs at least one evidence link", where)
		case strings.TrimSpace(c.ReviewedBy) == "":
			return Errorf(EINVALID, "%s: a published review needs reviewed_by (the organisation that reviewed it)", where)
		case c.PublishedDate == "":
			return Errorf(EINVALID, "%s: a published review needs published_date", where)
		}
	}
	if err := checkAudience(where, c.Audience); err != nil {
		return err
	}
	for i, e := range c.Evidence {
		at := fmt.Sprintf("%s: evidence %d", where, i+1)
		if !slices.Contains(EvidenceKinds, e.Kind) {
			return Errorf(EINVALID, "%s: kind %q is not one of %s", at, e.Kind, strings.Join(EvidenceKinds, ", "))
		}
		if strings.TrimSpace(e.Ref) == "" {
			return Errorf(EINVALID, "%s: ref is required", at)
		}
		if e.Kind == "event" && !nativeRefRE.MatchString(e.Ref) {
			return Errorf(EINVALID, "%s: an event ref is DATASET:NATIVE_ID, e.g. ucdp:412345 (have %q)", at, e.Ref)
		}
	}
	if err := noDuplicateIDs(where, "intervention_ids", c.InterventionIDs); err != nil {
		return err
	}
	return citationsOK(where, ClaimFields, c.Citations)
}

func validVerdict(name string) bool { _, ok := VerdictByName(name); return ok }

func verdictNames() []string {
	out := make([]string, len(Verdicts))
	for i, v := range Verdicts {
		out[i] = v.Name
	}
	return out
}

// Timeline item types.
const (
	TimelineDecision       = "decision"
	TimelineInquiry        = "inquiry"
	TimelineRecommendation = "recommendation"
	TimelineStatus         = "status" // one change in a recommendation's history
	TimelineClaim          = "claim"
)

// TimelineItem is one dated entry of a ledger timeline. ID is the record
// to link to (for TimelineStatus: the recommendation; ChangeID the change).
type TimelineItem struct {
	Date     string `json:"date"`
	Type     string `json:"type"`
	ID       int64  `json:"id"`
	ChangeID int64  `json:"change_id,omitempty"`
	Title    string `json:"title"`
	Actor    string `json:"actor"`             // maker, body, addressee or author
	Status   string `json:"status,omitempty"`  // recommendation: current status; status: the new one
	Overdue  bool   `json:"overdue,omitempty"` // recommendation
	Verdict  string `json:"verdict,omitempty"` // claim
}

// Figure is a count with the records behind it, so every number a page
// shows links to what it counts.
type Figure struct {
	RecordType string  `json:"record_type"`
	Count      int     `json:"count"`
	IDs        []int64 `json:"ids"`
}

// Add counts a record.
func (f *Figure) Add(id int64) { f.Count++; f.IDs = append(f.IDs, id) }

// Scorecard sums an actor's record in the ledger, as far as the viewer may
// see it.
type Scorecard struct {
	ActorID   int64  `json:"actor_id"`
	ActorName string `json:"actor_name"`

	Decisions           Figure `json:"decisions"`            // decisions it made
	InterventionsBacked Figure `json:"interventions_backed"` // interventions naming it as a backer
	Inquiries           Figure `json:"inquiries"`            // inquiries that examined it
	Recommendations     Figure `json:"recommendations"`      // recommendations addressed to it
	Open                Figure `json:"open"`
	Implemented         Figure `json:"implemented"`
	PartlyImplemented   Figure `json:"partly_implemented"`
	NotImplemented      Figure `json:"not_implemented"`
	Superseded          Figure `json:"superseded"`
	// ShareImplemented is Implemented ÷ (Recommendations − Superseded):
	// partly implemented does not count. Nil when there is nothing to
	// divide by.
	ShareImplemented *float64 `json:"share_implemented"`
	Overdue          Figure   `json:"overdue"`
	// ClaimsReviewed are its statements with a published review;
	// ClaimsContradicted those judged false or mostly false.
	ClaimsReviewed     Figure `json:"claims_reviewed"`
	ClaimsContradicted Figure `json:"claims_contradicted"`
}

// Record types of the ledger, as citations and audiences name them.
const (
	RecordDecision       = "decision"
	RecordInquiry        = "inquiry"
	RecordFinding        = "inquiry_finding"
	RecordRecommendation = "recommendation"
	RecordStatusChange   = "recommendation_status"
	RecordClaim          = "claim"
)

// DecisionFilter selects decisions; zero fields select all.
type DecisionFilter struct {
	InterventionID int64  // linked to this intervention
	ActorID        int64  // made by this actor or naming it among its actors
	MakerID        int64  // made by this actor
	Reference      string // with this reference (e.g. "S/RES/2100 (2013)")
	Kind           string
}

// InquiryFilter selects inquiries; zero fields select all.
type InquiryFilter struct {
	InterventionID int64  // linked to this intervention
	ActorID        int64  // conducted by this actor or examining it
	SubjectID      int64  // examining this actor
	Reference      string // with this reference (e.g. "HC 264")
	Type           string
}

// RecommendationFilter selects recommendations; zero fields select all.
type RecommendationFilter struct {
	InquiryID      int64
	AddresseeID    int64
	InterventionID int64  // made by an inquiry linked to this intervention
	Status         string // current status
	OverdueOnly    bool
}

// ClaimFilter selects claims; zero fields select all.
type ClaimFilter struct {
	AuthorID       int64
	InterventionID int64
	Verdict        string
	PublishedOnly  bool // only claims whose review is published
}

// Ledger is the accountability ledger: decisions, inquiries with their
// findings, recommendations with their status history, and claims. v is
// who reads or acts (System for the command line and seeding). It returns
// ENOTFOUND for a record that does not exist or v may not see, and
// EFORBIDDEN for one v may see but not change; every change is audited.
type Ledger interface {
	CreateDecision(ctx context.Context, v Viewer, d *Decision) error
	UpdateDecision(ctx context.Context, v Viewer, d *Decision) error
	DeleteDecision(ctx context.Context, v Viewer, id int64) error
	Decision(ctx context.Context, v Viewer, id int64) (*Decision, error)
	Decisions(ctx context.Context, v Viewer, f DecisionFilter) ([]Decision, error)

	CreateInquiry(ctx context.Context, v Viewer, q *Inquiry) error
	UpdateInquiry(ctx context.Context, v Viewer, q *Inquiry) error
	DeleteInquiry(ctx context.Context, v Viewer, id int64) error
	Inquiry(ctx context.Context, v Viewer, id int64) (*Inquiry, error)
	Inquiries(ctx context.Context, v Viewer, f InquiryFilter) ([]Inquiry, error)

	CreateRecommendation(ctx context.Context, v Viewer, r *Recommendation) error
	UpdateRecommendation(ctx context.Context, v Viewer, r *Recommendation) error
	DeleteRecommendation(ctx context.Context, v Viewer, id int64) error
	AddRecommendationStatus(ctx context.Context, v Viewer, recommendationID int64, sc *StatusChange) error
	Recommendation(ctx context.Context, v Viewer, id int64) (*Recommendation, error)
	Recommendations(ctx context.Context, v Viewer, f RecommendationFilter) ([]Recommendation, error)
	RecommendationsOf(ctx context.Context, v Viewer, inquiryID int64) ([]Recommendation, error)

	CreateClaim(ctx context.Context, v Viewer, c *Claim) error
	UpdateClaim(ctx context.Context, v Viewer, c *Claim) error
	DeleteClaim(ctx context.Context, v Viewer, id int64) error
	Claim(ctx context.Context, v Viewer, id int64) (*Claim, error)
	Claims(ctx context.Context, v Viewer, f ClaimFilter) ([]Claim, error)
}

// Sources stores the documents facts come from.
type Sources interface {
	CreateSource(ctx context.Context, s *Source) error
	SourceByIdentifier(ctx context.Context, v Viewer, identifier string) (*Source, error)
	Source(ctx context.Context, v Viewer, id int64) (*Source, error)
	// SourcesByID are those of ids that v may see, by id.
	SourcesByID(ctx context.Context, v Viewer, ids []int64) (map[int64]Source, error)
	Sources(ctx context.Context, v Viewer) ([]Source, error)
	// CitationsOfSource lists the records v may see that cite a source.
	CitationsOfSource(ctx context.Context, v Viewer, sourceID int64) ([]Citation, error)
}

// TimelineFilter chooses a timeline: the ledger records of an intervention
// or of an actor (both: records matching both; neither: the whole ledger).
type TimelineFilter struct {
	InterventionID int64
	ActorID        int64
}

// LedgerViews are the ledger read across records: timelines, scorecards
// and the CSV exports (formula-safe, audited as exports).
type LedgerViews interface {
	LedgerTimeline(ctx context.Context, v Viewer, f TimelineFilter) ([]TimelineItem, error)
	Scorecard(ctx context.Context, v Viewer, actorID int64) (*Scorecard, error)
	// CitedRecord resolves a cited record to the one with a page (a
	// finding to its inquiry, a status change to its recommendation); the
	// caller then reads that record with its viewer.
	CitedRecord(ctx context.Context, recordType string, id int64) (string, int64, error)
	WriteDecisionsCSV(ctx context.Context, v Viewer, w io.Writer) error
	WriteInquiriesCSV(ctx context.Context, v Viewer, w io.Writer) error
	WriteFindingsCSV(ctx context.Context, v Viewer, w io.Writer) error
	WriteRecommendationsCSV(ctx context.Context, v Viewer, w io.Writer) error
	WriteRecommendationStatusCSV(ctx context.Context, v Viewer, w io.Writer) error
	WriteClaimsCSV(ctx context.Context, v Viewer, w io.Writer) error
}
