package web_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/dom"
	"github.com/chromedp/chromedp"

	"aftermath"
	"aftermath/internal/auth"
	"aftermath/internal/jobs"
	"aftermath/internal/sqldb"
)

// chromium returns the browser for end-to-end tests: Debian's Chromium,
// which .ci/run installs. Without it the tests skip locally and fail in CI.
func chromium(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("chromium is not installed; CI must run the browser tests")
		}
		t.Skip("chromium is not installed")
	}
	return path
}

// browser starts a headless Chromium for one test, saving a screenshot of
// the page when the test fails.
func browser(t *testing.T) context.Context {
	t.Helper()
	profile := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.UserDataDir(profile),
		chromedp.Env("TMPDIR="+profile), // Chromium's singleton files, removed with the profile
		chromedp.WindowSize(1200, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTime := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() {
		if t.Failed() {
			sctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			if png, err := chromedp.Run(sctx, chromedp.FullScreenshot(80)); err == nil {
				p := filepath.Join(os.TempDir(), "aftermath-"+strings.ReplaceAll(t.Name(), "/", "_")+".jpg")
				if os.WriteFile(p, png, 0o644) == nil {
					t.Logf("screenshot of the failing page: %s", p)
				}
			}
			cancel()
		}
		cancelTime()
		cancelCtx()
		cancelAlloc()
	})
	return ctx
}

