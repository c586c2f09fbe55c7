package auth

import (
	"strings"
	"testing"
	"time"

	"aftermath"
)

func TestPasswordHash(t *testing.T) {
	h, err := HashPassword("correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %s", h)
	}
	if err := VerifyPassword(h, "correct horse battery"); err != nil {
		t.Errorf("right password: %v", err)
	}
	if err := VerifyPassword(h, "correct horse batterz"); err != ErrPasswordMismatch {
		t.Errorf("wrong password: %v", err)
	}
	if h2, _ := HashPassword("correct horse battery"); h2 == h {
		t.Error("two hashes of one password are equal: no salt")
	}
	if _, err := HashPassword("short"); err == nil {
		t.Error("a 5-character password was accepted")
	}
	if err := VerifyPassword("$2a$10$bcrypt", "x"); err == nil {
		t.Error("a non-argon2id hash verified")
	}
}

// RFC 6238 appendix B, SHA-1 secret "12345678901234567890": the 8-digit
// codes' last 6 digits.
func TestTOTPVectors(t *testing.T) {
	secret := b32.EncodeToString([]byte("12345678901234567890"))
	for unix, want := range map[int64]string{59: "287082", 1111111109: "081804", 1111111111: "050471", 1234567890: "005924", 2000000000: "279037"} {
		got, err := TOTPCode(secret, time.Unix(unix, 0))
		if err != nil || got != want {
			t.Errorf("T=%d: %s %v, want %s", unix, got, err, want)
		}
	}
	now := time.Unix(1111111111, 0)
	code, _ := TOTPCode(secret, now)
	if !VerifyTOTP(secret, code, now.Add(29*time.Second)) || !VerifyTOTP(secret, code, now.Add(-30*time.Second)) {
		t.Error("a code one step away was refused")
	}
	if VerifyTOTP(secret, code, now.Add(2*time.Minute)) || VerifyTOTP(secret, "12345", now) {
		t.Error("a stale or short code was accepted")
	}
	if uri := TOTPURI("Aftermath", "a@b.org", "ABC"); !strings.HasPrefix(uri, "otpauth://totp/Aftermath:a@b.org?") || !strings.Contains(uri, "secret=ABC") {
		t.Errorf("uri %s", uri)
	}
}

func TestTokensAndCodes(t *testing.T) {
	a, _ := NewToken(APITokenPrefix)
	b, _ := NewToken(APITokenPrefix)
	if a == b || !strings.HasPrefix(a, "aft_") || len(a) != 4+43 {
		t.Errorf("tokens %q %q", a, b)
	}
	if HashToken(a) == HashToken(b) || len(HashToken(a)) != 64 {
		t.Error("token hashes")
	}
	codes, _ := NewRecoveryCodes(10)
	seen := map[string]bool{}
	for _, c := range codes {
		if len(c) != 11 || c[5] != '-' || strings.ContainsAny(c, "01ilo") || seen[c] {
			t.Errorf("recovery code %q", c)
		}
		seen[c] = true
	}
}

func TestPolicy(t *testing.T) {
	member := func(role string) *aftermath.User {
		return &aftermath.User{Memberships: []aftermath.Membership{{Role: role}}}
	}
	for _, tc := range []struct {
		u      *aftermath.User
		action string
		want   bool
	}{
		{nil, ActionReadInternal, false},
		{member(aftermath.RoleViewer), ActionReadInternal, true},
		{member(aftermath.RoleViewer), ActionWriteInterventions, false},
		{member(aftermath.RoleEditor), ActionWriteInterventions, true},
		{member(aftermath.RoleContributor), ActionReadInternal, false},
		{member(aftermath.RoleContributor), ActionSubmit, true},
		{member(aftermath.RoleResearcher), ActionImport, false},
		{member(aftermath.RoleAdmin), ActionManageUsers, true},
		{&aftermath.User{Disabled: true, Memberships: []aftermath.Membership{{Role: aftermath.RoleAdmin}}}, ActionManageUsers, false},
		{member(aftermath.RoleAdmin), "launch-missiles", false},
	} {
		if got := Can(tc.u, tc.action); got != tc.want {
			t.Errorf("%+v %s: %v, want %v", tc.u, tc.action, got, tc.want)
		}
	}
}
