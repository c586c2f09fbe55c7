package web_test

// Tests for the issue "One shape for every capability": what an attacker
// found by trying the software (the cache after an audience is narrowed,
// bodies read before a CSRF refusal, cacheable internal pages, invitation
// links from the Host header, the codebook page for admins).

import (
	"context"
	"net/http"
	"net/http/httptest"
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
