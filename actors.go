package aftermath

import (
	"context"
	"time"
)

// Actors connects an actor's records: the datasets' spellings, the
// interventions that name it as backer or partner force, the ledger, and
// merges of duplicates. Every method selects only what the viewer may see.
type Actors interface {
	// ActorProfile is what an actor's page shows beyond its names
	// (ENOTFOUND if the viewer may not see the actor).
	ActorProfile(ctx context.Context, v Viewer, id int64) (*ActorProfile, error)
	// MergeActors moves everything the actors ids have — spellings,
	// external ids, events, ledger records, testimony links — to actor
	// into, keeps a record of each merged actor, and audits the change.
	// Only the system, admins and editors may (EFORBIDDEN).
	MergeActors(ctx context.Context, v Viewer, into int64, ids []int64) error
	// ActorMergedInto is the actor that merged actor id went into,
	// following later merges (ENOTFOUND if id was not merged or the
	// viewer may not see where it went).
	ActorMergedInto(ctx context.Context, v Viewer, id int64) (int64, error)
}

// ActorProfile is an actor's totals, opponents, interventions and merges.
type ActorProfile struct {
	Totals        []ActorTotal // one per dataset: datasets are never summed
	Years         []ActorYear  // the same by dataset and year, years with events only
	Opponents     []ActorOpponent
	Interventions []ActorIntervention
	Merged        []ActorMerge // the actors merged into this one
}

// ActorTotal sums, in one dataset, the events an actor took part in on
// any side, and those it was the primary actor of (UCDP side A, ACLED
// actor 1), as the charts count them.
type ActorTotal struct {
	Dataset         string
	Events          int64 // any side
	Primary         int64 // as side A or actor 1
	DeathsBest      int64
	DeathsLow       int64
	DeathsHigh      int64
	DeathsCivilians int64
	First, Last     string // YYYY-MM of the first and last event
}

// ActorYear sums, in one dataset and year, the events an actor took
// part in on any side. A year without a row had no events in the data,
// which means none only where the dataset covers it.
type ActorYear struct {
	Dataset         string
	Year            int
	Events          int64
	DeathsBest      int64
	DeathsLow       int64
	DeathsHigh      int64
	DeathsCivilians int64
}

// ActorOpponent is an actor on the other side of an actor's events.
type ActorOpponent struct {
	ID      int64
	Name    string
	Kind    string
	Dataset string
	Events  int64
}

// ActorIntervention is an intervention that names the actor as a backer
// or a partner force (Role "backer" or "partner"), under the name As.
type ActorIntervention struct {
	ID   int64
	Slug string
	Name string
	Role string
	As   string
}

// ActorMerge records one actor merged into another.
type ActorMerge struct {
	IntoID      int64
	MergedID    int64
	Name        string
	Kind        string
	Aliases     []ActorAlias
	ExternalIDs []ExternalID
	UserID      int64 // 0: the system
	At          time.Time
}
