package aftermath

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Instruments of an intervention: what the intervening side brought.
var Instruments = []string{
	"troops", "train-and-equip", "funding", "arms", "intelligence-logistics",
	"air-drone-strikes", "migration-control", "cve-programming",
}

// Intervention is an external security intervention: who intervened, with
// what, where, when, through which local partner forces, and on what
// stated grounds. Citations attach sources to its fields by the field
// names listed in InterventionFields.
type Intervention struct {
	ID            int64               `json:"id"`
	Slug          string              `json:"slug"` // stable key, e.g. "minusma"
	Name          string              `json:"name"`
	Backers       []InterventionActor `json:"backers"`
	PartnerForces []InterventionActor `json:"partner_forces"`
	Instruments   []string            `json:"instruments"`
	Area          []AreaRef           `json:"area"`
	Phases        []Phase             `json:"phases"`
	Objectives    []string            `json:"objectives"`
	Budget        *Budget             `json:"budget,omitempty"`
	Notes         string              `json:"notes,omitempty"`
	Citations     []Citation          `json:"citations"`
	// Audience says who sees the record; a new record without one is
	// internal until someone decides to publish it.
	Audience Audience `json:"audience,omitempty"`
	// Owner is the slug of the organisation whose internal or partners
	// record it is ("": every organisation of the instance).
	Owner string `json:"owner,omitempty"`
}

// InterventionFields are the fields a citation of an intervention may name.
var InterventionFields = []string{"name", "backers", "partner_forces", "instruments", "area", "phases", "objectives", "budget"}

// InterventionActor is a backer or partner force: its name, the names the
// datasets use for it, and the dates of its part (empty: the whole span).
type InterventionActor struct {
	Name     string       `json:"name"`
	ActorIDs []int64      `json:"actor_ids,omitempty"` // linked actor records (filled by the store)
	Aliases  []ActorAlias `json:"aliases,omitempty"`   // dataset spellings, e.g. {ucdp, "Government of Mali"}
	Start    string       `json:"start,omitempty"`     // YYYY-MM-DD or ""
	End      string       `json:"end,omitempty"`       // YYYY-MM-DD or ""
}

// AreaRef is a country (ISO 3166-1 alpha-3) or one of its admin-1 areas
// as a dataset spells it.
type AreaRef struct {
	Country string `json:"country"`
	Admin1  string `json:"admin1,omitempty"`
}

// Phase is a span of an intervention; End "" means ongoing.
type Phase struct {
	Name  string `json:"name,omitempty"`
	Start string `json:"start"`
	End   string `json:"end,omitempty"`
}

// Budget is a stated cost or budget.
type Budget struct {
	Amount   float64 `json:"amount"`
	Currency string  `json:"currency"` // ISO 4217
	Year     int     `json:"year"`
	Note     string  `json:"note,omitempty"`
}

var (
	slugRE    = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	dateRE    = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	iso4217RE = regexp.MustCompile(`^[A-Z]{3}$`)
)

// Validate checks an intervention before it is stored.
func (iv *Intervention) Validate() error {
	switch {
	case !slugRE.MatchString(iv.Slug):
		return Errorf(EINVALID, "slug %q: use lower-case letters, digits and hyphens", iv.Slug)
	case strings.TrimSpace(iv.Name) == "":
		return Errorf(EINVALID, "intervention %s: a name is required", iv.Slug)
	case len(iv.Phases) == 0:
		return Errorf(EINVALID, "intervention %s: at least one phase with a start date is required", iv.Slug)
	case iv.Audience != "" && !iv.Audience.Valid():
		return Errorf(EINVALID, "intervention %s: audience %q is not one of confidential, internal, partners, public", iv.Slug, iv.Audience)
	}
	for _, in := range iv.Instruments {
		if !slices.Contains(Instruments, in) {
			return Errorf(EINVALID, "intervention %s: instrument %q is not one of %s", iv.Slug, in, strings.Join(Instruments, ", "))
		}
	}
	for i, p := range iv.Phases {
		if !dateRE.MatchString(p.Start) || (p.End != "" && !dateRE.MatchString(p.End)) {
			return Errorf(EINVALID, "intervention %s: phase %d: dates must be YYYY-MM-DD", iv.Slug, i+1)
		}
		if p.End != "" && p.End < p.Start {
			return Errorf(EINVALID, "intervention %s: phase %d ends (%s) before it starts (%s)", iv.Slug, i+1, p.End, p.Start)
		}
	}
	for _, a := range append(slices.Clone(iv.Backers), iv.PartnerForces...) {
		if strings.TrimSpace(a.Name) == "" {
			return Errorf(EINVALID, "intervention %s: every backer and partner force needs a name", iv.Slug)
		}
		for _, d := range []string{a.Start, a.End} {
			if d != "" && !dateRE.MatchString(d) {
				return Errorf(EINVALID, "intervention %s: %s: date %q is not YYYY-MM-DD", iv.Slug, a.Name, d)
			}
		}
	}
	for _, ar := range iv.Area {
		if len(ar.Country) != 3 || strings.ToUpper(ar.Country) != ar.Country {
			return Errorf(EINVALID, "intervention %s: area country %q is not an ISO 3166-1 alpha-3 code", iv.Slug, ar.Country)
		}
	}
	if b := iv.Budget; b != nil {
		if b.Amount < 0 || !iso4217RE.MatchString(b.Currency) || b.Year < 1900 || b.Year > 2200 {
			return Errorf(EINVALID, "intervention %s: budget needs an amount ≥ 0, an ISO 4217 currency and a year (have %s %s %s)",
				iv.Slug, strconv.FormatFloat(b.Amount, 'f', -1, 64), b.Currency, strconv.Itoa(b.Year))
		}
	}
	for _, c := range iv.Citations {
		if !slices.Contains(InterventionFields, c.Field) {
			return Errorf(EINVALID, "intervention %s: citation of unknown field %q", iv.Slug, c.Field)
		}
		switch c.Confidence {
		case ConfidenceLow, ConfidenceMedium, ConfidenceHigh:
		default:
			return Errorf(EINVALID, "intervention %s: citation of %s: confidence %q is not low, medium or high", iv.Slug, c.Field, c.Confidence)
		}
	}
	return nil
}

// Start is the first phase's start date.
func (iv *Intervention) Start() string {
	s := ""
	for _, p := range iv.Phases {
		if s == "" || p.Start < s {
			s = p.Start
		}
	}
	return s
}

// End is the last phase's end date, "" when a phase is ongoing.
func (iv *Intervention) End() string {
	e := ""
	for _, p := range iv.Phases {
		if p.End == "" {
			return ""
		}
		if p.End > e {
			e = p.End
		}
	}
	return e
}
