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
	// Accountability ledger (decisions, inquiries, recommendations,
	// claims): writing records, and publishing one (audience public).
	ActionWriteLedger = "write-ledger"
	ActionPublish     = "publish"
	// Consultations: create them, invite organisations, open and close
	// them (internal/sqldb/consultations.go checks the organisation).
	ActionConsult = "run-consultations"
)

// policy lists, per action, the roles that may take it in some
// organisation.
var policy = map[string][]string{
	ActionReadInternal:       {aftermath.RoleAdmin, aftermath.RoleEditor, aftermath.RoleResearcher, aftermath.RoleViewer},
	ActionWriteInterventions: {aftermath.RoleAdmin, aftermath.RoleEditor},
	ActionImport:             {aftermath.RoleAdmin, aftermath.RoleEditor},
	ActionManageUsers:        {aftermath.RoleAdmin},
	ActionSubmit:             {aftermath.RoleAdmin, aftermath.RoleEditor, aftermath.RoleContributor},
	// Ledger: researchers write; only editors and admins publish.
	ActionWriteLedger: {aftermath.RoleAdmin, aftermath.RoleEditor, aftermath.RoleResearcher},
	ActionPublish:     {aftermath.RoleAdmin, aftermath.RoleEditor},
	// Consultations: admins and editors.
	ActionConsult: {aftermath.RoleAdmin, aftermath.RoleEditor},
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
