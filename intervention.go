package aftermath

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"
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
	// Language is the language of the texts above ("": OriginalLanguage);
	// Translations hold the name, notes, phases and objectives in others.
	Language     string       `json:"language,omitempty"`
	Translations Translations `json:"translations,omitempty"`
}

// InterventionFields are the fields a citation of an intervention may name.
var InterventionFields = []string{"name", "backers", "partner_forces", "instruments", "area", "phases", "objectives", "budget"}

// InterventionActor is a backer or partner force: its name, the names the
// datasets use for it (each possibly dated), and its support window: the
// days it took part, From and To (YYYY-MM-DD, inclusive). An empty From is
// the intervention's first phase start, an empty To its last phase end
// ("" there: ongoing); SupportWindow applies these defaults.
//
// In JSON the window is "from" and "to"; the keys "start" and "end" of
// earlier versions are still read.
type InterventionActor struct {
	Name     string       `json:"name"`
	ActorIDs []int64      `json:"actor_ids,omitempty"` // every linked actor record (filled by the store)
	Links    []ActorLink  `json:"links,omitempty"`     // the same links with the alias and its dates (filled by the store)
	Aliases  DatedAliases `json:"aliases,omitempty"`   // dataset names, e.g. {ucdp, "Government of Mali"}
	From     string       `json:"from,omitempty"`      // YYYY-MM-DD or "" (the intervention's start)
	To       string       `json:"to,omitempty"`        // YYYY-MM-DD or "" (the intervention's end)
	// State is the state (ISO 3166-1 alpha-3) whose arms deliveries and
	// aid count as this party's, as a user confirmed or corrected it; ""
	// lets the money-and-arms figures suggest one from the names.
	State string `json:"state,omitempty"`
	// Force narrows a partner's deliveries to the deals whose SIPRI
	// comments name it ("National Guard", "police"): only where the
	// record says so. "" counts every delivery to the state.
	Force string `json:"force,omitempty"`
}

// ActorLink is one dataset actor an intervention actor is linked to,
// through the alias Dataset/Name, which means this intervention actor from
// From to To (inclusive; "" is unbounded).
type ActorLink struct {
	ActorID int64  `json:"actor_id"`
	Dataset string `json:"dataset"`
	Name    string `json:"name"`
	From    string `json:"from,omitempty"`
	To      string `json:"to,omitempty"`
}

// Covers reports whether the link holds on day (YYYY-MM-DD).
func (l ActorLink) Covers(day string) bool { return covers(l.From, l.To, day) }

// DatedAlias is a name a dataset uses for an intervention actor, with the
// days on which the name means this actor (inclusive; "" is unbounded): a
// dataset may give the same name to someone else at another time, as UCDP
// gives "Government of Afghanistan" to the Taliban after 15 August 2021.
type DatedAlias struct {
	Dataset string `json:"dataset"`
	Name    string `json:"name"`
	From    string `json:"from,omitempty"`
	To      string `json:"to,omitempty"`
}

// Covers reports whether the name means the actor on day (YYYY-MM-DD).
func (a DatedAlias) Covers(day string) bool { return covers(a.From, a.To, day) }

// Overlaps reports whether the alias holds on some day from..to (inclusive;
// "" is unbounded).
func (a DatedAlias) Overlaps(from, to string) bool {
	return (a.To == "" || from == "" || from <= a.To) && (a.From == "" || to == "" || a.From <= to)
}

func covers(from, to, day string) bool {
	return (from == "" || from <= day) && (to == "" || day <= to)
}

// DatedAliases are an actor's dataset names. In JSON they are a map from
// dataset to names, each a plain string (undated) or an object with
// "name" and optional "from" and "to":
//
//	{"ucdp": ["Forces of Hadi", {"name": "Government of Afghanistan", "to": "2021-08-15"}]}
//
// The list form of earlier versions, [{"dataset": "ucdp", "name": "…"}],
// is still read.
type DatedAliases []DatedAlias

type datedName struct {
	Name string `json:"name"`
	From string `json:"from,omitempty"`
	To   string `json:"to,omitempty"`
}

// MarshalJSON writes the map form, datasets in order, names in their order.
func (as DatedAliases) MarshalJSON() ([]byte, error) {
	if as == nil {
		return []byte("null"), nil
	}
	var order []string
	by := map[string][]any{}
	for _, a := range as {
		if _, ok := by[a.Dataset]; !ok {
			order = append(order, a.Dataset)
		}
		if a.From == "" && a.To == "" {
			by[a.Dataset] = append(by[a.Dataset], a.Name)
		} else {
			by[a.Dataset] = append(by[a.Dataset], datedName{a.Name, a.From, a.To})
		}
	}
	sort.Strings(order)
	var b bytes.Buffer
	b.WriteByte('{')
	for i, ds := range order {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(ds)
		v, err := json.Marshal(by[ds])
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.Write(v)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads the map form or the old list form, refusing unknown
// keys.
func (as *DatedAliases) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case bytes.Equal(data, []byte("null")):
		*as = nil
		return nil
	case len(data) > 0 && data[0] == '[':
		var list []DatedAlias
		if err := strictJSON(data, &list); err != nil {
			return fmt.Errorf("aliases: %w", err)
		}
		*as = list
		return nil
	}
	var m map[string][]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return fmt.Errorf("aliases: want {\"dataset\": [names…]}: %w", err)
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := DatedAliases{}
	for _, ds := range keys {
		for i, raw := range m[ds] {
			raw = bytes.TrimSpace(raw)
			var n datedName
			if len(raw) > 0 && raw[0] == '"' {
				if err := json.Unmarshal(raw, &n.Name); err != nil {
					return fmt.Errorf("aliases: %s name %d: %w", ds, i+1, err)
				}
			} else if err := strictJSON(raw, &n); err != nil {
				return fmt.Errorf("aliases: %s name %d: want a name or {\"name\", \"from\", \"to\"}: %w", ds, i+1, err)
			}
			out = append(out, DatedAlias{Dataset: ds, Name: n.Name, From: n.From, To: n.To})
		}
	}
	*as = out
	return nil
}

