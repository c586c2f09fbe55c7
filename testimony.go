package aftermath

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"
)

// ConsentLevel is what a speaker agreed to.
type ConsentLevel string

const (
	// ConsentInternal: the testimony stays inside the organisation.
	ConsentInternal ConsentLevel = "internal-only"
	// ConsentAnonymous: its redacted text may be published without
	// attribution.
	ConsentAnonymous ConsentLevel = "anonymous-publication"
	// ConsentAttributed: its redacted text may be published with the
	// speaker's name.
	ConsentAttributed ConsentLevel = "attributed-publication"
)

// ConsentLevels lists the levels from narrowest to widest.
var ConsentLevels = []ConsentLevel{ConsentInternal, ConsentAnonymous, ConsentAttributed}

// Valid reports whether c is one of ConsentLevels.
func (c ConsentLevel) Valid() bool { return slices.Contains(ConsentLevels, c) }

// MaxAudience is the widest audience a testimony with this consent may
// have. Publication levels allow public, but only a testimony's approved,
// redacted text ever reaches anyone beyond the people who handle the
// original (see the access rule in internal/sqldb/testimony.go).
func (c ConsentLevel) MaxAudience() Audience {
	if c == ConsentInternal {
		return AudienceInternal
	}
	return AudiencePublic
}

// Consent methods.
const (
	ConsentOral    = "oral"
	ConsentWritten = "written"
)

// Consent is the consent record: what the speaker agreed to, who
// recorded it, when and how. It is stored encrypted; its level is also
// kept in clear so the database itself can refuse an audience wider than
// it allows.
type Consent struct {
	Level      ConsentLevel `json:"level"`
	MayContact bool         `json:"may_contact"` // the speaker may be contacted again
	Method     string       `json:"method"`      // oral or written
	RecordedBy string       `json:"recorded_by"` // who took the consent (a name: field workers may have no account)
	RecordedAt string       `json:"recorded_at"` // YYYY-MM-DD
	Note       string       `json:"note,omitempty"`
}

// Validate checks a consent record against now.
func (c *Consent) Validate(now time.Time) error {
	switch {
	case c == nil:
		return FieldError("consent", "a testimony cannot be saved without a consent record")
	case !c.Level.Valid():
		return FieldError("consent", "level %q is not one of internal-only, anonymous-publication, attributed-publication", c.Level)
	case c.Method != ConsentOral && c.Method != ConsentWritten:
		return FieldError("consent", "method %q is not oral or written", c.Method)
	case strings.TrimSpace(c.RecordedBy) == "":
		return FieldError("consent", "say who recorded the consent")
	}
	d, err := time.Parse(time.DateOnly, c.RecordedAt)
	if err != nil {
		return FieldError("consent", "recorded_at %q is not a date (YYYY-MM-DD)", c.RecordedAt)
	}
	if d.After(now) {
		return FieldError("consent", "recorded_at %s is in the future", c.RecordedAt)
	}
	return nil
}

// Speaker profile values. An empty value means not given.
var (
	Genders  = []string{"woman", "man", "other"}
	AgeBands = []string{"under-18", "18-29", "30-44", "45-59", "60+"}
)

// SpeakerProfile describes the speaker without naming them. In a small
// community a role, gender and age band can identify someone, so it is
// stored encrypted like the body.
type SpeakerProfile struct {
	Role    string `json:"role,omitempty"` // role in the community: "teacher", "elder", "midwife" …
	Gender  string `json:"gender,omitempty"`
	AgeBand string `json:"age_band,omitempty"`
}

// SpeakerIdentity is who the speaker is. It lives in its own table under
// its own data key, apart from the testimony's content.
type SpeakerIdentity struct {
	Name    string `json:"name"`
	Contact string `json:"contact,omitempty"` // only when the speaker may be contacted again
}

// TestimonyState is where a testimony is in review.
type TestimonyState string

