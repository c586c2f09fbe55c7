package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"aftermath"
	"aftermath/internal/auth"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
	"aftermath/internal/vault"
)

const testPassword = "a long enough password"

// accountClient posts to the account pages with a session of its own.
type accountClient struct {
	t       *testing.T
	h       http.Handler
	session string
}

const acctCSRF = "0123456789abcdef0123456789abcdef0123"

func (c *accountClient) post(path string, form url.Values) (int, string) {
	c.t.Helper()
	form.Set("csrf", acctCSRF)
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(&http.Cookie{Name: "aftermath_csrf", Value: acctCSRF})
	req.AddCookie(&http.Cookie{Name: "aftermath_session", Value: c.session})
	rec := httptest.NewRecorder()
	c.h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String()
}

func signedInClient(t *testing.T, db *sqldb.DB, h http.Handler, email string) (*accountClient, *aftermath.User) {
	t.Helper()
	hash, _ := auth.HashPassword(testPassword)
	u, err := db.CreateUser(context.Background(), sqldb.NewUser{Email: email, Name: email, PasswordHash: hash, OrgSlug: "org", Role: aftermath.RoleEditor})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := auth.NewToken(auth.SessionPrefix)
	if err := db.CreateSession(context.Background(), u.ID, auth.HashToken(tok), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	return &accountClient{t: t, h: h, session: tok}, u
}

var recoveryRE = regexp.MustCompile(`<code>([a-z2-9]{5}-[a-z2-9]{5})</code>`)

// A stolen session alone cannot replace the second factor: re-enrolment
// needs the password and a current code, first enrolment the password.
func TestReplacingTheSecondFactorNeedsPasswordAndCode(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	kek, _ := vault.GenerateKEK()
	srv, _ := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv.SetVoices(db.Voices(kek))
	h := srv.Handler()
	now := time.Now()
	db.Now = func() time.Time { return now }

	// First enrolment: the password, and nothing else, is asked for.
	first, _ := signedInClient(t, db, h, "first@example.org")
	s0, _ := auth.NewTOTPSecret()
	c0, _ := auth.TOTPCode(s0, now)
	if _, page := first.post("/account/totp/confirm", url.Values{"secret": {s0}, "code": {c0}}); recoveryRE.MatchString(page) {
		t.Error("first enrolment without the password succeeded")
	}
	if _, page := first.post("/account/totp/confirm", url.Values{"secret": {s0}, "code": {c0}, "password": {"not the password"}}); recoveryRE.MatchString(page) {
		t.Error("first enrolment with a wrong password succeeded")
	}
	if _, page := first.post("/account/totp/confirm", url.Values{"secret": {s0}, "code": {c0}, "password": {testPassword}}); len(recoveryRE.FindAllString(page, -1)) != 10 {
		t.Error("first enrolment with the password failed")
	}

	// Replacing an enrolled factor.
	c, u := signedInClient(t, db, h, "victim@example.org")
	old, _ := auth.NewTOTPSecret()
	if err := db.Voices(kek).Accounts().SetTOTP(context.Background(), u.ID, old, nil); err != nil {
		t.Fatal(err)
	}
	mine, _ := auth.NewTOTPSecret()
	code, _ := auth.TOTPCode(mine, now)
	oldCode, _ := auth.TOTPCode(old, now)
	for what, form := range map[string]url.Values{
		"the session alone":                   {"secret": {mine}, "code": {code}},
		"the password without a code":         {"secret": {mine}, "code": {code}, "password": {testPassword}},
		"a current code without the password": {"secret": {mine}, "code": {code}, "current_code": {oldCode}},
		"the password and a wrong code":       {"secret": {mine}, "code": {code}, "password": {testPassword}, "current_code": {"123456"}},
	} {
		if _, page := c.post("/account/totp/confirm", form); recoveryRE.MatchString(page) {
			t.Errorf("re-enrolment with %s replaced the second factor", what)
		}
		c.post("/account/totp/start", url.Values{}) // and start never changes anything
	}
	svc := auth.Service{Accounts: db.Voices(kek).Accounts(), Now: func() time.Time { return now.Add(time.Minute) }}
	later, _ := auth.TOTPCode(mine, now.Add(time.Minute))
	if _, err := svc.Login(context.Background(), "victim@example.org", testPassword, later); err == nil {
		t.Fatal("the attacker's secret signs in")
	}
	if err := db.RecordLoginSuccess(context.Background(), u.ID); err != nil { // forget the refusals above
		t.Fatal(err)
	}
	// With the password and a current code, the owner replaces it.
	_, page := c.post("/account/totp/confirm", url.Values{"secret": {mine}, "code": {code}, "password": {testPassword}, "current_code": {oldCode}})
	if len(recoveryRE.FindAllString(page, -1)) != 10 {
		t.Fatalf("re-enrolment with the password and a current code failed: %s", page)
	}
	if _, err := svc.Login(context.Background(), "victim@example.org", testPassword, later); err != nil {
		t.Errorf("the new secret does not sign in: %v", err)
	}
}

// TOTP secrets are sealed with the key-encryption key: the database file
// does not hold them; without a key, new enrolments are refused.
func TestTOTPSecretIsSealedAtRest(t *testing.T) {
	dsn := sqldbtest.DSN(t, sqldb.SQLite)
	db, err := sqldb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	kek, _ := vault.GenerateKEK()
	srv, _ := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv.SetVoices(db.Voices(kek))
	c, _ := signedInClient(t, db, srv.Handler(), "sealed@example.org")
	secret, _ := auth.NewTOTPSecret()
	code, _ := auth.TOTPCode(secret, time.Now())
	if _, page := c.post("/account/totp/confirm", url.Values{"secret": {secret}, "code": {code}, "password": {testPassword}}); len(recoveryRE.FindAllString(page, -1)) != 10 {
		t.Fatalf("enrolment failed: %s", page)
	}
	for _, f := range []string{dsn, dsn + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
		if bytes.Contains(b, []byte(secret)) {
			t.Errorf("%s holds the TOTP secret in clear", f)
		}
	}

	// No key: a new enrolment is refused with a message saying why.
	plain, _ := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	c2, _ := signedInClient(t, db, plain.Handler(), "nokey@example.org")
	s2, _ := auth.NewTOTPSecret()
	c2code, _ := auth.TOTPCode(s2, time.Now())
	_, page := c2.post("/account/totp/confirm", url.Values{"secret": {s2}, "code": {c2code}, "password": {testPassword}})
	if recoveryRE.MatchString(page) || !strings.Contains(page, "key-encryption key") {
		t.Errorf("enrolment without a key was not refused with a reason: %s", page)
	}
}

// A server started without its key file, for an account whose TOTP secret
// is sealed: a six-digit code answers 503 with what to do (not a 500),
// and a recovery code still signs in.
func TestSignInWithSealedTOTPAndNoKey(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	kek, _ := vault.GenerateKEK()
	keyed, _ := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	keyed.SetVoices(db.Voices(kek))
	c, _ := signedInClient(t, db, keyed.Handler(), "sealed@example.org")
	secret, _ := auth.NewTOTPSecret()
	code, _ := auth.TOTPCode(secret, time.Now())
	_, page := c.post("/account/totp/confirm", url.Values{"secret": {secret}, "code": {code}, "password": {testPassword}})
	recovery := recoveryRE.FindAllStringSubmatch(page, -1)
	if len(recovery) != 10 {
		t.Fatalf("enrolment failed: %s", page)
	}

	keyless, _ := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ts := httptest.NewServer(keyless.Handler())
	defer ts.Close()
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	signIn := func(code string) (int, string) {
		res, err := hc.Get(ts.URL + "/login")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		m := csrfRE.FindSubmatch(b)
		if m == nil {
			t.Fatalf("no CSRF token on the sign-in form")
		}
		res, err = hc.PostForm(ts.URL+"/login", url.Values{"csrf": {string(m[1])}, "email": {"sealed@example.org"}, "password": {testPassword}, "code": {code}})
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ = io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	now, _ := auth.TOTPCode(secret, time.Now().Add(30*time.Second))
	if status, body := signIn(now); status != http.StatusServiceUnavailable || !strings.Contains(body, "recovery codes") {
		t.Errorf("a code without the key: %d, want 503 saying to use a recovery code: %.300s", status, body)
	}
	if status, _ := signIn(recovery[0][1]); status != http.StatusSeeOther {
		t.Errorf("a recovery code without the key: %d, want 303", status)
	}
}
