package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"aftermath"
)

// submitted has the contributor submit form and returns the testimony's
// page.
func (f *voicesFixture) submitted(t *testing.T, form url.Values) string {
	t.Helper()
	rec := f.do(t, "contributor", "POST", "/testimonies", form)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("submit: %d %s", rec.Code, rec.Body.String())
	}
	return strings.TrimSuffix(rec.Header().Get("Location"), "?created=1")
}

// reviewAudienceDefault is the audience the review form sends when the
// reviewer leaves its select as it is: the selected option, or the first.
func reviewAudienceDefault(t *testing.T, page string) string {
	t.Helper()
	form := regexp.MustCompile(`(?s)<form method="post" action="/testimonies/\d+/review">.*?</form>`).FindString(page)
	sel := regexp.MustCompile(`(?s)<select name="audience">(.*?)</select>`).FindStringSubmatch(form)
	if sel == nil {
		t.Fatalf("the review form has no audience select: %s", form)
	}
	opts := regexp.MustCompile(`<option value="([^"]+)"( selected)?>`).FindAllStringSubmatch(sel[1], -1)
	if len(opts) == 0 {
		t.Fatal("the review form offers no audience")
	}
	for _, o := range opts {
		if o[2] != "" {
			return o[1]
		}
	}
	return opts[0][1]
}

