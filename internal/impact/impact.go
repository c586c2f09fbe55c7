// Package impact measures what followed an intervention, from the monthly
// aggregates of the event store: the monthly series of its area split by
// perpetrator class, before / during / after summaries, harm by the forces
// it backed, spread, and the statistical methods of package analysis. Every
// result says how it was made and what it cannot show.
package impact

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"aftermath"
	"aftermath/internal/sqldb"
)

// Outcomes that can be analysed.
var Outcomes = []string{"events", "deaths_best", "deaths_civilians"}

// Methods that can be asked for; "all" runs every one whose inputs exist.
var Methods = []string{"summary", "its", "did", "synth", "all"}

// Options say what to measure.
type Options struct {
	// Viewer is who asks: datasets they may not see are not read (the
	// zero value is an anonymous visitor).
	Viewer        aftermath.Viewer
	Dataset       string
	Outcome       string // one of Outcomes; default events
	Method        string // one of Methods; default summary
	ViolenceTypes []string
	// Comparison is the area DiD compares with (ISO 3166-1 alpha-3 codes).
	Comparison []string
	// Donors are the countries synthetic control may weigh (alpha-3);
	// empty: the countries with the most events elsewhere, up to MaxDonors.
	Donors    []string
	MaxDonors int
	HACLags   int // as analysis.ITSOptions.HACLags
	Placebos  bool
}

// Month is one month of the area's series, by perpetrator class. Others is
// the total less the three named classes.
type Month struct {
	Month       string `json:"month"`
	Total       int64  `json:"total"`
	Partner     int64  `json:"partner_forces"`
	Intervening int64  `json:"intervening_forces"`
	ArmedGroups int64  `json:"armed_groups"`
	Others      int64  `json:"others"`
}

// Period summarises part of the window.
type Period struct {
	Name        string  `json:"name"`
	From        string  `json:"from"`
	To          string  `json:"to"`
	Months      int     `json:"months"`
	Total       int64   `json:"total"`
	MonthlyMean float64 `json:"monthly_mean"`
}

// Harm is what the backed partner forces did before and after support began.
type Harm struct {
	SupportBegan     string  `json:"support_began"`
	Before           Period  `json:"before"`
	After            Period  `json:"after"`
	EventsBefore     int64   `json:"events_before"`
	EventsAfter      int64   `json:"events_after"`
	CiviliansBefore  int64   `json:"civilian_deaths_before"`
	CiviliansAfter   int64   `json:"civilian_deaths_after"`
	LinkedActors     int     `json:"linked_actors"`
	Method           string  `json:"method"`
	MonthlyMeanRatio float64 `json:"monthly_mean_ratio,omitempty"`
}

// Report is the result of Analyze.
type Report struct {
	Intervention string         `json:"intervention"`
	Dataset      string         `json:"dataset"`
	Outcome      string         `json:"outcome"`
	Coverage     [2]string      `json:"coverage"` // first and last month the dataset covers
	Window       [2]string      `json:"window"`
	Series       []Month        `json:"series"`
	Yearly       []Month        `json:"yearly"` // the series summed by calendar year (Month holds YYYY)
	Summary      []Period       `json:"summary"`
	Harm         *Harm          `json:"harm_by_partner_forces,omitempty"`
	Spread       map[string]int `json:"spread_admin1_areas_per_year"`
	ITS          any            `json:"its,omitempty"`
	DiD          any            `json:"did,omitempty"`
	Synth        any            `json:"synth,omitempty"`
	Method       string         `json:"method"`
	Caveats      []string       `json:"caveats"`
	// The numbers in Method, for pages that write it in other languages.
	PartnerActors int      `json:"partner_actors"`    // dataset actors linked to the partner forces
	BackerActors  int      `json:"backer_actors"`     // dataset actors linked to the backers
	Area          string   `json:"area"`              // ISO 3166-1 alpha-3 codes and admin-1 names
	Skipped       []string `json:"skipped,omitempty"` // methods not run, with the reason
}

func (o *Options) check() error {
	if o.Outcome == "" {
		o.Outcome = "events"
	}
	if o.Method == "" {
		o.Method = "summary"
	}
	if !slices.Contains(Outcomes, o.Outcome) {
		return aftermath.Errorf(aftermath.EINVALID, "outcome %q is not one of %s", o.Outcome, strings.Join(Outcomes, ", "))
	}
	if !slices.Contains(Methods, o.Method) {
		return aftermath.Errorf(aftermath.EINVALID, "method %q is not one of %s", o.Method, strings.Join(Methods, ", "))
	}
	if o.MaxDonors <= 0 {
		o.MaxDonors = 40
	}
	return nil
}

func (o *Options) wants(m string) bool { return o.Method == m || o.Method == "all" }