const (
	StateSubmitted TestimonyState = "submitted"
	StateInReview  TestimonyState = "in_review"
	StateApproved  TestimonyState = "approved"
	StateReturned  TestimonyState = "returned"
)

// Review actions and the state change each makes.
const (
	ReviewStart    = "start"    // submitted → in_review
	ReviewApprove  = "approve"  // in_review → approved, for an audience
	ReviewReturn   = "return"   // in_review → returned, with a note
	ReviewResubmit = "resubmit" // returned → submitted
	ReviewReopen   = "reopen"   // approved → in_review: withdrawn from its audience at once
	ReviewRedact   = "redact"   // in_review, recorded when a reviewer redacts
	ReviewSubmit   = "submit"   // recorded when a testimony is created
)

// ReviewInput is one review step asked for.
type ReviewInput struct {
	Action   string
	Audience Audience // for approve: who may read the redacted text
	Note     string   // required to return; stored encrypted
}

// Redaction reasons and the markers that replace redacted spans.
const (
	RedactName       = "name"
	RedactPlace      = "place"
	RedactIdentifier = "identifying-detail"
)

// RedactionReasons lists the reasons a span may be redacted for.
var RedactionReasons = []string{RedactName, RedactPlace, RedactIdentifier}

// RedactionMarker is the text that replaces a span redacted for reason.
func RedactionMarker(reason string) string {
	return "[redacted: " + strings.ReplaceAll(reason, "-", " ") + "]"
}

// RedactionSpan marks characters to redact in the original body (Lang
// empty) or in one translation (Lang its language). Start and End count
// Unicode code points, End exclusive.
type RedactionSpan struct {
	Lang   string `json:"lang,omitempty"`
	Start  int    `json:"start"`
	End    int    `json:"end"`
	Reason string `json:"reason"`
}

// Redact replaces the spans of text with their markers. Spans must lie
// inside the text and must not overlap.
func Redact(text string, spans []RedactionSpan) (string, error) {
	r := []rune(text)
	s := slices.Clone(spans)
	slices.SortFunc(s, func(a, b RedactionSpan) int { return a.Start - b.Start })
	var b strings.Builder
	at := 0
	for _, sp := range s {
		switch {
		case !slices.Contains(RedactionReasons, sp.Reason):
			return "", FieldError("redactions", "reason %q is not one of %s", sp.Reason, strings.Join(RedactionReasons, ", "))
		case sp.Start < 0 || sp.End <= sp.Start || sp.End > len(r):
			return "", FieldError("redactions", "span %d–%d is outside the text (%d characters)", sp.Start, sp.End, len(r))
		case sp.Start < at:
			return "", FieldError("redactions", "span %d–%d overlaps another", sp.Start, sp.End)
		}
		b.WriteString(string(r[at:sp.Start]))
		b.WriteString(RedactionMarker(sp.Reason))
		at = sp.End
	}
	b.WriteString(string(r[at:]))
	return b.String(), nil
}

// TestimonyInput is what a contributor submits or an editor changes.
type TestimonyInput struct {
	Date     string // YYYY, YYYY-MM or YYYY-MM-DD: when it was said
	Country  string // ISO 3166-1 alpha-3
	Admin1   string // first-level area, optional
	Locality string // a finer place, only if the author chooses; stored encrypted

	OwnerOrgID   int64 // the organisation that holds the record (on create)
	PartnerOrgID int64 // the partner organisation it came through, 0 if none

	Language     string            // of the body: a BCP 47 tag such as "ar" or "fr"
	Body         string            // in its original language
	Translations map[string]string // language → text

	Profile SpeakerProfile
	Consent *Consent
	// Identity is optional and only read on create; use
	// SetTestimonyIdentity later.
	Identity *SpeakerIdentity

	Themes        []string // theme slugs
	Interventions []int64
	Actors        []int64
	Places        []int64

	Audience    Audience // requested; a reviewer approves it or a narrower one
	Readers     []int64  // users who may read a confidential testimony
	RetainUntil string   // YYYY-MM-DD: destroyed after this date
}

