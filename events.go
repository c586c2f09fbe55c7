package aftermath

import (
	"context"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Events reads the imported conflict events and what is derived from
// them. Every method selects only what the viewer may see (EventFilter
// carries its viewer): events of a hidden dataset are not there for them.
type Events interface {
	Datasets(ctx context.Context, v Viewer) ([]Dataset, error)
	// DatasetCoverage is what the dataset's versions cover: a month
	// outside it is unknown, never zero.
	DatasetCoverage(ctx context.Context, v Viewer, dataset string) (CoverageSet, error)
	Events(ctx context.Context, f EventFilter) ([]Event, error)
	// EachEvent streams the selected events, for exports of any size.
	EachEvent(ctx context.Context, f EventFilter, fn func(*Event) error) error
	// CountEvents counts up to limit (exact false beyond it).
	CountEvents(ctx context.Context, f EventFilter, limit int) (n int64, exact bool, err error)
	// Event is one event by its dataset's own id (ENOTFOUND if hidden).
	Event(ctx context.Context, v Viewer, dataset, nativeID string) (*Event, error)
	// EventByID is one event by its id here, with every stored field,
	// its actors and their dataset ids (ENOTFOUND if hidden).
	EventByID(ctx context.Context, v Viewer, id int64) (*Event, error)
	// CountryCounts counts the selected events by country: exactly when
	// the monthly aggregates can answer the filter, otherwise over the
	// most recent max events (exact false when it stopped there).
	CountryCounts(ctx context.Context, f EventFilter, max int) (counts []CountryCount, exact bool, err error)
	// EventPoints bins the most recent max selected events with
	// coordinates into cells, for maps, and says how many it binned.
	EventPoints(ctx context.Context, f EventFilter, max int) (pts []EventPoint, binned int64, err error)
	// PlaceTotals sums events by country (iso3 "") or by admin-1 area of
	// one country.
	PlaceTotals(ctx context.Context, v Viewer, iso3 string) ([]PlaceTotal, error)
	Actor(ctx context.Context, v Viewer, id int64) (*Actor, error)
	// ActorMonths is an actor's monthly totals, through its own events.
	ActorMonths(ctx context.Context, v Viewer, actorID int64, dataset string) ([]MonthTotal, error)
	SearchActors(ctx context.Context, v Viewer, q string, limit int) ([]ActorSummary, error)
	// CheckImportInto says, before a file is taken, whether as may import
	// into dataset: ENOTFOUND if it is hidden, EFORBIDDEN if it is seen
	// but not theirs to change.
	CheckImportInto(ctx context.Context, as ImportAs, dataset string) error
}

// EventFilter selects events. Empty fields select everything.
type EventFilter struct {
	// Viewer is who asks; only events of datasets they may see are
	// selected (the zero value is an anonymous visitor).
	Viewer  Viewer
	Dataset string
	// Country is a country as the dataset spells it, its ISO 3166-1
	// alpha-3 code or its name in English, French or Arabic (CLDR), in
	// any case: every spelling of that country in the datasets matches.
	Country      string
	Admin1       string
	From, To     string // YYYY-MM-DD, on date_start, inclusive
	ViolenceType string
	// Actor is part of an actor's name as a dataset spells it, in any
	// case; ActorSide limits it to side A (UCDP side_a, ACLED actor1),
	// side B (side_b, actor2) or, empty, either side.
	Actor     string
	ActorSide string // "", ActorSideA or ActorSideB
	DeathsMin int    // best estimate; 0 for no lower bound
	DeathsMax int    // best estimate; 0 for no upper bound
	// CodeStatus is UCDP's code_status exactly as published ("Clear",
	// "Check dyad" …); ACLED events have none.
	CodeStatus string
	// PreciseOnly keeps events with a precise place and date (EventPrecise).
	PreciseOnly bool
	Limit       int // Events only: 1 to 1000, default 100
	Offset      int
}

// Sides an actor filter may name.
const (
	ActorSideA = "a"
	ActorSideB = "b"
)

// CountryCount is how many selected events one country has.
type CountryCount struct {
	ISO3   string
	Events int64
}

// ParseEventFilter reads an events filter from a query string, as the
// explorer, its downloads and the API take it. A bad value is a
// FieldError naming the parameter and quoting the value.
func ParseEventFilter(v Viewer, q url.Values) (EventFilter, error) {
	get := func(k string) string { return strings.TrimSpace(q.Get(k)) }
	f := EventFilter{Viewer: v, Dataset: get("dataset"), Country: get("country"), Admin1: get("admin1"),
		From: get("from"), To: get("to"), ViolenceType: get("violence_type"), Actor: get("actor"),
		ActorSide: get("side"), CodeStatus: get("code_status"), PreciseOnly: q.Get("precise") == "1"}
	for _, d := range []struct{ key, val string }{{"from", f.From}, {"to", f.To}} {
		// time.Parse refuses month 13 and 31 February, which a pattern
		// check let through for the database to compare as text.
		if _, err := time.Parse(time.DateOnly, d.val); d.val != "" && err != nil {
			return f, FieldError(d.key, "%q is not a date (YYYY-MM-DD)", d.val)
		}
	}
	if f.ActorSide != "" && f.ActorSide != ActorSideA && f.ActorSide != ActorSideB {
		return f, FieldError("side", "%q is not a, b or empty (either side)", f.ActorSide)
	}
	for _, n := range []struct {
		key string
		dst *int
	}{{"deaths_min", &f.DeathsMin}, {"deaths_max", &f.DeathsMax}, {"offset", &f.Offset}} {
		if s := get(n.key); s != "" {
			x, err := strconv.Atoi(s)
			if err != nil || x < 0 {
				return f, FieldError(n.key, "%q is not a whole number ≥ 0", s)
			}
			*n.dst = x
		}
	}
	return f, nil
}

// Query is the filter as a query string that ParseEventFilter reads back,
// without paging, for links and downloads.
func (f EventFilter) Query() url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{{"dataset", f.Dataset}, {"country", f.Country}, {"admin1", f.Admin1}, {"from", f.From},
		{"to", f.To}, {"violence_type", f.ViolenceType}, {"actor", f.Actor}, {"side", f.ActorSide}, {"code_status", f.CodeStatus}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	if f.PreciseOnly {
		v.Set("precise", "1")
	}
	if f.DeathsMin > 0 {
		v.Set("deaths_min", strconv.Itoa(f.DeathsMin))
	}
	if f.DeathsMax > 0 {
		v.Set("deaths_max", strconv.Itoa(f.DeathsMax))
	}
	return v
}

// PlaceTotal sums a dataset's events in one country or admin-1 area.
type PlaceTotal struct {
	Dataset         string
	Country         string // as the dataset spells it
	ISO3            string
	Admin1          string // "" on country rows
	Events          int64
	DeathsBest      int64
	DeathsCivilians int64
	First, Last     string // YYYY-MM of the first and last month with events
}

// EventPoint is a cell of about 0.1° holding events, for maps.
type EventPoint struct {
	Lat, Lon   float64
	CountryGW  int // Gleditsch-Ward code, 0 when the dataset gives none
	CountryISO int // ISO 3166-1 numeric, 0 when the dataset gives none
	Events     int64
	DeathsBest int64
}

// ActorSummary is an actor with how many events it was the primary actor
// of, for lists.
type ActorSummary struct {
	ID     int64
	Name   string
	Kind   string
	Events int64
}
