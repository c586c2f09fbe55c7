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
	checkPageWeight(t, h, paths)
}

// TestPageWeightRealData weighs the pages whose size grows with the data
// (the explorer's map and table, the places and actors indexes) on two
// real, world-wide UCDP releases and the catalog, where the small fixture
// would hide a map of every country.
func TestPageWeightRealData(t *testing.T) {
	h, _ := gapServer(t)
	checkPageWeight(t, h, []string{"/", "/events", "/events?map=hex", "/interventions/minusma", "/places", "/places/MLI",
		"/actors", "/search"})
}

func checkPageWeight(t *testing.T, h http.Handler, paths []string) {
	t.Helper()
	for _, lang := range []string{"en", "ar"} {
		for _, path := range paths {
			sep := "?"
			if strings.Contains(path, "?") {
				sep = "&"
			}
			u := path + sep + "lang=" + lang
			code, _, body := fetch(t, h, u)
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
				t.Errorf("%s weighs %d bytes, over %d: %s", u, total, pageBudget, strings.Join(parts, ", "))
			}
			t.Logf("%s: %d bytes (%s)", u, total, strings.Join(parts, ", "))
		}
	}
}
