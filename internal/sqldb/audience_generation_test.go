package sqldb_test

import (
	"context"
	"testing"

	"aftermath"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// Every change of who may see a record raises the audience generation
// that the page caches of all serve processes check (internal/web/cache.go).
func TestAudienceChangesRaiseTheGeneration(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		gen := func() int64 {
			t.Helper()
			n, err := db.AudienceGeneration(ctx)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		src := &aftermath.Source{Title: "Resolution 2100 (2013)"}
		if err := db.CreateSource(ctx, src); err != nil {
			t.Fatal(err)
		}
		g0 := gen()
		if err := db.SetAudience(ctx, "source", src.ID, sqldb.Placement{Audience: aftermath.AudienceInternal}); err != nil {
			t.Fatal(err)
		}
		g1 := gen()
		if g1 <= g0 {
			t.Errorf("SetAudience left the generation at %d", g1)
		}
		// A refused change changes nothing.
		if err := db.SetAudience(ctx, "source", src.ID, sqldb.Placement{Audience: aftermath.AudienceConfidential}); err == nil {
			t.Fatal("a confidential source with no reader was accepted")
		}
		if gen() != g1 {
			t.Error("a refused SetAudience raised the generation")
		}
		for _, slug := range []string{"a", "b"} {
			if _, err := db.CreateUser(ctx, sqldb.NewUser{Email: slug + "@example.org", Name: slug, PasswordHash: "$argon2id$test", OrgSlug: slug, Role: aftermath.RoleViewer}); err != nil {
				t.Fatal(err)
			}
		}
		a, _ := db.Organisation(ctx, "a")
		b, _ := db.Organisation(ctx, "b")
		if err := db.SharePartners(ctx, a.ID, b.ID); err != nil {
			t.Fatal(err)
		}
		if g2 := gen(); g2 <= g1 {
			t.Errorf("SharePartners left the generation at %d", g2)
		}
	})
}
