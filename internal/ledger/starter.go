package ledger

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"aftermath"
)

// The starter records: decisions, inquiries and their findings written by
// the project from public documents, loaded by `aftermath seed`. The rule
// for editors of starter.json is the catalog's: only facts you are sure
// of; every field cited by its document's own identifier, with an honest
// confidence; a finding is a paraphrase unless it is marked verbatim, and
// then a citation must quote it word for word; leave out what you cannot
// cite. Every starter record is public.

//go:embed starter.json
var starterJSON []byte

// Starter is the parsed, checked set of starter records. Citations in it
// name their source by position: SourceID is 1 + the index in Sources,
// until Seed replaces it with the stored source's id.
type Starter struct {
	Sources         []aftermath.Source
	Decisions       []DecisionEntry
	Inquiries       []InquiryEntry
	Recommendations []RecommendationEntry
}

// DecisionEntry is a starter decision with the slugs of the catalog
// interventions it concerns.
type DecisionEntry struct {
	aftermath.Decision
	InterventionSlugs []string
}

// InquiryEntry is a starter inquiry with the slugs of the catalog
// interventions it concerns.
type InquiryEntry struct {
	aftermath.Inquiry
	InterventionSlugs []string
}

// RecommendationEntry is a starter recommendation with the reference of
// the starter inquiry that made it.
type RecommendationEntry struct {
	aftermath.Recommendation
	InquiryReference string
}

// LoadStarter parses and checks the embedded starter.json.
func LoadStarter() (*Starter, error) { return ParseStarter(bytes.NewReader(starterJSON)) }

// The file format: citations name a source by its identifier.
type starterFile struct {
	Sources         []starterSource         `json:"sources"`
	Decisions       []starterDecision       `json:"decisions"`
	Inquiries       []starterInquiry        `json:"inquiries"`
	Recommendations []starterRecommendation `json:"recommendations"`
}

type starterSource struct {
	Identifier string `json:"identifier"`
	Title      string `json:"title"`
	Publisher  string `json:"publisher"`
	Date       string `json:"date"`
	URL        string `json:"url"`
	Language   string `json:"language"`
}

type starterCitation struct {
	Source     string `json:"source"` // the document's identifier
	Page       string `json:"page"`
	Quote      string `json:"quote"` // verbatim only
	Confidence string `json:"confidence"`
}

type citedFields map[string][]starterCitation

type starterDecision struct {
	Reference         string               `json:"reference"`
	Maker             aftermath.ActorRef   `json:"maker"`
	Date              string               `json:"date"`
	Kind              string               `json:"kind"`
	Summary           string               `json:"summary"`
	Rationale         string               `json:"rationale"`
	RationaleVerbatim bool                 `json:"rationale_verbatim"`
	Interventions     []string             `json:"interventions"`
	Actors            []aftermath.ActorRef `json:"actors"`
	Citations         citedFields          `json:"citations"`
}

type starterFinding struct {
	Text      string            `json:"text"`
	Location  string            `json:"location"`
	Verbatim  bool              `json:"verbatim"`
	Citations []starterCitation `json:"citations"`
}

type starterInquiry struct {
	Reference     string               `json:"reference"`
	Body          aftermath.ActorRef   `json:"body"`
	Type          string               `json:"type"`
	Title         string               `json:"title"`
	Date          string               `json:"date"`
	Summary       string               `json:"summary"`
	Interventions []string             `json:"interventions"`
	Subjects      []aftermath.ActorRef `json:"subjects"`
	Findings      []starterFinding     `json:"findings"`
	Citations     citedFields          `json:"citations"`
}

type starterRecommendation struct {
	Inquiry   string             `json:"inquiry"` // the inquiry's reference
	Number    string             `json:"number"`
	Addressee aftermath.ActorRef `json:"addressee"`
	Text      string             `json:"text"`
	Verbatim  bool               `json:"verbatim"`
	Response  string             `json:"response"`
	Deadline  string             `json:"deadline"`
	Citations citedFields        `json:"citations"`
}

var sourceDateRE = regexp.MustCompile(`^\d{4}(?:-\d{2}(?:-\d{2})?)?$`)

