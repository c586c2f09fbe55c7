package web_test

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"aftermath/internal/web"
)

// Error pages are pages of the site: the layout (stylesheet, language,
// navigation), a heading and a message in the reader's language, and
// the status of the failure.
func TestErrorPagesAreInTheLayout(t *testing.T) {
	fault := errors.New("Zqxsecret: connection to 10.0.0.7 refused")
	f := newVoicesFixtureWith(t, true, func(s web.Store) web.Store { return refusingStore{Store: s, err: fault} }, nil)
	for _, c := range []struct {
		name, person, method, path string
		status                     int
		heading                    map[string]string
	}{
		{"a path no route serves", "", "GET", "/no-such-page", http.StatusNotFound,
			map[string]string{"en": "Page not found", "fr": "Page introuvable", "ar": "الصفحة غير موجودة"}},
		{"a record that is not there", "editor", "GET", "/testimonies/987654", http.StatusNotFound,
			map[string]string{"en": "Page not found", "fr": "Page introuvable", "ar": "الصفحة غير موجودة"}},
		{"a method the route does not take", "", "DELETE", "/voices", http.StatusMethodNotAllowed, nil},
		{"a fault of the store", "editor", "GET", "/interventions/some-mission", http.StatusInternalServerError, nil},
	} {
		for _, lang := range []string{"en", "fr", "ar"} {
			sep := "?"
			if strings.Contains(c.path, "?") {
				sep = "&"
			}
			rec := f.do(t, c.person, c.method, c.path+sep+"lang="+lang, nil)
			body := rec.Body.String()
			if rec.Code != c.status {
				t.Errorf("%s (%s): %d, want %d", c.name, lang, rec.Code, c.status)
			}
			if !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") || !strings.Contains(body, `<html lang="`+lang+`"`) ||
				!strings.Contains(body, `rel="stylesheet"`) || !strings.Contains(body, `href="/"`) {
				t.Errorf("%s (%s): not in the site's layout: %q", c.name, lang, body)
				continue
			}
			if h := c.heading[lang]; h != "" && !strings.Contains(body, "<h1>"+h+"</h1>") {
				t.Errorf("%s (%s): no heading %q", c.name, lang, h)
			}
			if strings.Contains(body, "Zqx") {
				t.Errorf("%s (%s): the page shows the fault's text", c.name, lang)
			}
		}
	}
	// A form that cannot be read (an attachment without its file) is a
	// 400 in the layout too.
	tp := f.submitted(t, submission())
	rec := f.do(t, "editor", "POST", tp+"/attachments?lang=fr", url.Values{})
	if body := rec.Body.String(); rec.Code != http.StatusBadRequest || !strings.Contains(body, `<html lang="fr"`) || !strings.Contains(body, "La requête n’est pas valide") {
		t.Errorf("an attachment without its file: %d %q", rec.Code, body)
	}
	if rec := f.do(t, "", "DELETE", "/voices", nil); rec.Header().Get("Allow") == "" {
		t.Error("the 405 page lost its Allow header")
	}
}