// Analyze measures what followed an intervention in its area.
func Analyze(ctx context.Context, db *sqldb.DB, iv *aftermath.Intervention, opt Options) (*Report, error) {
	if err := opt.check(); err != nil {
		return nil, err
	}
	if len(iv.Area) == 0 {
		return nil, aftermath.Errorf(aftermath.EINVALID, "intervention %s has no area to analyse", iv.Slug)
	}
	if opt.Dataset == "" {
		opt.Dataset = aftermath.DatasetUCDP
	}
	first, last, err := db.Coverage(ctx, opt.Viewer, opt.Dataset)
	if err != nil {
		return nil, err
	}
	if first == "" {
		return nil, aftermath.Errorf(aftermath.EINVALID, "no %s events are imported", opt.Dataset)
	}
	r := &Report{Intervention: iv.Slug, Dataset: opt.Dataset, Outcome: opt.Outcome, Coverage: [2]string{first, last}, Spread: map[string]int{}}
	start, end := month(iv.Start()), month(iv.End())
	if end == "" || end > last {
		end = last
	}
	// The window: the intervention, with as long a span before and after
	// as it lasted, within what the dataset covers.
	length := monthsBetween(start, end) + 1
	from, to := addMonths(start, -length), addMonths(end, length)
	from, to = max(from, first), min(to, last)
	if from > to || start > last || end < first {
		return nil, aftermath.Errorf(aftermath.EINVALID, "the %s data (%s to %s) does not cover intervention %s (%s to %s)",
			opt.Dataset, first, last, iv.Slug, start, month(iv.End()))
	}
	r.Window = [2]string{from, to}
	f := sqldb.AreaFilter{Viewer: opt.Viewer, Dataset: opt.Dataset, Area: iv.Area, From: from, To: to, ViolenceTypes: opt.ViolenceTypes}
	total, err := db.MonthlyTotals(ctx, f)
	if err != nil {
		return nil, err
	}
	partnerIDs, backerIDs := actorIDs(iv.PartnerForces), actorIDs(iv.Backers)
	partner, err := db.ActorMonthlyTotals(ctx, f, sqldb.ActorSelect{IDs: partnerIDs})
	if err != nil {
		return nil, err
	}
	backer, err := db.ActorMonthlyTotals(ctx, f, sqldb.ActorSelect{IDs: backerIDs})
	if err != nil {
		return nil, err
	}
	armed, err := db.ActorMonthlyTotals(ctx, f, sqldb.ActorSelect{Kinds: []string{aftermath.KindArmedGroup}, ExcludeIDs: append(partnerIDs, backerIDs...)})
	if err != nil {
		return nil, err
	}
	pick := outcomeOf(opt.Outcome)
	cal := calendar(from, to)
	fill := func(ms []sqldb.MonthTotal, set func(*Month, int64)) {
		idx := map[string]int64{}
		for _, m := range ms {
			idx[m.Month] = pick(m)
		}
		for i := range r.Series {
			set(&r.Series[i], idx[r.Series[i].Month])
		}
	}
	for _, m := range cal {
		r.Series = append(r.Series, Month{Month: m})
	}
	fill(total, func(m *Month, v int64) { m.Total = v })
	fill(partner, func(m *Month, v int64) { m.Partner = v })
	fill(backer, func(m *Month, v int64) { m.Intervening = v })
	fill(armed, func(m *Month, v int64) { m.ArmedGroups = v })
	for i := range r.Series {
		m := &r.Series[i]
		m.Others = m.Total - m.Partner - m.Intervening - m.ArmedGroups
	}
	r.Yearly = yearly(r.Series)
	r.Summary = summarize(r.Series, iv, from, to)
	spread, err := db.Spread(ctx, f)
	if err != nil {
		return nil, err
	}
	for y, n := range spread {
		r.Spread[strconv.Itoa(y)] = n
	}
	if len(iv.PartnerForces) > 0 {
		r.Harm = harm(iv, partner, cal, partnerIDs)
	}
	r.PartnerActors, r.BackerActors, r.Area = len(partnerIDs), len(backerIDs), areaText(iv.Area)
	r.Method = fmt.Sprintf("Monthly sums of %s %s in %s from the monthly aggregates of %s (covering %s to %s), %s to %s: "+
		"the intervention's span and as long a span before and after it, within the data. Months without events count as zero. "+
		"Perpetrator classes follow the primary actor of each event (UCDP side A, ACLED actor 1): partner forces and intervening forces are the dataset actors "+
		"linked to the intervention's partner forces (%d) and backers (%d); armed groups are other non-state actors; others are the rest.",
		opt.Dataset, opt.Outcome, areaText(iv.Area), opt.Dataset, first, last, from, to, len(partnerIDs), len(backerIDs))
	if len(opt.ViolenceTypes) > 0 {
		r.Method += " Violence types: " + strings.Join(opt.ViolenceTypes, ", ") + "."
	}
	r.Caveats = []string{
		"Reported events are a lower bound on what happened; reporting coverage changes over time and between places.",
		"A change after an intervention began is an association, not proof that the intervention caused it.",
		"In state-based violence UCDP's side A is the government; it is counted as perpetrator of every such event, including fighting the other side began.",
	}
	if err := runMethods(ctx, db, iv, opt, r, f); err != nil {
		return nil, err
	}
	return r, nil
}