// ParseStarter reads starter records in the starter.json format and checks
// them; every problem found is reported, each naming its record.
func ParseStarter(r io.Reader) (*Starter, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var f starterFile
	if err := dec.Decode(&f); err != nil {
		return nil, aftermath.Errorf(aftermath.EINVALID, "starter: %v", err)
	}
	if dec.More() {
		return nil, aftermath.Errorf(aftermath.EINVALID, "starter: unexpected data after the object")
	}
	p := &starterProblems{}
	st := &Starter{}
	index := map[string]int64{} // identifier → 1 + index
	used := map[string]bool{}
	for i, s := range f.Sources {
		where := fmt.Sprintf("source %q", s.Identifier)
		switch {
		case strings.TrimSpace(s.Identifier) == "":
			p.add("source %d: identifier is required", i+1)
		case index[s.Identifier] != 0:
			p.add("%s: declared twice", where)
		}
		if strings.TrimSpace(s.Title) == "" || strings.TrimSpace(s.Publisher) == "" {
			p.add("%s: title and publisher are required", where)
		}
		if !validSourceDate(s.Date) {
			p.add("%s: date %q is not YYYY-MM-DD (or YYYY-MM, YYYY)", where, s.Date)
		}
		if s.URL != "" {
			if u, err := url.Parse(s.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				p.add("%s: url %q is not an absolute http(s) URL", where, s.URL)
			}
		}
		index[s.Identifier] = int64(i + 1)
		st.Sources = append(st.Sources, aftermath.Source{Identifier: s.Identifier, Title: s.Title, Publisher: s.Publisher,
			Date: s.Date, URL: s.URL, Language: s.Language, Audience: aftermath.AudiencePublic})
	}
	cites := func(where, field string, in []starterCitation) []aftermath.Citation {
		var out []aftermath.Citation
		for _, c := range in {
			id := index[c.Source]
			if id == 0 {
				p.add("%s: citation of %s: source %q is not declared under \"sources\"", where, field, c.Source)
				id = -1 // keeps Validate quiet; the problem is reported
			}
			used[c.Source] = true
			out = append(out, aftermath.Citation{Field: field, SourceID: id, Page: c.Page, Quote: c.Quote, Confidence: c.Confidence})
		}
		return out
	}
	fields := func(where string, m citedFields) []aftermath.Citation {
		var out []aftermath.Citation
		for _, k := range slices.Sorted(maps.Keys(m)) {
			out = append(out, cites(where, k, m[k])...)
		}
		return out
	}
	verbatim := func(where, text string, cs []aftermath.Citation) {
		for _, c := range cs {
			if c.Quote == text {
				return
			}
		}
		p.add("%s: marked verbatim, but no citation quotes it word for word", where)
	}
	check := func(where string, rec interface {
		Validate() error
		Uncited() []string
	}) {
		if err := rec.Validate(); err != nil {
			p.add("%s: %v", where, err)
		}
		if u := rec.Uncited(); len(u) > 0 {
			p.add("%s: uncited: %s", where, strings.Join(u, ", "))
		}
	}

	refs := map[string]bool{}
	for i, d := range f.Decisions {
		where := fmt.Sprintf("decision %q", d.Reference)
		if d.Reference == "" {
			where = fmt.Sprintf("decision %d", i+1)
			p.add("%s: a reference is required (it keeps seeding idempotent)", where)
		} else if refs[d.Reference] {
			p.add("%s: reference used twice", where)
		}
		refs[d.Reference] = true
		e := DecisionEntry{InterventionSlugs: d.Interventions, Decision: aftermath.Decision{
			Maker: d.Maker, Date: d.Date, Kind: d.Kind, Reference: d.Reference, Summary: d.Summary, Rationale: d.Rationale,
			RationaleVerbatim: d.RationaleVerbatim, Actors: d.Actors, Citations: fields(where, d.Citations), Audience: aftermath.AudiencePublic}}
		// Validate counts links by id; the slugs stand in until Seed
		// resolves them.
		for range d.Interventions {
			e.InterventionIDs = append(e.InterventionIDs, int64(len(e.InterventionIDs)+1))
		}
		check(where, &e.Decision)
		if e.RationaleVerbatim {
			verbatim(where+": rationale", e.Rationale, citationsOf(e.Citations, "rationale"))
		}
		e.InterventionIDs = nil
		st.Decisions = append(st.Decisions, e)
	}
	refs = map[string]bool{}
	for i, q := range f.Inquiries {
		where := fmt.Sprintf("inquiry %q", q.Reference)
		if q.Reference == "" {
			where = fmt.Sprintf("inquiry %d", i+1)
			p.add("%s: a reference is required (it keeps seeding idempotent)", where)
		} else if refs[q.Reference] {
			p.add("%s: reference used twice", where)
		}
		refs[q.Reference] = true
		e := InquiryEntry{InterventionSlugs: q.Interventions, Inquiry: aftermath.Inquiry{
			Body: q.Body, Type: q.Type, Title: q.Title, Reference: q.Reference, Date: q.Date, Summary: q.Summary,
			Subjects: q.Subjects, Citations: fields(where, q.Citations), Audience: aftermath.AudiencePublic}}
		for j, fd := range q.Findings {
			at := fmt.Sprintf("%s: finding %d", where, j+1)
			fnd := aftermath.Finding{Text: fd.Text, Location: fd.Location, Verbatim: fd.Verbatim, Citations: cites(at, "text", fd.Citations)}
			if fd.Verbatim {
				verbatim(at, fd.Text, fnd.Citations)
			}
			e.Findings = append(e.Findings, fnd)
		}
		for range q.Interventions {
			e.InterventionIDs = append(e.InterventionIDs, int64(len(e.InterventionIDs)+1))
		}
		check(where, &e.Inquiry)
		e.InterventionIDs = nil
		st.Inquiries = append(st.Inquiries, e)
	}
	for i, r := range f.Recommendations {
		where := fmt.Sprintf("recommendation %d of %q", i+1, r.Inquiry)
		if !refs[r.Inquiry] {
			p.add("%s: no starter inquiry has reference %q", where, r.Inquiry)
		}
		e := RecommendationEntry{InquiryReference: r.Inquiry, Recommendation: aftermath.Recommendation{
			InquiryID: 1, Number: r.Number, Addressee: r.Addressee, Text: r.Text, Verbatim: r.Verbatim, Response: r.Response,
			Deadline: r.Deadline, Citations: fields(where, r.Citations), Audience: aftermath.AudiencePublic}}
		check(where, &e.Recommendation)
		if r.Verbatim {
			verbatim(where, r.Text, citationsOf(e.Citations, "text"))
		}
		e.InquiryID = 0
		st.Recommendations = append(st.Recommendations, e)
	}
	for _, s := range f.Sources {
		if s.Identifier != "" && !used[s.Identifier] {
			p.add("source %q is never cited: cite it or remove it", s.Identifier)
		}
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return st, nil
}

func citationsOf(cs []aftermath.Citation, field string) []aftermath.Citation {
	var out []aftermath.Citation
	for _, c := range cs {
		if c.Field == field {
			out = append(out, c)
		}
	}
	return out
}

func validSourceDate(s string) bool {
	if !sourceDateRE.MatchString(s) {
		return false
	}
	layout := map[int]string{4: "2006", 7: "2006-01", 10: "2006-01-02"}[len(s)]
	_, err := time.Parse(layout, s)
	return err == nil
}

type starterProblems []string

func (p *starterProblems) add(format string, args ...any) {
	*p = append(*p, fmt.Sprintf(format, args...))
}

func (p *starterProblems) err() error {
	switch len(*p) {
	case 0:
		return nil
	case 1:
		return aftermath.Errorf(aftermath.EINVALID, "starter: %s", (*p)[0])
	}
	return aftermath.Errorf(aftermath.EINVALID, "starter: %d problems: %s", len(*p), strings.Join(*p, "; "))
}

// SeedResult counts what Seed did.
type SeedResult struct {
	Added, Kept int
	// MissingInterventions are slugs the records name that are not stored
	// (seed the catalog first); their links were left out.
	MissingInterventions []string
}

// SeedStore is what loading the starter records needs: the ledger, the
// sources it cites, and the interventions it links to.
type SeedStore interface {
	aftermath.Ledger
	aftermath.Sources
	FindIntervention(ctx context.Context, v aftermath.Viewer, ref string) (*aftermath.Intervention, error)
}

// Seed stores the starter's sources and records that are not stored yet:
// sources by identifier, decisions and inquiries by reference,
// recommendations by inquiry and number (or text). Running it again adds
// only what is missing and changes nothing else.
func Seed(ctx context.Context, db SeedStore, st *Starter) (SeedResult, error) {
	var res SeedResult
	sys := aftermath.System
	ids := make([]int64, len(st.Sources))
	for i, s := range st.Sources {
		stored, err := db.SourceByIdentifier(ctx, sys, s.Identifier)
		if aftermath.ErrorCode(err) == aftermath.ENOTFOUND {
			src := s
			if err := db.CreateSource(ctx, &src); err != nil {
				return res, err
			}
			stored = &src
		} else if err != nil {
			return res, err
		}
		ids[i] = stored.ID
	}
	resolve := func(cs []aftermath.Citation) []aftermath.Citation {
		out := make([]aftermath.Citation, len(cs))
		for i, c := range cs {
			c.SourceID = ids[c.SourceID-1]
			out[i] = c
		}
		return out
	}
	missing := map[string]bool{}
	interventions := func(slugs []string, cs []aftermath.Citation) ([]int64, []aftermath.Citation, error) {
		var out []int64
		for _, s := range slugs {
			iv, err := db.FindIntervention(ctx, sys, s)
			if aftermath.ErrorCode(err) == aftermath.ENOTFOUND {
				if !missing[s] {
					missing[s] = true
					res.MissingInterventions = append(res.MissingInterventions, s)
				}
				continue
			}
			if err != nil {
				return nil, nil, err
			}
			out = append(out, iv.ID)
		}
		if len(out) == 0 { // nothing linked: no citation of an empty field
			var kept []aftermath.Citation
			for _, c := range cs {
				if c.Field != "interventions" {
					kept = append(kept, c)
				}
			}
			cs = kept
		}
		return out, cs, nil
	}

	for _, e := range st.Decisions {
		have, err := db.Decisions(ctx, sys, aftermath.DecisionFilter{Reference: e.Reference})
		if err != nil {
			return res, err
		}
		if len(have) > 0 {
			res.Kept++
			continue
		}
		d := e.Decision
		d.Actors = append([]aftermath.ActorRef(nil), e.Actors...)
		if d.InterventionIDs, d.Citations, err = interventions(e.InterventionSlugs, resolve(e.Citations)); err != nil {
			return res, err
		}
		if err := db.CreateDecision(ctx, aftermath.System, &d); err != nil {
			return res, fmt.Errorf("starter decision %s: %w", e.Reference, err)
		}
		res.Added++
	}
	inquiryIDs := map[string]int64{}
	for _, e := range st.Inquiries {
		have, err := db.Inquiries(ctx, sys, aftermath.InquiryFilter{Reference: e.Reference})
		if err != nil {
			return res, err
		}
		if len(have) > 0 {
			inquiryIDs[e.Reference] = have[0].ID
			res.Kept++
			continue
		}
		q := e.Inquiry
		q.Subjects = append([]aftermath.ActorRef(nil), e.Subjects...)
		q.Findings = make([]aftermath.Finding, len(e.Findings))
		for i, f := range e.Findings {
			f.Citations = resolve(f.Citations)
			q.Findings[i] = f
		}
		if q.InterventionIDs, q.Citations, err = interventions(e.InterventionSlugs, resolve(e.Citations)); err != nil {
			return res, err
		}
		if err := db.CreateInquiry(ctx, aftermath.System, &q); err != nil {
			return res, fmt.Errorf("starter inquiry %s: %w", e.Reference, err)
		}
		inquiryIDs[e.Reference] = q.ID
		res.Added++
	}
	for _, e := range st.Recommendations {
		inquiryID := inquiryIDs[e.InquiryReference]
		have, err := db.RecommendationsOf(ctx, sys, inquiryID)
		if err != nil {
			return res, err
		}
		found := false
		for _, h := range have {
			found = found || (e.Number != "" && h.Number == e.Number) || (e.Number == "" && h.Text == e.Text)
		}
		if found {
			res.Kept++
			continue
		}
		r := e.Recommendation
		r.InquiryID, r.Citations = inquiryID, resolve(e.Citations)
		if err := db.CreateRecommendation(ctx, aftermath.System, &r); err != nil {
			return res, fmt.Errorf("starter recommendation of %s: %w", e.InquiryReference, err)
		}
		res.Added++
	}
	return res, nil
}
