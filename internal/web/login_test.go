package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
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
	"aftermath/internal/jobs"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
	"aftermath/internal/vault"
)

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func TestSignInAndOut(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	hash, _ := auth.HashPassword("a long enough password")
	u, err := db.CreateUser(context.Background(), sqldb.NewUser{Email: "nadia@example.org", Name: "Nadia", PasswordHash: hash, OrgSlug: "org", Role: aftermath.RoleResearcher})
	if err != nil {
		t.Fatal(err)
	}
	srv, _ := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) (int, string) {
		res, err := c.Get(ts.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	post := func(path string, form url.Values) (*http.Response, string) {
		res, err := c.PostForm(ts.URL+path, form)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res, string(b)
	}
	code, page := get("/login?next=/?dataset=ucdp")
	m := csrfRE.FindStringSubmatch(page)
	if code != 200 || m == nil {
		t.Fatalf("login form: %d", code)
	}
	token := m[1]
	form := url.Values{"email": {"nadia@example.org"}, "password": {"a long enough password"}, "next": {"/?dataset=ucdp"}}
	if res, _ := post("/login", form); res.StatusCode != 403 {
		t.Errorf("sign-in without the CSRF token: %d", res.StatusCode)
	}
	form.Set("csrf", token)
	form.Set("password", "wrong password here")
	if res, body := post("/login", form); res.StatusCode != 401 || !strings.Contains(body, "wrong") {
		t.Errorf("wrong password: %d", res.StatusCode)
	}
	form.Set("password", "a long enough password")
	res, _ := post("/login", form)
	if res.StatusCode != 303 || res.Header.Get("Location") != "/?dataset=ucdp" {
		t.Fatalf("sign-in: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
	var session *http.Cookie
	for _, ck := range res.Cookies() {
		if ck.Name == "aftermath_session" {
			session = ck
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteLaxMode {
		t.Fatalf("session cookie: %+v", session)
	}
	if _, err := db.SessionUser(context.Background(), auth.HashToken(session.Value)); err != nil {
		t.Errorf("the session is not in the database: %v", err)
	}
	_, page = get("/")
	if !strings.Contains(page, "Signed in as Nadia") {
		t.Errorf("home after sign-in lacks the user")
	}
	// Sign out needs the token too, then the session is gone.
	if res, _ := post("/logout", url.Values{}); res.StatusCode != 403 {
		t.Errorf("sign-out without token: %d", res.StatusCode)
	}
	token = csrfRE.FindStringSubmatch(page)[1]
	if res, _ := post("/logout", url.Values{"csrf": {token}}); res.StatusCode != 303 {
		t.Errorf("sign-out: %d", res.StatusCode)
	}
	if _, err := db.SessionUser(context.Background(), auth.HashToken(session.Value)); aftermath.ErrorCode(err) != aftermath.ENOTFOUND {
		t.Errorf("session survives sign-out: %v", err)
	}
	if _, page = get("/"); strings.Contains(page, "Signed in as") {
		t.Error("still signed in after sign-out")
	}
	// An off-site next is ignored.
	form.Set("next", "//evil.example/")
	if res, _ := post("/login", form); res.Header.Get("Location") != "/" {
		t.Errorf("open redirect: %s", res.Header.Get("Location"))
	}
	_ = u
}

func TestSignInRateLimit(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	srv, _ := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	h := srv.Handler()
	const tok = "0123456789abcdef0123456789abcdef0123"
	last := 0
	for i := 0; i < 12; i++ {
		req := httptest.NewRequest("POST", "/login", strings.NewReader(url.Values{"csrf": {tok}, "email": {"x@example.org"}, "password": {"p"}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "aftermath_csrf", Value: tok})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		last = rec.Code
		if i < 10 && rec.Code != 401 {
			t.Fatalf("attempt %d: %d", i+1, rec.Code)
		}
	}
	if last != http.StatusTooManyRequests {
		t.Errorf("12th attempt from one address: %d, want 429", last)
	}
}

func TestEnrolSecondFactorThenSignInWithIt(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	hash, _ := auth.HashPassword("a long enough password")
	if _, err := db.CreateUser(context.Background(), sqldb.NewUser{Email: "omar@example.org", Name: "Omar", PasswordHash: hash, OrgSlug: "org", Role: aftermath.RoleEditor}); err != nil {
		t.Fatal(err)
	}
	srv, _ := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	kek, _ := vault.GenerateKEK() // TOTP secrets are sealed with it
	srv.SetVoices(db.Voices(kek))
	now := time.Now()
	db.Now = func() time.Time { return now }
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	do := func(method, path string, form url.Values) (int, string) {
		var res *http.Response
		var err error
		if method == "GET" {
			res, err = c.Get(ts.URL + path)
		} else {
			res, err = c.PostForm(ts.URL+path, form)
		}
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return res.StatusCode, string(b)
	}
	signIn := func(code string) (int, string) {
		_, page := do("GET", "/login", nil)
		return do("POST", "/login", url.Values{"csrf": {csrfRE.FindStringSubmatch(page)[1]}, "email": {"omar@example.org"},
			"password": {"a long enough password"}, "code": {code}, "next": {"/account"}})
	}
	if code, page := signIn(""); code != 200 || !strings.Contains(page, "No second factor yet") {
		t.Fatalf("account page after sign-in: %d", code)
	}
	_, page := do("GET", "/account", nil)
	code, page := do("POST", "/account/totp/start", url.Values{"csrf": {csrfRE.FindStringSubmatch(page)[1]}})
	m := regexp.MustCompile(`name="secret" value="([A-Z2-7]+)"`).FindStringSubmatch(page)
	if code != 200 || m == nil || !strings.Contains(page, "<svg") {
		t.Fatalf("enrolment page: %d", code)
	}
	secret := m[1]
	if !strings.Contains(page, `name="password"`) || strings.Contains(page, `name="current_code"`) {
		t.Error("the first enrolment form does not ask for the password alone")
	}
	form := url.Values{"csrf": {csrfRE.FindStringSubmatch(page)[1]}, "secret": {secret}, "code": {"000000"}, "password": {"a long enough password"}}
	if _, page := do("POST", "/account/totp/confirm", form); !strings.Contains(page, "does not match") {
		t.Error("a wrong code enrolled the factor")
	}
	totp, _ := auth.TOTPCode(secret, now)
	form.Set("code", totp)
	_, page = do("POST", "/account/totp/confirm", form)
	codes := regexp.MustCompile(`<code>([a-z2-9]{5}-[a-z2-9]{5})</code>`).FindAllStringSubmatch(page, -1)
	if len(codes) != 10 {
		t.Fatalf("recovery codes shown: %d", len(codes))
	}
	do("POST", "/logout", url.Values{"csrf": {csrfRE.FindStringSubmatch(page)[1]}})
	if code, page := signIn(""); code != 401 || !strings.Contains(page, "second factor") {
		t.Errorf("sign-in without a code: %d", code)
	}
	if code, _ := signIn(totp); code != 401 {
		t.Errorf("sign-in with the code that confirmed the enrolment: %d, want 401 (a replay)", code)
	}
	now = now.Add(30 * time.Second)
	totp, _ = auth.TOTPCode(secret, now)
	if code, page := signIn(totp); code != 200 || !strings.Contains(page, "A second factor is enrolled") {
		t.Errorf("sign-in with the TOTP code: %d", code)
	}
	_, page = do("GET", "/account", nil)
	do("POST", "/logout", url.Values{"csrf": {csrfRE.FindStringSubmatch(page)[1]}})
	if code, _ := signIn(codes[0][1]); code != 200 {
		t.Errorf("sign-in with a recovery code: %d", code)
	}
}

func TestUploadStartsAnImportJob(t *testing.T) {
	db := sqldbtest.Open(t, sqldb.SQLite)
	srv, _ := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	srv.SetUploadDir(t.TempDir())
	runner := &jobs.Runner{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	h := srv.Handler()
	session := func(email, role string) string {
		hash, _ := auth.HashPassword("a long enough password")
		u, err := db.CreateUser(context.Background(), sqldb.NewUser{Email: email, Name: email, PasswordHash: hash, OrgSlug: "org", Role: role})
		if err != nil {
			t.Fatal(err)
		}
		tok, _ := auth.NewToken(auth.SessionPrefix)
		db.CreateSession(context.Background(), u.ID, auth.HashToken(tok), time.Now().Add(time.Hour))
		return tok
	}
	const csrf = "0123456789abcdef0123456789abcdef0123"
	post := func(sess string) *httptest.ResponseRecorder {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("csrf", csrf)
		mw.WriteField("dataset", "ucdp")
		fw, _ := mw.CreateFormFile("file", "GEDEvent_v23_1.csv")
		data, _ := os.ReadFile("../importer/testdata/GEDEvent_v23_1.csv")
		fw.Write(data)
		mw.Close()
		req := httptest.NewRequest("POST", "/datasets/upload", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.AddCookie(&http.Cookie{Name: "aftermath_csrf", Value: csrf})
		req.AddCookie(&http.Cookie{Name: "aftermath_session", Value: sess})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec
	}
	if rec := post(session("viewer@example.org", aftermath.RoleViewer)); rec.Code != 403 {
		t.Errorf("upload by a viewer: %d", rec.Code)
	}
	editor := session("editor@example.org", aftermath.RoleEditor)
	rec := post(editor)
	if rec.Code != 303 || !strings.HasPrefix(rec.Header().Get("Location"), "/jobs/") {
		t.Fatalf("upload by an editor: %d %s", rec.Code, rec.Header().Get("Location"))
	}
	jobURL := rec.Header().Get("Location")
	get := func() string {
		req := httptest.NewRequest("GET", jobURL, nil)
		req.AddCookie(&http.Cookie{Name: "aftermath_session", Value: editor})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			t.Fatalf("job page: %d", rec.Code)
		}
		if strings.Contains(rec.Body.String(), "Waiting to start") != (rec.Header().Get("Refresh") != "") {
			t.Error("a waiting job page does not refresh itself")
		}
		return rec.Body.String()
	}
	if page := get(); !strings.Contains(page, "Waiting to start") {
		t.Errorf("queued job page lacks its state")
	}
	if ran, err := runner.RunOnce(context.Background()); !ran || err != nil {
		t.Fatal(ran, err)
	}
	if page := get(); !strings.Contains(page, "Finished") || !strings.Contains(page, "inserted 5") {
		t.Errorf("finished job page: %s", page)
	}
	if n, _, _ := db.CountEvents(context.Background(), sqldb.EventFilter{}, 0); n != 5 {
		t.Errorf("events after the upload's import: %d", n)
	}
}
