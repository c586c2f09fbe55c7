package cli_test

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"aftermath"
	"aftermath/internal/cli"
	"aftermath/internal/sqldb"
	"aftermath/internal/sqldb/sqldbtest"
	"aftermath/internal/vault"
)

// renderFixture is a database with the catalog and its ledger, a UCDP
// release covering Mali, and one approved public testimony; it returns
// the ids a brief embeds.
type renderFixture struct {
	dsn, keyFile                  string
	source, rec, claim, testimony int64
}

func newRenderFixture(t *testing.T, driver string) renderFixture {
	t.Helper()
	ctx := context.Background()
	f := renderFixture{dsn: sqldbtest.DSN(t, driver), keyFile: filepath.Join(t.TempDir(), "render.key")}
	if out, err := runIn(t, "", "seed", "--db", f.dsn); err != nil {
		t.Fatalf("seed: %q %v", out, err)
	}
	if out, err := runIn(t, "", "import", "ucdp", "--db", f.dsn, sqldbtest.SharedData(t, "ucdp/GEDEvent_v21_01_21_12.csv.zip")); err != nil {
		t.Fatalf("import: %q %v", out, err)
	}
	if out, err := runIn(t, "", "key", "init", "--db", f.dsn, "--key-file", f.keyFile); err != nil {
		t.Fatalf("key init: %q %v", out, err)
	}
	db, err := sqldb.Open(ctx, f.dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	sys := aftermath.System
	srcs, err := db.Sources(ctx, sys)
	if err != nil || len(srcs) == 0 {
		t.Fatalf("sources: %v %v", srcs, err)
	}
	f.source = srcs[0].ID
	inqs, err := db.Inquiries(ctx, sys, aftermath.InquiryFilter{})
	if err != nil || len(inqs) == 0 {
		t.Fatalf("inquiries: %v %v", inqs, err)
	}
	rec := &aftermath.Recommendation{InquiryID: inqs[0].ID, Number: "Recommendation 4", Addressee: aftermath.ActorRef{Name: "Government of Mali", Kind: "state"},
		Text: "Investigate every allegation of unlawful killing by the armed forces.", Audience: aftermath.AudiencePublic}
	if err := db.CreateRecommendation(ctx, sys, rec); err != nil {
		t.Fatal(err)
	}
	f.rec = rec.ID
	claim := &aftermath.Claim{Author: aftermath.ActorRef{Name: "Ministry of Defence", Kind: "organisation"}, Date: "2021-07-01",
		Text: "No civilian was harmed in the operation.", Verbatim: true, Verdict: "false", Reasoning: "UCDP records civilian deaths that month.",
		ReviewedBy: "hub", Audience: aftermath.AudiencePublic}
	if err := db.CreateClaim(ctx, sys, claim); err != nil {
		t.Fatal(err)
	}
	f.claim = claim.ID
	kek, err := vault.Load(f.keyFile)
	if err != nil {
		t.Fatal(err)
	}
	vs := db.Voices(kek)
	if _, err := db.CreateUser(ctx, sqldb.NewUser{Email: "editor@example.org", Name: "Editor", PasswordHash: "$argon2id$test", OrgSlug: "hub", Role: aftermath.RoleEditor}); err != nil {
		t.Fatal(err)
	}
	org, err := db.Organisation(ctx, "hub")
	if err != nil {
		t.Fatalf("organisation: %v", err)
	}
	body := "Les soldats sont venus au marché de Mopti et ont tout pris."
	f.testimony, err = vs.CreateTestimony(ctx, sys, &aftermath.TestimonyInput{
		Date: "2021-06-14", Country: "MLI", Admin1: "Mopti", OwnerOrgID: org.ID, Language: "fr", Body: body,
		Translations: map[string]string{"en": "The soldiers came to the Mopti market and took everything."},
		Consent:      &aftermath.Consent{Level: aftermath.ConsentAnonymous, Method: aftermath.ConsentOral, RecordedBy: "A. Traoré", RecordedAt: "2021-06-14"},
		Audience:     aftermath.AudiencePublic, RetainUntil: "2040-01-01",
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := vs.Review(ctx, sys, f.testimony, aftermath.ReviewInput{Action: aftermath.ReviewStart}); err != nil {
		t.Fatal(err)
	}
	if _, err := vs.Redact(ctx, sys, f.testimony, nil); err != nil {
		t.Fatal(err)
	}
	if err := vs.Review(ctx, sys, f.testimony, aftermath.ReviewInput{Action: aftermath.ReviewApprove, Audience: aftermath.AudiencePublic}); err != nil {
		t.Fatal(err)
	}
	return f
}

// everyEmbed is a brief's text with one embed of every kind, headings
// for the table of contents and French or Arabic prose.
func (f renderFixture) everyEmbed(lang string) string {
	prose := map[string][2]string{
		"en": {"What followed", "Deaths at the hands of the partner during support:"},
		"fr": {"Ce qui a suivi", "Morts du fait du partenaire pendant le soutien :"},
		"ar": {"ما الذي تلا ذلك", "القتلى على يد الشريك أثناء الدعم:"},
	}[lang]
	return fmt.Sprintf(`## %s

%s {{figure intervention="minusma" measure="one-sided" period="during"}}.{{cite source=%d page="12"}}

{{chart intervention="minusma" kind="monthly"}}

{{chart intervention="minusma" kind="yearly" outcome="deaths_best"}}

{{chart intervention="minusma" kind="harm"}}

### %s 2

{{table series intervention="minusma" by="year"}}

{{quote testimony=%d}}

{{recommendation id=%d}}

{{claim id=%d}}
`, prose[0], prose[1], f.source, prose[0], f.testimony, f.rec, f.claim)
}

// A brief with every embed kind renders to one HTML page in English,
// French and Arabic, with its table of contents, notes and
// bibliography, the quote's redacted text in the brief's language, and
// French typography.
func TestBriefRenderHTML(t *testing.T) {
	for _, driver := range []string{sqldb.SQLite, sqldb.Postgres} {
		t.Run(driver, func(t *testing.T) {
			f := newRenderFixture(t, driver)
			dir := t.TempDir()
			for _, lang := range []string{"en", "fr", "ar"} {
				text := filepath.Join(dir, lang+".md")
				os.WriteFile(text, []byte(f.everyEmbed(lang)), 0o644)
				slug := "every-embed-" + lang
				if out, err := runIn(t, "", "brief", "add", "--db", f.dsn, "--slug", slug, "--title", "Brief "+lang, "--language", lang, text); err != nil {
					t.Fatalf("add: %q %v", out, err)
				}
				page := filepath.Join(dir, lang+".html")
				out, err := runIn(t, "", "brief", "render", slug, "--db", f.dsn, "--key-file", f.keyFile, "--out", page)
				if err != nil {
					t.Fatalf("render %s: %q %v", lang, out, err)
				}
				b, _ := os.ReadFile(page)
				html := string(b)
				want := []string{`<html lang="` + lang + `"`, `class="toc"`, `href="#section-1"`, `id="note-1"`, `class="bibliography"`,
					`class="embed embed-chart"`, `<svg`, `class="harm"`, `class="series"`, `class="quote"`, `class="recommendation"`, `class="claim"`,
					`<span class="figure">`}
				if lang == "ar" {
					want = append(want, `dir="rtl"`)
				}
				switch lang {
				case "en":
					want = append(want, "The soldiers came to the Mopti market") // the redacted translation
				case "fr", "ar":
					want = append(want, "Les soldats sont venus") // no Arabic translation: the original, marked with its language
				}
				if lang == "fr" {
					want = append(want, "partenaire pendant le soutien\u202f:")
				}
				for _, w := range want {
					if !strings.Contains(html, w) {
						t.Errorf("%s: the page lacks %q", lang, w)
					}
				}
				if strings.Contains(html, "<script") {
					t.Errorf("%s: the page carries script", lang)
				}
				if n := strings.Count(html, `<svg`); n != 2 {
					t.Errorf("%s: %d charts drawn, want 2 (monthly, yearly)", lang, n)
				}
			}
			// A quote that is not approved stops the render, naming it.
			bad := filepath.Join(dir, "bad.md")
			os.WriteFile(bad, []byte(fmt.Sprintf("Intro.\n\n{{quote testimony=%d}}\n", f.testimony+99)), 0o644)
			runIn(t, "", "brief", "add", "--db", f.dsn, "--slug", "bad-quote", "--title", "Bad", "--language", "en", bad)
			_, err := runIn(t, "", "brief", "render", "bad-quote", "--db", f.dsn, "--key-file", f.keyFile, "--out", filepath.Join(dir, "bad.html"))
			if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("line 3: {{quote testimony=\"%d\"}}: there is no approved testimony", f.testimony+99)) {
				t.Errorf("render of an unapproved quote: %v", err)
			}
			if _, statErr := os.Stat(filepath.Join(dir, "bad.html")); statErr == nil {
				t.Error("a refused render left a file")
			}
			// An event study the data cannot support says why, at its line.
			os.WriteFile(bad, []byte("Intro.\n\n{{chart intervention=\"minusma\" kind=\"event-study\" compare=\"BFA,NER\"}}\n"), 0o644)
			runIn(t, "", "brief", "add", "--db", f.dsn, "--slug", "bad-study", "--title", "Bad", "--language", "en", bad)
			_, err = runIn(t, "", "brief", "render", "bad-study", "--db", f.dsn, "--out", filepath.Join(dir, "bad.html"))
			if err == nil || !strings.Contains(err.Error(), "line 3: {{chart") || !strings.Contains(err.Error(), "could not run") {
				t.Errorf("render of an event study without the data: %v", err)
			}
		})
	}
}

// haveTool says whether a command the test checks with is installed; in
// CI (which installs them all) a missing one fails the test.
func haveTool(t *testing.T, name string) bool {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed; CI must run the checks that use it", name)
		}
		return false
	}
	return true
}

