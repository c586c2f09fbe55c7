package web_test

import (
	"html"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// pageBudget is what a page may weigh on first load, HTML, style sheets
// and images together, uncompressed: readers on slow phone connections
// pay for every byte.
const pageBudget = 150 << 10

var (
	stylesheetRE = regexp.MustCompile(`<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"`)
	imageRE      = regexp.MustCompile(`<img[^>]+src="([^"]+)"`)
	scriptRE     = regexp.MustCompile(`<script[^>]+src="([^"]+)"`)
)

// TestPageWeight keeps each main page, in English and Arabic, under the
// budget, counting what a browser fetches for it from this site.
func TestPageWeight(t *testing.T) {
	h, _, paths := mainPages(t)
	for _, lang := range []string{"en", "ar"} {
		for _, path := range paths {
			code, _, body := fetch(t, h, path+"?lang="+lang)
			if code != http.StatusOK {
				t.Errorf("%s: %d", path, code)
				continue
			}
			total, parts := len(body), []string{"html " + strconv.Itoa(len(body))}
			seen := map[string]bool{}
			for _, re := range []*regexp.Regexp{stylesheetRE, imageRE, scriptRE} {
				for _, m := range re.FindAllStringSubmatch(body, -1) {
					src := html.UnescapeString(m[1])
					if seen[src] || strings.HasPrefix(src, "data:") || !strings.HasPrefix(src, "/") {
						continue // data: images are in the HTML already
					}
					seen[src] = true
					code, _, b := fetch(t, h, src)
					if code != http.StatusOK {
						t.Errorf("%s links %s: %d", path, src, code)
					}
					total += len(b)
					parts = append(parts, src+" "+strconv.Itoa(len(b)))
				}
			}
			if total > pageBudget {
				t.Errorf("%s?lang=%s weighs %d bytes, over %d: %s", path, lang, total, pageBudget, strings.Join(parts, ", "))
			}
			t.Logf("%s?lang=%s: %d bytes (%s)", path, lang, total, strings.Join(parts, ", "))
		}
	}
}
