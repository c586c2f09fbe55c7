// Package catalog is Aftermath's starter catalog of interventions: a small
// set of well-documented international security interventions, written by
// the project from public documents, with every field cited.
//
// The catalog lives in catalog.json, embedded in the binary. Load parses and
// checks it; Parse does the same for any reader (tests use it with broken
// input). The file is read strictly: unknown keys, trailing data, malformed
// dates, uncited fields, citations of undeclared sources and sources that
// nothing cites are all errors, so that a mistake in the file cannot slip
// into a deployment unnoticed.
//
// The rule for editors of catalog.json: write only facts you are sure of,
// cite each by its document's own identifier, set confidence honestly, and
// leave a field empty rather than guess.
package catalog

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"aftermath"
)

//go:embed catalog.json
var embedded []byte

// Catalog is the parsed, checked starter catalog.
type Catalog struct {
	Sources       []Source
	Interventions []Entry
}

// Source is a document the catalog cites, under the key its citations use.
// Source.ID is 0: the store assigns IDs when it imports the catalog.
type Source struct {
	Key string
	aftermath.Source
}

// Entry is one intervention of the catalog with the citations of its
// fields. Intervention.Citations is left empty, because a catalog citation
// names its source by key rather than by a stored ID; Cited carries them,
// and the store resolves the keys when it imports the entry.
type Entry struct {
	aftermath.Intervention
	Cited []CitationRef
}

// CitationRef attaches the source with key SourceKey to one field of an
// entry (a name from aftermath.InterventionFields).
type CitationRef struct {
	Field      string
	SourceKey  string
	Page       string // where in the source: "preamble", "para. 1", "Art. 1(1)" …; may be empty
	Quote      string // the source's own words, verbatim; may be empty
	Confidence string // aftermath.ConfidenceLow, Medium or High
}

// Load parses and checks the embedded catalog.
func Load() (*Catalog, error) {
	return Parse(bytes.NewReader(embedded))
}

