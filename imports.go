package aftermath

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"math"
	"sort"
	"strconv"
)

// Importing event data: who an import runs for, where a new dataset goes,
// the content hash that tells a changed event from an unchanged one, and
// the store's import transaction that package importer drives.

// Placement says who may see a record: its audience, the organisation
// that owns it (0: the instance) and, for a confidential record, the
// users allowed to read it.
type Placement struct {
	Audience Audience
	OwnerOrg int64
	Readers  []int64
}

// ImportAs says on whose behalf an import runs. The zero value is the
// instance itself (the command line without --org), which writes every
// dataset.
type ImportAs struct {
	// User is the uploader of a web import: they may write a dataset
	// owned by an organisation where they are admin or editor, or one
	// with no owner if they are admin or editor anywhere.
	User *User
	// OrgID is the command line's --org: the dataset must be that
	// organisation's or have no owner.
	OrgID int64
}

// EventHash returns the content hash that decides whether a stored event
// changed: the first 8 bytes of a SHA-256 over every stored field, each
// length-prefixed so that no two events serialise alike.
func EventHash(e *Event) int64 {
	buf := make([]byte, 0, 1024+len(e.SourceText)+len(e.Notes))
	str := func(s string) {
		buf = binary.AppendUvarint(buf, uint64(len(s)))
		buf = append(buf, s...)
	}
	num := func(n int) { buf = binary.AppendVarint(buf, int64(n)) }
	flt := func(f *float64) {
		if f == nil {
			buf = append(buf, 0)
			return
		}
		buf = binary.BigEndian.AppendUint64(append(buf, 1), math.Float64bits(*f))
	}
	for _, s := range [...]string{e.NativeID, e.RelID, e.DateStart, e.DateEnd, e.ViolenceType, e.SubEventType,
		e.DisorderType, e.CodeStatus, e.ConflictID, e.ConflictName, e.DyadID, e.DyadName, e.Country, e.Region,
		e.Admin1, e.Admin2, e.Admin3, e.Location, e.SourceText, e.Notes, e.Tags} {
		str(s)
	}
	// An empty source count hashes apart from every number, so that a
	// count that becomes empty (or the reverse) is a change; a number hashes
	// as it always did.
	sources := math.MinInt64
	if e.SourceCount != nil {
		sources = *e.SourceCount
	}
	for _, n := range [...]int{e.Year, e.DatePrecision, e.Clarity, e.CountryGW, e.CountryISO, e.WherePrecision,
		e.DeathsA, e.DeathsB, e.DeathsCivilians, e.DeathsUnknown, e.DeathsLow, e.DeathsBest, e.DeathsHigh, sources} {
		num(n)
	}
	if e.CivilianTargeting {
		num(1)
	} else {
		num(0)
	}
	flt(e.Latitude)
	flt(e.Longitude)
	num(len(e.Actors))
	for _, a := range e.Actors {
		str(a.Role)
		str(a.Name)
		str(a.ExternalID)
		str(a.Inter)
	}
	keys := make([]string, 0, len(e.Extra))
	for k := range e.Extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		str(k)
		str(e.Extra[k])
	}
	sum := sha256.Sum256(buf)
	return int64(binary.BigEndian.Uint64(sum[:8]))
}

// IsMonth reports whether s is a month YYYY-MM.
func IsMonth(s string) bool {
	if len(s) != 7 || s[4] != '-' {
		return false
	}
	y, err1 := strconv.Atoi(s[:4])
	m, err2 := strconv.Atoi(s[5:])
	return err1 == nil && err2 == nil && y > 0 && m >= 1 && m <= 12
}

// ImportTx is one file's import: one transaction, so that a bad row, a
// refusal or a kill leaves the database as it was.
type ImportTx interface {
	// StateCoverage records the coverage given at import (--covers,
	// --countries); CoverageFromFileName the month a monthly candidate's
	// name gives.
	StateCoverage(from, to string, countries []string)
	CoverageFromFileName(month string)
	// Repeats returns the positions in batch of the events whose native
	// id an event of this import had before (in an earlier batch or
	// earlier in batch), in memory bounded by the batch; Add is given the
	// rest of batch.
	Repeats(batch []*Event) ([]int, error)
	// Add stores a batch of events with distinct native ids.
	Add(batch []*Event) error
	// Rejected counts a row refused with --skip-bad-rows.
	Rejected()
	Counts() ImportCounts
	Commit() (ImportCounts, error)
	// Rollback undoes everything; a no-op after Commit.
	Rollback() error
}

// EventImports starts imports. It returns ENOTFOUND when an existing
// dataset is hidden from the importer and EFORBIDDEN when they see it but
// may not write it.
type EventImports interface {
	StartImport(ctx context.Context, as ImportAs, dataset, version, file, sha string, place *Placement) (ImportTx, error)
}
