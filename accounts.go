package aftermath

import (
	"context"
	"time"
)

// Roles a member has in an organisation, from most to least powerful.
const (
	RoleAdmin       = "admin"
	RoleEditor      = "editor"
	RoleResearcher  = "researcher"
	RoleContributor = "contributor" // a partner organisation's member who submits
	RoleViewer      = "viewer"
)

// Roles lists the roles in order of power.
var Roles = []string{RoleAdmin, RoleEditor, RoleResearcher, RoleContributor, RoleViewer}

// Organisation is an organisation working in this instance.
type Organisation struct {
	ID   int64  `json:"id"`
	Slug string `json:"slug"`
	Name string `json:"name"`
}

// Membership gives a user a role in an organisation.
type Membership struct {
	OrgID   int64  `json:"org_id"`
	OrgSlug string `json:"org"`
	Role    string `json:"role"`
}

// User is a person with an account.
type User struct {
	ID          int64        `json:"id"`
	Email       string       `json:"email"`
	Name        string       `json:"name"`
	Disabled    bool         `json:"disabled"`
	TOTP        bool         `json:"totp"` // a second factor is enrolled
	CreatedAt   time.Time    `json:"created_at"`
	Memberships []Membership `json:"memberships"`
}

// HasRole reports whether the user holds one of the roles in any
// organisation.
func (u *User) HasRole(roles ...string) bool {
	if u == nil || u.Disabled {
		return false
	}
	for _, m := range u.Memberships {
		for _, r := range roles {
			if m.Role == r {
				return true
			}
		}
	}
	return false
}

// Credentials are what signing in checks.
type Credentials struct {
	UserID       int64
	PasswordHash string
	// TOTP says a second factor is enrolled. TOTPSecret is its secret,
	// opened with the key-encryption key when it is sealed; it is "" and
	// TOTPUnavailable says why when a sealed secret cannot be opened (no
	// key loaded, or the wrong one): only recovery codes work then.
	TOTP            bool
	TOTPSecret      string
	TOTPUnavailable error
	TOTPLastStep    int64 // the last 30-second step that signed in
	Disabled        bool
	FailedLogins    int
	LockedUntil     time.Time
}

// ErrTOTPNeedsKey refuses to enrol a second factor when no key-encryption
// key is loaded: TOTP secrets are stored sealed, never in clear.
var ErrTOTPNeedsKey = Errorf(EINVALID,
	"a second factor cannot be enrolled until a key-encryption key is loaded: TOTP secrets are stored sealed with it "+
		"(create one with 'aftermath key init', or name it with --key-file or AFTERMATH_KEY_FILE)")

// AccountStore is what signing in and changing a second factor need. TOTP
// secrets are sealed with the key-encryption key the store holds
// (CanSeal reports whether it holds one); without it, new enrolments are
// refused with ErrTOTPNeedsKey.
type AccountStore interface {
	Credentials(ctx context.Context, email string) (*Credentials, error)
	CredentialsByID(ctx context.Context, id int64) (*Credentials, error)
	User(ctx context.Context, id int64) (*User, error)
	// ReserveLogin counts an attempt before its password is checked, only
	// while the account is not locked, and locks it at the limit.
	ReserveLogin(ctx context.Context, userID int64, now time.Time, limit int, lockUntil time.Time) (bool, time.Time, error)
	RecordLoginSuccess(ctx context.Context, userID int64) error
	// UseTOTPStep records the step a code signed in with; false when it is
	// not later than the last one used (a replay).
	UseTOTPStep(ctx context.Context, userID, step int64) (bool, error)
	UseRecoveryCode(ctx context.Context, userID int64, codeHash string) (bool, error)
	CanSeal() bool
	EnrolTOTP(ctx context.Context, userID int64, secret string, lastStep int64, recoveryHashes []string) error
	SetTOTP(ctx context.Context, userID int64, secret string, recoveryHashes []string) error
}

// Sessions turns the tokens a browser or an API client presents into
// users (only their hashes are stored) and users into viewers.
type Sessions interface {
	SessionUser(ctx context.Context, tokenHash string) (*User, error)
	APITokenUser(ctx context.Context, tokenHash string) (*User, error)
	CreateSession(ctx context.Context, userID int64, tokenHash string, expires time.Time) error
	DeleteSession(ctx context.Context, tokenHash string) error
	// Viewer is what u may see: their organisations and roles, read now.
	Viewer(ctx context.Context, u *User) (Viewer, error)
	Organisation(ctx context.Context, slug string) (*Organisation, error)
}
