package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"maps"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"aftermath"
	"aftermath/internal/cli"
	"aftermath/internal/sqldb"
	"aftermath/internal/vault"
)

// Words that live only in records the public may not see: an internal
// intervention, a partners decision, a confidential and an unapproved
// testimony, the name of a speaker who published anonymously, an
// internal claim and an internal brief.
var sentinels = []string{"SENTINELALPHA", "SENTINELBRAVO", "SENTINELCHARLIE", "SENTINELDELTA", "SENTINELECHO", "SENTINELFOXTROT", "SENTINELGOLF",
	"SENTINELHOTEL", "SENTINELINDIA"}

// publishFixture is a database holding public records and hidden ones
// carrying the sentinels; it returns the DSN and the key file.
func publishFixture(t *testing.T, driver string) (string, string) {
	t.Helper()
	ctx := context.Background()
	dsn, key := voicesDB(t, driver)
	for _, args := range [][]string{
		{"seed", "--db", dsn},
		{"import", "ucdp", "--db", dsn, fixture},
		{"intervention", "add", "--db", dsn, "--slug", "hidden-op", "--name", "SENTINELALPHA", "--start", "2023-01-01", "--end", "2023-06-30",
			"--backer", "France", "--partner", "Government of Mali", "--instrument", "troops", "--country", "mli"},
	} {
		if out, err := runIn(t, "", args...); err != nil {
			t.Fatalf("%v: %q %v", args, out, err)
		}
	}
	if out, err := runIn(t, `{"maker": {"name": "Council of the European Union", "kind": "organisation"}, "date": "2023-01-17",
		"kind": "training", "summary": "SENTINELBRAVO", "audience": "partners", "owner": "hub"}`, "decision", "add", "-", "--db", dsn); err != nil {
		t.Fatalf("decision: %q %v", out, err)
	}
	db, err := sqldb.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sys := aftermath.System
	for _, c := range []*aftermath.Claim{
		{Author: aftermath.ActorRef{Name: "Ministry of Defence", Kind: "organisation"}, Date: "2023-02-01", Text: "No civilian was harmed in the operation.",
			Verbatim: true, Verdict: "false", Reasoning: "UCDP records civilian deaths that month.", ReviewedBy: "hub", Audience: aftermath.AudiencePublic,
			Published: true, PublishedDate: "2024-03-01", Evidence: []aftermath.EvidenceLink{{Kind: "intervention", Ref: "minusma"}}},
		{Author: aftermath.ActorRef{Name: "Ministry of Defence", Kind: "organisation"}, Date: "2023-02-02", Text: "SENTINELECHO", Audience: aftermath.AudienceInternal},
	} {
		if err := db.CreateClaim(ctx, sys, c); err != nil {
			t.Fatal(err)
		}
	}
	kek, err := vault.Load(key)
	if err != nil {
		t.Fatal(err)
	}
	vs := db.Voices(kek)
	org, err := db.Organisation(ctx, "hub")
	if err != nil {
		t.Fatal(err)
	}
	consent := &aftermath.Consent{Level: aftermath.ConsentAnonymous, Method: aftermath.ConsentOral, RecordedBy: "A. Traoré", RecordedAt: "2023-06-14"}
	ed, err := db.UserByEmail(ctx, "ed@example.org")
	if err != nil {
		t.Fatal(err)
	}
	testimony := func(body string, aud aftermath.Audience, identity string) int64 {
		in := &aftermath.TestimonyInput{Date: "2023-06-14", Country: "MLI", Admin1: "Mopti", OwnerOrgID: org.ID, Language: "fr", Body: body,
			Translations: map[string]string{"en": "In English: " + body}, Consent: consent, Audience: aud, RetainUntil: "2040-01-01",
			Themes: []string{"harm-from-military-operations"}}
		if aud == aftermath.AudienceConfidential {
			in.Readers = []int64{ed.ID}
		}
		if identity != "" {
			in.Identity = &aftermath.SpeakerIdentity{Name: identity}
			in.Locality = "SENTINELGOLF" // the exact place of a public quote: sealed, never shown
		}
		if aud == aftermath.AudienceConfidential {
			in.Admin1 = "SENTINELINDIA" // even the coarse place of a confidential testimony
		}
		id, err := vs.CreateTestimony(ctx, sys, in)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	public := testimony("Les soldats sont venus au marché de Mopti et ont tout pris.", aftermath.AudiencePublic, "SENTINELDELTA")
	if err := vs.Review(ctx, sys, public, aftermath.ReviewInput{Action: aftermath.ReviewStart}); err != nil {
		t.Fatal(err)
	}
	if _, err := vs.Redact(ctx, sys, public, nil); err != nil {
		t.Fatal(err)
	}
	if err := vs.Review(ctx, sys, public, aftermath.ReviewInput{Action: aftermath.ReviewApprove, Audience: aftermath.AudiencePublic}); err != nil {
		t.Fatal(err)
	}
	testimony("SENTINELCHARLIE a parlé en confidence.", aftermath.AudienceConfidential, "")
	testimony("SENTINELHOTEL attend encore sa relecture.", aftermath.AudiencePublic, "")
	dir := t.TempDir()
	briefs := []struct{ slug, title, audience, body string }{
		{"after-minusma", "After MINUSMA", "public", fmt.Sprintf("# After MINUSMA\n\n{{chart intervention=\"minusma\" kind=\"yearly\"}}\n\n{{quote testimony=%d}}\n", public)},
		{"hidden-brief", "SENTINELFOXTROT", "internal", "# Hidden\n\nNot for the public.\n"},
	}
	for _, b := range briefs {
		file := filepath.Join(dir, b.slug+".md")
		os.WriteFile(file, []byte(b.body), 0o644)
		if out, err := runIn(t, "", "brief", "add", "--db", dsn, "--summary", "What followed, and who said so.", "--slug", b.slug, "--title", b.title, "--language", "en", "--audience", b.audience, file); err != nil {
			t.Fatalf("brief add: %q %v", out, err)
		}
		for _, action := range []string{"submit", "approve"} {
			if out, err := runIn(t, "", "brief", "review", b.slug, "--db", dsn, "--action", action); err != nil {
				t.Fatalf("review %s: %q %v", action, out, err)
			}
		}
		// Past approval, publishing (its checks need the key) shows a brief
		// to its audience.
		if out, err := runIn(t, "", "brief", "review", b.slug, "--db", dsn, "--key-file", key, "--action", "publish"); err != nil {
			t.Fatalf("brief review --action publish: %q %v", out, err)
		}
	}
	return dsn, key
}

// publicBrief says whether the service shows the public brief to an
// anonymous reader.
func publicBrief(t *testing.T, dsn string) bool {
	db, err := sqldb.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	list, err := db.Briefs(context.Background(), aftermath.Anonymous, aftermath.BriefFilter{})
	if err != nil {
		t.Fatal(err)
	}
	return len(list) == 1 && list[0].Slug == "after-minusma"
}

var linkRE = regexp.MustCompile(`(?:href|src)="([^"]*)"`)

// The site holds nothing hidden, every link in it leads to a file of it,
// a second run gives the same bytes, and sha256sum and ssh-keygen check
// it; a browser opened on the files follows its links.
func TestPublishSite(t *testing.T) {
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			dsn, key := publishFixture(t, driver)
			keyDir := t.TempDir()
			signKey := filepath.Join(keyDir, "site")
			var sign []string
			if haveTool(t, "ssh-keygen") {
				if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "site@example.org", "-f", signKey).CombinedOutput(); err != nil {
					t.Fatalf("ssh-keygen: %v %s", err, out)
				}
				sign = []string{"--sign", signKey}
			}
			// Built twice on SQLite, to compare the runs byte for byte; a
			// second PostgreSQL run (half a minute under the race detector)
			// would check the same code again.
			sites := []string{filepath.Join(t.TempDir(), "site")}
			if driver == sqldb.SQLite {
				sites = append(sites, filepath.Join(t.TempDir(), "site"))
			}
			for _, out := range sites {
				start := time.Now()
				msg, err := runIn(t, "", append([]string{"publish", "--db", dsn, "--key-file", key, "--out", out, "--base-url", "https://site.example.org/mirror"}, sign...)...)
				if err != nil || !strings.HasPrefix(msg, "publish: ") {
					t.Fatalf("publish: %q %v", msg, err)
				}
				t.Logf("%s (%.1fs)", strings.TrimSpace(msg), time.Since(start).Seconds())
			}
			site := sites[0]
			files := map[string][]byte{}
			err := filepath.WalkDir(site, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				b, err := os.ReadFile(p)
				rel, _ := filepath.Rel(site, p)
				files[filepath.ToSlash(rel)] = b
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			for name, b := range files {
				low := bytes.ToLower(b)
				for _, s := range sentinels {
					if bytes.Contains(low, []byte(strings.ToLower(s))) {
						t.Errorf("%s holds %s", name, s)
					}
				}
				if !strings.HasSuffix(name, ".html") {
					continue
				}
				for _, m := range linkRE.FindAllSubmatch(b, -1) {
					ref := string(m[1])
					if u, err := url.Parse(ref); err != nil || u.Scheme != "" || u.Host != "" || strings.HasPrefix(ref, "#") {
						continue
					}
					if strings.HasPrefix(ref, "/") {
						t.Errorf("%s: a link from the root of a server: %s", name, ref)
						continue
					}
					p, _, _ := strings.Cut(ref, "#")
					p, err := url.PathUnescape(p)
					if err != nil {
						t.Errorf("%s: %s: %v", name, ref, err)
						continue
					}
					target := filepath.ToSlash(filepath.Join(filepath.Dir(name), p))
					if _, ok := files[target]; !ok {
						t.Errorf("%s: link %s leads to no file (%s)", name, ref, target)
					}
				}
			}
			// One public testimony is fewer than the default five: its count
			// is suppressed, and shown with --min-count 1.
			if voices := files["en/voices/index.html"]; !bytes.Contains(voices, []byte("fewer than 5")) {
				t.Errorf("the public theme count is not suppressed:\n%s", voices)
			}
			if driver == sqldb.SQLite {
				low := filepath.Join(t.TempDir(), "site")
				if msg, err := runIn(t, "", "publish", "--db", dsn, "--key-file", key, "--out", low, "--lang", "en", "--min-count", "1"); err != nil {
					t.Fatalf("publish --min-count 1: %q %v", msg, err)
				}
				if voices, _ := os.ReadFile(filepath.Join(low, "en", "voices", "index.html")); bytes.Contains(voices, []byte("fewer than")) || !bytes.Contains(voices, []byte("<td>1 (1)</td>")) {
					t.Errorf("--min-count 1 still suppresses:\n%s", voices)
				}
			}
			// What the public may see is there.
			for name, want := range map[string]string{
				"index.html":                          `href="ar/index.html"`,
				"en/interventions/minusma/index.html": "MINUSMA",
				"en/voices/quotes/index.html":         "Les soldats sont venus",
				"en/feed.atom":                        "No civilian was harmed",
				"en/datapackage.json":                 `"path": "interventions/minusma/monthly.csv"`,
				"ar/index.html":                       `dir="rtl"`,
				"SHA256SUMS":                          "  en/interventions/minusma/yearly.svg\n",
			} {
				if !bytes.Contains(files[name], []byte(want)) {
					t.Errorf("%s lacks %q", name, want)
				}
			}
			// The public brief is in the site: page, PDF and feed.
			if publicBrief(t, dsn) {
				for name, want := range map[string]string{"en/briefs/after-minusma/index.html": "After MINUSMA", "fr/feed.atom": "After MINUSMA",
					"en/briefs/index.html": `href="after-minusma/index.html"`} {
					if !bytes.Contains(files[name], []byte(want)) {
						t.Errorf("%s lacks %q", name, want)
					}
				}
				if haveTool(t, "chromium") && !bytes.HasPrefix(files["en/briefs/after-minusma/brief.pdf"], []byte("%PDF-")) {
					t.Errorf("no PDF of the public brief")
				}
			} else {
				t.Errorf("the service shows the public no brief, or another; the fixture is wrong")
			}
			// Byte-identical on a second run.
			for _, again := range sites[1:] {
				compareSites(t, files, again)
			}
			if haveTool(t, "sha256sum") {
				cmd := exec.Command("sha256sum", "-c", "--quiet", "--strict", "SHA256SUMS")
				cmd.Dir = site
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("sha256sum -c: %v %s", err, out)
				}
			}
			if sign != nil {
				pub, _ := os.ReadFile(signKey + ".pub")
				allowed := filepath.Join(keyDir, "allowed_signers")
				os.WriteFile(allowed, []byte(`site@example.org namespaces="aftermath-site" `+string(pub)), 0o644)
				cmd := exec.Command("ssh-keygen", "-Y", "verify", "-f", allowed, "-I", "site@example.org", "-n", "aftermath-site", "-s", filepath.Join(site, "SHA256SUMS.sig"))
				sums, _ := os.ReadFile(filepath.Join(site, "SHA256SUMS"))
				cmd.Stdin = bytes.NewReader(sums)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("ssh-keygen -Y verify: %v %s", err, out)
				}
			}
			if driver == sqldb.SQLite {
				browseSite(t, site)
			}
		})
	}
}