var (
	langRE        = regexp.MustCompile(`^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$`)
	partialDateRE = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)
)

// ValidLanguage reports whether s looks like a BCP 47 language tag.
func ValidLanguage(s string) bool { return langRE.MatchString(s) }

// Validate checks what can be checked without the database.
func (in *TestimonyInput) Validate(now time.Time) error {
	if strings.TrimSpace(in.Body) == "" {
		return FieldError("body", "a testimony needs its text")
	}
	if len(in.Body) > 1<<20 {
		return FieldError("body", "longer than 1 MB")
	}
	if !ValidLanguage(in.Language) {
		return FieldError("language", "%q is not a language tag such as ar, fr or en", in.Language)
	}
	for lang, text := range in.Translations {
		switch {
		case !ValidLanguage(lang):
			return FieldError("translations", "%q is not a language tag", lang)
		case lang == in.Language:
			return FieldError("translations", "%s is the original language", lang)
		case strings.TrimSpace(text) == "":
			return FieldError("translations", "the %s translation is empty", lang)
		}
	}
	if !partialDateRE.MatchString(in.Date) || !validPartialDate(in.Date) {
		return FieldError("date", "%q is not a date (YYYY, YYYY-MM or YYYY-MM-DD)", in.Date)
	}
	if in.Date > now.Format(time.DateOnly)[:len(in.Date)] {
		return FieldError("date", "%s is in the future", in.Date)
	}
	if in.Profile.Gender != "" && !slices.Contains(Genders, in.Profile.Gender) {
		return FieldError("profile", "gender %q is not one of %s (or empty)", in.Profile.Gender, strings.Join(Genders, ", "))
	}
	if in.Profile.AgeBand != "" && !slices.Contains(AgeBands, in.Profile.AgeBand) {
		return FieldError("profile", "age band %q is not one of %s (or empty)", in.Profile.AgeBand, strings.Join(AgeBands, ", "))
	}
	if err := in.Consent.Validate(now); err != nil {
		return err
	}
	if !in.Audience.Valid() {
		return FieldError("audience", "%q is not one of confidential, internal, partners, public", in.Audience)
	}
	if max := in.Consent.Level.MaxAudience(); in.Audience.Wider(max) {
		return FieldError("audience", "consent %s allows at most %s, not %s", in.Consent.Level, max, in.Audience)
	}
	if in.Audience == AudienceConfidential && len(in.Readers) == 0 {
		return FieldError("readers", "a confidential testimony needs at least one named reader")
	}
	d, err := time.Parse(time.DateOnly, in.RetainUntil)
	if err != nil {
		return FieldError("retain_until", "%q is not a date (YYYY-MM-DD)", in.RetainUntil)
	}
	if !d.After(now) {
		return FieldError("retain_until", "%s is not in the future", in.RetainUntil)
	}
	if id := in.Identity; id != nil {
		if strings.TrimSpace(id.Name) == "" && strings.TrimSpace(id.Contact) == "" {
			return FieldError("identity", "give a name or leave the identity out")
		}
		if id.Contact != "" && !in.Consent.MayContact {
			return FieldError("identity", "the speaker did not agree to be contacted again, so no contact details may be stored")
		}
	}
	return nil
}

func validPartialDate(s string) bool {
	layout := map[int]string{4: "2006", 7: "2006-01", 10: time.DateOnly}[len(s)]
	_, err := time.Parse(layout, s)
	return layout != "" && err == nil
}

// FieldError is an EINVALID error naming the field at fault, in the form
// the importer prefixes with FILE:LINE.
func FieldError(field, format string, args ...any) *Error {
	e := Errorf(EINVALID, "field %q: %s", field, fmt.Sprintf(format, args...))
	e.Field = field
	return e
}