func needTool(t *testing.T, name string) {
	t.Helper()
	if !haveTool(t, name) {
		t.Skipf("%s is not installed", name)
	}
}

// The PDF of a brief, in each language, is printed on the paper asked
// for, numbers its pages, carries the text (pdftotext) and, looked at as
// a picture (pdftoppm), sets Arabic from the right and the others from
// the left. Two prints are the same bytes.
func TestBriefRenderPDF(t *testing.T) {
	for _, tool := range []string{"chromium", "pdftotext", "pdftoppm", "pdfinfo"} {
		needTool(t, tool)
	}
	f := newRenderFixture(t, sqldb.SQLite)
	dir := t.TempDir()
	for _, c := range []struct{ lang, paper, size, word string }{
		{"en", "letter", "(letter)", "What followed"},
		{"fr", "a4", "(A4)", "Ce qui a suivi"},
		{"ar", "a4", "(A4)", "الشريك"},
	} {
		text := filepath.Join(dir, c.lang+".md")
		os.WriteFile(text, []byte(f.everyEmbed(c.lang)), 0o644)
		slug := "pdf-" + c.lang
		title := map[string]string{"en": "After the mission", "fr": "Après la mission", "ar": "بعد البعثة"}[c.lang]
		if out, err := runIn(t, "", "brief", "add", "--db", f.dsn, "--slug", slug, "--title", title, "--language", c.lang, text); err != nil {
			t.Fatalf("add: %q %v", out, err)
		}
		pdf := filepath.Join(dir, c.lang+".pdf")
		if out, err := runIn(t, "", "brief", "render", slug, "--db", f.dsn, "--key-file", f.keyFile, "--format", "pdf", "--paper", c.paper, "--out", pdf); err != nil {
			t.Fatalf("render %s: %q %v", c.lang, out, err)
		}
		info := run1(t, "pdfinfo", pdf)
		if !strings.Contains(info, c.size+"\n") {
			t.Errorf("%s: %s paper, pdfinfo says\n%s", c.lang, c.paper, info)
		}
		pages := regexp.MustCompile(`Pages:\s+(\d+)`).FindStringSubmatch(info)
		if pages == nil || pages[1] == "1" {
			t.Errorf("%s: pages %v: a brief with two charts and four tables fills more than one page", c.lang, pages)
		}
		txt := run1(t, "pdftotext", "-layout", pdf, "-")
		if !regexp.MustCompile(`\b1 ?/ ?` + pages[1] + `\b`).MatchString(txt) {
			t.Errorf("%s: no page number 1 / %s in the PDF's text:\n%s", c.lang, pages[1], txt)
		}
		for _, w := range []string{title, c.word} {
			if !strings.Contains(txt, w) {
				t.Errorf("%s: the PDF's text lacks %q:\n%s", c.lang, w, txt)
			}
		}
		// The first page as a picture: where the title's ink lies.
		run1(t, "pdftoppm", "-r", "40", "-f", "1", "-l", "1", "-png", pdf, filepath.Join(dir, c.lang))
		shots, _ := filepath.Glob(filepath.Join(dir, c.lang+"-*.png"))
		if len(shots) != 1 {
			t.Fatalf("%s: pdftoppm wrote %v", c.lang, shots)
		}
		left, right := titleInk(t, shots[0])
		if c.lang == "ar" && !(right > 0.8 && left > 0.4) || c.lang != "ar" && !(left < 0.2 && right < 0.7) {
			t.Errorf("%s: the title's ink spans %.2f–%.2f of the page's width", c.lang, left, right)
		}
		if c.lang == "fr" {
			again := filepath.Join(dir, "again.pdf")
			runIn(t, "", "brief", "render", slug, "--db", f.dsn, "--key-file", f.keyFile, "--format", "pdf", "--out", again)
			a, _ := os.ReadFile(pdf)
			b, _ := os.ReadFile(again)
			if !bytes.Equal(a, b) {
				t.Error("two prints of the same brief differ")
			}
		}
	}
	// Without Chromium, the command says so and how to install it.
	t.Setenv("AFTERMATH_CHROMIUM", filepath.Join(dir, "no-chromium"))
	_, err := runIn(t, "", "brief", "render", "pdf-en", "--db", f.dsn, "--key-file", f.keyFile, "--format", "pdf", "--out", filepath.Join(dir, "x.pdf"))
	if err == nil || cli.ExitCode(err) == 0 || !strings.Contains(err.Error(), "AFTERMATH_CHROMIUM") {
		t.Errorf("no chromium: %v", err)
	}
}

func run1(t *testing.T, name string, args ...string) string {
	t.Helper()
	out, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

// titleInk finds the first band of dark pixels from the top (the title)
// and returns its left and right edges as fractions of the page width.
func titleInk(t *testing.T, path string) (float64, float64) {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	img, err := png.Decode(fh)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	dark := func(x, y int) bool {
		r, g, bl, _ := img.At(x, y).RGBA()
		return r+g+bl < 3*0x8000
	}
	top := -1
	for y := b.Min.Y; y < b.Max.Y && top < 0; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			if dark(x, y) {
				top = y
				break
			}
		}
	}
	if top < 0 {
		t.Fatalf("%s: a blank page", path)
	}
	minX, maxX := b.Max.X, b.Min.X
	for y := top; y < min(top+12, b.Max.Y); y++ { // the title's first line at 40 dpi
		for x := b.Min.X; x < b.Max.X; x++ {
			if dark(x, y) {
				minX, maxX = min(minX, x), max(maxX, x)
			}
		}
	}
	w := float64(b.Dx())
	return float64(minX) / w, float64(maxX) / w
}
