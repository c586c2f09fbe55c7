package aftermath

import (
	"context"
	"time"
)

// SiteSettings are what an admin sets for the whole instance: the
// organisation's name and logo, shown in every page's header.
type SiteSettings struct {
	OrgName string `json:"org_name"`
	// LogoType is the logo's media type (image/png or image/jpeg), ""
	// when there is no logo; LogoSHA256 names its content, so that the
	// address it is served at changes with it.
	LogoType   string    `json:"logo_type,omitempty"`
	LogoSHA256 string    `json:"logo_sha256,omitempty"`
	UpdatedAt  time.Time `json:"updated_at,omitzero"`
}

// Logo is the stored logo image.
type Logo struct {
	Type   string
	Data   []byte
	SHA256 string
}

// MaxLogoBytes is the largest logo an admin may upload.
const MaxLogoBytes = 256 << 10

// SettingsChange is an admin's change of the settings. Logo nil keeps
// the stored logo unless RemoveLogo is set.
type SettingsChange struct {
	OrgName    string
	Logo       *Logo
	RemoveLogo bool
}

// FirstAdmin is the account created on the set-up page of an instance
// without users.
type FirstAdmin struct {
	Email, Name, PasswordHash string
	OrgSlug, OrgName          string
}

// Site is the instance's settings and its first run. Changing the
// settings is for admins, audited, and moves the cache generation, so
// that no cached page keeps the old name or logo.
type Site interface {
	SiteSettings(ctx context.Context) (*SiteSettings, error)
	// Logo is ENOTFOUND when none is set.
	Logo(ctx context.Context) (*Logo, error)
	// SiteSettingsToEdit is SiteSettings for the settings form: admins
	// only (EFORBIDDEN).
	SiteSettingsToEdit(ctx context.Context, v Viewer) (*SiteSettings, error)
	UpdateSiteSettings(ctx context.Context, v Viewer, c SettingsChange) error
	// SetupNeeded reports whether no user exists yet.
	SetupNeeded(ctx context.Context) (bool, error)
	// SetupTokenValid reports whether a set-up link's token (its SHA-256)
	// may still be used: unused, unexpired, and no user exists.
	SetupTokenValid(ctx context.Context, tokenHash string) (bool, error)
	// CreateFirstAdmin spends the token and creates the first admin;
	// EFORBIDDEN when the token is not valid or a user exists.
	CreateFirstAdmin(ctx context.Context, tokenHash string, a FirstAdmin) (*User, error)
}
