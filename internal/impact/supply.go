package impact

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"unicode"

	"aftermath"
	"aftermath/internal/geo"
)

// Supplied before harm: the arms delivered to a partner force's state and
// the security aid disbursed there, year by year, beside what the force
// did by its own events; the arms delivered to the intervening states;
// and each backer's deliveries to partners that later killed civilians.

// FlowFigures is what the money-and-arms figures read.
type FlowFigures interface {
	aftermath.ArmsFigures
	FundingLandscape(ctx context.Context, q aftermath.LandscapeQuery) (*aftermath.Landscape, error)
}

// CurrencyValue is an amount in the currency published.
type CurrencyValue struct {
	Currency string  `json:"currency"`
	Value    float64 `json:"value"`
}

// SupplyYear is one year of a partner's timeline. OneSided and Battles
// have nil values when the event data do not cover the year.
type SupplyYear struct {
	Year         int                `json:"year"`
	Arms         aftermath.MilliTIV `json:"arms_tiv"`
	ArmsDeals    int64              `json:"arms_deals"`
	ArmsEstimate bool               `json:"arms_estimate"`
	FromBackers  aftermath.MilliTIV `json:"arms_tiv_from_backers"`
	SecurityAid  []CurrencyValue    `json:"security_aid"`
	OneSided     HarmRow            `json:"one_sided"`
	Battles      HarmRow            `json:"battles"`
}

// SupplierTotal is what one supplier delivered over some years.
type SupplierTotal struct {
	Supplier  string             `json:"supplier"`
	TIV       aftermath.MilliTIV `json:"tiv"`
	Estimate  bool               `json:"estimate"`
	FirstYear int                `json:"first_year"`
	LastYear  int                `json:"last_year"`
}

// Empty reports whether the report has nothing to show: no SIPRI or IATI
// data about the intervention's parties.
func (r *SupplyReport) Empty() bool {
	if len(r.Backers) > 0 || len(r.Interveners) > 0 {
		return false
	}
	for _, p := range r.Partners {
		for _, y := range p.Years {
			if y.Arms != 0 || len(y.SecurityAid) > 0 {
				return false
			}
		}
		if len(p.Suppliers) > 0 {
			return false
		}
	}
	return true
}

// SupplyPartner is one partner force: the state its supplies are counted
// to (State, ISO3; "" when it cannot be told), how that was decided
// (StateBy: "confirmed" when a user set it, "name" when the state's name
// is in the force's name or dataset names, "area" when the
// intervention's area is that one country), its timeline and its
// suppliers. Force, when set, keeps only the deals whose comments name
// it; Forces are the force terms the state's deals name, to suggest one.
type SupplyPartner struct {
	Name      string                   `json:"name"`
	State     string                   `json:"state"`
	StateBy   string                   `json:"state_by"`
	Force     string                   `json:"force,omitempty"`
	Forces    []aftermath.ForceMention `json:"forces_named"`
	From      string                   `json:"from"`
	To        string                   `json:"to"`
	Years     []SupplyYear             `json:"years"`
	Suppliers []SupplierTotal          `json:"suppliers"`
}

// BackerSupply is what a backer delivered to a partner's state, and what
// the partner did afterwards by its own events: one-sided violence from
// the year after the first delivery to the end of coverage.
type BackerSupply struct {
	Backer    string             `json:"backer"`
	Partner   string             `json:"partner"`
	State     string             `json:"state"`
	TIV       aftermath.MilliTIV `json:"tiv"`
	Estimate  bool               `json:"estimate"`
	FirstYear int                `json:"first_year"`
	LastYear  int                `json:"last_year"`
	Later     HarmRow            `json:"later_one_sided"`
}

// IntervenerArms is what was delivered to one intervening state during
// the intervention (delivery years from its first phase on).
type IntervenerArms struct {
	Backer    string          `json:"backer"`
	State     string          `json:"state"`
	FromYear  int             `json:"from_year"`
	ToYear    int             `json:"to_year"`
	Suppliers []SupplierTotal `json:"suppliers"`
}

// InstrumentEvidence is what the data show of one instrument: arms
// (SIPRI deliveries from the backers to the partners' states) and
// funding, train-and-equip or P/CVE programming (the backers' own
// agencies' IATI disbursements in the partners' states: security aid,
// or the P/CVE part), over the intervention's years. Recorded says
// whether the intervention lists the instrument: evidence of one it
// does not list is shown too.
type InstrumentEvidence struct {
	Instrument string             `json:"instrument"`
	Recorded   bool               `json:"recorded"`
	FromYear   int                `json:"from_year"`
	ToYear     int                `json:"to_year"`
	ArmsTIV    aftermath.MilliTIV `json:"arms_tiv"`
	Aid        []CurrencyValue    `json:"aid"`
}

