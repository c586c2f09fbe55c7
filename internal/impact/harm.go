package impact

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"aftermath"
	"aftermath/internal/csvout"
	"aftermath/internal/geo"
)

// Harm measures, never mixed.
const (
	// MeasureOneSided is violence against civilians by the partner itself:
	// UCDP one-sided violence with the partner as side A; ACLED events
	// marked civilian targeting with the partner as actor 1 or its associate.
	MeasureOneSided = "one-sided"
	// MeasureBattles is fighting the partner took part in: UCDP state-based
	// events with the partner on side A or B (ACLED: event type Battles with
	// the partner among its actors). Civilian deaths there are "in battles
	// involving" the partner, not the partner's.
	MeasureBattles = "battles"
)

// Periods of a partner's support.
const (
	PeriodBefore = "before"
	PeriodDuring = "during"
	PeriodAfter  = "after"
)

// HarmRow is one partner, measure and period.
type HarmRow struct {
	Partner string `json:"partner"`
	Measure string `json:"measure"`
	Period  string `json:"period"`
	Covered string `json:"covered"`
	From    string `json:"from"` // YYYY-MM-DD; "" when the period is empty or open
	To      string `json:"to"`
	Values
	// DeathsPartnerSide is the partner side's own deaths in battles (UCDP
	// deaths_a or deaths_b); nil for one-sided violence and for ACLED.
	DeathsPartnerSide *int64 `json:"deaths_partner_side"`
}

// HarmPartner says how one partner force was linked to the data.
type HarmPartner struct {
	Name  string   `json:"name"`
	From  string   `json:"from"` // the support window
	To    string   `json:"to"`   // "" while support goes on
	Names []string `json:"dataset_names"`
}

// HarmReport is what the forces an intervention backed did, by their own
// events, before, during and after their support.
type HarmReport struct {
	Intervention string        `json:"intervention"`
	Dataset      string        `json:"dataset"`
	Coverage     [2]string     `json:"coverage"` // first and last month covered for the area
	Partners     []HarmPartner `json:"partners"`
	Rows         []HarmRow     `json:"rows"`
	Method       string        `json:"method"`
	Caveats      []string      `json:"caveats"`
	Quality      string        `json:"quality,omitempty"` // "", "clear" or "precise"
	covSet       aftermath.CoverageSet
	countries    []string
}

// HarmOptions say which data to read.
type HarmOptions struct {
	Viewer      aftermath.Viewer
	Dataset     string
	ClearOnly   bool
	PreciseOnly bool
}

// spansOf lists the dataset actors that stand for a partner in a dataset,
// each on the days its dataset name means that partner.
func spansOf(a aftermath.InterventionActor, dataset string) ([]aftermath.ActorSpan, []string) {
	var spans []aftermath.ActorSpan
	var names []string
	for _, l := range a.Links {
		if l.Dataset != dataset {
			continue
		}
		name := l.Name
		if l.From != "" || l.To != "" {
			name += " (" + l.From + "–" + l.To + ")"
		}
		names = append(names, name)
		if l.ActorID != 0 {
			spans = append(spans, aftermath.ActorSpan{ActorID: l.ActorID, From: l.From, To: l.To})
		}
	}
	return spans, names
}

