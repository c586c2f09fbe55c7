package web

import (
	"context"
	"slices"
	"strings"

	"aftermath"
	"aftermath/internal/i18n"
	"aftermath/internal/impact"
)

func init() {
	// tiv writes millions of SIPRI TIV with the reader's digits and as
	// many decimals as SIPRI gives (at most three).
	funcs["tiv"] = func(l *i18n.Locale, m aftermath.MilliTIV) string {
		s := m.String()
		decimals := 0
		if _, frac, ok := strings.Cut(s, "."); ok {
			decimals = len(frac)
		}
		return l.Number(float64(m)/1000, decimals)
	}
}

// supply is the intervention's money-and-arms report, or nil when no
// SIPRI or IATI data concern its parties (the page then leaves the
// section out rather than showing empty tables).
func (s *Server) supply(ctx context.Context, iv *aftermath.Intervention) (*impact.SupplyReport, error) {
	opt := impact.HarmOptions{Viewer: viewerOf(ctx), Dataset: aftermath.DatasetUCDP}
	var rep *impact.SupplyReport
	var err error
	if c, ok := s.db.(*keptStore); ok {
		// Kept like the analyses (figures_cache.go): the partner forces'
		// harm summed again for every year of deliveries was a third of the
		// intervention page. Arms and aid imports move the figures
		// generation too (they raise the audience generation).
		var key string
		if key, err = interventionKey("Supply", iv, opt); err == nil {
			rep, err = cachedFigure(ctx, c, key, func(ctx context.Context) (*impact.SupplyReport, error) {
				return impact.Supply(ctx, c, c, iv, opt)
			}, same)
		}
	} else {
		rep, err = impact.Supply(ctx, s.db, s.db, iv, opt)
	}
	if err != nil || rep.Empty() {
		return nil, err
	}
	return rep, nil
}

// moneyView is what the money-and-arms template part reads.
type moneyView struct {
	L *i18n.Locale
	R *impact.SupplyReport
}

func init() {
	funcs["moneyView"] = func(l *i18n.Locale, r *impact.SupplyReport) moneyView { return moneyView{l, r} }
	funcs["countryName"] = func(l *i18n.Locale, iso3 string) string { return countryName(l, iso3, iso3) }
}

// suppliedBy is what actor a, as one of iv's backers, delivered to iv's
// partners' states and what they did afterwards (impact.BackerSupply).
func (s *Server) suppliedBy(ctx context.Context, iv *aftermath.Intervention, a *aftermath.Actor) ([]impact.BackerSupply, error) {
	name := ""
	for _, b := range iv.Backers {
		if slices.Contains(b.ActorIDs, a.ID) || strings.EqualFold(b.Name, a.Name) {
			name = b.Name
		}
	}
	if name == "" || len(iv.PartnerForces) == 0 {
		return nil, nil
	}
	rep, err := impact.Supply(ctx, s.db, s.db, iv, impact.HarmOptions{Viewer: viewerOf(ctx), Dataset: aftermath.DatasetUCDP})
	if err != nil {
		return nil, err
	}
	var out []impact.BackerSupply
	for _, b := range rep.Backers {
		if b.Backer == name {
			out = append(out, b)
		}
	}
	return out, nil
}