// compareSites checks that the site in dir holds exactly files, byte for
// byte.
func compareSites(t *testing.T, files map[string][]byte, again string) {
	t.Helper()
	files = maps.Clone(files)
	err := filepath.WalkDir(again, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(again, p)
		b, _ := os.ReadFile(p)
		if a, ok := files[filepath.ToSlash(rel)]; !ok || !bytes.Equal(a, b) {
			t.Errorf("the second run's %s differs", rel)
		}
		delete(files, filepath.ToSlash(rel))
		return err
	})
	if err != nil || len(files) != 0 {
		t.Errorf("the second run lacks %d files: %v", len(files), err)
	}
}

// browseSite opens the site from disk and follows its links to an
// intervention and a source.
func browseSite(t *testing.T, site string) {
	needTool(t, "chromium")
	profile := t.TempDir()
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath("chromium"), chromedp.Flag("headless", true), chromedp.NoSandbox,
		chromedp.DisableGPU, chromedp.UserDataDir(profile), chromedp.Env("TMPDIR="+profile), chromedp.Flag("no-first-run", true))
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelTime := context.WithTimeout(ctx, 60*time.Second)
	defer cancelTime()
	css := func(sel string) chromedp.CSS { return chromedp.CSS(sel) }
	step := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Text(css(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return v
	}
	step("open the language chooser from disk and choose English",
		chromedp.Navigate("file://"+filepath.Join(site, "index.html")),
		chromedp.Click(css(`a[hreflang="en"]`)),
		chromedp.WaitVisible(css(`nav a[href="interventions/index.html"]`)))
	step("follow the navigation to an intervention",
		chromedp.Click(css(`nav a[href="interventions/index.html"]`)),
		chromedp.WaitVisible(css(`a[href="minusma/index.html"]`)),
		chromedp.Click(css(`a[href="minusma/index.html"]`)),
		chromedp.WaitVisible(css(`h2#analysis`)))
	h1Iv := text(`h1`)
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	step("follow the navigation to a source",
		chromedp.Click(css(`nav a[href="../../sources/index.html"]`)),
		chromedp.WaitVisible(css(`main a[href$="/index.html"]`)),
		chromedp.Click(css(`main a[href$="/index.html"]`)),
		chromedp.WaitVisible(css(`main h1`)))
	h1Src := text(`main h1`)
	srcLoc, _ := chromedp.Run(ctx, chromedp.Location())
	if !strings.Contains(h1Iv, "MINUSMA") || !strings.HasPrefix(loc, "file://") || !strings.HasSuffix(loc, "/en/interventions/minusma/index.html") {
		t.Errorf("intervention page: %q at %s", h1Iv, loc)
	}
	if h1Src == "" || h1Src == "Sources" || !regexp.MustCompile(`/en/sources/[0-9]+/index\.html$`).MatchString(srcLoc) {
		t.Errorf("source page heading: %q at %s", h1Src, srcLoc)
	}
}

