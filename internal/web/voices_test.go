package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"aftermath"
	"aftermath/internal/auth"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
	"aftermath/internal/vault"
	"aftermath/internal/web"
)

// voicesFixture is a server with a testimony store and people of two
// partner organisations.
type voicesFixture struct {
	h        http.Handler
	db       *sqldb.DB
	vs       *sqldb.Voices // nil without a key
	sessions map[string]string
	tokens   map[string]string
	orgs     map[string]int64
}

const testCSRF = "0123456789abcdef0123456789abcdef0123"

func newVoicesFixture(t *testing.T, withKey bool) *voicesFixture {
	t.Helper()
	return newVoicesFixtureWith(t, withKey, nil, nil)
}

// newVoicesFixtureWith is newVoicesFixture with the server working on
// wrap(store) and wrapVoices(voices) when they are not nil, so that a
// test can have a service answer what it needs.
func newVoicesFixtureWith(t *testing.T, withKey bool, wrap func(web.Store) web.Store, wrapVoices func(web.Voices) web.Voices) *voicesFixture {
	t.Helper()
	db := sqldbtest.Open(t, sqldb.SQLite)
	var store web.Store = db
	if wrap != nil {
		store = wrap(db)
	}
	srv, err := newServer(store, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	f := &voicesFixture{db: db, sessions: map[string]string{}, tokens: map[string]string{}, orgs: map[string]int64{}}
	if withKey {
		kek, err := vault.GenerateKEK()
		if err != nil {
			t.Fatal(err)
		}
		f.vs = db.Voices(kek)
		var vs web.Voices = f.vs
		if wrapVoices != nil {
			vs = wrapVoices(vs)
		}
		srv.SetVoices(vs)
	}
	f.h = srv.Handler()
	ctx := context.Background()
	for _, p := range []struct{ name, org, role string }{
		{"contributor", "sahel-voices", aftermath.RoleContributor},
		{"editor", "sahel-voices", aftermath.RoleEditor},
		{"viewer", "sahel-voices", aftermath.RoleViewer},
		{"other-contributor", "yemen-voices", aftermath.RoleContributor},
		{"admin", "sahel-voices", aftermath.RoleAdmin},
	} {
		hash, _ := auth.HashPassword("a long enough password")
		u, err := db.CreateUser(ctx, sqldb.NewUser{Email: p.name + "@example.org", Name: p.name, PasswordHash: hash, OrgSlug: p.org, Role: p.role})
		if err != nil {
			t.Fatal(err)
		}
		f.orgs[p.org] = u.Memberships[0].OrgID
		sess, _ := auth.NewToken(auth.SessionPrefix)
		if err := db.CreateSession(ctx, u.ID, auth.HashToken(sess), time.Now().Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		tok, _ := auth.NewToken(auth.APITokenPrefix)
		if err := db.CreateAPIToken(ctx, u.ID, "t", auth.HashToken(tok)); err != nil {
			t.Fatal(err)
		}
		f.sessions[p.name], f.tokens[p.name] = sess, tok
	}
	return f
}

func (f *voicesFixture) do(t *testing.T, person, method, target string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	var body io.Reader
	if form != nil {
		form.Set("csrf", testCSRF)
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, target, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: "aftermath_csrf", Value: testCSRF})
	}
	if person != "" {
		req.AddCookie(&http.Cookie{Name: "aftermath_session", Value: f.sessions[person]})
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

// submission is a valid form: consent to anonymous publication, a body
// that names someone and a village.
func submission() url.Values {
	return url.Values{
		"consent_level": {"anonymous-publication"}, "consent_method": {"oral"}, "consent_by": {"Field worker 7"},
		"consent_at": {"2024-05-02"}, "language": {"fr"},
		"body": {"Les soldats sont venus à Zqxbougou. Ils ont emmené Zqxmamadou. Depuis, personne n’ose parler."},
		"date": {"2024-05"}, "country": {"MLI"}, "admin1": {"Mopti"},
		"theme":    {"harm-from-military-operations", "abuses-by-backed-partner-forces"},
		"audience": {"public"}, "retain_until": {"2031-01-01"},
	}
}

func TestTestimonySubmissionReviewAndPublication(t *testing.T) {
	f := newVoicesFixture(t, true)
	// The form: under 50 KB, no script, in three languages.
	for _, lang := range []string{"en", "fr", "ar"} {
		rec := f.do(t, "contributor", "GET", "/testimonies/new?lang="+lang, nil)
		body := rec.Body.String()
		if rec.Code != 200 || !strings.Contains(body, `action="/testimonies"`) || strings.Contains(body, "<script") {
			t.Fatalf("%s form: %d", lang, rec.Code)
		}
		if len(body) > 50<<10 {
			t.Errorf("%s form weighs %d bytes, over 50 KB", lang, len(body))
		}
		t.Logf("%s submission form: %d bytes", lang, len(body))
	}
	if body := f.do(t, "viewer", "GET", "/testimonies/new", nil).Body.String(); strings.Contains(body, `action="/testimonies"`) {
		t.Error("a viewer is offered the submission form")
	}
	// Without consent nothing is stored, and the form comes back filled in.
	bad := submission()
	bad.Del("consent_level")
	rec := f.do(t, "contributor", "POST", "/testimonies", bad)
	if rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "Zqxbougou") || !strings.Contains(rec.Body.String(), `class="invalid"`) {
		t.Fatalf("no consent: %d", rec.Code)
	}
	if list, _ := f.db.Testimonies(context.Background(), aftermath.System, sqldb.TestimonyFilter{}); len(list) != 0 {
		t.Fatalf("a testimony without consent was stored")
	}
	// Consent to internal use only caps the audience.
	capped := submission()
	capped.Set("consent_level", "internal-only")
	if rec := f.do(t, "contributor", "POST", "/testimonies", capped); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("internal-only consent with a public audience: %d", rec.Code)
	}
	rec = f.do(t, "contributor", "POST", "/testimonies", submission())
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("submit: %d %s", rec.Code, rec.Body.String())
	}
	page := rec.Header().Get("Location")
	id := strings.TrimSuffix(strings.TrimPrefix(page, "/testimonies/"), "?created=1")
	if _, err := strconv.Atoi(id); err != nil {
		t.Fatalf("redirected to %q", page)
	}
	tp := "/testimonies/" + id
	// Who sees what before approval.
	for person, wantOriginal := range map[string]bool{"contributor": true, "editor": true, "admin": true} {
		body := f.do(t, person, "GET", tp, nil).Body.String()
		if strings.Contains(body, "Zqxmamadou") != wantOriginal {
			t.Errorf("%s reads the original: %v, want %v", person, !wantOriginal, wantOriginal)
		}
	}
	for _, person := range []string{"", "viewer", "other-contributor"} {
		if rec := f.do(t, person, "GET", tp, nil); rec.Code != 404 || strings.Contains(rec.Body.String(), "Zqx") {
			t.Errorf("%q before approval: %d", person, rec.Code)
		}
	}
	// The contributor cannot review their own submission.
	if rec := f.do(t, "contributor", "POST", tp+"/review", url.Values{"action": {"start"}}); rec.Code == http.StatusSeeOther {
		t.Error("the contributor started a review")
	}
	// The editor reviews: start, redact by passages, approve for public.
	if rec := f.do(t, "editor", "POST", tp+"/review", url.Values{"action": {"start"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("start review: %d %s", rec.Code, rec.Body.String())
	}
	if rec := f.do(t, "editor", "POST", tp+"/review", url.Values{"action": {"approve"}, "audience": {"public"}}); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("approval before redaction: %d", rec.Code)
	}
	// Two passes: the second adds to the first, and an empty list is
	// refused unless the reviewer says nothing needs redacting.
	if rec := f.do(t, "editor", "POST", tp+"/redact", url.Values{"passages": {"nom: Zqxmamadou"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("redact: %d %s", rec.Code, rec.Body.String())
	}
	if rec := f.do(t, "editor", "POST", tp+"/redact", url.Values{"passages": {"lieu: Zqxbougou"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("redact again: %d %s", rec.Code, rec.Body.String())
	}
	if rec := f.do(t, "editor", "POST", tp+"/redact", url.Values{"passages": {""}}); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("an empty redaction list: %d", rec.Code)
	}
	if rec := f.do(t, "editor", "POST", tp+"/redact", url.Values{"passages": {""}, "nothing": {"yes"}}); rec.Code != http.StatusSeeOther {
		t.Errorf("nothing more to redact: %d", rec.Code)
	}
	if rec := f.do(t, "editor", "POST", tp+"/redact", url.Values{"passages": {"name: not in the text"}}); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("a passage that is not there: %d", rec.Code)
	}
	if rec := f.do(t, "editor", "POST", tp+"/review", url.Values{"action": {"approve"}, "audience": {"public"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", rec.Code, rec.Body.String())
	}
	// Now anyone reads the redacted text, and only that.
	for _, person := range []string{"", "viewer", "other-contributor"} {
		body := f.do(t, person, "GET", tp, nil).Body.String()
		if !strings.Contains(body, "[redacted: place]") || !strings.Contains(body, "[redacted: name]") || strings.Contains(body, "Zqx") {
			t.Errorf("%q after approval does not see just the redacted text", person)
		}
	}
	// The quote bank shows it to anonymous visitors; the matrix counts
	// it, but for them one testimony is fewer than the public minimum.
	if body := f.do(t, "", "GET", "/voices/quotes", nil).Body.String(); !strings.Contains(body, "[redacted: name]") || strings.Contains(body, "Zqx") {
		t.Error("the quote bank does not show the approved, redacted quote")
	}
	body := f.do(t, "", "GET", "/voices?lang=fr", nil).Body.String()
	if !strings.Contains(body, "Afrique occidentale") || !strings.Contains(body, "moins de 5") || strings.Contains(body, "1 (1)") {
		t.Errorf("the matrix does not show the testimony under Western Africa in French as fewer than 5: %s", body)
	}
	rec = f.do(t, "", "GET", "/api/v1/themes/matrix?by=country", nil)
	var m struct {
		Cells []struct {
			Theme       string `json:"theme"`
			AreaCode    string `json:"area_code"`
			Testimonies int    `json:"testimonies"`
			Suppressed  bool   `json:"suppressed"`
		}
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &m); err != nil || len(m.Cells) != 2 || m.Cells[0].AreaCode != "MLI" || m.Cells[0].Testimonies != 0 || !m.Cells[0].Suppressed {
		t.Errorf("matrix API: %d %s", rec.Code, rec.Body.String())
	}
	if rec := f.do(t, "", "GET", "/api/v1/themes/matrix?by=planet", nil); rec.Code != 400 {
		t.Errorf("matrix by planet: %d", rec.Code)
	}
	// Every step is in the audit log, which the admin reads and finds intact.
	audit := f.do(t, "admin", "GET", "/audit", nil)
	if audit.Code != 200 || !strings.Contains(audit.Body.String(), `class="notice"`) || !strings.Contains(audit.Body.String(), "testimony") {
		t.Errorf("audit page for the admin: %d", audit.Code)
	}
	if rec := f.do(t, "editor", "GET", "/audit", nil); rec.Code != 403 {
		t.Errorf("audit page for an editor: %d", rec.Code)
	}
}

func TestTestimonyAPIAndNoKey(t *testing.T) {
	f := newVoicesFixture(t, true)
	post := func(token, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/api/v1/testimonies", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		return rec
	}
	good := `{"date":"2023","country":"YEM","org":"yemen-voices","language":"ar","body":"نص الشهادة","consent":{"level":"internal-only","method":"written","recorded_by":"Partner","recorded_at":"2023-11-01"},"audience":"internal","retain_until":"2030-01-01"}`
	if rec := post(f.tokens["other-contributor"], good); rec.Code != 201 || !strings.Contains(rec.Body.String(), `"id"`) {
		t.Fatalf("API submit: %d %s", rec.Code, rec.Body.String())
	}
	if rec := post(f.tokens["contributor"], good); rec.Code != 403 {
		t.Errorf("submitting to another organisation: %d %s", rec.Code, rec.Body.String())
	}
	noConsent := strings.Replace(good, `"consent":{"level":"internal-only","method":"written","recorded_by":"Partner","recorded_at":"2023-11-01"},`, "", 1)
	if rec := post(f.tokens["other-contributor"], noConsent); rec.Code != 400 || !strings.Contains(rec.Body.String(), "consent") {
		t.Errorf("API submit without consent: %d %s", rec.Code, rec.Body.String())
	}
	if rec := post(f.tokens["viewer"], good); rec.Code != 403 {
		t.Errorf("API submit by a viewer: %d", rec.Code)
	}
	// Contributors see only their own submissions.
	if body := f.do(t, "contributor", "GET", "/testimonies", nil).Body.String(); strings.Contains(body, "/testimonies/1\"") {
		t.Error("a contributor of another organisation lists the Yemeni submission")
	}
	if body := f.do(t, "other-contributor", "GET", "/testimonies", nil).Body.String(); !strings.Contains(body, `href="/testimonies/1"`) {
		t.Error("the submitter does not list their submission")
	}

	nokey := newVoicesFixture(t, false)
	if body := nokey.do(t, "contributor", "GET", "/testimonies/new", nil).Body.String(); !strings.Contains(body, "No encryption key") {
		t.Error("without a key the form does not say why it cannot be used")
	}
	if rec := nokey.do(t, "", "GET", "/voices", nil); rec.Code != 200 {
		t.Errorf("the matrix needs no key: %d", rec.Code)
	}
}

// publishedTestimony gives srv a key and stores one testimony, reviewed,
// redacted and approved for the public, as the system.
func publishedTestimony(t *testing.T, srv *web.Server, db *sqldb.DB) int64 {
	t.Helper()
	ctx := context.Background()
	kek, err := vault.GenerateKEK()
	if err != nil {
		t.Fatal(err)
	}
	vs := db.Voices(kek)
	srv.SetVoices(vs)
	hash, _ := auth.HashPassword("a long enough password")
	u, err := db.CreateUser(ctx, sqldb.NewUser{Email: "field@example.org", Name: "field", PasswordHash: hash, OrgSlug: "field-org", Role: aftermath.RoleContributor})
	if err != nil {
		t.Fatal(err)
	}
	id, err := vs.CreateTestimony(ctx, aftermath.System, &aftermath.TestimonyInput{Date: "2024", Country: "MLI", OwnerOrgID: u.Memberships[0].OrgID,
		Language: "en", Body: "The checkpoint closed the market.", Audience: aftermath.AudiencePublic, RetainUntil: "2030-01-01",
		Consent: &aftermath.Consent{Level: aftermath.ConsentAnonymous, Method: aftermath.ConsentOral, RecordedBy: "field", RecordedAt: "2024-01-02"}})
	if err == nil {
		err = vs.Review(ctx, aftermath.System, id, aftermath.ReviewInput{Action: aftermath.ReviewStart})
	}
	if err == nil {
		_, err = vs.Redact(ctx, aftermath.System, id, nil)
	}
	if err == nil {
		err = vs.Review(ctx, aftermath.System, id, aftermath.ReviewInput{Action: aftermath.ReviewApprove, Audience: aftermath.AudiencePublic})
	}
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestTestimonyAttachmentsThroughTheWeb(t *testing.T) {
	f := newVoicesFixture(t, true)
	rec := f.do(t, "contributor", "POST", "/testimonies", submission())
	tp := strings.TrimSuffix(rec.Header().Get("Location"), "?created=1")
	upload := func(person, name string, data []byte) *httptest.ResponseRecorder {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("csrf", testCSRF)
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(data)
		mw.Close()
		req := httptest.NewRequest("POST", tp+"/attachments", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.AddCookie(&http.Cookie{Name: "aftermath_csrf", Value: testCSRF})
		req.AddCookie(&http.Cookie{Name: "aftermath_session", Value: f.sessions[person]})
		rec := httptest.NewRecorder()
		f.h.ServeHTTP(rec, req)
		return rec
	}
	note := []byte("Checkpoint at km 12; the soldiers wore no insignia.")
	if rec := upload("contributor", "note.txt", note); rec.Code != http.StatusSeeOther {
		t.Fatalf("attach a note: %d %s", rec.Code, rec.Body.String())
	}
	if rec := upload("contributor", "report.pdf", []byte("%PDF-1.4 /Author (Zqx)")); rec.Code != http.StatusUnprocessableEntity || !strings.Contains(rec.Body.String(), "only JPEG and PNG") {
		t.Errorf("attach a PDF: %d", rec.Code)
	}
	if rec := upload("viewer", "note.txt", note); rec.Code == http.StatusSeeOther {
		t.Error("a viewer attached a file")
	}
	page := f.do(t, "editor", "GET", tp, nil).Body.String()
	link := regexp.MustCompile(`href="(/testimonies/\d+/attachments/\d+)"`).FindStringSubmatch(page)
	if link == nil {
		t.Fatal("the editor's page does not list the attachment")
	}
	got := f.do(t, "editor", "GET", link[1], nil)
	if got.Code != 200 || got.Body.String() != string(note) || !strings.HasPrefix(got.Header().Get("Content-Disposition"), "attachment") {
		t.Errorf("download: %d %q %q", got.Code, got.Body.String(), got.Header().Get("Content-Disposition"))
	}
	for _, person := range []string{"viewer", "other-contributor"} {
		if rec := f.do(t, person, "GET", link[1], nil); rec.Code != 404 {
			t.Errorf("%s downloads the attachment: %d", person, rec.Code)
		}
	}
}

func TestCodebookIsEditedByAdminsOnly(t *testing.T) {
	f := newVoicesFixture(t, false)
	theme := url.Values{"slug": {"water-and-land"}, "name_en": {"Water and land"}, "name_fr": {"L’eau et la terre"}, "name_ar": {"الماء والأرض"}}
	if rec := f.do(t, "editor", "POST", "/voices/themes", theme); rec.Code != http.StatusForbidden {
		t.Errorf("an editor adds a theme: %d", rec.Code)
	}
	if rec := f.do(t, "admin", "POST", "/voices/themes", theme); rec.Code != http.StatusSeeOther {
		t.Fatalf("the admin adds a theme: %d %s", rec.Code, rec.Body.String())
	}
	page := f.do(t, "viewer", "GET", "/voices/themes?lang=ar", nil).Body.String()
	if !strings.Contains(page, "الماء والأرض") || strings.Contains(page, `name="name_en"`) {
		t.Error("the codebook in Arabic lacks the new theme, or a viewer is offered the editing forms")
	}
	themes, _ := f.db.Themes(context.Background())
	var id int64
	for _, th := range themes {
		if th.Slug == "water-and-land" {
			id = th.ID
		}
	}
	if rec := f.do(t, "admin", "POST", "/voices/themes/"+jsonNum(id)+"/delete", url.Values{}); rec.Code != http.StatusSeeOther {
		t.Errorf("the admin removes an unused theme: %d", rec.Code)
	}
	if rec := f.do(t, "admin", "POST", "/voices/themes", url.Values{"slug": {"Not A Slug"}, "name_en": {"x"}}); rec.Code != http.StatusUnprocessableEntity {
		t.Errorf("a bad key: %d", rec.Code)
	}
}

// TestExportsAreAudited: a signed-in reader's downloads, which may hold
// records that are not public, are in the audit log.
func TestExportsAreAudited(t *testing.T) {
	f := newVoicesFixture(t, false)
	for _, u := range []string{"/events.csv?country=Mali", "/ledger/decisions.csv"} {
		if rec := f.do(t, "viewer", "GET", u, nil); rec.Code != 200 {
			t.Fatalf("%s: %d", u, rec.Code)
		}
	}
	entries, err := f.db.AuditEntries(context.Background(), aftermath.System, sqldb.AuditFilter{Action: aftermath.AuditExport})
	if err != nil || len(entries) != 2 {
		t.Fatalf("%d export entries (%v), want 2", len(entries), err)
	}
	if !strings.Contains(entries[1].Detail, "country=Mali") || entries[0].Detail != "exported decisions.csv" {
		t.Errorf("entries: %+v", entries)
	}
}
