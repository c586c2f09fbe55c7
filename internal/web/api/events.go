package api

import (
	"net/http"
	"strconv"

	"aftermath"
	"aftermath/internal/geo"
	"aftermath/internal/web/server"
)

func (s *handlers) routesEventsAPI(handle server.Handle) {
	handle("GET /api/v1/events", server.Public, s.apiEvents)
	handle("GET /api/v1/events/{id}", server.Public, s.apiEvent)
}

// apiEventRow is an event in the listing: the explorer's columns, in the
// downloads' names.
type apiEventRow struct {
	ID              int64    `json:"id"`
	URL             string   `json:"url"`
	Dataset         string   `json:"dataset"`
	Version         string   `json:"version"`
	EventID         string   `json:"event_id"`
	DateStart       string   `json:"date_start"`
	DateEnd         string   `json:"date_end"`
	Country         string   `json:"country"`
	ISO3            string   `json:"iso3,omitempty"`
	Admin1          string   `json:"admin1"`
	Admin2          string   `json:"admin2"`
	Location        string   `json:"location"`
	Latitude        *float64 `json:"latitude"`
	Longitude       *float64 `json:"longitude"`
	ViolenceType    string   `json:"violence_type"`
	SideA           string   `json:"side_a"`
	SideB           string   `json:"side_b"`
	DeathsLow       int      `json:"deaths_low"`
	DeathsBest      int      `json:"deaths_best"`
	DeathsHigh      int      `json:"deaths_high"`
	DeathsCivilians int      `json:"deaths_civilians"`
	CodeStatus      string   `json:"code_status,omitempty"`
	WherePrecision  int      `json:"where_precision"`
	DatePrecision   int      `json:"date_precision"`
	// NumberOfSources is null when not given; UCDP's -1 ("not known")
	// is kept as published.
	NumberOfSources *int   `json:"number_of_sources"`
	SourceText      string `json:"source_text"`
	Notes           string `json:"notes,omitempty"`
}

func eventRow(e *aftermath.Event) apiEventRow {
	row := apiEventRow{ID: e.ID, URL: "/events/" + strconv.FormatInt(e.ID, 10), Dataset: e.Dataset, Version: e.Version, EventID: e.NativeID,
		DateStart: e.DateStart, DateEnd: e.DateEnd, Country: e.Country, Admin1: e.Admin1, Admin2: e.Admin2, Location: e.Location,
		Latitude: e.Latitude, Longitude: e.Longitude, ViolenceType: e.ViolenceType, DeathsLow: e.DeathsLow, DeathsBest: e.DeathsBest,
		DeathsHigh: e.DeathsHigh, DeathsCivilians: e.DeathsCivilians, CodeStatus: e.CodeStatus, WherePrecision: e.WherePrecision,
		DatePrecision: e.DatePrecision, NumberOfSources: e.SourceCount, SourceText: e.SourceText, Notes: e.Notes}
	if c, ok := geo.ByGW(e.CountryGW); ok {
		row.ISO3 = c.Alpha3
	} else if c, ok := geo.ByNumeric(e.CountryISO); ok {
		row.ISO3 = c.Alpha3
	}
	row.SideA, row.SideB = e.SideA(), e.SideB()
	return row
}

// apiEvents lists the events the explorer's filters select (the same
// query string: dataset, country, admin1, from, to, violence_type, actor,
// side, deaths_min, deaths_max, code_status, precise, offset), newest
// first, with &limit= up to 1000 (default 100).
func (s *handlers) apiEvents(w http.ResponseWriter, r *http.Request) {
	q := apiQuery{r.URL.Query()}
	f, err := aftermath.ParseEventFilter(viewerOf(r.Context()), q.Values)
	if err == nil {
		f.Limit, err = q.count("limit", 100)
	}
	if err == nil && (f.Limit < 1 || f.Limit > 1000) {
		err = aftermath.FieldError("limit", "%d is not between 1 and 1000", f.Limit)
	}
	var evs []aftermath.Event
	var total int64
	var exact bool
	if err == nil {
		evs, err = s.db.Events(r.Context(), f)
	}
	if err == nil {
		total, exact, err = s.db.CountEvents(r.Context(), f, countLimit)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := struct {
		Total int64 `json:"total"`
		// Exact is false when total is a lower bound: counting stopped there.
		Exact  bool          `json:"exact"`
		Offset int           `json:"offset"`
		Limit  int           `json:"limit"`
		Next   string        `json:"next,omitempty"`
		Events []apiEventRow `json:"events"`
	}{Total: total, Exact: exact, Offset: f.Offset, Limit: f.Limit, Events: []apiEventRow{}}
	for i := range evs {
		out.Events = append(out.Events, eventRow(&evs[i]))
	}
	if len(evs) == f.Limit && (int64(f.Offset+len(evs)) < total || !exact) {
		nq := f.Query()
		nq.Set("offset", strconv.Itoa(f.Offset+f.Limit))
		nq.Set("limit", strconv.Itoa(f.Limit))
		out.Next = "/api/v1/events?" + nq.Encode()
	}
	writeJSON(w, http.StatusOK, out)
}

// countLimit caps counting what the aggregates cannot count, as the
// explorer does.
const countLimit = 10_000

// apiEvent is one event: the listing's fields and every column as its
// dataset published it, in the published order.
func (s *handlers) apiEvent(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var e *aftermath.Event
	if err == nil {
		e, err = s.db.EventByID(r.Context(), viewerOf(r.Context()), id)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		apiEventRow
		Published []aftermath.PublishedField `json:"published"`
	}{eventRow(e), e.Published()})
}