// The review form's default audience must be one the store accepts: a
// testimony submitted for the organisation (the submission form's
// default) has nobody named, so confidential, which needs named readers,
// is neither the default nor offered.
func TestReviewFormDefaultAudienceApproves(t *testing.T) {
	f := newVoicesFixture(t, true)
	sub := submission()
	sub.Set("audience", "internal")
	tp := f.submitted(t, sub)
	for _, step := range []struct {
		path string
		form url.Values
	}{
		{tp + "/review", url.Values{"action": {"start"}}},
		{tp + "/redact", url.Values{"passages": {"name: Zqxmamadou\nplace: Zqxbougou"}}},
	} {
		if rec := f.do(t, "editor", "POST", step.path, step.form); rec.Code != http.StatusSeeOther {
			t.Fatalf("%s: %d %s", step.path, rec.Code, rec.Body.String())
		}
	}
	page := f.do(t, "editor", "GET", tp, nil).Body.String()
	audience := reviewAudienceDefault(t, page)
	if strings.Contains(page, `<option value="confidential"`) {
		t.Error("the review form offers confidential for a testimony with nobody named")
	}
	rec := f.do(t, "editor", "POST", tp+"/review", url.Values{"action": {"approve"}, "audience": {audience}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("approve with the form's default audience %q: %d %s", audience, rec.Code, rec.Body.String())
	}
}

// A testimony submitted as confidential names readers: for them the
// review keeps it confidential unless the reviewer widens it.
func TestReviewFormKeepsConfidentialWhenReadersAreNamed(t *testing.T) {
	f := newVoicesFixture(t, true)
	ctx := context.Background()
	contributor, err := f.db.UserByEmail(ctx, "contributor@example.org")
	if err != nil {
		t.Fatal(err)
	}
	editor, err := f.db.UserByEmail(ctx, "editor@example.org")
	if err != nil {
		t.Fatal(err)
	}
	in := &aftermath.TestimonyInput{Date: "2024-05", Country: "MLI", Language: "fr", Body: "Personne n’ose parler.",
		OwnerOrgID: f.orgs["sahel-voices"], Audience: aftermath.AudienceConfidential, Readers: []int64{contributor.ID, editor.ID},
		RetainUntil: "2031-01-01", Consent: &aftermath.Consent{Level: "anonymous-publication", Method: "oral", RecordedBy: "Field worker 7", RecordedAt: "2024-05-02"}}
	v, err := f.db.Viewer(ctx, contributor)
	if err != nil {
		t.Fatal(err)
	}
	id, err := f.vs.CreateTestimony(ctx, v, in)
	if err != nil {
		t.Fatal(err)
	}
	tp := "/testimonies/" + strconv.FormatInt(id, 10)
	if rec := f.do(t, "editor", "POST", tp+"/review", url.Values{"action": {"start"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("start: %d", rec.Code)
	}
	if got := reviewAudienceDefault(t, f.do(t, "editor", "GET", tp, nil).Body.String()); got != "confidential" {
		t.Errorf("the review form's default for a confidential testimony with named readers is %q", got)
	}
}

// The attachment field of a testimony takes a photo or a note, not the
// dataset upload's CSV or UCDP ZIP, and says so in each language.
func TestTestimonyAttachmentFieldHasItsOwnLabel(t *testing.T) {
	f := newVoicesFixture(t, true)
	tp := f.submitted(t, submission())
	for lang, want := range map[string]string{"en": "photo", "fr": "photo", "ar": "صورة"} {
		page := f.do(t, "editor", "GET", tp+"?lang="+lang, nil).Body.String()
		form := regexp.MustCompile(`(?s)<form method="post" action="/testimonies/\d+/attachments".*?</form>`).FindString(page)
		label := regexp.MustCompile(`(?s)<label>([^<]*)<input type="file"`).FindStringSubmatch(form)
		if label == nil {
			t.Fatalf("%s: no labelled file field in the attachment form: %s", lang, form)
		}
		if strings.Contains(label[1], "UCDP") || strings.Contains(label[1], "CSV") || !strings.Contains(label[1], want) {
			t.Errorf("%s: the attachment field is labelled %q", lang, label[1])
		}
	}
}

// The review history names who took each step, not their user id.
func TestTestimonyHistoryNamesTheReviewers(t *testing.T) {
	f := newVoicesFixture(t, true)
	tp := f.submitted(t, submission())
	if rec := f.do(t, "editor", "POST", tp+"/review", url.Values{"action": {"start"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("start: %d", rec.Code)
	}
	if rec := f.do(t, "editor", "POST", tp+"/review", url.Values{"action": {"return"}, "note": {"Précisez la date."}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("return: %d", rec.Code)
	}
	page := f.do(t, "admin", "GET", tp, nil).Body.String()
	history := regexp.MustCompile(`(?s)<h3>Review history</h3>.*?</table>`).FindString(page)
	if history == "" {
		t.Fatalf("no review history on the page")
	}
	if regexp.MustCompile(`<td>#\d+</td>`).MatchString(history) {
		t.Errorf("the review history shows user ids: %s", history)
	}
	if strings.Count(history, "<td>editor</td>") != 2 {
		t.Errorf("the review history does not name the editor on each step: %s", history)
	}
}

// A confidential testimony submitted through the form names, besides its
// submitter, the reviewers ticked: one of them can then review and
// approve it, where before the submitter alone could read it and no one
// could review it. The form lists only the organisation's reviewers.
func TestConfidentialSubmissionNamesItsReviewers(t *testing.T) {
	f := newVoicesFixture(t, true)
	ctx := context.Background()
	editor, err := f.db.UserByEmail(ctx, "editor@example.org")
	if err != nil {
		t.Fatal(err)
	}
	form := f.do(t, "contributor", "GET", "/testimonies/new", nil).Body.String()
	if !strings.Contains(form, `name="reader" value="`+strconv.FormatInt(editor.ID, 10)+`"`) || !strings.Contains(form, "> editor <small>") {
		t.Fatalf("the form does not offer the editor as a reader: %s", form)
	}
	for _, outsider := range []string{"other-contributor", "viewer", "contributor"} {
		if strings.Contains(form, "> "+outsider+" <small>") {
			t.Errorf("the form offers %s, who cannot review, as a reader", outsider)
		}
	}
	sub := submission()
	sub.Set("audience", "confidential")
	sub["reader"] = []string{strconv.FormatInt(editor.ID, 10)}
	tp := f.submitted(t, sub)
	if rec := f.do(t, "editor", "POST", tp+"/review", url.Values{"action": {"start"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("the named editor starts the review: %d %s", rec.Code, rec.Body.String())
	}
	if rec := f.do(t, "editor", "POST", tp+"/redact", url.Values{"passages": {"name: Zqxmamadou\nplace: Zqxbougou"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("redact: %d %s", rec.Code, rec.Body.String())
	}
	page := f.do(t, "editor", "GET", tp, nil).Body.String()
	audience := reviewAudienceDefault(t, page)
	if audience != "confidential" {
		t.Errorf("the review form's default is %q", audience)
	}
	if rec := f.do(t, "editor", "POST", tp+"/review", url.Values{"action": {"approve"}, "audience": {audience}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", rec.Code, rec.Body.String())
	}
	// The admin was not ticked: a confidential testimony stays with its
	// named readers.
	if rec := f.do(t, "admin", "GET", tp, nil); rec.Code != http.StatusNotFound && strings.Contains(rec.Body.String(), "Zqxmamadou") {
		t.Errorf("an admin who was not named reads the confidential original")
	}
}
