package consult

import (
	"context"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"aftermath"
	"aftermath/internal/geo"
)

// Consultations as a service: an organisation puts a questionnaire to
// partner organisations through single-use links that need no account.
// The storage (internal/sqldb) implements Service and Responses and
// decides, for every caller, who may do what; these are the types that
// cross it.

// Consultation states.
const (
	ConsultDraft  = "draft"  // being prepared: links do not work yet
	ConsultOpen   = "open"   // links work (between opens_on and closes_on)
	ConsultClosed = "closed" // no more responses; results stay
)

// Invitation states, as Invitation.State reports them.
const (
	InvitationPending = "pending"
	InvitationUsed    = "used"
	InvitationExpired = "expired"
	InvitationRevoked = "revoked"
)

// Limits that keep the participant's page small on a slow connection.
const (
	maxQuestions = 40
	maxOptions   = 20
	// A ranking shows one list of all its options per place: more than
	// ten would weigh down the page and tire the participant.
	maxRankOptions = 10
	maxTextRunes   = 2_000
	// MaxAnswerRunes bounds one free-text answer.
	MaxAnswerRunes = 20_000
	// InvitationDays is how long a new link works unless told otherwise.
	InvitationDays = 30
	// MaxInvitationDays is the longest a link may work.
	MaxInvitationDays = 365
)

// MinResultOrganisations is how many organisations must have answered
// before anyone but the consultation's managers sees its results: with
// one or two, the combined figures are those organisations' own answers.
const MinResultOrganisations = 3

// ErrInvalidLink is the one answer to a link that is unknown, used,
// expired, revoked, or whose consultation is not open: nobody learns
// which from it.
var ErrInvalidLink = aftermath.Errorf(aftermath.ENOTFOUND, "this link is not valid")

// IsInvalidLink reports whether err is the answer to a link that does not
// work (for whatever reason).
func IsInvalidLink(err error) bool { return err == ErrInvalidLink }

// Service manages consultations and their invitations. Methods take the
// viewer first and answer ENOTFOUND for what v may not see, EFORBIDDEN
// for what v sees but may not change; every change is audited.
type Service interface {
	Consultations(ctx context.Context, v aftermath.Viewer) ([]Consultation, error)
	Consultation(ctx context.Context, v aftermath.Viewer, id int64) (*Consultation, error)
	CreateConsultation(ctx context.Context, v aftermath.Viewer, c *Consultation) error
	SetConsultationState(ctx context.Context, v aftermath.Viewer, id int64, state string) error
	DeleteConsultation(ctx context.Context, v aftermath.Viewer, id int64) error
	// ConsultOrganisations lists the organisations v may invite.
	ConsultOrganisations(ctx context.Context, v aftermath.Viewer) ([]aftermath.Organisation, error)
	// ConsultPartners lists the partner organisations of consultation id.
	ConsultPartners(ctx context.Context, v aftermath.Viewer, id int64) ([]aftermath.Organisation, error)
	// CreateInvitation returns the invitation and its link token, which
	// is never stored (only its hash) and so is shown once.
	CreateInvitation(ctx context.Context, v aftermath.Viewer, consultationID int64, in InvitationInput) (*Invitation, string, error)
	Invitations(ctx context.Context, v aftermath.Viewer, consultationID int64) ([]Invitation, error)
	RevokeInvitation(ctx context.Context, v aftermath.Viewer, consultationID, invitationID int64) error
	// InvitationByToken opens a link: ErrInvalidLink for any link that
	// does not work.
	InvitationByToken(ctx context.Context, token string) (*Invitation, *Consultation, error)
}

// Responses are the sealed part of consultations: storing answers and
// combining them needs the key, so it is nil where none is configured.
type Responses interface {
	RespondToConsultation(ctx context.Context, token string, r *ConsultationResponse) (int64, error)
	ConsultationResults(ctx context.Context, v aftermath.Viewer, id int64) (*ConsultationResults, error)
	ExportConsultationResults(ctx context.Context, v aftermath.Viewer, id int64, lang string, w io.Writer) error
}

// Consultation is a questionnaire put to partner organisations.
type Consultation struct {
	ID            int64
	Title         Text
	Description   Text
	Purpose       Text // what the answers will be used for; shown before consent
	Questionnaire Questionnaire
	OwnerOrgID    int64
	OwnerOrg      string // the owning organisation's name
	Audience      aftermath.Audience
	Readers       []int64 // for a confidential consultation
	State         string
	OpensOn       string // YYYY-MM-DD or ""
	ClosesOn      string // YYYY-MM-DD or ""
	Country       string // ISO3: where answers come from unless an invitation says
	RetainUntil   string // YYYY-MM-DD: the responses' testimonies are destroyed after it
	CreatedBy     int64
	CreatedAt     time.Time
	UpdatedAt     time.Time
	Responses     int  // responses received
	Manage        bool // the viewer manages it
}

// Invitation is a single-use link for one organisation. Its token is
// never stored, only its hash.
type Invitation struct {
	ID             int64
	ConsultationID int64
	PartnerOrgID   int64  // 0: an organisation without an account here
	OrgName        string // the partner organisation's name, or the name given
	Country        string
	CreatedBy      int64
	CreatedAt      time.Time
	ExpiresAt      time.Time
	UsedAt         time.Time // zero until used
	RevokedAt      time.Time // zero unless revoked
	TestimonyID    int64     // the response, while its testimony exists
	State          string
}

