package web_test

// Tests for the issue "One shape for every capability": what an attacker
// found by trying the software (the cache after an audience is narrowed,
// bodies read before a CSRF refusal, cacheable internal pages, invitation
// links from the Host header, the codebook page for admins).

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"aftermath"
	"aftermath/internal/auth"
	"aftermath/internal/sqldb"
)

// signIn creates a user of org "org" with a role and a session for them.
func signIn(t *testing.T, db *sqldb.DB, email, role string) (string, *aftermath.User) {
	t.Helper()
	hash, _ := auth.HashPassword("a long enough password")
	u, err := db.CreateUser(context.Background(), sqldb.NewUser{Email: email, Name: email, PasswordHash: hash, OrgSlug: "org", Role: role})
	if err != nil {
		t.Fatal(err)
	}
	tok, _ := auth.NewToken(auth.SessionPrefix)
	if err := db.CreateSession(context.Background(), u.ID, auth.HashToken(tok), time.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	return tok, u
}

// getAs fetches a page with a session cookie (none when session is "").
func getAs(h http.Handler, path, session string) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	if session != "" {
		req.AddCookie(&http.Cookie{Name: "aftermath_session", Value: session})
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// The codebook page renders whole for an admin, with a form per theme.
func TestThemesPageRendersForAdmins(t *testing.T) {
	h, db := fixtureServer(t)
	ctx := context.Background()
	sess, admin := signIn(t, db, "admin-themes@example.org", aftermath.RoleAdmin)
	v, err := db.Viewer(ctx, admin)
	if err != nil {
		t.Fatal(err)
	}
	th := &aftermath.Theme{Slug: "water-access", NameEN: "Access to water", NameFR: "Accès à l’eau", Description: "wells, pumps"}
	if err := db.CreateTheme(ctx, v, th); err != nil {
		t.Fatal(err)
	}
	for _, lang := range []string{"en", "fr", "ar"} {
		rec := getAs(h, "/voices/themes?lang="+lang, sess)
		body := rec.Body.String()
		if rec.Code != http.StatusOK {
			t.Fatalf("/voices/themes as admin (%s): %d", lang, rec.Code)
		}
		for _, want := range []string{`name="id" value="` + jsonNum(th.ID) + `"`, `formaction="/voices/themes/` + jsonNum(th.ID) + `/delete"`,
			`name="description" value="wells, pumps"`, `name="slug" dir="ltr" pattern=`, "</html>"} {
			if !strings.Contains(body, want) {
				t.Errorf("/voices/themes as admin (%s) lacks %q", lang, want)
			}
		}
	}
	// A reader sees the table and no forms.
	sess2, _ := signIn(t, db, "reader-themes@example.org", aftermath.RoleViewer)
	rec := getAs(h, "/voices/themes", sess2)
	if body := rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(body, "water-access") || strings.Contains(body, `formaction=`) || !strings.Contains(body, "</html>") {
		t.Errorf("/voices/themes as reader: %d", rec.Code)
	}
}

// countingBody is a request body of a few megabytes, made as it is read,
// that counts how much of it the server read.
type countingBody struct {
	r    io.Reader
	read int64
}

func (c *countingBody) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += int64(n)
	return n, err
}

const bigBody = 5 << 20

// multipartBig is a multipart form whose first field is csrf (when not
// "") followed by a file of bigBody bytes.
func multipartBig(csrf string) (*countingBody, string) {
	const boundary = "xXxBOUNDARYxXx"
	head := ""
	if csrf != "" {
		head += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + csrf + "\r\n"
	}
	head += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"dataset\"\r\n\r\nucdp\r\n"
	head += "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\nContent-Type: text/csv\r\n\r\n"
	body := io.MultiReader(strings.NewReader(head), io.LimitReader(zeros{}, bigBody), strings.NewReader("\r\n--"+boundary+"--\r\n"))
	return &countingBody{r: body}, "multipart/form-data; boundary=" + boundary
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

// A form post without a valid token, from someone who may not post, or
// from another site, is refused before its body is read; one that may be
// read is capped.
func TestCSRFRefusesBeforeReadingTheBody(t *testing.T) {
	h, db := fixtureServer(t)
	admin, _ := signIn(t, db, "admin-csrf@example.org", aftermath.RoleAdmin)
	const forged = "0123456789abcdef0123456789abcdef0123"
	cases := []struct {
		name, path, session, cookie, field string
		header                             map[string]string
		maxRead                            int64
	}{
		{name: "anonymous upload without a cookie", path: "/datasets/upload"},
		{name: "anonymous upload with a forged cookie and token", path: "/datasets/upload", cookie: forged, field: forged},
		{name: "anonymous theme with a forged cookie and token", path: "/voices/themes", cookie: forged, field: forged},
		{name: "anonymous testimony with a forged cookie and token", path: "/testimonies", cookie: forged, field: forged},
		{name: "signed-in upload without a cookie", path: "/datasets/upload", session: admin, field: forged},
		{name: "signed-in upload from another site", path: "/datasets/upload", session: admin, cookie: forged, field: forged,
			header: map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "https://evil.example"}},
		{name: "signed-in upload from another origin (older browser)", path: "/datasets/upload", session: admin, cookie: forged, field: forged,
			header: map[string]string{"Origin": "https://evil.example"}},
		{name: "signed-in upload with a header token that does not match", path: "/datasets/upload", session: admin, cookie: forged,
			header: map[string]string{"X-CSRF-Token": "ffffffffffffffffffffffffffffffffffff"}},
		{name: "sign-in without a cookie", path: "/login"},
		{name: "a participant's answers posted from another site", path: "/c/some-token", cookie: forged, field: forged,
			header: map[string]string{"Sec-Fetch-Site": "cross-site"}},
		// Sign-in is open to anonymous visitors: its body is read, but
		// capped well below what was sent.
		{name: "sign-in with a cookie and a wrong token", path: "/login", cookie: forged, field: "wrong", maxRead: 1<<20 + 64<<10},
		// A signed-in form without its own cap gets the default one.
		{name: "signed-in theme with a wrong token", path: "/voices/themes", session: admin, cookie: forged, field: "wrong", maxRead: 1<<20 + 64<<10},
	}
	for _, c := range cases {
		body, ctype := multipartBig(c.field)
		req := httptest.NewRequest("POST", c.path, body)
		req.Header.Set("Content-Type", ctype)
		if c.session != "" {
			req.AddCookie(&http.Cookie{Name: "aftermath_session", Value: c.session})
		}
		if c.cookie != "" {
			req.AddCookie(&http.Cookie{Name: "aftermath_csrf", Value: c.cookie})
		}
		for k, v := range c.header {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusForbidden && rec.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("%s: %d, want 403", c.name, rec.Code)
		}
		if body.read > c.maxRead {
			t.Errorf("%s: the server read %d bytes of the body before refusing it (at most %d)", c.name, body.read, c.maxRead)
		}
	}
	// What is allowed still works: a signed-in admin's form with the
	// token, in the body or in the X-CSRF-Token header.
	for i, inHeader := range []bool{false, true} {
		form := url.Values{"slug": {"csrf-ok-" + jsonNum(int64(i))}, "name_en": {"Allowed"}}
		if !inHeader {
			form.Set("csrf", forged)
		}
		req := httptest.NewRequest("POST", "/voices/themes", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		if inHeader {
			req.Header.Set("X-CSRF-Token", forged)
		}
		req.AddCookie(&http.Cookie{Name: "aftermath_session", Value: admin})
		req.AddCookie(&http.Cookie{Name: "aftermath_csrf", Value: forged})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusSeeOther {
			t.Errorf("a same-origin theme form with the token (header %v): %d %s", inHeader, rec.Code, rec.Body.String())
		}
	}
}
