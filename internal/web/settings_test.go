package web_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/sqldb"
)

// logoPNG is a small valid PNG.
func logoPNG(t *testing.T) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, image.NewRGBA(image.Rect(0, 0, 8, 4))); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// siteLogo gives the fixture a logo, for /logo.
func siteLogo(t *testing.T, db *sqldb.DB) {
	t.Helper()
	if err := db.UpdateSiteSettings(context.Background(), aftermath.System, aftermath.SettingsChange{OrgName: "Observatory",
		Logo: &aftermath.Logo{Type: "image/png", Data: logoPNG(t)}}); err != nil {
		t.Fatal(err)
	}
}

// postSettings sends the settings form as a signed-in user, with a logo
// file when logo is not nil.
func postSettings(t *testing.T, h http.Handler, session, name string, logo []byte) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf", ledgerCSRF)
	mw.WriteField("org_name", name)
	if logo != nil {
		fw, _ := mw.CreateFormFile("logo", "logo.png")
		fw.Write(logo)
	}
	mw.Close()
	req := httptest.NewRequest("POST", "/admin/settings", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.AddCookie(&http.Cookie{Name: "aftermath_csrf", Value: ledgerCSRF})
	req.AddCookie(&http.Cookie{Name: "aftermath_session", Value: session})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// An admin sets the organisation's name and logo; every page's header
// shows them at once, cached public pages included; others may not.
func TestSettingsSetTheHeaderOfEveryPage(t *testing.T) {
	h, db := fixtureServer(t)
	admin, _ := signIn(t, db, "admin-settings@example.org", aftermath.RoleAdmin)
	editor, _ := signIn(t, db, "editor-settings@example.org", aftermath.RoleEditor)
	// An anonymous visit fills the page cache with the old header.
	if _, _, body := fetch(t, h, "/events"); strings.Contains(body, "Sahel Civilian Harm Observatory") {
		t.Fatal("the name is there before it was set")
	}
	if rec := getAs(h, "/admin/settings", editor); rec.Code != http.StatusForbidden {
		t.Errorf("settings form for an editor: %d, want 403", rec.Code)
	}
	if rec := postSettings(t, h, editor, "Taken over", nil); rec.Code != http.StatusForbidden {
		t.Errorf("settings posted by an editor: %d, want 403", rec.Code)
	}
	if rec := getAs(h, "/admin/settings", admin); rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `name="logo"`) {
		t.Fatalf("settings form for an admin: %d", rec.Code)
	}
	logo := logoPNG(t)
	if rec := postSettings(t, h, admin, "Sahel Civilian Harm Observatory", logo); rec.Code != http.StatusSeeOther {
		t.Fatalf("settings saved: %d %s", rec.Code, rec.Body)
	}
	for _, path := range []string{"/events", "/", "/login", "/interventions/test-mission"} {
		_, _, body := fetch(t, h, path)
		if !strings.Contains(body, "Sahel Civilian Harm Observatory") || !strings.Contains(body, `<img src="/logo?v=`) {
			t.Errorf("%s: the header lacks the new name or logo", path)
		}
	}
	_, _, body := fetch(t, h, "/")
	src := body[strings.Index(body, `<img src="`)+len(`<img src="`):]
	src = src[:strings.IndexByte(src, '"')]
	code, hd, img := fetch(t, h, strings.ReplaceAll(src, "&amp;", "&"))
	if code != http.StatusOK || hd.Get("Content-Type") != "image/png" || img != string(logo) || !strings.Contains(hd.Get("Cache-Control"), "immutable") {
		t.Errorf("logo %s: %d %s %q", src, code, hd.Get("Content-Type"), hd.Get("Cache-Control"))
	}
	// Not a PNG or JPEG (an SVG, which could carry script), or too large:
	// refused with the reason, nothing changed.
	svg := []byte(`<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>`)
	bigPNG := append(bytes.Clone(logo), make([]byte, aftermath.MaxLogoBytes)...)
	for _, bad := range [][]byte{svg, []byte("\x89PNG\r\n\x1a\nnot really"), bigPNG} {
		rec := postSettings(t, h, admin, "Other name", bad)
		if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), `role="alert"`) {
			t.Errorf("a bad logo (%d bytes): %d", len(bad), rec.Code)
		}
	}
	if st, _ := db.SiteSettings(context.Background()); st.OrgName != "Sahel Civilian Harm Observatory" {
		t.Errorf("a refused form changed the name to %q", st.OrgName)
	}
}

// A consultation participant sees their consultation and the language
// switch, not the site's navigation, search or footer links.
func TestParticipantsSeeAMinimalHeader(t *testing.T) {
	h, db := fixtureServer(t)
	signIn(t, db, "admin-participant@example.org", aftermath.RoleAdmin) // makes organisation "org"
	_, _, token := consultRouteFixture(t, db)
	_, _, body := fetch(t, h, "/c/"+token)
	header := body[:strings.Index(body, "<main")]
	for _, absent := range []string{`href="/events"`, `href="/ledger"`, `action="/search"`, `href="/login"`} {
		if strings.Contains(header, absent) {
			t.Errorf("a participant's header has %s", absent)
		}
	}
	if !strings.Contains(header, `hreflang="ar"`) || !strings.Contains(header, `href="/c/`+token+`"`) {
		t.Errorf("a participant's header lacks the language switch or their consultation: %s", header)
	}
	if strings.Contains(body[strings.Index(body, "</main>"):], `href="/sources"`) {
		t.Error("a participant's footer links to the site")
	}
	// Everyone else has the whole navigation.
	if _, _, body := fetch(t, h, "/events"); !strings.Contains(body, `href="/ledger"`) || !strings.Contains(body, `action="/search"`) {
		t.Error("the site's navigation is missing from an ordinary page")
	}
}
