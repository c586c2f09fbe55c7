package sqldb_test

import (
	"context"
	"fmt"
	"testing"

	"aftermath"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// An organisation's members, contributors included, see who may review
// its testimonies (admins and editors whose accounts work); anyone else
// is refused, so that a partner's staff list does not leak.
func TestTestimonyReviewers(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		users := map[string]*aftermath.User{}
		for _, p := range []struct{ name, org, role string }{
			{"Awa", "sahel", aftermath.RoleEditor},
			{"Binta", "sahel", aftermath.RoleAdmin},
			{"Chaka", "sahel", aftermath.RoleContributor},
			{"Dado", "sahel", aftermath.RoleResearcher},
			{"Elhadj", "sahel", aftermath.RoleEditor},
			{"Fatou", "yemen", aftermath.RoleEditor},
		} {
			u, err := db.CreateUser(ctx, sqldb.NewUser{Email: p.name + "@example.org", Name: p.name, PasswordHash: accountHash, OrgSlug: p.org, Role: p.role})
			if err != nil {
				t.Fatal(err)
			}
			users[p.name] = u
		}
		if err := db.SetUserDisabled(ctx, users["Elhadj"].ID, true); err != nil {
			t.Fatal(err)
		}
		sahel := users["Awa"].Memberships[0].OrgID
		viewer := func(name string) aftermath.Viewer {
			v, err := db.Viewer(ctx, users[name])
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		for _, who := range []string{"Chaka", "Dado", "Binta"} {
			got, err := db.TestimonyReviewers(ctx, viewer(who), sahel)
			if err != nil {
				t.Fatalf("%s: %v", who, err)
			}
			if s := fmt.Sprint(got); s != fmt.Sprintf("[{%d Awa editor} {%d Binta admin}]", users["Awa"].ID, users["Binta"].ID) {
				t.Errorf("%s sees the reviewers %s", who, s)
			}
		}
		for name, v := range map[string]aftermath.Viewer{"Fatou": viewer("Fatou"), "anonymous": aftermath.Anonymous} {
			if _, err := db.TestimonyReviewers(ctx, v, sahel); aftermath.ErrorCode(err) != aftermath.EFORBIDDEN {
				t.Errorf("%s lists another organisation's reviewers: %v", name, err)
			}
		}
	})
}