// Harm measures, for each partner force, its one-sided violence and the
// battles it fought, before, during and after its support window.
func Harm(ctx context.Context, db aftermath.EventFigures, iv *aftermath.Intervention, opt HarmOptions) (*HarmReport, error) {
	if opt.Dataset == "" {
		opt.Dataset = aftermath.DatasetUCDP
	}
	cov, err := db.DatasetCoverage(ctx, opt.Viewer, opt.Dataset)
	if err != nil {
		return nil, err
	}
	countries := areaCountries(iv.Area)
	first, last := cov.Span(countries...)
	if first == "" {
		first, last = cov.Span()
	}
	if first == "" {
		return nil, aftermath.Errorf(aftermath.EINVALID, "no %s data is imported", opt.Dataset)
	}
	h := &HarmReport{Intervention: iv.Slug, Dataset: opt.Dataset, Coverage: [2]string{first, last}, covSet: cov, countries: countries}
	if opt.ClearOnly {
		h.Quality = "clear"
	} else if opt.PreciseOnly {
		h.Quality = "precise"
	}
	covFrom, covTo := first+"-01", lastDay(last)
	for _, p := range iv.PartnerForces {
		from, to := iv.SupportWindow(p)
		spans, names := spansOf(p, opt.Dataset)
		h.Partners = append(h.Partners, HarmPartner{Name: p.Name, From: from, To: to, Names: names})
		days, err := db.ActorEventDays(ctx, aftermath.ActorEventsFilter{Viewer: opt.Viewer, Dataset: opt.Dataset, Spans: spans})
		if err != nil {
			return nil, err
		}
		type period struct{ name, from, to string }
		periods := []period{{PeriodBefore, covFrom, dayBefore(from)}, {PeriodDuring, from, to}}
		if to != "" {
			periods = append(periods, period{PeriodAfter, dayAfter(to), covTo})
		}
		for _, measure := range []string{MeasureOneSided, MeasureBattles} {
			for _, per := range periods {
				row := HarmRow{Partner: p.Name, Measure: measure, Period: per.name, From: per.from, To: per.to}
				if per.from != "" && per.to != "" && per.from > per.to {
					row.From = "" // the data begin after support began (or end before it ended)
				}
				h.sum(&row, days, opt, per.name)
				h.Rows = append(h.Rows, row)
			}
		}
	}
	h.Method = harmMethod(h)
	h.Caveats = []string{
		"Only the partner's own events count, through the dataset names linked to it; nothing is attributed by place.",
		"Civilian deaths in battles are those of battles involving the partner; UCDP does not attribute them to a side.",
		"Reported events are a lower bound; a period the data do not cover has no figures, never zero.",
	}
	return h, nil
}

// sum fills a row's coverage and values from the partner's days: a
// period the data do not cover keeps nil values, never zeros.
func (h *HarmReport) sum(row *HarmRow, days []aftermath.ActorEventDay, opt HarmOptions, period string) {
	row.Covered = h.periodCovered(row.From, row.To, period)
	if row.Covered == CoveredNo {
		return
	}
	row.Values = Values{Events: new(int64), DeathsLow: new(int64), DeathsBest: new(int64), DeathsHigh: new(int64), DeathsCivilians: new(int64)}
	if row.Measure == MeasureBattles && opt.Dataset == aftermath.DatasetUCDP {
		row.DeathsPartnerSide = new(int64)
	}
	for _, d := range days {
		if (opt.ClearOnly && !d.Clear) || (opt.PreciseOnly && !d.Precise) ||
			!inPeriod(d.Date, row.From, row.To) || !measureOf(opt.Dataset, row.Measure, d) || !h.dayCovered(d) {
			continue
		}
		*row.Events += d.Events
		*row.DeathsLow += d.DeathsLow
		*row.DeathsBest += d.DeathsBest
		*row.DeathsHigh += d.DeathsHigh
		*row.DeathsCivilians += d.DeathsCivilians
		if row.DeathsPartnerSide != nil {
			if d.OnA {
				*row.DeathsPartnerSide += d.DeathsA
			}
			if d.OnB {
				*row.DeathsPartnerSide += d.DeathsB
			}
		}
	}
}

// measureOf tells whether a day's events belong to the measure.
func measureOf(dataset, measure string, d aftermath.ActorEventDay) bool {
	if dataset == aftermath.DatasetUCDP {
		if measure == MeasureOneSided {
			return d.ViolenceType == aftermath.ViolenceOneSided && d.OnA
		}
		return d.ViolenceType == aftermath.ViolenceStateBased && (d.OnA || d.OnB)
	}
	if measure == MeasureOneSided {
		return d.CivilianTargeting && d.OnA
	}
	return strings.EqualFold(d.ViolenceType, "Battles") && (d.OnA || d.OnB)
}