// TestimonyPermissions say what the viewer may do with a testimony. The
// store computes them with the same rule it enforces.
type TestimonyPermissions struct {
	ReadOriginal bool // body, translations, profile, consent, identity
	Edit         bool
	Code         bool // set themes
	Review       bool // start, redact, approve, return, reopen
	Delete       bool
}

// TestimonySummary is a testimony's metadata: never its content.
type TestimonySummary struct {
	ID           int64
	Date         string
	Country      string
	Admin1       string
	Language     string
	OwnerOrgID   int64
	PartnerOrgID int64
	Audience     Audience
	ConsentLevel ConsentLevel
	State        TestimonyState
	RetainUntil  string
	CreatedBy    int64
	CreatedAt    time.Time
	UpdatedAt    time.Time
	Themes       []string // slugs
	Redacted     bool     // a reviewer has produced the redacted version
	Can          TestimonyPermissions
}

// Testimony is a testimony as a viewer may read it without opening the
// original: metadata, links the viewer may see and, once a reviewer made
// it, the redacted text.
type Testimony struct {
	TestimonySummary
	Interventions        []int64
	Actors               []int64
	Places               []int64
	RedactedBody         string
	RedactedTranslations map[string]string
}

// TestimonyContent is the original, confidential material. Reading it is
// recorded in the audit log.
type TestimonyContent struct {
	ID           int64
	Language     string
	Body         string
	Translations map[string]string
	Locality     string
	Profile      SpeakerProfile
	Consent      Consent
	Readers      []int64
	Redactions   []RedactionSpan
	Reviews      []ReviewStep
}

// ReviewStep is one recorded step of a testimony's review.
type ReviewStep struct {
	At      time.Time
	ActorID int64 // 0: the system
	// ActorName is the name the actor gave their account, for those who
	// read the history (they read the original, so they handle it).
	ActorName string
	Action    string
	From, To  TestimonyState
	Audience  Audience
	Note      string
}

// Theme is one code of the codebook.
type Theme struct {
	ID          int64  `json:"id"`
	Slug        string `json:"slug"`
	NameEN      string `json:"name_en"`
	NameFR      string `json:"name_fr"`
	NameAR      string `json:"name_ar"`
	Description string `json:"description"`
}

// Name is the theme's name in a language, English when it has none there.
func (t *Theme) Name(lang string) string {
	switch {
	case lang == "fr" && t.NameFR != "":
		return t.NameFR
	case lang == "ar" && t.NameAR != "":
		return t.NameAR
	}
	return t.NameEN
}

// ThemeCell is one theme in one area: how many testimonies and how many
// distinct organisations speak of it.
type ThemeCell struct {
	Theme         string // slug
	Area          string // region name, continent name or ISO3
	AreaCode      string // M49 code for regions and continents, ISO3 for countries
	Testimonies   int
	Organisations int
	// Suppressed: for anonymous readers, fewer than MinCount testimonies
	// (Testimonies and Organisations are then 0, not the small number);
	// OrganisationsSuppressed: fewer than MinCount organisations.
	Suppressed, OrganisationsSuppressed bool
	MinCount                            int `json:",omitempty"`
}

// ThemePair counts testimonies coded with both themes (A < B by slug).
// Suppressed: for anonymous readers, fewer than MinCount (Testimonies 0).
type ThemePair struct {
	A, B        string
	Testimonies int
	Suppressed  bool
	MinCount    int `json:",omitempty"`
}

// Quote is an approved, redacted testimony ready to cite.
type Quote struct {
	TestimonyID  int64
	Text         string // redacted
	Language     string
	Translations map[string]string // redacted translations
	Date         string
	Country      string
	Admin1       string
	Themes       []string
	Audience     Audience
	ConsentLevel ConsentLevel
	// Attribution is the speaker's name, only when they consented to
	// attributed publication and gave a name.
	Attribution string
}

