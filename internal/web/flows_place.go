package web

// A country's money and arms on its place page: the funding landscape of
// the aid its publishers report to IATI, and the arms SIPRI records as
// delivered to it.

import (
	"context"
	"html/template"
	"slices"
	"strconv"
	"strings"

	"aftermath"
	"aftermath/internal/figures"
	"aftermath/internal/geo"
	"aftermath/internal/i18n"
)

type landscapeRow struct {
	aftermath.LandscapeRow
	Year          string
	Security      float64
	Peacebuilding float64
	Other         float64
	NoSector      float64
	LocalShare    string
	GenderShare   string
}

type landscapeView struct {
	Charts  []template.HTML
	Rows    []landscapeRow
	Sectors string // the P/CVE rule's, with their names where known
	Terms   string
	Matches []pcveMatch
}

// pcveMatch is an activity the P/CVE rule picked, with the words found.
type pcveMatch struct {
	Title, Identifier, Words string
}

type armsCell struct {
	TIV      aftermath.MilliTIV
	Any      bool // something was delivered that year
	Estimate bool
}

type armsSupplier struct {
	Name  string
	Cells []armsCell // one per year shown
	Total aftermath.MilliTIV
}

type armsView struct {
	From, To  string
	Years     []string
	Suppliers []armsSupplier
}

// armsPlaceYears is how many years of deliveries the place page shows,
// up to the last one SIPRI records for the country.
const armsPlaceYears = 10

// placeFlows fills the country's funding landscape and arms deliveries,
// when there are any.
func (s *Server) placeFlows(ctx context.Context, p *placePage) error {
	if _, ok := geo.ByAlpha3(p.ISO3); !ok {
		return nil
	}
	land, err := s.db.FundingLandscape(ctx, aftermath.LandscapeQuery{Recipient: p.ISO3})
	if err != nil {
		return err
	}
	if len(land.Rows) > 0 {
		if p.Landscape, err = s.landscapeView(ctx, p.L, land); err != nil {
			return err
		}
	}
	dels, err := s.db.ArmsDeliveries(ctx, aftermath.DeliveryQuery{Recipients: []string{p.ISO3}})
	if err != nil {
		return err
	}
	p.Arms = armsDelivered(dels)
	return nil
}

func (s *Server) landscapeView(ctx context.Context, l *i18n.Locale, land *aftermath.Landscape) (*landscapeView, error) {
	v := &landscapeView{Terms: strings.Join(land.Query.PCVE.Terms, l.T("flows.sep"))}
	for _, m := range land.Matches {
		v.Matches = append(v.Matches, pcveMatch{Title: m.Title, Identifier: m.Identifier, Words: strings.Join(m.Words, l.T("flows.sep"))})
	}
	sectors, err := s.db.CodeNames(ctx, "Sector", l.Tag())
	if err != nil {
		return nil, err
	}
	var named []string
	for _, c := range land.Query.PCVE.Sectors {
		if n := sectors[c]; n != "" {
			c += " (" + n + ")"
		}
		named = append(named, c)
	}
	v.Sectors = strings.Join(named, l.T("flows.sep"))
	share := func(part, total float64) string {
		if total == 0 {
			return ""
		}
		return l.T("flows.percent", "value", l.Number(100*part/total, 0))
	}
	var currencies []string
	for _, r := range land.Rows {
		v.Rows = append(v.Rows, landscapeRow{LandscapeRow: r, Year: strconv.Itoa(r.Year), Security: r.Buckets[aftermath.BucketSecurity],
			Peacebuilding: r.Buckets[aftermath.BucketPeacebuilding], Other: r.Buckets[aftermath.BucketOther], NoSector: r.Buckets[aftermath.BucketNoSector],
			LocalShare: share(r.Local, r.Total), GenderShare: share(r.Gender, r.Total)})
		if !slices.Contains(currencies, r.Currency) {
			currencies = append(currencies, r.Currency)
		}
	}
	slices.Sort(currencies)
	for _, cur := range currencies {
		// One drawing with the briefs' (figures.Landscape): a net negative
		// part (de-obligations, as in Iraq) is drawn as none and said so.
		svg, err := figures.Landscape(l, land.Query.Recipient, land, cur)
		if err != nil {
			s.log.ErrorContext(ctx, "landscape chart", "err", err)
			continue
		}
		if svg != "" {
			v.Charts = append(v.Charts, svg)
		}
	}
	return v, nil
}

// armsDelivered is a table of deliveries by supplier over the last
// armsPlaceYears years SIPRI records, or nil without any.
func armsDelivered(dels []aftermath.DeliveryYear) *armsView {
	if len(dels) == 0 {
		return nil
	}
	last := 0
	for _, d := range dels {
		last = max(last, d.Year)
	}
	first := last - armsPlaceYears + 1
	v := &armsView{From: strconv.Itoa(first), To: strconv.Itoa(last)}
	for y := first; y <= last; y++ {
		v.Years = append(v.Years, strconv.Itoa(y))
	}
	type cell struct {
		tiv      aftermath.MilliTIV
		estimate bool
		any      bool
	}
	bySupplier := map[string][]cell{}
	var names []string
	for _, d := range dels {
		if d.Year < first {
			continue
		}
		cells, ok := bySupplier[d.Supplier]
		if !ok {
			cells = make([]cell, armsPlaceYears)
			names = append(names, d.Supplier)
		}
		c := &cells[d.Year-first]
		c.tiv += d.TIV
		c.estimate = c.estimate || d.Estimate
		c.any = true
		bySupplier[d.Supplier] = cells
	}
	if len(names) == 0 {
		return nil
	}
	slices.Sort(names)
	for _, n := range names {
		row := armsSupplier{Name: n}
		for _, c := range bySupplier[n] {
			ac := armsCell{TIV: c.tiv, Any: c.any, Estimate: c.estimate}
			row.Cells = append(row.Cells, ac)
			row.Total += c.tiv
		}
		v.Suppliers = append(v.Suppliers, row)
	}
	return v
}