// Parse reads a catalog in the catalog.json format and checks it. Every
// problem found is reported, each naming the source key or intervention
// slug and the field concerned; the error is an *aftermath.Error with code
// aftermath.EINVALID.
func Parse(r io.Reader) (*Catalog, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var raw rawFileJSON
	if err := dec.Decode(&raw); err != nil {
		return nil, aftermath.Errorf(aftermath.EINVALID, "catalog: %v", err)
	}
	if tok, err := dec.Token(); err != io.EOF {
		if err != nil {
			return nil, aftermath.Errorf(aftermath.EINVALID, "catalog: after the catalog object: %v", err)
		}
		return nil, aftermath.Errorf(aftermath.EINVALID, "catalog: unexpected data after the catalog object (%v)", tok)
	}
	// Decode each source and intervention on its own, so that an unknown
	// key or a wrong type is reported with the key or slug it occurs in.
	var p problems
	var f fileJSON
	for i, m := range raw.Sources {
		var s sourceJSON
		if err := strictUnmarshal(m, &s); err != nil {
			p.add("%s: %v", label(m, "source", "key", i), err)
			continue
		}
		f.Sources = append(f.Sources, s)
	}
	for i, m := range raw.Interventions {
		var in interventionJSON
		if err := strictUnmarshal(m, &in); err != nil {
			p.add("%s: %v", label(m, "intervention", "slug", i), err)
			continue
		}
		f.Interventions = append(f.Interventions, in)
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	c := f.build(&p)
	if err := p.err(); err != nil {
		return nil, err
	}
	return c, nil
}

// Entry returns the intervention with the given slug.
func (c *Catalog) Entry(slug string) (*Entry, bool) {
	for i := range c.Interventions {
		if c.Interventions[i].Slug == slug {
			return &c.Interventions[i], true
		}
	}
	return nil, false
}

// Source returns the source with the given key.
func (c *Catalog) Source(key string) (*Source, bool) {
	for i := range c.Sources {
		if c.Sources[i].Key == key {
			return &c.Sources[i], true
		}
	}
	return nil, false
}

// CitationsOf returns the citations of one field of the entry.
func (e *Entry) CitationsOf(field string) []CitationRef {
	var out []CitationRef
	for _, c := range e.Cited {
		if c.Field == field {
			out = append(out, c)
		}
	}
	return out
}

// FieldSet reports whether a field of the intervention (a name from
// aftermath.InterventionFields) holds a value.
func FieldSet(iv *aftermath.Intervention, field string) bool {
	switch field {
	case "name":
		return strings.TrimSpace(iv.Name) != ""
	case "backers":
		return len(iv.Backers) > 0
	case "partner_forces":
		return len(iv.PartnerForces) > 0
	case "instruments":
		return len(iv.Instruments) > 0
	case "area":
		return len(iv.Area) > 0
	case "phases":
		return len(iv.Phases) > 0
	case "objectives":
		return len(iv.Objectives) > 0
	case "budget":
		return iv.Budget != nil
	}
	return false
}

// strictUnmarshal decodes one JSON value, refusing unknown keys.
func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// label names the i-th source or intervention of the file by its key or
// slug when it has a readable one, else by its position.
func label(data []byte, kind, keyField string, i int) string {
	var m map[string]any
	if json.Unmarshal(data, &m) == nil {
		if k, ok := m[keyField].(string); ok && k != "" {
			if kind == "source" {
				return fmt.Sprintf("source %q", k)
			}
			return fmt.Sprintf("intervention %s", k)
		}
	}
	return fmt.Sprintf("%s %d", kind, i+1)
}

// The file format. Field names are the JSON keys of catalog.json.

type rawFileJSON struct {
	Sources       []json.RawMessage `json:"sources"`
	Interventions []json.RawMessage `json:"interventions"`
}

type fileJSON struct {
	Sources       []sourceJSON       `json:"sources"`
	Interventions []interventionJSON `json:"interventions"`
}

type sourceJSON struct {
	Key        string `json:"key"`
	Identifier string `json:"identifier"`
	Title      string `json:"title"`
	Publisher  string `json:"publisher"`
	Date       string `json:"date"`
	URL        string `json:"url"`
	Language   string `json:"language"`
}

// actorJSON is a backer or partner force. "from" and "to" are its support
// window; "start" and "end" are their names in earlier files.
type actorJSON struct {
	Name    string                 `json:"name"`
	Aliases map[string][]aliasJSON `json:"aliases"`
	From    string                 `json:"from"`
	To      string                 `json:"to"`
	Start   string                 `json:"start"`
	End     string                 `json:"end"`
}

// aliasJSON is one dataset name: a plain string (undated) or an object
// {"name", "from", "to"} giving the days on which the name means the actor.
type aliasJSON struct {
	Name     string `json:"name"`
	From     string `json:"from"`
	To       string `json:"to"`
	isObject bool
}

func (a *aliasJSON) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	if len(data) > 0 && data[0] == '"' {
		*a = aliasJSON{}
		return json.Unmarshal(data, &a.Name)
	}
	var o struct {
		Name string `json:"name"`
		From string `json:"from"`
		To   string `json:"to"`
	}
	if err := strictUnmarshal(data, &o); err != nil {
		return fmt.Errorf("an alias is a name or {\"name\", \"from\", \"to\"}: %w", err)
	}
	*a = aliasJSON{Name: o.Name, From: o.From, To: o.To, isObject: true}
	return nil
}

type areaJSON struct {
	Country string `json:"country"`
	Admin1  string `json:"admin1"`
}

type phaseJSON struct {
	Name  string `json:"name"`
	Start string `json:"start"`
	End   string `json:"end"`
}

type budgetJSON struct {
	Amount   float64 `json:"amount"`
	Currency string  `json:"currency"`
	Year     int     `json:"year"`
	Note     string  `json:"note"`
}

type citationJSON struct {
	Source     string `json:"source"`
	Page       string `json:"page"`
	Quote      string `json:"quote"`
	Confidence string `json:"confidence"`
}

type interventionJSON struct {
	Slug          string                     `json:"slug"`
	Name          string                     `json:"name"`
	Backers       []actorJSON                `json:"backers"`
	PartnerForces []actorJSON                `json:"partner_forces"`
	Instruments   []string                   `json:"instruments"`
	Area          []areaJSON                 `json:"area"`
	Phases        []phaseJSON                `json:"phases"`
	Objectives    []string                   `json:"objectives"`
	Budget        *budgetJSON                `json:"budget"`
	Notes         string                     `json:"notes"`
	Citations     map[string][]citationJSON  `json:"citations"`
	Translations  map[string]translationJSON `json:"translations"`
}

