package aftermath

import "context"

// The figures of events that analysis reads: sums of the monthly
// aggregates of an area, an actor's own events by day, and what each
// dataset version covers. Storage implements EventFigures; package impact
// depends on it alone.

// AreaFilter selects monthly aggregates for an area and period.
type AreaFilter struct {
	// Viewer is who asks: a dataset they may not see has no events for
	// them (the zero value is an anonymous visitor).
	Viewer  Viewer
	Dataset string
	// Area lists countries (ISO 3166-1 alpha-3) and, where Admin1 is set,
	// one admin-1 area of that country as the dataset spells it.
	Area          []AreaRef
	From, To      string   // YYYY-MM, inclusive; "" for open
	ViolenceTypes []string // empty for all
	// ClearOnly keeps only clear events (UCDP code_status "Clear"; every
	// ACLED event) and PreciseOnly only those with a precise place and date
	// (see EventClear and EventPrecise): the aggregates' clear and precise
	// dimensions.
	ClearOnly   bool
	PreciseOnly bool
}

// MonthTotal is one month of summed aggregates.
type MonthTotal struct {
	Month           string // YYYY-MM
	Events          int64
	DeathsBest      int64
	DeathsLow       int64
	DeathsHigh      int64
	DeathsCivilians int64
}

// ActorSelect picks primary actors: those of the spans, each in the months
// of its span (YYYY-MM here, inclusive, "" open), or those of the given
// kinds other than the excluded spans. An empty select picks none.
type ActorSelect struct {
	Spans        []ActorSpan
	Kinds        []string
	ExcludeSpans []ActorSpan
}

// ActorSpan is one dataset actor standing for a partner force on the days
// its dataset name means that force (YYYY-MM-DD, inclusive; "" is open).
type ActorSpan struct {
	ActorID  int64
	From, To string
}

// ActorEventsFilter selects the events in which any of the spans' actors
// took part, on the days each span allows. Harm is attributed through an
// actor's own events only, so there is no area here.
type ActorEventsFilter struct {
	Viewer  Viewer
	Dataset string
	Spans   []ActorSpan
}

// ActorEventDay sums the selected events of one day that share a country,
// violence type, civilian-targeting mark and the sides the actors were on.
// An event is counted once however many of the spans' actors it names.
type ActorEventDay struct {
	Date              string // YYYY-MM-DD of date_start
	CountryGW         int
	CountryISO        int
	ViolenceType      string
	CivilianTargeting bool
	OnA               bool // UCDP side A, ACLED actor 1 or its associate
	OnB               bool // UCDP side B, ACLED actor 2 or its associate
	Events            int64
	DeathsLow         int64
	DeathsBest        int64
	DeathsHigh        int64
	DeathsCivilians   int64
	DeathsA           int64
	DeathsB           int64
	Clear             bool // as the aggregates' clear dimension
	Precise           bool // as the aggregates' precise dimension
}

// EventFigures is what the analysis of what followed an intervention reads.
// Every method reads as the viewer in the filter (or given): a dataset they
// may not see has no figures for them.
type EventFigures interface {
	// DatasetCoverage lists what each imported version of a dataset covers.
	DatasetCoverage(ctx context.Context, v Viewer, dataset string) (CoverageSet, error)
	// MonthlyTotals sums an area's aggregates by month (months without
	// events are absent).
	MonthlyTotals(ctx context.Context, f AreaFilter) ([]MonthTotal, error)
	// ActorMonthlyTotals does the same for the events whose primary actor
	// the select picks.
	ActorMonthlyTotals(ctx context.Context, f AreaFilter, sel ActorSelect) ([]MonthTotal, error)
	// Spread counts, per year, the admin-1 areas of the area with events.
	Spread(ctx context.Context, f AreaFilter) (map[int]int, error)
	// CountryMonthlyTotals sums by country (alpha-3) and month.
	CountryMonthlyTotals(ctx context.Context, v Viewer, dataset, from, to string, violenceTypes []string, clearOnly, preciseOnly bool) (map[string][]MonthTotal, error)
	// ActorEventDays sums by day the events the spans' actors took part in.
	ActorEventDays(ctx context.Context, f ActorEventsFilter) ([]ActorEventDay, error)
	// Interventions lists the interventions the viewer may see.
	Interventions(ctx context.Context, v Viewer) ([]Intervention, error)
}
