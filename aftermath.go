// Package aftermath holds the domain types of the Aftermath platform and the
// error codes every layer shares. It imports no database driver, HTTP or
// template code, so that storage, ingest and interfaces can all depend on it.
package aftermath

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. One table in the web layer maps each to an HTTP status; the
// CLI maps them to exit codes.
const (
	EINVALID  = "invalid"   // the input is wrong; the message says how
	ENOTFOUND = "not_found" // the record does not exist or the caller may not see it
	ECONFLICT = "conflict"  // the change clashes with what is stored
	EINTERNAL = "internal"  // a fault of ours; the message is safe to show
	// EFORBIDDEN: the caller may see the record but not take this action
	// on it. (A record the caller may not see at all is ENOTFOUND, so that
	// its existence does not leak.)
	EFORBIDDEN = "forbidden"
)

// Error is an error with a code and a message meant for people.
type Error struct {
	Code    string
	Message string
	// Field names the input field at fault, when there is one (set by
	// FieldError), so that a form can mark it.
	Field string
}

func (e *Error) Error() string { return e.Message }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	default:
		return EINTERNAL
	}
}

// Dataset names as stored and as accepted by --dataset.
const (
	DatasetUCDP  = "ucdp"
	DatasetACLED = "acled"
)

// UCDP type_of_violence codes as Aftermath names them.
const (
	ViolenceStateBased = "state-based"
	ViolenceNonState   = "non-state"
	ViolenceOneSided   = "one-sided"
)

// Dataset is one source of events (UCDP GED, ACLED) with the versions of it
// that were imported.
type Dataset struct {
	ID       int64
	Name     string
	Title    string
	Audience Audience
	Versions []DatasetVersion
	Events   int64 // events currently stored (from the monthly aggregates)
}

// DatasetVersion is one imported release of a dataset: the file it came
// from and what importing it did.
type DatasetVersion struct {
	ID         int64
	DatasetID  int64
	Version    string
	FileName   string
	SHA256     string
	ImportedAt time.Time
	Counts     ImportCounts
	Coverage   Coverage // what the version reports on
}

// ImportCounts is what an import did with the rows it read.
type ImportCounts struct {
	Read      int64 // data rows read from the file
	Inserted  int64 // events new to the database
	Updated   int64 // events whose content changed
	Unchanged int64 // events already stored exactly so, or stored from a newer version
	Rejected  int64 // rows refused (only with --skip-bad-rows)
}

// Actor roles on an event, named after the columns they come from.
const (
	RoleSideA  = "side_a"
	RoleSideB  = "side_b"
	RoleActor1 = "actor1"
	RoleActor2 = "actor2"
	RoleAssoc1 = "assoc_actor_1"
	RoleAssoc2 = "assoc_actor_2"
)

// EventActor names an actor as one dataset spells it, with the role it
// played in an event.
type EventActor struct {
	Role       string
	Name       string
	ExternalID string // the dataset's own actor id, when it has one (UCDP side_a_new_id)
	Inter      string // ACLED inter code as published ("1" or "State forces")
	Kind       string // one of the Kind constants, as the dataset suggests
}

// Actor kinds, as far as the datasets tell them apart: UCDP by its naming
// ("Government of …", "Civilians"), ACLED by its inter codes.
const (
	KindState      = "state"
	KindArmedGroup = "armed-group"
	KindCivilians  = "civilians"
	KindOther      = "other"
)

// PrimaryActor is the actor Aftermath counts an event against as its
// perpetrator: UCDP's side A (the government in state-based conflict, the
// perpetrator in one-sided violence) or ACLED's actor 1 (the initiator).
// Nil when the event names none.
func (e *Event) PrimaryActor() *EventActor {
	for i := range e.Actors {
		if r := e.Actors[i].Role; r == RoleSideA || r == RoleActor1 {
			return &e.Actors[i]
		}
	}
	return nil
}

// Event is one conflict event as a dataset reports it. Fields keep the
// dataset's meaning; Extra holds the published columns that have no field,
// so nothing a user may want to cross-check is lost.
type Event struct {
	ID       int64
	Dataset  string
	Version  string
	NativeID string // UCDP id, ACLED event_id_cnty
	RelID    string // UCDP relid

	Year          int // the dataset's year column
	DateStart     string
	DateEnd       string // YYYY-MM-DD
	DatePrecision int

	ViolenceType string // UCDP: state-based/non-state/one-sided; ACLED: event_type
	SubEventType string
	DisorderType string
	CodeStatus   string
	Clarity      int

	ConflictID   string
	ConflictName string
	DyadID       string
	DyadName     string
	Actors       []EventActor

	Country        string
	CountryGW      int // Gleditsch-Ward code, 0 when unknown
	CountryISO     int // ISO 3166-1 numeric, 0 when unknown
	Region         string
	Admin1         string
	Admin2         string
	Admin3         string
	Location       string
	Latitude       *float64
	Longitude      *float64
	WherePrecision int

	DeathsA           int
	DeathsB           int
	DeathsCivilians   int
	DeathsUnknown     int
	DeathsLow         int
	DeathsBest        int
	DeathsHigh        int
	CivilianTargeting bool

	// SourceCount is the number of sources as published (UCDP
	// number_of_sources): nil when the cell was empty or the dataset has
	// no such column (ACLED), -1 when the file says -1, UCDP's code for
	// "not known". Both unknown forms are kept as published, so exports
	// write them back unchanged; neither is a number to sum or compare.
	SourceCount *int
	SourceText  string
	Notes       string
	Tags        string

	Extra map[string]string

	// ContentHash identifies the stored content, to tell a changed event
	// from an unchanged one on re-import; 0 until computed.
	ContentHash int64
}