// translationJSON is an entry's texts in one other language; a phase or
// objective left "" (or beyond the list's end) has no translation.
type translationJSON struct {
	Name       string   `json:"name"`
	Phases     []string `json:"phases"`
	Objectives []string `json:"objectives"`
	Notes      string   `json:"notes"`
}

// problems collects every error found, so an editor sees them all at once.
type problems []string

func (p *problems) add(format string, args ...any) {
	*p = append(*p, fmt.Sprintf(format, args...))
}

func (p problems) err() error {
	switch len(p) {
	case 0:
		return nil
	case 1:
		return aftermath.Errorf(aftermath.EINVALID, "catalog: %s", p[0])
	}
	return aftermath.Errorf(aftermath.EINVALID, "catalog: %d problems: %s", len(p), strings.Join(p, "; "))
}

var (
	keyRE      = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	sourceDate = regexp.MustCompile(`^\d{4}(?:-\d{2}(?:-\d{2})?)?$`)
	languageRE = regexp.MustCompile(`^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$`)
	datasets   = []string{aftermath.DatasetUCDP, aftermath.DatasetACLED}
)

// validSourceDate accepts YYYY-MM-DD, or YYYY-MM or YYYY when only that is
// known, and only dates that exist.
func validSourceDate(s string) bool {
	if !sourceDate.MatchString(s) {
		return false
	}
	layout := map[int]string{4: "2006", 7: "2006-01", 10: "2006-01-02"}[len(s)]
	_, err := time.Parse(layout, s)
	return err == nil
}

// validDay accepts an existing YYYY-MM-DD date.
func validDay(s string) bool {
	if len(s) != 10 {
		return false
	}
	_, err := time.Parse("2006-01-02", s)
	return err == nil
}

func trimmed(s string) bool { return s == strings.TrimSpace(s) }

func (f *fileJSON) build(p *problems) *Catalog {
	c := &Catalog{}
	known := map[string]bool{}
	for i, s := range f.Sources {
		where := fmt.Sprintf("source %q", s.Key)
		if s.Key == "" {
			where = fmt.Sprintf("source %d", i+1)
		}
		switch {
		case s.Key == "":
			p.add("%s: a key is required", where)
		case !keyRE.MatchString(s.Key):
			p.add("%s: key: use lower-case letters, digits and hyphens", where)
		case known[s.Key]:
			p.add("%s: key is declared twice", where)
		}
		known[s.Key] = true
		for _, req := range []struct{ field, value string }{
			{"identifier", s.Identifier}, {"title", s.Title}, {"publisher", s.Publisher},
		} {
			if strings.TrimSpace(req.value) == "" {
				p.add("%s: %s is required", where, req.field)
			} else if !trimmed(req.value) {
				p.add("%s: %s has leading or trailing spaces", where, req.field)
			}
		}
		if !validSourceDate(s.Date) {
			p.add("%s: date %q is not YYYY-MM-DD (or YYYY-MM or YYYY when only that is known)", where, s.Date)
		}
		if s.URL != "" {
			u, err := url.Parse(s.URL)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				p.add("%s: url %q is not an absolute http(s) URL", where, s.URL)
			}
		}
		if s.Language != "" && !languageRE.MatchString(s.Language) {
			p.add("%s: language %q is not a language tag such as \"en\"", where, s.Language)
		}
		c.Sources = append(c.Sources, Source{Key: s.Key, Source: aftermath.Source{
			Identifier: s.Identifier, Title: s.Title, Publisher: s.Publisher,
			Date: s.Date, URL: s.URL, Language: s.Language,
		}})
	}

	used := map[string]bool{}
	slugs := map[string]bool{}
	for i, in := range f.Interventions {
		where := fmt.Sprintf("intervention %s", in.Slug)
		if in.Slug == "" {
			where = fmt.Sprintf("intervention %d", i+1)
		}
		if slugs[in.Slug] && in.Slug != "" {
			p.add("%s: slug is used twice", where)
		}
		slugs[in.Slug] = true
		e := in.build(where, known, used, p)
		c.Interventions = append(c.Interventions, e)
	}
	for _, s := range c.Sources {
		if s.Key != "" && !used[s.Key] {
			p.add("source %q is never cited: cite it or remove it", s.Key)
		}
	}
	return c
}

