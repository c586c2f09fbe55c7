package aftermath

import (
	"context"
	"slices"
)

// Audience says who may see a record, from narrowest to widest.
type Audience string

const (
	// AudienceConfidential: only the people named on the record.
	AudienceConfidential Audience = "confidential"
	// AudienceInternal: members of the owning organisation (of any
	// organisation of this instance when the record has no owner).
	AudienceInternal Audience = "internal"
	// AudiencePartners: the owning organisation and those it shares with.
	AudiencePartners Audience = "partners"
	// AudiencePublic: anyone, including anonymous visitors.
	AudiencePublic Audience = "public"
)

// Audiences lists the audiences from narrowest to widest.
var Audiences = []Audience{AudienceConfidential, AudienceInternal, AudiencePartners, AudiencePublic}

// Valid reports whether a is one of Audiences.
func (a Audience) Valid() bool { return slices.Contains(Audiences, a) }

// Wider reports whether a reaches more people than b.
func (a Audience) Wider(b Audience) bool {
	return slices.Index(Audiences, a) > slices.Index(Audiences, b)
}

// ParseAudience checks a name given by a user.
func ParseAudience(s string) (Audience, error) {
	a := Audience(s)
	if !a.Valid() {
		return "", Errorf(EINVALID, "audience %q is not one of confidential, internal, partners, public", s)
	}
	return a, nil
}

// Viewer is who is reading. The store decides from it, in one place,
// which records a query may return; handlers and templates only pass it
// on.
type Viewer struct {
	// All sees everything: the command line, run by whoever holds the
	// database, and background jobs.
	All bool
	// UserID is the signed-in user (0: anonymous).
	UserID int64
	// Orgs are the organisations in which the user may read internal
	// records (every role but contributor).
	Orgs []int64
	// PartnerOf are the organisations that share their partners records
	// with one of Orgs.
	PartnerOf []int64
}

// Anonymous is a visitor who is not signed in: public records only.
var Anonymous = Viewer{}

// System sees every record.
var System = Viewer{All: true}

// Member reports whether the viewer reads internal records of some
// organisation.
func (v Viewer) Member() bool { return v.All || len(v.Orgs) > 0 }

// Generations tells caches when to stop trusting what they hold: the
// number changes whenever who may see some record changes (audience,
// owner, partners) or a public record is deleted, in every process.
type Generations interface {
	AudienceGeneration(ctx context.Context) (int64, error)
	// FiguresGeneration changes, in every process, whenever what is read
	// from the events, their actors or their aggregates may change: an
	// import, or a change the audience generation counts (an actor merge
	// among them).
	FiguresGeneration(ctx context.Context) (string, error)
	// RecordsGeneration changes, in every process, whenever a record the
	// pages list (interventions, sources, actors, the ledger, briefs and
	// their translations) is written, by whatever wrote it.
	RecordsGeneration(ctx context.Context) (int64, error)
	// PageGeneration changes whenever either of the audience and records
	// generations does, read at once: what cached public pages follow.
	PageGeneration(ctx context.Context) (int64, error)
}
