package aftermath

import "context"

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
	Viewer       Viewer
	Dataset      string
	Country      string // as the dataset spells it
	Admin1       string
	From, To     string // YYYY-MM-DD, on date_start, inclusive
	ViolenceType string
	Actor        string // an actor's name as the dataset spells it, in any role
	DeathsMin    int    // best estimate; 0 for no lower bound
	DeathsMax    int    // best estimate; 0 for no upper bound
	// CodeStatus is UCDP's code_status exactly as published ("Clear",
	// "Check dyad" …); ACLED events have none.
	CodeStatus string
	// PreciseOnly keeps events with a precise place and date (EventPrecise).
	PreciseOnly bool
	Limit       int // Events only: 1 to 1000, default 100
	Offset      int
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