func (in *interventionJSON) build(where string, known, used map[string]bool, p *problems) Entry {
	iv := aftermath.Intervention{
		Slug:        in.Slug,
		Name:        in.Name,
		Instruments: in.Instruments,
		Objectives:  in.Objectives,
		Notes:       in.Notes,
	}
	iv.Backers = buildActors(where, "backers", in.Backers, p)
	iv.PartnerForces = buildActors(where, "partner_forces", in.PartnerForces, p)
	for _, a := range in.Area {
		iv.Area = append(iv.Area, aftermath.AreaRef{Country: a.Country, Admin1: a.Admin1})
	}
	for _, ph := range in.Phases {
		iv.Phases = append(iv.Phases, aftermath.Phase{Name: ph.Name, Start: ph.Start, End: ph.End})
	}
	if b := in.Budget; b != nil {
		iv.Budget = &aftermath.Budget{Amount: b.Amount, Currency: b.Currency, Year: b.Year, Note: b.Note}
	}
	iv.Translations = buildTranslations(where, in, p)

	if err := iv.Validate(); err != nil {
		p.add("%v", err)
	}
	if !trimmed(iv.Name) {
		p.add("%s: name has leading or trailing spaces", where)
	}
	// The catalog's own floor: every entry says who intervened, where and when.
	if len(iv.Backers) == 0 {
		p.add("%s: backers: at least one backer is required", where)
	}
	if len(iv.Area) == 0 {
		p.add("%s: area: at least one country is required", where)
	}
	seenIn := map[string]bool{}
	for _, s := range iv.Instruments {
		if seenIn[s] {
			p.add("%s: instruments: %q is listed twice", where, s)
		}
		seenIn[s] = true
	}
	seenArea := map[aftermath.AreaRef]bool{}
	for _, a := range iv.Area {
		if seenArea[a] {
			p.add("%s: area: %s %s is listed twice", where, a.Country, a.Admin1)
		}
		seenArea[a] = true
	}
	for i, ph := range iv.Phases {
		if strings.TrimSpace(ph.Name) == "" {
			p.add("%s: phases: phase %d needs a name", where, i+1)
		}
		for _, d := range []string{ph.Start, ph.End} {
			if d != "" && sourceDate.MatchString(d) && !validDay(d) {
				p.add("%s: phases: phase %d: date %q does not exist", where, i+1, d)
			}
		}
	}
	for i, o := range iv.Objectives {
		if strings.TrimSpace(o) == "" {
			p.add("%s: objectives: objective %d is empty", where, i+1)
		}
	}

	e := Entry{Intervention: iv}
	fields := make([]string, 0, len(in.Citations))
	for f := range in.Citations {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	for _, f := range fields {
		if !slices.Contains(aftermath.InterventionFields, f) {
			p.add("%s: citation of unknown field %q (fields: %s)", where, f, strings.Join(aftermath.InterventionFields, ", "))
			continue
		}
		if !FieldSet(&iv, f) {
			p.add("%s: field %q is cited but empty", where, f)
		}
	}
	for _, f := range aftermath.InterventionFields {
		cs := in.Citations[f]
		if FieldSet(&iv, f) && len(cs) == 0 {
			p.add("%s: field %q has no citation", where, f)
		}
		for j, c := range cs {
			at := fmt.Sprintf("%s: citation %d of %s", where, j+1, f)
			switch {
			case c.Source == "":
				p.add("%s: a source key is required", at)
			case !known[c.Source]:
				p.add("%s: unknown source %q (declare it under \"sources\")", at, c.Source)
			default:
				used[c.Source] = true
			}
			switch c.Confidence {
			case aftermath.ConfidenceLow, aftermath.ConfidenceMedium, aftermath.ConfidenceHigh:
			default:
				p.add("%s: confidence %q is not low, medium or high", at, c.Confidence)
			}
			e.Cited = append(e.Cited, CitationRef{
				Field: f, SourceKey: c.Source, Page: c.Page, Quote: c.Quote, Confidence: c.Confidence,
			})
		}
	}
	return e
}

func buildActors(where, field string, in []actorJSON, p *problems) []aftermath.InterventionActor {
	var out []aftermath.InterventionActor
	names := map[string]bool{}
	for i, a := range in {
		at := fmt.Sprintf("%s: %s: %q", where, field, a.Name)
		if a.Name == "" {
			at = fmt.Sprintf("%s: %s: actor %d", where, field, i+1)
		}
		if !trimmed(a.Name) {
			p.add("%s: name has leading or trailing spaces", at)
		}
		if names[a.Name] && a.Name != "" {
			p.add("%s: listed twice", at)
		}
		names[a.Name] = true
		from, to := a.From, a.To
		for _, old := range []struct{ key, oldKey, v, old string }{{"from", "start", a.From, a.Start}, {"to", "end", a.To, a.End}} {
			if old.old != "" && old.v != "" {
				p.add("%s: give %q or its old name %q, not both", at, old.key, old.oldKey)
			}
		}
		if from == "" {
			from = a.Start
		}
		if to == "" {
			to = a.End
		}
		for _, d := range []string{from, to} {
			if d != "" && sourceDate.MatchString(d) && !validDay(d) {
				p.add("%s: date %q does not exist", at, d)
			}
		}
		if from != "" && to != "" && to < from {
			p.add("%s: ends (%s) before it starts (%s)", at, to, from)
		}
		act := aftermath.InterventionActor{Name: a.Name, From: from, To: to}
		keys := make([]string, 0, len(a.Aliases))
		for k := range a.Aliases {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, ds := range keys {
			if !slices.Contains(datasets, ds) {
				p.add("%s: aliases: unknown dataset %q (use %s)", at, ds, strings.Join(datasets, " or "))
				continue
			}
			seen := map[string]bool{}
			if len(a.Aliases[ds]) == 0 {
				p.add("%s: aliases: %s lists no names", at, ds)
			}
			for _, al := range a.Aliases[ds] {
				n := al.Name
				switch {
				case strings.TrimSpace(n) == "":
					p.add("%s: aliases: %s has an empty name", at, ds)
				case !trimmed(n):
					p.add("%s: aliases: %s name %q has leading or trailing spaces", at, ds, n)
				case seen[n]:
					p.add("%s: aliases: %s name %q is listed twice", at, ds, n)
				}
				seen[n] = true
				if al.isObject && al.From == "" && al.To == "" {
					p.add("%s: aliases: %s name %q: an object needs \"from\" or \"to\" (write an undated name as a plain string)", at, ds, n)
				}
				for _, d := range []struct{ key, v string }{{"from", al.From}, {"to", al.To}} {
					if d.v != "" && !validDay(d.v) {
						p.add("%s: aliases: %s name %q: %s: date %q is not an existing YYYY-MM-DD date", at, ds, n, d.key, d.v)
					}
				}
				if al.From != "" && al.To != "" && al.To < al.From {
					p.add("%s: aliases: %s name %q: to (%s) is before from (%s)", at, ds, n, al.To, al.From)
				}
				act.Aliases = append(act.Aliases, aftermath.DatedAlias{Dataset: ds, Name: n, From: al.From, To: al.To})
			}
		}
		out = append(out, act)
	}
	return out
}

// buildTranslations turns the entry's "translations" into the record's,
// reporting lists longer than the entry's own; the rest (languages, spaces)
// is checked by Validate, as for any record.
func buildTranslations(where string, in *interventionJSON, p *problems) aftermath.Translations {
	var t aftermath.Translations
	langs := make([]string, 0, len(in.Translations))
	for lang := range in.Translations {
		langs = append(langs, lang)
	}
	sort.Strings(langs)
	for _, lang := range langs {
		tr := in.Translations[lang]
		if tr.Name == "" {
			p.add("%s: translations: %s: a translation gives at least the name", where, lang)
		}
		set := func(field, text string) {
			if text != "" && !trimmed(text) {
				p.add("%s: translations: %s: %s has leading or trailing spaces", where, lang, field)
			}
			t.Set(lang, field, text)
		}
		set("name", tr.Name)
		set("notes", tr.Notes)
		for _, list := range []struct {
			field      string
			own, texts []string
		}{{"phases", phaseNames(in.Phases), tr.Phases}, {"objectives", in.Objectives, tr.Objectives}} {
			if len(list.texts) > len(list.own) {
				p.add("%s: translations: %s: %d %s for %d in the entry", where, lang, len(list.texts), list.field, len(list.own))
				continue
			}
			for i, text := range list.texts {
				set(aftermath.ListField(list.field, i), text)
			}
		}
	}
	return t
}

func phaseNames(phases []phaseJSON) []string {
	out := make([]string, len(phases))
	for i, ph := range phases {
		out[i] = ph.Name
	}
	return out
}