func yearly(series []Month) []Month {
	var out []Month
	for _, m := range series {
		y := m.Month[:4]
		if len(out) == 0 || out[len(out)-1].Month != y {
			out = append(out, Month{Month: y})
		}
		o := &out[len(out)-1]
		o.Total += m.Total
		o.Partner += m.Partner
		o.Intervening += m.Intervening
		o.ArmedGroups += m.ArmedGroups
		o.Others += m.Others
	}
	return out
}

func actorIDs(list []aftermath.InterventionActor) []int64 {
	var ids []int64
	for _, a := range list {
		for _, id := range a.ActorIDs {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	return ids
}

func outcomeOf(outcome string) func(sqldb.MonthTotal) int64 {
	switch outcome {
	case "deaths_best":
		return func(m sqldb.MonthTotal) int64 { return m.DeathsBest }
	case "deaths_civilians":
		return func(m sqldb.MonthTotal) int64 { return m.DeathsCivilians }
	}
	return func(m sqldb.MonthTotal) int64 { return m.Events }
}

func summarize(series []Month, iv *aftermath.Intervention, from, to string) []Period {
	sum := func(name, a, b string) Period {
		p := Period{Name: name, From: a, To: b}
		for _, m := range series {
			if m.Month >= a && m.Month <= b {
				p.Months++
				p.Total += m.Total
			}
		}
		if p.Months > 0 {
			p.MonthlyMean = float64(p.Total) / float64(p.Months)
		}
		return p
	}
	// Periods are cut to the window; one wholly outside it is left out.
	var out []Period
	add := func(name, a, b string) {
		a, b = max(a, from), min(b, to)
		if a <= b {
			out = append(out, sum(name, a, b))
		}
	}
	start := month(iv.Start())
	add("before", from, addMonths(start, -1))
	for i, ph := range iv.Phases {
		name := ph.Name
		if name == "" {
			name = "phase " + strconv.Itoa(i+1)
		}
		end := month(ph.End)
		if end == "" {
			end = to
		}
		add(name, month(ph.Start), end)
	}
	if end := month(iv.End()); end != "" && end < to {
		add("after", addMonths(end, 1), to)
	}
	return out
}

func harm(iv *aftermath.Intervention, partner []sqldb.MonthTotal, cal []string, ids []int64) *Harm {
	began := month(iv.Start())
	for _, p := range iv.PartnerForces {
		if s := month(p.From); s != "" && s < began {
			began = s
		}
	}
	h := &Harm{SupportBegan: began, LinkedActors: len(ids)}
	h.Before = Period{Name: "before support", From: cal[0], To: addMonths(began, -1)}
	h.After = Period{Name: "from support", From: began, To: cal[len(cal)-1]}
	for _, m := range cal {
		if m < began {
			h.Before.Months++
		} else {
			h.After.Months++
		}
	}
	for _, m := range partner {
		if m.Month < began {
			h.EventsBefore += m.Events
			h.CiviliansBefore += m.DeathsCivilians
		} else {
			h.EventsAfter += m.Events
			h.CiviliansAfter += m.DeathsCivilians
		}
	}
	h.Before.Total, h.After.Total = h.CiviliansBefore, h.CiviliansAfter
	if h.Before.Months > 0 {
		h.Before.MonthlyMean = float64(h.CiviliansBefore) / float64(h.Before.Months)
	}
	if h.After.Months > 0 {
		h.After.MonthlyMean = float64(h.CiviliansAfter) / float64(h.After.Months)
	}
	if h.Before.MonthlyMean > 0 {
		h.MonthlyMeanRatio = h.After.MonthlyMean / h.Before.MonthlyMean
	}
	h.Method = fmt.Sprintf("Events and civilian deaths in the area whose primary actor is one of the %d dataset actors linked to the partner forces, "+
		"before and from the month support began (%s, the earliest partner or intervention start). Totals are of civilian deaths; monthly means divide them by the months of each span in the window.",
		len(ids), began)
	if len(ids) == 0 {
		h.Method += " No partner force is linked to a dataset actor yet: run 'aftermath intervention suggest' and link them, or every figure here is zero."
	}
	return h
}

func areaText(area []aftermath.AreaRef) string {
	var parts []string
	for _, a := range area {
		parts = append(parts, strings.TrimSuffix(a.Country+" "+a.Admin1, " "))
	}
	return strings.Join(parts, ", ")
}

// month turns YYYY-MM-DD into YYYY-MM ("" stays "").
func month(date string) string {
	if len(date) < 7 {
		return ""
	}
	return date[:7]
}

// MonthIndex counts months from year 0: "2021-03" → 2021·12 + 2.
func MonthIndex(m string) int {
	y, _ := strconv.Atoi(m[:4])
	mo, _ := strconv.Atoi(m[5:7])
	return y*12 + mo - 1
}

// MonthOf is the inverse of MonthIndex.
func MonthOf(i int) string { return fmt.Sprintf("%04d-%02d", i/12, i%12+1) }

func addMonths(m string, n int) string { return MonthOf(MonthIndex(m) + n) }

func monthsBetween(a, b string) int { return MonthIndex(b) - MonthIndex(a) }

func calendar(from, to string) []string {
	var out []string
	for i := MonthIndex(from); i <= MonthIndex(to); i++ {
		out = append(out, MonthOf(i))
	}
	return out
}