// periodCovered compares the months of a period with the coverage of the
// intervention's area. An open end runs to the end of coverage.
func (h *HarmReport) periodCovered(from, to, name string) string {
	if from == "" && name != PeriodDuring {
		return CoveredNo
	}
	a, b := from, to
	if a == "" {
		a = h.Coverage[0] + "-01"
	}
	if b == "" {
		b = lastDay(h.Coverage[1])
	}
	if a > b {
		return CoveredNo
	}
	n, c := 0, 0
	for _, m := range calendar(a[:7], b[:7]) {
		n++
		if h.covSet.Covers(m, h.countries...) {
			c++
		}
	}
	switch {
	case c == 0:
		return CoveredNo
	case c == n:
		return CoveredYes
	}
	return CoveredPartial
}

// dayCovered tells whether the dataset covers the month of the events for
// their own country.
func (h *HarmReport) dayCovered(d aftermath.ActorEventDay) bool {
	iso := ""
	if c, ok := geo.ByGW(d.CountryGW); ok && d.CountryGW != 0 {
		iso = c.Alpha3
	} else if c, ok := geo.ByNumeric(d.CountryISO); ok && d.CountryISO != 0 {
		iso = c.Alpha3
	}
	if iso == "" {
		return h.covSet.Covers(d.Date[:7])
	}
	return h.covSet.Covers(d.Date[:7], iso)
}

func inPeriod(date, from, to string) bool {
	return (from == "" || date >= from) && (to == "" || date <= to)
}

func shiftDay(date string, n int) string {
	t, err := time.Parse("2006-01-02", date)
	if err != nil {
		return ""
	}
	return t.AddDate(0, 0, n).Format("2006-01-02")
}

func dayBefore(date string) string { return shiftDay(date, -1) }
func dayAfter(date string) string  { return shiftDay(date, 1) }

// lastDay is the last day of a month (YYYY-MM).
func lastDay(m string) string {
	t, err := time.Parse("2006-01", m)
	if err != nil {
		return ""
	}
	return t.AddDate(0, 1, -1).Format("2006-01-02")
}

func harmMethod(h *HarmReport) string {
	var parts []string
	for _, p := range h.Partners {
		names := "no dataset name linked"
		if len(p.Names) > 0 {
			names = strings.Join(p.Names, "; ")
		}
		to := p.To
		if to == "" {
			to = "ongoing"
		}
		parts = append(parts, fmt.Sprintf("%s (support %s to %s; %s names: %s)", p.Name, p.From, to, h.Dataset, names))
	}
	s := "Two measures, never added together. One-sided: UCDP one-sided violence (type 3) with the partner as side A, or ACLED events marked civilian targeting " +
		"with the partner as actor 1 or its associate. Battles: UCDP state-based events (type 1) with the partner on side A or side B, with their deaths and the partner side's own deaths " +
		"(deaths_a or deaths_b); civilian deaths there are in battles involving the partner, not the partner's (ACLED: events of type Battles with the partner among the actors, without per-side deaths). " +
		"Before runs from the start of coverage to the day before support began, during is the support window, after runs from the day after it ended to the end of coverage; " +
		"an event belongs to the period of its start date and counts only where the data cover its month and country. Partners: " + strings.Join(parts, "; ") + "."
	return s + qualityText(h.Quality == "clear", h.Quality == "precise")
}

// HarmHeader is the CSV header of `aftermath harm`.
var HarmHeader = []string{"partner", "measure", "period", "covered", "from", "to", "events", "deaths_low", "deaths_best", "deaths_high", "deaths_civilians", "deaths_partner_side"}

// WriteHarmCSV writes the rows under HarmHeader; figures are empty where a
// period is not covered, and deaths_partner_side for one-sided violence.
func WriteHarmCSV(w io.Writer, h *HarmReport) error {
	cw := csvout.NewWriter(w)
	cw.Write(HarmHeader)
	for _, r := range h.Rows {
		cw.Write([]string{r.Partner, r.Measure, r.Period, r.Covered, r.From, r.To, cell(r.Events), cell(r.DeathsLow), cell(r.DeathsBest),
			cell(r.DeathsHigh), cell(r.DeathsCivilians), cell(r.DeathsPartnerSide)})
	}
	cw.Flush()
	return cw.Error()
}
