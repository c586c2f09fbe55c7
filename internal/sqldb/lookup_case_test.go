package sqldb_test

import (
	"context"
	"testing"

	"aftermath"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// Slugs are stored in lower case; a person types MINUSMA or Sahel-Voices.
// Every lookup by slug finds the record whatever the case typed, on the
// command line, in an address or through the API alike.
func TestLookupsBySlugIgnoreCase(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if _, err := db.CreateUser(ctx, sqldb.NewUser{Email: "a@example.org", Name: "A", PasswordHash: accountHash, OrgSlug: "sahel-voices", Role: aftermath.RoleAdmin}); err != nil {
			t.Fatal(err)
		}
		iv := &aftermath.Intervention{Slug: "minusma", Name: "United Nations mission in Mali", Audience: aftermath.AudiencePublic, Owner: "Sahel-Voices",
			Area: []aftermath.AreaRef{{Country: "MLI"}}, Phases: []aftermath.Phase{{Start: "2013-07-01"}}}
		if err := db.CreateIntervention(ctx, aftermath.System, iv); err != nil {
			t.Fatalf("an intervention owned by Sahel-Voices: %v", err)
		}
		for _, ref := range []string{"minusma", "MINUSMA", "Minusma", " minusma "} {
			got, err := db.FindIntervention(ctx, aftermath.Anonymous, ref)
			if err != nil || got.ID != iv.ID {
				t.Errorf("intervention %q: %v", ref, err)
			}
		}
		b := &aftermath.Brief{Slug: "mali-2024", Title: "T", Language: "en", Body: "Text.", Audience: aftermath.AudienceInternal, Owner: "SAHEL-VOICES"}
		if err := db.CreateBrief(ctx, aftermath.System, b); err != nil {
			t.Fatalf("a brief owned by SAHEL-VOICES: %v", err)
		}
		if got, err := db.FindBrief(ctx, aftermath.System, "Mali-2024"); err != nil || got.ID != b.ID {
			t.Errorf("brief Mali-2024: %v", err)
		}
		if o, err := db.Organisation(ctx, "Sahel-Voices"); err != nil || o.Slug != "sahel-voices" {
			t.Errorf("organisation Sahel-Voices: %v", err)
		}
		// Case is ignored, nothing else: another slug is still not found.
		if _, err := db.FindIntervention(ctx, aftermath.System, "MINUSMAX"); aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
			t.Errorf("intervention MINUSMAX: %v, want not found", err)
		}
	})
}
