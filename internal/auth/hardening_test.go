package auth_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"aftermath"
	"aftermath/internal/auth"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
)

func newAccount(t *testing.T, db *sqldb.DB, email string) *aftermath.User {
	t.Helper()
	hash, _ := auth.HashPassword("a long enough password")
	u, err := db.CreateUser(context.Background(), sqldb.NewUser{Email: email, Name: email, PasswordHash: hash, OrgSlug: "org", Role: aftermath.RoleEditor})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// Forty wrong passwords at once: the lockout is taken atomically, so at
// most MaxFailedLogins of them are ever checked, and the right password
// is refused afterwards while the lock holds.
func TestLockoutHoldsUnderConcurrentAttempts(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		newAccount(t, db, "target@example.org")
		svc := &auth.Service{DB: db, Pool: auth.NewHashPool(8, 64), Now: func() time.Time { return now }}
		checksBefore := auth.PasswordChecks()
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := svc.Login(ctx, "target@example.org", "wrong password!!", "")
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		bad, locked := 0, 0
		for err := range errs {
			switch err.(type) {
			case *auth.LockedError:
				locked++
			default:
				if err != auth.ErrBadCredentials {
					t.Errorf("attempt: %v", err)
				}
				bad++
			}
		}
		if bad > auth.MaxFailedLogins || bad+locked != 40 {
			t.Errorf("%d attempts checked, %d refused as locked; want at most %d checked", bad, locked, auth.MaxFailedLogins)
		}
		if n := auth.PasswordChecks() - checksBefore; n > auth.MaxFailedLogins {
			t.Errorf("%d argon2id checks ran, want at most %d", n, auth.MaxFailedLogins)
		}
		c, err := db.CredentialsByEmail(ctx, "target@example.org")
		if err != nil {
			t.Fatal(err)
		}
		if c.FailedLogins > auth.MaxFailedLogins {
			t.Errorf("%d failures recorded, want at most %d", c.FailedLogins, auth.MaxFailedLogins)
		}
		if _, err := svc.Login(ctx, "target@example.org", "a long enough password", ""); err == nil {
			t.Error("the right password signed in to a locked account")
		} else if _, ok := err.(*auth.LockedError); !ok {
			t.Errorf("right password on a locked account: %v", err)
		}
	})
}

// A TOTP code signs in once: the same code again, or a code of an earlier
// step still inside the drift window, is a replay.
func TestTOTPCodeIsNotReplayed(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		u := newAccount(t, db, "totp@example.org")
		secret, _ := auth.NewTOTPSecret()
		if err := db.SetTOTP(ctx, u.ID, secret, nil); err != nil {
			t.Fatal(err)
		}
		svc := &auth.Service{DB: db, Now: func() time.Time { return now }}
		code, _ := auth.TOTPCode(secret, now)
		if _, err := svc.Login(ctx, "totp@example.org", "a long enough password", code); err != nil {
			t.Fatalf("first use: %v", err)
		}
		if _, err := svc.Login(ctx, "totp@example.org", "a long enough password", code); err != auth.ErrBadCredentials {
			t.Errorf("the same code again in its step: %v", err)
		}
		now = now.Add(30 * time.Second)
		if _, err := svc.Login(ctx, "totp@example.org", "a long enough password", code); err != auth.ErrBadCredentials {
			t.Errorf("the previous step's code, already used: %v", err)
		}
		next, _ := auth.TOTPCode(secret, now)
		if _, err := svc.Login(ctx, "totp@example.org", "a long enough password", next); err != nil {
			t.Errorf("the next step's code: %v", err)
		}
	})
}
