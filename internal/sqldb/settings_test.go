package sqldb_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"aftermath"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

// Only an admin changes the name and logo; the change is audited and
// moves the cache generation, so no cached page keeps the old header.
func TestSiteSettingsForAdminsAudited(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		s, err := db.SiteSettings(ctx)
		if err != nil || s.OrgName != "" || s.LogoType != "" {
			t.Fatalf("new instance: %+v %v", s, err)
		}
		if _, err := db.Logo(ctx); aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
			t.Errorf("logo of a new instance: %v, want not found", err)
		}
		viewerOf := func(email, role string) aftermath.Viewer {
			u, err := db.CreateUser(ctx, sqldb.NewUser{Email: email, Name: role, PasswordHash: "$argon2id$test", OrgSlug: "org", Role: role})
			if err != nil {
				t.Fatal(err)
			}
			v, err := db.Viewer(ctx, u)
			if err != nil {
				t.Fatal(err)
			}
			return v
		}
		admin, editor := viewerOf("admin@example.org", aftermath.RoleAdmin), viewerOf("editor@example.org", aftermath.RoleEditor)
		png := append([]byte("\x89PNG\r\n\x1a\n"), bytes.Repeat([]byte{1}, 100)...)
		if err := db.UpdateSiteSettings(ctx, editor, aftermath.SettingsChange{OrgName: "Taken"}); aftermath.ErrorCode(err) != aftermath.EFORBIDDEN {
			t.Errorf("an editor changed the settings: %v", err)
		}
		gen0, _ := db.AudienceGeneration(ctx)
		if err := db.UpdateSiteSettings(ctx, admin, aftermath.SettingsChange{OrgName: "  Sahel   Peace Observatory ", Logo: &aftermath.Logo{Type: "image/png", Data: png}}); err != nil {
			t.Fatal(err)
		}
		if gen1, _ := db.AudienceGeneration(ctx); gen1 <= gen0 {
			t.Errorf("the settings changed but the cache generation stayed at %d", gen1)
		}
		s, _ = db.SiteSettings(ctx)
		l, err := db.Logo(ctx)
		if s.OrgName != "Sahel Peace Observatory" || s.LogoType != "image/png" || err != nil || !bytes.Equal(l.Data, png) || l.SHA256 != s.LogoSHA256 || len(s.LogoSHA256) != 64 {
			t.Errorf("stored: %+v, logo %v", s, err)
		}
		for _, bad := range []aftermath.SettingsChange{
			{OrgName: strings.Repeat("x", 121)},
			{Logo: &aftermath.Logo{Type: "image/svg+xml", Data: []byte("<svg/>")}},
			{Logo: &aftermath.Logo{Type: "image/png", Data: make([]byte, aftermath.MaxLogoBytes+1)}},
		} {
			if err := db.UpdateSiteSettings(ctx, admin, bad); aftermath.ErrorCode(err) != aftermath.EINVALID {
				t.Errorf("accepted %q %+v: %v", bad.OrgName, bad.Logo != nil, err)
			}
		}
		if err := db.UpdateSiteSettings(ctx, admin, aftermath.SettingsChange{OrgName: "Sahel Peace Observatory", RemoveLogo: true}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Logo(ctx); aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
			t.Errorf("logo after removal: %v", err)
		}
		entries, err := db.AuditEntries(ctx, admin, aftermath.AuditFilter{RecordType: "site_settings", Limit: 10})
		if err != nil || len(entries) != 2 || !strings.Contains(entries[1].Detail, "image/png") || !strings.Contains(entries[0].Detail, "logo removed") {
			t.Errorf("audit: %+v %v", entries, err)
		}
	})
}

// A set-up link works once, while no user exists, until it expires; only
// the newest link works.
func TestSetupTokenCreatesTheFirstAdminOnce(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if need, err := db.SetupNeeded(ctx); err != nil || !need {
			t.Fatalf("an empty instance needs setting up: %v %v", need, err)
		}
		valid := func(hash string) bool {
			t.Helper()
			ok, err := db.SetupTokenValid(ctx, hash)
			if err != nil {
				t.Fatal(err)
			}
			return ok
		}
		for _, h := range []string{"old", "new"} {
			if err := db.IssueSetupToken(ctx, h); err != nil {
				t.Fatal(err)
			}
		}
		if valid("old") || !valid("new") || valid("unknown") {
			t.Error("only the newest token is valid")
		}
		first := aftermath.FirstAdmin{Email: "amina@example.org", Name: "Amina", PasswordHash: "$argon2id$test", OrgSlug: "observatory", OrgName: "Observatory"}
		// A refused account gives the link back.
		bad := first
		bad.Email = "not an address"
		if _, err := db.CreateFirstAdmin(ctx, "new", bad); aftermath.ErrorCode(err) != aftermath.EINVALID || !valid("new") {
			t.Errorf("a refused account: %v, token still valid %v", err, valid("new"))
		}
		if _, err := db.CreateFirstAdmin(ctx, "old", first); aftermath.ErrorCode(err) != aftermath.EFORBIDDEN {
			t.Errorf("a replaced token created an admin: %v", err)
		}
		u, err := db.CreateFirstAdmin(ctx, "new", first)
		if err != nil || !u.HasRole(aftermath.RoleAdmin) {
			t.Fatalf("first admin: %+v %v", u, err)
		}
		if _, err := db.CreateFirstAdmin(ctx, "new", aftermath.FirstAdmin{Email: "b@example.org", Name: "B", PasswordHash: "$argon2id$test", OrgSlug: "b"}); aftermath.ErrorCode(err) != aftermath.EFORBIDDEN {
			t.Errorf("the token worked twice: %v", err)
		}
		// A fresh token is no good once a user exists.
		if err := db.IssueSetupToken(ctx, "later"); err != nil {
			t.Fatal(err)
		}
		if valid("later") {
			t.Error("a set-up token is valid although a user exists")
		}
		if need, _ := db.SetupNeeded(ctx); need {
			t.Error("set-up still needed after the first admin")
		}
	})
}

// An expired link does not work.
func TestSetupTokenExpires(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	ctx := context.Background()
	start := time.Now()
	db.Now = func() time.Time { return start }
	if err := db.IssueSetupToken(ctx, "t"); err != nil {
		t.Fatal(err)
	}
	db.Now = func() time.Time { return start.Add(sqldb.SetupTokenTTL + time.Minute) }
	if ok, _ := db.SetupTokenValid(ctx, "t"); ok {
		t.Error("an expired token is valid")
	}
	if _, err := db.CreateFirstAdmin(ctx, "t", aftermath.FirstAdmin{Email: "a@example.org", Name: "A", PasswordHash: "$argon2id$test", OrgSlug: "a"}); aftermath.ErrorCode(err) != aftermath.EFORBIDDEN {
		t.Errorf("an expired token created an admin: %v", err)
	}
}
