package aftermath

import "time"

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