// Month returns the YYYY-MM of the event's start date.
func (e *Event) Month() string {
	if len(e.DateStart) < 7 {
		return ""
	}
	return e.DateStart[:7]
}

// Place kinds.
const (
	PlaceCountry = "country"
	PlaceAdmin1  = "admin1"
	PlaceAdmin2  = "admin2"
)

// Place is a country or an administrative area, named as the data gives it.
type Place struct {
	ID         int64
	Kind       string
	Name       string
	ParentID   int64 // 0 for countries
	ISOAlpha3  string
	ISONumeric int
	GWCode     int
}

// Actor is a state, force, armed group, organisation or person.
type Actor struct {
	ID          int64
	Name        string
	Kind        string
	Aliases     []ActorAlias
	ExternalIDs []ExternalID
	Parents     []ActorRelation
}

// ActorAlias is how one dataset spells an actor.
type ActorAlias struct {
	Dataset string `json:"dataset"`
	Name    string `json:"name"`
}

// ExternalID is an actor's identifier in another scheme (for example
// scheme "ucdp" and the UCDP actor id).
type ExternalID struct {
	Scheme string
	Value  string
}

// Relation kinds between actors.
const (
	RelationCommand        = "command"
	RelationAdministrative = "administrative"
	RelationInformal       = "informal"
)

// ActorRelation places an actor under a parent for a span of time. Empty
// dates mean open-ended.
type ActorRelation struct {
	ParentID int64
	Kind     string
	Start    string
	End      string
}

// Confidence levels of a citation.
const (
	ConfidenceLow    = "low"
	ConfidenceMedium = "medium"
	ConfidenceHigh   = "high"
)

// Source is where a fact comes from.
type Source struct {
	ID            int64  `json:"id"`
	Identifier    string `json:"identifier,omitempty"` // the document's own identifier, e.g. "S/RES/2100 (2013)"
	Title         string `json:"title"`
	Publisher     string `json:"publisher,omitempty"`
	Date          string `json:"date,omitempty"`
	URL           string `json:"url,omitempty"`
	ArchiveSHA256 string `json:"archive_sha256,omitempty"`
	Reliability   string `json:"reliability,omitempty"`
	Language      string `json:"language,omitempty"`
	// Audience says who sees the source; most sources are published
	// documents, so a new source without one is public.
	Audience Audience `json:"audience,omitempty"`
}

// Citation attaches a source to one field of one record.
type Citation struct {
	ID         int64  `json:"id,omitempty"`
	RecordType string `json:"record_type,omitempty"` // "event", "actor", "intervention" …
	RecordID   int64  `json:"record_id,omitempty"`
	Field      string `json:"field"`
	SourceID   int64  `json:"source_id"`
	Page       string `json:"page,omitempty"`
	Quote      string `json:"quote,omitempty"`
	Confidence string `json:"confidence"`
}

// Validate checks the fields every citation needs.
func (c *Citation) Validate() error {
	switch {
	case c.RecordType == "" || c.RecordID == 0 || c.Field == "":
		return Errorf(EINVALID, "a citation needs a record type, record id and field")
	case c.SourceID == 0:
		return Errorf(EINVALID, "a citation needs a source")
	}
	switch c.Confidence {
	case ConfidenceLow, ConfidenceMedium, ConfidenceHigh:
		return nil
	}
	return Errorf(EINVALID, "confidence %q is not one of low, medium, high", c.Confidence)
}

// StatsKeys are the grouping keys `aftermath stats --by` accepts.
var StatsKeys = []string{"dataset", "country", "admin1", "year", "month", "violence_type"}

// StatsFilter selects the aggregates to sum.
type StatsFilter struct {
	Dataset string   // "" for all
	By      []string // drawn from StatsKeys, in output order
	// ClearOnly sums only events with a clear code status (UCDP
	// code_status "Clear"; ACLED has none, so all its events count), and
	// PreciseOnly only events with a precise place and date (UCDP
	// where_prec and date_prec 1-2; ACLED geo_precision 1, time_precision
	// 1-2). Both read the aggregates' clear and precise dimensions.
	ClearOnly   bool
	PreciseOnly bool
}

// StatsRow is one group of summed aggregates. Keys follow StatsFilter.By.
type StatsRow struct {
	Keys            []string
	Events          int64
	DeathsBest      int64
	DeathsLow       int64
	DeathsHigh      int64
	DeathsCivilians int64
}
