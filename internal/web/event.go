package web

import (
	"net/http"
	"net/url"
	"strconv"
	"time"

	"aftermath"
	"aftermath/internal/figures"
	"aftermath/internal/geo"
	"aftermath/internal/i18n"
)

// precCodes are the precision codes each dataset's codebook defines, for
// the explorer's legend.
type precCodes struct{ UCDPWhere, UCDPDate, ACLEDWhere, ACLEDDate []int }

// PrecCodes lists the codes the legend explains.
func (eventsPage) PrecCodes() precCodes {
	return precCodes{UCDPWhere: []int{1, 2, 3, 4, 5, 6, 7}, UCDPDate: []int{1, 2, 3, 4, 5}, ACLEDWhere: []int{1, 2, 3}, ACLEDDate: []int{1, 2, 3}}
}

// publishedField is a published column with, for a precision code, its
// meaning in the reader's language.
type publishedField struct {
	aftermath.PublishedField
	Meaning string
}

type eventPage struct {
	page
	E        *aftermath.Event
	Fields   []publishedField
	Country  string // the country's name in the reader's language
	ISO3     string
	SideA    string
	SideB    string
	Explorer string // the explorer filtered to the event's country and month
	Month    string // YYYY-MM
}

// event shows one event with every field as published.
func (s *Server) event(w http.ResponseWriter, r *http.Request) {
	id, ok := s.idOr404(w, r)
	if !ok {
		return
	}
	e, err := s.db.EventByID(r.Context(), viewerOf(r.Context()), id)
	if err != nil {
		s.PageError(w, r, err)
		return
	}
	p := eventPage{page: s.newPage(w, r, "event.title"), E: e}
	p.Title = p.L.T("event.heading", "dataset", e.Dataset, "id", e.NativeID)
	where, date := map[string]string{"where_prec": "where", "geo_precision": "where"}, map[string]string{"date_prec": "date", "time_precision": "date"}
	for _, f := range e.Published() {
		pf := publishedField{PublishedField: f}
		kind := where[f.Name] + date[f.Name]
		if n, err := strconv.Atoi(f.Value); err == nil && kind != "" {
			pf.Meaning = precisionOf(p.L, e.Dataset, kind, n)
		}
		p.Fields = append(p.Fields, pf)
	}
	p.SideA, p.SideB = e.SideA(), e.SideB()
	p.ISO3 = eventISO3(*e)
	p.Country = figures.Country(p.L, p.ISO3, e.Country)
	q := url.Values{"dataset": {e.Dataset}, "country": {e.Country}}
	if t, err := time.Parse(time.DateOnly, e.DateStart); err == nil {
		first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
		q.Set("from", first.Format(time.DateOnly))
		q.Set("to", first.AddDate(0, 1, -1).Format(time.DateOnly))
		p.Month = first.Format("2006-01")
	}
	p.Explorer = "/events?" + q.Encode()
	s.render(w, r, http.StatusOK, "event.html", p)
}

// eventISO3 is the ISO 3166-1 alpha-3 code of an event's country, from
// the codes its dataset gives (UCDP's Gleditsch-Ward number, ACLED's ISO
// number), "" when it gives none that is known.
func eventISO3(e aftermath.Event) string {
	if c, ok := geo.ByGW(e.CountryGW); ok {
		return c.Alpha3
	}
	if c, ok := geo.ByNumeric(e.CountryISO); ok {
		return c.Alpha3
	}
	return ""
}

// eventCountry is an event's country named in the reader's language, as
// the dataset spells it where its codes name no known country.
func eventCountry(l *i18n.Locale, e aftermath.Event) string {
	return figures.Country(l, eventISO3(e), e.Country)
}
