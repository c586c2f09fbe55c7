package sqldb_test

import (
	"context"
	"testing"

	"aftermath"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// The audit walk reads every organisation's entries: the store lets only
// admins and the system run it, whoever calls.
func TestOnlyAdminsVerifyTheAuditLog(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		for role, want := range map[string]string{aftermath.RoleAdmin: "", aftermath.RoleEditor: aftermath.EFORBIDDEN,
			aftermath.RoleResearcher: aftermath.EFORBIDDEN} {
			u, err := db.CreateUser(ctx, sqldb.NewUser{Email: role + "@example.org", Name: role, PasswordHash: "$argon2id$test", OrgSlug: "org", Role: role})
			if err != nil {
				t.Fatal(err)
			}
			v, _ := db.Viewer(ctx, u)
			rep, err := db.VerifyAudit(ctx, v)
			if aftermath.ErrorCode(err) != want || want == "" && (rep == nil || rep.Break != nil) {
				t.Errorf("%s: %v %+v, want %q", role, err, rep, want)
			}
		}
		if _, err := db.VerifyAudit(ctx, aftermath.Anonymous); aftermath.ErrorCode(err) != aftermath.EFORBIDDEN {
			t.Errorf("anonymous: %v", err)
		}
		if _, err := db.VerifyAudit(ctx, aftermath.System); err != nil {
			t.Errorf("the system: %v", err)
		}
	})
}

// Importing events takes an editor or admin, decided by the store for a
// new dataset too (the upload page's check is only the page's).
func TestOnlyImportersCreateDatasets(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		for role, want := range map[string]string{aftermath.RoleEditor: "", aftermath.RoleAdmin: "",
			aftermath.RoleResearcher: aftermath.EFORBIDDEN, aftermath.RoleContributor: aftermath.EFORBIDDEN} {
			u, err := db.CreateUser(ctx, sqldb.NewUser{Email: role + "@example.org", Name: role, PasswordHash: "$argon2id$test", OrgSlug: "org", Role: role})
			if err != nil {
				t.Fatal(err)
			}
			if err := db.CheckImportInto(ctx, sqldb.ImportAs{User: u}, "a-new-dataset"); aftermath.ErrorCode(err) != want {
				t.Errorf("%s into a new dataset: %v, want %q", role, err, want)
			}
		}
		if err := db.CheckImportInto(ctx, sqldb.ImportAs{}, "a-new-dataset"); err != nil {
			t.Errorf("the command line: %v", err)
		}
	})
}