// InvitationInput is what an invitation is made from: a partner
// organisation or the name of one without an account.
type InvitationInput struct {
	PartnerOrgID int64
	OrgName      string
	Country      string // ISO3; "" for the consultation's
	Days         int    // how long the link works; 0 for InvitationDays
}

// ConsultationResponse is what a participant sends through a link.
type ConsultationResponse struct {
	Language   string            // of the answers, and of the page they were given on
	Answers    map[string]Answer // by question key
	Consent    aftermath.ConsentLevel
	MayContact bool
	// Agreed: the participant read what the answers will be used for and
	// agreed to it. Nothing is stored without it.
	Agreed bool
	// Name and Contact are optional; stored as the speaker's identity,
	// under its own key. Contact only if MayContact.
	Name, Contact string
}

// ChoiceCount is how many responses chose an option.
type ChoiceCount struct {
	Option string
	Count  int
}

// QuestionResult is one question's combined answers: for a choice, how
// many chose each option (in the questionnaire's order); for a ranking,
// the full Borda table. Free-text answers are never part of results: they
// are testimony, read through its review.
type QuestionResult struct {
	Question
	Answered int // responses that answered it (choice and ranking questions)
	Choices  []ChoiceCount
	Ranking  []BordaRow
}

// ConsultationResults are a consultation's combined answers.
type ConsultationResults struct {
	Consultation  *Consultation
	Responses     int
	Organisations int // distinct organisations that responded
	Questions     []QuestionResult
	// Withheld: fewer than MinResultOrganisations organisations answered,
	// so only those who manage the consultation see the figures.
	Withheld bool
}

// Validate checks what can be checked without the database.
func (c *Consultation) Validate(now time.Time) error {
	for _, t := range []struct {
		field string
		text  Text
		need  bool
	}{{"title", c.Title, true}, {"description", c.Description, false}, {"purpose", c.Purpose, true}} {
		for lang, s := range t.text {
			if !aftermath.ValidLanguage(lang) {
				return aftermath.FieldError(t.field, "%q is not a language tag", lang)
			}
			if utf8.RuneCountInString(s) > maxTextRunes {
				return aftermath.FieldError(t.field, "the %s text is longer than %d characters", lang, maxTextRunes)
			}
			t.text[lang] = strings.TrimSpace(s)
		}
		if t.need && t.text.In("en") == "" {
			if t.field == "purpose" {
				return aftermath.FieldError(t.field, "say what the answers will be used for: participants read it before they consent")
			}
			return aftermath.FieldError(t.field, "a consultation needs a %s", t.field)
		}
	}
	if err := c.Questionnaire.Validate(); err != nil {
		return aftermath.FieldError("questionnaire", "%v", err)
	}
	if len(c.Questionnaire.Questions) > maxQuestions {
		return aftermath.FieldError("questionnaire", "at most %d questions", maxQuestions)
	}
	for _, q := range c.Questionnaire.Questions {
		if len(q.Options) > maxOptions {
			return aftermath.FieldError("questionnaire", "question %q: at most %d options", q.Key, maxOptions)
		}
		if q.Kind == KindRanking && len(q.Options) > maxRankOptions {
			return aftermath.FieldError("questionnaire", "question %q: a ranking has at most %d options", q.Key, maxRankOptions)
		}
	}
	if !c.Audience.Valid() {
		return aftermath.FieldError("audience", "%q is not one of confidential, internal, partners, public", c.Audience)
	}
	if c.Audience == aftermath.AudienceConfidential && len(c.Readers) == 0 {
		return aftermath.FieldError("readers", "a confidential consultation needs at least one named reader")
	}
	if _, ok := geo.ByAlpha3(c.Country); !ok {
		return aftermath.FieldError("country", "%q is not an ISO 3166-1 alpha-3 country code", c.Country)
	}
	c.Country = strings.ToUpper(c.Country)
	for _, d := range []struct{ field, value string }{{"opens_on", c.OpensOn}, {"closes_on", c.ClosesOn}} {
		if _, err := time.Parse(time.DateOnly, d.value); d.value != "" && err != nil {
			return aftermath.FieldError(d.field, "%q is not a date (YYYY-MM-DD)", d.value)
		}
	}
	if c.OpensOn != "" && c.ClosesOn != "" && c.ClosesOn < c.OpensOn {
		return aftermath.FieldError("closes_on", "%s is before the opening date %s", c.ClosesOn, c.OpensOn)
	}
	if _, err := time.Parse(time.DateOnly, c.RetainUntil); err != nil {
		return aftermath.FieldError("retain_until", "%q is not a date (YYYY-MM-DD)", c.RetainUntil)
	}
	if c.RetainUntil <= now.UTC().Format(time.DateOnly) {
		return aftermath.FieldError("retain_until", "%s is not in the future", c.RetainUntil)
	}
	if c.ClosesOn != "" && c.RetainUntil <= c.ClosesOn {
		return aftermath.FieldError("retain_until", "%s is not after the closing date %s", c.RetainUntil, c.ClosesOn)
	}
	return nil
}

// Label is an option's label in a language.
func (q *QuestionResult) Label(option, lang string) string {
	for _, o := range q.Options {
		if o.Key == option {
			return o.Label.In(lang)
		}
	}
	return option
}