// Wrong use is refused with what to do, before anything is written.
func TestPublishRefuses(t *testing.T) {
	db := filepath.Join(t.TempDir(), "a.db")
	if _, err := runIn(t, "", "migrate", "--db", db); err != nil { // publish reads a database that exists
		t.Fatal(err)
	}
	notSite := t.TempDir()
	os.WriteFile(filepath.Join(notSite, "notes.txt"), []byte("mine"), 0o644)
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"publish", "--db", db}, 2, "--out DIR"},
		{[]string{"publish", "--db", db, "--out", filepath.Join(t.TempDir(), "s"), "--base-url", "http://example.org"}, 2, "https://"},
		{[]string{"publish", "--db", db, "--out", filepath.Join(t.TempDir(), "s"), "--sign", filepath.Join(notSite, "notes.txt")}, 2, "signing key"},
		{[]string{"publish", "--db", db, "--out", notSite}, 1, "not a site written before"},
		{[]string{"publish", "--db", db, "--out", filepath.Join(t.TempDir(), "s"), "--lang", "en,xx"}, 2, `no language "xx"`},
		{[]string{"publish", "--db", db, "--out", filepath.Join(t.TempDir(), "s"), "--min-count", "0"}, 2, "--min-count is at least 1"},
	} {
		_, err := runIn(t, "", tc.args...)
		if err == nil || !strings.Contains(err.Error(), tc.msg) || cli.ExitCode(err) != tc.code {
			t.Errorf("%v: %v (exit %d), want %q and exit %d", tc.args, err, cli.ExitCode(err), tc.msg, tc.code)
		}
	}
	if b, _ := os.ReadFile(filepath.Join(notSite, "notes.txt")); string(b) != "mine" {
		t.Errorf("a refused run touched the directory")
	}
}
