package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"aftermath"
	"aftermath/internal/auth"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

func TestLoginLockoutAndSecondFactor(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		svc := &auth.Service{Accounts: db.Accounts(nil), Now: func() time.Time { return now }}
		hash, _ := auth.HashPassword("a long enough password")
		u, err := db.CreateUser(ctx, sqldb.NewUser{Email: "Amina@Example.org", Name: "Amina", PasswordHash: hash, OrgSlug: "sahel-watch", Role: aftermath.RoleEditor})
		if err != nil {
			t.Fatal(err)
		}
		if u.Email != "amina@example.org" || len(u.Memberships) != 1 || u.Memberships[0].OrgSlug != "sahel-watch" {
			t.Errorf("user = %+v", u)
		}
		if _, err := db.CreateUser(ctx, sqldb.NewUser{Email: "amina@example.org", Name: "X", PasswordHash: hash, OrgSlug: "x", Role: "viewer"}); aftermath.ErrorCode(err) != aftermath.ECONFLICT {
			t.Errorf("duplicate email: %v", err)
		}
		if _, err := db.CreateUser(ctx, sqldb.NewUser{Email: "b@example.org", Name: "B", PasswordHash: hash, OrgSlug: "x", Role: "overlord"}); aftermath.ErrorCode(err) != aftermath.EINVALID {
			t.Errorf("bad role: %v", err)
		}
		if got, err := svc.Login(ctx, "AMINA@example.org", "a long enough password", ""); err != nil || got.ID != u.ID {
			t.Fatalf("login: %v", err)
		}
		if _, err := svc.Login(ctx, "nobody@example.org", "whatever password", ""); err != auth.ErrBadCredentials {
			t.Errorf("unknown email: %v", err)
		}
		for i := 0; i < auth.MaxFailedLogins; i++ {
			if _, err := svc.Login(ctx, "amina@example.org", "wrong password!!", ""); err != auth.ErrBadCredentials {
				t.Fatalf("failure %d: %v", i, err)
			}
		}
		_, err = svc.Login(ctx, "amina@example.org", "a long enough password", "")
		if err == nil || !strings.Contains(err.Error(), "locked until 2026-03-01 12:15 UTC") {
			t.Errorf("locked account: %v", err)
		}
		now = now.Add(auth.LockoutFor + time.Second)
		if _, err := svc.Login(ctx, "amina@example.org", "a long enough password", ""); err != nil {
			t.Errorf("after the lockout: %v", err)
		}
		// Second factor.
		secret, _ := auth.NewTOTPSecret()
		codes, _ := auth.NewRecoveryCodes(2)
		if err := db.SetTOTP(ctx, u.ID, secret, []string{auth.HashToken(codes[0]), auth.HashToken(codes[1])}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Login(ctx, "amina@example.org", "a long enough password", ""); err != auth.ErrSecondFactor {
			t.Errorf("no code: %v", err)
		}
		code, _ := auth.TOTPCode(secret, now)
		if _, err := svc.Login(ctx, "amina@example.org", "a long enough password", code); err != nil {
			t.Errorf("TOTP code: %v", err)
		}
		if _, err := svc.Login(ctx, "amina@example.org", "a long enough password", codes[0]); err != nil {
			t.Errorf("recovery code: %v", err)
		}
		if _, err := svc.Login(ctx, "amina@example.org", "a long enough password", codes[0]); err != auth.ErrBadCredentials {
			t.Errorf("recovery code used twice: %v", err)
		}
		// Sessions and tokens die with a disabled account.
		tok, _ := auth.NewToken(auth.SessionPrefix)
		if err := db.CreateSession(ctx, u.ID, auth.HashToken(tok), now.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		api, _ := auth.NewToken(auth.APITokenPrefix)
		if err := db.CreateAPIToken(ctx, u.ID, "scripts", auth.HashToken(api)); err != nil {
			t.Fatal(err)
		}
		if s, err := db.SessionUser(ctx, auth.HashToken(tok)); err != nil || s.ID != u.ID {
			t.Errorf("session: %v", err)
		}
		if s, err := db.APITokenUser(ctx, auth.HashToken(api)); err != nil || s.ID != u.ID {
			t.Errorf("api token: %v", err)
		}
		now = now.Add(2 * time.Hour)
		if _, err := db.SessionUser(ctx, auth.HashToken(tok)); aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
			t.Errorf("expired session: %v", err)
		}
		if err := db.SetUserDisabled(ctx, u.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := db.APITokenUser(ctx, auth.HashToken(api)); aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
			t.Errorf("token of a disabled user: %v", err)
		}
		if _, err := svc.Login(ctx, "amina@example.org", "a long enough password", code); err != auth.ErrBadCredentials {
			t.Errorf("disabled user signed in: %v", err)
		}
	})
}
