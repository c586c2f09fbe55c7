package aftermath

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// A brief is what an organisation puts in front of ministers, committees
// and journalists: a text (CommonMark with embeds of the project's
// records, read by internal/brief) in one language, with an audience and
// an owner like every record, and a review before it is shown beyond the
// organisation.

// BriefState is where a brief is in its review.
type BriefState string

const (
	BriefDraft    BriefState = "draft"     // being written; its writers change it
	BriefInReview BriefState = "in_review" // submitted; waiting for approval
	BriefApproved BriefState = "approved"  // approved; seen beyond its organisation only once published
	// BriefPublished: past the publishing checks and shown to its
	// audience (for partners or the public, beyond the organisation).
	BriefPublished BriefState = "published"
)

// Brief review steps and the change each makes.
const (
	BriefSubmit  = "submit"  // draft → in_review
	BriefApprove = "approve" // in_review → approved
	BriefReturn  = "return"  // in_review → draft, with a note saying why
	BriefReopen  = "reopen"  // approved or published → draft: withdrawn from its audience at once
	// BriefPublish runs the publishing checks (embeds, names from the
	// identity vault, exact places) and takes approved → published.
	BriefPublish   = "publish"
	BriefUnpublish = "unpublish" // published → approved: withdrawn, still approved
	BriefEdit      = "edit"      // recorded when a change of text sends the brief back to draft
	BriefCreate    = "create"    // recorded when a brief is created
)

// Limits of a brief: long enough for a report, small enough to render on
// a request and to keep in a page.
const (
	MaxBriefBody  = 200_000 // characters
	MaxBriefTitle = 300
)

// Brief is one brief.
type Brief struct {
	ID       int64      `json:"id"`
	Slug     string     `json:"slug"`
	Title    string     `json:"title"`
	Summary  string     `json:"summary,omitempty"`
	Language string     `json:"language"` // en, fr or ar
	Body     string     `json:"body"`
	Audience Audience   `json:"audience"`
	Owner    string     `json:"owner,omitempty"` // organisation slug
	State    BriefState `json:"state"`
	// EditedBy is who last changed the text: for partners or the public,
	// someone else approves it (four eyes).
	EditedBy   int64       `json:"edited_by,omitempty"`
	ApprovedBy int64       `json:"approved_by,omitempty"`
	CreatedAt  time.Time   `json:"created_at"`
	UpdatedAt  time.Time   `json:"updated_at"`
	History    []BriefStep `json:"history,omitempty"`
}

// BriefStep is one step of a brief's review history.
type BriefStep struct {
	Action   string     `json:"action"`
	ActorID  int64      `json:"actor_id,omitempty"`
	From, To BriefState `json:"-"`
	Note     string     `json:"note,omitempty"`
	At       time.Time  `json:"at"`
}

// BriefReview is a review step asked for.
type BriefReview struct {
	Action string
	Note   string // required to return
	// Overrides let a publish go ahead despite flags, one per flag, each
	// with a written reason that goes to the step's note and the audit log.
	Overrides []BriefOverride
}

// BriefFlag is something in a brief's public text that stops publishing
// unless overridden: a name from the identity vault, coordinates, or the
// name of a place at admin-2 level or finer.
type BriefFlag struct {
	Code string // BriefFlagVaultName, BriefFlagCoordinates, BriefFlagAdmin2
	Line int    // 0: the title or summary; else the line of the body
	// Text is what matched; for a vault name it is not given, so the
	// name is repeated nowhere (message, audit, logs).
	Text string
}

// Flag codes.
const (
	BriefFlagVaultName   = "vault-name"
	BriefFlagCoordinates = "coordinates"
	BriefFlagAdmin2      = "admin2"
)

// MinOverrideReason is the shortest reason an override takes: a
// sentence, not a token.
const MinOverrideReason = 15

// BriefOverride lets one flag through, saying why.
type BriefOverride struct {
	Code   string
	Line   int
	Reason string
}