// UnmarshalJSON reads an actor, taking the old keys "start" and "end" for
// "from" and "to", and refuses unknown keys.
func (a *InterventionActor) UnmarshalJSON(data []byte) error {
	var in struct {
		Name     string       `json:"name"`
		ActorIDs []int64      `json:"actor_ids"`
		Links    []ActorLink  `json:"links"`
		Aliases  DatedAliases `json:"aliases"`
		From     *string      `json:"from"`
		To       *string      `json:"to"`
		Start    string       `json:"start"`
		End      string       `json:"end"`
		State    string       `json:"state"`
		Force    string       `json:"force"`
	}
	if err := strictJSON(data, &in); err != nil {
		return err
	}
	*a = InterventionActor{Name: in.Name, ActorIDs: in.ActorIDs, Links: in.Links, Aliases: in.Aliases, From: in.Start, To: in.End, State: in.State, Force: in.Force}
	if in.From != nil {
		a.From = *in.From
	}
	if in.To != nil {
		a.To = *in.To
	}
	return nil
}

func strictJSON(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// SupportWindow is the days a backer or partner force took part: its own
// From and To, or else the intervention's first phase start and last phase
// end (to "" = ongoing).
func (iv *Intervention) SupportWindow(a InterventionActor) (from, to string) {
	from, to = a.From, a.To
	if from == "" {
		from = iv.Start()
	}
	if to == "" {
		to = iv.End()
	}
	return from, to
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
	if err := iv.Translations.check("intervention "+iv.Slug, iv.Language, translatable{InterventionTranslatable,
		map[string]int{"phases": len(iv.Phases), "objectives": len(iv.Objectives)}}); err != nil {
		return err
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
		for _, d := range []struct{ key, v string }{{"from", a.From}, {"to", a.To}} {
			if d.v != "" && !validDay(d.v) {
				return Errorf(EINVALID, "intervention %s: %s: %s: date %q is not YYYY-MM-DD", iv.Slug, a.Name, d.key, d.v)
			}
		}
		if a.From != "" && a.To != "" && a.To < a.From {
			return Errorf(EINVALID, "intervention %s: %s: to (%s) is before from (%s)", iv.Slug, a.Name, a.To, a.From)
		}
		if a.State != "" && (len(a.State) != 3 || strings.ToUpper(a.State) != a.State) {
			return Errorf(EINVALID, "intervention %s: %s: state %q is not an ISO 3166-1 alpha-3 code", iv.Slug, a.Name, a.State)
		}
		if len(a.Force) > 100 || strings.ContainsAny(a.Force, "%_\n") {
			return Errorf(EINVALID, "intervention %s: %s: force %q: write the words SIPRI's comments use, up to 100 characters", iv.Slug, a.Name, a.Force)
		}
		seen := map[[2]string]bool{}
		for _, al := range a.Aliases {
			at := fmt.Sprintf("intervention %s: %s: aliases: %s %q", iv.Slug, a.Name, al.Dataset, al.Name)
			switch {
			case strings.TrimSpace(al.Dataset) == "" || strings.TrimSpace(al.Name) == "":
				return Errorf(EINVALID, "intervention %s: %s: aliases: every alias needs a dataset and a name", iv.Slug, a.Name)
			case seen[[2]string{al.Dataset, al.Name}]:
				return Errorf(EINVALID, "%s is listed twice", at)
			}
			seen[[2]string{al.Dataset, al.Name}] = true
			for _, d := range []struct{ key, v string }{{"from", al.From}, {"to", al.To}} {
				if d.v != "" && !validDay(d.v) {
					return Errorf(EINVALID, "%s: %s: date %q is not YYYY-MM-DD", at, d.key, d.v)
				}
			}
			if al.From != "" && al.To != "" && al.To < al.From {
				return Errorf(EINVALID, "%s: to (%s) is before from (%s)", at, al.To, al.From)
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

// validDay accepts an existing YYYY-MM-DD date.
func validDay(s string) bool {
	if !dateRE.MatchString(s) {
		return false
	}
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

// Interventions stores the interventions. Writes are decided inside: an
// intervention is changed only by its owning organisation's writers (one
// without an owner by admins and the system), ENOTFOUND for one the
// viewer may not see, EFORBIDDEN for one they see but may not change;
// every change is audited.
type Interventions interface {
	Interventions(ctx context.Context, v Viewer) ([]Intervention, error)
	Intervention(ctx context.Context, v Viewer, id int64) (*Intervention, error)
	// FindIntervention takes a slug or a numeric id.
	FindIntervention(ctx context.Context, v Viewer, ref string) (*Intervention, error)
	CreateIntervention(ctx context.Context, v Viewer, iv *Intervention) error
	UpdateIntervention(ctx context.Context, v Viewer, iv *Intervention) error
	DeleteIntervention(ctx context.Context, v Viewer, id int64) error
}
