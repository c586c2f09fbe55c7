package auth

import (
	"slices"

	"aftermath"
)

// Actions the services check before they act. Authorisation is decided
// here and in the services that call Can, never in handlers or templates.
const (
	ActionReadInternal       = "read-internal"       // records with audience internal or partners
	ActionWriteInterventions = "write-interventions" // interventions, their citations and links
	ActionImport             = "import"              // event data
	ActionManageUsers        = "manage-users"
	ActionSubmit             = "submit" // testimony and consultation input
)

// policy lists, per action, the roles that may take it in some
// organisation.
var policy = map[string][]string{
	ActionReadInternal:       {aftermath.RoleAdmin, aftermath.RoleEditor, aftermath.RoleResearcher, aftermath.RoleViewer},
	ActionWriteInterventions: {aftermath.RoleAdmin, aftermath.RoleEditor},
	ActionImport:             {aftermath.RoleAdmin, aftermath.RoleEditor},
	ActionManageUsers:        {aftermath.RoleAdmin},
	ActionSubmit:             {aftermath.RoleAdmin, aftermath.RoleEditor, aftermath.RoleContributor},
}

// Can reports whether u may take action. Anonymous (nil) and disabled
// users may take none; an unknown action is refused.
func Can(u *aftermath.User, action string) bool {
	roles, ok := policy[action]
	return ok && u.HasRole(roles...)
}

// Actions lists every action, for tests that walk the policy.
func Actions() []string {
	var out []string
	for a := range policy {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}