// Attachment is a file attached to a testimony, its metadata removed
// before it was stored. Name and SHA-256 (of the stored, cleaned file)
// are sealed like the content.
type Attachment struct {
	ID          int64     `json:"id"`
	TestimonyID int64     `json:"testimony_id"`
	Name        string    `json:"name"`
	MediaType   string    `json:"media_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	CreatedAt   time.Time `json:"created_at"`
}

// TestimonyFilter selects testimonies to list.
type TestimonyFilter struct {
	State   TestimonyState
	Country string // ISO3
	Theme   string // slug
	Limit   int    // default 100, at most 1000
	Offset  int
}

// QuoteFilter selects quotes.
type QuoteFilter struct {
	// Testimony picks one testimony's quote (a brief's {{quote}}).
	Testimony int64
	Theme     string // slug
	Country   string // ISO3
	Limit     int    // default 100, at most 1000
}

// MaxAttachment bounds one file attached to a testimony.
const MaxAttachment = 10 << 20

// Areas ThemeMatrix groups by.
const (
	ByRegion    = "region"    // M49 sub-region: Western Africa, Western Asia …
	ByContinent = "continent" // M49 region: Africa, Asia …
	ByCountry   = "country"   // ISO 3166-1 alpha-3
)

// Testimonies is the sealed part of testimony: what reads or writes its
// text, its speaker's identity or its attachments needs the key, so the
// service exists only where a key is configured. Reads of a confidential
// testimony and every review step are audited inside it.
type Testimonies interface {
	CreateTestimony(ctx context.Context, v Viewer, in *TestimonyInput) (int64, error)
	Testimony(ctx context.Context, v Viewer, id int64) (*Testimony, error)
	TestimonyOriginal(ctx context.Context, v Viewer, id int64) (*TestimonyContent, error)
	TestimonyIdentity(ctx context.Context, v Viewer, id int64) (*SpeakerIdentity, error)
	Review(ctx context.Context, v Viewer, id int64, step ReviewInput) error
	Redact(ctx context.Context, v Viewer, id int64, spans []RedactionSpan) (string, error)
	// QuoteBank lists approved, redacted quotes (never the original).
	QuoteBank(ctx context.Context, v Viewer, f QuoteFilter) ([]Quote, error)
	AddAttachment(ctx context.Context, v Viewer, id int64, name string, data []byte) (*Attachment, error)
	Attachments(ctx context.Context, v Viewer, id int64) ([]Attachment, error)
	AttachmentContent(ctx context.Context, v Viewer, id, attID int64) (*Attachment, []byte, error)
}

// TestimonyIndex is what needs no key: testimonies' metadata and their
// coding with themes, counted only over what the viewer may see.
type TestimonyIndex interface {
	Testimonies(ctx context.Context, v Viewer, f TestimonyFilter) ([]TestimonySummary, error)
	Themes(ctx context.Context) ([]Theme, error)
	CreateTheme(ctx context.Context, v Viewer, t *Theme) error
	UpdateTheme(ctx context.Context, v Viewer, t *Theme) error
	DeleteTheme(ctx context.Context, v Viewer, id int64) error
	SetTestimonyThemes(ctx context.Context, v Viewer, id int64, slugs []string) error
	ThemeMatrix(ctx context.Context, v Viewer, by string) ([]ThemeCell, error)
	ThemeCooccurrence(ctx context.Context, v Viewer) ([]ThemePair, error)
	// TestimonyReviewers lists who may review organisation org's
	// testimonies (its admins and editors), for v to name as readers of a
	// confidential one: only a member of org, or the system, may list them.
	TestimonyReviewers(ctx context.Context, v Viewer, org int64) ([]Reviewer, error)
}

// Reviewer is a user who may review an organisation's testimonies, as
// named to its members choosing a confidential testimony's readers.
type Reviewer struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
	Role string `json:"role"`
}