// ParseOverride reads an override as the command line and the web form
// take it: CODE:LINE:REASON, LINE 0 for the title or summary.
func ParseOverride(s string) (BriefOverride, error) {
	code, rest, ok1 := strings.Cut(strings.TrimSpace(s), ":")
	line, reason, ok2 := strings.Cut(rest, ":")
	n, err := strconv.Atoi(strings.TrimSpace(line))
	if !ok1 || !ok2 || err != nil || n < 0 || strings.TrimSpace(code) == "" {
		return BriefOverride{}, FieldError("override", "%q: give CODE:LINE:REASON, as in admin2:12:the town is named in every report", s)
	}
	return BriefOverride{Code: strings.TrimSpace(code), Line: n, Reason: strings.TrimSpace(reason)}, nil
}

// String names a flag by line without repeating a vault name.
func (f BriefFlag) String() string {
	where := "title or summary"
	if f.Line > 0 {
		where = "line " + strconv.Itoa(f.Line)
	}
	switch f.Code {
	case BriefFlagVaultName:
		return where + ": a name from the identity vault (" + f.Code + ")"
	case BriefFlagCoordinates:
		return where + ": coordinates " + strconv.Quote(f.Text) + " (" + f.Code + ")"
	case BriefFlagAdmin2:
		return where + ": an exact place " + strconv.Quote(f.Text) + " (" + f.Code + ")"
	}
	return where + ": " + f.Code
}

// BriefFilter selects briefs to list, newest change first.
type BriefFilter struct {
	State    BriefState
	Language string
	Limit    int // default 100, at most 1000
	Offset   int
}

// BriefLanguages are the languages a brief is written in: those of the
// interface, so that its charts and notes are labelled in its language.
var BriefLanguages = []string{"en", "fr", "ar"}

// Validate checks what can be checked without the database.
func (b *Brief) Validate() error {
	b.Slug, b.Title, b.Summary = strings.TrimSpace(b.Slug), strings.TrimSpace(b.Title), strings.TrimSpace(b.Summary)
	switch {
	case !slugRE.MatchString(b.Slug) || len(b.Slug) > 80:
		return FieldError("slug", "%q is not a slug (lower-case letters and digits joined by hyphens, at most 80)", b.Slug)
	case b.Title == "":
		return FieldError("title", "a brief needs a title")
	case utf8.RuneCountInString(b.Title) > MaxBriefTitle:
		return FieldError("title", "at most %d characters", MaxBriefTitle)
	case utf8.RuneCountInString(b.Summary) > 2000:
		return FieldError("summary", "at most 2000 characters")
	case !slices.Contains(BriefLanguages, b.Language):
		return FieldError("language", "%q is not one of %s", b.Language, strings.Join(BriefLanguages, ", "))
	case strings.TrimSpace(b.Body) == "":
		return FieldError("body", "a brief needs a text")
	case utf8.RuneCountInString(b.Body) > MaxBriefBody:
		return FieldError("body", "at most %d characters", MaxBriefBody)
	case !utf8.ValidString(b.Body) || strings.ContainsRune(b.Body, 0):
		return FieldError("body", "the text is not valid UTF-8")
	case b.Audience != "" && !b.Audience.Valid():
		return FieldError("audience", "%q is not one of confidential, internal, partners, public", b.Audience)
	}
	return nil
}

// Briefs stores briefs. Who may do what is decided inside, for the web,
// the API and the command line alike:
//   - writers (admin, editor, researcher) of the owning organisation
//     create and change a brief; others who may see it get EFORBIDDEN,
//     and those who may not, ENOTFOUND;
//   - a change of title, summary, language or text of a brief in review
//     or approved sends it back to draft;
//   - an admin or editor of the owning organisation approves; for
//     partners or the public, not the person who last changed the text;
//   - an admin or editor of the owning organisation publishes an approved
//     brief, after the publishing checks; only then does it reach beyond
//     the organisation;
//   - every change and step is audited.
type Briefs interface {
	CreateBrief(ctx context.Context, v Viewer, b *Brief) error
	UpdateBrief(ctx context.Context, v Viewer, b *Brief) error
	DeleteBrief(ctx context.Context, v Viewer, id int64) error
	Brief(ctx context.Context, v Viewer, id int64) (*Brief, error)
	// FindBrief takes a slug or a numeric id.
	FindBrief(ctx context.Context, v Viewer, ref string) (*Brief, error)
	Briefs(ctx context.Context, v Viewer, f BriefFilter) ([]Brief, error)
	ReviewBrief(ctx context.Context, v Viewer, id int64, step BriefReview) error
}