// Found reports whether the data hold anything for the instrument.
func (e InstrumentEvidence) Found() bool { return e.ArmsTIV != 0 || len(e.Aid) > 0 }

// SupplyReport gathers them with the method and caveats.
type SupplyReport struct {
	Intervention string               `json:"intervention"`
	Dataset      string               `json:"dataset"`
	HarmCoverage [2]string            `json:"harm_coverage"` // months; "" when no event data
	Partners     []SupplyPartner      `json:"partners"`
	Backers      []BackerSupply       `json:"backers"`
	Interveners  []IntervenerArms     `json:"interveners"`
	Evidence     []InstrumentEvidence `json:"instrument_evidence"`
	Method       string               `json:"method"`
	Caveats      []string             `json:"caveats"`
}

// StateOf tells which state a party stands for: a country whose name
// starts a word of the party's name or one of its dataset names
// ("Government of Mali", "Malian Defence and Security Forces"), else the
// intervention's area when it is one country.
func StateOf(iv *aftermath.Intervention, a aftermath.InterventionActor) (iso3, by string) {
	if a.State != "" {
		return a.State, "confirmed"
	}
	names := []string{a.Name}
	for _, l := range a.Links {
		names = append(names, l.Name)
	}
	for _, d := range a.Aliases {
		names = append(names, d.Name)
	}
	if c, ok := countryInNames(names); ok {
		return c, "name"
	}
	if cs := areaCountries(iv.Area); len(cs) == 1 {
		return cs[0], "area"
	}
	return "", ""
}

// countryInNames finds the one country named in names, preferring the
// longest name ("South Sudan" over "Sudan").
func countryInNames(names []string) (string, bool) {
	best, bestLen := "", 0
	for _, c := range geo.All() {
		if len(c.Name) <= bestLen {
			continue
		}
		for _, n := range names {
			if wordAt(n, c.Name) {
				best, bestLen = c.Alpha3, len(c.Name)
				break
			}
		}
	}
	return best, best != ""
}

// wordAt reports whether name occurs in s at the start of a word.
func wordAt(s, name string) bool {
	ls, ln := strings.ToLower(s), strings.ToLower(name)
	for i := 0; ; {
		j := strings.Index(ls[i:], ln)
		if j < 0 {
			return false
		}
		at := i + j
		if at == 0 || !unicode.IsLetter(rune(ls[at-1])) {
			return true
		}
		i = at + 1
	}
}

// backerState is a backer's ISO3 when it is a state; organisations
// (United Nations, European Union, NATO) match SIPRI's names instead.
func backerParty(b aftermath.InterventionActor) string {
	if b.State != "" {
		return b.State
	}
	for _, c := range geo.All() {
		if strings.EqualFold(c.Name, b.Name) {
			return c.Alpha3
		}
	}
	return b.Name
}

func year(date string) int {
	if len(date) < 4 {
		return 0
	}
	y, _ := strconv.Atoi(date[:4])
	return y
}

// suppliersOf totals deliveries by supplier, largest first.
func suppliersOf(ys []aftermath.DeliveryYear) []SupplierTotal {
	by := map[string]*SupplierTotal{}
	for _, y := range ys {
		s := by[y.Supplier]
		if s == nil {
			s = &SupplierTotal{Supplier: y.Supplier, FirstYear: y.Year, LastYear: y.Year}
			by[y.Supplier] = s
		}
		s.TIV += y.TIV
		s.Estimate = s.Estimate || y.Estimate
		s.FirstYear, s.LastYear = min(s.FirstYear, y.Year), max(s.LastYear, y.Year)
	}
	out := make([]SupplierTotal, 0, len(by))
	for _, s := range by {
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b SupplierTotal) int {
		return cmp.Or(cmp.Compare(b.TIV, a.TIV), strings.Compare(a.Supplier, b.Supplier))
	})
	return out
}

