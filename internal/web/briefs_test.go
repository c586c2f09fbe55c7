package web_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/sqldb"
	"aftermath/internal/vault"
)

// publicBrief stores a published public brief with slug, as the system
// (publishing goes through the testimony store: it checks the vault).
func publicBrief(t *testing.T, db *sqldb.DB, slug string) *aftermath.Brief {
	t.Helper()
	ctx := context.Background()
	b := &aftermath.Brief{Slug: slug, Title: "A public brief", Language: "en", Body: "## Why\n\nBecause the data say so.\n", Audience: aftermath.AudiencePublic}
	if err := db.CreateBrief(ctx, aftermath.System, b); err != nil {
		t.Fatal(err)
	}
	kek, err := vault.GenerateKEK()
	if err != nil {
		t.Fatal(err)
	}
	for _, action := range []string{aftermath.BriefSubmit, aftermath.BriefApprove, aftermath.BriefPublish} {
		if err := db.Voices(kek).ReviewBrief(ctx, aftermath.System, b.ID, aftermath.BriefReview{Action: action}); err != nil {
			t.Fatalf("%s: %v", action, err)
		}
	}
	return b
}

// A brief is written in the web app with a preview that stores nothing,
// saved as a draft only its organisation sees, refused with its line
// when an embed cannot be read, reviewed through plain forms, and
// downloaded as PDF.
func TestBriefPagesWriteRenderAndReview(t *testing.T) {
	f := newLedgerFixture(t)
	editor, _ := f.session(t, "brief-editor@example.org", aftermath.RoleEditor)
	admin, _ := f.session(t, "brief-admin@example.org", aftermath.RoleAdmin)
	body := "## Findings\n\nThe review board, meeting at 14.4974, -4.1960, asked for this:\n\n{{recommendation id=" + lid(f.open.ID) + "}}\n\nAs the resolution says.{{cite source=" + lid(f.source.ID) + " page=\"7\"}}\n"
	form := url.Values{"csrf": {ledgerCSRF}, "slug": {"patrols"}, "title": {"Patrols that never came"}, "language": {"en"},
		"audience": {"public"}, "body": {body}}

	if rec := f.do(t, "GET", "/briefs/new", editor, nil); rec.Code != 200 || !strings.Contains(rec.Body.String(), `name="preview"`) {
		t.Fatalf("new brief form: %d", rec.Code)
	}
	preview := url.Values{"preview": {"1"}}
	for k, v := range form {
		preview[k] = v
	}
	rec := f.do(t, "POST", "/briefs", editor, preview)
	page := rec.Body.String()
	if rec.Code != 200 || !strings.Contains(page, "Train patrols in early warning.") || !strings.Contains(page, `id="note-1"`) || !strings.Contains(page, `id="section-1"`) {
		t.Fatalf("preview: %d %s", rec.Code, page)
	}
	if rec := f.do(t, "GET", "/briefs/patrols", editor, nil); rec.Code != 404 {
		t.Errorf("a preview stored the brief: %d", rec.Code)
	}

	bad := url.Values{}
	for k, v := range form {
		bad[k] = v
	}
	bad.Set("body", "Intro.\n\n{{quote testimony=seven}}\n")
	if rec := f.do(t, "POST", "/briefs", editor, bad); rec.Code != 422 || !strings.Contains(rec.Body.String(), "line 3: quote: testimony=&#34;seven&#34; is not a record number") {
		t.Errorf("a bad embed: %d %s", rec.Code, rec.Body.String())
	}

	if rec := f.do(t, "POST", "/briefs", editor, form); rec.Code != 303 || rec.Header().Get("Location") != "/briefs/patrols" {
		t.Fatalf("save: %d %s", rec.Code, rec.Body.String())
	}
	if code, _ := f.get(t, "/briefs/patrols"); code != 404 {
		t.Errorf("a draft is shown to an anonymous reader: %d", code)
	}
	rec = f.do(t, "GET", "/briefs/patrols", editor, nil)
	page = rec.Body.String()
	if rec.Code != 200 || !strings.Contains(page, "Train patrols in early warning.") || !strings.Contains(page, `class="bibliography"`) ||
		!strings.Contains(page, `value="submit"`) || !strings.Contains(page, `<meta property="og:title" content="Patrols that never came">`) {
		t.Fatalf("the brief's page: %d %s", rec.Code, page)
	}

	// The author submits; approving a public brief takes someone else.
	step := func(session, action string) int {
		return f.do(t, "POST", "/briefs/patrols/review", session, url.Values{"csrf": {ledgerCSRF}, "action": {action}}).Code
	}
	if code := step(editor, aftermath.BriefSubmit); code != 303 {
		t.Fatalf("submit: %d", code)
	}
	if rec := f.do(t, "POST", "/briefs/patrols/review", editor, url.Values{"csrf": {ledgerCSRF}, "action": {aftermath.BriefApprove}}); rec.Code != 422 && rec.Code != 403 {
		t.Errorf("the author approved their own public brief: %d", rec.Code)
	}
	if code := step(admin, aftermath.BriefApprove); code != 303 {
		t.Fatalf("approve by another: %d", code)
	}
	rec = f.do(t, "GET", "/briefs/patrols", editor, nil)
	if !strings.Contains(rec.Body.String(), "approved") || !strings.Contains(rec.Body.String(), `value="publish"`) {
		t.Errorf("the page does not say approved, or offer publishing: %s", rec.Body.String())
	}
	if code, _ := f.get(t, "/briefs/patrols"); code != 404 {
		t.Errorf("an approved, unpublished brief is shown to an anonymous reader: %d", code)
	}
	// Publishing needs the key (it reads the identity vault), flags the
	// coordinates on line 3, and goes ahead with a written override.
	publish := func(overrides string) *httptest.ResponseRecorder {
		return f.do(t, "POST", "/briefs/patrols/review", admin, url.Values{"csrf": {ledgerCSRF}, "action": {aftermath.BriefPublish}, "overrides": {overrides}})
	}
	if rec := publish(""); rec.Code != 422 || !strings.Contains(rec.Body.String(), "identity vault") {
		t.Errorf("publishing without a key: %d", rec.Code)
	}
	kek, err := vault.GenerateKEK()
	if err != nil {
		t.Fatal(err)
	}
	srv, err := newServer(f.db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv.SetCacheTTL(0)
	srv.SetVoices(f.db.Voices(kek))
	f.h = srv.Handler()
	if rec := publish(""); rec.Code != 422 || !strings.Contains(rec.Body.String(), "line 3: coordinates") {
		t.Errorf("publishing coordinates: %d %s", rec.Code, rec.Body.String())
	}
	if rec := publish("coordinates:3:too short"); rec.Code != 422 || !strings.Contains(rec.Body.String(), "give a reason in a sentence") {
		t.Errorf("an override without a reason: %d", rec.Code)
	}
	if rec := publish("coordinates:3:These are the coordinates of the public district office."); rec.Code != 303 {
		t.Fatalf("publishing with an override: %d %s", rec.Code, rec.Body.String())
	}
	if code, page := f.get(t, "/briefs/patrols"); code != 200 || !strings.Contains(page, "Train patrols in early warning.") || strings.Contains(page, `value="unpublish"`) {
		t.Errorf("the published brief for an anonymous reader: %d", code)
	}
	if code, page := f.get(t, "/briefs"); code != 200 || !strings.Contains(page, `href="/briefs/patrols"`) {
		t.Errorf("the list of briefs does not show the published one: %d", code)
	}

	if _, err := exec.LookPath("chromium"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed; CI must try the PDF download")
		}
		t.Log("no chromium: the PDF download is not tried")
		return
	}
	rec = f.do(t, "GET", "/briefs/patrols/brief.pdf", editor, nil)
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(rec.Body.Bytes(), []byte("%PDF-")) {
		t.Errorf("PDF: %d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
}