// TestBrowserJourney drives a real browser through what people do: sign
// in with a second factor, filter events and find the download, open an
// intervention with its charts, switch to Arabic, sign out.
func TestBrowserJourney(t *testing.T) {
	_, db := fixtureServer(t)
	srv, err := newServer(db, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv.SetUploadDir(t.TempDir())
	wake := make(chan struct{}, 1)
	runner := &jobs.Runner{DB: db, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Wake: wake, Poll: 200 * time.Millisecond}
	srv.JobsWake, srv.JobProgress = wake, runner.Progress
	jobsCtx, stopJobs := context.WithCancel(context.Background())
	defer stopJobs()
	go runner.Run(jobsCtx)
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	ctx := browser(t)

	hash, _ := auth.HashPassword("a long enough password")
	u, err := db.CreateUser(context.Background(), sqldb.NewUser{Email: "layla@example.org", Name: "Layla", PasswordHash: hash, OrgSlug: "org", Role: aftermath.RoleEditor})
	if err != nil {
		t.Fatal(err)
	}
	secret, _ := auth.NewTOTPSecret()
	if err := db.SetTOTP(context.Background(), u.ID, secret, nil); err != nil {
		t.Fatal(err)
	}
	code, _ := auth.TOTPCode(secret, time.Now())

	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}
	attr := func(sel, name string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.AttributeValue(css(sel), name))
		if err != nil {
			t.Fatalf("%s of %s: %v", name, sel, err)
		}
		return v.Value
	}
	step := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}

	step("sign in",
		chromedp.Navigate(ts.URL+"/login"),
		chromedp.SendKeys(css(`input[name=email]`), "layla@example.org"),
		chromedp.SendKeys(css(`input[name=password]`), "a long enough password"),
		chromedp.SendKeys(css(`input[name=code]`), code),
		chromedp.Submit(css(`input[name=email]`)),
		chromedp.WaitVisible(css(`a[href="/account"]`)))
	if h := text(`header`); !strings.Contains(h, "Signed in as Layla") {
		t.Fatalf("header after sign-in: %q", h)
	}

	// A newer release, uploaded through the page, imported in the background.
	upload := filepath.Join(t.TempDir(), "GEDEvent_v25_1.csv")
	data, _ := os.ReadFile("../importer/testdata/GEDEvent_v24_1.csv")
	os.WriteFile(upload, data, 0o600)
	step("upload a file",
		chromedp.Navigate(ts.URL+"/"),
		chromedp.SetUploadFiles(css(`input[type=file]`), []string{upload}),
		chromedp.Submit(css(`input[type=file]`)),
		chromedp.WaitVisible(css(`p[role=status]`)))
	deadline := time.Now().Add(30 * time.Second)
	for status := text(`main`); !strings.Contains(status, "Finished"); status = text(`main`) {
		if time.Now().After(deadline) {
			t.Fatalf("the import did not finish: %q", status)
		}
		time.Sleep(300 * time.Millisecond)
	}
	if main := text(`main`); !strings.Contains(main, "ucdp 25.1: read 6") {
		t.Errorf("job page: %q", main)
	}

	step("filter events",
		chromedp.Navigate(ts.URL+"/events"),
		chromedp.SendKeys(css(`input[name=country]`), "Somalia"),
		chromedp.Submit(css(`input[name=country]`)),
		chromedp.WaitVisible(css(`a[href*="country=Somalia"]`)))
	if body := text(`table tbody`); !strings.Contains(body, "1004") || strings.Contains(body, "1001") {
		t.Errorf("filtered table: %q", body)
	}
	href := attr(`a[href^="/events.csv"]`, "href")
	res, err := http.Get(ts.URL + href)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if lines := strings.Count(string(b), "\n"); lines != 4 || !strings.Contains(href, "country=Somalia") {
		t.Errorf("the page's CSV link %s gives %d lines", href, lines)
	}

	step("open an intervention",
		chromedp.Navigate(ts.URL+"/interventions"),
		chromedp.Click(css(`a[href="/interventions/test-mission"]`)),
		chromedp.WaitVisible(css(`figure svg`)))
	svg, err := chromedp.Run(ctx, chromedp.OuterHTML(css(`figure svg`)))
	if err != nil || !strings.Contains(svg, "<title") {
		t.Errorf("chart: %v %d bytes", err, len(svg))
	}

	step("switch to Arabic",
		chromedp.Click(css(`a[hreflang="ar"]`)),
		chromedp.WaitVisible(css(`html[dir="rtl"]`)))
	if h := text(`h2#analysis`); !regexp.MustCompile(`\p{Arabic}`).MatchString(h) {
		t.Errorf("Arabic heading: %q", h)
	}
	// Right to left is laid out, not only declared: the heading hugs the
	// right edge.
	right, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { const r = document.querySelector('h1').getBoundingClientRect();
		return r.right > window.innerWidth - 80 && getComputedStyle(document.body).direction === 'rtl'; })()`))
	if err != nil || !right {
		t.Errorf("Arabic page is not laid out right to left: %v", err)
	}

	step("sign out",
		chromedp.Click(css(`form[action="/logout"] button`)),
		chromedp.WaitVisible(css(`a[href="/login"]`)))
}

// axeSource returns axe-core, which .ci/run installs with npm into
// tools/axe; without it the check skips locally and fails in CI.
func axeSource(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile("../../tools/axe/node_modules/axe-core/axe.min.js")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("axe-core is not installed (npm --prefix tools/axe ci); CI must run the accessibility check")
		}
		t.Skip("axe-core is not installed: npm --prefix tools/axe ci")
	}
	return string(b)
}

// TestAccessibility runs axe-core in the browser on the main pages, in
// English and in Arabic, and fails on serious or critical violations.
func TestAccessibility(t *testing.T) {
	axe := axeSource(t)
	h, _, main := mainPages(t)
	ts := httptest.NewServer(h)
	defer ts.Close()
	ctx := browser(t)
	type violation struct {
		ID     string `json:"id"`
		Impact string `json:"impact"`
		Help   string `json:"help"`
		Nodes  int    `json:"nodes"`
	}
	paths := append(main, "/events?map=points", "/interventions", "/actors", "/places", "/sources")
	for _, path := range paths {
		for _, lang := range []string{"en", "ar"} {
			url := ts.URL + path + map[bool]string{true: "&", false: "?"}[strings.Contains(path, "?")] + "lang=" + lang
			if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
				t.Fatal(err)
			}
			// DevTools evaluation is not bound by the page's CSP, so axe
			// runs without weakening the policy.
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](axe+";true")); err != nil {
				t.Fatalf("load axe: %v", err)
			}
			vs, err := chromedp.Run(ctx, chromedp.Evaluate[[]violation](`axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
				.then(r => r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.length})))`, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("axe on %s: %v", url, err)
			}
			for _, v := range vs {
				if v.Impact == "serious" || v.Impact == "critical" {
					t.Errorf("%s: %s (%s, %d elements): %s", url, v.ID, v.Impact, v.Nodes, v.Help)
				}
			}
		}
	}
}

// mainPages are the pages people show: the screenshots, the accessibility
// check and the page-weight budget walk them. The fixture gets what they
// need beyond fixtureServer: a published brief, ledger records and the
// organisation's name.
func mainPages(t *testing.T) (http.Handler, *sqldb.DB, []string) {
	t.Helper()
	h, db := fixtureServer(t)
	publicBrief(t, db, "test-mission")
	ledgerRouteIDs(t, db)
	if err := db.UpdateSiteSettings(context.Background(), aftermath.System, aftermath.SettingsChange{OrgName: "Sahel Civilian Harm Observatory"}); err != nil {
		t.Fatal(err)
	}
	return h, db, []string{"/", "/events", "/interventions/test-mission", "/places/MLI", "/ledger", "/briefs/test-mission", "/login"}
}

// artifactsDir is where screenshots go: $AFTERMATH_ARTIFACTS (.ci/run
// keeps it), else the test's own directory.
func artifactsDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("AFTERMATH_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// outsideTheWindow measures how far the page is wider than the window,
// and lists elements that stick out of it on either side (to the left of
// a right-to-left page, which widens nothing but is cut off), unless a
// scrolling or clipping box holds them.
const outsideTheWindow = `(() => {
	const w = document.documentElement.clientWidth, outside = [];
	for (const e of document.body.querySelectorAll('*')) {
		let held = false;
		for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
			if (getComputedStyle(p).overflowX !== 'visible') { held = true; break; }
		}
		const r = e.getBoundingClientRect();
		if (!held && r.width > 0 && r.height > 0 && (r.left < -1 || r.right > w + 1)) {
			outside.push(e.tagName.toLowerCase() + (e.className && typeof e.className === 'string' ? '.' + e.className.split(' ')[0] : ''));
		}
	}
	return {overflow: document.documentElement.scrollWidth - window.innerWidth, outside: outside.slice(0, 6),
		dir: getComputedStyle(document.body).direction};
})()`

// TestScreenshots saves the main pages, wide and on a phone, in English
// and Arabic, for people to look at; it fails when a page does not fit
// the phone's width (a table or form pushing the page sideways) or is not
// laid out right to left in Arabic.
func TestScreenshots(t *testing.T) {
	h, _, paths := mainPages(t)
	ts := httptest.NewServer(h)
	defer ts.Close()
	ctx := browser(t)
	dir := artifactsDir(t)
	name := regexp.MustCompile(`[^a-z0-9]+`)
	for _, width := range []int64{1400, 390} {
		for _, lang := range []string{"en", "ar"} {
			for _, path := range paths {
				url := ts.URL + path + map[bool]string{true: "&", false: "?"}[strings.Contains(path, "?")] + "lang=" + lang
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 900), chromedp.Navigate(url)); err != nil {
					t.Fatal(err)
				}
				png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatalf("screenshot of %s: %v", url, err)
				}
				page := strings.Trim(name.ReplaceAllString(path, "-"), "-")
				if page == "" {
					page = "home"
				}
				file := filepath.Join(dir, fmt.Sprintf("%s-%s-%d.png", page, lang, width))
				if err := os.WriteFile(file, png, 0o644); err != nil {
					t.Fatal(err)
				}
				layout, err := chromedp.Run(ctx, chromedp.Evaluate[struct {
					Overflow int
					Outside  []string
					Dir      string
				}](outsideTheWindow))
				if err != nil {
					t.Fatal(err)
				}
				if layout.Overflow > 0 || len(layout.Outside) > 0 {
					t.Errorf("%s at %d px is %d px wider than the window; outside it: %s", url, width, layout.Overflow, strings.Join(layout.Outside, ", "))
				}
				if want := map[string]string{"en": "ltr", "ar": "rtl"}[lang]; layout.Dir != want {
					t.Errorf("%s is laid out %s", url, layout.Dir)
				}
			}
		}
	}
	t.Logf("screenshots in %s", dir)
}

// shown reports whether the first node sel finds is painted where it is
// laid out: the page's topmost node at its centre is it or inside it. A
// closed <details> keeps boxes for its content, so a box alone says
// nothing. It asks the DevTools DOM only, so that it works with script
// off.
func shown(t *testing.T, ctx context.Context, sel string) bool {
	t.Helper()
	ok, err := chromedp.Run(ctx, chromedp.QueryAfter(chromedp.CSS(sel), func(ctx context.Context, tg *chromedp.Target, nodes []*chromedp.Node) (bool, error) {
		box, err := cdp.Call(ctx, tg, dom.GetBoxModel, dom.GetBoxModelParams{NodeID: nodes[0].NodeID})
		if err != nil || box.Model.Width == 0 || box.Model.Height == 0 {
			return false, nil
		}
		q := box.Model.Content
		at, err := cdp.Call(ctx, tg, dom.GetNodeForLocation, dom.GetNodeForLocationParams{X: int64((q[0] + q[4]) / 2), Y: int64((q[1] + q[5]) / 2)})
		if err != nil {
			return false, nil
		}
		return at.BackendNodeID == nodes[0].BackendNodeID || nodes[0].ChildNodeCount > 0 && at.BackendNodeID == nodes[0].Children[0].BackendNodeID, nil
	}, chromedp.NodeReady))
	if err != nil {
		t.Fatalf("%s: %v", sel, err)
	}
	return ok
}

// TestMenuFoldsWithoutScript: on a phone the navigation is one "Menu"
// line that opens on a tap, with page script off; a wide window shows
// the navigation itself.
func TestMenuFoldsWithoutScript(t *testing.T) {
	h, _ := fixtureServer(t)
	ts := httptest.NewServer(h)
	defer ts.Close()
	ctx := browser(t)
	if err := chromedp.Do(ctx, disableScript, chromedp.EmulateViewport(390, 800), chromedp.Navigate(ts.URL+"/events")); err != nil {
		t.Fatal(err)
	}
	if shown(t, ctx, `nav.wide a[href="/ledger"]`) || shown(t, ctx, `details.menu a[href="/ledger"]`) || !shown(t, ctx, `details.menu summary`) {
		t.Fatal("on a phone the navigation is not folded into the menu")
	}
	if err := chromedp.Do(ctx, clickNoScript(`details.menu summary`)); err != nil {
		t.Fatal(err)
	}
	if !shown(t, ctx, `details.menu a[href="/ledger"]`) {
		t.Error("the menu did not open without script")
	}
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1400, 800), chromedp.Navigate(ts.URL+"/events")); err != nil {
		t.Fatal(err)
	}
	if !shown(t, ctx, `nav.wide a[href="/ledger"]`) || shown(t, ctx, `details.menu summary`) {
		t.Error("a wide window does not show the navigation itself")
	}
}