// Supply builds the money-and-arms report of an intervention. Without
// event data the harm columns stay empty and a caveat says so; without
// SIPRI or IATI data the report has no rows.
func Supply(ctx context.Context, events aftermath.EventFigures, flows FlowFigures, iv *aftermath.Intervention, opt HarmOptions) (*SupplyReport, error) {
	if opt.Dataset == "" {
		opt.Dataset = aftermath.DatasetUCDP
	}
	rep := &SupplyReport{Intervention: iv.Slug, Dataset: opt.Dataset}
	h, err := Harm(ctx, events, iv, opt)
	if err != nil && aftermath.ErrorCode(err) != aftermath.EINVALID {
		return nil, err
	}
	if h != nil {
		rep.HarmCoverage = h.Coverage
	}
	var backerParties []string
	for _, b := range iv.Backers {
		backerParties = append(backerParties, backerParty(b))
	}
	first, last := iv.Start(), iv.End()
	for _, p := range iv.PartnerForces {
		from, to := iv.SupportWindow(p)
		sp := SupplyPartner{Name: p.Name, From: from, To: to, Force: p.Force}
		sp.State, sp.StateBy = StateOf(iv, p)
		if sp.State == "" {
			rep.Partners = append(rep.Partners, sp)
			continue
		}
		yFrom, yTo := year(from)-5, year(to)
		if yTo == 0 || yTo < yFrom {
			yTo = 9999
		}
		deliveries, err := flows.ArmsDeliveries(ctx, aftermath.DeliveryQuery{Recipients: []string{sp.State}, From: yFrom, To: yTo, Mentions: p.Force})
		if err != nil {
			return nil, err
		}
		if sp.Forces, err = flows.ArmsForces(ctx, sp.State); err != nil {
			return nil, err
		}
		land, err := flows.FundingLandscape(ctx, aftermath.LandscapeQuery{Recipient: sp.State, From: yFrom, To: yTo, Mentions: p.Force})
		if err != nil {
			return nil, err
		}
		var spans []aftermath.ActorSpan
		if h != nil {
			spans, _ = spansOf(p, opt.Dataset)
		}
		var days []aftermath.ActorEventDay
		if len(spans) > 0 {
			if days, err = events.ActorEventDays(ctx, aftermath.ActorEventsFilter{Viewer: opt.Viewer, Dataset: opt.Dataset, Spans: spans}); err != nil {
				return nil, err
			}
		}
		// The timeline runs over the years any of the three has.
		lastYear := 0
		for _, d := range deliveries {
			lastYear = max(lastYear, d.Year)
		}
		for _, r := range land.Rows {
			lastYear = max(lastYear, r.Year)
		}
		if h != nil {
			lastYear = max(lastYear, year(h.Coverage[1]))
		}
		lastYear = min(lastYear, yTo)
		for y := yFrom; y <= lastYear; y++ {
			sy := SupplyYear{Year: y}
			for _, d := range deliveries {
				if d.Year != y {
					continue
				}
				sy.Arms += d.TIV
				sy.ArmsDeals += d.Deals
				sy.ArmsEstimate = sy.ArmsEstimate || d.Estimate
				if slices.ContainsFunc(backerParties, func(b string) bool {
					return b == d.SupplierISO3 || strings.EqualFold(strings.TrimRight(d.Supplier, "*"), b)
				}) {
					sy.FromBackers += d.TIV
				}
			}
			for _, r := range land.Rows {
				if r.Year == y && r.Buckets[aftermath.BucketSecurity] != 0 {
					sy.SecurityAid = append(sy.SecurityAid, CurrencyValue{r.Currency, r.Buckets[aftermath.BucketSecurity]})
				}
			}
			ys := strconv.Itoa(y)
			sy.OneSided = HarmRow{Partner: p.Name, Measure: MeasureOneSided, Period: ys, From: ys + "-01-01", To: ys + "-12-31", Covered: CoveredNo}
			sy.Battles = HarmRow{Partner: p.Name, Measure: MeasureBattles, Period: ys, From: ys + "-01-01", To: ys + "-12-31", Covered: CoveredNo}
			if h != nil && len(spans) > 0 {
				h.sum(&sy.OneSided, days, opt, ys)
				h.sum(&sy.Battles, days, opt, ys)
			}
			sp.Years = append(sp.Years, sy)
		}
		sp.Suppliers = suppliersOf(deliveries)
		rep.Partners = append(rep.Partners, sp)

		// Each backer's deliveries to this partner's state, and the
		// partner's one-sided violence after the first of them.
		for i, b := range iv.Backers {
			var mine []aftermath.DeliveryYear
			for _, d := range deliveries {
				if backerParties[i] == d.SupplierISO3 || strings.EqualFold(strings.TrimRight(d.Supplier, "*"), backerParties[i]) {
					mine = append(mine, d)
				}
			}
			if len(mine) == 0 {
				continue
			}
			t := suppliersOf(mine)[0]
			bs := BackerSupply{Backer: b.Name, Partner: p.Name, State: sp.State, TIV: t.TIV, Estimate: t.Estimate, FirstYear: t.FirstYear, LastYear: t.LastYear}
			bs.Later = HarmRow{Partner: p.Name, Measure: MeasureOneSided, Period: PeriodAfter, From: strconv.Itoa(t.FirstYear+1) + "-01-01", Covered: CoveredNo}
			if h != nil && len(spans) > 0 {
				bs.Later.To = lastDay(h.Coverage[1])
				h.sum(&bs.Later, days, opt, PeriodAfter)
			}
			rep.Backers = append(rep.Backers, bs)
		}
	}
	// What the intervening states themselves received while they
	// intervened.
	for i, b := range iv.Backers {
		fy, ty := year(first), year(last)
		if ty == 0 {
			ty = 9999
		}
		ds, err := flows.ArmsDeliveries(ctx, aftermath.DeliveryQuery{Recipients: []string{backerParties[i]}, From: fy, To: ty})
		if err != nil {
			return nil, err
		}
		if len(ds) == 0 {
			continue
		}
		ia := IntervenerArms{Backer: b.Name, State: backerParties[i], FromYear: fy, Suppliers: suppliersOf(ds)}
		for _, d := range ds {
			ia.ToYear = max(ia.ToYear, d.Year)
		}
		rep.Interveners = append(rep.Interveners, ia)
	}
	if err := instrumentEvidence(ctx, flows, iv, rep, backerParties); err != nil {
		return nil, err
	}
	rep.Method = "Arms: SIPRI trend-indicator values (TIV, millions) of deliveries of major conventional arms to the partner's state, " +
		"by delivery year; where SIPRI's register gives a deal's delivered TIV without a split by year it is spread evenly over the " +
		"deal's delivery years (marked as an estimate). Security aid: IATI disbursements to the state's country under DAC 152xx codes " +
		"other than 15220 and 15230, in the currency published. Harm: the partner's own events only (one-sided violence it committed; " +
		"battles it fought), by calendar year; a year the event data do not cover has no figure."
	rep.Caveats = []string{
		"A delivery to a state is not proof that a given unit received it: SIPRI names the recipient state (its comments sometimes say which force); a later use is not shown by a delivery.",
		"TIV measures the military capability transferred at constant prices; it is not a sale price or a financial value.",
		"IATI holds only what publishers report; absent publishers and unreported security assistance do not appear, so a low figure is not evidence of little aid.",
	}
	if h == nil {
		rep.Caveats = append(rep.Caveats, "No "+opt.Dataset+" event data are imported: the harm columns are empty, not zero.")
	}
	return rep, nil
}

