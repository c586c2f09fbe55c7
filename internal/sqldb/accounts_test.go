package sqldb_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base32"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"aftermath"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
	"aftermath/internal/vault"
)

const accountHash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaA"

func accountUser(t *testing.T, db *sqldb.DB, email string) int64 {
	t.Helper()
	u, err := db.CreateUser(context.Background(), sqldb.NewUser{Email: email, Name: email, PasswordHash: accountHash, OrgSlug: "org", Role: aftermath.RoleViewer})
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// The secret is sealed per user with the KEK: neither the database
// file nor the table holds it; rotation re-wraps its data key; a clear
// secret from before a key existed is sealed on first use.
func TestAccountTOTPSecretSealing(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		kek, _ := vault.GenerateKEK()
		acc := db.Accounts(kek)
		id := accountUser(t, db, "sealed@example.org")
		secret := randomSecret(t)
		if err := db.Accounts(nil).SetTOTP(ctx, id, secret, nil); err != sqldb.ErrTOTPNeedsKey {
			t.Errorf("enrolment without a key: %v, want ErrTOTPNeedsKey", err)
		}
		if err := acc.EnrolTOTP(ctx, id, secret, 42, []string{"h1"}); err != nil {
			t.Fatal(err)
		}
		c, err := acc.Credentials(ctx, "sealed@example.org")
		if err != nil || !c.TOTP || c.TOTPSecret != secret || c.TOTPLastStep != 42 {
			t.Fatalf("credentials: %+v %v", c, err)
		}
		if u, _ := db.User(ctx, id); !u.TOTP {
			t.Error("the user does not show an enrolled second factor")
		}
		assertNoSecret(t, db, secret)
		// Without the key the secret is unavailable, with a reason.
		if c, err := db.CredentialsByEmail(ctx, "sealed@example.org"); err != nil || !c.TOTP || c.TOTPSecret != "" || c.TOTPUnavailable == nil {
			t.Errorf("credentials without the key: %+v %v", c, err)
		}
		// Rotation covers it.
		next, _ := vault.GenerateKEK()
		if n, err := db.RewrapDataKeys(ctx, kek, next); err != nil || n != 1 {
			t.Fatalf("rewrap: %d %v", n, err)
		}
		if c, err := db.Accounts(next).Credentials(ctx, "sealed@example.org"); err != nil || c.TOTPSecret != secret {
			t.Errorf("after rotation, with the new key: %+v %v", c, err)
		}
		if c, err := acc.Credentials(ctx, "sealed@example.org"); err != nil || c.TOTPSecret != "" || c.TOTPUnavailable == nil ||
			!strings.Contains(c.TOTPUnavailable.Error(), next.ID()) {
			t.Errorf("after rotation, with the old key: %+v %v", c, err)
		}
		// Removal destroys the data key.
		if err := db.Accounts(next).SetTOTP(ctx, id, "", nil); err != nil {
			t.Fatal(err)
		}
		if n, _ := db.DataKeyCounts(ctx); n[next.ID()] != 0 {
			t.Errorf("data keys after removal: %v", n)
		}
		if u, _ := db.User(ctx, id); u.TOTP {
			t.Error("removed second factor still shows")
		}

		// A clear secret (stored before a key existed) still works without
		// a key, and is sealed once a key is loaded.
		old := accountUser(t, db, "legacy@example.org")
		legacy := randomSecret(t)
		if err := db.SetTOTP(ctx, old, legacy, nil); err != nil {
			t.Fatal(err)
		}
		if c, err := db.CredentialsByEmail(ctx, "legacy@example.org"); err != nil || c.TOTPSecret != legacy {
			t.Fatalf("clear secret without a key: %+v %v", c, err)
		}
		if n, err := db.Accounts(next).SealClearTOTP(ctx); err != nil || n != 1 {
			t.Fatalf("seal clear secrets: %d %v", n, err)
		}
		if c, err := db.Accounts(next).Credentials(ctx, "legacy@example.org"); err != nil || c.TOTPSecret != legacy {
			t.Errorf("sealed legacy secret: %+v %v", c, err)
		}
		assertNoSecret(t, db, legacy)
	})
}

func randomSecret(t *testing.T) string {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}

// assertNoSecret looks for secret, on SQLite, in the database file and
// its WAL; on PostgreSQL in pg_dump's dump of every schema's users and
// data_keys tables, when pg_dump is installed.
func assertNoSecret(t *testing.T, db *sqldb.DB, secret string) {
	t.Helper()
	if db.Driver == sqldb.SQLite {
		for _, f := range []string{db.Name(), db.Name() + "-wal"} {
			b, err := os.ReadFile(f)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s holds the TOTP secret in clear", f)
			}
		}
		return
	}
	dsn := os.Getenv("AFTERMATH_TEST_PG")
	if _, err := exec.LookPath("pg_dump"); err != nil || dsn == "" {
		return
	}
	out, err := exec.Command("pg_dump", "--data-only", "--table=*.users", "--table=*.data_keys", dsn).Output()
	if err != nil {
		t.Logf("pg_dump: %v", err)
		return
	}
	if !bytes.Contains(out, []byte("sealed@example.org")) {
		t.Fatalf("pg_dump did not dump the test's users")
	}
	if bytes.Contains(out, []byte(secret)) {
		t.Error("pg_dump holds the TOTP secret in clear")
	}
}

// ReserveLogin counts at most limit attempts, however many arrive at
// once, and a lock refuses until it ends.
func TestAccountReserveLoginIsAtomic(t *testing.T) {
	sqldbtest.Each(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		id := accountUser(t, db, "lock@example.org")
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		var wg sync.WaitGroup
		reserved := 0
		for range 40 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, _, err := db.ReserveLogin(ctx, id, now, 5, now.Add(15*time.Minute))
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					reserved++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if reserved != 5 {
			t.Errorf("%d attempts reserved, want 5", reserved)
		}
		if ok, until, _ := db.ReserveLogin(ctx, id, now.Add(time.Minute), 5, now.Add(16*time.Minute)); ok || !until.Equal(now.Add(15*time.Minute)) {
			t.Errorf("while locked: %v until %v", ok, until)
		}
		// After the lock, one more failure locks again; a success clears.
		if ok, _, _ := db.ReserveLogin(ctx, id, now.Add(16*time.Minute), 5, now.Add(31*time.Minute)); !ok {
			t.Error("after the lock ended, an attempt was refused")
		}
		if ok, _, _ := db.ReserveLogin(ctx, id, now.Add(17*time.Minute), 5, now.Add(32*time.Minute)); ok {
			t.Error("the failure after a lock did not lock again")
		}
		if err := db.RecordLoginSuccess(ctx, id); err != nil {
			t.Fatal(err)
		}
		if c, _ := db.CredentialsByEmail(ctx, "lock@example.org"); c.FailedLogins != 0 || !c.LockedUntil.IsZero() {
			t.Errorf("after a success: %+v", c)
		}
		// A TOTP step signs in once.
		if ok, _ := db.UseTOTPStep(ctx, id, 100); !ok {
			t.Error("first use of a step refused")
		}
		for _, step := range []int64{100, 99} {
			if ok, _ := db.UseTOTPStep(ctx, id, step); ok {
				t.Errorf("step %d after step 100 accepted", step)
			}
		}
	})
}
