package auth_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"aftermath"
	"aftermath/internal/auth"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
	"aftermath/internal/vault"
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
		svc := &auth.Service{Accounts: db.Accounts(nil), Pool: auth.NewHashPool(8, 64), Now: func() time.Time { return now }}
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
		svc := &auth.Service{Accounts: db.Accounts(nil), Now: func() time.Time { return now }}
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

// The pool runs at most workers functions at once, queues at most queue
// more, and refuses the rest at once without running them.
func TestHashPoolBoundsWork(t *testing.T) {
	p := auth.NewHashPool(1, 1)
	block := make(chan struct{})
	done := make(chan error, 2)
	for range 2 {
		go func() { done <- p.Do(context.Background(), func() { <-block }) }()
	}
	for deadline := time.Now().Add(5 * time.Second); p.Admitted() < 2; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the pool did not fill")
		}
	}
	ran := false
	if err := p.Do(context.Background(), func() { ran = true }); err != auth.ErrBusy || ran {
		t.Errorf("third call with one worker and a queue of one: %v, ran %v", err, ran)
	}
	if p.Runs() != 1 {
		t.Errorf("%d running, want 1 (the other waits)", p.Runs())
	}
	close(block)
	for range 2 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
	if err := p.Do(context.Background(), func() { ran = true }); err != nil || !ran || p.Admitted() != 0 {
		t.Errorf("after the work: %v %v, admitted %d", err, ran, p.Admitted())
	}
}

func TestMatchTOTPGivesTheStep(t *testing.T) {
	secret, _ := auth.NewTOTPSecret()
	now := time.Unix(1_800_000_015, 0)
	prev, _ := auth.TOTPCode(secret, now.Add(-30*time.Second))
	cur, _ := auth.TOTPCode(secret, now)
	if step, ok := auth.MatchTOTP(secret, cur, now); !ok || step != 60_000_000 {
		t.Errorf("current code: step %d %v", step, ok)
	}
	if step, ok := auth.MatchTOTP(secret, prev, now); !ok || step != 59_999_999 {
		t.Errorf("previous code: step %d %v", step, ok)
	}
	if _, ok := auth.MatchTOTP(secret, "abcdef", now); ok {
		t.Error("letters matched")
	}
}

// Enrolment checks the password like sign-in, lockout included, so a
// stolen session cannot guess it there; without a key it is refused.
func TestEnrolTOTPChecksThePasswordWithLockout(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		u := newAccount(t, db, "enrol@example.org")
		secret, _ := auth.NewTOTPSecret()
		code, _ := auth.TOTPCode(secret, now)
		noKey := &auth.Service{Accounts: db.Accounts(nil), Now: func() time.Time { return now }}
		if _, err := noKey.EnrolTOTP(ctx, u.ID, "a long enough password", "", secret, code); err != sqldb.ErrTOTPNeedsKey {
			t.Errorf("without a key: %v", err)
		}
		kek, _ := vault.GenerateKEK()
		svc := &auth.Service{Accounts: db.Accounts(kek), Now: func() time.Time { return now }}
		if _, err := svc.EnrolTOTP(ctx, u.ID, "a long enough password", "", secret, "000000"); err != auth.ErrWrongNewCode {
			t.Errorf("wrong new code: %v", err)
		}
		for i := range auth.MaxFailedLogins {
			if _, err := svc.EnrolTOTP(ctx, u.ID, "wrong password!!", "", secret, code); err != auth.ErrBadCredentials {
				t.Fatalf("wrong password %d: %v", i, err)
			}
		}
		if _, err := svc.EnrolTOTP(ctx, u.ID, "a long enough password", "", secret, code); err == nil {
			t.Fatal("enrolment on a locked account")
		} else if _, ok := err.(*auth.LockedError); !ok {
			t.Errorf("locked account: %v", err)
		}
		now = now.Add(auth.LockoutFor + time.Minute)
		code, _ = auth.TOTPCode(secret, now)
		codes, err := svc.EnrolTOTP(ctx, u.ID, "a long enough password", "", secret, code)
		if err != nil || len(codes) != 10 {
			t.Fatalf("enrolment: %v", err)
		}
		// Replacing it: a current code or a recovery code is needed.
		other, _ := auth.NewTOTPSecret()
		now = now.Add(30 * time.Second)
		oc, _ := auth.TOTPCode(other, now)
		if _, err := svc.EnrolTOTP(ctx, u.ID, "a long enough password", "", other, oc); err != auth.ErrSecondFactor {
			t.Errorf("replacement without a current code: %v", err)
		}
		if _, err := svc.EnrolTOTP(ctx, u.ID, "a long enough password", codes[0], other, oc); err != nil {
			t.Errorf("replacement with a recovery code: %v", err)
		}
		if err := svc.RemoveTOTP(ctx, u.ID, "a long enough password", ""); err != auth.ErrSecondFactor {
			t.Errorf("removal without a code: %v", err)
		}
		now = now.Add(30 * time.Second)
		oc, _ = auth.TOTPCode(other, now)
		if err := svc.RemoveTOTP(ctx, u.ID, "a long enough password", oc); err != nil {
			t.Errorf("removal with a current code: %v", err)
		}
		if got, _ := db.User(ctx, u.ID); got.TOTP {
			t.Error("the second factor survived its removal")
		}
	})
}

// A sealed secret on a server started without its key file: a six-digit
// code is refused with ErrTOTPUnavailable (a message the person can act
// on, not an internal failure), and a recovery code still signs in.
func TestSealedTOTPWithoutTheKey(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		db.Now = func() time.Time { return now }
		u := newAccount(t, db, "sealed@example.org")
		kek, err := vault.GenerateKEK()
		if err != nil {
			t.Fatal(err)
		}
		secret, _ := auth.NewTOTPSecret()
		if err := db.Accounts(kek).SetTOTP(ctx, u.ID, secret, []string{auth.HashToken("recovery-one")}); err != nil {
			t.Fatal(err)
		}
		keyless := &auth.Service{Accounts: db.Accounts(nil), Now: func() time.Time { return now }}
		code, _ := auth.TOTPCode(secret, now)
		_, err = keyless.Login(ctx, "sealed@example.org", "a long enough password", code)
		if !errors.Is(err, auth.ErrTOTPUnavailable) {
			t.Errorf("a code without the key: %v, want ErrTOTPUnavailable", err)
		}
		if _, err := keyless.Login(ctx, "sealed@example.org", "a long enough password", "recovery-one"); err != nil {
			t.Errorf("a recovery code without the key: %v", err)
		}
	})
}