// evidenced are the instruments the flows can speak to, with the aid
// bucket that evidences each ("" for arms).
var evidenced = []struct{ instrument, aid string }{
	{"arms", ""}, {"train-and-equip", aftermath.BucketSecurity}, {"funding", aftermath.BucketSecurity}, {"cve-programming", "pcve"},
}

// instrumentEvidence fills rep.Evidence over the intervention's years:
// the backers' deliveries to the partners' states, and their own
// agencies' disbursements there.
func instrumentEvidence(ctx context.Context, flows FlowFigures, iv *aftermath.Intervention, rep *SupplyReport, backerParties []string) error {
	from, to := year(iv.Start()), year(iv.End())
	var arms aftermath.MilliTIV
	aid := map[string]map[string]float64{} // bucket → currency → value
	maxYear := from
	states := map[string]bool{}
	for _, p := range rep.Partners {
		if p.State != "" {
			states[p.State] = true
		}
	}
	for state := range states {
		ds, err := flows.ArmsDeliveries(ctx, aftermath.DeliveryQuery{Suppliers: backerParties, Recipients: []string{state}, From: from, To: to})
		if err != nil {
			return err
		}
		for _, d := range ds {
			arms += d.TIV
			maxYear = max(maxYear, d.Year)
		}
		for _, b := range backerParties {
			c, ok := geo.ByAlpha3(b)
			if !ok || len(b) != 3 {
				continue // an organisation: its agencies have no country code
			}
			land, err := flows.FundingLandscape(ctx, aftermath.LandscapeQuery{Recipient: state, From: from, To: to, ReportingCountry: c.Alpha2})
			if err != nil {
				return err
			}
			for _, r := range land.Rows {
				for bucket, v := range map[string]float64{aftermath.BucketSecurity: r.Buckets[aftermath.BucketSecurity], "pcve": r.PCVE} {
					if v == 0 {
						continue
					}
					if aid[bucket] == nil {
						aid[bucket] = map[string]float64{}
					}
					aid[bucket][r.Currency] += v
					maxYear = max(maxYear, r.Year)
				}
			}
		}
	}
	if to == 0 {
		to = maxYear
	}
	for _, e := range evidenced {
		ev := InstrumentEvidence{Instrument: e.instrument, Recorded: slices.Contains(iv.Instruments, e.instrument), FromYear: from, ToYear: to}
		if e.aid == "" {
			ev.ArmsTIV = arms
		} else {
			for cur, v := range aid[e.aid] {
				ev.Aid = append(ev.Aid, CurrencyValue{cur, v})
			}
			slices.SortFunc(ev.Aid, func(a, b CurrencyValue) int { return strings.Compare(a.Currency, b.Currency) })
		}
		if ev.Recorded || ev.Found() {
			rep.Evidence = append(rep.Evidence, ev)
		}
	}
	return nil
}
